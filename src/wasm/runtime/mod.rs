//! Runs the session: feeds it socket events and time, carries out its outputs (socket, one timer,
//! promises, callbacks), and keeps the JS objects that belong to requests and registrations.
//! Everything of one `Client` lives in one [`Runtime`]; nothing is global.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use gloo_timers::callback::Timeout;
use js_sys::{Function, Object, Promise};
use wasm_bindgen::{JsCast, JsValue};

use super::convert;
use super::listener::Listener;
use super::socket::{Socket, SocketEvent};
use super::wake::{wake_listeners, WakeListeners};
use crate::protocol::error::{Error, ErrorKind};
use crate::protocol::session::{
    Call, Output, RequestId, Session, SocketId, SubscriptionId, SubscriptionKind,
};
use crate::protocol::text::concat;
use crate::protocol::vecmap::VecMap;
use crate::protocol::wire::tables::USER_OUT;
use crate::protocol::wire::{self, Tape};

mod delivery;

/// Milliseconds since the epoch, from the JS clock.
pub fn now() -> u64 {
    js_sys::Date::now() as u64
}

/// Reads an upload's data a chunk at a time when the session asks for it
/// ([`Output::UploadWanted`]); implemented by the transfers module.
pub trait ChunkSource {
    /// Hands the next chunk of upload `request` to the session (or ends its stream).
    fn next_chunk(&self, runtime: &Runtime, request: RequestId);
}

/// Who waits for a reply.
enum Waiter {
    /// A JS promise, resolved with the reply as `reply` says.
    Promise {
        resolve: Function,
        reject: Function,
        /// The `abort` listener of the request's `AbortSignal`; dropped (removed) with the waiter.
        _abort: Option<Listener>,
        /// The reply spec (see `tables::Method::reply`).
        reply: &'static str,
    },
    /// The reply a queue callback returned; a failure to deliver it is reported as an event.
    CallbackReply { queue: String },
}

/// The state behind one JS `Client`.
struct Inner {
    session: Session,
    socket: Option<(SocketId, Socket)>,
    /// The HTTP transport's fetches in flight, by envelope id.
    #[cfg(feature = "http")]
    posts: Vec<(String, super::http::Post)>,
    timer: Option<(u64, Timeout)>,
    wake: WakeListeners,
    handlers: Vec<(u32, Function)>,
    next_handler: u32,
    pending: VecMap<RequestId, Waiter>,
    connect_waiters: Vec<(Function, Function)>,
    callbacks: VecMap<SubscriptionId, Function>,
    /// Receivers of a request's stream envelopes (downloads), called with `{command, data}`.
    streams: VecMap<RequestId, Function>,
    /// Data of uploads in progress, read a chunk at a time.
    uploads: VecMap<RequestId, Rc<dyn ChunkSource>>,
    get_token: Option<Function>,
    /// Reused for every decoded message and reply.
    tape: Tape,
    /// Reused for every queue message's JSON text (`wire::json`).
    text: Vec<u8>,
    driving: bool,
    /// True while `SignedIn` handlers run: registrations made there are the app's own
    /// re-registration pattern, so they are not registered again automatically.
    in_signedin_handler: bool,
}

/// One client's session and the JS objects around it. Cloning shares it.
#[derive(Clone)]
pub struct Runtime(Rc<RefCell<Inner>>);

/// A [`Runtime`] that may have been dropped.
#[cfg(feature = "data")]
pub struct WeakRuntime(Weak<RefCell<Inner>>);

#[cfg(feature = "data")]
impl WeakRuntime {
    /// The runtime, while its client lives.
    pub fn upgrade(&self) -> Option<Runtime> {
        Runtime::upgrade(&self.0)
    }
}

impl Runtime {
    /// A runtime for `session`; `get_token` is asked for a JWT before every sign-in.
    pub fn new(session: Session, get_token: Option<Function>) -> Runtime {
        Runtime(Rc::new(RefCell::new(Inner {
            session,
            socket: None,
            #[cfg(feature = "http")]
            posts: Vec::new(),
            timer: None,
            wake: WakeListeners::default(),
            handlers: Vec::new(),
            next_handler: 0,
            pending: VecMap::new(),
            connect_waiters: Vec::new(),
            callbacks: VecMap::new(),
            streams: VecMap::new(),
            uploads: VecMap::new(),
            get_token,
            tape: Tape::default(),
            text: Vec::new(),
            driving: false,
            in_signedin_handler: false,
        })))
    }

    fn weak(&self) -> Weak<RefCell<Inner>> {
        Rc::downgrade(&self.0)
    }

    fn upgrade(weak: &Weak<RefCell<Inner>>) -> Option<Runtime> {
        weak.upgrade().map(Runtime)
    }

    #[cfg(feature = "data")]
    /// A reference that does not keep the client alive (for JS callbacks).
    pub fn downgrade(&self) -> WeakRuntime {
        WeakRuntime(self.weak())
    }

    /// Runs `f` on the session without carrying out its outputs yet: the caller registers what
    /// waits for them first, then [`Runtime::promise_for`] (or [`Runtime::drive`]) runs them.
    pub fn prepare<R>(&self, f: impl FnOnce(&mut Session, u64) -> R) -> R {
        f(&mut self.0.borrow_mut().session, now())
    }

    /// Runs `f` on the session and carries out what it asked for.
    pub fn with_session<R>(&self, f: impl FnOnce(&mut Session, u64) -> R) -> R {
        let r = f(&mut self.0.borrow_mut().session, now());
        self.drive();
        r
    }

    /// Reads the session without changing it.
    pub fn read_session<R>(&self, f: impl FnOnce(&Session) -> R) -> R {
        f(&self.0.borrow().session)
    }

    /// Starts the request `f` makes; the promise settles with its reply, read as `reply` says.
    /// With an already aborted `signal` nothing is sent and the promise rejects with its reason.
    pub fn request(
        &self,
        reply: &'static str,
        signal: Option<&JsValue>,
        f: impl FnOnce(&mut Session, u64) -> RequestId,
    ) -> Promise {
        if let Some(reason) = signal.and_then(abort_reason) {
            return Promise::reject(&reason);
        }
        let id = self.prepare(f);
        self.promise_for(id, reply, signal)
    }

    /// A promise for request `id`, settled when its reply arrives, or when `signal` aborts: then
    /// the session stops waiting for it and the promise rejects with the signal's reason (a
    /// `DOMException` named `AbortError`, or `TimeoutError` for `AbortSignal.timeout()`).
    pub fn promise_for(
        &self,
        id: RequestId,
        reply: &'static str,
        signal: Option<&JsValue>,
    ) -> Promise {
        let (promise, resolve, reject) = convert::deferred();
        let abort = signal.and_then(|signal| {
            let weak = self.weak();
            let sig = signal.clone();
            Listener::new(signal.unchecked_ref(), "abort", move |_| {
                if let Some(rt) = Runtime::upgrade(&weak) {
                    rt.abort(id, &sig);
                }
            })
        });
        let waiter = Waiter::Promise {
            resolve,
            reject,
            _abort: abort,
            reply,
        };
        self.0.borrow_mut().pending.insert(id, waiter);
        self.drive();
        promise
    }

    /// Request `id`'s signal aborted: stop waiting for it and reject its promise.
    fn abort(&self, id: RequestId, signal: &JsValue) {
        let waiter = {
            let mut inner = self.0.borrow_mut();
            inner.session.cancel(id);
            inner.streams.remove(&id);
            inner.uploads.remove(&id);
            inner.pending.remove(&id)
        };
        self.drive();
        if let Some(Waiter::Promise { reject, .. }) = waiter {
            let reason = abort_reason(signal).unwrap_or(JsValue::UNDEFINED);
            let _ = reject.call1(&JsValue::UNDEFINED, &reason);
        }
    }

    /// Connects (see `Client::connect`); the promise settles with the first sign-in.
    pub fn connect(&self, url: Option<&str>) -> Promise {
        let (promise, resolve, reject) = convert::deferred();
        self.0.borrow_mut().connect_waiters.push((resolve, reject));
        self.with_session(|s, now| s.connect(now, url));
        promise
    }

    /// Registers a queue, exchange or watch whose messages go to `callback`, as `call` says.
    pub fn subscribe(
        &self,
        kind: SubscriptionKind,
        callback: Function,
        call: &Call,
        signal: Option<&JsValue>,
    ) -> Promise {
        if let Some(reason) = signal.and_then(abort_reason) {
            return Promise::reject(&reason);
        }
        let id = {
            let mut inner = self.0.borrow_mut();
            let keep = inner.session.config().auto_reregister && !inner.in_signedin_handler;
            let (sub, id) = inner.session.subscribe(now(), kind, keep, call);
            // 0: refused at once (over HTTP), nothing to deliver to.
            if sub != 0 {
                inner.callbacks.insert(sub, callback);
            }
            id
        };
        self.promise_for(id, "=1s", signal)
    }

    /// Adds an event handler; returns its id.
    pub fn add_handler(&self, f: Function) -> u32 {
        let mut inner = self.0.borrow_mut();
        inner.next_handler += 1;
        let id = inner.next_handler;
        inner.handlers.push((id, f));
        id
    }

    /// Removes an event handler; true if it existed.
    pub fn remove_handler(&self, id: u32) -> bool {
        let mut inner = self.0.borrow_mut();
        let before = inner.handlers.len();
        inner.handlers.retain(|(i, _)| *i != id);
        before != inner.handlers.len()
    }

    #[cfg(feature = "data")]
    /// Sends stream envelopes of request `id` (a download's chunks) to `sink`.
    pub fn add_stream(&self, id: RequestId, sink: Function) {
        self.0.borrow_mut().streams.insert(id, sink);
    }

    #[cfg(feature = "data")]
    /// Reads upload `id`'s data from `source` when the session asks for chunks.
    pub fn add_upload(&self, id: RequestId, source: Rc<dyn ChunkSource>) {
        self.0.borrow_mut().uploads.insert(id, source);
    }

    #[cfg(feature = "data")]
    /// Forgets upload `id`'s data source (its stream ended).
    pub fn remove_upload(&self, id: RequestId) {
        self.0.borrow_mut().uploads.remove(&id);
    }

    #[cfg(feature = "data")]
    /// Bytes the current socket has not written yet.
    pub fn socket_buffered(&self) -> u32 {
        let inner = self.0.borrow();
        inner.socket.as_ref().map_or(0, |(_, s)| s.buffered())
    }

    /// The signed-in user as JS sees it (`{_id, name, username, email, roles}`), or `null`.
    pub fn user(&self) -> JsValue {
        let Some(bytes) = self.0.borrow().session.user().map(<[u8]>::to_vec) else {
            return JsValue::NULL;
        };
        let mut inner = self.0.borrow_mut();
        let tape = &mut inner.tape;
        match wire::decode(&bytes, USER_OUT, tape) {
            Ok(()) => convert::tape_value(tape, &bytes),
            Err(_) => JsValue::NULL,
        }
    }

    /// Counts of everything the client holds, for leak tests: a named object.
    pub fn debug_counts(&self) -> JsValue {
        let inner = self.0.borrow();
        let (in_flight, outbox, registrations, rpc_calls) = inner.session.table_sizes();
        let counts = Object::new();
        for (key, n) in [
            ("promises", inner.pending.len()),
            ("callbacks", inner.callbacks.len()),
            ("handlers", inner.handlers.len()),
            ("timers", inner.timer.is_some() as usize),
            ("sockets", inner.socket.is_some() as usize),
            #[cfg(feature = "http")]
            ("fetches", inner.posts.len()),
            ("listeners", inner.wake.len()),
            ("in_flight", in_flight),
            ("outbox", outbox),
            ("registrations", registrations),
            ("rpc_calls", rpc_calls),
            ("upload_streams", inner.session.open_uploads()),
            ("upload_sources", inner.uploads.len()),
        ] {
            convert::set(&counts, key, n as u32);
        }
        counts.into()
    }

    /// Ends the session and drops every JS object: afterwards nothing of the client runs.
    pub fn release(&self) {
        self.with_session(|s, now| s.disconnect(now));
        let mut inner = self.0.borrow_mut();
        inner.socket = None;
        #[cfg(feature = "http")]
        inner.posts.clear();
        inner.timer = None;
        inner.wake.clear();
        inner.callbacks.clear();
        inner.streams.clear();
        inner.uploads.clear();
        inner.handlers.clear();
        inner.get_token = None;
    }

    /// Carries out every output of the session, then arms the one timer. Re-entrant calls (from
    /// callbacks) return at once; the outer loop picks up their outputs in order.
    pub fn drive(&self) {
        {
            let mut inner = self.0.borrow_mut();
            if inner.driving {
                return;
            }
            inner.driving = true;
        }
        loop {
            let output = self.0.borrow_mut().session.poll_output();
            match output {
                Some(o) => self.carry_out(o),
                None => break,
            }
        }
        self.0.borrow_mut().driving = false;
        #[cfg(feature = "http")]
        self.abort_posts();
        self.arm_timer();
    }

    /// Aborts the fetches whose reply the session no longer awaits (timed out, aborted).
    #[cfg(feature = "http")]
    fn abort_posts(&self) {
        let mut inner = self.0.borrow_mut();
        let Inner { posts, session, .. } = &mut *inner;
        posts.retain(|(id, _)| session.awaits(id));
    }

    /// Starts the fetch of an [`Output::Post`]; its answer goes to the session.
    #[cfg(feature = "http")]
    fn post(&self, socket: SocketId, envelope: crate::pb::Envelope, bearer: &str) {
        let url = self.0.borrow().session.http_url();
        let weak = self.weak();
        let id = envelope.id.clone();
        let key = envelope.id.clone();
        let post = super::http::Post::start(&url, &envelope, bearer, move |status, reply| {
            if let Some(rt) = Runtime::upgrade(&weak) {
                // Then no longer awaited: `drive` drops it (aborting an answered fetch does
                // nothing).
                rt.with_session(|s, now| s.handle_http_reply(now, socket, &id, status, reply));
            }
        });
        self.0.borrow_mut().posts.push((key, post));
    }

    fn arm_timer(&self) {
        let mut inner = self.0.borrow_mut();
        let Some(deadline) = inner.session.poll_timeout() else {
            // Nothing is due. While the session runs, an armed timer stays: when it fires the
            // session finds nothing to do. So a sequence of requests without a heartbeat (each
            // rpc sets a deadline, its reply removes it) costs no setTimeout/clearTimeout pair
            // per request. After disconnect() nothing may keep running.
            if !inner.session.is_active() {
                inner.timer = None;
            }
            return;
        };
        // A timer armed for an earlier moment stays: when it fires, the session re-checks and
        // the timer is armed again. Re-arming only for earlier deadlines spares a setTimeout /
        // clearTimeout pair per received message (every message moves the heartbeat deadline).
        if matches!(inner.timer, Some((d, _)) if d <= deadline) {
            return;
        }
        let delay = deadline.saturating_sub(now()).min(i32::MAX as u64) as u32;
        let weak = self.weak();
        let timeout = Timeout::new(delay, move || {
            if let Some(rt) = Runtime::upgrade(&weak) {
                rt.0.borrow_mut().timer = None;
                rt.with_session(|s, now| s.handle_timeout(now));
            }
        });
        inner.timer = Some((deadline, timeout));
    }

    fn carry_out(&self, output: Output) {
        match output {
            Output::OpenSocket {
                socket,
                url,
                protocols,
            } => self.open_socket(socket, &url, protocols),
            Output::Send { socket, bytes } => {
                let inner = self.0.borrow();
                if let Some((id, s)) = &inner.socket {
                    if *id == socket {
                        s.send(&bytes);
                    }
                }
            }
            #[cfg(feature = "http")]
            Output::Post {
                socket,
                envelope,
                bearer,
            } => self.post(socket, envelope, &bearer),
            Output::CloseSocket { socket } => {
                let mut inner = self.0.borrow_mut();
                // The link ended: its fetches are aborted.
                #[cfg(feature = "http")]
                inner.posts.clear();
                if matches!(inner.socket, Some((id, _)) if id == socket) {
                    inner.socket = None;
                }
                if !inner.session.is_active() {
                    inner.wake.clear();
                }
            }
            Output::Event(ev) => self.dispatch_event(&ev),
            Output::Reply { request, result } => self.settle(request, result),
            Output::Message {
                subscription,
                watch,
                payload,
            } => self.deliver(subscription, watch, &payload),
            Output::Stream { request, envelope } => {
                let sink = self.0.borrow().streams.get(&request).cloned();
                if let Some(sink) = sink {
                    let _ = sink.call1(&JsValue::UNDEFINED, &delivery::stream_part(&envelope));
                }
            }
            Output::UploadWanted { request } => {
                let source = self.0.borrow().uploads.get(&request).cloned();
                if let Some(source) = source {
                    source.next_chunk(self, request);
                }
            }
            Output::SubscriptionClosed { subscription } => {
                // A `for await` stream's callback says when its registration ended (`__end`).
                let callback = self.0.borrow_mut().callbacks.remove(&subscription);
                if let Some(end) = callback.map(|f| convert::get(&f, "__end")) {
                    if let Some(end) = end.dyn_ref::<Function>() {
                        let _ = end.call0(&JsValue::UNDEFINED);
                    }
                }
            }
            Output::GetToken { socket } => self.ask_token(socket),
            Output::ConnectDone(result) => {
                let waiters = std::mem::take(&mut self.0.borrow_mut().connect_waiters);
                for (resolve, reject) in waiters {
                    let _ = match &result {
                        Ok(()) => resolve.call0(&JsValue::UNDEFINED),
                        Err(e) => reject.call1(&JsValue::UNDEFINED, &convert::error(e)),
                    };
                }
                let mut inner = self.0.borrow_mut();
                if result.is_err() && !inner.session.is_active() {
                    inner.wake.clear();
                }
            }
        }
    }

    fn open_socket(&self, socket: SocketId, url: &str, protocols: &[&str]) {
        let weak = self.weak();
        let opened = Socket::open(url, protocols, move |ev| {
            if let Some(rt) = Runtime::upgrade(&weak) {
                let busy = rt.prepare(|s, now| {
                    match ev {
                        SocketEvent::Open => s.handle_open(now, socket),
                        SocketEvent::Data(bytes) => s.handle_data(now, socket, bytes),
                        SocketEvent::Closed(reason) => s.handle_close(now, socket, &reason),
                    }
                    s.has_output()
                });
                // Most data asks for nothing (OpenFlow sends each envelope's length as a message of
                // its own; a received message only moves the heartbeat's deadline later).
                if busy {
                    rt.drive();
                }
            }
        });
        match opened {
            Ok(s) => {
                let mut inner = self.0.borrow_mut();
                inner.socket = Some((socket, s));
                if inner.wake.is_empty() {
                    let weak = self.weak();
                    inner.wake = wake_listeners(move || {
                        if let Some(rt) = Runtime::upgrade(&weak) {
                            rt.with_session(|s, now| s.wake(now));
                        }
                    });
                }
            }
            Err(e) => {
                // `new WebSocket` throws for malformed URLs and forbidden ports.
                let reason = concat(&["cannot open socket: ", &convert::describe(&e)]);
                let mut inner = self.0.borrow_mut();
                inner.session.handle_close(now(), socket, &reason);
            }
        }
    }

    fn ask_token(&self, socket: SocketId) {
        let Some(f) = self.0.borrow().get_token.clone() else {
            return;
        };
        let answer = f.call0(&JsValue::UNDEFINED);
        let weak = self.weak();
        let finish = move |token: Result<String, String>| {
            if let Some(rt) = Runtime::upgrade(&weak) {
                rt.with_session(|s, now| s.provide_token(now, socket, token));
            }
        };
        match answer {
            Err(e) => finish(Err(convert::describe(&e))),
            Ok(v) => match v.dyn_into::<Promise>() {
                Ok(p) => convert::then(&p, move |r| {
                    finish(
                        r.map(|v| v.as_string().unwrap_or_default())
                            .map_err(|e| convert::describe(&e)),
                    );
                }),
                Err(v) => finish(Ok(v.as_string().unwrap_or_default())),
            },
        }
    }
}

/// The reason of an aborted signal (`None` while it is not aborted).
pub fn abort_reason(signal: &JsValue) -> Option<JsValue> {
    if convert::get(signal, "aborted").as_bool() != Some(true) {
        return None;
    }
    Some(convert::get(signal, "reason"))
}

/// A typed "not connected" rejection for methods called on a released client.
pub fn released() -> JsValue {
    convert::error(&Error::new(
        ErrorKind::NotConnected,
        "the client was disconnected and freed",
    ))
}
