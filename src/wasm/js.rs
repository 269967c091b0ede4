//! Conversions between JS values and the core's types: options in, events, messages and typed
//! errors out.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Object, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::core::error::Error;
use crate::core::session::ClientEvent;
use crate::pb::{QueueEvent, User, WatchEvent};

/// Sets `key` on `obj` (ignoring failures, which cannot happen on plain objects).
pub fn set(obj: &Object, key: &str, value: impl Into<JsValue>) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), &value.into());
}

/// Reads `key` of `obj` (undefined when missing).
pub fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// A JS `Error` with `name = "OpenIapError"`, `kind` and `code`.
pub fn error(e: &Error) -> JsValue {
    let err = js_sys::Error::new(&e.message);
    err.set_name("OpenIapError");
    set(&err, "kind", e.kind.as_str());
    set(&err, "code", e.code);
    err.into()
}

/// A JS error for bad arguments.
pub fn invalid(message: &str) -> JsValue {
    error(&Error::new(
        crate::core::error::ErrorKind::InvalidArgument,
        message,
    ))
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

/// `{event, reason?, ...}` for event handlers.
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

/// `data` parsed as JSON when it is JSON, else the string itself.
pub fn parse_data(text: &str) -> JsValue {
    if text.is_empty() {
        return JsValue::from_str("");
    }
    JSON::parse(text).unwrap_or_else(|_| JsValue::from_str(text))
}

/// Text for a `data` field: strings as they are, anything else as JSON.
pub fn data_text(value: &JsValue) -> String {
    if value.is_undefined() || value.is_null() {
        return String::new();
    }
    if let Some(s) = value.as_string() {
        return s;
    }
    JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

/// The property keys of a queue message, made once per client. Building a message then sends
/// only its values across: a key given as `&str` is decoded into a new JS string on every set
/// (8 to 10 per message on the hottest path).
pub struct MessageKeys([JsValue; 10]);

impl MessageKeys {
    /// The keys, as JS strings.
    pub fn new() -> MessageKeys {
        MessageKeys(
            [
                "queuename",
                "correlation_id",
                "replyto",
                "routingkey",
                "exchangename",
                "data",
                "__jwt",
                "__user",
                "jwt",
                "user",
            ]
            .map(JsValue::from_str),
        )
    }
}

/// The object a queue callback receives.
pub fn queue_message(ev: &QueueEvent, keys: &MessageKeys) -> JsValue {
    let k = &keys.0;
    let obj = Object::new();
    let put = |key: &JsValue, value: &JsValue| {
        let _ = Reflect::set(&obj, key, value);
    };
    put(&k[0], &JsValue::from_str(&ev.queuename));
    put(&k[1], &JsValue::from_str(&ev.correlation_id));
    put(&k[2], &JsValue::from_str(&ev.replyto));
    put(&k[3], &JsValue::from_str(&ev.routingkey));
    put(&k[4], &JsValue::from_str(&ev.exchangename));
    let data = parse_data(&ev.data);
    if data.is_object() && !js_sys::Array::is_array(&data) {
        // OpenFlow adds the sender's token and user; they move out of `data`, as in npm `openiap`.
        let data_obj = data.unchecked_ref::<Object>();
        for (from, to) in [(&k[6], &k[8]), (&k[7], &k[9])] {
            let v = Reflect::get(&data, from).unwrap_or(JsValue::UNDEFINED);
            if !v.is_undefined() {
                put(to, &v);
                let _ = Reflect::delete_property(data_obj, from);
            }
        }
    }
    put(&k[5], &data);
    obj.into()
}

/// `{command, data}` for a stream envelope (`beginstream`, `stream`, `endstream`); `data` is a
/// `Uint8Array` of the chunk (empty for begin and end).
pub fn stream_part(env: &crate::pb::Envelope) -> JsValue {
    let obj = Object::new();
    set(&obj, "command", env.command.as_str());
    let bytes = if env.command == "stream" {
        crate::core::envelope::decode::<crate::pb::Stream>(env)
            .map(|s| s.data)
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    set(&obj, "data", js_sys::Uint8Array::from(bytes.as_slice()));
    obj.into()
}

/// The object a watch callback receives.
pub fn watch_event(ev: &WatchEvent) -> JsValue {
    let obj = Object::new();
    set(&obj, "id", ev.id.as_str());
    set(&obj, "operation", ev.operation.as_str());
    set(&obj, "document", parse_data(&ev.document));
    obj.into()
}

/// `{_id, name, username, email, roles}`.
pub fn user(u: &User) -> JsValue {
    let obj = Object::new();
    set(&obj, "_id", u.id.as_str());
    set(&obj, "name", u.name.as_str());
    set(&obj, "username", u.username.as_str());
    set(&obj, "email", u.email.as_str());
    let roles = js_sys::Array::new();
    for r in &u.roles {
        let role = Object::new();
        set(&role, "_id", r.id.as_str());
        set(&role, "name", r.name.as_str());
        roles.push(&role);
    }
    set(&obj, "roles", roles);
    obj.into()
}

/// Typed reads of an options object; a field of the wrong type is an `InvalidArgument` error.
/// `undefined`/`null` objects and fields read as absent.
pub struct Options<'a>(pub &'a JsValue);

impl Options<'_> {
    fn field(&self, key: &str) -> Option<JsValue> {
        if !self.0.is_object() {
            return None;
        }
        Some(get(self.0, key)).filter(|v| !v.is_undefined() && !v.is_null())
    }

    /// A string field.
    pub fn string(&self, key: &str) -> Result<Option<String>, JsValue> {
        match self.field(key) {
            None => Ok(None),
            Some(v) => v
                .as_string()
                .map(Some)
                .ok_or_else(|| invalid(&format!("option '{key}' must be a string"))),
        }
    }

    /// A non-negative number field (milliseconds, counts), truncated to an integer.
    pub fn number(&self, key: &str) -> Result<Option<u64>, JsValue> {
        match self.field(key) {
            None => Ok(None),
            Some(v) => match v.as_f64() {
                Some(n) if n.is_finite() && n >= 0.0 => Ok(Some(n as u64)),
                _ => Err(invalid(&format!(
                    "option '{key}' must be a non-negative number"
                ))),
            },
        }
    }

    /// A boolean field.
    pub fn boolean(&self, key: &str) -> Result<Option<bool>, JsValue> {
        match self.field(key) {
            None => Ok(None),
            Some(v) => v
                .as_bool()
                .map(Some)
                .ok_or_else(|| invalid(&format!("option '{key}' must be a boolean"))),
        }
    }

    /// A nested options object.
    pub fn object(&self, key: &str) -> JsValue {
        self.field(key).unwrap_or(JsValue::UNDEFINED)
    }
}

/// Calls `f` once with the outcome of `p` (fulfilled: `Ok`, rejected: `Err`). The two JS
/// handlers are dropped once one of them ran.
pub fn then(p: &js_sys::Promise, f: impl FnOnce(Result<JsValue, JsValue>) + 'static) {
    type Handlers = Rc<RefCell<Vec<Closure<dyn FnMut(JsValue)>>>>;
    type Once = Rc<RefCell<Option<Box<dyn FnOnce(Result<JsValue, JsValue>)>>>>;
    let f: Once = Rc::new(RefCell::new(Some(Box::new(f))));
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
