//! Typed errors of the protocol core. Messages never contain credentials.

use std::fmt;

use crate::protocol::text::{concat, num};

/// What went wrong while reading a framed byte stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameError {
    /// A frame announced more bytes than the configured maximum; nothing was allocated for it.
    TooLarge {
        /// Announced length of the frame.
        len: usize,
        /// The configured maximum.
        max: usize,
    },
    /// The frame's bytes are not a valid protobuf `Envelope`.
    Decode(String),
    /// The byte stream does not follow the framing (bad flag byte, compressed frame, ...).
    Malformed(String),
    /// A gRPC-web trailer carried a non-zero `grpc-status`.
    GrpcStatus {
        /// The gRPC status code.
        code: u32,
        /// `grpc-message`, percent-decoded.
        message: String,
    },
    /// The peer ended the stream (gRPC-web trailer with `grpc-status: 0`).
    EndOfStream,
}

impl FrameError {
    /// What went wrong, as text (the `Display` text; built without the formatting machinery).
    pub fn text(&self) -> String {
        match self {
            FrameError::TooLarge { len, max } => concat(&[
                "frame of ",
                &num(*len as u64),
                " bytes exceeds the maximum of ",
                &num(*max as u64),
                " bytes",
            ]),
            FrameError::Decode(e) => concat(&["invalid envelope: ", e]),
            FrameError::Malformed(e) => concat(&["malformed frame: ", e]),
            FrameError::GrpcStatus { code, message } => {
                concat(&["grpc-status ", &num(*code as u64), ": ", message])
            }
            FrameError::EndOfStream => "server ended the stream".into(),
        }
    }
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

impl std::error::Error for FrameError {}

/// The kind of a client error, stable across versions (exposed to JS as `error.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The request was in flight when the connection was lost.
    Disconnected,
    /// No reply arrived within the request timeout.
    Timeout,
    /// The server answered with an `error` envelope.
    Server,
    /// Sign-in was refused.
    Signin,
    /// The client is not connected (never connected, or `disconnect()` was called).
    NotConnected,
    /// The connection could not be opened or was lost before the first sign-in.
    ConnectFailed,
    /// The URL or another option is invalid.
    InvalidArgument,
    /// The peer broke the wire protocol (bad frame, oversized frame, undecodable reply).
    Protocol,
    /// Too many requests are waiting for the connection to come back.
    OutboxFull,
    /// The reconnect attempt limit was reached.
    GaveUp,
    /// The app stopped what the request was for before it finished (an `unregister_queue` or
    /// `unwatch` while the registration was still in flight).
    Cancelled,
    /// The transport in use cannot carry this call (a queue or watch over `/api/v2`).
    NotSupported,
    /// The server refused the request for its rate limit (HTTP 429).
    RateLimited,
}

impl ErrorKind {
    /// Name used in JS (`err.kind`).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Disconnected => "Disconnected",
            ErrorKind::Timeout => "Timeout",
            ErrorKind::Server => "Server",
            ErrorKind::Signin => "Signin",
            ErrorKind::NotConnected => "NotConnected",
            ErrorKind::ConnectFailed => "ConnectFailed",
            ErrorKind::InvalidArgument => "InvalidArgument",
            ErrorKind::Protocol => "Protocol",
            ErrorKind::OutboxFull => "OutboxFull",
            ErrorKind::GaveUp => "GaveUp",
            ErrorKind::Cancelled => "Cancelled",
            ErrorKind::NotSupported => "NotSupported",
            ErrorKind::RateLimited => "RateLimited",
        }
    }
}

/// An error of a client operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// What kind of failure this is.
    pub kind: ErrorKind,
    /// Human readable text (from the server for [`ErrorKind::Server`] and [`ErrorKind::Signin`]).
    pub message: String,
    /// The server's error code, or 0.
    pub code: i32,
}

impl Error {
    /// An error of `kind` with `message` and code 0.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            code: 0,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&concat(&[self.kind.as_str(), ": ", &self.message]))
    }
}

impl std::error::Error for Error {}

impl From<FrameError> for Error {
    fn from(e: FrameError) -> Self {
        Error::new(ErrorKind::Protocol, e.text())
    }
}
