//! How envelopes travel on a WebSocket: the two framings ([`openiap`] for `/ws/v2`, [`grpc_web`]
//! for gRPC-web gateways) over one shared deframer core, and [`Codec`], the one interface the
//! connection state machine uses.

mod deframer;
pub mod grpc_web;
pub mod openiap;

use crate::pb::Envelope;
use crate::protocol::error::FrameError;

/// How envelopes are framed on the WebSocket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Framing {
    /// `/ws/v2`: 4-byte little-endian length + envelope (what OpenFlow servers speak).
    #[default]
    OpenIap,
    /// gRPC-web over WebSocket, for gRPC-web gateways in front of the gRPC endpoint.
    GrpcWeb,
}

impl Framing {
    /// Parses `"openiap"` or `"grpc-web"`.
    pub fn parse(name: &str) -> Option<Framing> {
        match name {
            "openiap" | "" => Some(Framing::OpenIap),
            "grpc-web" => Some(Framing::GrpcWeb),
            _ => None,
        }
    }

    /// The path used when the URL has none.
    pub fn default_path(self) -> &'static str {
        match self {
            Framing::OpenIap => "/ws/v2",
            Framing::GrpcWeb => grpc_web::METHOD_PATH,
        }
    }

    /// WebSocket subprotocols to request.
    pub fn subprotocols(self) -> &'static [&'static str] {
        match self {
            Framing::OpenIap => &[],
            Framing::GrpcWeb => &[grpc_web::SUBPROTOCOL],
        }
    }
}

/// Encoder and stream decoder of one socket.
#[derive(Debug)]
pub enum Codec {
    /// `openiap` framing.
    OpenIap(openiap::Deframer),
    /// gRPC-web framing.
    GrpcWeb(grpc_web::Deframer),
}

impl Codec {
    /// A codec for a new socket.
    pub fn new(framing: Framing, max_frame_len: usize) -> Codec {
        match framing {
            Framing::OpenIap => Codec::OpenIap(openiap::Deframer::new(max_frame_len)),
            Framing::GrpcWeb => Codec::GrpcWeb(grpc_web::Deframer::new(max_frame_len)),
        }
    }

    /// Messages to send right after the socket opens.
    pub fn handshake(&self) -> Option<Vec<u8>> {
        match self {
            Codec::OpenIap(_) => None,
            Codec::GrpcWeb(_) => Some(grpc_web::request_headers()),
        }
    }

    /// Message to send before closing the socket on purpose.
    pub fn goodbye(&self) -> Option<Vec<u8>> {
        match self {
            Codec::OpenIap(_) => None,
            Codec::GrpcWeb(_) => Some(grpc_web::END_OF_CLIENT_STREAM.to_vec()),
        }
    }

    /// One WebSocket message holding `envelope`.
    pub fn encode(&self, envelope: &Envelope) -> Vec<u8> {
        match self {
            Codec::OpenIap(_) => openiap::encode(envelope),
            Codec::GrpcWeb(_) => grpc_web::encode_client_message(envelope),
        }
    }

    /// Appends received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        match self {
            Codec::OpenIap(d) => d.push(bytes),
            Codec::GrpcWeb(d) => d.push(bytes),
        }
    }

    /// The next complete envelope's bytes, in place.
    pub fn next_frame(&mut self) -> Result<Option<&[u8]>, FrameError> {
        match self {
            Codec::OpenIap(d) => d.next_frame(),
            Codec::GrpcWeb(d) => d.next_frame(),
        }
    }

    /// Fails the stream: the last frame was not an envelope.
    pub fn corrupt(&mut self) -> FrameError {
        match self {
            Codec::OpenIap(d) => d.reader.corrupt(),
            Codec::GrpcWeb(d) => d.reader.corrupt(),
        }
    }
}
