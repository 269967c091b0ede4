//! RAII event listeners (removed on drop) and the page-wake hooks: `online`, `pageshow` and
//! `visibilitychange` to visible. Globals are reached through `js_sys::global()`, never `window`;
//! where the events do not exist (Workers, Deno, Node) nothing is registered.

use js_sys::Reflect;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::EventTarget;

/// One event listener; removed when dropped.
pub struct Listener {
    target: EventTarget,
    event: &'static str,
    callback: Closure<dyn FnMut(JsValue)>,
}

impl Listener {
    /// Adds `callback` for `event` on `target`.
    pub fn new(
        target: &EventTarget,
        event: &'static str,
        callback: impl FnMut(JsValue) + 'static,
    ) -> Option<Listener> {
        let callback = Closure::wrap(Box::new(callback) as Box<dyn FnMut(JsValue)>);
        target
            .add_event_listener_with_callback(event, callback.as_ref().unchecked_ref())
            .ok()?;
        Some(Listener {
            target: target.clone(),
            event,
            callback,
        })
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.target.remove_event_listener_with_callback(
            self.event,
            self.callback.as_ref().unchecked_ref(),
        );
    }
}

fn event_target(value: JsValue) -> Option<EventTarget> {
    if value.is_undefined() || value.is_null() {
        return None;
    }
    let add = Reflect::get(&value, &JsValue::from_str("addEventListener")).ok()?;
    if !add.is_function() {
        return None;
    }
    Some(value.unchecked_into())
}

/// Listeners that call `wake` when the page comes back (online, shown, visible).
/// Empty outside browsers and Web Workers.
pub fn wake_listeners(wake: impl Fn() + Clone + 'static) -> Vec<Listener> {
    let global = js_sys::global();
    let mut out = Vec::new();
    let document =
        Reflect::get(&global, &JsValue::from_str("document")).unwrap_or(JsValue::UNDEFINED);
    let in_page = !document.is_undefined() && !document.is_null();
    let in_worker = Reflect::get(&global, &JsValue::from_str("importScripts"))
        .map(|v| v.is_function())
        .unwrap_or(false);
    if !(in_page || in_worker) {
        return out;
    }
    if let Some(target) = event_target(global.clone().into()) {
        let w = wake.clone();
        out.extend(Listener::new(&target, "online", move |_| w()));
        if in_page {
            let w = wake.clone();
            out.extend(Listener::new(&target, "pageshow", move |_| w()));
        }
    }
    if let Some(target) = event_target(document.clone()) {
        let doc = document.clone();
        out.extend(Listener::new(&target, "visibilitychange", move |_| {
            let state = Reflect::get(&doc, &JsValue::from_str("visibilityState"))
                .ok()
                .and_then(|v| v.as_string());
            if state.as_deref() == Some("visible") {
                wake();
            }
        }));
    }
    out
}
