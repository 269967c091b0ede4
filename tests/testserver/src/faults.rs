//! Fault injection: settings the connection writers and readers consult, and the actions that
//! act on every socket at once.

use crate::auth;
use crate::state::{send, ListenerCmd, Out, Shared, Transport};
use openiap_wasm::pb::{Noop, RefreshToken};
use openiap_wasm::protocol::envelope::{envelope, to_any};
use openiap_wasm::protocol::framing::grpc_web;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::{oneshot, watch};

/// Fault settings.
#[derive(Debug)]
pub struct Faults {
    /// `Some(until)` while stalled.
    stall: watch::Sender<Option<Instant>>,
    delay_ms: AtomicU64,
    /// (envelopes left to split, chunk size)
    split: Mutex<(u32, usize)>,
    coalesce: AtomicU32,
    refuse_signin: AtomicU32,
    /// Replies held back: (command, ms, replies left).
    reply_delays: Mutex<Vec<(String, u64, u32)>>,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            stall: watch::channel(None).0,
            delay_ms: AtomicU64::new(0),
            split: Mutex::new((0, 1)),
            coalesce: AtomicU32::new(0),
            refuse_signin: AtomicU32::new(0),
            reply_delays: Mutex::new(Vec::new()),
        }
    }
}

impl Faults {
    /// Stall every socket for `ms` (0 = until [`Faults::heal`]).
    pub fn stall(&self, ms: u64) {
        let until = Instant::now()
            + Duration::from_millis(if ms == 0 { 10 * 365 * 86_400_000 } else { ms });
        self.stall.send_replace(Some(until));
    }

    /// Whether sockets are stalled now.
    pub fn stalled(&self) -> bool {
        matches!(*self.stall.borrow(), Some(t) if t > Instant::now())
    }

    /// Waits until no stall is in force.
    pub async fn wait_unstalled(&self) {
        let mut rx = self.stall.subscribe();
        loop {
            let until = *rx.borrow_and_update();
            match until {
                Some(t) if t > Instant::now() => {
                    tokio::select! {
                        _ = tokio::time::sleep_until(t.into()) => return,
                        r = rx.changed() => if r.is_err() { return },
                    }
                }
                _ => return,
            }
        }
    }

    /// Clears stall, delay, split, coalesce and held replies.
    pub fn heal(&self) {
        self.stall.send_replace(None);
        self.delay_ms.store(0, Ordering::Relaxed);
        *self.split.lock().unwrap_or_else(|e| e.into_inner()) = (0, 1);
        self.coalesce.store(0, Ordering::Relaxed);
        self.reply_delays
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Holds back the replies to the next `count` envelopes of `command` (any socket) by `ms`.
    /// The command itself takes effect at once: only its answer is late.
    pub fn set_reply_delay(&self, command: &str, ms: u64, count: u32) {
        let mut d = self.reply_delays.lock().unwrap_or_else(|e| e.into_inner());
        d.retain(|(c, _, _)| c != command);
        if count > 0 && ms > 0 {
            d.push((command.to_string(), ms, count));
        }
    }

    /// How long to hold back the reply to an envelope of `command` (and counts it), if at all.
    pub fn take_reply_delay(&self, command: &str) -> Option<Duration> {
        let mut d = self.reply_delays.lock().unwrap_or_else(|e| e.into_inner());
        let i = d.iter().position(|(c, _, _)| c == command)?;
        let ms = d[i].1;
        d[i].2 -= 1;
        if d[i].2 == 0 {
            d.remove(i);
        }
        Some(Duration::from_millis(ms))
    }

    /// Clears every fault, including pending sign-in refusals.
    pub fn reset(&self) {
        self.heal();
        self.refuse_signin.store(0, Ordering::Relaxed);
    }

    /// Delay every frame sent by `ms`.
    pub fn set_delay(&self, ms: u64) {
        self.delay_ms.store(ms, Ordering::Relaxed);
    }

    /// Current frame delay.
    pub fn delay(&self) -> Duration {
        Duration::from_millis(self.delay_ms.load(Ordering::Relaxed))
    }

    /// Split the next `count` envelopes (on any socket) into messages of `chunk` bytes.
    pub fn set_split(&self, count: u32, chunk: usize) {
        *self.split.lock().unwrap_or_else(|e| e.into_inner()) = (count, chunk.max(1));
    }

    /// Chunk size if the envelope being sent is to be split.
    pub fn take_split(&self) -> Option<usize> {
        let mut s = self.split.lock().unwrap_or_else(|e| e.into_inner());
        if s.0 == 0 {
            return None;
        }
        s.0 -= 1;
        Some(s.1)
    }

    /// Coalesce the next `count` envelopes of one socket into one message.
    pub fn set_coalesce(&self, count: u32) {
        self.coalesce.store(count, Ordering::Relaxed);
    }

    /// Claims the pending coalesce request (the socket that sends next gets it).
    pub fn take_coalesce(&self) -> u32 {
        self.coalesce.swap(0, Ordering::Relaxed)
    }

    /// Refuse the next `count` sign-ins.
    pub fn set_refuse_signin(&self, count: u32) {
        self.refuse_signin.store(count, Ordering::Relaxed);
    }

    /// True if this sign-in is to be refused (and counts it).
    pub fn take_refuse_signin(&self) -> bool {
        self.refuse_signin
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
            .is_ok()
    }
}

/// What `/garbage` sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Garbage {
    /// A well-framed payload that is not a protobuf Envelope.
    Decode,
    /// A length prefix of 4 GiB - 1.
    Length,
}

impl Shared {
    /// Closes every socket abruptly (no close frame), as a dropped network link does.
    pub fn drop_all(&self, reason: &str) -> usize {
        let (n, handles): (usize, Vec<_>) = {
            let mut st = self.lock();
            let ids: Vec<_> = st.conns.keys().copied().collect();
            for id in &ids {
                st.closes.push((*id, reason.to_string()));
            }
            (
                ids.len(),
                st.conns.values().flat_map(|c| c.tasks.clone()).collect(),
            )
        };
        for h in handles {
            h.abort();
        }
        self.log(format!("dropped {n} sockets: {reason}"));
        n
    }

    /// Stops listening and drops every socket; listens again on the same port after `ms`.
    pub async fn down(&self, ms: u64) {
        let (tx, rx) = oneshot::channel();
        if self.listener.send(ListenerCmd::Down(ms, tx)).is_ok() {
            let _ = rx.await;
        }
    }

    fn broadcast(&self, make: impl Fn(Transport) -> Out) -> usize {
        let st = self.lock();
        for c in st.conns.values() {
            send(&c.tx, make(c.transport));
        }
        st.conns.len()
    }

    /// Sends a malformed frame to every socket.
    pub fn garbage(&self, kind: Garbage) -> usize {
        self.broadcast(|t| {
            let payload: &[u8] = &[0xff, 0xff, 0xff, 0xff, 0xff];
            Out::Raw(match (t, kind) {
                (Transport::Openiap, Garbage::Decode) => [&[5, 0, 0, 0][..], payload].concat(),
                (Transport::Openiap, Garbage::Length) => vec![0xff, 0xff, 0xff, 0xff, 1, 2, 3],
                (Transport::GrpcWeb, Garbage::Decode) => [&[0, 0, 0, 0, 5][..], payload].concat(),
                (Transport::GrpcWeb, Garbage::Length) => vec![0, 0xff, 0xff, 0xff, 0xff, 1, 2, 3],
                (Transport::Rest, _) => vec![],
            })
        })
    }

    /// Sends an envelope with an unknown command to every socket.
    pub fn unknown_command(&self, command: &str) -> usize {
        self.broadcast(|_| Out::Env(envelope(command, Some(to_any(&Noop {})))))
    }

    /// Sends a `refreshtoken` with a new token to every signed-in socket now. With `expire_old`,
    /// every token issued before is expired first, so that only a client that took the pushed
    /// token can sign in again with a token (`--jwt` tokens stay valid).
    pub fn refresh_all(&self, expire_old: bool) -> usize {
        let mut st = self.lock();
        if expire_old {
            st.tokens.values_mut().for_each(|(_, exp)| *exp = 0);
        }
        let ids: Vec<_> = st
            .conns
            .iter()
            .filter(|(_, c)| c.session.is_some())
            .map(|(id, _)| *id)
            .collect();
        for id in &ids {
            refresh_conn(self, &mut st, *id);
        }
        ids.len()
    }
}

/// Issues a new token for connection `id`'s session and sends it as `refreshtoken`.
pub fn refresh_conn(shared: &Shared, st: &mut crate::state::State, id: crate::state::ConnId) {
    let Some(user) = st
        .conns
        .get(&id)
        .and_then(|c| c.session.as_ref())
        .map(|s| s.user.clone())
    else {
        return;
    };
    let jwt = auth::issue(shared, st, &user);
    let refresh_at = Instant::now() + Duration::from_millis(shared.config.refresh_after_ms());
    if let Some(c) = st.conns.get_mut(&id) {
        if let Some(s) = c.session.as_mut() {
            s.jwt = jwt.clone();
            s.refresh_at = refresh_at;
        }
        let msg = RefreshToken {
            username: user.username.clone(),
            jwt,
            user: Some(user),
        };
        send(
            &c.tx,
            Out::Env(envelope("refreshtoken", Some(to_any(&msg)))),
        );
    }
}

/// The end-of-stream trailer of a gRPC-web socket.
pub fn grpc_trailer(status: u32, message: &str) -> Vec<u8> {
    let status = status.to_string();
    let message: String = message
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    grpc_web::encode_metadata_frame(&[("grpc-status", &status), ("grpc-message", &message)])
}
