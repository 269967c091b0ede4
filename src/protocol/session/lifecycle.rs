//! Starting, losing and ending connections: `connect`, `disconnect`, wake-ups, a new socket per
//! attempt, what happens when a link is lost (fail what was in flight, back off, or stop for
//! good), and the one path that stops the session.

use super::tables::{Phase, SubscriptionKind};
use super::types::{ClientEvent, Output, State, SubscriptionId};
use super::Session;
use crate::protocol::error::{Error, ErrorKind};
use crate::protocol::framing::Codec;
use crate::protocol::heartbeat::HeartbeatAction;
use crate::protocol::text::{concat, num};
use crate::protocol::url::ServerUrl;

impl Session {
    /// Starts connecting. The result comes as [`Output::ConnectDone`]. `url` overrides the
    /// configured one. Until the first sign-in succeeds nothing retries: a failure ends it.
    pub fn connect(&mut self, now: u64, url: Option<&str>) {
        let url_text = url.map(str::to_string).or_else(|| self.config.url.clone());
        let Some(url_text) = url_text.filter(|u| !u.trim().is_empty()) else {
            let e = Error::new(
                ErrorKind::InvalidArgument,
                "no URL given (Client({url}) or connect(url))",
            );
            self.out(Output::ConnectDone(Err(e)));
            return;
        };
        let parsed = match ServerUrl::parse(&url_text, self.config.framing) {
            Ok(u) => u,
            Err(e) => {
                self.out(Output::ConnectDone(Err(e)));
                return;
            }
        };
        if self.active {
            if matches!(self.phase, Phase::Ready) {
                self.out(Output::ConnectDone(Ok(())));
            } else {
                self.connect_pending = true;
                if let Phase::Waiting { .. } = self.phase {
                    self.start_attempt(now);
                }
            }
            return;
        }
        if let (Some(u), Some(p)) = (&parsed.username, &parsed.password) {
            self.config.username = Some(u.clone());
            self.config.password = Some(p.clone());
        }
        self.url = Some(parsed);
        self.active = true;
        self.connect_pending = true;
        self.backoff.reset();
        self.start_attempt(now);
    }

    /// Closes the connection for good: rejects what is pending, ends every registration,
    /// cancels every timer. A later [`Session::connect`] starts afresh.
    pub fn disconnect(&mut self, _now: u64) {
        if !self.active && self.socket.is_none() {
            return;
        }
        let reason = "disconnect() was called";
        if self.connect_pending {
            self.connect_pending = false;
            let e = Error::new(ErrorKind::ConnectFailed, reason);
            self.out(Output::ConnectDone(Err(e)));
        }
        self.close_socket(true);
        self.fail_in_flight(ErrorKind::Disconnected, reason);
        self.stop(ErrorKind::Disconnected, reason.to_string());
    }

    /// Ends the session for good (until the next `connect()`): everything that waits is failed
    /// with `kind`, every registration ends, no timer is left.
    pub(super) fn stop(&mut self, kind: ErrorKind, reason: String) {
        self.active = false;
        self.fail_waiting(kind, &reason);
        let ids: Vec<_> = self.subscriptions.keys().copied().collect();
        for id in ids {
            self.remove_subscription(id);
        }
        self.phase = Phase::Idle;
        self.set_disconnected(reason);
    }

    /// The page woke up, became visible or came back online: check the link at once, or stop
    /// waiting and reconnect now.
    pub fn wake(&mut self, now: u64) {
        if !self.active {
            return;
        }
        match self.phase {
            Phase::Waiting { .. } => self.start_attempt(now),
            Phase::Ready => {
                if let HeartbeatAction::SendProbe = self.heartbeat.check_now(now) {
                    self.send_probe(now);
                }
            }
            _ => {}
        }
    }

    pub(super) fn start_attempt(&mut self, now: u64) {
        self.close_socket(false);
        self.next_socket += 1;
        let socket = self.next_socket;
        self.socket = Some(socket);
        self.seq.reset();
        self.codec = Codec::new(self.config.framing, self.config.max_frame_len);
        self.phase = Phase::Opening {
            deadline: now + self.config.connect_timeout_ms,
        };
        if self.state != State::Connecting {
            self.state = State::Connecting;
            self.out(Output::Event(ClientEvent::Connecting));
        }
        let url = self
            .url
            .as_ref()
            .map(|u| u.socket_url())
            .unwrap_or_default();
        self.out(Output::OpenSocket {
            socket,
            url,
            protocols: self.config.framing.subprotocols(),
        });
    }

    pub(super) fn link_lost(
        &mut self,
        now: u64,
        reason: String,
        first_kind: ErrorKind,
        close: bool,
    ) {
        self.close_socket(close);
        self.fail_in_flight(
            ErrorKind::Disconnected,
            &concat(&["disconnected: ", &reason]),
        );
        // rpc calls whose message went out will never see their reply (the reply queue died).
        let sent: Vec<String> = self
            .rpc_calls
            .iter()
            .filter(|(_, c)| c.sent)
            .map(|(k, _)| k.clone())
            .collect();
        for corr in sent {
            if let Some(call) = self.rpc_calls.remove(&corr) {
                self.reply_err(
                    call.request,
                    ErrorKind::Disconnected,
                    &concat(&["disconnected: ", &reason]),
                );
            }
        }
        self.routes.clear();
        let ids: Vec<SubscriptionId> = self.subscriptions.keys().copied().collect();
        for id in ids {
            let s = self.subscriptions.get_mut(&id).expect("listed");
            s.live = false;
            s.in_flight = None;
            let drop_it = s.waiters.is_empty()
                && s.kind != SubscriptionKind::RpcReplies
                && !(s.keep && self.config.auto_reregister);
            if drop_it {
                self.remove_subscription(id);
            }
        }
        if let Some(rpc) = self.rpc_queue {
            if self.rpc_calls.is_empty() {
                self.remove_subscription(rpc);
            }
        }
        if self.connect_pending {
            self.connect_pending = false;
            let kind = if first_kind == ErrorKind::Disconnected {
                ErrorKind::ConnectFailed
            } else {
                first_kind
            };
            self.out(Output::ConnectDone(Err(Error::new(kind, reason.clone()))));
            self.stop(ErrorKind::ConnectFailed, reason);
            return;
        }
        if !self.active {
            self.stop(ErrorKind::Disconnected, reason);
            return;
        }
        if matches!(self.phase, Phase::Ready)
            && now.saturating_sub(self.ready_since) >= self.config.stable_after_ms
        {
            self.backoff.reset();
        }
        match self.backoff.next_delay(&mut self.rng) {
            Some(delay) => {
                self.phase = Phase::Waiting { until: now + delay };
                self.set_disconnected(reason);
            }
            None => {
                let attempts = self.backoff.attempts();
                let why = concat(&[
                    &reason,
                    "; gave up after ",
                    &num(attempts as u64),
                    " reconnect attempts",
                ]);
                self.stop(ErrorKind::GaveUp, why);
            }
        }
    }

    pub(super) fn set_disconnected(&mut self, reason: String) {
        if self.state != State::Disconnected {
            self.state = State::Disconnected;
            self.out(Output::Event(ClientEvent::Disconnected(reason)));
        }
    }

    pub(super) fn close_socket(&mut self, say_goodbye: bool) {
        if let Some(socket) = self.socket.take() {
            if say_goodbye && matches!(self.phase, Phase::Auth | Phase::Ready | Phase::Token { .. })
            {
                if let Some(bytes) = self.codec.goodbye() {
                    self.out(Output::Send { socket, bytes });
                }
            }
            self.out(Output::CloseSocket { socket });
        }
    }
}
