//! `rpc`: a message sent with `replyto` set to the client's one reply queue, and the reply matched
//! by correlation id, so any number of calls can run at once.

use super::tables::{InFlight, Phase, RpcCall, Subscription, SubscriptionKind};
use super::types::{Call, RequestId};
use super::Session;
use crate::pb::QueueMessageRequest;
use crate::protocol::envelope::{envelope, to_any};
use crate::protocol::error::ErrorKind;
use crate::protocol::text::concat;

impl Session {
    /// Sends `message` and waits for the reply on the client's reply queue, matched by
    /// correlation id, so any number of rpcs can run at once.
    pub fn rpc(&mut self, now: u64, mut message: QueueMessageRequest, call: &Call) -> RequestId {
        let request = self.new_request();
        if !self.active {
            self.reply_err(
                request,
                ErrorKind::NotConnected,
                "not connected: call connect() first",
            );
            return request;
        }
        let corr = concat(&["rpc-", &self.seq.next_id()]);
        message.correlation_id = corr.clone();
        let deadline = now + self.timeout_of(call.timeout_ms);
        self.rpc_calls.insert(
            corr.clone(),
            RpcCall {
                request,
                message,
                call: call.clone(),
                deadline,
                sent: false,
            },
        );
        match self.rpc_queue {
            Some(sub) if self.subscriptions.get(&sub).is_some_and(|s| s.live) => {
                self.send_rpc(now, &corr)
            }
            Some(_) => {}
            None => {
                self.next_subscription += 1;
                let id = self.next_subscription;
                self.subscriptions.insert(
                    id,
                    Subscription {
                        kind: SubscriptionKind::RpcReplies,
                        current: None,
                        first: None,
                        live: false,
                        keep: false,
                        in_flight: None,
                        closing: None,
                        waiters: vec![],
                        call: Call::default(),
                    },
                );
                self.rpc_queue = Some(id);
                if matches!(self.phase, Phase::Ready) {
                    self.send_registration(now, id);
                }
            }
        }
        request
    }

    pub(super) fn send_rpc(&mut self, now: u64, corr: &str) {
        let Some(reply_to) = self
            .rpc_queue
            .and_then(|s| self.subscriptions.get(&s))
            .and_then(|s| s.current.clone())
        else {
            return;
        };
        let Some(call) = self.rpc_calls.get_mut(corr) else {
            return;
        };
        call.sent = true;
        let mut msg = call.message.clone();
        msg.replyto = reply_to;
        let deadline = call.deadline.max(now);
        let mut env = envelope("queuemessage", Some(to_any(&msg)));
        call.call.stamp(&mut env);
        self.send(env, Some((InFlight::RpcSend(corr.to_string()), deadline)));
    }
}
