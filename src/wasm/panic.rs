//! The panic hook: a panic's message and source file go to `console.error`. Not
//! console_error_panic_hook: it formats the whole `PanicHookInfo` and builds a JS `Error` for its
//! stack, which cost 477 B gzip more (docs/design.md); a panic is a bug to report either way.

use std::panic::PanicHookInfo;
use std::sync::Once;

use wasm_bindgen::JsValue;

use crate::protocol::text::concat;

/// Installs the hook (once per instance; later calls do nothing).
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| std::panic::set_hook(Box::new(report)));
}

fn report(info: &PanicHookInfo) {
    let payload = info.payload();
    let message = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)");
    let file = info.location().map_or("", |l| l.file());
    web_sys::console::error_2(
        &JsValue::from_str("openiap-wasm panicked (a bug: please report it):"),
        &JsValue::from_str(&concat(&[message, " in ", file])),
    );
}
