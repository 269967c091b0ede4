//! Building outgoing envelopes (per-socket `seq`, unique ids, `type_url`) and reading incoming
//! ones. Incoming envelopes are read in place ([`read_envelope`]) and replies with the small
//! table reader of `wire`, rather than with prost's decoder, which is not linked into the wasm at
//! all (about 6 KB gzip of decoder, error context and `bytes` code).

use super::error::{Error, ErrorKind};
use super::text::concat;
use super::wire::{next_field, read_fields, read_str, Bad, Raw};
use crate::pb::google::protobuf::Any;
use crate::pb::Envelope;
use prost::{Message, Name};

/// Wraps a message into the `Any` of an envelope, with `type.googleapis.com/openiap.<Message>`.
/// The type URL is built from `M::NAME` by one shared function: prost's `Name::type_url` kept a
/// whole URL string per message type.
pub fn to_any<M: Message + Name>(message: &M) -> Any {
    Any {
        type_url: super::wire::type_url(M::NAME),
        value: message.encode_to_vec(),
    }
}

/// An `Any` of message `openiap.<name>` with no fields set (`beginstream`, `endstream`): without
/// prost's encoder for them (`BeginStream`'s `Stat` alone was 800 bytes of wasm).
pub fn empty_any(name: &str) -> Any {
    Any {
        type_url: super::wire::type_url(name),
        value: Vec::new(),
    }
}

/// The payload bytes of `envelope` (empty when it has none).
pub fn payload(envelope: &Envelope) -> &[u8] {
    envelope.data.as_ref().map_or(&[], |a| a.value.as_slice())
}

/// An envelope read in place: its strings and its payload are slices of the received bytes, so
/// routing a queue message allocates nothing but the copy of its payload.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EnvelopeRef<'a> {
    /// `command`.
    pub command: &'a str,
    /// `priority`.
    pub priority: i32,
    /// `seq`.
    pub seq: i32,
    /// `id`.
    pub id: &'a str,
    /// `rid`.
    pub rid: &'a str,
    /// `data`'s `type_url` and `value`, when `data` is present.
    pub data: Option<(&'a str, &'a [u8])>,
    /// `jwt`.
    pub jwt: &'a str,
    /// `traceid`.
    pub traceid: &'a str,
    /// `spanid`.
    pub spanid: &'a str,
}

impl<'a> EnvelopeRef<'a> {
    /// The payload bytes (empty when there is no `data`).
    pub fn payload(&self) -> &'a [u8] {
        self.data.map_or(&[], |(_, value)| value)
    }

    /// The owned [`Envelope`].
    pub fn to_envelope(&self) -> Envelope {
        Envelope {
            command: self.command.to_string(),
            priority: self.priority,
            seq: self.seq,
            id: self.id.to_string(),
            rid: self.rid.to_string(),
            data: self.data.map(|(type_url, value)| Any {
                type_url: type_url.to_string(),
                value: value.to_vec(),
            }),
            jwt: self.jwt.to_string(),
            traceid: self.traceid.to_string(),
            spanid: self.spanid.to_string(),
        }
    }
}

/// Reads one envelope in place, as prost's `Envelope::decode` reads it: the last occurrence of a
/// field wins, unknown fields are skipped, a known field of another wire type or a string that is
/// not UTF-8 is `Bad`. One pass over the bytes, nothing allocated.
pub fn read_envelope(bytes: &[u8]) -> Result<EnvelopeRef<'_>, Bad> {
    let text = |v| std::str::from_utf8(v).map_err(|_| Bad);
    let mut e = EnvelopeRef::default();
    let mut b = bytes;
    while !b.is_empty() {
        match next_field(&mut b)? {
            (2, 0, Raw::Int(v)) => e.priority = v as i32,
            (3, 0, Raw::Int(v)) => e.seq = v as i32,
            // data = 6: google.protobuf.Any {type_url = 1, value = 2}.
            (6, 2, Raw::Bytes(mut any)) => {
                let (mut type_url, mut value): (&str, &[u8]) = ("", &[]);
                while !any.is_empty() {
                    match next_field(&mut any)? {
                        (1, 2, Raw::Bytes(t)) => type_url = text(t)?,
                        (2, 2, Raw::Bytes(v)) => value = v,
                        (1 | 2, _, _) => return Err(Bad),
                        _ => {}
                    }
                }
                e.data = Some((type_url, value));
            }
            (no @ (1 | 4 | 5 | 7 | 8 | 9), 2, Raw::Bytes(v)) => {
                let v = text(v)?;
                match no {
                    1 => e.command = v,
                    4 => e.id = v,
                    5 => e.rid = v,
                    7 => e.jwt = v,
                    8 => e.traceid = v,
                    _ => e.spanid = v,
                }
            }
            (1..=9, _, _) => return Err(Bad),
            _ => {}
        }
    }
    Ok(e)
}

/// Decodes one envelope into an owned [`Envelope`] ([`read_envelope`], then copied).
pub fn decode_envelope(bytes: &[u8]) -> Result<Envelope, Bad> {
    read_envelope(bytes).map(|e| e.to_envelope())
}

/// Decodes the payload of `envelope` as `M` with prost (tests and the test server; the wasm
/// reads replies with `wire`). The type is chosen by the caller from the envelope's `command`,
/// never from `type_url` (servers leave it empty on some commands).
pub fn decode<M: Message + Default>(envelope: &Envelope) -> Result<M, Error> {
    M::decode(payload(envelope)).map_err(|_| unreadable(envelope))
}

/// The error of a reply that is not the protobuf message its command promises.
pub fn unreadable(envelope: &Envelope) -> Error {
    let m = concat(&[
        "cannot decode '",
        &envelope.command,
        "' reply: invalid protobuf message",
    ]);
    Error::new(ErrorKind::Protocol, m)
}

/// String field `no` of the payload of `envelope`.
pub fn read_field(envelope: &Envelope, no: u8) -> Result<&str, Error> {
    read_str(payload(envelope), no).map_err(|_| unreadable(envelope))
}

/// Field 1 of `registerqueuereply`, `registerexchangereply` and `watchreply` (the queue name or
/// watch id): the three replies are `{ string = 1 }`.
pub fn decode_name(envelope: &Envelope) -> Result<String, Error> {
    read_field(envelope, 1).map(str::to_string)
}

/// The typed error carried by an `error` envelope (`ErrorResponse {message = 1, code = 2}`), or
/// `None` for any other command.
pub fn error_of(envelope: &Envelope) -> Option<Error> {
    if envelope.command != "error" {
        return None;
    }
    const ERROR: &str = "message=1s code=2i";
    let f = read_fields(payload(envelope), ERROR).unwrap_or_default();
    let message = match f.first().map(|m| m.text()) {
        Some(Ok(m)) if !m.is_empty() => m.to_string(),
        _ => "server error".to_string(),
    };
    Some(Error {
        kind: ErrorKind::Server,
        message,
        code: f.get(1).map_or(0, |c| c.int() as i32),
    })
}

/// Per-socket envelope sequencer: `seq` restarts at 0 on every socket and grows by one for every
/// envelope sent; ids are unique for the lifetime of the client.
#[derive(Debug, Default)]
pub struct Sequencer {
    seq: i32,
    next_id: u64,
}

impl Sequencer {
    /// Starts a new socket: the next envelope gets `seq` 0. Ids keep counting.
    pub fn reset(&mut self) {
        self.seq = 0;
    }

    /// A fresh envelope id.
    pub fn next_id(&mut self) -> String {
        self.next_id += 1;
        let mut n = self.next_id;
        let mut out = Vec::new();
        while n > 0 {
            out.push(b"0123456789abcdefghijklmnopqrstuvwxyz"[(n % 36) as usize] as char);
            n /= 36;
        }
        out.iter().rev().collect()
    }

    /// Stamps `envelope` with the next `seq` (and an id if it has none).
    pub fn stamp(&mut self, envelope: &mut Envelope) {
        envelope.seq = self.seq;
        self.seq = self.seq.wrapping_add(1);
        if envelope.id.is_empty() {
            envelope.id = self.next_id();
        }
    }
}

/// A new envelope with `command` and `data`; `seq` and `id` are set when it is sent.
pub fn envelope(command: &str, data: Option<Any>) -> Envelope {
    Envelope {
        command: command.to_string(),
        data,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pb::{ErrorResponse, SigninRequest};

    #[test]
    fn seq_restarts_per_socket_ids_do_not() {
        let mut s = Sequencer::default();
        let mut a = envelope("ping", None);
        let mut b = envelope("ping", None);
        s.stamp(&mut a);
        s.stamp(&mut b);
        assert_eq!((a.seq, b.seq), (0, 1));
        s.reset();
        let mut c = envelope("ping", None);
        s.stamp(&mut c);
        assert_eq!(c.seq, 0);
        assert!(a.id != b.id && b.id != c.id && a.id != c.id);
    }

    #[test]
    fn type_url_is_the_official_one() {
        let any = to_any(&SigninRequest::default());
        assert_eq!(any.type_url, "type.googleapis.com/openiap.SigninRequest");
    }

    #[test]
    fn error_envelopes_become_typed_errors() {
        let resp = ErrorResponse {
            message: "Not signed in".into(),
            code: 403,
            stack: String::new(),
        };
        let env = envelope("error", Some(to_any(&resp)));
        let e = error_of(&env).unwrap();
        assert_eq!(
            (e.kind, e.message.as_str(), e.code),
            (ErrorKind::Server, "Not signed in", 403)
        );
        assert!(error_of(&envelope("signinreply", None)).is_none());
    }

    #[test]
    fn envelopes_decode_as_prost_decodes_them() {
        let env = Envelope {
            command: "queueevent".into(),
            priority: 2,
            seq: -1,
            id: "a1".into(),
            rid: "r".into(),
            data: Some(to_any(&SigninRequest {
                username: "bob".into(),
                ..Default::default()
            })),
            jwt: "t".into(),
            traceid: "tr".into(),
            spanid: "sp".into(),
        };
        let bytes = env.encode_to_vec();
        assert_eq!(decode_envelope(&bytes), Ok(env));
        assert_eq!(decode_envelope(&[]), Ok(Envelope::default()));
        assert_eq!(
            decode_envelope(&[0x0a, 0x02, 0xff, 0xfe]),
            Err(Bad),
            "command is not UTF-8"
        );
        assert_eq!(decode_envelope(&[0x0a, 0x05, b'a']), Err(Bad), "truncated");
        assert_eq!(
            decode_envelope(&[0x18, 0x01, 0x02]).map(|e| e.seq),
            Err(Bad)
        );
    }
}
