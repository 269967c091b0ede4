//! `openiap-testserver`: an OpenIAP (OpenFlow) server for tests, with fault injection.
//!
//! Start it in-process with [`TestServer::start`], or run the binary (`--help` lists options).
//! One concern per module: [`config`] options, `conn` WebSocket transport and framing, `api`
//! `POST /api/v2` (OpenFlow's HTTP transport),
//! `commands` command dispatch, `broker` queues and exchanges, `docs` collections and watches
//! (`query` matching, `update` update operators, `history` document versions), `workitems` work
//! items, `wiq` work item queue objects, `entities` workflow instances and customers, `robot` the
//! fake OpenRPA robot, `files` upload/download storage, `auth` users and tokens, `faults` fault
//! injection, `control` the HTTP control endpoint (`origin`: who may use it), `state` shared state.
#![warn(missing_docs)]

mod agents;
mod api;
mod auth;
mod broker;
mod commands;
pub mod config;
mod conn;
mod control;
mod data;
mod docs;
mod entities;
mod faults;
mod files;
mod history;
mod http;
mod origin;
mod query;
mod robot;
mod state;
mod update;
mod util;
mod wiq;
mod workitems;

pub use config::{Config, Parsed, HELP};
pub use faults::Garbage;
pub use robot::{FAIL_WORKFLOW, IDLE_WORKFLOW, ROBOT_QUEUE};
pub use state::LogEntry;

use state::{ListenerCmd, Shared};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// A running server. Dropping it stops it.
pub struct TestServer {
    shared: Arc<Shared>,
    /// Address of the WebSocket port.
    pub ws_addr: SocketAddr,
    /// Address of the HTTP control endpoint.
    pub control_addr: SocketAddr,
    control: JoinHandle<()>,
}

impl TestServer {
    /// Binds both ports and starts serving on the current tokio runtime.
    pub async fn start(config: Config) -> std::io::Result<TestServer> {
        let listener = TcpListener::bind(&config.listen).await?;
        let ws_addr = listener.local_addr()?;
        let control_listener = TcpListener::bind(&config.control).await?;
        let control_addr = control_listener.local_addr()?;
        let (ltx, lrx) = mpsc::unbounded_channel();
        let shared = Shared::new(config, ltx);
        tokio::spawn(conn::accept_loop(shared.clone(), ws_addr, listener, lrx));
        let control = tokio::spawn(control::serve(shared.clone(), control_listener));
        Ok(TestServer {
            shared,
            ws_addr,
            control_addr,
            control,
        })
    }

    /// `ws://HOST:PORT` (append `/ws/v2` for the openiap framing).
    pub fn ws_url(&self) -> String {
        format!("ws://{}", self.ws_addr)
    }

    /// `http://HOST:CPORT` of the control endpoint.
    pub fn control_url(&self) -> String {
        format!("http://{}", self.control_addr)
    }

    /// The line the binary prints first on stdout.
    pub fn listening_line(&self) -> String {
        format!(
            "LISTENING ws={} control={}",
            self.ws_url(),
            self.control_url()
        )
    }

    /// Closes every socket abruptly; returns how many.
    pub fn drop_all(&self) -> usize {
        self.shared
            .drop_all("dropped by drop_all (fault injection)")
    }
    /// Stops listening and drops every socket; listens again on the same port after `ms`.
    /// Returns once the listener is closed.
    pub async fn down(&self, ms: u64) {
        self.shared.down(ms).await
    }
    /// Half-open link for `ms` (0 = until [`TestServer::heal`]): nothing is read or sent.
    pub fn stall(&self, ms: u64) {
        self.shared.faults.stall(ms)
    }
    /// Clears stall, delay, split and coalesce.
    pub fn heal(&self) {
        self.shared.faults.heal()
    }
    /// Delays every frame sent by `ms` (0 = off).
    pub fn delay(&self, ms: u64) {
        self.shared.faults.set_delay(ms)
    }
    /// Sends the next `count` envelopes in WebSocket messages of `chunk` bytes.
    pub fn split(&self, count: u32, chunk: usize) {
        self.shared.faults.set_split(count, chunk)
    }
    /// Sends the next `count` envelopes of one socket in one WebSocket message.
    pub fn coalesce(&self, count: u32) {
        self.shared.faults.set_coalesce(count)
    }
    /// Sends a malformed frame to every socket; returns how many.
    pub fn garbage(&self, kind: Garbage) -> usize {
        self.shared.garbage(kind)
    }
    /// Sends an envelope with the unknown `command` to every socket; returns how many.
    pub fn unknown(&self, command: &str) -> usize {
        self.shared.unknown_command(command)
    }
    /// Refuses the next `count` sign-ins.
    pub fn refuse_signin(&self, count: u32) {
        self.shared.faults.set_refuse_signin(count)
    }
    /// Sends a `refreshtoken` to every signed-in socket now; returns how many.
    pub fn refresh_tokens(&self) -> usize {
        self.shared.refresh_all(false)
    }
    /// A token for `username` valid for `lifetime_ms` (0: already expired), usable as
    /// `Envelope.jwt` or to sign in (as `/jwt` on the control port).
    pub fn jwt(&self, username: &str, lifetime_ms: u64) -> String {
        self.shared.mint_jwt(username, lifetime_ms)
    }
    /// Received envelopes, optionally only those with `command`.
    pub fn log(&self, command: Option<&str>) -> Vec<LogEntry> {
        self.shared.log_entries(command, None)
    }
    /// The `/stats` JSON.
    pub fn stats(&self) -> serde_json::Value {
        self.shared.stats()
    }
    /// Clears the log, the close list and every fault.
    pub fn reset(&self) {
        self.shared.reset()
    }
    /// Stops listening and closes every socket.
    pub fn shutdown(&self) {
        let _ = self.shared.listener.send(ListenerCmd::Shutdown);
        self.control.abort();
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}
