//! Registrations: queues, exchanges and watches, registered on the server, routed to by
//! [`RouteKey`], registered again after reconnects, and renamed when the server says so.

use super::tables::{InFlight, Phase, RouteKey, Subscription, SubscriptionKind};
use super::types::{Call, ClientEvent, Output, RequestId, SubscriptionId};
use super::Session;
use crate::pb::{Envelope, RegisterQueueRequest, RegisterQueueResponse, UnRegisterQueueRequest};
use crate::protocol::envelope::{decode_name, envelope, error_of, to_any};
use crate::protocol::error::ErrorKind;

impl Session {
    /// Registers a queue (empty name: a temporary queue) or exchange or watch; the request's
    /// reply carries the queue name (or watch id). `keep` = register again after reconnects.
    /// A named queue registered twice shares one registration (no duplicate consumers). `call`
    /// gives the timeout and the identity it is registered with, now and after reconnects.
    pub fn subscribe(
        &mut self,
        now: u64,
        kind: SubscriptionKind,
        keep: bool,
        call: &Call,
    ) -> (SubscriptionId, RequestId) {
        // Over HTTP a consumer would end with its request: refused, and the shell drops the
        // callback it keeps for registration 0 (no registration has that id).
        #[cfg(feature = "http")]
        if self.http {
            self.out(Output::SubscriptionClosed { subscription: 0 });
            return (0, self.refused());
        }
        let request = self.new_request();
        let deadline = now + self.timeout_of(call.timeout_ms);
        let kind = match kind {
            SubscriptionKind::Queue(name) => SubscriptionKind::Queue(name.to_ascii_lowercase()),
            k => k,
        };
        if let SubscriptionKind::Queue(name) = &kind {
            if !name.is_empty() {
                let existing = self.subscriptions.iter().find(|(_, s)| {
                    s.kind == kind
                        || (s.current.as_deref() == Some(name.as_str())
                            && s.kind != SubscriptionKind::RpcReplies)
                });
                if let Some((&id, s)) = existing {
                    let keep_now = s.keep || keep;
                    let (live, current) = (s.live, s.current.clone());
                    self.subscriptions.get_mut(&id).expect("found").keep = keep_now;
                    if live {
                        let name = current.unwrap_or_default();
                        self.reply_ok(request, queue_reply(&name));
                    } else if !self.active {
                        self.reply_err(
                            request,
                            ErrorKind::NotConnected,
                            "not connected: call connect() first",
                        );
                    } else {
                        self.subscriptions
                            .get_mut(&id)
                            .expect("found")
                            .waiters
                            .push((request, deadline));
                        if self.subscriptions[&id].in_flight.is_none()
                            && matches!(self.phase, Phase::Ready)
                        {
                            self.send_registration(now, id);
                        }
                    }
                    return (id, request);
                }
            }
        }
        self.next_subscription += 1;
        let id = self.next_subscription;
        if !self.active {
            self.reply_err(
                request,
                ErrorKind::NotConnected,
                "not connected: call connect() first",
            );
            return (id, request);
        }
        self.subscriptions.insert(
            id,
            Subscription {
                kind,
                current: None,
                first: None,
                live: false,
                keep,
                in_flight: None,
                waiters: vec![(request, deadline)],
                call: Call {
                    upload: false,
                    ..call.clone()
                },
            },
        );
        if matches!(self.phase, Phase::Ready) {
            self.send_registration(now, id);
        }
        (id, request)
    }

    /// Ends a registration. For queues and exchanges an `unregisterqueue` is sent if the server
    /// knows it (with `call`'s identity); the returned request resolves when done.
    pub fn unsubscribe(&mut self, now: u64, id: SubscriptionId, call: &Call) -> RequestId {
        let sub = self.remove_subscription(id);
        match sub {
            Some(Subscription {
                kind: SubscriptionKind::Watch(_),
                live: true,
                current: Some(wid),
                ..
            }) => {
                let data = to_any(&crate::pb::UnWatchRequest { id: wid });
                self.request(now, "unwatch", data, call)
            }
            Some(Subscription {
                live: true,
                current: Some(name),
                ..
            }) => {
                let data = to_any(&UnRegisterQueueRequest { queuename: name });
                self.request(now, "unregisterqueue", data, call)
            }
            _ => {
                let request = self.new_request();
                self.reply_ok(request, envelope("unregisterqueuereply", None));
                request
            }
        }
    }

    /// The registration of queue `name` (the name the server gave it, or the one it was
    /// registered with), if any.
    pub fn queue_subscription(&self, name: &str) -> Option<SubscriptionId> {
        let lower = name.to_ascii_lowercase();
        self.routes
            .get(&RouteKey::Queue(lower.clone()))
            .copied()
            .or_else(|| {
                self.subscriptions
                    .iter()
                    .find(|(_, s)| s.kind == SubscriptionKind::Queue(lower.clone()))
                    .map(|(k, _)| *k)
            })
    }

    /// The registration of watch `id`: the id `watch()` returned, which a watch keeps towards
    /// the app even when a reconnect gives it a new one.
    pub fn watch_subscription(&self, id: &str) -> Option<SubscriptionId> {
        self.subscriptions
            .iter()
            .find(|(_, s)| {
                matches!(s.kind, SubscriptionKind::Watch(_)) && s.first.as_deref() == Some(id)
            })
            .map(|(k, _)| *k)
    }

    pub(super) fn registered(&mut self, now: u64, id: SubscriptionId, env: Envelope) {
        let Some(sub) = self.subscriptions.get_mut(&id) else {
            return;
        };
        sub.in_flight = None;
        if let Some(e) = error_of(&env) {
            let waiters = std::mem::take(&mut sub.waiters);
            let is_rpc = sub.kind == SubscriptionKind::RpcReplies;
            if waiters.is_empty() && !is_rpc {
                let what = sub.current.clone().unwrap_or_default();
                self.out(Output::Event(ClientEvent::Error(format!(
                    "could not register '{what}' again: {}",
                    e.message
                ))));
                return;
            }
            for (r, _) in waiters {
                self.out(Output::Reply {
                    request: r,
                    result: Err(e.clone()),
                });
            }
            self.remove_subscription(id);
            if is_rpc {
                self.fail_rpc_calls(&e);
            }
            return;
        }
        let name = match decode_name(&env) {
            Ok(n) => n,
            Err(e) => {
                let waiters = std::mem::take(&mut sub.waiters);
                for (r, _) in waiters {
                    self.out(Output::Reply {
                        request: r,
                        result: Err(e.clone()),
                    });
                }
                return;
            }
        };
        let route = match sub.kind {
            SubscriptionKind::Watch(_) => RouteKey::Watch(name.clone()),
            _ => RouteKey::Queue(name.to_ascii_lowercase()),
        };
        let old = sub.current.replace(name.clone());
        sub.first.get_or_insert_with(|| name.clone());
        sub.live = true;
        let waiters = std::mem::take(&mut sub.waiters);
        let is_rpc = sub.kind == SubscriptionKind::RpcReplies;
        let is_watch = matches!(sub.kind, SubscriptionKind::Watch(_));
        self.routes.insert(route, id);
        if let Some(old) = old.filter(|o| *o != name) {
            // Watches keep their first id towards the app, so only queues are "renamed".
            if !is_rpc && !is_watch {
                self.out(Output::Event(ClientEvent::QueueRenamed {
                    subscription: id,
                    old,
                    new: name.clone(),
                }));
            }
        }
        for (r, _) in waiters {
            self.reply_ok(r, env.clone());
        }
        if is_rpc {
            let pending: Vec<String> = self
                .rpc_calls
                .iter()
                .filter(|(_, c)| !c.sent)
                .map(|(k, _)| k.clone())
                .collect();
            for corr in pending {
                self.send_rpc(now, &corr);
            }
        }
    }

    pub(super) fn send_registration(&mut self, now: u64, id: SubscriptionId) {
        let Some(sub) = self.subscriptions.get(&id) else {
            return;
        };
        let (command, data) = match &sub.kind {
            SubscriptionKind::Queue(name) => {
                // A named queue keeps its name; a temporary one asks for a fresh name.
                (
                    "registerqueue",
                    to_any(&RegisterQueueRequest {
                        queuename: name.clone(),
                    }),
                )
            }
            SubscriptionKind::RpcReplies => {
                ("registerqueue", to_any(&RegisterQueueRequest::default()))
            }
            SubscriptionKind::Exchange(req) => ("registerexchange", to_any(req)),
            SubscriptionKind::Watch(req) => ("watch", to_any(req)),
        };
        let deadline = now + self.config.request_timeout_ms;
        let mut env = envelope(command, Some(data));
        sub.call.stamp(&mut env);
        let id_str = self.send(env, Some((InFlight::Register(id), deadline)));
        if let Some(s) = self.subscriptions.get_mut(&id) {
            s.in_flight = id_str;
        }
    }

    pub(super) fn remove_subscription(&mut self, id: SubscriptionId) -> Option<Subscription> {
        let sub = self.subscriptions.remove(&id)?;
        self.routes.retain(|_, v| *v != id);
        if self.rpc_queue == Some(id) {
            self.rpc_queue = None;
        } else {
            self.out(Output::SubscriptionClosed { subscription: id });
        }
        Some(sub)
    }
}

fn queue_reply(name: &str) -> Envelope {
    envelope(
        "registerqueuereply",
        Some(to_any(&RegisterQueueResponse {
            queuename: name.to_string(),
        })),
    )
}
