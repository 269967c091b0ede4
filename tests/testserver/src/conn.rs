//! WebSocket transport: accept loop (with `down`), the HTTP upgrade, and per-connection reader
//! and writer tasks speaking the `openiap` or gRPC-web framing of the protocol core.

use crate::api;
use crate::commands::{self, ConnCtx};
use crate::faults::{grpc_trailer, refresh_conn};
use crate::http;
use crate::state::{send, ConnEntry, ConnId, ListenerCmd, LogEntry, Out, Shared, Transport, Tx};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use openiap_wasm::pb::{Envelope, PingRequest};
use openiap_wasm::protocol::envelope::{envelope, to_any};
use openiap_wasm::protocol::framing::{grpc_web, openiap as frame};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::{AbortHandle, JoinHandle};
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

type Ws = WebSocketStream<TcpStream>;

/// Most envelopes held while waiting for a missing `seq` (as OpenFlow's parser).
const MAX_OUT_OF_ORDER: usize = 100;

enum Accepted {
    Conn(std::io::Result<(TcpStream, SocketAddr)>),
    Cmd(Option<ListenerCmd>),
}

/// Accepts WebSocket connections on `first` (bound to `addr`) until shut down; `down` closes the
/// listener and re-binds the same address later.
pub async fn accept_loop(
    shared: Arc<Shared>,
    addr: SocketAddr,
    first: TcpListener,
    mut ctl: mpsc::UnboundedReceiver<ListenerCmd>,
) {
    let mut next = Some(first);
    loop {
        let listener = match next.take() {
            Some(l) => l,
            None => loop {
                match TcpListener::bind(addr).await {
                    Ok(l) => break l,
                    Err(e) => {
                        shared.log(format!("re-listen on {addr} failed ({e}), retrying"));
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                }
            },
        };
        loop {
            let ev = tokio::select! {
                c = listener.accept() => Accepted::Conn(c),
                c = ctl.recv() => Accepted::Cmd(c),
            };
            match ev {
                Accepted::Conn(Ok((stream, peer))) => {
                    tokio::spawn(handle_tcp(shared.clone(), stream, peer));
                }
                Accepted::Conn(Err(e)) => {
                    shared.log(format!("accept failed: {e}"));
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                Accepted::Cmd(Some(ListenerCmd::Down(ms, ack))) => {
                    drop(listener);
                    shared.drop_all("server down (fault injection)");
                    shared.log(format!("not listening for {ms} ms"));
                    let _ = ack.send(());
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                    shared.log(format!("listening again on {addr}"));
                    break;
                }
                Accepted::Cmd(Some(ListenerCmd::Shutdown)) | Accepted::Cmd(None) => {
                    drop(listener);
                    shared.drop_all("server shut down");
                    return;
                }
            }
        }
    }
}

async fn handle_tcp(shared: Arc<Shared>, mut stream: TcpStream, peer: SocketAddr) {
    let _ = stream.set_nodelay(true);
    let Some((req, rest)) = http::read_request(&mut stream).await else {
        return;
    };
    let upgrade = req
        .header("upgrade")
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    if !upgrade {
        // As OpenFlow's express app: the rate limiter sees every HTTP request first.
        if !shared.api.admit(&api::remote_ip(&req, peer)) {
            return api::too_many(&mut stream).await;
        }
        match (req.method.as_str(), req.path.as_str()) {
            ("POST", "/api/v2") => api::serve(&shared, &mut stream, &req, rest, peer).await,
            ("OPTIONS", "/api/v2") => api::preflight(&mut stream).await,
            ("OPTIONS", _) => http::respond(&mut stream, 204, "text/plain", "").await,
            ("GET", "/") => {
                http::respond(&mut stream, 200, "text/plain", "openiap-testserver").await
            }
            ("GET", "/config") => {
                http::respond(
                    &mut stream,
                    200,
                    "application/json",
                    &commands::config_json(&shared),
                )
                .await
            }
            _ => http::respond(&mut stream, 404, "text/plain", "not found").await,
        }
        return;
    }
    let protocols = req.header("sec-websocket-protocol").unwrap_or("");
    let transport = if req.path == "/ws/v2" {
        Transport::Openiap
    } else if req.path == grpc_web::METHOD_PATH
        && protocols
            .split(',')
            .any(|p| p.trim() == grpc_web::SUBPROTOCOL)
    {
        Transport::GrpcWeb
    } else {
        shared.log(format!(
            "{peer}: no WebSocket handler for path {} (protocols '{protocols}')",
            req.path
        ));
        http::respond(
            &mut stream,
            404,
            "text/plain",
            "no WebSocket handler for this path",
        )
        .await;
        return;
    };
    let Some(key) = req.header("sec-websocket-key") else {
        http::respond(&mut stream, 400, "text/plain", "missing Sec-WebSocket-Key").await;
        return;
    };
    let mut head = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n",
        derive_accept_key(key.as_bytes())
    );
    if transport == Transport::GrpcWeb {
        head.push_str(&format!(
            "Sec-WebSocket-Protocol: {}\r\n",
            grpc_web::SUBPROTOCOL
        ));
    }
    head.push_str("\r\n");
    if stream.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    let ws = WebSocketStream::from_partially_read(stream, rest, Role::Server, None).await;
    start_connection(shared, ws, transport, peer);
}

fn start_connection(shared: Arc<Shared>, ws: Ws, transport: Transport, peer: SocketAddr) {
    let id = shared.next_conn_id();
    let (sink, stream) = ws.split();
    let (tx, rx) = mpsc::unbounded_channel();
    let writer = tokio::spawn(writer(shared.clone(), transport, sink, rx));
    shared.lock().conns.insert(
        id,
        ConnEntry {
            tx: tx.clone(),
            session: None,
            transport,
            tasks: vec![writer.abort_handle()],
        },
    );
    shared.log(format!("conn {id}: {peer} connected ({transport:?})"));
    let reader = tokio::spawn(reader(
        shared.clone(),
        id,
        transport,
        stream,
        tx,
        writer,
        peer,
    ));
    if let Some(c) = shared.lock().conns.get_mut(&id) {
        c.tasks.push(reader.abort_handle());
    }
}

/// Removes the connection from the state when its reader ends, however it ends.
struct Guard {
    shared: Arc<Shared>,
    id: ConnId,
    writer: AbortHandle,
    reason: String,
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.writer.abort();
        let mut st = self.shared.lock();
        st.conns.remove(&self.id);
        st.broker.connection_closed(self.id);
        st.docs.connection_closed(self.id);
        if !self.reason.is_empty() {
            st.closes.push((self.id, self.reason.clone()));
        }
        drop(st);
        if !self.reason.is_empty() {
            self.shared
                .log(format!("conn {}: closed: {}", self.id, self.reason));
        }
    }
}

/// Why a connection ends: WebSocket close code and reason.
type Stop = (u16, String);

/// Incoming byte stream → in-order envelopes.
struct Input {
    transport: Transport,
    openiap: frame::Deframer,
    grpc: grpc_web::Deframer,
    first: bool,
    expected: i32,
    held: BTreeMap<i32, Envelope>,
}

impl Input {
    fn new(transport: Transport, max: usize) -> Self {
        Input {
            transport,
            openiap: frame::Deframer::new(max),
            grpc: grpc_web::Deframer::new(max),
            first: true,
            expected: 0,
            held: BTreeMap::new(),
        }
    }

    fn push(&mut self, shared: &Arc<Shared>, ctx: &mut ConnCtx, bytes: &[u8]) -> Result<(), Stop> {
        let bad = |e: openiap_wasm::protocol::error::FrameError| {
            let code = if matches!(
                e,
                openiap_wasm::protocol::error::FrameError::TooLarge { .. }
            ) {
                1009
            } else {
                1002
            };
            (code, format!("bad frame: {e}"))
        };
        match self.transport {
            // (`Rest` connections have no socket: never here.)
            Transport::Openiap | Transport::Rest => {
                self.openiap.push(bytes);
                while let Some(env) = self.openiap.next_envelope().map_err(bad)? {
                    self.accept(shared, ctx, env)?;
                }
            }
            Transport::GrpcWeb => {
                let first = std::mem::replace(&mut self.first, false);
                match grpc_web::parse_client_message(first, bytes).map_err(bad)? {
                    grpc_web::ClientMessage::Headers(_) => {}
                    grpc_web::ClientMessage::EndOfStream => {
                        return Err((1000, "client ended the stream".into()))
                    }
                    grpc_web::ClientMessage::Data(rest) => {
                        self.grpc.push(rest);
                        while let Some(env) = self.grpc.next_envelope().map_err(bad)? {
                            self.accept(shared, ctx, env)?;
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Logs `env` and dispatches it in `seq` order (from 0, +1 each).
    fn accept(
        &mut self,
        shared: &Arc<Shared>,
        ctx: &mut ConnCtx,
        env: Envelope,
    ) -> Result<(), Stop> {
        shared.lock().log.push(LogEntry::of(ctx.id, &env));
        if env.seq < self.expected {
            return Err((
                1002,
                format!(
                    "seq {} is lower than the expected {}",
                    env.seq, self.expected
                ),
            ));
        }
        if env.seq > self.expected {
            self.held.insert(env.seq, env);
            if self.held.len() > MAX_OUT_OF_ORDER {
                return Err((
                    1002,
                    format!(
                        "more than {MAX_OUT_OF_ORDER} envelopes out of order (waiting for seq {})",
                        self.expected
                    ),
                ));
            }
            return Ok(());
        }
        commands::handle(shared, ctx, env);
        self.expected = self.expected.wrapping_add(1);
        while let Some(env) = self.held.remove(&self.expected) {
            commands::handle(shared, ctx, env);
            self.expected = self.expected.wrapping_add(1);
        }
        Ok(())
    }
}

fn ping_envelope() -> Envelope {
    envelope("ping", Some(to_any(&PingRequest {})))
}

async fn reader(
    shared: Arc<Shared>,
    id: ConnId,
    transport: Transport,
    mut stream: SplitStream<Ws>,
    tx: Tx,
    writer: JoinHandle<()>,
    peer: SocketAddr,
) {
    let mut guard = Guard {
        shared: shared.clone(),
        id,
        writer: writer.abort_handle(),
        reason: String::new(),
    };
    let mut ctx = ConnCtx::new(id, tx.clone(), peer.ip().to_string());
    let mut input = Input::new(transport, shared.config.max_frame_bytes);
    let ping_every = Duration::from_millis(shared.config.ping_interval_ms.max(1));
    let idle = Duration::from_millis(shared.config.idle_timeout_ms.max(1));
    let mut last_recv = Instant::now();
    // As OpenFlow: a ping right at connect, before sign-in (unless --no-connect-ping).
    let mut next_ping = if shared.config.connect_ping {
        Instant::now()
    } else {
        Instant::now() + ping_every
    };
    let far = Instant::now() + Duration::from_secs(10 * 365 * 86_400);
    let stop: Stop = loop {
        if shared.faults.stalled() {
            shared.faults.wait_unstalled().await;
            last_recv = Instant::now();
        }
        if ctx.doping && Instant::now() >= next_ping {
            send(&tx, Out::Env(ping_envelope()));
            next_ping = Instant::now() + ping_every;
        }
        let refresh_at = shared
            .lock()
            .conns
            .get(&id)
            .and_then(|c| c.session.as_ref())
            .map(|s| s.refresh_at)
            .filter(|_| shared.config.refresh_tokens);
        tokio::select! {
            m = stream.next() => {
                let m = match m {
                    None => break (1000, "client went away".into()),
                    Some(Err(e)) => break (1002, format!("websocket error: {e}")),
                    Some(Ok(m)) => m,
                };
                if shared.faults.stalled() {
                    shared.faults.wait_unstalled().await;
                }
                last_recv = Instant::now();
                match m {
                    Message::Binary(b) => {
                        if let Err(stop) = input.push(&shared, &mut ctx, &b) {
                            break stop;
                        }
                    }
                    Message::Text(_) => break (1003, "text message on the binary protocol".into()),
                    Message::Close(_) => break (1000, "client closed".into()),
                    _ => {}
                }
            }
            _ = tokio::time::sleep_until(next_ping.into()), if ctx.doping => {}
            _ = tokio::time::sleep_until((last_recv + idle).into()), if ctx.doping => {
                break (1000, format!("no message for {} ms", idle.as_millis()));
            }
            _ = tokio::time::sleep_until(refresh_at.unwrap_or(far).into()), if refresh_at.is_some() => {
                let mut st = shared.lock();
                refresh_conn(&shared, &mut st, id);
            }
        }
    };
    guard.reason = stop.1.clone();
    let client_side = stop.1 == "client went away" || stop.1 == "client closed";
    if !client_side {
        // Let the writer flush what is queued and send the close frame, then end.
        send(&tx, Out::Close(stop.0, stop.1));
        let _ = tokio::time::timeout(Duration::from_secs(2), writer).await;
    }
}

type Sink = SplitSink<Ws, Message>;

async fn put(sink: &mut Sink, bytes: Vec<u8>) -> bool {
    sink.send(Message::Binary(bytes.into())).await.is_ok()
}

async fn writer(
    shared: Arc<Shared>,
    transport: Transport,
    mut sink: Sink,
    mut rx: mpsc::UnboundedReceiver<(Instant, Out)>,
) {
    let mut seq: i32 = 0;
    if transport == Transport::GrpcWeb {
        let headers =
            grpc_web::encode_metadata_frame(&[("content-type", "application/grpc-web+proto")]);
        if !put(&mut sink, headers).await {
            return;
        }
    }
    // (envelopes still to add, bytes so far, flush deadline)
    let mut coalesce: Option<(u32, Vec<u8>, Instant)> = None;
    loop {
        let item = match &coalesce {
            Some((_, _, deadline)) => tokio::select! {
                it = rx.recv() => it,
                _ = tokio::time::sleep_until((*deadline).into()) => {
                    let (_, buf, _) = coalesce.take().expect("set");
                    if !put(&mut sink, buf).await { return; }
                    continue;
                }
            },
            None => rx.recv().await,
        };
        let Some((queued, out)) = item else { return };
        if shared.faults.stalled() {
            shared.faults.wait_unstalled().await;
        }
        let delay = shared.faults.delay();
        if !delay.is_zero() {
            tokio::time::sleep_until((queued + delay).into()).await;
        }
        if !matches!(out, Out::Env(_)) {
            if let Some((_, buf, _)) = coalesce.take() {
                if !put(&mut sink, buf).await {
                    return;
                }
            }
        }
        match out {
            Out::Env(mut env) => {
                env.seq = seq;
                seq = seq.wrapping_add(1);
                if env.id.is_empty() {
                    env.id = crate::util::random_id(9);
                }
                let bytes = match transport {
                    Transport::Openiap | Transport::Rest => frame::encode(&env),
                    Transport::GrpcWeb => grpc_web::encode_frame(&env),
                };
                if coalesce.is_none() {
                    let n = shared.faults.take_coalesce();
                    if n > 1 {
                        coalesce = Some((n, Vec::new(), Instant::now() + Duration::from_secs(1)));
                    }
                }
                if let Some((left, buf, _)) = coalesce.as_mut() {
                    buf.extend_from_slice(&bytes);
                    *left -= 1;
                    if *left == 0 {
                        let (_, buf, _) = coalesce.take().expect("set");
                        if !put(&mut sink, buf).await {
                            return;
                        }
                    }
                    continue;
                }
                let ok = if let Some(chunk) = shared.faults.take_split() {
                    let mut ok = true;
                    for piece in bytes.chunks(chunk) {
                        ok = ok && put(&mut sink, piece.to_vec()).await;
                    }
                    ok
                } else if transport == Transport::Openiap && shared.config.two_part_frames {
                    // As OpenFlow: the length prefix and the envelope as two messages.
                    put(&mut sink, bytes[..4].to_vec()).await
                        && put(&mut sink, bytes[4..].to_vec()).await
                } else {
                    put(&mut sink, bytes).await
                };
                if !ok {
                    return;
                }
            }
            Out::Raw(bytes) => {
                if !put(&mut sink, bytes).await {
                    return;
                }
            }
            Out::Close(code, reason) => {
                if transport == Transport::GrpcWeb {
                    let status = if code == 1000 { 0 } else { 13 };
                    let _ = put(&mut sink, grpc_trailer(status, &reason)).await;
                }
                let mut reason = reason;
                let mut cut = reason.len().min(120); // close frame reasons are limited to 123 bytes
                while !reason.is_char_boundary(cut) {
                    cut -= 1;
                }
                reason.truncate(cut);
                let frame = CloseFrame {
                    code: CloseCode::from(code),
                    reason: reason.into(),
                };
                let _ = sink.send(Message::Close(Some(frame))).await;
                let _ = sink.close().await;
                return;
            }
        }
    }
}
