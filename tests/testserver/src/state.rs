//! Shared server state: connections, sessions, broker, the envelope log.

use crate::broker::{Broker, Delivery};
use crate::config::Config;
use crate::faults::Faults;
use openiap_wasm::pb::{Envelope, User};
use openiap_wasm::protocol::envelope::{envelope, to_any};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;
use tokio::sync::{mpsc, oneshot};
use tokio::task::AbortHandle;

/// Connection number, from 1, unique for the server's lifetime.
pub type ConnId = u64;

/// Something for a connection's writer to send.
#[derive(Debug)]
pub enum Out {
    /// An envelope: the writer stamps `seq` (and an id if empty) and frames it.
    Env(Envelope),
    /// Bytes sent as one WebSocket message as they are (fault injection).
    Raw(Vec<u8>),
    /// Send a close frame and stop.
    Close(u16, String),
}

/// Sender half of a connection's outbox; items carry the time they were queued (for `delay`).
pub type Tx = mpsc::UnboundedSender<(Instant, Out)>;

/// Queues `out` on `tx`.
pub fn send(tx: &Tx, out: Out) {
    let _ = tx.send((Instant::now(), out));
}

/// Which framing a socket speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// `/ws/v2`: u32 LE length + Envelope.
    Openiap,
    /// `/openiap.FlowService/SetupStream`: gRPC-web over WebSocket.
    GrpcWeb,
    /// `POST /api/v2`: a connection that lives for one request.
    Rest,
}

/// A signed-in session.
#[derive(Debug, Clone)]
pub struct Session {
    /// The user.
    pub user: User,
    /// The current session token.
    pub jwt: String,
    /// When to send the next `refreshtoken`.
    pub refresh_at: Instant,
}

/// A live connection.
#[derive(Debug)]
pub struct ConnEntry {
    /// Its outbox.
    pub tx: Tx,
    /// Its session, once signed in.
    pub session: Option<Session>,
    /// Its framing.
    pub transport: Transport,
    /// Abort handles of its reader and writer tasks (for `drop`).
    pub tasks: Vec<AbortHandle>,
}

/// One received envelope, as `/log` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    /// Connection number.
    pub conn: ConnId,
    /// Envelope `seq`.
    pub seq: i32,
    /// Envelope `id`.
    pub id: String,
    /// Envelope `rid`.
    pub rid: String,
    /// Envelope `command`.
    pub command: String,
    /// Envelope `traceid` and `spanid`.
    pub traceid: String,
    /// Envelope `spanid`.
    pub spanid: String,
    /// Whether the envelope carried a `jwt` (the token itself is never logged).
    pub has_jwt: bool,
}

impl LogEntry {
    /// The entry for `env`, received on `conn` (the token itself is left out).
    pub fn of(conn: ConnId, env: &Envelope) -> Self {
        LogEntry {
            conn,
            seq: env.seq,
            id: env.id.clone(),
            rid: env.rid.clone(),
            command: env.command.clone(),
            traceid: env.traceid.clone(),
            spanid: env.spanid.clone(),
            has_jwt: !env.jwt.is_empty(),
        }
    }

    /// As JSON.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({"conn": self.conn, "seq": self.seq, "id": self.id, "rid": self.rid,
            "command": self.command, "traceid": self.traceid, "spanid": self.spanid,
            "has_jwt": self.has_jwt})
    }
}

/// Mutable state behind one lock (never held across an await).
#[derive(Debug)]
pub struct State {
    /// Live connections.
    pub conns: HashMap<ConnId, ConnEntry>,
    /// Queues and exchanges.
    pub broker: Broker,
    /// Every envelope received.
    pub log: Vec<LogEntry>,
    /// Why connections were closed by the server (or ended): (conn, reason).
    pub closes: Vec<(ConnId, String)>,
    /// Successful sign-ins (not counting validateonly).
    pub signins: u64,
    /// Tokens this server issued: token -> (username, expiry in Unix ms).
    pub tokens: HashMap<String, (String, u64)>,
    /// Document collections and watches.
    pub docs: crate::docs::Docs,
    /// Work item queues.
    pub workitems: crate::workitems::Workitems,
    /// Uploaded files.
    pub files: crate::files::Files,
    /// `listcollections` answers by jwt, with when they were made.
    pub collections_cache: HashMap<String, (std::time::Instant, String)>,
}

impl State {
    /// Sends `env` to connection `conn`, if it is still there.
    pub fn send_to(&self, conn: ConnId, env: Envelope) {
        if let Some(c) = self.conns.get(&conn) {
            send(&c.tx, Out::Env(env));
        }
    }

    /// Sends each delivery as a `queueevent` to its consumer.
    pub fn deliver(&self, deliveries: Vec<Delivery>) {
        for (conn, ev) in deliveries {
            if let Some(c) = self.conns.get(&conn) {
                send(&c.tx, Out::Env(envelope("queueevent", Some(to_any(&ev)))));
            }
        }
    }
}

/// Commands to the WebSocket accept loop.
pub enum ListenerCmd {
    /// Stop listening, drop sockets, listen again after the given ms; ack once stopped.
    Down(u64, oneshot::Sender<()>),
    /// Stop for good.
    Shutdown,
}

/// Everything shared by the server's tasks.
pub struct Shared {
    /// Configuration.
    pub config: Config,
    /// Mutable state.
    pub state: Mutex<State>,
    /// Fault injection settings.
    pub faults: Faults,
    /// `POST /api/v2`: its rate limiter and malformed replies.
    pub api: crate::api::Api,
    next_conn: AtomicU64,
    /// To the accept loop.
    pub listener: mpsc::UnboundedSender<ListenerCmd>,
}

impl Shared {
    /// New shared state.
    pub fn new(config: Config, listener: mpsc::UnboundedSender<ListenerCmd>) -> Arc<Self> {
        let pending_limit = config.pending_limit;
        let api = crate::api::Api::new(config.api_rate_limit);
        Arc::new(Shared {
            config,
            state: Mutex::new(State {
                conns: HashMap::new(),
                broker: Broker::new(pending_limit),
                log: vec![],
                closes: vec![],
                signins: 0,
                tokens: HashMap::new(),
                docs: Default::default(),
                workitems: Default::default(),
                files: Default::default(),
                collections_cache: Default::default(),
            }),
            faults: Faults::default(),
            api,
            next_conn: AtomicU64::new(1),
            listener,
        })
    }

    /// The state, locked (a poisoned lock is taken over: tests may panic while holding none).
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A fresh connection number.
    pub fn next_conn_id(&self) -> ConnId {
        self.next_conn.fetch_add(1, Ordering::Relaxed)
    }

    /// Logs to stderr unless quiet.
    pub fn log(&self, msg: impl AsRef<str>) {
        if !self.config.quiet {
            eprintln!("[openiap-testserver] {}", msg.as_ref());
        }
    }
}

impl Shared {
    /// Received envelopes, optionally only those with `command` and/or from `conn`.
    pub fn log_entries(&self, command: Option<&str>, conn: Option<ConnId>) -> Vec<LogEntry> {
        self.lock()
            .log
            .iter()
            .filter(|e| command.is_none_or(|c| e.command == c) && conn.is_none_or(|c| e.conn == c))
            .cloned()
            .collect()
    }

    /// Snapshot: connections, sessions, sign-ins, queues, exchanges, close reasons.
    pub fn stats(&self) -> serde_json::Value {
        let st = self.lock();
        let mut conns: Vec<_> = st
            .conns
            .iter()
            .map(|(id, c)| {
                serde_json::json!({"conn": id, "transport": format!("{:?}", c.transport),
                    "user": c.session.as_ref().map(|s| s.user.username.clone())})
            })
            .collect();
        conns.sort_by_key(|v| v["conn"].as_u64());
        let closes: Vec<_> = st
            .closes
            .iter()
            .map(|(c, r)| serde_json::json!({"conn": c, "reason": r}))
            .collect();
        let mut v = st.broker.stats();
        v["connections"] = st.conns.len().into();
        v["conns"] = conns.into();
        v["signedin"] = st
            .conns
            .values()
            .filter(|c| c.session.is_some())
            .count()
            .into();
        let mut watches = serde_json::Map::new();
        for w in st.docs.watches.values() {
            let n = watches
                .get(&w.collection)
                .and_then(|n| n.as_u64())
                .unwrap_or(0);
            watches.insert(w.collection.clone(), (n + 1).into());
        }
        v["watches"] = watches.into();
        v["signins"] = st.signins.into();
        v["received"] = st.log.len().into();
        v["closes"] = closes.into();
        v
    }

    /// A token for `username` valid for `lifetime_ms` (0: already expired), as if it had signed in.
    pub fn mint_jwt(&self, username: &str, lifetime_ms: u64) -> String {
        let u = crate::auth::user(&username.to_ascii_lowercase());
        crate::auth::issue_for(&mut self.lock(), &u, lifetime_ms)
    }

    /// Clears the log, the close list and every fault; the API rate limit is the configured one
    /// again.
    pub fn reset(&self) {
        {
            let mut st = self.lock();
            st.log.clear();
            st.closes.clear();
        }
        self.faults.reset();
        self.api.set_limit(self.config.api_rate_limit);
        self.api.set_garbage(None, 0);
    }
}
