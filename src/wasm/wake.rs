//! The page-wake hooks: `online`, `pageshow` and `visibilitychange` to visible skip the backoff
//! wait or probe the link at once. Listeners are removed on drop. Globals are reached through
//! `js_sys::global()`, never `window`; where the events do not exist (Workers, Deno, Node)
//! nothing is registered.

use super::listener::Listener;
use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::EventTarget;

/// The listeners of one client; dropping them removes them.
pub type WakeListeners = Vec<Listener>;

fn global_property(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn event_target(value: JsValue) -> Option<EventTarget> {
    if value.is_undefined() || value.is_null() {
        return None;
    }
    if !global_property(&value, "addEventListener").is_function() {
        return None;
    }
    Some(value.unchecked_into())
}

/// Listeners that call `wake` when the page comes back (online, shown, visible).
/// Empty outside browsers and Web Workers.
pub fn wake_listeners(wake: impl Fn() + Clone + 'static) -> WakeListeners {
    let global: JsValue = js_sys::global().into();
    let mut out = Vec::new();
    let document = global_property(&global, "document");
    let in_page = !document.is_undefined() && !document.is_null();
    let in_worker = global_property(&global, "importScripts").is_function();
    if !(in_page || in_worker) {
        return out;
    }
    if let Some(target) = event_target(global) {
        let w = wake.clone();
        out.extend(Listener::new(&target, "online", move |_| w()));
        if in_page {
            let w = wake.clone();
            out.extend(Listener::new(&target, "pageshow", move |_| w()));
        }
    }
    if let Some(target) = event_target(document.clone()) {
        out.extend(Listener::new(&target, "visibilitychange", move |_| {
            let state = global_property(&document, "visibilityState").as_string();
            if state.as_deref() == Some("visible") {
                wake();
            }
        }));
    }
    out
}
