//! Signing in on every new socket: the token callback, the `signin` (or guest `getelement`)
//! envelope, its answer, and becoming ready (re-registering, flushing the outbox).

use super::tables::{InFlight, Phase, SubscriptionKind};
use super::types::{ClientEvent, Output, SocketId, State, SubscriptionId};
use super::Session;
use crate::pb::{GetElementRequest, SigninRequest};
use crate::protocol::envelope::{envelope, to_any};
use crate::protocol::error::{Error, ErrorKind};
use crate::protocol::heartbeat::Heartbeat;
use crate::protocol::text::concat;

impl Session {
    /// The socket opened.
    pub fn handle_open(&mut self, now: u64, socket: SocketId) {
        if self.socket != Some(socket) || !matches!(self.phase, Phase::Opening { .. }) {
            return;
        }
        self.heartbeat = Heartbeat::new(
            self.config.heartbeat_ms,
            self.config.heartbeat_timeout_ms,
            now,
        );
        if let Some(hello) = self.codec.handshake() {
            self.out(Output::Send {
                socket,
                bytes: hello,
            });
        }
        if self.config.use_token_callback {
            self.phase = Phase::Token {
                deadline: now + self.config.request_timeout_ms,
            };
            self.out(Output::GetToken { socket });
        } else {
            self.begin_auth(now);
        }
    }

    /// The token callback answered (for socket `socket`).
    pub fn provide_token(&mut self, now: u64, socket: SocketId, token: Result<String, String>) {
        if self.socket != Some(socket) || !matches!(self.phase, Phase::Token { .. }) {
            return;
        }
        match token {
            Ok(jwt) if !jwt.is_empty() => {
                self.config.jwt = Some(jwt);
                self.begin_auth(now);
            }
            Ok(_) => self.auth_failed(
                now,
                Error::new(ErrorKind::Signin, "get_token returned no token"),
            ),
            Err(e) => self.auth_failed(
                now,
                Error::new(ErrorKind::Signin, concat(&["get_token failed: ", &e])),
            ),
        }
    }

    pub(super) fn begin_auth(&mut self, now: u64) {
        self.phase = Phase::Auth;
        // Signing in is part of connecting: a server that accepts the socket and then says
        // nothing is given the connect timeout, not the (longer) request timeout.
        let deadline = now
            + self
                .config
                .connect_timeout_ms
                .min(self.config.request_timeout_ms);
        let c = &self.config;
        let signin = if let (Some(u), Some(p)) = (&c.username, &c.password) {
            Some(SigninRequest {
                username: u.clone(),
                password: p.clone(),
                ping: true,
                ..Default::default()
            })
        } else {
            c.jwt.as_ref().map(|jwt| SigninRequest {
                jwt: jwt.clone(),
                ping: true,
                ..Default::default()
            })
        };
        let c = &self.config;
        let (agent, version) = (c.agent.clone(), c.version.clone());
        if signin.is_some() {
            self.warn_if_insecure();
        }
        match signin {
            Some(mut req) => {
                req.agent = agent;
                req.version = version;
                self.send(
                    envelope("signin", Some(to_any(&req))),
                    Some((InFlight::Signin, deadline)),
                );
            }
            None => {
                let data = to_any(&GetElementRequest::default());
                self.send(
                    envelope("getelement", Some(data)),
                    Some((InFlight::Guest, deadline)),
                );
            }
        }
    }

    pub(super) fn auth_failed(&mut self, now: u64, error: Error) {
        let reason = concat(&["sign-in failed: ", &error.message]);
        if self.connect_pending {
            self.connect_pending = false;
            self.out(Output::ConnectDone(Err(error)));
            self.close_socket(true);
            self.fail_in_flight(ErrorKind::ConnectFailed, &reason);
            self.stop(ErrorKind::ConnectFailed, reason);
        } else {
            self.link_lost(now, reason, ErrorKind::Signin, true);
        }
    }

    pub(super) fn became_ready(&mut self, now: u64, state: State) {
        self.phase = Phase::Ready;
        self.ready_since = now;
        let was = self.state;
        self.state = state;
        if matches!(was, State::Disconnected | State::Connecting) {
            self.out(Output::Event(ClientEvent::Connected));
        }
        if state == State::SignedIn && was != State::SignedIn {
            self.out(Output::Event(ClientEvent::SignedIn));
        }
        if self.connect_pending {
            self.connect_pending = false;
            self.out(Output::ConnectDone(Ok(())));
        }
        let subs: Vec<SubscriptionId> = self
            .subscriptions
            .iter()
            .filter(|(_, s)| !s.live && s.in_flight.is_none())
            .filter(|(_, s)| {
                !s.waiters.is_empty()
                    || (s.keep && self.config.auto_reregister)
                    || s.kind == SubscriptionKind::RpcReplies
            })
            .map(|(k, _)| *k)
            .collect();
        for id in subs {
            self.send_registration(now, id);
        }
        for q in std::mem::take(&mut self.outbox) {
            self.send_request(q);
        }
    }

    /// Credentials about to go over `ws://` to a host that is not this machine: say so once, in
    /// an `Error` event that names the risk and not the credentials (`allow_insecure` silences it).
    fn warn_if_insecure(&mut self) {
        let Some(url) = &self.url else { return };
        if self.warned_insecure
            || self.config.allow_insecure
            || url.scheme != "ws"
            || url.is_loopback()
        {
            return;
        }
        self.warned_insecure = true;
        let why = concat(&[
            "credentials are sent unencrypted over ws:// to ",
            url.host(),
            ": anyone on the network path can read them; use wss://, or allow_insecure: true",
        ]);
        self.out(Output::Event(ClientEvent::Error(why)));
    }
}
