//! Building outgoing envelopes (per-socket `seq`, unique ids, `type_url`) and reading incoming
//! ones. Incoming envelopes and replies are read with the small table reader of `wire` rather
//! than prost's decoder, which is not linked into the wasm at all (about 6 KB gzip of decoder,
//! error context and `bytes` code).

use super::error::{Error, ErrorKind};
use super::text::concat;
use super::wire::{read_fields, read_str, Bad};
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

/// The fields of `Envelope` (and of its `Any`), for [`decode_envelope`].
const ENVELOPE: &str =
    "command=1s priority=2i seq=3i id=4s rid=5s data=6m[] jwt=7s traceid=8s spanid=9s";
const ANY: &str = "type_url=1s value=2y";

/// Decodes one envelope (what prost's `Envelope::decode` does, with the wasm's one reader).
pub fn decode_envelope(bytes: &[u8]) -> Result<Envelope, Bad> {
    let f = read_fields(bytes, ENVELOPE)?;
    let text = |i: usize| f[i].text().map(str::to_string);
    let data = match &f[5] {
        super::wire::Raw::Bytes(any) => {
            let a = read_fields(any, ANY)?;
            Some(Any {
                type_url: a[0].text()?.to_string(),
                value: a[1].bytes().to_vec(),
            })
        }
        _ => None,
    };
    Ok(Envelope {
        command: text(0)?,
        priority: f[1].int() as i32,
        seq: f[2].int() as i32,
        id: text(3)?,
        rid: text(4)?,
        data,
        jwt: text(6)?,
        traceid: text(7)?,
        spanid: text(8)?,
    })
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
