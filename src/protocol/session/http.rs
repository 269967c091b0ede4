//! The HTTP transport (feature `http`): each request is one `POST /api/v2` ([`Output::Post`]) and
//! its reply comes back through [`Session::handle_http_reply`], so correlation, timeouts, the
//! outbox, cancelling and typed errors are the session's own. There is no socket: a "link" is a
//! number that `disconnect()` ends (aborting its posts). With a JWT nothing is sent at connect
//! (unless `validate`); a password signs in with one POST whose JWT the later POSTs carry. A JWT
//! about to expire is renewed before the request that needs it: by signing in again when a
//! password is known, else through the token callback; the requests that waited for it are sent
//! without another check, so a renewal can never start another.

use super::tables::{InFlight, Phase, SubscriptionKind};
use super::types::{Call, ClientEvent, Output, RequestId, SocketId, State, SubscriptionId};
use super::Session;
use crate::pb::Envelope;
use crate::protocol::envelope::{error_of, payload};
use crate::protocol::error::{Error, ErrorKind};
use crate::protocol::framing::Framing;
use crate::protocol::http::{body, expiry_ms, RENEW_BEFORE_MS};
use crate::protocol::text::{concat, split_once_str};
use crate::protocol::url::ServerUrl;
use crate::protocol::wire::read_str;

/// Commands `/api/v2` cannot carry: their consumer or stream would end with the request.
const UNSUPPORTED: [&str; 8] = [
    "rpc",
    "registerqueue",
    "registerexchange",
    "unregisterqueue",
    "watch",
    "unwatch",
    "upload",
    "download",
];

impl Session {
    /// True when the client uses (or, before `connect()`, will use) the HTTP transport.
    pub fn is_http(&self) -> bool {
        match &self.url {
            Some(u) => u.is_http(),
            None => {
                let c = &self.config;
                let scheme = |u: &str| u.get(..4).is_some_and(|s| s.eq_ignore_ascii_case("http"));
                c.framing == Framing::OpenIap && c.url.as_deref().is_some_and(scheme)
            }
        }
    }

    /// The URL the HTTP transport posts to (no credentials in it).
    pub fn http_url(&self) -> String {
        self.url
            .as_ref()
            .map(ServerUrl::socket_url)
            .unwrap_or_default()
    }

    /// True while the reply to the envelope `id` is still awaited (a post whose request timed
    /// out, was aborted or whose link ended is not: the shell aborts its fetch).
    pub fn awaits(&self, id: &str) -> bool {
        self.in_flight
            .get(id)
            .is_some_and(|(w, _)| !matches!(w, InFlight::Ignore))
    }

    /// The answer to the post of envelope `id` on link `socket`: the reply envelope, or the
    /// typed error of the exchange ([`crate::protocol::http::outcome`]).
    pub fn handle_http_reply(
        &mut self,
        now: u64,
        socket: SocketId,
        id: &str,
        reply: Result<Envelope, Error>,
    ) {
        // Not yet accepted: the credentials went out with no sign-in, or none came back yet.
        let unaccepted = self.state != State::SignedIn && self.config.jwt.is_some();
        let Some((what, _)) = self
            .in_flight
            .get_mut(id)
            .filter(|_| self.socket == Some(socket))
        else {
            return;
        };
        let mut env = match reply {
            Ok(env) => env,
            Err(e) => {
                return match self.in_flight.remove(id) {
                    Some((InFlight::User(r) | InFlight::UserSignin(r, _), _)) => {
                        self.out(Output::Reply {
                            request: r,
                            result: Err(e),
                        })
                    }
                    Some((InFlight::Signin | InFlight::Guest, _)) => self.auth_failed(now, e),
                    _ => {}
                };
            }
        };
        match (error_of(&env), &*what) {
            // A sign-in's JWT is what the next posts carry, also after a password sign-in.
            (None, InFlight::Signin) => match read_str(payload(&env), 1) {
                Ok(jwt) if !jwt.is_empty() => self.config.jwt = Some(jwt.to_string()),
                _ => {}
            },
            (None, InFlight::User(_)) if unaccepted => {
                self.state = State::SignedIn;
                self.out(Output::Event(ClientEvent::SignedIn));
            }
            // The server refused the token of the first calls: the sign-in failed, as connect()
            // over a WebSocket would say (a refused `validateonly` sign-in is kind Signin).
            (Some(e), InFlight::User(r))
                if unaccepted && split_once_str(&e.message, "jwt").is_some() =>
            {
                *what = InFlight::UserSignin(*r, true)
            }
            _ => {}
        }
        // The reply belongs to its fetch, whatever `rid` it names.
        env.rid = id.to_string();
        self.handle_envelope(now, env);
    }

    /// Posts `env` (stamped, and tracked when a reply is awaited) on link `socket`; returns its
    /// id. The per-call JWT, or the session's, goes in the `Authorization` header.
    pub(super) fn post(&mut self, socket: SocketId, mut env: Envelope) -> String {
        let bearer = match std::mem::take(&mut env.jwt) {
            j if j.is_empty() => self.config.jwt.clone().unwrap_or_default(),
            j => j,
        };
        let body = body(&env);
        self.out(Output::Post {
            socket,
            id: env.id.clone(),
            body,
            bearer,
        });
        env.id
    }

    /// Before a request goes out with the session's JWT: if that token expires within
    /// [`RENEW_BEFORE_MS`], start renewing it (the request then waits in the outbox). Only a
    /// request that is about to be sent renews, never one the renewal let out.
    pub(super) fn renew_if_expiring(&mut self, now: u64, command: &str, call: &Call) {
        let expiring = self
            .config
            .jwt
            .as_deref()
            .and_then(expiry_ms)
            .is_some_and(|exp| exp <= now + RENEW_BEFORE_MS);
        let Some(socket) = self.socket.filter(|_| {
            expiring
                && self.is_http()
                && matches!(self.phase, Phase::Ready)
                && call.jwt.is_empty()
                && command != "signin"
        }) else {
            return;
        };
        if self.config.use_token_callback {
            self.phase = Phase::Token {
                deadline: now + self.config.request_timeout_ms,
            };
            self.out(Output::GetToken { socket });
        } else if self.config.username.is_some() && self.config.password.is_some() {
            self.begin_auth(now);
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

    /// Rejects `request` when its command cannot work over HTTP (`call.upload` included); true
    /// when it did.
    pub(super) fn refuse_over_http(
        &mut self,
        request: RequestId,
        command: &str,
        upload: bool,
    ) -> bool {
        let refuse = self.is_http() && (upload || UNSUPPORTED.contains(&command));
        if refuse {
            let why = concat(&[
                command,
                " cannot work over POST /api/v2 (an http:// or https:// URL): use a wss:// URL",
            ]);
            self.reply_err(request, ErrorKind::NotSupported, &why);
        }
        refuse
    }

    /// A registration (`registerqueue`, `registerexchange`, `watch`) asked for over HTTP: its
    /// request is rejected and the registration closed at once (the shell drops its callback).
    pub(super) fn refuse_subscription(
        &mut self,
        kind: &SubscriptionKind,
    ) -> Option<(SubscriptionId, RequestId)> {
        if !self.is_http() {
            return None;
        }
        let command = match kind {
            SubscriptionKind::Exchange(_) => "registerexchange",
            SubscriptionKind::Watch(_) => "watch",
            _ => "registerqueue",
        };
        let request = self.new_request();
        self.refuse_over_http(request, command, false);
        self.next_subscription += 1;
        let subscription = self.next_subscription;
        self.out(Output::SubscriptionClosed { subscription });
        Some((subscription, request))
    }
}
