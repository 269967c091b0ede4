//! Requests: ids, timeouts, the bounded outbox that holds requests while reconnecting, stamping
//! and sending envelopes, and settling a request with its reply or a typed error.

use super::tables::{InFlight, Phase, Queued};
use super::types::{Call, Output, RequestId};
use super::Session;
use crate::pb::google::protobuf::Any;
use crate::pb::Envelope;
use crate::protocol::envelope::{empty_any, envelope, payload};
use crate::protocol::error::{Error, ErrorKind};
use crate::protocol::wire::read_fields;

impl Session {
    pub(super) fn new_request(&mut self) -> RequestId {
        self.next_request += 1;
        self.next_request
    }

    pub(super) fn timeout_of(&self, timeout_ms: Option<u64>) -> u64 {
        timeout_ms
            .filter(|t| *t > 0)
            .unwrap_or(self.config.request_timeout_ms)
    }

    /// Sends `command` with `data`, as `call` says (timeout, per-call identity, upload stream);
    /// the reply comes as [`Output::Reply`]. While reconnecting the request waits in the outbox
    /// (up to its timeout).
    pub fn request(&mut self, now: u64, command: &str, data: Any, call: &Call) -> RequestId {
        let upload = call.upload;
        // Over HTTP: no stream (upload, download), and no registration to end.
        #[cfg(feature = "http")]
        if self.http && (upload || matches!(command, "download" | "unregisterqueue" | "unwatch")) {
            return self.refused();
        }
        let request = self.new_request();
        let deadline = now + self.timeout_of(call.timeout_ms);
        let mut env = envelope(command, Some(data));
        call.stamp(&mut env);
        #[cfg(feature = "http")]
        self.renew_if_expiring(now, command, call);
        if !self.active {
            self.reply_err(
                request,
                ErrorKind::NotConnected,
                "not connected: call connect() first",
            );
        } else if matches!(self.phase, Phase::Ready) {
            self.send_request(Queued {
                request,
                envelope: env,
                upload,
                deadline,
            });
        } else if self.outbox.len() >= self.config.outbox_limit {
            self.reply_err(
                request,
                ErrorKind::OutboxFull,
                "too many requests waiting for the connection",
            );
        } else {
            self.outbox.push(Queued {
                request,
                envelope: env,
                upload,
                deadline,
            });
        }
        request
    }

    pub(super) fn send_request(&mut self, q: Queued) {
        let what = if q.envelope.command == "signin" {
            // SigninRequest.validateonly = 5
            let validate_only =
                read_fields(payload(&q.envelope), "validateonly=5b").is_ok_and(|f| f[0].int() != 0);
            InFlight::UserSignin(q.request, validate_only)
        } else {
            InFlight::User(q.request)
        };
        let Some(id) = self.send(q.envelope, Some((what, q.deadline))) else {
            return;
        };
        if q.upload {
            let begin = envelope("beginstream", Some(empty_any("BeginStream")));
            self.send(
                Envelope {
                    rid: id.clone(),
                    ..begin
                },
                None,
            );
            self.uploads.insert(q.request, (id, None));
            self.out(Output::UploadWanted { request: q.request });
        }
    }

    /// Stamps and sends `env` on the current socket; returns its id.
    pub(super) fn send(
        &mut self,
        mut env: Envelope,
        track: Option<(InFlight, u64)>,
    ) -> Option<String> {
        let socket = self.socket?;
        self.seq.stamp(&mut env);
        if let Some(t) = track {
            self.in_flight.insert(env.id.clone(), t);
        }
        #[cfg(feature = "http")]
        if self.http {
            let id = env.id.clone();
            self.post(socket, env);
            return Some(id);
        }
        let bytes = self.codec.encode(&env);
        self.out(Output::Send { socket, bytes });
        Some(env.id)
    }

    pub(super) fn reply_ok(&mut self, request: RequestId, env: Envelope) {
        self.out(Output::Reply {
            request,
            result: Ok(env),
        });
    }

    pub(super) fn reply_err(&mut self, request: RequestId, kind: ErrorKind, message: &str) {
        self.uploads.remove(&request);
        self.out(Output::Reply {
            request,
            result: Err(Error::new(kind, message)),
        });
    }
}
