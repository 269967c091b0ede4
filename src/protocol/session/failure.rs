//! Fan-out of failures: everything that waits (in flight, in the outbox, for a registration, for
//! an rpc reply) is rejected with a typed error when a link or the session ends; and
//! cancellation, when the app stops waiting for one request (an `AbortSignal`).

use super::tables::InFlight;
use super::types::{Output, RequestId, SubscriptionId};
use super::Session;
use crate::protocol::error::{Error, ErrorKind};

impl Session {
    pub(super) fn fail_in_flight(&mut self, kind: ErrorKind, message: &str) {
        let all: Vec<(InFlight, u64)> = self.in_flight.take_values();
        for (what, _) in all {
            match what {
                InFlight::User(r) | InFlight::UserSignin(r, _) => self.reply_err(r, kind, message),
                InFlight::Register(sub) => {
                    if let Some(s) = self.subscriptions.get_mut(&sub) {
                        s.in_flight = None;
                    }
                }
                // The link went, and the server's consumer with it: the unregister is done.
                InFlight::Unregister(sub) => {
                    self.remove_subscription(sub);
                }
                // rpc sends are failed by the caller, which knows whether they were sent; a
                // registration to undo died with the link.
                _ => {}
            }
        }
    }

    /// Fails everything that waits for a connection: outbox, registration waiters, rpc calls.
    pub(super) fn fail_waiting(&mut self, kind: ErrorKind, message: &str) {
        for q in std::mem::take(&mut self.outbox) {
            self.reply_err(q.request, kind, message);
        }
        let subs: Vec<SubscriptionId> = self
            .subscriptions
            .iter()
            .filter(|(_, s)| !s.waiters.is_empty())
            .map(|(k, _)| *k)
            .collect();
        for sub in subs {
            let waiters =
                std::mem::take(&mut self.subscriptions.get_mut(&sub).expect("listed").waiters);
            for (r, _) in waiters {
                self.reply_err(r, kind, message);
            }
            if !self.subscriptions[&sub].live && self.subscriptions[&sub].current.is_none() {
                self.remove_subscription(sub);
            }
        }
        self.fail_rpc_calls(&Error::new(kind, message));
    }

    /// Rejects every rpc call, sent or waiting, with `error`.
    pub(super) fn fail_rpc_calls(&mut self, error: &Error) {
        for call in self.rpc_calls.take_values() {
            self.out(Output::Reply {
                request: call.request,
                result: Err(error.clone()),
            });
        }
    }

    pub(super) fn fail_sub_waiters(&mut self, sub: SubscriptionId, kind: ErrorKind, message: &str) {
        let Some(s) = self.subscriptions.get_mut(&sub) else {
            return;
        };
        let now_due: Vec<(RequestId, u64)> = std::mem::take(&mut s.waiters);
        for (r, _) in now_due {
            self.reply_err(r, kind, message);
        }
        self.abandon_if_unregistered(sub);
    }

    /// A registration that the server never confirmed and that nobody waits for any more is
    /// abandoned; what the reply to its registration request registers, if one comes, is
    /// unregistered again.
    fn abandon_if_unregistered(&mut self, sub: SubscriptionId) {
        let Some(s) = self.subscriptions.get(&sub) else {
            return;
        };
        if s.current.is_some() || s.live || !s.waiters.is_empty() {
            return;
        }
        self.undo_registration(sub);
    }

    /// Stops waiting for `request` (the app aborted it): it leaves the outbox, a reply that still
    /// comes is dropped, an upload's stream stops, a registration that never reached the server
    /// is abandoned. No output is made for it: the shell settles it.
    pub fn cancel(&mut self, request: RequestId) {
        self.outbox.retain(|q| q.request != request);
        for (what, _) in self.in_flight.values_mut() {
            if matches!(what, InFlight::User(r) | InFlight::UserSignin(r, _) if *r == request) {
                *what = InFlight::Ignore;
            }
        }
        self.rpc_calls.retain(|_, c| c.request != request);
        self.uploads.remove(&request);
        let waited: Vec<SubscriptionId> = self
            .subscriptions
            .iter()
            .filter(|(_, s)| s.waiters.iter().any(|(r, _)| *r == request))
            .map(|(k, _)| *k)
            .collect();
        for sub in waited {
            if let Some(s) = self.subscriptions.get_mut(&sub) {
                s.waiters.retain(|(r, _)| *r != request);
            }
            self.abandon_if_unregistered(sub);
        }
        for s in self.subscriptions.values_mut() {
            if let Some(closing) = &mut s.closing {
                closing.retain(|r| *r != request);
            }
        }
    }
}
