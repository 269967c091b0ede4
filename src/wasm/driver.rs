//! Runs the session: feeds it socket events and time, carries out its outputs (socket, one timer,
//! promises, callbacks), and keeps the JS objects that belong to requests and registrations.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use js_sys::{Function, Object, Promise};
use wasm_bindgen::{JsCast, JsValue};

use gloo_timers::callback::Timeout;

use super::js;
use super::listener::{wake_listeners, Listener};
use super::socket::{Socket, SocketEvent};
use crate::core::envelope::{decode, decode_name};
use crate::core::error::{Error, ErrorKind};
use crate::core::session::{ClientEvent, Output, RequestId, Session, SocketId, SubscriptionId};
use crate::core::vecmap::VecMap;
use crate::pb::{Envelope, QueueEvent, QueueMessageRequest, SigninResponse, WatchEvent};

/// How a reply envelope becomes the value a promise resolves with.
#[derive(Clone, Copy)]
pub enum ReplyKind {
    /// `undefined`.
    Unit,
    /// The queue name of a registration.
    QueueName,
    /// The id of a watch.
    WatchId,
    /// `{jwt, user}`.
    Signin,
    /// The reply's `data`, JSON-parsed (rpc).
    RpcData,
    /// Any other reply, decoded by this function (the data API).
    #[cfg(feature = "data")]
    Decode(fn(&Envelope) -> Result<JsValue, Error>),
}

/// Who waits for a reply.
enum Waiter {
    /// A JS promise.
    Promise {
        resolve: Function,
        reject: Function,
        kind: ReplyKind,
    },
    /// The reply a queue callback returned; a failure to deliver it is reported as an event.
    CallbackReply { queue: String },
}

/// The state behind one JS `Client`.
pub struct Inner {
    pub session: Session,
    socket: Option<(SocketId, Socket)>,
    timer: Option<(u64, Timeout)>,
    wake: Vec<Listener>,
    handlers: Vec<(u32, Function)>,
    next_handler: u32,
    pending: VecMap<RequestId, Waiter>,
    connect_waiters: Vec<(Function, Function)>,
    callbacks: VecMap<SubscriptionId, Function>,
    /// Receivers of a request's stream envelopes (downloads), called with `{command, data}`.
    pub streams: VecMap<RequestId, Function>,
    /// Data of uploads in progress, read a chunk at a time.
    #[cfg(feature = "data")]
    pub uploads: VecMap<RequestId, super::data::Upload>,
    get_token: Option<Function>,
    message_keys: js::MessageKeys,
    driving: bool,
    /// True while `SignedIn` handlers run: registrations made there are the app's own
    /// re-registration pattern, so they are not registered again automatically.
    pub in_signedin_handler: bool,
}

/// Milliseconds since the epoch, from the JS clock.
pub fn now() -> u64 {
    js_sys::Date::now() as u64
}

pub type Shared = Rc<RefCell<Inner>>;

impl Inner {
    pub fn new(session: Session, get_token: Option<Function>) -> Shared {
        Rc::new(RefCell::new(Inner {
            session,
            socket: None,
            timer: None,
            wake: Vec::new(),
            handlers: Vec::new(),
            next_handler: 0,
            pending: VecMap::new(),
            connect_waiters: Vec::new(),
            callbacks: VecMap::new(),
            streams: VecMap::new(),
            #[cfg(feature = "data")]
            uploads: VecMap::new(),
            get_token,
            message_keys: js::MessageKeys::new(),
            driving: false,
            in_signedin_handler: false,
        }))
    }

    pub fn add_handler(&mut self, f: Function) -> u32 {
        self.next_handler += 1;
        self.handlers.push((self.next_handler, f));
        self.next_handler
    }

    pub fn remove_handler(&mut self, id: u32) -> bool {
        let before = self.handlers.len();
        self.handlers.retain(|(i, _)| *i != id);
        before != self.handlers.len()
    }

    pub fn set_callback(&mut self, sub: SubscriptionId, f: Function) {
        self.callbacks.insert(sub, f);
    }

    /// Counts for leak checks: (pending promises, callbacks, handlers, timers, sockets, listeners).
    pub fn resource_counts(&self) -> [usize; 6] {
        [
            self.pending.len(),
            self.callbacks.len(),
            self.handlers.len(),
            self.timer.is_some() as usize,
            self.socket.is_some() as usize,
            self.wake.len(),
        ]
    }
}

/// A promise for request `id`, settled when its reply arrives.
pub fn promise_for(shared: &Shared, id: RequestId, kind: ReplyKind) -> Promise {
    let (promise, resolve, reject) = js::deferred();
    shared.borrow_mut().pending.insert(
        id,
        Waiter::Promise {
            resolve,
            reject,
            kind,
        },
    );
    drive(shared);
    promise
}

/// A promise settled by the next [`Output::ConnectDone`].
pub fn connect_promise(shared: &Shared) -> Promise {
    let (promise, resolve, reject) = js::deferred();
    shared.borrow_mut().connect_waiters.push((resolve, reject));
    promise
}

/// Carries out every output of the session, then arms the one timer. Re-entrant calls (from
/// callbacks) return at once; the outer loop picks up their outputs in order.
pub fn drive(shared: &Shared) {
    {
        let mut inner = shared.borrow_mut();
        if inner.driving {
            return;
        }
        inner.driving = true;
    }
    loop {
        let output = shared.borrow_mut().session.poll_output();
        match output {
            Some(o) => carry_out(shared, o),
            None => break,
        }
    }
    let mut inner = shared.borrow_mut();
    inner.driving = false;
    arm_timer(shared, &mut inner);
}

fn arm_timer(shared: &Shared, inner: &mut Inner) {
    let Some(deadline) = inner.session.poll_timeout() else {
        inner.timer = None;
        return;
    };
    // A timer armed for an earlier moment stays: when it fires, the session re-checks and the
    // timer is armed again. Re-arming only for earlier deadlines spares a setTimeout/clearTimeout
    // pair per received message (every message moves the heartbeat deadline).
    if matches!(inner.timer, Some((d, _)) if d <= deadline) {
        return;
    }
    let delay = deadline.saturating_sub(now()).min(i32::MAX as u64) as u32;
    let weak = Rc::downgrade(shared);
    inner.timer = Some((
        deadline,
        Timeout::new(delay, move || {
            if let Some(shared) = weak.upgrade() {
                {
                    let mut inner = shared.borrow_mut();
                    inner.timer = None;
                    inner.session.handle_timeout(now());
                }
                drive(&shared);
            }
        }),
    ));
}

fn carry_out(shared: &Shared, output: Output) {
    match output {
        Output::OpenSocket {
            socket,
            url,
            protocols,
        } => {
            let weak = Rc::downgrade(shared);
            let opened = Socket::open(&url, protocols, move |ev| {
                on_socket_event(&weak, socket, ev)
            });
            match opened {
                Ok(s) => {
                    let mut inner = shared.borrow_mut();
                    inner.socket = Some((socket, s));
                    if inner.wake.is_empty() {
                        let weak = Rc::downgrade(shared);
                        inner.wake = wake_listeners(move || {
                            if let Some(shared) = weak.upgrade() {
                                shared.borrow_mut().session.wake(now());
                                drive(&shared);
                            }
                        });
                    }
                }
                Err(e) => {
                    // `new WebSocket` throws for malformed URLs and forbidden ports.
                    let reason = format!("cannot open socket: {}", js::describe(&e));
                    shared
                        .borrow_mut()
                        .session
                        .handle_close(now(), socket, &reason);
                }
            }
        }
        Output::Send { socket, bytes } => {
            let inner = shared.borrow();
            if let Some((id, s)) = &inner.socket {
                if *id == socket {
                    s.send(&bytes);
                }
            }
        }
        Output::CloseSocket { socket } => {
            let mut inner = shared.borrow_mut();
            if matches!(inner.socket, Some((id, _)) if id == socket) {
                inner.socket = None;
            }
            if !inner.session_active() {
                inner.wake.clear();
            }
        }
        Output::Event(ev) => dispatch_event(shared, &ev),
        Output::Reply { request, result } => {
            let waiter = {
                let mut inner = shared.borrow_mut();
                inner.streams.remove(&request);
                #[cfg(feature = "data")]
                inner.uploads.remove(&request);
                inner.pending.remove(&request)
            };
            match waiter {
                Some(Waiter::Promise {
                    resolve,
                    reject,
                    kind,
                }) => match result.and_then(|env| reply_value(&env, kind)) {
                    Ok(v) => {
                        let _ = resolve.call1(&JsValue::UNDEFINED, &v);
                    }
                    Err(e) => {
                        let _ = reject.call1(&JsValue::UNDEFINED, &js::error(&e));
                    }
                },
                Some(Waiter::CallbackReply { queue }) => {
                    if let Err(e) = result {
                        let ev = ClientEvent::Error(format!(
                            "reply of the queue callback for '{queue}' was not delivered: {e}"
                        ));
                        dispatch_event(shared, &ev);
                    }
                }
                None => {}
            }
        }
        Output::Message {
            subscription,
            envelope,
        } => deliver(shared, subscription, &envelope),
        Output::Stream { request, envelope } => {
            let sink = shared.borrow().streams.get(&request).cloned();
            if let Some(sink) = sink {
                let _ = sink.call1(&JsValue::UNDEFINED, &js::stream_part(&envelope));
            }
        }
        #[cfg(feature = "data")]
        Output::UploadWanted { request } => super::data::next_chunk(shared, request),
        #[cfg(not(feature = "data"))]
        Output::UploadWanted { .. } => {}
        Output::SubscriptionClosed { subscription } => {
            shared.borrow_mut().callbacks.remove(&subscription);
        }
        Output::GetToken { socket } => ask_token(shared, socket),
        Output::ConnectDone(result) => {
            let waiters = std::mem::take(&mut shared.borrow_mut().connect_waiters);
            for (resolve, reject) in waiters {
                let _ = match &result {
                    Ok(()) => resolve.call0(&JsValue::UNDEFINED),
                    Err(e) => reject.call1(&JsValue::UNDEFINED, &js::error(e)),
                };
            }
            if result.is_err() {
                let mut inner = shared.borrow_mut();
                if !inner.session_active() {
                    inner.wake.clear();
                }
            }
        }
    }
}

impl Inner {
    /// Upload sources held (0 without the data API).
    pub fn upload_sources(&self) -> usize {
        #[cfg(feature = "data")]
        return self.uploads.len();
        #[cfg(not(feature = "data"))]
        0
    }

    /// Bytes the current socket has not written yet.
    #[cfg(feature = "data")]
    pub fn socket_buffered(&self) -> u32 {
        self.socket.as_ref().map_or(0, |(_, s)| s.buffered())
    }

    fn session_active(&self) -> bool {
        self.session.is_active()
    }

    /// Drops every JS object and resource: after this nothing of the client runs.
    pub fn release(&mut self) {
        self.socket = None;
        self.timer = None;
        self.wake.clear();
        self.callbacks.clear();
        self.streams.clear();
        #[cfg(feature = "data")]
        self.uploads.clear();
        self.handlers.clear();
        self.get_token = None;
    }
}

fn on_socket_event(weak: &Weak<RefCell<Inner>>, socket: SocketId, ev: SocketEvent) {
    let Some(shared) = weak.upgrade() else { return };
    {
        let mut inner = shared.borrow_mut();
        let t = now();
        match ev {
            SocketEvent::Open => inner.session.handle_open(t, socket),
            SocketEvent::Data(bytes) => inner.session.handle_data(t, socket, &bytes),
            SocketEvent::Closed(reason) => inner.session.handle_close(t, socket, &reason),
        }
    }
    drive(&shared);
}

fn dispatch_event(shared: &Shared, ev: &ClientEvent) {
    let handlers: Vec<Function> = shared
        .borrow()
        .handlers
        .iter()
        .map(|(_, f)| f.clone())
        .collect();
    let value = js::event(ev);
    let signed_in = matches!(ev, ClientEvent::SignedIn);
    shared.borrow_mut().in_signedin_handler = signed_in;
    for f in handlers {
        if let Err(e) = f.call1(&JsValue::UNDEFINED, &value) {
            web_sys::console::error_2(
                &JsValue::from_str("openiap: client event handler threw:"),
                &e,
            );
        }
    }
    shared.borrow_mut().in_signedin_handler = false;
}

fn reply_value(env: &Envelope, kind: ReplyKind) -> Result<JsValue, Error> {
    Ok(match kind {
        ReplyKind::Unit => JsValue::UNDEFINED,
        ReplyKind::QueueName | ReplyKind::WatchId => JsValue::from_str(&decode_name(env)?),
        ReplyKind::Signin => {
            let r: SigninResponse = decode(env)?;
            let obj = Object::new();
            js::set(&obj, "jwt", r.jwt.as_str());
            js::set(
                &obj,
                "user",
                r.user.as_ref().map(js::user).unwrap_or(JsValue::NULL),
            );
            obj.into()
        }
        ReplyKind::RpcData => js::parse_data(&decode::<QueueEvent>(env)?.data),
        #[cfg(feature = "data")]
        ReplyKind::Decode(f) => f(env)?,
    })
}

fn deliver(shared: &Shared, sub: SubscriptionId, env: &Envelope) {
    let Some(callback) = shared.borrow().callbacks.get(&sub).cloned() else {
        return;
    };
    if env.command == "watchevent" {
        if let Ok(mut ev) = decode::<WatchEvent>(env) {
            // After a reconnect the server gives the watch a new id; the app keeps the first.
            if let Some(first) = shared.borrow().session.subscription_first_name(sub) {
                ev.id = first.to_string();
            }
            if let Err(e) = callback.call1(&JsValue::UNDEFINED, &js::watch_event(&ev)) {
                report(shared, "watch callback", &e);
            }
        }
        return;
    }
    let Ok(ev) = decode::<QueueEvent>(env) else {
        return;
    };
    let message = js::queue_message(&ev, &shared.borrow().message_keys);
    let result = callback.call1(&JsValue::UNDEFINED, &message);
    let value = match result {
        Ok(v) => v,
        Err(e) => {
            return report(
                shared,
                &format!("queue callback for '{}'", ev.queuename),
                &e,
            )
        }
    };
    if let Some(promise) = value.dyn_ref::<Promise>() {
        let weak = Rc::downgrade(shared);
        js::then(promise, move |result| {
            if let Some(shared) = weak.upgrade() {
                match result {
                    Ok(v) => reply_to(&shared, &ev, &v),
                    Err(e) => report(
                        &shared,
                        &format!("queue callback for '{}'", ev.queuename),
                        &e,
                    ),
                }
            }
        });
    } else {
        reply_to(shared, &ev, &value);
    }
}

/// Sends a callback's return value to `replyto`, as the official clients do.
fn reply_to(shared: &Shared, ev: &QueueEvent, value: &JsValue) {
    if ev.replyto.is_empty() || value.is_undefined() || value.is_null() {
        return;
    }
    let msg = QueueMessageRequest {
        queuename: ev.replyto.clone(),
        correlation_id: ev.correlation_id.clone(),
        data: js::data_text(value),
        striptoken: true,
        ..Default::default()
    };
    {
        let mut inner = shared.borrow_mut();
        let id = inner.session.request(
            now(),
            "queuemessage",
            crate::core::envelope::to_any(&msg),
            None,
        );
        inner.pending.insert(
            id,
            Waiter::CallbackReply {
                queue: ev.queuename.clone(),
            },
        );
    }
    drive(shared);
}

/// Tells the event handlers that an app callback (`what`) threw `e`.
pub fn report(shared: &Shared, what: &str, e: &JsValue) {
    let ev = ClientEvent::Error(format!("{what} failed: {}", js::describe(e)));
    dispatch_event(shared, &ev);
}

fn ask_token(shared: &Shared, socket: SocketId) {
    let Some(f) = shared.borrow().get_token.clone() else {
        return;
    };
    let answer = f.call0(&JsValue::UNDEFINED);
    let weak = Rc::downgrade(shared);
    let finish = move |token: Result<String, String>| {
        if let Some(shared) = weak.upgrade() {
            shared
                .borrow_mut()
                .session
                .provide_token(now(), socket, token);
            drive(&shared);
        }
    };
    match answer {
        Err(e) => finish(Err(js::describe(&e))),
        Ok(v) => match v.dyn_into::<Promise>() {
            Ok(p) => js::then(&p, move |r| {
                finish(
                    r.map(|v| v.as_string().unwrap_or_default())
                        .map_err(|e| js::describe(&e)),
                );
            }),
            Err(v) => finish(Ok(v.as_string().unwrap_or_default())),
        },
    }
}

/// A typed "not connected" rejection for methods called on a released client.
pub fn released() -> JsValue {
    js::error(&Error::new(
        ErrorKind::NotConnected,
        "the client was disconnected and freed",
    ))
}
