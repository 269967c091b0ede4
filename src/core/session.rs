//! The connection state machine: Disconnected → Connecting → Connected → SignedIn, sign-in,
//! request correlation, the bounded outbox, queue registrations that survive reconnects, rpc over
//! a reply queue, reconnect backoff and the heartbeat.
//!
//! It does no I/O. The shell feeds it socket events, received bytes and the current time, and
//! drains [`Output`]s with [`Session::poll_output`] (one at a time, so callbacks run by the shell
//! may call back into the session), then arms one timer for [`Session::poll_timeout`].

use std::collections::VecDeque;

use super::vecmap::VecMap;

use super::backoff::{Backoff, BackoffConfig};
use super::codec::{Codec, Framing};
use super::envelope::{decode, decode_name, envelope, error_of, to_any, Sequencer};
use super::error::{Error, ErrorKind};
use super::heartbeat::{Heartbeat, HeartbeatAction};
use super::rng::Rng;
use super::url::ServerUrl;
use crate::pb::google::protobuf::Any;
use crate::pb::{
    Envelope, GetElementRequest, QueueEvent, QueueMessageRequest, RefreshToken,
    RegisterExchangeRequest, RegisterQueueRequest, RegisterQueueResponse, SigninRequest,
    SigninResponse, UnRegisterQueueRequest, User, WatchEvent, WatchRequest,
};

/// Identifies one request made through the session; its result comes as [`Output::Reply`].
pub type RequestId = u64;
/// How long an upload waits when the shell held back its chunk ([`Session::upload_later`]).
pub const UPLOAD_RECHECK_MS: u64 = 20;
/// Identifies one queue, exchange or watch registration.
pub type SubscriptionId = u64;
/// Identifies one WebSocket; events of an old socket are ignored.
pub type SocketId = u64;

/// Connection state, as `get_state()` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// No socket, or waiting to reconnect.
    Disconnected,
    /// A socket is opening or signing in.
    Connecting,
    /// Connected as guest (no credentials).
    Connected,
    /// Connected and signed in.
    SignedIn,
}

impl State {
    /// Name used in JS.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Disconnected => "Disconnected",
            State::Connecting => "Connecting",
            State::Connected => "Connected",
            State::SignedIn => "SignedIn",
        }
    }
}

/// Events for `on_client_event` handlers, in the order they happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientEvent {
    /// A connection attempt started.
    Connecting,
    /// The socket is open and the server answered.
    Connected,
    /// The connection is gone, with the reason (never containing credentials).
    Disconnected(String),
    /// Signed in (again).
    SignedIn,
    /// After a reconnect the server gave a temporary queue a new name.
    QueueRenamed {
        /// The registration that was renamed.
        subscription: SubscriptionId,
        /// The old queue name.
        old: String,
        /// The new queue name.
        new: String,
    },
    /// Something failed outside any request (a queue could not be registered again, ...).
    Error(String),
}

/// What the shell must do or tell the application.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// Open a WebSocket to `url` with these subprotocols.
    OpenSocket {
        /// Id to pass back with this socket's events.
        socket: SocketId,
        /// The URL, without credentials.
        url: String,
        /// Subprotocols to request.
        protocols: &'static [&'static str],
    },
    /// Send one binary message on the socket.
    Send {
        /// The socket.
        socket: SocketId,
        /// The message.
        bytes: Vec<u8>,
    },
    /// Close the socket and forget it.
    CloseSocket {
        /// The socket.
        socket: SocketId,
    },
    /// Tell the event handlers.
    Event(ClientEvent),
    /// A request finished: the reply envelope, or a typed error.
    Reply {
        /// The request.
        request: RequestId,
        /// The reply.
        result: Result<Envelope, Error>,
    },
    /// A `beginstream`, `stream` or `endstream` envelope for a request still waiting for its
    /// reply (a download's data).
    Stream {
        /// The request.
        request: RequestId,
        /// The stream envelope.
        envelope: Envelope,
    },
    /// The stream of an upload is open and wants its next chunk: answer with
    /// [`Session::upload_chunk`] (`None` ends the stream). Asked once after the request goes
    /// out and once after every chunk, so the shell holds one chunk at a time.
    UploadWanted {
        /// The upload request.
        request: RequestId,
    },
    /// A `queueevent` or `watchevent` for a registration.
    Message {
        /// The registration.
        subscription: SubscriptionId,
        /// The envelope (`queueevent` or `watchevent`).
        envelope: Envelope,
    },
    /// A registration ended; the shell drops its callback.
    SubscriptionClosed {
        /// The registration.
        subscription: SubscriptionId,
    },
    /// The shell must call the token callback and answer with [`Session::provide_token`].
    GetToken {
        /// The socket the token is for.
        socket: SocketId,
    },
    /// The pending `connect()` finished.
    ConnectDone(Result<(), Error>),
}

/// Session settings. `Debug` shows no secrets.
#[derive(Clone)]
pub struct Config {
    /// Server URL (credentials in it are taken out).
    pub url: Option<String>,
    /// User name for sign-in.
    pub username: Option<String>,
    /// Password for sign-in.
    pub password: Option<String>,
    /// JWT for sign-in; replaced by the server's `refreshtoken`.
    pub jwt: Option<String>,
    /// Ask the shell for a token ([`Output::GetToken`]) before every sign-in.
    pub use_token_callback: bool,
    /// Agent name sent at sign-in.
    pub agent: String,
    /// Client version sent at sign-in.
    pub version: String,
    /// Default request timeout.
    pub request_timeout_ms: u64,
    /// How long a socket may take to open.
    pub connect_timeout_ms: u64,
    /// Reconnect delays.
    pub backoff: BackoffConfig,
    /// A connection that stayed up this long resets the backoff.
    pub stable_after_ms: u64,
    /// Silence before a heartbeat probe (0 disables the client heartbeat).
    pub heartbeat_ms: u64,
    /// Time the probe has to be answered.
    pub heartbeat_timeout_ms: u64,
    /// Wire framing.
    pub framing: Framing,
    /// Register queues, exchanges and watches again after a reconnect.
    pub auto_reregister: bool,
    /// Requests that may wait for the connection to come back.
    pub outbox_limit: usize,
    /// Largest envelope accepted from the server.
    pub max_frame_len: usize,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let secret = |v: &Option<String>| v.as_ref().map(|_| "***");
        f.debug_struct("Config")
            .field("url", &self.url.as_deref().map(redact_userinfo))
            .field("username", &self.username)
            .field("password", &secret(&self.password))
            .field("jwt", &secret(&self.jwt))
            .field("agent", &self.agent)
            .field("framing", &self.framing)
            .finish_non_exhaustive()
    }
}

/// `scheme://user:pass@host/...` → `scheme://***@host/...`.
fn redact_userinfo(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s && !url[s + 3..at].contains('/') => {
            format!("{}***{}", &url[..s + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            url: None,
            username: None,
            password: None,
            jwt: None,
            use_token_callback: false,
            agent: "browser".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            request_timeout_ms: 30_000,
            connect_timeout_ms: 10_000,
            backoff: BackoffConfig::default(),
            stable_after_ms: 10_000,
            heartbeat_ms: 30_000,
            heartbeat_timeout_ms: 10_000,
            framing: Framing::OpenIap,
            auto_reregister: true,
            outbox_limit: 1024,
            max_frame_len: super::frame::DEFAULT_MAX_FRAME_LEN,
        }
    }
}

/// What a registration is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubscriptionKind {
    /// A queue; an empty name asks the server for a temporary one.
    Queue(String),
    /// An exchange with its temporary queue.
    Exchange(RegisterExchangeRequest),
    /// A change stream.
    Watch(WatchRequest),
    /// The reply queue used by `rpc` (internal).
    RpcReplies,
}

#[derive(Debug)]
struct Subscription {
    kind: SubscriptionKind,
    /// Queue name (queues, exchanges) or watch id given by the server, kept across reconnects
    /// so that a new name can be reported.
    current: Option<String>,
    /// The first name or id the server gave; the app knows the registration by it.
    first: Option<String>,
    /// True while the server knows it on the current socket.
    live: bool,
    /// Register again after reconnects.
    keep: bool,
    /// The registration request in flight, if any.
    in_flight: Option<String>,
    /// User requests waiting for this registration: (request, deadline).
    waiters: Vec<(RequestId, u64)>,
}

#[derive(Debug)]
enum InFlight {
    User(RequestId),
    UserSignin(RequestId),
    Signin,
    Guest,
    Probe,
    Register(SubscriptionId),
    RpcSend(String),
    Ignore,
}

#[derive(Debug)]
struct Queued {
    request: RequestId,
    envelope: Envelope,
    /// An upload: `beginstream` follows the request, then chunks as the shell gives them.
    upload: bool,
    deadline: u64,
}

#[derive(Debug)]
struct RpcCall {
    request: RequestId,
    message: QueueMessageRequest,
    deadline: u64,
    sent: bool,
}

#[derive(Debug)]
enum Phase {
    /// No socket.
    Idle,
    /// Waiting `until` before reconnecting.
    Waiting { until: u64 },
    /// Socket opening.
    Opening { deadline: u64 },
    /// Waiting for the token callback.
    Token { deadline: u64 },
    /// Sign-in (or guest round trip) in flight.
    Auth,
    /// Ready for requests.
    Ready,
}

/// The client's protocol state machine. See the module docs.
#[derive(Debug)]
pub struct Session {
    config: Config,
    url: Option<ServerUrl>,
    state: State,
    phase: Phase,
    /// `connect()` was called and `disconnect()` was not (and we did not give up).
    active: bool,
    /// A `connect()` promise waits for the first sign-in.
    connect_pending: bool,
    socket: Option<SocketId>,
    next_socket: SocketId,
    codec: Codec,
    seq: Sequencer,
    in_flight: VecMap<String, (InFlight, u64)>,
    outbox: VecDeque<Queued>,
    subscriptions: VecMap<SubscriptionId, Subscription>,
    routes: VecMap<String, SubscriptionId>,
    next_subscription: SubscriptionId,
    rpc_queue: Option<SubscriptionId>,
    rpc_calls: VecMap<String, RpcCall>,
    /// Uploads whose stream is open on the current socket: request -> the request envelope's id,
    /// and when to ask again for a chunk the shell held back ([`Session::upload_later`]).
    uploads: VecMap<RequestId, (String, Option<u64>)>,
    next_request: RequestId,
    backoff: Backoff,
    heartbeat: Heartbeat,
    ready_since: u64,
    user: Option<User>,
    outputs: VecDeque<Output>,
    rng: Rng,
}

impl Session {
    /// A session with `config`; `seed` drives jitter.
    pub fn new(config: Config, seed: u64) -> Session {
        let codec = Codec::new(config.framing, config.max_frame_len);
        let backoff = Backoff::new(config.backoff.clone());
        let heartbeat = Heartbeat::new(config.heartbeat_ms, config.heartbeat_timeout_ms, 0);
        Session {
            config,
            url: None,
            state: State::Disconnected,
            phase: Phase::Idle,
            active: false,
            connect_pending: false,
            socket: None,
            next_socket: 0,
            codec,
            seq: Sequencer::default(),
            in_flight: VecMap::new(),
            outbox: VecDeque::new(),
            subscriptions: VecMap::new(),
            routes: VecMap::new(),
            next_subscription: 0,
            rpc_queue: None,
            rpc_calls: VecMap::new(),
            uploads: VecMap::new(),
            next_request: 0,
            backoff,
            heartbeat,
            ready_since: 0,
            user: None,
            outputs: VecDeque::new(),
            rng: Rng::new(seed),
        }
    }

    // ----- accessors -------------------------------------------------------------------------

    /// The current state.
    pub fn state(&self) -> State {
        self.state
    }

    /// True between `connect()` and `disconnect()` (or a failed first connect, or giving up).
    pub fn is_active(&self) -> bool {
        self.active
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Changes the default request timeout.
    pub fn set_default_timeout(&mut self, ms: u64) {
        self.config.request_timeout_ms = ms;
    }

    /// Changes the agent name sent at the next sign-in.
    pub fn set_agent_name(&mut self, agent: String) {
        self.config.agent = agent;
    }

    /// The signed-in user, if any.
    pub fn user(&self) -> Option<&User> {
        self.user.as_ref()
    }

    /// The current session JWT (from sign-in or `refreshtoken`).
    pub fn jwt(&self) -> Option<&str> {
        self.config.jwt.as_deref()
    }

    /// The queue name currently bound to a registration.
    pub fn subscription_name(&self, id: SubscriptionId) -> Option<&str> {
        self.subscriptions
            .get(&id)
            .and_then(|s| s.current.as_deref())
    }

    /// The first name or id the server gave a registration (a watch keeps the id that
    /// `watch()` returned even when a reconnect gives it a new one).
    pub fn subscription_first_name(&self, id: SubscriptionId) -> Option<&str> {
        self.subscriptions.get(&id).and_then(|s| s.first.as_deref())
    }

    /// Counts of internal tables, for leak tests: (requests in flight, outbox, registrations,
    /// rpc calls).
    pub fn table_sizes(&self) -> (usize, usize, usize, usize) {
        (
            self.in_flight.len(),
            self.outbox.len(),
            self.subscriptions.len(),
            self.rpc_calls.len(),
        )
    }

    /// The next output, or `None`.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// When [`Session::handle_timeout`] must be called next.
    pub fn poll_timeout(&self) -> Option<u64> {
        let mut t: Option<u64> = None;
        let mut at = |d: u64| t = Some(t.map_or(d, |x| x.min(d)));
        match self.phase {
            Phase::Idle => {}
            Phase::Waiting { until } => at(until),
            Phase::Opening { deadline } | Phase::Token { deadline } => at(deadline),
            Phase::Auth => {}
            Phase::Ready => {
                if let Some(d) = self.heartbeat.deadline() {
                    at(d)
                }
            }
        }
        self.in_flight.values().for_each(|(_, d)| at(*d));
        self.uploads
            .values()
            .for_each(|(_, r)| r.map_or((), &mut at));
        self.outbox.iter().for_each(|q| at(q.deadline));
        self.rpc_calls.values().for_each(|c| at(c.deadline));
        for s in self.subscriptions.values() {
            s.waiters.iter().for_each(|(_, d)| at(*d));
        }
        t
    }

    // ----- lifecycle -------------------------------------------------------------------------

    /// Starts connecting. The result comes as [`Output::ConnectDone`]. `url` overrides the
    /// configured one. Until the first sign-in succeeds nothing retries: a failure ends it.
    pub fn connect(&mut self, now: u64, url: Option<&str>) {
        let url_text = url.map(str::to_string).or_else(|| self.config.url.clone());
        let Some(url_text) = url_text.filter(|u| !u.trim().is_empty()) else {
            let e = Error::new(
                ErrorKind::InvalidArgument,
                "no URL given (Client({url}) or connect(url))",
            );
            self.outputs.push_back(Output::ConnectDone(Err(e)));
            return;
        };
        let parsed = match ServerUrl::parse(&url_text, self.config.framing) {
            Ok(u) => u,
            Err(e) => {
                self.outputs.push_back(Output::ConnectDone(Err(e)));
                return;
            }
        };
        if self.active {
            if matches!(self.phase, Phase::Ready) {
                self.outputs.push_back(Output::ConnectDone(Ok(())));
            } else {
                self.connect_pending = true;
                if let Phase::Waiting { .. } = self.phase {
                    self.start_attempt(now);
                }
            }
            return;
        }
        if let (Some(u), Some(p)) = (&parsed.username, &parsed.password) {
            self.config.username = Some(u.clone());
            self.config.password = Some(p.clone());
        }
        self.url = Some(parsed);
        self.active = true;
        self.connect_pending = true;
        self.backoff.reset();
        self.start_attempt(now);
    }

    /// Closes the connection for good: rejects what is pending, ends every registration,
    /// cancels every timer. A later [`Session::connect`] starts afresh.
    pub fn disconnect(&mut self, _now: u64) {
        if !self.active && self.socket.is_none() {
            return;
        }
        let reason = "disconnect() was called";
        if self.connect_pending {
            self.connect_pending = false;
            let e = Error::new(ErrorKind::ConnectFailed, reason);
            self.outputs.push_back(Output::ConnectDone(Err(e)));
        }
        self.close_socket(true);
        self.fail_in_flight(ErrorKind::Disconnected, reason);
        self.stop(ErrorKind::Disconnected, reason.to_string());
    }

    /// Ends the session for good (until the next `connect()`): everything that waits is failed
    /// with `kind`, every registration ends, no timer is left.
    fn stop(&mut self, kind: ErrorKind, reason: String) {
        self.active = false;
        self.fail_waiting(kind, &reason);
        let ids: Vec<_> = self.subscriptions.keys().copied().collect();
        for id in ids {
            self.remove_subscription(id);
        }
        self.phase = Phase::Idle;
        self.set_disconnected(reason);
    }

    /// The page woke up, became visible or came back online: check the link at once, or stop
    /// waiting and reconnect now.
    pub fn wake(&mut self, now: u64) {
        if !self.active {
            return;
        }
        match self.phase {
            Phase::Waiting { .. } => self.start_attempt(now),
            Phase::Ready => {
                if let HeartbeatAction::SendProbe = self.heartbeat.check_now(now) {
                    self.send_probe(now);
                }
            }
            _ => {}
        }
    }

    // ----- socket input ----------------------------------------------------------------------

    /// The socket opened.
    pub fn handle_open(&mut self, now: u64, socket: SocketId) {
        if self.socket != Some(socket) || !matches!(self.phase, Phase::Opening { .. }) {
            return;
        }
        self.heartbeat = Heartbeat::new(
            self.config.heartbeat_ms,
            self.config.heartbeat_timeout_ms,
            now,
        );
        if let Some(hello) = self.codec.handshake() {
            self.outputs.push_back(Output::Send {
                socket,
                bytes: hello,
            });
        }
        if self.config.use_token_callback {
            self.phase = Phase::Token {
                deadline: now + self.config.request_timeout_ms,
            };
            self.outputs.push_back(Output::GetToken { socket });
        } else {
            self.begin_auth(now);
        }
    }

    /// The token callback answered (for socket `socket`).
    pub fn provide_token(&mut self, now: u64, socket: SocketId, token: Result<String, String>) {
        if self.socket != Some(socket) || !matches!(self.phase, Phase::Token { .. }) {
            return;
        }
        match token {
            Ok(jwt) if !jwt.is_empty() => {
                self.config.jwt = Some(jwt);
                self.begin_auth(now);
            }
            Ok(_) => self.auth_failed(
                now,
                Error::new(ErrorKind::Signin, "get_token returned no token"),
            ),
            Err(e) => self.auth_failed(
                now,
                Error::new(ErrorKind::Signin, format!("get_token failed: {e}")),
            ),
        }
    }

    /// Bytes arrived on the socket.
    pub fn handle_data(&mut self, now: u64, socket: SocketId, bytes: &[u8]) {
        if self.socket != Some(socket) {
            return;
        }
        self.heartbeat.on_receive(now);
        self.codec.push(bytes);
        loop {
            match self.codec.next_envelope() {
                Ok(Some(env)) => {
                    self.handle_envelope(now, env);
                    if self.socket != Some(socket) {
                        return;
                    }
                }
                Ok(None) => return,
                Err(e) => {
                    let kind = if let Phase::Ready = self.phase {
                        ErrorKind::Disconnected
                    } else {
                        ErrorKind::Protocol
                    };
                    self.link_lost(now, format!("protocol error: {e}"), kind, true);
                    return;
                }
            }
        }
    }

    /// The socket closed or failed (`reason` says how).
    pub fn handle_close(&mut self, now: u64, socket: SocketId, reason: &str) {
        if self.socket != Some(socket) {
            return;
        }
        self.link_lost(now, reason.to_string(), ErrorKind::ConnectFailed, false);
    }

    /// Time passed: fire every deadline that is due.
    pub fn handle_timeout(&mut self, now: u64) {
        match self.phase {
            Phase::Waiting { until } if now >= until => self.start_attempt(now),
            Phase::Opening { deadline } if now >= deadline => self.link_lost(
                now,
                "connect timeout".into(),
                ErrorKind::ConnectFailed,
                true,
            ),
            Phase::Token { deadline } if now >= deadline => {
                self.auth_failed(now, Error::new(ErrorKind::Signin, "get_token timed out"))
            }
            Phase::Ready => match self.heartbeat.poll(now) {
                HeartbeatAction::SendProbe => self.send_probe(now),
                HeartbeatAction::Dead(silent) => {
                    let reason = format!("heartbeat timeout: no data for {silent} ms");
                    self.link_lost(now, reason, ErrorKind::Disconnected, true);
                }
                HeartbeatAction::Idle => {}
            },
            _ => {}
        }
        for (request, (_, retry)) in self.uploads.iter_mut() {
            if retry.is_some_and(|r| now >= r) {
                *retry = None;
                self.outputs
                    .push_back(Output::UploadWanted { request: *request });
            }
        }
        let due: Vec<String> = self
            .in_flight
            .iter()
            .filter(|(_, (_, d))| now >= *d)
            .map(|(k, _)| k.clone())
            .collect();
        for id in due {
            let Some((what, _)) = self.in_flight.remove(&id) else {
                continue;
            };
            match what {
                InFlight::User(r) | InFlight::UserSignin(r) => {
                    self.reply_err(r, ErrorKind::Timeout, "request timed out")
                }
                InFlight::Signin | InFlight::Guest => {
                    self.auth_failed(now, Error::new(ErrorKind::Signin, "sign-in timed out"))
                }
                InFlight::Register(sub) => {
                    if let Some(s) = self.subscriptions.get_mut(&sub) {
                        s.in_flight = None;
                    }
                    self.fail_sub_waiters(sub, ErrorKind::Timeout, "request timed out");
                }
                InFlight::RpcSend(corr) => {
                    if let Some(call) = self.rpc_calls.remove(&corr) {
                        self.reply_err(call.request, ErrorKind::Timeout, "request timed out");
                    }
                }
                InFlight::Probe | InFlight::Ignore => {}
            }
        }
        while let Some(pos) = self.outbox.iter().position(|q| now >= q.deadline) {
            let q = self.outbox.remove(pos).expect("position is valid");
            self.reply_err(
                q.request,
                ErrorKind::Timeout,
                "request timed out while waiting for the connection",
            );
        }
        let due: Vec<String> = self
            .rpc_calls
            .iter()
            .filter(|(_, c)| now >= c.deadline)
            .map(|(k, _)| k.clone())
            .collect();
        for corr in due {
            if let Some(call) = self.rpc_calls.remove(&corr) {
                self.reply_err(call.request, ErrorKind::Timeout, "rpc timed out");
            }
        }
        let subs: Vec<SubscriptionId> = self
            .subscriptions
            .iter()
            .filter(|(_, s)| s.waiters.iter().any(|(_, d)| now >= *d))
            .map(|(k, _)| *k)
            .collect();
        for sub in subs {
            self.fail_sub_waiters(sub, ErrorKind::Timeout, "request timed out");
        }
    }

    // ----- requests --------------------------------------------------------------------------

    fn new_request(&mut self) -> RequestId {
        self.next_request += 1;
        self.next_request
    }

    fn timeout_of(&self, timeout_ms: Option<u64>) -> u64 {
        timeout_ms
            .filter(|t| *t > 0)
            .unwrap_or(self.config.request_timeout_ms)
    }

    /// Sends `command` with `data`; the reply comes as [`Output::Reply`]. While reconnecting
    /// the request waits in the outbox (up to its timeout).
    pub fn request(
        &mut self,
        now: u64,
        command: &str,
        data: Any,
        timeout_ms: Option<u64>,
    ) -> RequestId {
        self.queue_request(now, command, data, false, timeout_ms)
    }

    /// Like [`Session::request`], followed by a stream (OpenFlow's upload): `beginstream`, one
    /// `stream` per chunk and `endstream`, all with `rid` = the request's id. Chunks are pulled:
    /// [`Output::UploadWanted`] asks for each one once the request is on the wire.
    pub fn request_with_upload(
        &mut self,
        now: u64,
        command: &str,
        data: Any,
        timeout_ms: Option<u64>,
    ) -> RequestId {
        self.queue_request(now, command, data, true, timeout_ms)
    }

    /// The next chunk of an upload (`None`: the end). Ignored when the upload already ended:
    /// replied, timed out, or failed with its connection.
    pub fn upload_chunk(&mut self, request: RequestId, chunk: Option<Vec<u8>>) {
        let Some(rid) = self.uploads.get(&request).map(|(rid, _)| rid.clone()) else {
            return;
        };
        if self.in_flight.get(&rid).is_none() {
            self.uploads.remove(&request);
            return;
        }
        let part = match chunk {
            Some(data) => envelope("stream", Some(to_any(&crate::pb::Stream { data }))),
            None => {
                self.uploads.remove(&request);
                envelope("endstream", Some(to_any(&crate::pb::EndStream::default())))
            }
        };
        let more = part.command == "stream";
        self.send(Envelope { rid, ..part }, None);
        if more {
            self.outputs.push_back(Output::UploadWanted { request });
        }
    }

    /// Ends an upload whose data could not be read: the request fails with `message` and no
    /// more of its stream is sent.
    pub fn abort_upload(&mut self, request: RequestId, message: &str) {
        if let Some((rid, _)) = self.uploads.remove(&request) {
            if self.in_flight.remove(&rid).is_some() {
                self.reply_err(request, ErrorKind::InvalidArgument, message);
            }
        }
    }

    /// The shell held back the chunk [`Output::UploadWanted`] asked for (the socket has too
    /// much unsent): it is asked for again [`UPLOAD_RECHECK_MS`] later.
    pub fn upload_later(&mut self, now: u64, request: RequestId) {
        if let Some((_, retry)) = self.uploads.get_mut(&request) {
            *retry = Some(now + UPLOAD_RECHECK_MS);
        }
    }

    /// Uploads with an open stream (for leak checks).
    pub fn open_uploads(&self) -> usize {
        self.uploads.len()
    }

    fn queue_request(
        &mut self,
        now: u64,
        command: &str,
        data: Any,
        upload: bool,
        timeout_ms: Option<u64>,
    ) -> RequestId {
        let request = self.new_request();
        let deadline = now + self.timeout_of(timeout_ms);
        let env = envelope(command, Some(data));
        if !self.active {
            self.reply_err(
                request,
                ErrorKind::NotConnected,
                "not connected: call connect() first",
            );
        } else if matches!(self.phase, Phase::Ready) {
            self.send_request(Queued {
                request,
                envelope: env,
                upload,
                deadline,
            });
        } else if self.outbox.len() >= self.config.outbox_limit {
            self.reply_err(
                request,
                ErrorKind::OutboxFull,
                "too many requests waiting for the connection",
            );
        } else {
            self.outbox.push_back(Queued {
                request,
                envelope: env,
                upload,
                deadline,
            });
        }
        request
    }

    fn send_request(&mut self, q: Queued) {
        let what = if q.envelope.command == "signin" {
            InFlight::UserSignin(q.request)
        } else {
            InFlight::User(q.request)
        };
        let Some(id) = self.send(q.envelope, Some((what, q.deadline))) else {
            return;
        };
        if q.upload {
            let begin = envelope(
                "beginstream",
                Some(to_any(&crate::pb::BeginStream::default())),
            );
            self.send(
                Envelope {
                    rid: id.clone(),
                    ..begin
                },
                None,
            );
            self.uploads.insert(q.request, (id, None));
            self.outputs
                .push_back(Output::UploadWanted { request: q.request });
        }
    }

    /// Registers a queue (empty name: a temporary queue) or exchange or watch; the request's
    /// reply carries the queue name (or watch id). `keep` = register again after reconnects.
    /// A named queue registered twice shares one registration (no duplicate consumers).
    pub fn subscribe(
        &mut self,
        now: u64,
        kind: SubscriptionKind,
        keep: bool,
        timeout_ms: Option<u64>,
    ) -> (SubscriptionId, RequestId) {
        let request = self.new_request();
        let deadline = now + self.timeout_of(timeout_ms);
        let kind = match kind {
            SubscriptionKind::Queue(name) => SubscriptionKind::Queue(name.to_ascii_lowercase()),
            k => k,
        };
        if let SubscriptionKind::Queue(name) = &kind {
            if !name.is_empty() {
                let existing = self.subscriptions.iter().find(|(_, s)| {
                    s.kind == kind
                        || (s.current.as_deref() == Some(name.as_str())
                            && s.kind != SubscriptionKind::RpcReplies)
                });
                if let Some((&id, s)) = existing {
                    let keep_now = s.keep || keep;
                    let (live, current) = (s.live, s.current.clone());
                    self.subscriptions.get_mut(&id).expect("found").keep = keep_now;
                    if live {
                        let name = current.unwrap_or_default();
                        self.reply_ok(request, queue_reply(&name));
                    } else if !self.active {
                        self.reply_err(
                            request,
                            ErrorKind::NotConnected,
                            "not connected: call connect() first",
                        );
                    } else {
                        self.subscriptions
                            .get_mut(&id)
                            .expect("found")
                            .waiters
                            .push((request, deadline));
                        if self.subscriptions[&id].in_flight.is_none()
                            && matches!(self.phase, Phase::Ready)
                        {
                            self.send_registration(now, id);
                        }
                    }
                    return (id, request);
                }
            }
        }
        self.next_subscription += 1;
        let id = self.next_subscription;
        if !self.active {
            self.reply_err(
                request,
                ErrorKind::NotConnected,
                "not connected: call connect() first",
            );
            return (id, request);
        }
        self.subscriptions.insert(
            id,
            Subscription {
                kind,
                current: None,
                first: None,
                live: false,
                keep,
                in_flight: None,
                waiters: vec![(request, deadline)],
            },
        );
        if matches!(self.phase, Phase::Ready) {
            self.send_registration(now, id);
        }
        (id, request)
    }

    /// Ends a registration. For queues and exchanges an `unregisterqueue` is sent if the server
    /// knows it; the returned request resolves when done.
    pub fn unsubscribe(&mut self, now: u64, id: SubscriptionId) -> RequestId {
        let sub = self.remove_subscription(id);
        match sub {
            Some(Subscription {
                kind: SubscriptionKind::Watch(_),
                live: true,
                current: Some(wid),
                ..
            }) => {
                let data = to_any(&crate::pb::UnWatchRequest { id: wid });
                self.request(now, "unwatch", data, None)
            }
            Some(Subscription {
                live: true,
                current: Some(name),
                ..
            }) => {
                let data = to_any(&UnRegisterQueueRequest { queuename: name });
                self.request(now, "unregisterqueue", data, None)
            }
            _ => {
                let request = self.new_request();
                self.reply_ok(request, envelope("unregisterqueuereply", None));
                request
            }
        }
    }

    /// The registration id bound to queue `name`, if any.
    pub fn subscription_for(&self, name: &str) -> Option<SubscriptionId> {
        let lower = name.to_ascii_lowercase();
        let by_first = || {
            let watch_id = name.strip_prefix("watch:")?;
            self.subscriptions
                .iter()
                .find(|(_, s)| s.first.as_deref() == Some(watch_id))
                .map(|(k, _)| *k)
        };
        self.routes
            .get(name)
            .or_else(|| self.routes.get(&lower))
            .copied()
            .or_else(by_first)
            .or_else(|| {
                self.subscriptions
                    .iter()
                    .find(|(_, s)| s.kind == SubscriptionKind::Queue(lower.clone()))
                    .map(|(k, _)| *k)
            })
    }

    /// Sends `message` and waits for the reply on the client's reply queue, matched by
    /// correlation id, so any number of rpcs can run at once.
    pub fn rpc(
        &mut self,
        now: u64,
        mut message: QueueMessageRequest,
        timeout_ms: Option<u64>,
    ) -> RequestId {
        let request = self.new_request();
        if !self.active {
            self.reply_err(
                request,
                ErrorKind::NotConnected,
                "not connected: call connect() first",
            );
            return request;
        }
        let corr = format!("rpc-{}", self.seq.next_id());
        message.correlation_id = corr.clone();
        let deadline = now + self.timeout_of(timeout_ms);
        self.rpc_calls.insert(
            corr.clone(),
            RpcCall {
                request,
                message,
                deadline,
                sent: false,
            },
        );
        match self.rpc_queue {
            Some(sub) if self.subscriptions.get(&sub).is_some_and(|s| s.live) => {
                self.send_rpc(now, &corr)
            }
            Some(_) => {}
            None => {
                self.next_subscription += 1;
                let id = self.next_subscription;
                self.subscriptions.insert(
                    id,
                    Subscription {
                        kind: SubscriptionKind::RpcReplies,
                        current: None,
                        first: None,
                        live: false,
                        keep: false,
                        in_flight: None,
                        waiters: vec![],
                    },
                );
                self.rpc_queue = Some(id);
                if matches!(self.phase, Phase::Ready) {
                    self.send_registration(now, id);
                }
            }
        }
        request
    }

    // ----- internals -------------------------------------------------------------------------

    fn start_attempt(&mut self, now: u64) {
        self.close_socket(false);
        self.next_socket += 1;
        let socket = self.next_socket;
        self.socket = Some(socket);
        self.seq.reset();
        self.codec = Codec::new(self.config.framing, self.config.max_frame_len);
        self.phase = Phase::Opening {
            deadline: now + self.config.connect_timeout_ms,
        };
        if self.state != State::Connecting {
            self.state = State::Connecting;
            self.outputs
                .push_back(Output::Event(ClientEvent::Connecting));
        }
        let url = self
            .url
            .as_ref()
            .map(|u| u.socket_url())
            .unwrap_or_default();
        self.outputs.push_back(Output::OpenSocket {
            socket,
            url,
            protocols: self.config.framing.subprotocols(),
        });
    }

    fn begin_auth(&mut self, now: u64) {
        self.phase = Phase::Auth;
        // Signing in is part of connecting: a server that accepts the socket and then says
        // nothing is given the connect timeout, not the (longer) request timeout.
        let deadline = now
            + self
                .config
                .connect_timeout_ms
                .min(self.config.request_timeout_ms);
        let c = &self.config;
        let signin = if let (Some(u), Some(p)) = (&c.username, &c.password) {
            Some(SigninRequest {
                username: u.clone(),
                password: p.clone(),
                ping: true,
                ..Default::default()
            })
        } else {
            c.jwt.as_ref().map(|jwt| SigninRequest {
                jwt: jwt.clone(),
                ping: true,
                ..Default::default()
            })
        };
        match signin {
            Some(mut req) => {
                req.agent = c.agent.clone();
                req.version = c.version.clone();
                self.send(
                    envelope("signin", Some(to_any(&req))),
                    Some((InFlight::Signin, deadline)),
                );
            }
            None => {
                let data = to_any(&GetElementRequest::default());
                self.send(
                    envelope("getelement", Some(data)),
                    Some((InFlight::Guest, deadline)),
                );
            }
        }
    }

    fn auth_failed(&mut self, now: u64, error: Error) {
        let reason = format!("sign-in failed: {}", error.message);
        if self.connect_pending {
            self.connect_pending = false;
            self.outputs.push_back(Output::ConnectDone(Err(error)));
            self.close_socket(true);
            self.fail_in_flight(ErrorKind::ConnectFailed, &reason);
            self.stop(ErrorKind::ConnectFailed, reason);
        } else {
            self.link_lost(now, reason, ErrorKind::Signin, true);
        }
    }

    fn became_ready(&mut self, now: u64, state: State) {
        self.phase = Phase::Ready;
        self.ready_since = now;
        let was = self.state;
        self.state = state;
        if matches!(was, State::Disconnected | State::Connecting) {
            self.outputs
                .push_back(Output::Event(ClientEvent::Connected));
        }
        if state == State::SignedIn && was != State::SignedIn {
            self.outputs.push_back(Output::Event(ClientEvent::SignedIn));
        }
        if self.connect_pending {
            self.connect_pending = false;
            self.outputs.push_back(Output::ConnectDone(Ok(())));
        }
        let subs: Vec<SubscriptionId> = self
            .subscriptions
            .iter()
            .filter(|(_, s)| !s.live && s.in_flight.is_none())
            .filter(|(_, s)| {
                !s.waiters.is_empty()
                    || (s.keep && self.config.auto_reregister)
                    || s.kind == SubscriptionKind::RpcReplies
            })
            .map(|(k, _)| *k)
            .collect();
        for id in subs {
            self.send_registration(now, id);
        }
        while let Some(q) = self.outbox.pop_front() {
            self.send_request(q);
        }
    }

    fn send_registration(&mut self, now: u64, id: SubscriptionId) {
        let Some(sub) = self.subscriptions.get(&id) else {
            return;
        };
        let (command, data) = match &sub.kind {
            SubscriptionKind::Queue(name) => {
                // A named queue keeps its name; a temporary one asks for a fresh name.
                (
                    "registerqueue",
                    to_any(&RegisterQueueRequest {
                        queuename: name.clone(),
                    }),
                )
            }
            SubscriptionKind::RpcReplies => {
                ("registerqueue", to_any(&RegisterQueueRequest::default()))
            }
            SubscriptionKind::Exchange(req) => ("registerexchange", to_any(req)),
            SubscriptionKind::Watch(req) => ("watch", to_any(req)),
        };
        let deadline = now + self.config.request_timeout_ms;
        let id_str = self.send(
            envelope(command, Some(data)),
            Some((InFlight::Register(id), deadline)),
        );
        if let Some(s) = self.subscriptions.get_mut(&id) {
            s.in_flight = id_str;
        }
    }

    fn send_rpc(&mut self, now: u64, corr: &str) {
        let Some(reply_to) = self
            .rpc_queue
            .and_then(|s| self.subscriptions.get(&s))
            .and_then(|s| s.current.clone())
        else {
            return;
        };
        let Some(call) = self.rpc_calls.get_mut(corr) else {
            return;
        };
        call.sent = true;
        let mut msg = call.message.clone();
        msg.replyto = reply_to;
        let deadline = call.deadline.max(now);
        self.send(
            envelope("queuemessage", Some(to_any(&msg))),
            Some((InFlight::RpcSend(corr.to_string()), deadline)),
        );
    }

    fn send_probe(&mut self, now: u64) {
        let deadline = now + self.config.heartbeat_timeout_ms;
        let data = to_any(&GetElementRequest::default());
        self.send(
            envelope("getelement", Some(data)),
            Some((InFlight::Probe, deadline)),
        );
    }

    /// Stamps and sends `env` on the current socket; returns its id.
    fn send(&mut self, mut env: Envelope, track: Option<(InFlight, u64)>) -> Option<String> {
        let socket = self.socket?;
        self.seq.stamp(&mut env);
        let bytes = self.codec.encode(&env);
        if let Some(t) = track {
            self.in_flight.insert(env.id.clone(), t);
        }
        self.outputs.push_back(Output::Send { socket, bytes });
        Some(env.id)
    }

    fn handle_envelope(&mut self, now: u64, env: Envelope) {
        if matches!(env.command.as_str(), "beginstream" | "stream" | "endstream") {
            // Download chunks share the rid of the request, which stays open for its reply.
            if let Some((InFlight::User(request), _)) = self.in_flight.get(&env.rid) {
                let request = *request;
                self.outputs.push_back(Output::Stream {
                    request,
                    envelope: env,
                });
            }
            return;
        }
        if !env.rid.is_empty() {
            if let Some((what, _)) = self.in_flight.remove(&env.rid) {
                self.complete(now, what, env);
                return;
            }
        }
        match env.command.as_str() {
            "ping" => {
                let pong = Envelope {
                    command: "pong".into(),
                    rid: env.id.clone(),
                    ..Default::default()
                };
                self.send(pong, None);
            }
            "refreshtoken" => {
                if let Ok(t) = decode::<RefreshToken>(&env) {
                    if !t.jwt.is_empty() {
                        self.config.jwt = Some(t.jwt);
                    }
                    if t.user.is_some() {
                        self.user = t.user;
                    }
                }
            }
            "queueevent" => self.route_queue_event(now, env),
            "watchevent" => {
                if let Ok(ev) = decode::<WatchEvent>(&env) {
                    if let Some(&sub) = self.routes.get(&format!("watch:{}", ev.id)) {
                        self.outputs.push_back(Output::Message {
                            subscription: sub,
                            envelope: env,
                        });
                    }
                }
            }
            // Unknown or unsolicited commands are ignored, as the official clients do.
            _ => {}
        }
    }

    fn route_queue_event(&mut self, now: u64, env: Envelope) {
        let Ok(ev) = decode::<QueueEvent>(&env) else {
            return;
        };
        let Some(&sub) = self.routes.get(&ev.queuename.to_ascii_lowercase()) else {
            return;
        };
        if Some(sub) == self.rpc_queue {
            if let Some(call) = self.rpc_calls.remove(&ev.correlation_id) {
                self.reply_ok(call.request, env);
            }
            let _ = now;
            return;
        }
        self.outputs.push_back(Output::Message {
            subscription: sub,
            envelope: env,
        });
    }

    fn complete(&mut self, now: u64, what: InFlight, env: Envelope) {
        match what {
            InFlight::User(r) => {
                // A reply (even an early error) ends an upload's stream.
                self.uploads.remove(&r);
                match error_of(&env) {
                    Some(e) => self.outputs.push_back(Output::Reply {
                        request: r,
                        result: Err(e),
                    }),
                    None => self.reply_ok(r, env),
                }
            }
            InFlight::UserSignin(r) => match error_of(&env) {
                Some(mut e) => {
                    e.kind = ErrorKind::Signin;
                    self.outputs.push_back(Output::Reply {
                        request: r,
                        result: Err(e),
                    });
                }
                None => {
                    if let Ok(resp) = decode::<SigninResponse>(&env) {
                        if !resp.jwt.is_empty() {
                            self.config.jwt = Some(resp.jwt);
                        }
                        self.user = resp.user;
                        if self.state == State::Connected {
                            self.state = State::SignedIn;
                            self.outputs.push_back(Output::Event(ClientEvent::SignedIn));
                        }
                    }
                    self.reply_ok(r, env);
                }
            },
            InFlight::Signin => match error_of(&env) {
                Some(e) => self.auth_failed(
                    now,
                    Error {
                        kind: ErrorKind::Signin,
                        ..e
                    },
                ),
                None => match decode::<SigninResponse>(&env) {
                    Ok(resp) => {
                        if !resp.jwt.is_empty() && self.config.password.is_none() {
                            self.config.jwt = Some(resp.jwt);
                        }
                        self.user = resp.user;
                        self.became_ready(now, State::SignedIn);
                    }
                    Err(e) => self.auth_failed(now, e),
                },
            },
            InFlight::Guest => match error_of(&env) {
                Some(e) => self.auth_failed(
                    now,
                    Error {
                        kind: ErrorKind::ConnectFailed,
                        ..e
                    },
                ),
                None => self.became_ready(now, State::Connected),
            },
            InFlight::Register(sub) => self.registered(now, sub, env),
            InFlight::RpcSend(corr) => {
                if let Some(e) = error_of(&env) {
                    if let Some(call) = self.rpc_calls.remove(&corr) {
                        self.outputs.push_back(Output::Reply {
                            request: call.request,
                            result: Err(e),
                        });
                    }
                }
            }
            InFlight::Probe | InFlight::Ignore => {}
        }
    }

    fn registered(&mut self, now: u64, id: SubscriptionId, env: Envelope) {
        let Some(sub) = self.subscriptions.get_mut(&id) else {
            return;
        };
        sub.in_flight = None;
        if let Some(e) = error_of(&env) {
            let waiters = std::mem::take(&mut sub.waiters);
            let is_rpc = sub.kind == SubscriptionKind::RpcReplies;
            if waiters.is_empty() && !is_rpc {
                let what = sub.current.clone().unwrap_or_default();
                self.outputs
                    .push_back(Output::Event(ClientEvent::Error(format!(
                        "could not register '{what}' again: {}",
                        e.message
                    ))));
                return;
            }
            for (r, _) in waiters {
                self.outputs.push_back(Output::Reply {
                    request: r,
                    result: Err(e.clone()),
                });
            }
            self.remove_subscription(id);
            if is_rpc {
                self.fail_rpc_calls(&e);
            }
            return;
        }
        let name = match decode_name(&env) {
            Ok(n) => n,
            Err(e) => {
                let waiters = std::mem::take(&mut sub.waiters);
                for (r, _) in waiters {
                    self.outputs.push_back(Output::Reply {
                        request: r,
                        result: Err(e.clone()),
                    });
                }
                return;
            }
        };
        let route = match sub.kind {
            SubscriptionKind::Watch(_) => format!("watch:{name}"),
            _ => name.to_ascii_lowercase(),
        };
        let old = sub.current.replace(name.clone());
        sub.first.get_or_insert_with(|| name.clone());
        sub.live = true;
        let waiters = std::mem::take(&mut sub.waiters);
        let is_rpc = sub.kind == SubscriptionKind::RpcReplies;
        let is_watch = matches!(sub.kind, SubscriptionKind::Watch(_));
        self.routes.insert(route, id);
        if let Some(old) = old.filter(|o| *o != name) {
            // Watches keep their first id towards the app, so only queues are "renamed".
            if !is_rpc && !is_watch {
                self.outputs
                    .push_back(Output::Event(ClientEvent::QueueRenamed {
                        subscription: id,
                        old,
                        new: name.clone(),
                    }));
            }
        }
        for (r, _) in waiters {
            self.reply_ok(r, env.clone());
        }
        if is_rpc {
            let pending: Vec<String> = self
                .rpc_calls
                .iter()
                .filter(|(_, c)| !c.sent)
                .map(|(k, _)| k.clone())
                .collect();
            for corr in pending {
                self.send_rpc(now, &corr);
            }
        }
    }

    fn link_lost(&mut self, now: u64, reason: String, first_kind: ErrorKind, close: bool) {
        self.close_socket(close);
        self.fail_in_flight(ErrorKind::Disconnected, &format!("disconnected: {reason}"));
        // rpc calls whose message went out will never see their reply (the reply queue died).
        let sent: Vec<String> = self
            .rpc_calls
            .iter()
            .filter(|(_, c)| c.sent)
            .map(|(k, _)| k.clone())
            .collect();
        for corr in sent {
            if let Some(call) = self.rpc_calls.remove(&corr) {
                self.reply_err(
                    call.request,
                    ErrorKind::Disconnected,
                    &format!("disconnected: {reason}"),
                );
            }
        }
        self.routes.clear();
        let ids: Vec<SubscriptionId> = self.subscriptions.keys().copied().collect();
        for id in ids {
            let s = self.subscriptions.get_mut(&id).expect("listed");
            s.live = false;
            s.in_flight = None;
            let drop_it = s.waiters.is_empty()
                && s.kind != SubscriptionKind::RpcReplies
                && !(s.keep && self.config.auto_reregister);
            if drop_it {
                self.remove_subscription(id);
            }
        }
        if let Some(rpc) = self.rpc_queue {
            if self.rpc_calls.is_empty() {
                self.remove_subscription(rpc);
            }
        }
        if self.connect_pending {
            self.connect_pending = false;
            let kind = if first_kind == ErrorKind::Disconnected {
                ErrorKind::ConnectFailed
            } else {
                first_kind
            };
            self.outputs
                .push_back(Output::ConnectDone(Err(Error::new(kind, reason.clone()))));
            self.stop(ErrorKind::ConnectFailed, reason);
            return;
        }
        if !self.active {
            self.stop(ErrorKind::Disconnected, reason);
            return;
        }
        if matches!(self.phase, Phase::Ready)
            && now.saturating_sub(self.ready_since) >= self.config.stable_after_ms
        {
            self.backoff.reset();
        }
        match self.backoff.next_delay(&mut self.rng) {
            Some(delay) => {
                self.phase = Phase::Waiting { until: now + delay };
                self.set_disconnected(reason);
            }
            None => {
                let attempts = self.backoff.attempts();
                let why = format!("{reason}; gave up after {attempts} reconnect attempts");
                self.stop(ErrorKind::GaveUp, why);
            }
        }
    }

    fn set_disconnected(&mut self, reason: String) {
        if self.state != State::Disconnected {
            self.state = State::Disconnected;
            self.outputs
                .push_back(Output::Event(ClientEvent::Disconnected(reason)));
        }
    }

    fn close_socket(&mut self, say_goodbye: bool) {
        if let Some(socket) = self.socket.take() {
            if say_goodbye && matches!(self.phase, Phase::Auth | Phase::Ready | Phase::Token { .. })
            {
                if let Some(bytes) = self.codec.goodbye() {
                    self.outputs.push_back(Output::Send { socket, bytes });
                }
            }
            self.outputs.push_back(Output::CloseSocket { socket });
        }
    }

    fn fail_in_flight(&mut self, kind: ErrorKind, message: &str) {
        let all: Vec<(InFlight, u64)> = self.in_flight.take_values();
        for (what, _) in all {
            match what {
                InFlight::User(r) | InFlight::UserSignin(r) => self.reply_err(r, kind, message),
                InFlight::Register(sub) => {
                    if let Some(s) = self.subscriptions.get_mut(&sub) {
                        s.in_flight = None;
                    }
                }
                // rpc sends are failed by the caller, which knows whether they were sent.
                _ => {}
            }
        }
    }

    /// Fails everything that waits for a connection: outbox, registration waiters, rpc calls.
    fn fail_waiting(&mut self, kind: ErrorKind, message: &str) {
        while let Some(q) = self.outbox.pop_front() {
            self.reply_err(q.request, kind, message);
        }
        let subs: Vec<SubscriptionId> = self
            .subscriptions
            .iter()
            .filter(|(_, s)| !s.waiters.is_empty())
            .map(|(k, _)| *k)
            .collect();
        for sub in subs {
            let waiters =
                std::mem::take(&mut self.subscriptions.get_mut(&sub).expect("listed").waiters);
            for (r, _) in waiters {
                self.reply_err(r, kind, message);
            }
            if !self.subscriptions[&sub].live && self.subscriptions[&sub].current.is_none() {
                self.remove_subscription(sub);
            }
        }
        self.fail_rpc_calls(&Error::new(kind, message));
    }

    /// Rejects every rpc call, sent or waiting, with `error`.
    fn fail_rpc_calls(&mut self, error: &Error) {
        for call in self.rpc_calls.take_values() {
            self.outputs.push_back(Output::Reply {
                request: call.request,
                result: Err(error.clone()),
            });
        }
    }

    fn fail_sub_waiters(&mut self, sub: SubscriptionId, kind: ErrorKind, message: &str) {
        let Some(s) = self.subscriptions.get_mut(&sub) else {
            return;
        };
        let now_due: Vec<(RequestId, u64)> = std::mem::take(&mut s.waiters);
        for (r, _) in now_due {
            self.reply_err(r, kind, message);
        }
        // A registration that never reached the server is abandoned with its request.
        if self
            .subscriptions
            .get(&sub)
            .is_some_and(|s| s.current.is_none() && !s.live)
        {
            if let Some(id) = self.subscriptions[&sub].in_flight.clone() {
                if let Some(entry) = self.in_flight.get_mut(&id) {
                    entry.0 = InFlight::Ignore;
                }
            }
            self.remove_subscription(sub);
        }
    }

    fn remove_subscription(&mut self, id: SubscriptionId) -> Option<Subscription> {
        let sub = self.subscriptions.remove(&id)?;
        self.routes.retain(|_, v| *v != id);
        if self.rpc_queue == Some(id) {
            self.rpc_queue = None;
        } else {
            self.outputs
                .push_back(Output::SubscriptionClosed { subscription: id });
        }
        Some(sub)
    }

    fn reply_ok(&mut self, request: RequestId, env: Envelope) {
        self.outputs.push_back(Output::Reply {
            request,
            result: Ok(env),
        });
    }

    fn reply_err(&mut self, request: RequestId, kind: ErrorKind, message: &str) {
        self.uploads.remove(&request);
        self.outputs.push_back(Output::Reply {
            request,
            result: Err(Error::new(kind, message)),
        });
    }
}

fn queue_reply(name: &str) -> Envelope {
    envelope(
        "registerqueuereply",
        Some(to_any(&RegisterQueueResponse {
            queuename: name.to_string(),
        })),
    )
}
