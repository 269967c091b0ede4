//! Time: the next deadline the shell must wake the session at, and everything that is due then
//! (reconnect waits, connect and sign-in timeouts, the heartbeat, request timeouts).

use super::tables::{InFlight, Phase};
use super::types::{Output, SubscriptionId};
use super::Session;
use crate::pb::GetElementRequest;
use crate::protocol::envelope::{envelope, to_any};
use crate::protocol::error::{Error, ErrorKind};
use crate::protocol::heartbeat::HeartbeatAction;
use crate::protocol::text::{concat, num};

impl Session {
    /// When [`Session::handle_timeout`] must be called next.
    pub fn poll_timeout(&self) -> Option<u64> {
        let mut t: Option<u64> = None;
        let mut at = |d: u64| t = Some(t.map_or(d, |x| x.min(d)));
        match self.phase {
            Phase::Idle => {}
            Phase::Waiting { until } => at(until),
            Phase::Opening { deadline } | Phase::Token { deadline } => at(deadline),
            Phase::Auth => {}
            Phase::Ready => {
                if let Some(d) = self.heartbeat.deadline() {
                    at(d)
                }
            }
        }
        self.in_flight.values().for_each(|(_, d)| at(*d));
        self.uploads
            .values()
            .for_each(|(_, r)| r.map_or((), &mut at));
        self.outbox.iter().for_each(|q| at(q.deadline));
        self.rpc_calls.values().for_each(|c| at(c.deadline));
        for s in self.subscriptions.values() {
            s.waiters.iter().for_each(|(_, d)| at(*d));
        }
        t
    }

    /// Time passed: fire every deadline that is due.
    pub fn handle_timeout(&mut self, now: u64) {
        match self.phase {
            Phase::Waiting { until } if now >= until => self.start_attempt(now),
            Phase::Opening { deadline } if now >= deadline => self.link_lost(
                now,
                "connect timeout".into(),
                ErrorKind::ConnectFailed,
                true,
            ),
            Phase::Token { deadline } if now >= deadline => {
                self.auth_failed(now, Error::new(ErrorKind::Signin, "get_token timed out"))
            }
            Phase::Ready => match self.heartbeat.poll(now) {
                HeartbeatAction::SendProbe => self.send_probe(now),
                HeartbeatAction::Dead(silent) => {
                    let reason = concat(&["heartbeat timeout: no data for ", &num(silent), " ms"]);
                    self.link_lost(now, reason, ErrorKind::Disconnected, true);
                }
                HeartbeatAction::Idle => {}
            },
            _ => {}
        }
        for (request, (_, retry)) in self.uploads.iter_mut() {
            if retry.is_some_and(|r| now >= r) {
                *retry = None;
                self.outputs
                    .push(Some(Output::UploadWanted { request: *request }));
            }
        }
        let due: Vec<String> = self
            .in_flight
            .iter()
            .filter(|(_, (_, d))| now >= *d)
            .map(|(k, _)| k.clone())
            .collect();
        for id in due {
            let Some((what, _)) = self.in_flight.remove(&id) else {
                continue;
            };
            match what {
                InFlight::User(r) | InFlight::UserSignin(r, _) => {
                    self.reply_err(r, ErrorKind::Timeout, "request timed out")
                }
                InFlight::Signin | InFlight::Guest => {
                    self.auth_failed(now, Error::new(ErrorKind::Signin, "sign-in timed out"))
                }
                InFlight::Register(sub) => {
                    if let Some(s) = self.subscriptions.get_mut(&sub) {
                        s.in_flight = None;
                    }
                    self.fail_sub_waiters(sub, ErrorKind::Timeout, "request timed out");
                }
                InFlight::RpcSend(corr) => {
                    if let Some(call) = self.rpc_calls.remove(&corr) {
                        self.reply_err(call.request, ErrorKind::Timeout, "request timed out");
                    }
                }
                // No answer to the unregister: the app is told, and nothing more is delivered.
                InFlight::Unregister(sub) => {
                    self.fail_closing(sub, Error::new(ErrorKind::Timeout, "request timed out"));
                    self.remove_subscription(sub);
                }
                InFlight::Probe | InFlight::Ignore | InFlight::Undo { .. } => {}
            }
        }
        let (due, waiting) = std::mem::take(&mut self.outbox)
            .into_iter()
            .partition::<Vec<_>, _>(|q| now >= q.deadline);
        self.outbox = waiting;
        for q in due {
            self.reply_err(
                q.request,
                ErrorKind::Timeout,
                "request timed out while waiting for the connection",
            );
        }
        let due: Vec<String> = self
            .rpc_calls
            .iter()
            .filter(|(_, c)| now >= c.deadline)
            .map(|(k, _)| k.clone())
            .collect();
        for corr in due {
            if let Some(call) = self.rpc_calls.remove(&corr) {
                self.reply_err(call.request, ErrorKind::Timeout, "rpc timed out");
            }
        }
        let subs: Vec<SubscriptionId> = self
            .subscriptions
            .iter()
            .filter(|(_, s)| s.waiters.iter().any(|(_, d)| now >= *d))
            .map(|(k, _)| *k)
            .collect();
        for sub in subs {
            self.fail_sub_waiters(sub, ErrorKind::Timeout, "request timed out");
        }
    }

    pub(super) fn send_probe(&mut self, now: u64) {
        let deadline = now + self.config.heartbeat_timeout_ms;
        let data = to_any(&GetElementRequest::default());
        self.send(
            envelope("getelement", Some(data)),
            Some((InFlight::Probe, deadline)),
        );
    }
}
