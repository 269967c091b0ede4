//! Reading the socket: bytes to envelopes, replies matched to what waits for them, and server
//! pushes (`ping`, `refreshtoken`, `queueevent`, `watchevent`, download streams).

use super::tables::{InFlight, Phase, RouteKey};
use super::types::{ClientEvent, Output, SocketId, State};
use super::Session;
use crate::pb::{Envelope, RefreshToken, SigninResponse};
use crate::protocol::envelope::{decode, error_of, payload};
use crate::protocol::error::{Error, ErrorKind};
use crate::protocol::wire::read_str;

impl Session {
    /// Bytes arrived on the socket.
    pub fn handle_data(&mut self, now: u64, socket: SocketId, bytes: &[u8]) {
        if self.socket != Some(socket) {
            return;
        }
        self.heartbeat.on_receive(now);
        self.codec.push(bytes);
        loop {
            match self.codec.next_envelope() {
                Ok(Some(env)) => {
                    self.handle_envelope(now, env);
                    if self.socket != Some(socket) {
                        return;
                    }
                }
                Ok(None) => return,
                Err(e) => {
                    let kind = if let Phase::Ready = self.phase {
                        ErrorKind::Disconnected
                    } else {
                        ErrorKind::Protocol
                    };
                    self.link_lost(now, format!("protocol error: {e}"), kind, true);
                    return;
                }
            }
        }
    }

    /// The socket closed or failed (`reason` says how).
    pub fn handle_close(&mut self, now: u64, socket: SocketId, reason: &str) {
        if self.socket != Some(socket) {
            return;
        }
        self.link_lost(now, reason.to_string(), ErrorKind::ConnectFailed, false);
    }

    pub(super) fn handle_envelope(&mut self, now: u64, env: Envelope) {
        if matches!(env.command.as_str(), "beginstream" | "stream" | "endstream") {
            // Download chunks share the rid of the request, which stays open for its reply.
            if let Some((InFlight::User(request), _)) = self.in_flight.get(&env.rid) {
                let request = *request;
                self.outputs.push_back(Output::Stream {
                    request,
                    envelope: env,
                });
            }
            return;
        }
        if !env.rid.is_empty() {
            if let Some((what, _)) = self.in_flight.remove(&env.rid) {
                self.complete(now, what, env);
                return;
            }
        }
        match env.command.as_str() {
            "ping" => {
                let pong = Envelope {
                    command: "pong".into(),
                    rid: env.id.clone(),
                    ..Default::default()
                };
                self.send(pong, None);
            }
            "refreshtoken" => {
                if let Ok(t) = decode::<RefreshToken>(&env) {
                    if !t.jwt.is_empty() {
                        self.config.jwt = Some(t.jwt);
                    }
                    if t.user.is_some() {
                        self.user = t.user;
                    }
                }
            }
            "queueevent" => self.route_queue_event(env),
            "watchevent" => {
                let id = read_str(payload(&env), 1).unwrap_or_default();
                if let Some(&sub) = self.routes.get(&RouteKey::Watch(id.to_string())) {
                    self.outputs.push_back(Output::Message {
                        subscription: sub,
                        envelope: env,
                    });
                }
            }
            // Unknown or unsolicited commands are ignored, as the official clients do.
            _ => {}
        }
    }

    /// A `queueevent` goes to the registration of its queue, or completes an rpc call when it
    /// arrives on the rpc reply queue. Only the routing fields are read here (no copy of `data`).
    pub(super) fn route_queue_event(&mut self, env: Envelope) {
        let payload = payload(&env);
        let (Ok(queue), Ok(correlation_id)) = (read_str(payload, 1), read_str(payload, 2)) else {
            return;
        };
        let key = RouteKey::Queue(queue.to_ascii_lowercase());
        let Some(&sub) = self.routes.get(&key) else {
            return;
        };
        if Some(sub) == self.rpc_queue {
            if let Some(call) = self.rpc_calls.remove(correlation_id) {
                self.reply_ok(call.request, env);
            }
            return;
        }
        self.outputs.push_back(Output::Message {
            subscription: sub,
            envelope: env,
        });
    }

    pub(super) fn complete(&mut self, now: u64, what: InFlight, env: Envelope) {
        match what {
            InFlight::User(r) => {
                // A reply (even an early error) ends an upload's stream.
                self.uploads.remove(&r);
                match error_of(&env) {
                    Some(e) => self.outputs.push_back(Output::Reply {
                        request: r,
                        result: Err(e),
                    }),
                    None => self.reply_ok(r, env),
                }
            }
            InFlight::UserSignin(r) => match error_of(&env) {
                Some(mut e) => {
                    e.kind = ErrorKind::Signin;
                    self.outputs.push_back(Output::Reply {
                        request: r,
                        result: Err(e),
                    });
                }
                None => {
                    if let Ok(resp) = decode::<SigninResponse>(&env) {
                        if !resp.jwt.is_empty() {
                            self.config.jwt = Some(resp.jwt);
                        }
                        self.user = resp.user;
                        if self.state == State::Connected {
                            self.state = State::SignedIn;
                            self.outputs.push_back(Output::Event(ClientEvent::SignedIn));
                        }
                    }
                    self.reply_ok(r, env);
                }
            },
            InFlight::Signin => match error_of(&env) {
                Some(e) => self.auth_failed(
                    now,
                    Error {
                        kind: ErrorKind::Signin,
                        ..e
                    },
                ),
                None => match decode::<SigninResponse>(&env) {
                    Ok(resp) => {
                        if !resp.jwt.is_empty() && self.config.password.is_none() {
                            self.config.jwt = Some(resp.jwt);
                        }
                        self.user = resp.user;
                        self.became_ready(now, State::SignedIn);
                    }
                    Err(e) => self.auth_failed(now, e),
                },
            },
            InFlight::Guest => match error_of(&env) {
                Some(e) => self.auth_failed(
                    now,
                    Error {
                        kind: ErrorKind::ConnectFailed,
                        ..e
                    },
                ),
                None => self.became_ready(now, State::Connected),
            },
            InFlight::Register(sub) => self.registered(now, sub, env),
            InFlight::RpcSend(corr) => {
                if let Some(e) = error_of(&env) {
                    if let Some(call) = self.rpc_calls.remove(&corr) {
                        self.outputs.push_back(Output::Reply {
                            request: call.request,
                            result: Err(e),
                        });
                    }
                }
            }
            InFlight::Probe | InFlight::Ignore => {}
        }
    }
}
