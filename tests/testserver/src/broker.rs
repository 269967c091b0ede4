//! In-memory message broker: queues, consumers, exchanges, bounded pending buffers.
//! Pure data structure, no IO: operations return the deliveries `(connection, event)` to send.

use crate::state::ConnId;
use openiap_wasm::pb::QueueEvent;
use std::collections::{HashMap, VecDeque};
use std::time::Instant;

/// One message waiting in a queue without consumer.
#[derive(Debug, Clone)]
struct Pending {
    event: QueueEvent,
    expires: Instant,
}

#[derive(Debug, Default)]
struct Queue {
    consumers: Vec<ConnId>,
    next: usize,
    pending: VecDeque<Pending>,
    /// Set for generated queues: exclusive to this connection, deleted with it.
    owner: Option<ConnId>,
}

#[derive(Debug)]
struct Exchange {
    algorithm: String,
    /// (queue, binding key)
    bindings: Vec<(String, String)>,
}

/// A delivery: send `event` as a `queueevent` to connection `.0`.
pub type Delivery = (ConnId, QueueEvent);

/// Queues and exchanges.
#[derive(Debug)]
pub struct Broker {
    queues: HashMap<String, Queue>,
    exchanges: HashMap<String, Exchange>,
    pending_limit: usize,
    /// Messages dropped because a pending buffer was full or they expired.
    pub dropped: u64,
    /// Messages accepted and never delivered, as OpenFlow does with data it cannot parse.
    pub poisoned: u64,
}

impl Broker {
    /// An empty broker keeping at most `pending_limit` messages per queue without consumer.
    pub fn new(pending_limit: usize) -> Self {
        Broker {
            queues: HashMap::new(),
            exchanges: HashMap::new(),
            pending_limit,
            dropped: 0,
            poisoned: 0,
        }
    }

    /// Adds `conn` as consumer of `name` (idempotent); `exclusive` makes it a generated queue
    /// owned by `conn`. Messages waiting for a consumer are returned by [`Broker::flush`].
    pub fn register(&mut self, conn: ConnId, name: &str, exclusive: bool) -> Result<(), String> {
        let q = self.queues.entry(name.to_string()).or_default();
        if let Some(owner) = q.owner {
            if owner != conn {
                return Err(format!("Queue {name} is exclusive to another connection"));
            }
        }
        if exclusive && q.consumers.is_empty() {
            q.owner = Some(conn);
        }
        if !q.consumers.contains(&conn) {
            q.consumers.push(conn);
        }
        Ok(())
    }

    /// Delivers the messages waiting in `name` to its consumers (round-robin).
    pub fn flush(&mut self, name: &str, now: Instant) -> Vec<Delivery> {
        let mut out = vec![];
        let Some(q) = self.queues.get_mut(name) else {
            return out;
        };
        while !q.consumers.is_empty() {
            let Some(p) = q.pending.pop_front() else {
                break;
            };
            if p.expires <= now {
                self.dropped += 1;
                continue;
            }
            let c = q.consumers[q.next % q.consumers.len()];
            q.next = q.next.wrapping_add(1);
            out.push((c, p.event));
        }
        out
    }

    /// Removes `conn` as consumer of `name`; a generated queue owned by `conn` is deleted.
    pub fn unregister(&mut self, conn: ConnId, name: &str) {
        if let Some(q) = self.queues.get_mut(name) {
            q.consumers.retain(|c| *c != conn);
            if q.owner == Some(conn) {
                self.delete_queue(name);
            } else if q.consumers.is_empty() && q.pending.is_empty() {
                self.queues.remove(name);
            }
        }
    }

    fn delete_queue(&mut self, name: &str) {
        self.queues.remove(name);
        for ex in self.exchanges.values_mut() {
            ex.bindings.retain(|(q, _)| q != name);
        }
    }

    /// Drops every consumer of `conn` and deletes its generated queues.
    pub fn connection_closed(&mut self, conn: ConnId) {
        let names: Vec<String> = self
            .queues
            .iter()
            .filter(|(_, q)| q.owner == Some(conn) || q.consumers.contains(&conn))
            .map(|(n, _)| n.clone())
            .collect();
        for n in names {
            self.unregister(conn, &n);
        }
    }

    /// Declares exchange `name` (the first declaration's algorithm wins) and, when `queue` is
    /// given, binds that queue with `routingkey`.
    pub fn register_exchange(&mut self, name: &str, algorithm: &str, queue: Option<(&str, &str)>) {
        let ex = self
            .exchanges
            .entry(name.to_string())
            .or_insert_with(|| Exchange {
                algorithm: algorithm.to_string(),
                bindings: vec![],
            });
        if let Some((q, key)) = queue {
            if !ex.bindings.iter().any(|(bq, bk)| bq == q && bk == key) {
                ex.bindings.push((q.to_string(), key.to_string()));
            }
        }
    }

    /// Sends `event` to queue `name`: to one consumer (round-robin) or into its bounded buffer.
    pub fn publish(&mut self, name: &str, event: QueueEvent, expires: Instant) -> Vec<Delivery> {
        let q = self.queues.entry(name.to_string()).or_default();
        if q.consumers.is_empty() {
            q.pending.push_back(Pending { event, expires });
            if q.pending.len() > self.pending_limit {
                q.pending.pop_front();
                self.dropped += 1;
            }
            return vec![];
        }
        let c = q.consumers[q.next % q.consumers.len()];
        q.next = q.next.wrapping_add(1);
        vec![(c, event)]
    }

    /// Routes `event` through exchange `name` by its algorithm and `routingkey`. An unknown
    /// exchange drops the message (as AMQP does for an exchange without bound queues).
    pub fn publish_exchange(
        &mut self,
        name: &str,
        routingkey: &str,
        event: QueueEvent,
        expires: Instant,
    ) -> Vec<Delivery> {
        let Some(ex) = self.exchanges.get(name) else {
            return vec![];
        };
        let targets: Vec<String> = ex
            .bindings
            .iter()
            .filter(|(_, key)| match ex.algorithm.as_str() {
                "direct" => key == routingkey,
                "topic" => topic_matches(key, routingkey),
                _ => true, // fanout, header
            })
            .map(|(q, _)| q.clone())
            .collect();
        let mut out = vec![];
        for q in targets {
            let mut ev = event.clone();
            ev.queuename = q.clone();
            out.extend(self.publish(&q, ev, expires));
        }
        out
    }

    /// Snapshot for `/stats`.
    pub fn stats(&self) -> serde_json::Value {
        let queues: serde_json::Map<String, serde_json::Value> = self
            .queues
            .iter()
            .map(|(n, q)| {
                (
                    n.clone(),
                    serde_json::json!({"consumers": q.consumers.len(), "pending": q.pending.len(),
                        "exclusive": q.owner.is_some()}),
                )
            })
            .collect();
        let exchanges: serde_json::Map<String, serde_json::Value> = self
            .exchanges
            .iter()
            .map(|(n, e)| {
                let b: Vec<_> = e
                    .bindings
                    .iter()
                    .map(|(q, k)| serde_json::json!({"queue": q, "routingkey": k}))
                    .collect();
                (
                    n.clone(),
                    serde_json::json!({"algorithm": e.algorithm, "bindings": b}),
                )
            })
            .collect();
        serde_json::json!({"queues": queues, "exchanges": exchanges, "dropped": self.dropped,
            "poisoned": self.poisoned})
    }

    /// Number of consumers of `name`.
    #[cfg(test)]
    pub fn consumers(&self, name: &str) -> usize {
        self.queues
            .get(name)
            .map(|q| q.consumers.len())
            .unwrap_or(0)
    }
}

/// AMQP topic matching: words separated by `.`, `*` matches one word, `#` zero or more.
pub fn topic_matches(pattern: &str, key: &str) -> bool {
    fn m(p: &[&str], k: &[&str]) -> bool {
        match p.split_first() {
            None => k.is_empty(),
            Some((&"#", rest)) => (0..=k.len()).any(|i| m(rest, &k[i..])),
            Some((&w, rest)) => match k.split_first() {
                Some((kw, krest)) => (w == "*" || w == *kw) && m(rest, krest),
                None => false,
            },
        }
    }
    let p: Vec<&str> = pattern.split('.').collect();
    let k: Vec<&str> = if key.is_empty() {
        vec![]
    } else {
        key.split('.').collect()
    };
    m(&p, &k)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn ev(data: &str) -> QueueEvent {
        QueueEvent {
            data: data.into(),
            ..Default::default()
        }
    }

    #[test]
    fn topics() {
        assert!(topic_matches("a.*.c", "a.b.c"));
        assert!(!topic_matches("a.*.c", "a.b.b.c"));
        assert!(topic_matches("a.#", "a"));
        assert!(topic_matches("a.#", "a.b.c"));
        assert!(topic_matches("#.c", "a.b.c"));
        assert!(topic_matches("#", ""));
        assert!(!topic_matches("a.b", "a.c"));
    }

    #[test]
    fn pending_is_bounded_and_flushed_round_robin() {
        let mut b = Broker::new(2);
        let later = Instant::now() + Duration::from_secs(60);
        for i in 0..3 {
            assert!(b.publish("q", ev(&i.to_string()), later).is_empty());
        }
        assert_eq!(b.dropped, 1);
        b.register(1, "q", false).unwrap();
        b.register(2, "q", false).unwrap();
        b.register(2, "q", false).unwrap();
        let d = b.flush("q", Instant::now());
        assert_eq!(
            d.iter()
                .map(|(c, e)| (*c, e.data.as_str()))
                .collect::<Vec<_>>(),
            [(1, "1"), (2, "2")]
        );
        let d: Vec<_> = (0..4)
            .flat_map(|_| b.publish("q", ev("x"), later))
            .map(|(c, _)| c)
            .collect();
        assert_eq!(d, [1, 2, 1, 2]);
    }

    #[test]
    fn expired_pending_is_dropped() {
        let mut b = Broker::new(10);
        b.publish("q", ev("old"), Instant::now());
        b.register(1, "q", false).unwrap();
        assert!(b
            .flush("q", Instant::now() + Duration::from_millis(1))
            .is_empty());
    }

    #[test]
    fn exchanges_route_and_temp_queues_die_with_the_connection() {
        let mut b = Broker::new(10);
        let later = Instant::now() + Duration::from_secs(60);
        b.register(1, "t1", true).unwrap();
        b.register(2, "t2", true).unwrap();
        assert!(b.register(2, "t1", false).is_err());
        b.register_exchange("ex", "direct", Some(("t1", "red")));
        b.register_exchange("ex", "direct", Some(("t2", "blue")));
        let d = b.publish_exchange("ex", "blue", ev("m"), later);
        assert_eq!(d.len(), 1);
        assert_eq!((d[0].0, d[0].1.queuename.as_str()), (2, "t2"));
        b.connection_closed(2);
        assert!(b.publish_exchange("ex", "blue", ev("m"), later).is_empty());
        assert_eq!(b.consumers("t2"), 0);
        b.register_exchange("fan", "fanout", Some(("t1", "")));
        assert_eq!(b.publish_exchange("fan", "any", ev("m"), later).len(), 1);
    }
}
