//! The `openiap` framing of `/ws/v2`: every envelope is a 4-byte little-endian length followed by
//! that many bytes of protobuf. The socket is a byte stream: a WebSocket message may hold part of
//! a frame, one frame or several.

pub use super::deframer::DEFAULT_MAX_FRAME_LEN;
use crate::pb::Envelope;
use crate::protocol::envelope::decode_envelope;
use crate::protocol::error::FrameError;
use prost::Message;

/// Encodes one envelope as one `openiap` frame (one WebSocket message).
pub fn encode(envelope: &Envelope) -> Vec<u8> {
    let len = envelope.encoded_len();
    let mut out = Vec::with_capacity(4 + len);
    out.extend_from_slice(&(len as u32).to_le_bytes());
    // Encoding into a Vec cannot fail (it grows as needed); no `expect`, whose Debug output of
    // the error would stay in the binary.
    let _ = envelope.encode(&mut out);
    out
}

fn body_len(header: &[u8]) -> Result<usize, FrameError> {
    Ok(u32::from_le_bytes([header[0], header[1], header[2], header[3]]) as usize)
}

/// Names the `openiap` framing for [`super::deframer::Deframer`].
#[derive(Debug)]
pub struct OpenIapFrames;

/// Stream deframer for the `openiap` framing.
pub type Deframer = super::deframer::Deframer<OpenIapFrames>;

impl Deframer {
    /// The next complete frame's payload. Zero-length frames are skipped.
    pub fn next_frame(&mut self) -> Result<Option<&[u8]>, FrameError> {
        Ok(self
            .reader
            .next_frame(4, true, body_len)?
            .map(|(_, body)| body))
    }

    /// The next complete envelope, decoded.
    pub fn next_envelope(&mut self) -> Result<Option<Envelope>, FrameError> {
        let decoded = match self.next_frame()? {
            None => return Ok(None),
            Some(bytes) => decode_envelope(bytes),
        };
        decoded.map(Some).map_err(|_| self.reader.corrupt())
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    fn env(command: &str, id: &str) -> Envelope {
        Envelope {
            command: command.into(),
            id: id.into(),
            ..Default::default()
        }
    }

    #[test]
    fn matches_the_spec_example_bytes() {
        let bytes = encode(&env("getelement", "1"));
        let mut want = vec![0x0F, 0, 0, 0];
        want.extend_from_slice(&[
            0x0A, 0x0A, b'g', b'e', b't', b'e', b'l', b'e', b'm', b'e', b'n', b't', 0x22, 0x01,
            b'1',
        ]);
        assert_eq!(bytes, want);
    }

    #[test]
    fn reassembles_byte_by_byte_and_coalesced() {
        let mut stream = encode(&env("ping", "a"));
        stream.extend(encode(&env("queueevent", "b")));
        let mut d = Deframer::default();
        let mut got = vec![];
        for b in &stream {
            d.push(std::slice::from_ref(b));
            while let Some(e) = d.next_envelope().unwrap() {
                got.push(e.id);
            }
        }
        assert_eq!(got, ["a", "b"]);
        let mut d = Deframer::default();
        d.push(&stream);
        assert_eq!(d.next_envelope().unwrap().unwrap().id, "a");
        assert_eq!(d.next_envelope().unwrap().unwrap().id, "b");
        assert_eq!(d.next_envelope().unwrap(), None);
    }

    #[test]
    fn skips_zero_length_frames() {
        let mut d = Deframer::default();
        d.push(&[0, 0, 0, 0]);
        d.push(&encode(&env("ping", "x")));
        assert_eq!(d.next_envelope().unwrap().unwrap().id, "x");
    }

    #[test]
    fn oversized_length_is_a_typed_error_without_allocation() {
        let mut d = Deframer::new(1024);
        d.push(&[0xff, 0xff, 0xff, 0xff]);
        assert_eq!(
            d.next_frame().unwrap_err(),
            FrameError::TooLarge {
                len: u32::MAX as usize,
                max: 1024
            }
        );
        assert!(d.reader.capacity() < 1024);
        assert!(d.next_frame().is_err(), "a failed stream stays failed");
    }

    #[test]
    fn garbage_payload_is_a_decode_error() {
        let mut d = Deframer::default();
        d.push(&[3, 0, 0, 0, 0xff, 0xff, 0xff]);
        assert!(matches!(d.next_envelope(), Err(FrameError::Decode(_))));
    }

    #[test]
    fn truncated_input_waits_for_more() {
        let full = encode(&env("ping", "abc"));
        let mut d = Deframer::default();
        d.push(&full[..full.len() - 1]);
        assert_eq!(d.next_envelope().unwrap(), None);
        d.push(&full[full.len() - 1..]);
        assert_eq!(d.next_envelope().unwrap().unwrap().id, "abc");
    }
}
