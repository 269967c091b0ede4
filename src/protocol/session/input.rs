//! Reading the socket: bytes to envelopes, replies matched to what waits for them, and server
//! pushes (`ping`, `refreshtoken`, `queueevent`, `watchevent`, download streams).

use super::tables::{InFlight, Phase, RouteKey};
use super::types::{ClientEvent, Output, SocketId, State};
use super::Session;
use crate::pb::google::protobuf::Any;
use crate::pb::Envelope;
use crate::protocol::envelope::{error_of, payload, unreadable};
use crate::protocol::envelope::{read_envelope, EnvelopeRef};
use crate::protocol::error::{Error, ErrorKind};
use crate::protocol::text::concat;
use crate::protocol::vecmap::VecMap;
use crate::protocol::wire::{read_bytes, read_str};

/// What a received envelope is for.
enum Received {
    /// A `queueevent` or `watchevent` that answers no request: routed on its payload alone.
    Push {
        /// A `watchevent`.
        watch: bool,
        /// The event's bytes.
        payload: Vec<u8>,
    },
    /// Anything else, owned.
    Envelope(Envelope),
}

impl Received {
    /// Envelope `env`, read as what it is for (a request in `in_flight` may be answered by a
    /// `queueevent`).
    fn of(env: EnvelopeRef<'_>, in_flight: &VecMap<String, (InFlight, u64)>) -> Received {
        let watch = match env.command {
            "queueevent" => Some(false),
            "watchevent" => Some(true),
            _ => None,
        };
        match watch.filter(|_| env.rid.is_empty() || !in_flight.contains_key(env.rid)) {
            Some(watch) => Received::Push {
                watch,
                payload: env.payload().to_vec(),
            },
            None => Received::Envelope(env.to_envelope()),
        }
    }
}

impl Session {
    /// Bytes arrived on the socket.
    pub fn handle_data(&mut self, now: u64, socket: SocketId, bytes: &[u8]) {
        if self.socket != Some(socket) {
            return;
        }
        self.heartbeat.on_receive(now);
        self.codec.push(bytes);
        loop {
            // Each envelope is read in place; only what outlives the bytes is copied.
            let received = match self.codec.next_frame() {
                Ok(None) => return,
                Ok(Some(frame)) => match read_envelope(frame) {
                    Ok(env) => Ok(Received::of(env, &self.in_flight)),
                    Err(_) => Err(self.codec.corrupt()),
                },
                Err(e) => Err(e),
            };
            match received {
                Ok(Received::Push { watch, payload }) => self.route_push(watch, payload),
                Ok(Received::Envelope(env)) => self.handle_envelope(now, env),
                Err(e) => {
                    let kind = if let Phase::Ready = self.phase {
                        ErrorKind::Disconnected
                    } else {
                        ErrorKind::Protocol
                    };
                    self.link_lost(now, concat(&["protocol error: ", &e.text()]), kind, true);
                    return;
                }
            }
            if self.socket != Some(socket) {
                return;
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
                self.out(Output::Stream {
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
                self.heartbeat.on_ping(now);
                let pong = Envelope {
                    command: "pong".into(),
                    rid: env.id.clone(),
                    ..Default::default()
                };
                self.send(pong, None);
            }
            "refreshtoken" => {
                // RefreshToken {username = 1, jwt = 2, user = 3}
                let p = payload(&env);
                if let (Ok(jwt), Ok(user)) = (read_str(p, 2), read_bytes(p, 3)) {
                    if !jwt.is_empty() {
                        self.config.jwt = Some(jwt.to_string());
                    }
                    if !user.is_empty() {
                        self.user = Some(user.to_vec());
                    }
                }
            }
            // Queue and watch events took `route_push` (POST /api/v2 pushes none). Unknown or
            // unsolicited commands are ignored, as the official clients do.
            _ => {}
        }
    }

    /// A `queueevent` goes to the registration of its queue, or completes an rpc call when it
    /// arrives on the rpc reply queue; a `watchevent` goes to the registration of its watch id.
    /// `payload` is the event; only its routing fields are read here.
    // Not inlined into the socket handler: −40 B gzip (measured, docs/size.md).
    #[inline(never)]
    pub(super) fn route_push(&mut self, watch: bool, payload: Vec<u8>) {
        // QueueEvent {queuename = 1, correlation_id = 2, ...}; WatchEvent {id = 1, ...}.
        let (Ok(name), Ok(correlation_id)) = (read_str(&payload, 1), read_str(&payload, 2)) else {
            return;
        };
        let key = if watch {
            RouteKey::Watch(name.to_string())
        } else {
            RouteKey::Queue(name.to_ascii_lowercase())
        };
        let Some(&sub) = self.routes.get(&key) else {
            if !watch {
                // The server took it off the queue for this connection: say so, never drop
                // silently.
                let why = concat(&[
                    "a message for queue '",
                    name,
                    "' (correlation id '",
                    correlation_id,
                    "') arrived after it was unregistered and was dropped",
                ]);
                self.out(Output::Event(ClientEvent::Error(why)));
            }
            return;
        };
        if !watch && Some(sub) == self.rpc_queue {
            if let Some(call) = self.rpc_calls.remove(correlation_id) {
                let env = Envelope {
                    command: "queueevent".into(),
                    data: Some(Any {
                        type_url: String::new(),
                        value: payload,
                    }),
                    ..Default::default()
                };
                self.reply_ok(call.request, env);
            }
            return;
        }
        self.out(Output::Message {
            subscription: sub,
            watch,
            payload,
        });
    }

    pub(super) fn complete(&mut self, now: u64, what: InFlight, env: Envelope) {
        match what {
            InFlight::User(r) => {
                // A reply (even an early error) ends an upload's stream.
                self.uploads.remove(&r);
                match error_of(&env) {
                    Some(e) => self.out(Output::Reply {
                        request: r,
                        result: Err(e),
                    }),
                    None => self.reply_ok(r, env),
                }
            }
            InFlight::UserSignin(r, validate_only) => match error_of(&env) {
                Some(mut e) => {
                    e.kind = ErrorKind::Signin;
                    self.out(Output::Reply {
                        request: r,
                        result: Err(e),
                    });
                }
                // `validateonly` checks credentials: the connection's user stays as it is.
                None if validate_only => self.reply_ok(r, env),
                None => match self.signed_in_as(&env, true) {
                    Ok(()) => {
                        if self.state == State::Connected {
                            self.state = State::SignedIn;
                            self.out(Output::Event(ClientEvent::SignedIn));
                        }
                        self.reply_ok(r, env)
                    }
                    Err(e) => self.out(Output::Reply {
                        request: r,
                        result: Err(e),
                    }),
                },
            },
            InFlight::Signin => match error_of(&env) {
                Some(e) => self.auth_failed(
                    now,
                    Error {
                        kind: ErrorKind::Signin,
                        ..e
                    },
                ),
                None => {
                    // Over HTTP the JWT is what every later post carries.
                    #[cfg(feature = "http")]
                    let keep_jwt = self.config.password.is_none() || self.http;
                    #[cfg(not(feature = "http"))]
                    let keep_jwt = self.config.password.is_none();
                    match self.signed_in_as(&env, keep_jwt) {
                        Ok(()) => self.became_ready(now, State::SignedIn),
                        Err(e) => self.auth_failed(now, e),
                    }
                }
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
            InFlight::Undo { watch, call } => self.undo(now, watch, &call, &env),
            // Unregistered, or refused (then it stays as it was and the app hears why).
            InFlight::Unregister(sub) => match error_of(&env) {
                None => drop(self.remove_subscription(sub)),
                Some(e) => self.fail_closing(sub, e),
            },
            InFlight::RpcSend(corr) => {
                if let Some(e) = error_of(&env) {
                    if let Some(call) = self.rpc_calls.remove(&corr) {
                        self.out(Output::Reply {
                            request: call.request,
                            result: Err(e),
                        });
                    }
                }
            }
            InFlight::Probe | InFlight::Ignore => {}
        }
    }

    /// Takes the user (and, with `keep_jwt`, the token) from a `signinreply`
    /// (`SigninResponse {jwt = 1, user = 2}`).
    fn signed_in_as(&mut self, env: &Envelope, keep_jwt: bool) -> Result<(), Error> {
        let p = payload(env);
        let (jwt, user) = match (read_str(p, 1), read_bytes(p, 2)) {
            (Ok(jwt), Ok(user)) => (jwt, user),
            _ => return Err(unreadable(env)),
        };
        if keep_jwt && !jwt.is_empty() {
            self.config.jwt = Some(jwt.to_string());
        }
        self.user = Some(user.to_vec());
        Ok(())
    }
}
