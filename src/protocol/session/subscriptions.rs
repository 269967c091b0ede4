//! Registrations: queues, exchanges and watches, registered on the server, routed to by
//! [`RouteKey`], registered again after reconnects, and renamed when the server says so.
//!
//! Register and unregister may come in any order, each with one outcome: an unregister while the
//! registration is in flight rejects whoever waits for it with `Cancelled` and unregisters what
//! the server's late reply registered (unless a newer registration of the same queue name now
//! owns it); an unregister of a live registration keeps delivering to its callback until the
//! server confirmed it, and nothing is delivered afterwards.

use super::tables::{InFlight, Phase, RouteKey, Subscription, SubscriptionKind};
use super::types::{Call, ClientEvent, Output, RequestId, SubscriptionId};
use super::Session;
use crate::pb::{
    Envelope, RegisterQueueRequest, RegisterQueueResponse, UnRegisterQueueRequest, UnWatchRequest,
};
use crate::protocol::envelope::{decode_name, envelope, error_of, to_any};
use crate::protocol::error::{Error, ErrorKind};
use crate::protocol::text::concat;

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
        let request = self.new_request();
        let deadline = now + self.timeout_of(call.timeout_ms);
        let kind = match kind {
            SubscriptionKind::Queue(name) => SubscriptionKind::Queue(name.to_ascii_lowercase()),
            k => k,
        };
        if let SubscriptionKind::Queue(name) = &kind {
            if !name.is_empty() {
                let existing = self.subscriptions.iter().find(|(_, s)| {
                    s.closing.is_none()
                        && (s.kind == kind
                            || (s.current.as_deref() == Some(name.as_str())
                                && s.kind != SubscriptionKind::RpcReplies))
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
                closing: None,
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

    /// Ends a registration; the returned request resolves once nothing more can reach its
    /// callback. One the server knows is unregistered there (`unregisterqueue` or `unwatch`, with
    /// `call`'s identity) and delivers until that is answered. One the server has not confirmed
    /// rejects its waiters with `Cancelled` at once and is undone when its reply comes.
    pub fn unsubscribe(&mut self, now: u64, id: SubscriptionId, call: &Call) -> RequestId {
        let request = self.new_request();
        let Some(sub) = self.subscriptions.get_mut(&id) else {
            self.reply_ok(request, Envelope::default());
            return request;
        };
        if let Some(closing) = &mut sub.closing {
            closing.push(request);
            return request;
        }
        if let (true, Some(name)) = (sub.live, sub.current.clone()) {
            sub.closing = Some(vec![request]);
            let watch = matches!(sub.kind, SubscriptionKind::Watch(_));
            let deadline = now + self.timeout_of(call.timeout_ms);
            let env = unregister_envelope(watch, name, call);
            self.send(env, Some((InFlight::Unregister(id), deadline)));
            return request;
        }
        let waiters = std::mem::take(&mut sub.waiters);
        for (r, _) in waiters {
            self.reply_err(
                r,
                ErrorKind::Cancelled,
                "cancelled: unregistered before the server confirmed the registration",
            );
        }
        self.undo_registration(id);
        self.reply_ok(request, Envelope::default());
        request
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
                self.out(Output::Event(ClientEvent::Error(concat(&[
                    "could not register '",
                    &what,
                    "' again: ",
                    &e.message,
                ]))));
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
        let mut route = None;
        let (command, data) = match &sub.kind {
            SubscriptionKind::Queue(name) => {
                // A named queue keeps its name (a temporary one asks for a fresh name), so it is
                // routed at once: a queue with a backlog may deliver before the reply comes.
                if !name.is_empty() {
                    route = Some(RouteKey::Queue(name.clone()));
                }
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
        if let (Some(key), Some(_)) = (route, &id_str) {
            self.routes.insert(key, id);
        }
        if let Some(s) = self.subscriptions.get_mut(&id) {
            s.in_flight = id_str;
        }
    }

    /// Forgets registration `id`, which the server has not confirmed; a registration request
    /// still in flight is undone when its reply comes ([`InFlight::Undo`]).
    pub(super) fn undo_registration(&mut self, id: SubscriptionId) {
        let Some(s) = self.subscriptions.get_mut(&id) else {
            return;
        };
        let watch = matches!(s.kind, SubscriptionKind::Watch(_));
        if let Some(sent) = s.in_flight.take() {
            let call = s.call.clone();
            if let Some(entry) = self.in_flight.get_mut(&sent) {
                entry.0 = InFlight::Undo { watch, call };
            }
        }
        self.remove_subscription(id);
    }

    /// The late reply to a registration the app gave up: unregisters what it registered. A
    /// queue that a newer registration of the same name uses keeps its consumer (the server
    /// has one per connection and name).
    pub(super) fn undo(&mut self, now: u64, watch: bool, call: &Call, env: &Envelope) {
        let name = match (error_of(env), decode_name(env)) {
            (None, Ok(name)) if !name.is_empty() => name,
            _ => return,
        };
        let kind = SubscriptionKind::Queue(name.to_ascii_lowercase());
        let newer = self
            .subscriptions
            .values()
            .any(|s| s.closing.is_none() && s.kind == kind);
        if watch || !newer {
            let deadline = now + self.config.request_timeout_ms;
            let env = unregister_envelope(watch, name, call);
            self.send(env, Some((InFlight::Ignore, deadline)));
        }
    }

    /// Rejects the app's requests waiting for the unregister of `id` with `error`; the
    /// registration stays as it was.
    pub(super) fn fail_closing(&mut self, id: SubscriptionId, error: Error) {
        let waiting = self
            .subscriptions
            .get_mut(&id)
            .and_then(|s| s.closing.take());
        for r in waiting.into_iter().flatten() {
            self.out(Output::Reply {
                request: r,
                result: Err(error.clone()),
            });
        }
    }

    /// Ends registration `id` here: its routes and callback go, and app requests waiting for its
    /// unregister resolve (after the callback is dropped, so nothing reaches it afterwards).
    pub(super) fn remove_subscription(&mut self, id: SubscriptionId) -> Option<Subscription> {
        let sub = self.subscriptions.remove(&id)?;
        self.routes.retain(|_, v| *v != id);
        if self.rpc_queue == Some(id) {
            self.rpc_queue = None;
        } else {
            self.out(Output::SubscriptionClosed { subscription: id });
        }
        for &r in sub.closing.iter().flatten() {
            self.reply_ok(r, Envelope::default());
        }
        Some(sub)
    }
}

/// The request that ends a registration at the server: `unwatch` of a watch id, else
/// `unregisterqueue` of a queue name; with `call`'s identity.
fn unregister_envelope(watch: bool, name: String, call: &Call) -> Envelope {
    let data = if watch {
        to_any(&UnWatchRequest { id: name })
    } else {
        to_any(&UnRegisterQueueRequest { queuename: name })
    };
    let mut env = envelope(
        if watch { "unwatch" } else { "unregisterqueue" },
        Some(data),
    );
    call.stamp(&mut env);
    env
}

fn queue_reply(name: &str) -> Envelope {
    envelope(
        "registerqueuereply",
        Some(to_any(&RegisterQueueResponse {
            queuename: name.to_string(),
        })),
    )
}
