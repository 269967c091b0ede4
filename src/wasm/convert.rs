//! Conversions between JS values and the protocol core's types: events, typed errors, `data`
//! text, replies (tapes built into JS values by `src/js/values.js` in one call) and promises.
//! Option objects are read in `options.rs`.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Object, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::protocol::error::{Error, ErrorKind};
use crate::protocol::session::ClientEvent;
use crate::protocol::wire::Tape;

#[wasm_bindgen(module = "/src/js/values.js")]
extern "C" {
    /// Builds the JS value a tape describes (`src/protocol/wire/decode.rs`).
    fn build_value(tape: &[u32], bytes: &[u8]) -> JsValue;
    /// Builds the queue message (or with `watch` the watch event) of `text` (`wire::json`, its
    /// last field at `at`) and calls `callback` with it: 0 when it returned nothing (undefined),
    /// 1 when it returned a value (null too), 2 when it threw; 3 when the text is not UTF-8.
    fn call_with_json(callback: &JsValue, text: &[u8], at: usize, watch: bool) -> u32;
    /// The value or exception of the last `call_with_json`.
    fn take_result() -> JsValue;
}

#[wasm_bindgen(module = "/src/js/queue-data.js")]
extern "C" {
    /// The JSON text OpenFlow can carry as a queue message's `data`, or `None`.
    fn queue_text(value: &JsValue) -> Option<String>;
}

#[wasm_bindgen(module = "/src/js/errors.js")]
extern "C" {
    /// A `ClientError` (the class the package exports).
    fn client_error(message: &str, kind: &str, code: i32) -> JsValue;
}

/// The JS value of `tape`, read from `payload` (the bytes it was decoded from).
pub fn tape_value(tape: &Tape, payload: &[u8]) -> JsValue {
    build_value(&tape.words, payload)
}

/// What a message callback did, called with the message of `text` (`wire::json`, its last field
/// at `at`) in one crossing. `None`: it returned nothing, or the text is not UTF-8.
pub fn call_with_text(
    callback: &JsValue,
    text: &[u8],
    at: usize,
    watch: bool,
) -> Option<Result<JsValue, JsValue>> {
    match call_with_json(callback, text, at, watch) {
        1 => Some(Ok(take_result())),
        2 => Some(Err(take_result())),
        _ => None,
    }
}

/// Sets `key` on `obj` (ignoring failures, which cannot happen on plain objects).
pub fn set(obj: &Object, key: &str, value: impl Into<JsValue>) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), &value.into());
}

/// Reads `key` of `obj` (undefined when missing or when a getter throws).
pub fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// A `ClientError` with `kind` and `code`.
pub fn error(e: &Error) -> JsValue {
    client_error(&e.message, e.kind.as_str(), e.code)
}

/// A JS error for bad arguments.
pub fn invalid(message: &str) -> JsValue {
    error(&Error::new(ErrorKind::InvalidArgument, message))
}

/// A string argument; anything else is an `InvalidArgument` error (not the bindings' TypeError,
/// nor the exception of a hostile `toString`).
#[inline(never)]
pub fn string_arg(v: &JsValue) -> Result<String, JsValue> {
    v.as_string()
        .ok_or_else(|| invalid("the argument must be a string"))
}

/// A callback argument; anything else is an `InvalidArgument` error.
#[inline(never)]
pub fn function_arg(v: JsValue) -> Result<js_sys::Function, JsValue> {
    v.dyn_into()
        .map_err(|_| invalid("the callback must be a function"))
}

/// The text of a thrown JS value (for reports).
pub fn describe(e: &JsValue) -> String {
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        return String::from(err.message());
    }
    e.as_string().unwrap_or_else(|| {
        JSON::stringify(e)
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_else(|| "error".into())
    })
}

/// `{event, reason, ...}` for event handlers.
pub fn event(ev: &ClientEvent) -> JsValue {
    let obj = Object::new();
    let (name, reason) = match ev {
        ClientEvent::Connecting => ("Connecting", None),
        ClientEvent::Connected => ("Connected", None),
        ClientEvent::Disconnected(r) => ("Disconnected", Some(r.as_str())),
        ClientEvent::SignedIn => ("SignedIn", None),
        ClientEvent::QueueRenamed { old, new, .. } => {
            set(&obj, "old", old.as_str());
            set(&obj, "new", new.as_str());
            ("QueueRenamed", None)
        }
        ClientEvent::Error(r) => ("Error", Some(r.as_str())),
    };
    set(&obj, "event", name);
    set(&obj, "reason", reason.unwrap_or(""));
    obj.into()
}

/// Text for a JSON field of a request: strings as they are, anything else as JSON (empty for
/// `undefined`); a value `JSON.stringify` refuses (a cycle, a BigInt) is `InvalidArgument`.
#[cfg(feature = "data")]
pub fn data_text(value: &JsValue) -> Result<String, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(String::new());
    }
    if let Some(s) = value.as_string() {
        return Ok(s);
    }
    match JSON::stringify(value) {
        Ok(s) => Ok(s.as_string().unwrap_or_default()),
        Err(_) => Err(invalid(
            "data cannot be JSON-encoded (a cycle or a BigInt in it?)",
        )),
    }
}

/// Why [`queue_data`] refuses a value.
pub const QUEUE_DATA: &str = "data must be JSON, not null or a string (a string must be JSON text \
     of an object or array): OpenFlow loses any other; wrap a string: {text: ...}";

/// The `data` of a queue message as OpenFlow can carry it (`src/js/queue-data.js`): any JSON
/// value but `null` and a string; a string is JSON text and must be that of an object or array.
/// Anything else is refused ([`QUEUE_DATA`]).
pub fn queue_data(value: &JsValue) -> Result<String, JsValue> {
    queue_text(value).ok_or_else(|| invalid(QUEUE_DATA))
}

/// Calls `f` once with the outcome of `p` (fulfilled: `Ok`, rejected: `Err`). The two JS
/// handlers are dropped once one of them ran.
pub fn then(p: &js_sys::Promise, f: impl FnOnce(Result<JsValue, JsValue>) + 'static) {
    then_boxed(p, Box::new(f))
}

/// [`then`] for a boxed `f`: one copy of the code for every caller.
#[inline(never)]
fn then_boxed(p: &js_sys::Promise, f: Box<dyn FnOnce(Result<JsValue, JsValue>)>) {
    type Handlers = Rc<RefCell<Vec<Closure<dyn FnMut(JsValue)>>>>;
    type Once = Rc<RefCell<Option<Box<dyn FnOnce(Result<JsValue, JsValue>)>>>>;
    let f: Once = Rc::new(RefCell::new(Some(f)));
    let keep: Handlers = Rc::default();
    let handler = |ok: bool| {
        let (f, keep) = (f.clone(), keep.clone());
        Closure::wrap(Box::new(move |v: JsValue| {
            let f = f.borrow_mut().take();
            keep.borrow_mut().clear();
            if let Some(f) = f {
                f(if ok { Ok(v) } else { Err(v) });
            }
        }) as Box<dyn FnMut(JsValue)>)
    };
    let (ok, err) = (handler(true), handler(false));
    let _ = p.then2(&ok, &err);
    keep.borrow_mut().extend([ok, err]);
}

/// A promise with its `resolve` and `reject` functions.
pub fn deferred() -> (js_sys::Promise, js_sys::Function, js_sys::Function) {
    let mut slot = None;
    let promise = js_sys::Promise::new(&mut |resolve, reject| slot = Some((resolve, reject)));
    let (resolve, reject) = slot.expect("Promise calls its executor at once");
    (promise, resolve, reject)
}
