//! The session's bookkeeping: what a registration is, what each envelope in flight waits for,
//! requests waiting for the connection, rpc calls, the connection phase, and the typed key that
//! routes server pushes (`queueevent`, `watchevent`) to a registration.

use super::types::{Call, RequestId, SubscriptionId};
use crate::pb::{Envelope, QueueMessageRequest, RegisterExchangeRequest, WatchRequest};

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
pub(super) struct Subscription {
    pub(super) kind: SubscriptionKind,
    /// Queue name (queues, exchanges) or watch id given by the server, kept across reconnects
    /// so that a new name can be reported.
    pub(super) current: Option<String>,
    /// The first name or id the server gave; the app knows the registration by it.
    pub(super) first: Option<String>,
    /// True while the server knows it on the current socket.
    pub(super) live: bool,
    /// Register again after reconnects.
    pub(super) keep: bool,
    /// The registration request in flight, if any.
    pub(super) in_flight: Option<String>,
    /// `Some` once the app unregistered it while the server knew it: the unregister request is
    /// in flight, messages still reach the callback, and these app requests resolve when it ends.
    pub(super) closing: Option<Vec<RequestId>>,
    /// User requests waiting for this registration: (request, deadline).
    pub(super) waiters: Vec<(RequestId, u64)>,
    /// The identity it is registered with (again after every reconnect).
    pub(super) call: Call,
}

#[derive(Debug)]
pub(super) enum InFlight {
    User(RequestId),
    /// A `signin()` of the app; `true` with `validateonly`.
    UserSignin(RequestId, bool),
    Signin,
    Guest,
    Probe,
    Register(SubscriptionId),
    /// A registration the app gave up before the server answered (unregistered, aborted, timed
    /// out): what the reply registers is unregistered again, with this identity.
    Undo {
        watch: bool,
        call: Call,
    },
    /// The unregister of a live registration (which stays until this is answered).
    Unregister(SubscriptionId),
    RpcSend(String),
    Ignore,
}

#[derive(Debug)]
pub(super) struct Queued {
    pub(super) request: RequestId,
    pub(super) envelope: Envelope,
    /// An upload: `beginstream` follows the request, then chunks as the shell gives them.
    pub(super) upload: bool,
    pub(super) deadline: u64,
}

#[derive(Debug)]
pub(super) struct RpcCall {
    pub(super) request: RequestId,
    pub(super) message: QueueMessageRequest,
    /// The identity the message is sent with.
    pub(super) call: Call,
    pub(super) deadline: u64,
    pub(super) sent: bool,
}

#[derive(Debug)]
pub(super) enum Phase {
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

/// Where a server push goes: a queue by its (lower-cased) name, or a watch by the id the server
/// gave it on the current socket.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum RouteKey {
    /// `queueevent`s of this queue.
    Queue(String),
    /// `watchevent`s of this watch id.
    Watch(String),
}
