//! One event listener, removed when dropped (RAII, as gloo-events' `EventListener`). Not
//! gloo-events itself: its listener throws (`unwrap_throw`) when `addEventListener` throws, and
//! workerd's `AbortSignal` throws for passive listeners, which gloo-events makes by default; here
//! a listener that cannot be added is `None`. It is also about 1 KB smaller in the wasm.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::EventTarget;

/// One event listener; removed when dropped.
pub struct Listener {
    target: EventTarget,
    event: &'static str,
    callback: Closure<dyn FnMut(&JsValue)>,
}

impl Listener {
    /// Adds `callback` for `event` on `target`; `None` when the target refuses it.
    pub fn new(
        target: &EventTarget,
        event: &'static str,
        callback: impl FnMut(&JsValue) + 'static,
    ) -> Option<Listener> {
        let callback = Closure::wrap(Box::new(callback) as Box<dyn FnMut(&JsValue)>);
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
