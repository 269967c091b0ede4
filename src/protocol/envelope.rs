//! Building outgoing envelopes (per-socket `seq`, unique ids, `type_url`) and reading replies.

use super::error::{Error, ErrorKind};
use crate::pb::google::protobuf::Any;
use crate::pb::{Envelope, ErrorResponse};
use prost::{Message, Name};

/// Wraps a message into the `Any` of an envelope, with `type.googleapis.com/openiap.<Message>`.
pub fn to_any<M: Message + Name>(message: &M) -> Any {
    Any {
        type_url: M::type_url(),
        value: message.encode_to_vec(),
    }
}

/// The payload bytes of `envelope` (empty when it has none).
pub fn payload(envelope: &Envelope) -> &[u8] {
    envelope.data.as_ref().map_or(&[], |a| a.value.as_slice())
}

/// Decodes the payload of `envelope` as `M`. The type is chosen by the caller from the
/// envelope's `command`, never from `type_url` (servers leave it empty on some commands).
pub fn decode<M: Message + Default>(envelope: &Envelope) -> Result<M, Error> {
    M::decode(payload(envelope)).map_err(|e| {
        Error::new(
            ErrorKind::Protocol,
            format!("cannot decode '{}' reply: {e}", envelope.command),
        )
    })
}

/// Field 1 of `registerqueuereply`, `registerexchangereply` and `watchreply` (the queue name or
/// watch id): the three replies are `{ string = 1 }`, so one message type reads them all.
pub fn decode_name(envelope: &Envelope) -> Result<String, Error> {
    decode::<crate::pb::RegisterQueueResponse>(envelope).map(|r| r.queuename)
}

/// The typed error carried by an `error` envelope, or `None` for any other command.
pub fn error_of(envelope: &Envelope) -> Option<Error> {
    if envelope.command != "error" {
        return None;
    }
    let e: ErrorResponse = decode(envelope).unwrap_or_default();
    let message = if e.message.is_empty() {
        "server error".to_string()
    } else {
        e.message
    };
    Some(Error {
        kind: ErrorKind::Server,
        message,
        code: e.code,
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
    use crate::pb::SigninRequest;

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
}
