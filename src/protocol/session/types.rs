//! What the session tells the shell: its state, the events for the application, and the
//! [`Output`]s the shell carries out.

use crate::pb::Envelope;
use crate::protocol::error::Error;

/// Identifies one request made through the session; its result comes as [`Output::Reply`].
pub type RequestId = u64;
/// Identifies one queue, exchange or watch registration.
pub type SubscriptionId = u64;
/// Identifies one WebSocket; events of an old socket are ignored.
pub type SocketId = u64;

/// Settings of one request: its timeout and the identity it is sent with. `jwt`, `traceid` and
/// `spanid` go on this request's envelope and no other (npm `openiap`'s per-call `jwt`, the Rust
/// client's `EnvConfig`); empty ones are left out. `Debug` never shows the JWT.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Call {
    /// The request's timeout; `None` (or 0): the session's default.
    pub timeout_ms: Option<u64>,
    /// A JWT for this request only (`Envelope.jwt`).
    pub jwt: String,
    /// OpenTelemetry trace id (`Envelope.traceid`).
    pub traceid: String,
    /// OpenTelemetry span id (`Envelope.spanid`).
    pub spanid: String,
    /// A stream follows the request (OpenFlow's `upload`): `beginstream`, one `stream` per chunk,
    /// `endstream`, all with `rid` = the request's id; chunks are pulled with
    /// [`Output::UploadWanted`].
    pub upload: bool,
}

impl std::fmt::Debug for Call {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call")
            .field("timeout_ms", &self.timeout_ms)
            .field("jwt", &(!self.jwt.is_empty()).then_some("***"))
            .field("traceid", &self.traceid)
            .field("spanid", &self.spanid)
            .field("upload", &self.upload)
            .finish()
    }
}

impl Call {
    /// A call that only sets a timeout.
    pub fn timeout(timeout_ms: Option<u64>) -> Call {
        Call {
            timeout_ms,
            ..Call::default()
        }
    }

    /// Puts this call's identity on `envelope`.
    pub fn stamp(&self, envelope: &mut Envelope) {
        envelope.jwt.clone_from(&self.jwt);
        envelope.traceid.clone_from(&self.traceid);
        envelope.spanid.clone_from(&self.spanid);
    }
}

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
    /// The name `get_state()` gives in JS: npm `openiap`'s (the Rust client's `ClientState`
    /// display), so `Signedin` with a lower-case i while the event is `SignedIn`.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Disconnected => "Disconnected",
            State::Connecting => "Connecting",
            State::Connected => "Connected",
            State::SignedIn => "Signedin",
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
    /// HTTP transport: POST `body` to the server's URL ([`super::Session::http_url`]) with `bearer`
    /// (when not empty) as `Authorization: Bearer`, and answer with
    /// [`super::Session::handle_http_reply`]. `socket` is the link the post belongs to:
    /// [`Output::CloseSocket`] of it aborts every post still running.
    #[cfg(feature = "http")]
    Post {
        /// The link.
        socket: SocketId,
        /// The request: the body is its `command`, `id`, `traceid`, `spanid`, and its payload
        /// as Node's Buffer JSON; no `rid` (with one, OpenFlow answers an error with `{}`) and no
        /// `jwt` (the token goes in the `Authorization` header).
        envelope: Envelope,
        /// The JWT the request carries (the per-call one, or the session's); never logged.
        bearer: String,
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
        /// A `watchevent` (else a `queueevent`).
        watch: bool,
        /// The event (`QueueEvent` or `WatchEvent` bytes).
        payload: Vec<u8>,
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
