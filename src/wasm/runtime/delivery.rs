//! What arrives for the application: replies settle their promises, queue messages and watch
//! events go to their callbacks (built in one call from a tape), a callback's return value goes
//! back to `replyto`, and client events go to every handler.

use js_sys::{Function, Object, Promise};
use wasm_bindgen::{JsCast, JsValue};

use super::{now, Runtime, Waiter};
use crate::pb::{Envelope, QueueMessageRequest};
use crate::protocol::envelope::{payload, to_any};
use crate::protocol::error::{Error, ErrorKind};
use crate::protocol::session::{Call, ClientEvent, RequestId, SubscriptionId};
use crate::protocol::text::concat;
use crate::protocol::wire::json::{self, Kind};
use crate::protocol::wire::{self};
use crate::wasm::convert::{self, tape_value};

impl Runtime {
    pub(super) fn settle(&self, request: RequestId, result: Result<Envelope, Error>) {
        let waiter = {
            let mut inner = self.0.borrow_mut();
            inner.streams.remove(&request);
            inner.uploads.remove(&request);
            inner.pending.remove(&request)
        };
        match waiter {
            Some(Waiter::Promise {
                resolve,
                reject,
                reply,
                ..
            }) => match result.and_then(|env| self.reply_value(&env, reply)) {
                Ok(v) => {
                    let _ = resolve.call1(&JsValue::UNDEFINED, &v);
                }
                Err(e) => {
                    let _ = reject.call1(&JsValue::UNDEFINED, &convert::error(&e));
                }
            },
            Some(Waiter::CallbackReply { queue }) => {
                if let Err(e) = result {
                    let ev = ClientEvent::Error(concat(&[
                        "reply of the queue callback for '",
                        &queue,
                        "' was not delivered: ",
                        e.kind.as_str(),
                        ": ",
                        &e.message,
                    ]));
                    self.dispatch_event(&ev);
                }
            }
            None => {}
        }
    }

    /// The JS value of a reply, read as `reply` says.
    fn reply_value(&self, env: &Envelope, reply: &'static str) -> Result<JsValue, Error> {
        let payload = payload(env);
        let mut inner = self.0.borrow_mut();
        let tape = &mut inner.tape;
        if reply.is_empty() {
            return Ok(JsValue::UNDEFINED);
        }
        let decoded = wire::decode_reply(payload, reply, tape);
        if decoded.is_err() {
            let m = concat(&[
                "cannot decode '",
                &env.command,
                "' reply: invalid protobuf message",
            ]);
            return Err(Error::new(ErrorKind::Protocol, m));
        }
        Ok(tape_value(tape, payload))
    }

    pub(super) fn dispatch_event(&self, ev: &ClientEvent) {
        let handlers: Vec<Function> = self
            .0
            .borrow()
            .handlers
            .iter()
            .map(|(_, f)| f.clone())
            .collect();
        let value = convert::event(ev);
        let signed_in = matches!(ev, ClientEvent::SignedIn);
        self.0.borrow_mut().in_signedin_handler = signed_in;
        for f in handlers {
            if let Err(e) = f.call1(&JsValue::UNDEFINED, &value) {
                web_sys::console::error_2(
                    &JsValue::from_str("openiap: client event handler threw:"),
                    &e,
                );
            }
        }
        self.0.borrow_mut().in_signedin_handler = false;
    }

    /// Calls `sub`'s callback with the message of a `queueevent` or `watchevent`, built in JS from
    /// one JSON text (`wire::json`). `None`: no callback, an undecodable message, or the callback
    /// returned nothing.
    fn call_callback(
        &self,
        sub: SubscriptionId,
        watch: bool,
        payload: &[u8],
    ) -> Option<Result<JsValue, JsValue>> {
        let kind = if watch { Kind::Watch } else { Kind::Queue };
        let (callback, text, at) = {
            let mut inner = self.0.borrow_mut();
            let inner = &mut *inner;
            let callback = inner.callbacks.get(&sub).cloned()?;
            // After a reconnect the server gives a watch a new id; the app keeps the first.
            let first = inner.session.subscription_first_name(sub).filter(|_| watch);
            let at = json::message(payload, kind, first, &mut inner.text).ok()?;
            // The text leaves `inner` during the call: the callback may use the client.
            (callback, std::mem::take(&mut inner.text), at)
        };
        let result = convert::call_with_text(&callback, &text, at, watch);
        self.0.borrow_mut().text = text;
        result
    }

    /// Calls `sub`'s callback with event `payload` (a `watchevent` when `watch`, else a
    /// `queueevent`) and sends what a queue callback returns to the message's `replyto`.
    pub(super) fn deliver(&self, sub: SubscriptionId, watch: bool, payload: &[u8]) {
        // Most callbacks return nothing: then there is no reply to send and nothing to name.
        let Some(result) = self.call_callback(sub, watch, payload) else {
            return;
        };
        if watch {
            if let Err(e) = result {
                self.report("watch callback", &e);
            }
            return;
        }
        let field = |no| wire::read_str(payload, no).unwrap_or_default().to_string();
        let (queue, replyto, correlation_id) = (field(1), field(3), field(2));
        let what = concat(&["queue callback for '", &queue, "'"]);
        let value = match result {
            Ok(v) => v,
            Err(e) => return self.report(&what, &e),
        };
        let reply = QueueMessageRequest {
            queuename: replyto,
            correlation_id,
            striptoken: true,
            ..Default::default()
        };
        if let Some(promise) = value.dyn_ref::<Promise>() {
            let weak = self.weak();
            convert::then(promise, move |result| {
                if let Some(rt) = Runtime::upgrade(&weak) {
                    match result {
                        Ok(v) => rt.reply_to(reply, queue, &v),
                        Err(e) => rt.report(&what, &e),
                    }
                }
            });
        } else {
            self.reply_to(reply, queue, &value);
        }
    }

    /// Sends a callback's return value to `replyto`, as the official clients do. `undefined` is
    /// no reply; a value OpenFlow cannot carry (`null`, a bare string) is not sent, and an
    /// `Error` event names the queue and the correlation id instead.
    fn reply_to(&self, mut reply: QueueMessageRequest, queue: String, value: &JsValue) {
        if reply.queuename.is_empty() || value.is_undefined() {
            return;
        }
        reply.data = match convert::queue_data(value) {
            Ok(text) => text,
            Err(_) => {
                let why = concat(&[
                    "reply of the queue callback for '",
                    &queue,
                    "' (correlation id '",
                    &reply.correlation_id,
                    "') was not sent: ",
                    convert::QUEUE_DATA,
                ]);
                return self.dispatch_event(&ClientEvent::Error(why));
            }
        };
        {
            let mut inner = self.0.borrow_mut();
            let id = inner
                .session
                .request(now(), "queuemessage", to_any(&reply), &Call::default());
            inner.pending.insert(id, Waiter::CallbackReply { queue });
        }
        self.drive();
    }

    /// Tells the event handlers that an app callback (`what`) threw `e`.
    pub fn report(&self, what: &str, e: &JsValue) {
        let why = concat(&[what, " failed: ", &convert::describe(e)]);
        self.dispatch_event(&ClientEvent::Error(why));
    }
}

/// `{command, data}` for a stream envelope (`beginstream`, `stream`, `endstream`); `data` is a
/// `Uint8Array` of the chunk (empty for begin and end).
pub(super) fn stream_part(env: &Envelope) -> JsValue {
    let obj = Object::new();
    convert::set(&obj, "command", env.command.as_str());
    // Stream {data = 1}; begin and end carry no data.
    let bytes = match env.command.as_str() {
        "stream" => wire::read_bytes(payload(env), 1).unwrap_or_default(),
        _ => &[],
    };
    convert::set(&obj, "data", js_sys::Uint8Array::from(bytes));
    obj.into()
}
