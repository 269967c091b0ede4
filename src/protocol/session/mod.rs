//! The connection state machine: Disconnected → Connecting → Connected → SignedIn, sign-in,
//! request correlation, the bounded outbox, queue registrations that survive reconnects, rpc over
//! a reply queue, reconnect backoff and the heartbeat.
//!
//! It does no I/O. The shell feeds it socket events, received bytes and the current time, and
//! drains [`Output`]s with [`Session::poll_output`] (one at a time, so callbacks run by the shell
//! may call back into the session), then arms one timer for [`Session::poll_timeout`].
//!
//! One file per concern, each adding methods to [`Session`]:
//!
//! | file | concern |
//! |---|---|
//! | `types.rs` | ids, [`State`], [`ClientEvent`], [`Output`] |
//! | `config.rs` | [`Config`] |
//! | `tables.rs` | registrations, requests in flight, outbox entries, rpc calls, phases, route keys |
//! | `lifecycle.rs` | connect, disconnect, wake, a socket per attempt, link loss and backoff |
//! | `auth.rs` | sign-in (or guest) on every socket, becoming ready |
//! | `input.rs` | bytes in, replies matched, server pushes |
//! | `timers.rs` | the next deadline and what is due at it |
//! | `requests.rs` | requests, the outbox, sending, settling |
//! | `upload.rs` | upload streams |
//! | `subscriptions.rs` | queues, exchanges, watches and their routes |
//! | `rpc.rs` | rpc over one reply queue |
//! | `failure.rs` | rejecting everything that waits |
//! | `http.rs` | the HTTP transport: posts, their replies, JWT renewal, what it cannot carry |

mod auth;
mod config;
mod failure;
#[cfg(feature = "http")]
mod http;
mod input;
mod lifecycle;
mod requests;
mod rpc;
mod subscriptions;
mod tables;
mod timers;
mod types;
mod upload;

pub use config::Config;
pub use tables::{RouteKey, SubscriptionKind};
pub use types::{Call, ClientEvent, Output, RequestId, SocketId, State, SubscriptionId};
pub use upload::UPLOAD_RECHECK_MS;

use crate::protocol::backoff::Backoff;
use crate::protocol::envelope::Sequencer;
use crate::protocol::framing::Codec;
use crate::protocol::heartbeat::Heartbeat;
use crate::protocol::rng::Rng;
use crate::protocol::url::ServerUrl;
use crate::protocol::vecmap::VecMap;
use tables::{InFlight, Phase, Queued, RpcCall, Subscription};

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
    outbox: Vec<Queued>,
    subscriptions: VecMap<SubscriptionId, Subscription>,
    routes: VecMap<RouteKey, SubscriptionId>,
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
    /// The signed-in user, as the `User` message's bytes (decoded only when asked for).
    user: Option<Vec<u8>>,
    /// Outputs not yet polled, from `next_output` on (a `Vec` and an index: less wasm than a
    /// `VecDeque`).
    outputs: Vec<Option<Output>>,
    next_output: usize,
    /// The insecure-credentials warning was given (once per session).
    warned_insecure: bool,
    /// The HTTP transport: each request is one `POST /api/v2` (an `http(s)://` URL).
    #[cfg(feature = "http")]
    http: bool,
    rng: Rng,
}

impl Session {
    /// A session with `config`; `seed` drives jitter.
    pub fn new(config: Config, seed: u64) -> Session {
        let codec = Codec::new(config.framing, config.max_frame_len);
        let backoff = Backoff::new(config.backoff.clone());
        let heartbeat = Heartbeat::new(config.heartbeat_ms, config.heartbeat_timeout_ms, 0);
        #[cfg(feature = "http")]
        let http = config
            .url
            .as_deref()
            .and_then(|u| ServerUrl::parse(u, config.framing).ok())
            .is_some_and(|u| u.is_http());
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
            outbox: Vec::new(),
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
            outputs: Vec::new(),
            next_output: 0,
            warned_insecure: false,
            #[cfg(feature = "http")]
            http,
            rng: Rng::new(seed),
        }
    }

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

    /// Changes the client version sent at the next sign-in.
    pub fn set_agent_version(&mut self, version: String) {
        self.config.version = version;
    }

    /// Changes the agent name sent at the next sign-in.
    pub fn set_agent_name(&mut self, agent: String) {
        self.config.agent = agent;
    }

    /// The signed-in user, if any: the bytes of its `User` message.
    pub fn user(&self) -> Option<&[u8]> {
        self.user.as_deref()
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

    /// Whether outputs wait for [`Session::poll_output`]. With none, nothing was sent and no
    /// deadline came nearer, so a shell may leave its timer as it is.
    pub fn has_output(&self) -> bool {
        self.next_output < self.outputs.len()
    }

    /// The next output, or `None`.
    pub fn poll_output(&mut self) -> Option<Output> {
        let next = self
            .outputs
            .get_mut(self.next_output)
            .and_then(Option::take);
        if next.is_some() {
            self.next_output += 1;
        } else {
            self.outputs.clear();
            self.next_output = 0;
        }
        next
    }

    /// Queues an output for the shell.
    fn out(&mut self, output: Output) {
        self.outputs.push(Some(output));
    }
}
