//! The JS `Client` class: lifecycle and messaging. Names and argument shapes follow the official
//! npm `openiap` client; the data API's methods are in `data.rs`, files in `transfers.rs`.

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use super::convert;
use super::options::{call_from, signal_from, Options};
use super::runtime::{now, released, Runtime};
use crate::pb::google::protobuf::Any;
use crate::pb::{
    QueueMessageRequest, RegisterExchangeRequest, SigninRequest, UnRegisterQueueRequest,
    UnWatchRequest, WatchRequest,
};
use crate::protocol::backoff::BackoffConfig;
use crate::protocol::envelope::to_any;
use crate::protocol::framing::Framing;
use crate::protocol::session::{Call, Config, Session, SubscriptionId, SubscriptionKind};
use crate::protocol::wire::tables::SIGNIN_OUT;

/// An OpenIAP client. Create it with options, `connect()`, use it, `disconnect()`. Its
/// TypeScript declaration is `src/ts/client.d.ts` (and `data.d.ts`), not generated.
#[wasm_bindgen(skip_typescript)]
pub struct Client {
    runtime: Option<Runtime>,
}

fn config_from(options: &JsValue) -> Result<Config, JsValue> {
    let o = Options(options);
    let mut c = Config::default();
    let [mut url, mut username, mut password, mut jwt, mut framing] = Default::default();
    o.fill_strings(&mut [
        ("url", &mut url),
        ("username", &mut username),
        ("password", &mut password),
        ("jwt", &mut jwt),
        ("agent", &mut c.agent),
        ("framing", &mut framing),
    ])?;
    let some = |s: String| (!s.is_empty()).then_some(s);
    (c.url, c.username, c.password, c.jwt) = (some(url), some(username), some(password), some(jwt));
    let (mut outbox, mut max_frame) = (c.outbox_limit as u64, c.max_frame_len as u64);
    let mut b = BackoffConfig::default();
    let mut max_attempts = u64::MAX;
    o.fill_numbers(&mut [
        ("timeout_ms", &mut c.request_timeout_ms),
        ("connect_timeout_ms", &mut c.connect_timeout_ms),
        ("heartbeat_ms", &mut c.heartbeat_ms),
        ("heartbeat_timeout_ms", &mut c.heartbeat_timeout_ms),
        ("outbox_limit", &mut outbox),
        ("max_frame_bytes", &mut max_frame),
    ])?;
    (c.outbox_limit, c.max_frame_len) = (outbox as usize, max_frame as usize);
    o.fill_booleans(&mut [
        ("auto_reregister", &mut c.auto_reregister),
        ("allow_insecure", &mut c.allow_insecure),
    ])?;
    if !framing.is_empty() {
        c.framing = Framing::parse(&framing)
            .ok_or_else(|| convert::invalid("framing must be \"openiap\" or \"grpc-web\""))?;
    }
    Options(&o.object("reconnect")?).fill_numbers(&mut [
        ("initial_ms", &mut b.initial_ms),
        ("max_ms", &mut b.max_ms),
        ("max_attempts", &mut max_attempts),
    ])?;
    b.max_attempts = (max_attempts != u64::MAX).then(|| max_attempts.min(u32::MAX as u64) as u32);
    c.backoff = b;
    Ok(c)
}

/// A queue message from `queue_message`/`rpc` options.
fn message_from(value: &JsValue) -> Result<QueueMessageRequest, JsValue> {
    let o = Options(value);
    let mut msg = QueueMessageRequest {
        data: convert::queue_data(&o.object("data")?)?,
        ..Default::default()
    };
    o.fill_strings(&mut [
        ("queuename", &mut msg.queuename),
        ("correlation_id", &mut msg.correlation_id),
        ("replyto", &mut msg.replyto),
        ("routingkey", &mut msg.routingkey),
        ("exchangename", &mut msg.exchangename),
    ])?;
    o.fill_booleans(&mut [("striptoken", &mut msg.striptoken)])?;
    let mut expiration = 0;
    o.fill_numbers(&mut [("expiration", &mut expiration)])?;
    msg.expiration = expiration.min(i32::MAX as u64) as i32;
    if msg.queuename.is_empty() && msg.exchangename.is_empty() {
        return Err(convert::invalid("queuename or exchangename is required"));
    }
    Ok(msg)
}

/// The registration asked for by `register_exchange`'s options.
fn exchange_from(options: &JsValue) -> Result<RegisterExchangeRequest, JsValue> {
    let o = Options(options);
    let mut req = RegisterExchangeRequest {
        algorithm: "fanout".into(),
        addqueue: true,
        ..Default::default()
    };
    o.fill_strings(&mut [
        ("exchangename", &mut req.exchangename),
        ("algorithm", &mut req.algorithm),
        ("routingkey", &mut req.routingkey),
    ])?;
    o.fill_booleans(&mut [("addqueue", &mut req.addqueue)])?;
    if req.exchangename.is_empty() {
        return Err(convert::invalid("exchangename is required"));
    }
    Ok(req)
}

/// The watch asked for by `watch`'s options.
fn watch_from(options: &JsValue) -> Result<WatchRequest, JsValue> {
    let o = Options(options);
    // A plain array: `watch` in src/js/client.js copied it out of the caller's value.
    let paths = o.object("paths")?;
    let paths = if js_sys::Array::is_array(&paths) {
        js_sys::Array::from(&paths)
            .iter()
            .filter_map(|p| p.as_string())
            .collect()
    } else {
        Vec::new()
    };
    Ok(WatchRequest {
        collectionname: o.string("collectionname")?.unwrap_or_default(),
        paths,
    })
}

pub(super) fn reject(e: JsValue) -> Promise {
    Promise::reject(&e)
}

#[wasm_bindgen]
impl Client {
    /// Creates a client. Nothing connects until `connect()`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<Client, JsValue> {
        super::panic::install();
        let get_token = Options(&options).function("get_token")?;
        let mut config = config_from(&options)?;
        config.use_token_callback = get_token.is_some();
        let seed = (js_sys::Math::random() * u64::MAX as f64) as u64 ^ now();
        let runtime = Runtime::new(Session::new(config, seed), get_token);
        Ok(Client {
            runtime: Some(runtime),
        })
    }

    /// The runtime, or a typed rejection when the client was freed.
    pub(super) fn runtime(&self) -> Result<&Runtime, JsValue> {
        self.runtime.as_ref().ok_or_else(released)
    }

    /// Runs `f` with the runtime, or rejects when the client was freed or `f` fails.
    pub(super) fn with_runtime(
        &self,
        f: impl FnOnce(&Runtime) -> Result<Promise, JsValue>,
    ) -> Promise {
        match self.runtime().and_then(f) {
            Ok(p) => p,
            Err(e) => reject(e),
        }
    }

    /// Ends the registration `find` gives for `name`; for one this client does not hold, sends
    /// the request `server` makes of the name.
    fn unsubscribe(
        &self,
        name: &JsValue,
        options: &JsValue,
        find: fn(&Session, &str) -> Option<SubscriptionId>,
        server: fn(String) -> (&'static str, Any),
    ) -> Promise {
        self.with_runtime(|rt| {
            let name = convert::string_arg(name)?;
            let (call, signal) = (call_from(options)?, signal_from(options)?);
            Ok(
                rt.request("", signal.as_ref(), |s, now| match find(s, &name) {
                    Some(sub) => s.unsubscribe(now, sub, &call),
                    None => {
                        let (command, data) = server(name);
                        s.request(now, command, data, &call)
                    }
                }),
            )
        })
    }

    /// Registers `kind` (as read from `options`) for `callback`, with `options`' per-call
    /// settings and `signal`; resolves to the queue name or watch id.
    fn subscribe(
        &self,
        options: &JsValue,
        callback: JsValue,
        kind: Result<SubscriptionKind, JsValue>,
    ) -> Promise {
        self.with_runtime(|rt| {
            let callback = convert::function_arg(callback)?;
            let kind = kind?;
            let (call, signal) = (call_from(options)?, signal_from(options)?);
            Ok(rt.subscribe(kind, callback, &call, signal.as_ref()))
        })
    }

    /// Connects and signs in. Resolves once signed in (or connected as guest); rejects with an
    /// `ClientError` if the first connection or sign-in fails, and then nothing retries.
    /// After one success the client reconnects by itself until `disconnect()`.
    pub fn connect(&self, url: JsValue) -> Promise {
        self.with_runtime(|rt| {
            let url = match url.is_undefined() || url.is_null() {
                true => None,
                false => Some(convert::string_arg(&url)?),
            };
            Ok(rt.connect(url.as_deref()))
        })
    }

    /// Closes the connection, cancels every timer and listener and rejects what is pending.
    /// Nothing of the client runs afterwards (a later `connect()` starts afresh).
    pub fn disconnect(&self) {
        if let Some(rt) = &self.runtime {
            rt.with_session(|s, now| s.disconnect(now));
        }
    }

    /// Signs in with `{username, password}` or `{jwt}` (`longtoken`, `validateonly` as in npm
    /// `openiap`); resolves to `{jwt, user}`.
    pub fn signin(&self, options: JsValue) -> Promise {
        self.with_runtime(|rt| {
            let o = Options(&options);
            let agent = rt.read_session(|s| s.config().agent.clone());
            let mut req = SigninRequest {
                agent,
                version: env!("CARGO_PKG_VERSION").into(),
                ping: true,
                ..Default::default()
            };
            o.fill_strings(&mut [
                ("username", &mut req.username),
                ("password", &mut req.password),
                ("jwt", &mut req.jwt),
                ("agent", &mut req.agent),
                ("version", &mut req.version),
            ])?;
            o.fill_booleans(&mut [
                ("longtoken", &mut req.longtoken),
                ("validateonly", &mut req.validateonly),
                ("ping", &mut req.ping),
            ])?;
            // `jwt` here is the token to sign in with, not a per-call identity.
            let call = Call {
                jwt: String::new(),
                ..call_from(&options)?
            };
            let reply = SIGNIN_OUT;
            let signal = signal_from(&options)?;
            Ok(rt.request(reply, signal.as_ref(), |s, now| {
                s.request(now, "signin", to_any(&req), &call)
            }))
        })
    }

    /// Adds an event handler; returns its id for `off_client_event`. Every handler gets every
    /// event `{event, reason}` in order: Connecting, Connected, SignedIn, Disconnected,
    /// QueueRenamed (`old`, `new`), Error.
    pub fn on_client_event(&self, callback: JsValue) -> Result<u32, JsValue> {
        let callback = convert::function_arg(callback)?;
        Ok(self.runtime()?.add_handler(callback))
    }

    /// Removes an event handler; true if it existed.
    pub fn off_client_event(&self, id: JsValue) -> bool {
        let id = id.as_f64().filter(|n| *n >= 0.0 && *n <= u32::MAX as f64);
        self.runtime
            .as_ref()
            .zip(id)
            .is_some_and(|(rt, id)| rt.remove_handler(id as u32))
    }

    /// Registers a queue (`name` or `{queuename, jwt, ...}`; empty for a temporary queue) and
    /// resolves to its name. The callback gets every message; a value it returns (or resolves)
    /// is sent to `replyto`. The queue is registered again after every reconnect.
    pub fn register_queue(&self, queue: JsValue, callback: JsValue) -> Promise {
        let name = match queue.as_string() {
            Some(name) => Ok(name),
            None => Options(&queue)
                .string("queuename")
                .map(Option::unwrap_or_default),
        };
        self.subscribe(&queue, callback, name.map(SubscriptionKind::Queue))
    }

    /// Registers an exchange `{exchangename, algorithm, routingkey, addqueue}` and resolves to
    /// the name of the queue bound to it.
    pub fn register_exchange(&self, options: JsValue, callback: JsValue) -> Promise {
        let kind = exchange_from(&options).map(SubscriptionKind::Exchange);
        self.subscribe(&options, callback, kind)
    }

    /// Watches a collection `{collectionname, paths}`; resolves to the watch id.
    pub fn watch(&self, options: JsValue, callback: JsValue) -> Promise {
        let kind = watch_from(&options).map(SubscriptionKind::Watch);
        self.subscribe(&options, callback, kind)
    }

    /// Stops consuming a queue (or exchange queue) registered with this client; for a queue it
    /// does not hold, asks the server to remove its consumer. `options`: `{jwt, traceid, spanid}`.
    pub fn unregister_queue(&self, queuename: JsValue, options: JsValue) -> Promise {
        self.unsubscribe(
            &queuename,
            &options,
            Session::queue_subscription,
            |queuename| {
                (
                    "unregisterqueue",
                    to_any(&UnRegisterQueueRequest { queuename }),
                )
            },
        )
    }

    /// Stops a watch. `options`: `{jwt, traceid, spanid}`.
    pub fn unwatch(&self, id: JsValue, options: JsValue) -> Promise {
        self.unsubscribe(&id, &options, Session::watch_subscription, |id| {
            ("unwatch", to_any(&UnWatchRequest { id }))
        })
    }

    /// Sends a message to a queue or exchange. `data` may be any JSON value or a string.
    pub fn queue_message(&self, options: JsValue) -> Promise {
        self.with_runtime(|rt| {
            let msg = message_from(&options)?;
            let (call, signal) = (call_from(&options)?, signal_from(&options)?);
            Ok(rt.request("", signal.as_ref(), |s, now| {
                s.request(now, "queuemessage", to_any(&msg), &call)
            }))
        })
    }

    /// Sends a message and resolves to the reply's `data` (JSON-parsed). `timeout` is in
    /// seconds, as in npm `openiap` (`timeout_ms` in milliseconds). Any number of rpcs can run
    /// at once; replies are matched by correlation id.
    pub fn rpc(&self, options: JsValue) -> Promise {
        self.with_runtime(|rt| {
            let msg = message_from(&options)?;
            let (call, signal) = (call_from(&options)?, signal_from(&options)?);
            let reply = "=6j";
            Ok(rt.request(reply, signal.as_ref(), |s, now| s.rpc(now, msg, &call)))
        })
    }

    /// npm `openiap`'s state names: `"Disconnected"`, `"Connecting"`, `"Connected"` or
    /// `"Signedin"` (events still say `SignedIn`).
    pub fn get_state(&self) -> String {
        match &self.runtime {
            Some(rt) => rt.read_session(|s| s.state().as_str().into()),
            None => "Disconnected".into(),
        }
    }

    /// Sets the default request timeout, in seconds (npm `openiap`'s unit).
    /// Anything but a positive number is ignored.
    pub fn set_default_timeout(&self, seconds: JsValue) {
        let seconds = seconds.as_f64().unwrap_or(0.0);
        if let Some(rt) = self
            .runtime
            .as_ref()
            .filter(|_| seconds.is_finite() && seconds > 0.0)
        {
            rt.with_session(|s, _| s.set_default_timeout((seconds * 1000.0) as u64));
        }
    }

    /// The default request timeout, in seconds.
    pub fn get_default_timeout(&self) -> f64 {
        match &self.runtime {
            Some(rt) => rt.read_session(|s| s.config().request_timeout_ms as f64 / 1000.0),
            None => 0.0,
        }
    }

    /// The signed-in user `{_id, name, username, email, roles}`, or `null`.
    pub fn get_user(&self) -> JsValue {
        match &self.runtime {
            Some(rt) => rt.user(),
            None => JsValue::NULL,
        }
    }

    /// Sets the client version sent at the next sign-in.
    /// Anything but a string is ignored.
    pub fn set_agent_version(&self, version: JsValue) {
        if let (Some(rt), Some(version)) = (&self.runtime, version.as_string()) {
            rt.with_session(|s, _| s.set_agent_version(version));
        }
    }

    /// Sets the agent name sent at the next sign-in.
    /// Anything but a string is ignored.
    pub fn set_agent_name(&self, name: JsValue) {
        if let (Some(rt), Some(name)) = (&self.runtime, name.as_string()) {
            rt.with_session(|s, _| s.set_agent_name(name));
        }
    }

    /// Counts of everything the client holds, for leak tests: `{promises, callbacks, handlers,
    /// timers, sockets, listeners, in_flight, outbox, registrations, rpc_calls,
    /// upload_streams, upload_sources}`.
    #[doc(hidden)]
    pub fn debug_counts(&self) -> JsValue {
        match &self.runtime {
            Some(rt) => rt.debug_counts(),
            None => JsValue::NULL,
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.release();
        }
    }
}
