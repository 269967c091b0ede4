//! gRPC-web framing over WebSocket, as gRPC-web WebSocket gateways carry the bidi call
//! `/openiap.FlowService/SetupStream` (improbable-eng's websocket transport and proxy).
//!
//! Client → server: the socket uses subprotocol [`SUBPROTOCOL`] on path [`METHOD_PATH`]; the first
//! binary message holds the request headers as `name: value\r\n` lines; then every client message is
//! one byte `0x00` followed by a gRPC-web frame (flag byte, 4-byte big-endian length, Envelope);
//! a single byte `0x01` ends the client stream.
//!
//! Server → client: gRPC-web frames, split across binary messages in any way. Frames with flag
//! `0x80` carry header/trailer lines; a trailer `grpc-status` other than 0 is an error.

use crate::pb::Envelope;
use crate::protocol::envelope::decode_envelope;
use crate::protocol::error::FrameError;
use crate::protocol::text::{concat, hex, percent_decode, split_byte, split_once_str, trim};
use prost::Message;

/// URL path of the bidi streaming method.
pub const METHOD_PATH: &str = "/openiap.FlowService/SetupStream";
/// WebSocket subprotocol of gRPC-web gateways.
pub const SUBPROTOCOL: &str = "grpc-websockets";
/// Client message that ends the client stream.
pub const END_OF_CLIENT_STREAM: [u8; 1] = [0x01];

const FLAG_METADATA: u8 = 0x80;
const FLAG_COMPRESSED: u8 = 0x01;

/// The first client message: request headers as `name: value\r\n` lines.
pub fn request_headers() -> Vec<u8> {
    b"content-type: application/grpc-web+proto\r\nx-grpc-web: 1\r\nx-user-agent: openiap-wasm\r\n"
        .to_vec()
}

/// One gRPC-web data frame holding `envelope` (no client prefix byte).
pub fn encode_frame(envelope: &Envelope) -> Vec<u8> {
    data_frame(&[], envelope)
}

/// One client WebSocket message holding `envelope`: `0x00` + gRPC-web frame.
pub fn encode_client_message(envelope: &Envelope) -> Vec<u8> {
    data_frame(&[0], envelope)
}

/// `prefix`, then a data frame: flag 0, 4-byte big-endian length, the envelope.
fn data_frame(prefix: &[u8], envelope: &Envelope) -> Vec<u8> {
    let len = envelope.encoded_len();
    let mut out = Vec::with_capacity(prefix.len() + 5 + len);
    out.extend_from_slice(prefix);
    out.push(0);
    out.extend_from_slice(&(len as u32).to_be_bytes());
    // Encoding into a Vec cannot fail (it grows as needed); no `expect`, whose Debug output of
    // the error would stay in the binary.
    let _ = envelope.encode(&mut out);
    out
}

/// A metadata (header or trailer) frame with the given lines.
pub fn encode_metadata_frame(lines: &[(&str, &str)]) -> Vec<u8> {
    let mut text = String::new();
    for (k, v) in lines {
        text.push_str(k);
        text.push_str(": ");
        text.push_str(v);
        text.push_str("\r\n");
    }
    let mut out = Vec::with_capacity(5 + text.len());
    out.push(FLAG_METADATA);
    out.extend_from_slice(&(text.len() as u32).to_be_bytes());
    out.extend_from_slice(text.as_bytes());
    out
}

/// Parses `name: value\r\n` lines; names are lowercased.
pub fn parse_metadata(bytes: &[u8]) -> Result<Vec<(String, String)>, FrameError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| FrameError::Malformed("metadata is not UTF-8".into()))?;
    let mut out = Vec::new();
    let mut rest = Some(text);
    while let Some(chunk) = rest {
        let (line, next) = match split_once_str(chunk, "\r\n") {
            Some((line, next)) => (line, Some(next)),
            None => (chunk, None),
        };
        rest = next;
        if trim(line).is_empty() {
            continue;
        }
        let (k, v) = split_byte(line, b':', false)
            .ok_or_else(|| FrameError::Malformed("metadata line without ':'".into()))?;
        out.push((trim(k).to_ascii_lowercase(), trim(v).to_string()));
    }
    Ok(out)
}

/// Reads a frame header: flag byte, then a 4-byte big-endian length.
fn body_len(header: &[u8]) -> Result<usize, FrameError> {
    let flag = header[0];
    if flag & !(FLAG_METADATA | FLAG_COMPRESSED) != 0 {
        return Err(FrameError::Malformed(concat(&[
            "unknown flag byte 0x",
            &hex(flag),
        ])));
    }
    if flag & FLAG_COMPRESSED != 0 {
        return Err(FrameError::Malformed(
            "compressed frames are not supported".into(),
        ));
    }
    Ok(u32::from_be_bytes([header[1], header[2], header[3], header[4]]) as usize)
}

/// Names the gRPC-web framing for [`super::deframer::Deframer`].
#[derive(Debug)]
pub struct GrpcWebFrames;

/// Stream deframer for gRPC-web frames (both directions).
pub type Deframer = super::deframer::Deframer<GrpcWebFrames>;

impl Deframer {
    /// The next data frame's payload, in place. Header frames and empty data frames are skipped;
    /// a trailer with `grpc-status` 0 gives [`FrameError::EndOfStream`], any other status
    /// [`FrameError::GrpcStatus`].
    pub fn next_frame(&mut self) -> Result<Option<&[u8]>, FrameError> {
        loop {
            let lines = match self.reader.next_frame(5, false, body_len)? {
                None => return Ok(None),
                Some((header, body)) if header[0] & FLAG_METADATA == 0 => {
                    if body.is_empty() {
                        continue;
                    }
                    return Ok(Some(self.reader.last_body()));
                }
                Some((_, body)) => parse_metadata(body),
            };
            match lines {
                Ok(lines) => {
                    if let Some(status) = status_of(&lines) {
                        return Err(self.reader.fail(status));
                    }
                }
                Err(e) => return Err(self.reader.fail(e)),
            }
        }
    }

    /// The next envelope, decoded ([`Deframer::next_frame`]).
    pub fn next_envelope(&mut self) -> Result<Option<Envelope>, FrameError> {
        let decoded = match self.next_frame()? {
            None => return Ok(None),
            Some(bytes) => decode_envelope(bytes),
        };
        decoded.map(Some).map_err(|_| self.reader.corrupt())
    }
}

fn status_of(lines: &[(String, String)]) -> Option<FrameError> {
    let code = lines
        .iter()
        .find(|(k, _)| k == "grpc-status")?
        .1
        .parse::<u32>()
        .unwrap_or(2);
    if code == 0 {
        return Some(FrameError::EndOfStream);
    }
    let message = lines
        .iter()
        .find(|(k, _)| k == "grpc-message")
        .map(|(_, v)| percent_decode(v))
        .unwrap_or_default();
    Some(FrameError::GrpcStatus { code, message })
}

/// What one client WebSocket message means, for servers and gateways.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientMessage<'a> {
    /// The first message: request headers.
    Headers(Vec<(String, String)>),
    /// Bytes of the gRPC-web frame stream (feed them to a [`Deframer`]).
    Data(&'a [u8]),
    /// The client ended its stream.
    EndOfStream,
}

/// Classifies a client message; `first` is true for the first message on the socket.
pub fn parse_client_message(first: bool, msg: &[u8]) -> Result<ClientMessage<'_>, FrameError> {
    if first {
        return parse_metadata(msg).map(ClientMessage::Headers);
    }
    match msg.split_first() {
        Some((0, rest)) => Ok(ClientMessage::Data(rest)),
        Some((1, [])) => Ok(ClientMessage::EndOfStream),
        Some((b, _)) => Err(FrameError::Malformed(concat(&[
            "unknown client message prefix 0x",
            &hex(*b),
        ]))),
        None => Err(FrameError::Malformed("empty client message".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(id: &str) -> Envelope {
        Envelope {
            command: "ping".into(),
            id: id.into(),
            ..Default::default()
        }
    }

    #[test]
    fn client_message_round_trips_through_server_parsing() {
        let msg = encode_client_message(&env("1"));
        let ClientMessage::Data(rest) = parse_client_message(false, &msg).unwrap() else {
            panic!()
        };
        let mut d = Deframer::default();
        d.push(rest);
        assert_eq!(d.next_envelope().unwrap().unwrap().id, "1");
        assert_eq!(
            parse_client_message(false, &END_OF_CLIENT_STREAM).unwrap(),
            ClientMessage::EndOfStream
        );
        let ClientMessage::Headers(h) = parse_client_message(true, &request_headers()).unwrap()
        else {
            panic!()
        };
        assert!(h.contains(&("content-type".into(), "application/grpc-web+proto".into())));
    }

    #[test]
    fn headers_are_skipped_and_split_frames_reassemble() {
        let mut stream = encode_metadata_frame(&[("content-type", "application/grpc-web+proto")]);
        stream.extend(encode_frame(&env("a")));
        stream.extend(encode_frame(&env("b")));
        let mut d = Deframer::default();
        let mut ids = vec![];
        for chunk in stream.chunks(3) {
            d.push(chunk);
            while let Some(e) = d.next_envelope().unwrap() {
                ids.push(e.id);
            }
        }
        assert_eq!(ids, ["a", "b"]);
    }

    #[test]
    fn error_trailer_is_typed() {
        let mut d = Deframer::default();
        d.push(&encode_metadata_frame(&[
            ("grpc-status", "16"),
            ("grpc-message", "not%20signed%20in"),
        ]));
        assert_eq!(
            d.next_envelope().unwrap_err(),
            FrameError::GrpcStatus {
                code: 16,
                message: "not signed in".into()
            }
        );
        let mut d = Deframer::default();
        d.push(&encode_metadata_frame(&[("grpc-status", "0")]));
        assert_eq!(d.next_envelope().unwrap_err(), FrameError::EndOfStream);
    }

    #[test]
    fn bad_input_is_typed() {
        let mut d = Deframer::new(100);
        d.push(&[0, 0xff, 0xff, 0xff, 0xff]);
        assert!(matches!(d.next_frame(), Err(FrameError::TooLarge { .. })));
        let mut d = Deframer::default();
        d.push(&[0x42, 0, 0, 0, 0]);
        assert!(matches!(d.next_frame(), Err(FrameError::Malformed(_))));
        let mut d = Deframer::default();
        d.push(&[0x01, 0, 0, 0, 1, 9]);
        assert!(matches!(d.next_frame(), Err(FrameError::Malformed(_))));
        let mut d = Deframer::default();
        d.push(&[0x00, 0, 0, 0, 2, 0xff, 0xff]);
        assert!(matches!(d.next_envelope(), Err(FrameError::Decode(_))));
        assert!(parse_client_message(false, &[]).is_err());
        assert!(parse_client_message(false, &[7, 1]).is_err());
    }
}
