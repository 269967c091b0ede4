//! The HTTP transport (feature `http`): each request is one `POST /api/v2` ([`Output::Post`]) and
//! its answer comes back through [`Session::handle_http_reply`], so correlation, timeouts, the
//! outbox, cancelling and typed errors are the session's own. There is no socket: a "link" is a
//! number that `disconnect()` ends (the shell aborts its posts). With a JWT nothing is sent at
//! connect (unless `validate`); a password signs in with one POST whose JWT the later POSTs
//! carry. A JWT about to expire is renewed before the request that needs it: by signing in again
//! when a password is known, else through the token callback; the requests that waited for it
//! are sent without another check, so a renewal can never start another.

use super::tables::{InFlight, Phase};
use super::types::{Call, ClientEvent, Output, RequestId, SocketId, State};
use super::Session;
use crate::pb::google::protobuf::Any;
use crate::pb::Envelope;
use crate::protocol::envelope::error_of;
use crate::protocol::error::{Error, ErrorKind};
use crate::protocol::http::{expiry_ms, outcome, NOT_SUPPORTED, RENEW_BEFORE_MS};
use crate::protocol::text::split_once_str;

impl Session {
    /// True when the client uses (or, before `connect()`, will use) the HTTP transport.
    pub fn is_http(&self) -> bool {
        self.http
    }

    /// The URL the HTTP transport posts to (no credentials in it).
    pub fn http_url(&self) -> String {
        self.url
            .as_ref()
            .map(|u| u.socket_url())
            .unwrap_or_default()
    }

    /// True while the answer to the post of envelope `id` is still awaited (a post whose request
    /// timed out, was aborted or whose link ended is not: the shell aborts its fetch).
    pub fn awaits(&self, id: &str) -> bool {
        self.in_flight
            .get(id)
            .is_some_and(|(w, _)| !matches!(w, InFlight::Ignore))
    }

    /// The answer to the post of envelope `id` on link `socket`: its HTTP status (0: none came)
    /// and, when its body was an envelope, that envelope's `command` and payload bytes (typed by
    /// [`crate::protocol::http::outcome`]).
    pub fn handle_http_reply(
        &mut self,
        now: u64,
        socket: SocketId,
        id: &str,
        status: u16,
        reply: Option<(String, Vec<u8>)>,
    ) {
        // Not yet accepted: the JWT went out with no sign-in, and no answer took it yet.
        let unaccepted = self.state == State::Connected && self.config.jwt.is_some();
        let Some((what, _)) = self
            .in_flight
            .get_mut(id)
            .filter(|_| self.socket == Some(socket))
        else {
            return;
        };
        if let Err(e) = outcome(status, reply.is_some()) {
            return match self.in_flight.remove(id) {
                Some((InFlight::User(r) | InFlight::UserSignin(r, _), _)) => {
                    self.out(Output::Reply {
                        request: r,
                        result: Err(e),
                    })
                }
                Some((InFlight::Signin, _)) => self.auth_failed(now, e),
                _ => {}
            };
        }
        // The answer belongs to its fetch, whatever `rid` it names.
        let (command, value) = reply.unwrap_or_default();
        let env = Envelope {
            command,
            rid: id.to_string(),
            data: Some(Any {
                type_url: String::new(),
                value,
            }),
            ..Default::default()
        };
        if let (true, InFlight::User(r)) = (unaccepted, &*what) {
            match error_of(&env) {
                None => {
                    self.state = State::SignedIn;
                    self.out(Output::Event(ClientEvent::SignedIn));
                }
                // The server refused the token of the first calls: the sign-in failed, as
                // connect() over a WebSocket would say (a refused `validateonly` sign-in is
                // kind Signin, and changes nothing else).
                Some(e) if split_once_str(&e.message, "jwt").is_some() => {
                    *what = InFlight::UserSignin(*r, true)
                }
                _ => {}
            }
        }
        self.handle_envelope(now, env);
    }

    /// Posts `env` on link `socket`: the per-call JWT, or the session's, as its bearer (taken
    /// out of the envelope).
    pub(super) fn post(&mut self, socket: SocketId, mut env: Envelope) {
        let bearer = match (std::mem::take(&mut env.jwt), &self.config.jwt) {
            (j, Some(jwt)) if j.is_empty() => jwt.clone(),
            (j, _) => j,
        };
        self.out(Output::Post {
            socket,
            envelope: env,
            bearer,
        });
    }

    /// Before a request goes out with the session's JWT: if that token expires within
    /// [`RENEW_BEFORE_MS`], sign in again (token callback, else password) and let the request
    /// wait in the outbox. A JWT that nothing can renew stays as it is. Only a request that is
    /// about to be sent renews, never one the renewal let out.
    pub(super) fn renew_if_expiring(&mut self, now: u64, command: &str, call: &Call) {
        if let Some(socket) = self.socket.filter(|_| {
            self.http
                && matches!(self.phase, Phase::Ready)
                && call.jwt.is_empty()
                && command != "signin"
                && self
                    .config
                    .jwt
                    .as_deref()
                    .and_then(expiry_ms)
                    .is_some_and(|exp| exp <= now + RENEW_BEFORE_MS)
        }) {
            self.authenticate(now, socket);
        }
    }

    /// A renewal failed (refused, unreachable, timed out): the requests that waited for it fail
    /// with its error, and the link stays as it was, with the old token.
    pub(super) fn renewal_failed(&mut self, error: Error) {
        self.phase = Phase::Ready;
        for q in std::mem::take(&mut self.outbox) {
            self.out(Output::Reply {
                request: q.request,
                result: Err(error.clone()),
            });
        }
    }

    /// A request rejected at once with kind `NotSupported`: it cannot work over HTTP.
    pub(super) fn refused(&mut self) -> RequestId {
        let request = self.new_request();
        self.reply_err(request, ErrorKind::NotSupported, NOT_SUPPORTED);
        request
    }
}
