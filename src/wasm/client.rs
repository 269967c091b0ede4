//! The JS `Client` class. Names and argument shapes follow the official npm `openiap` client.

use std::rc::Rc;

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;

use super::driver::{connect_promise, drive, now, promise_for, released, Inner, ReplyKind, Shared};
use super::js::{self, Options};
use crate::core::backoff::BackoffConfig;
use crate::core::codec::Framing;
use crate::core::envelope::to_any;
use crate::core::session::{Config, Session, SubscriptionKind};
use crate::pb::google::protobuf::Any;
use crate::pb::{QueueMessageRequest, RegisterExchangeRequest, SigninRequest, WatchRequest};

#[wasm_bindgen]
extern "C" {
    /// The `ClientOptions` object of the constructor (declared in types.rs).
    #[wasm_bindgen(typescript_type = "ClientOptions")]
    pub type ClientOptionsArg;
}

/// An OpenIAP client. Create it with options, `connect()`, use it, `disconnect()`.
#[wasm_bindgen]
pub struct Client {
    inner: Option<Shared>,
}

fn config_from(options: &JsValue) -> Result<Config, JsValue> {
    let o = Options(options);
    let mut c = Config {
        url: o.string("url")?,
        username: o.string("username")?,
        password: o.string("password")?,
        jwt: o.string("jwt")?,
        ..Config::default()
    };
    if let Some(a) = o.string("agent")? {
        c.agent = a;
    }
    c.request_timeout_ms = o.number("timeout_ms")?.unwrap_or(c.request_timeout_ms);
    c.connect_timeout_ms = o
        .number("connect_timeout_ms")?
        .unwrap_or(c.connect_timeout_ms);
    c.heartbeat_ms = o.number("heartbeat_ms")?.unwrap_or(c.heartbeat_ms);
    c.heartbeat_timeout_ms = o
        .number("heartbeat_timeout_ms")?
        .unwrap_or(c.heartbeat_timeout_ms);
    c.auto_reregister = o.boolean("auto_reregister")?.unwrap_or(true);
    c.outbox_limit = o
        .number("outbox_limit")?
        .map(|v| v as usize)
        .unwrap_or(c.outbox_limit);
    c.max_frame_len = o
        .number("max_frame_bytes")?
        .map(|v| v as usize)
        .unwrap_or(c.max_frame_len);
    if let Some(f) = o.string("framing")? {
        c.framing = Framing::parse(&f)
            .ok_or_else(|| js::invalid("framing must be \"openiap\" or \"grpc-web\""))?;
    }
    let r = o.object("reconnect");
    let r = Options(&r);
    let d = BackoffConfig::default();
    c.backoff = BackoffConfig {
        initial_ms: r.number("initial_ms")?.unwrap_or(d.initial_ms),
        max_ms: r.number("max_ms")?.unwrap_or(d.max_ms),
        max_attempts: r
            .number("max_attempts")?
            .map(|v| v.min(u32::MAX as u64) as u32),
    };
    Ok(c)
}

fn message_from(value: &JsValue) -> Result<(QueueMessageRequest, Option<u64>), JsValue> {
    let o = Options(value);
    let msg = QueueMessageRequest {
        queuename: o.string("queuename")?.unwrap_or_default(),
        correlation_id: o.string("correlation_id")?.unwrap_or_default(),
        replyto: o.string("replyto")?.unwrap_or_default(),
        routingkey: o.string("routingkey")?.unwrap_or_default(),
        exchangename: o.string("exchangename")?.unwrap_or_default(),
        data: js::data_text(&js::get(value, "data")),
        striptoken: o.boolean("striptoken")?.unwrap_or(false),
        expiration: o
            .number("expiration")?
            .map(|v| v.min(i32::MAX as u64) as i32)
            .unwrap_or(0),
    };
    if msg.queuename.is_empty() && msg.exchangename.is_empty() {
        return Err(js::invalid("queuename or exchangename is required"));
    }
    Ok((msg, o.number("timeout")?))
}

fn reject(e: JsValue) -> Promise {
    Promise::reject(&e)
}

#[wasm_bindgen]
impl Client {
    /// Creates a client. Nothing connects until `connect()`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: Option<ClientOptionsArg>) -> Result<Client, JsValue> {
        console_error_panic_hook::set_once();
        let options: JsValue = options.map(Into::into).unwrap_or(JsValue::UNDEFINED);
        let get_token = js::get(&options, "get_token").dyn_into::<Function>().ok();
        let mut config = config_from(&options)?;
        config.use_token_callback = get_token.is_some();
        let seed = (js_sys::Math::random() * u64::MAX as f64) as u64 ^ now();
        Ok(Client {
            inner: Some(Inner::new(Session::new(config, seed), get_token)),
        })
    }

    pub(super) fn shared(&self) -> Result<&Shared, JsValue> {
        self.inner.as_ref().ok_or_else(released)
    }

    /// Ends this client's registration `key` (the session also stops re-registering it); for a
    /// registration this client does not hold, sends `command` with `data()` as it is.
    fn unregister(&self, key: &str, command: &str, data: impl FnOnce() -> Any) -> Promise {
        let Ok(shared) = self.shared() else {
            return reject(released());
        };
        let sub = shared.borrow().session.subscription_for(key);
        let id = {
            let mut inner = shared.borrow_mut();
            match sub {
                Some(sub) => inner.session.unsubscribe(now(), sub),
                None => inner.session.request(now(), command, data(), None),
            }
        };
        promise_for(shared, id, ReplyKind::Unit)
    }

    /// Connects and signs in. Resolves once signed in (or connected as guest); rejects with an
    /// `OpenIapError` if the first connection or sign-in fails, and then nothing retries.
    /// After one success the client reconnects by itself until `disconnect()`.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn connect(&self, url: Option<String>) -> Promise {
        let Ok(shared) = self.shared() else {
            return reject(released());
        };
        let promise = connect_promise(shared);
        shared.borrow_mut().session.connect(now(), url.as_deref());
        drive(shared);
        promise
    }

    /// Closes the connection, cancels every timer and listener and rejects what is pending.
    /// Nothing of the client runs afterwards (a later `connect()` starts afresh).
    pub fn disconnect(&self) {
        if let Some(shared) = &self.inner {
            shared.borrow_mut().session.disconnect(now());
            drive(shared);
        }
    }

    /// Signs in with `{username, password}` or `{jwt}`; resolves to `{jwt, user}`.
    #[wasm_bindgen(unchecked_return_type = "Promise<SigninResult>")]
    pub fn signin(
        &self,
        #[wasm_bindgen(unchecked_param_type = "SigninOptions")] options: JsValue,
    ) -> Promise {
        let Ok(shared) = self.shared() else {
            return reject(released());
        };
        let read = || -> Result<SigninRequest, JsValue> {
            let o = Options(&options);
            Ok(SigninRequest {
                username: o.string("username")?.unwrap_or_default(),
                password: o.string("password")?.unwrap_or_default(),
                jwt: o.string("jwt")?.unwrap_or_default(),
                agent: o
                    .string("agent")?
                    .unwrap_or_else(|| shared.borrow().session.config().agent.clone()),
                version: env!("CARGO_PKG_VERSION").into(),
                longtoken: o.boolean("longtoken")?.unwrap_or(false),
                validateonly: o.boolean("validateonly")?.unwrap_or(false),
                ping: true,
            })
        };
        let req = match read() {
            Ok(r) => r,
            Err(e) => return reject(e),
        };
        let id = shared
            .borrow_mut()
            .session
            .request(now(), "signin", to_any(&req), None);
        promise_for(shared, id, ReplyKind::Signin)
    }

    /// Adds an event handler; returns its id for `off_client_event`. Every handler gets every
    /// event `{event, reason}` in order: Connecting, Connected, SignedIn, Disconnected,
    /// QueueRenamed (`old`, `new`), Error.
    pub fn on_client_event(
        &self,
        #[wasm_bindgen(unchecked_param_type = "(event: ClientEvent) => void")] callback: Function,
    ) -> Result<u32, JsValue> {
        Ok(self.shared()?.borrow_mut().add_handler(callback))
    }

    /// Removes an event handler; true if it existed.
    pub fn off_client_event(&self, id: u32) -> bool {
        self.inner
            .as_ref()
            .is_some_and(|s| s.borrow_mut().remove_handler(id))
    }

    /// Registers a queue (`name` or `{queuename}`; empty for a temporary queue) and resolves to
    /// its name. The callback gets every message; a value it returns (or resolves) is sent to
    /// `replyto`. The queue is registered again after every reconnect.
    #[wasm_bindgen(unchecked_return_type = "Promise<string>")]
    pub fn register_queue(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | { queuename?: string }")] queue: JsValue,
        #[wasm_bindgen(unchecked_param_type = "(message: QueueMessage) => unknown")]
        callback: Function,
    ) -> Promise {
        let Ok(shared) = self.shared() else {
            return reject(released());
        };
        let name = queue
            .as_string()
            .or_else(|| js::get(&queue, "queuename").as_string())
            .unwrap_or_default();
        self.subscribe(
            shared,
            SubscriptionKind::Queue(name),
            callback,
            ReplyKind::QueueName,
        )
    }

    /// Registers an exchange `{exchangename, algorithm, routingkey, addqueue}` and resolves to
    /// the name of the queue bound to it.
    #[wasm_bindgen(unchecked_return_type = "Promise<string>")]
    pub fn register_exchange(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ExchangeOptions")] options: JsValue,
        #[wasm_bindgen(unchecked_param_type = "(message: QueueMessage) => unknown")]
        callback: Function,
    ) -> Promise {
        let Ok(shared) = self.shared() else {
            return reject(released());
        };
        let read = || -> Result<RegisterExchangeRequest, JsValue> {
            let o = Options(&options);
            Ok(RegisterExchangeRequest {
                exchangename: o.string("exchangename")?.unwrap_or_default(),
                algorithm: o.string("algorithm")?.unwrap_or_else(|| "fanout".into()),
                routingkey: o.string("routingkey")?.unwrap_or_default(),
                addqueue: o.boolean("addqueue")?.unwrap_or(true),
            })
        };
        let req = match read() {
            Ok(r) if !r.exchangename.is_empty() => r,
            Ok(_) => return reject(js::invalid("exchangename is required")),
            Err(e) => return reject(e),
        };
        self.subscribe(
            shared,
            SubscriptionKind::Exchange(req),
            callback,
            ReplyKind::QueueName,
        )
    }

    /// Watches a collection `{collectionname, paths}`; resolves to the watch id.
    #[wasm_bindgen(unchecked_return_type = "Promise<string>")]
    pub fn watch(
        &self,
        #[wasm_bindgen(unchecked_param_type = "{ collectionname: string; paths?: string[] }")]
        options: JsValue,
        #[wasm_bindgen(unchecked_param_type = "(event: WatchEvent) => void")] callback: Function,
    ) -> Promise {
        let Ok(shared) = self.shared() else {
            return reject(released());
        };
        let collectionname = js::get(&options, "collectionname")
            .as_string()
            .unwrap_or_default();
        let paths = js::get(&options, "paths");
        let paths: Vec<String> = if js_sys::Array::is_array(&paths) {
            js_sys::Array::from(&paths)
                .iter()
                .filter_map(|p| p.as_string())
                .collect()
        } else {
            Vec::new()
        };
        self.subscribe(
            shared,
            SubscriptionKind::Watch(WatchRequest {
                collectionname,
                paths,
            }),
            callback,
            ReplyKind::WatchId,
        )
    }

    fn subscribe(
        &self,
        shared: &Shared,
        kind: SubscriptionKind,
        callback: Function,
        reply: ReplyKind,
    ) -> Promise {
        let (sub, id) = {
            let mut inner = shared.borrow_mut();
            let keep = inner.session.config().auto_reregister && !inner.in_signedin_handler;
            let (sub, id) = inner.session.subscribe(now(), kind, keep, None);
            inner.set_callback(sub, callback);
            (sub, id)
        };
        let _ = sub;
        promise_for(shared, id, reply)
    }

    /// Stops consuming a queue (or exchange queue) registered with this client.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn unregister_queue(&self, queuename: String) -> Promise {
        let key = queuename.clone();
        self.unregister(&key, "unregisterqueue", || {
            to_any(&crate::pb::UnRegisterQueueRequest { queuename })
        })
    }

    /// Stops a watch.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn unwatch(&self, id: String) -> Promise {
        let key = format!("watch:{id}");
        self.unregister(&key, "unwatch", || {
            to_any(&crate::pb::UnWatchRequest { id })
        })
    }

    /// Sends a message to a queue or exchange. `data` may be any JSON value or a string.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn queue_message(
        &self,
        #[wasm_bindgen(unchecked_param_type = "QueueMessageOptions")] options: JsValue,
    ) -> Promise {
        let Ok(shared) = self.shared() else {
            return reject(released());
        };
        let (msg, timeout) = match message_from(&options) {
            Ok(m) => m,
            Err(e) => return reject(e),
        };
        let id = shared
            .borrow_mut()
            .session
            .request(now(), "queuemessage", to_any(&msg), timeout);
        promise_for(shared, id, ReplyKind::Unit)
    }

    /// Sends a message and resolves to the reply's `data` (JSON-parsed). Any number of rpcs can
    /// run at once; replies are matched by correlation id.
    #[wasm_bindgen(unchecked_return_type = "Promise<any>")]
    pub fn rpc(
        &self,
        #[wasm_bindgen(unchecked_param_type = "QueueMessageOptions")] options: JsValue,
        timeout_ms: Option<f64>,
    ) -> Promise {
        let Ok(shared) = self.shared() else {
            return reject(released());
        };
        let (msg, timeout) = match message_from(&options) {
            Ok(m) => m,
            Err(e) => return reject(e),
        };
        let timeout = timeout_ms
            .filter(|t| t.is_finite() && *t > 0.0)
            .map(|t| t as u64)
            .or(timeout);
        let id = shared.borrow_mut().session.rpc(now(), msg, timeout);
        promise_for(shared, id, ReplyKind::RpcData)
    }

    /// `"Disconnected"`, `"Connecting"`, `"Connected"` or `"SignedIn"`.
    #[wasm_bindgen(unchecked_return_type = "ClientState")]
    pub fn get_state(&self) -> String {
        match &self.inner {
            Some(s) => s.borrow().session.state().as_str().into(),
            None => "Disconnected".into(),
        }
    }

    /// Sets the default request timeout in milliseconds.
    pub fn set_default_timeout(&self, ms: f64) {
        if let Some(s) = self.inner.as_ref().filter(|_| ms.is_finite() && ms > 0.0) {
            s.borrow_mut().session.set_default_timeout(ms as u64);
        }
    }

    /// Sets the agent name sent at the next sign-in.
    pub fn set_agent_name(&self, name: String) {
        if let Some(s) = &self.inner {
            s.borrow_mut().session.set_agent_name(name);
        }
    }

    /// Internal counters for leak tests: `[pending promises, callbacks, event handlers,
    /// timers, sockets, page listeners, requests in flight, outbox, registrations, rpc calls,
    /// open upload streams, upload sources]`.
    #[doc(hidden)]
    pub fn debug_counts(&self) -> Vec<u32> {
        let Some(s) = &self.inner else {
            return vec![0; 12];
        };
        let inner = s.borrow();
        let (a, b, c, d) = inner.session.table_sizes();
        let mut out: Vec<u32> = inner.resource_counts().iter().map(|v| *v as u32).collect();
        out.extend(
            [
                a,
                b,
                c,
                d,
                inner.session.open_uploads(),
                inner.upload_sources(),
            ]
            .map(|v| v as u32),
        );
        out
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        if let Some(shared) = self.inner.take() {
            shared.borrow_mut().session.disconnect(now());
            drive(&shared);
            shared.borrow_mut().release();
            debug_assert!(Rc::strong_count(&shared) >= 1);
        }
    }
}
