//! `POST /api/v2` on the WebSocket port, as OpenFlow serves it (nodeapi's "rest" protocol,
//! `../shared/openiap-protocol.md` §10.2): one envelope in as JSON, one out, handled by the same
//! command handlers as `/ws/v2` on a throw-away connection that is removed after the reply.
//!
//! - Request: `Content-Type: application/json` (any other type leaves the body unread, as
//!   express does), `Authorization: Bearer <jwt>` (the envelope's `jwt` also works). `data` is
//!   JSON text of the request message, an Any with Buffer JSON, or bare Buffer JSON; a plain JSON
//!   object is refused as OpenFlow refuses it.
//! - Reply: HTTP 200 for every outcome, errors included (`error` with an `ErrorResponse` whose
//!   `stack` holds install paths, as OpenFlow's does); `data` always as Buffer JSON; with `rid`
//!   set in the request an error comes back as `{}`. `ping` gets `text/html` "IsPendingReply took
//!   your payload".
//! - A body that is not JSON: HTTP 500 without CORS headers (body-parser's error page).
//! - Rate limit ([`Api::admit`], every HTTP route of the port): 20 requests per second per remote
//!   IP by default; over it HTTP 429 `{"response":"RATE_LIMIT"}` without CORS headers (OpenFlow's
//!   limiter runs before its CORS middleware). `--api-rate-limit N` and `/api-rate-limit?n=N`.
//! - CORS: `Access-Control-Allow-Origin: *` with `Authorization` among the allowed headers, on the
//!   preflight (200 `POST`, as express answers OPTIONS of a route) and on every reply.
//! - `/api-garbage?kind=K&count=N` on the control port makes the next N replies malformed.

use crate::commands::{self, ConnCtx};
use crate::http::Request;
use crate::state::{ConnEntry, LogEntry, Out, Shared, Transport};
use openiap_wasm::pb::google::protobuf::Any;
use openiap_wasm::pb::{Envelope, ErrorResponse};
use openiap_wasm::protocol::envelope::to_any;
use prost::Message;
use prost_reflect::{DescriptorPool, DeserializeOptions, DynamicMessage};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

/// The CORS headers OpenFlow's middleware puts on every response after the rate limiter.
const CORS: &str = "Access-Control-Allow-Origin: *\r\n\
    Access-Control-Allow-Methods: GET, POST, OPTIONS, PUT, PATCH, DELETE\r\n\
    Access-Control-Allow-Headers: Origin, X-Requested-With, Content-Type, Accept, Authorization\r\n\
    Access-Control-Allow-Credentials: true\r\n";

/// Largest request body read (OpenFlow's express.json allows 150 MB).
const MAX_BODY: usize = 64 * 1024 * 1024;

/// How long a request waits for its command's reply (an `upload` never gets one over HTTP).
const REPLY_WAIT: Duration = Duration::from_secs(60);

/// What `/api-garbage` makes of the next replies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Garbage {
    /// HTTP 200 with an HTML page.
    NotJson,
    /// HTTP 200 with the first half of the JSON reply (its Content-Length matches).
    Truncated,
    /// The connection closes after half of the announced body.
    Cut,
    /// HTTP 200 with JSON that is not an envelope.
    NotEnvelope,
    /// HTTP 500 with an error page that shows a stack trace, without CORS headers.
    ServerError,
}

impl Garbage {
    /// Parses `notjson`, `truncated`, `cut`, `notenvelope` or `500`.
    pub fn parse(kind: &str) -> Option<Garbage> {
        Some(match kind {
            "notjson" => Garbage::NotJson,
            "truncated" => Garbage::Truncated,
            "cut" => Garbage::Cut,
            "notenvelope" => Garbage::NotEnvelope,
            "500" => Garbage::ServerError,
            _ => return None,
        })
    }
}

/// The endpoint's state: the rate limiter and the garbage fault.
#[derive(Debug)]
pub struct Api {
    limit: AtomicU32,
    /// Per remote IP: when its window started and the requests in it.
    hits: Mutex<HashMap<String, (Instant, u32)>>,
    garbage: Mutex<(Option<Garbage>, u32)>,
}

impl Api {
    /// Allows `limit` requests per second per remote IP (0: no limit).
    pub fn new(limit: u32) -> Api {
        Api {
            limit: AtomicU32::new(limit),
            hits: Mutex::default(),
            garbage: Mutex::new((None, 0)),
        }
    }

    /// Counts a request from `ip`; false when it is over the limit. As OpenFlow's
    /// `RateLimiterMemory` (points 20, duration 1 s): a window opens at an IP's first request and
    /// lasts a second.
    pub fn admit(&self, ip: &str) -> bool {
        let limit = self.limit.load(Ordering::Relaxed);
        if limit == 0 {
            return true;
        }
        let now = Instant::now();
        let mut hits = self.hits.lock().unwrap_or_else(|e| e.into_inner());
        let (start, n) = hits.entry(ip.to_string()).or_insert((now, 0));
        if now.duration_since(*start) >= Duration::from_secs(1) {
            (*start, *n) = (now, 0);
        }
        *n += 1;
        *n <= limit
    }

    /// Changes the limit (0: none) and forgets the counts.
    pub fn set_limit(&self, limit: u32) {
        self.limit.store(limit, Ordering::Relaxed);
        self.hits.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// Makes the next `count` replies `kind`.
    pub fn set_garbage(&self, kind: Option<Garbage>, count: u32) {
        *self.garbage.lock().unwrap_or_else(|e| e.into_inner()) = (kind, count);
    }

    fn take_garbage(&self) -> Option<Garbage> {
        let mut g = self.garbage.lock().unwrap_or_else(|e| e.into_inner());
        if g.1 == 0 {
            return None;
        }
        g.1 -= 1;
        g.0
    }
}

/// The client's address as OpenFlow reads it: `X-Forwarded-For` or `X-Real-IP` when set.
pub fn remote_ip(req: &Request, peer: SocketAddr) -> String {
    req.header("x-forwarded-for")
        .or_else(|| req.header("x-real-ip"))
        .map(str::to_string)
        .unwrap_or_else(|| peer.ip().to_string())
}

/// Writes a response and closes the connection; `cut` announces more body than it sends.
async fn write(
    stream: &mut TcpStream,
    status: u16,
    ctype: &str,
    body: &[u8],
    cors: bool,
    cut: bool,
) {
    let reason = match status {
        200 => "OK",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        _ => "Internal Server Error",
    };
    let len = if cut { body.len() * 2 + 1 } else { body.len() };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {ctype}\r\nContent-Length: {len}\r\n{}\
         Cache-Control: private, no-cache, no-store, must-revalidate\r\nConnection: close\r\n\r\n",
        if cors { CORS } else { "" }
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(body).await;
    let _ = stream.flush().await;
    let _ = stream.shutdown().await;
}

/// Answers an over-the-limit request: 429 without CORS headers.
pub async fn too_many(stream: &mut TcpStream) {
    let body = br#"{"response":"RATE_LIMIT"}"#;
    write(
        stream,
        429,
        "application/json; charset=utf-8",
        body,
        false,
        false,
    )
    .await
}

/// Answers the preflight of `POST /api/v2`.
pub async fn preflight(stream: &mut TcpStream) {
    write(
        stream,
        200,
        "text/html; charset=utf-8",
        b"POST",
        true,
        false,
    )
    .await
}

/// body-parser's error page for a body that is not JSON (in development mode, with the stack).
const NOT_JSON_PAGE: &str = "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">\
    <title>Error</title></head>\n<body><pre>SyntaxError: Unexpected token h in JSON at position 0\
    <br> &nbsp; &nbsp;at JSON.parse (&lt;anonymous&gt;)<br> &nbsp; &nbsp;at parse \
    (/usr/src/app/node_modules/body-parser/lib/types/json.js:92:19)</pre></body>\n</html>\n";

/// Serves one `POST /api/v2` whose head is `req` (`rest`: body bytes read with the head).
pub async fn serve(
    shared: &Arc<Shared>,
    stream: &mut TcpStream,
    req: &Request,
    mut body: Vec<u8>,
    peer: SocketAddr,
) {
    let len: usize = req
        .header("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    if len > MAX_BODY {
        return write(
            stream,
            413,
            "text/plain",
            b"request entity too large",
            true,
            false,
        )
        .await;
    }
    while body.len() < len {
        let mut chunk = vec![0u8; (len - body.len()).min(64 * 1024)];
        match tokio::time::timeout(Duration::from_secs(10), stream.read(&mut chunk)).await {
            Ok(Ok(n)) if n > 0 => body.extend_from_slice(&chunk[..n]),
            _ => return,
        }
    }
    body.truncate(len);
    let json_body = req
        .header("content-type")
        .is_some_and(|t| t.to_ascii_lowercase().starts_with("application/json"));
    let parsed: Value = if json_body {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(_) => {
                let page = NOT_JSON_PAGE.as_bytes();
                return write(stream, 500, "text/html; charset=utf-8", page, false, false).await;
            }
        }
    } else {
        json!({})
    };
    let bearer = req
        .header("authorization")
        .and_then(|a| a.strip_prefix("Bearer "))
        .unwrap_or("");
    let mut env = match envelope_of(&parsed) {
        Ok(env) => env,
        Err(why) => {
            let reply = error_envelope(parsed["id"].as_str().unwrap_or(""), &why);
            return finish(shared, stream, &parsed, reply).await;
        }
    };
    if env.jwt.is_empty() {
        env.jwt = bearer.to_string();
    }
    if env.command == "ping" {
        let body = b"IsPendingReply took your payload";
        return write(stream, 200, "text/html; charset=utf-8", body, true, false).await;
    }
    // No answer (an upload waits for a stream that cannot come): no response at all.
    if let Some(reply) = dispatch(shared, env, remote_ip(req, peer)).await {
        finish(shared, stream, &parsed, reply).await
    }
}

/// Writes `reply` as JSON, after the server's delay and stall faults, unless `/api-garbage`
/// says otherwise.
async fn finish(shared: &Arc<Shared>, stream: &mut TcpStream, request: &Value, reply: Envelope) {
    if shared.faults.stalled() {
        shared.faults.wait_unstalled().await;
    }
    let delay = shared.faults.delay();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let asked_rid = request["rid"].as_str().is_some_and(|r| !r.is_empty());
    let text = if reply.command == "error" && asked_rid {
        "{}".to_string()
    } else {
        reply_json(&reply).to_string()
    };
    let json = "application/json; charset=utf-8";
    let html = "text/html; charset=utf-8";
    match shared.api.take_garbage() {
        None => write(stream, 200, json, text.as_bytes(), true, false).await,
        Some(Garbage::NotJson) => {
            write(
                stream,
                200,
                html,
                b"<html><body>Bad Gateway</body></html>",
                true,
                false,
            )
            .await
        }
        Some(Garbage::Truncated) => {
            let half = &text.as_bytes()[..text.len() / 2];
            write(stream, 200, json, half, true, false).await
        }
        Some(Garbage::Cut) => {
            write(
                stream,
                200,
                json,
                &text.as_bytes()[..text.len() / 2],
                true,
                true,
            )
            .await
        }
        Some(Garbage::NotEnvelope) => {
            write(stream, 200, json, br#"{"hello":"world"}"#, true, false).await
        }
        Some(Garbage::ServerError) => {
            write(stream, 500, html, NOT_JSON_PAGE.as_bytes(), false, false).await
        }
    }
}

/// The reply as OpenFlow sends it: `data` as an Any whose value is Buffer JSON.
fn reply_json(env: &Envelope) -> Value {
    let (type_url, bytes) = env
        .data
        .as_ref()
        .map_or(("", &[][..]), |a| (a.type_url.as_str(), a.value.as_slice()));
    let mut v = json!({
        "command": env.command,
        "rid": env.rid,
        "id": crate::util::random_id(9),
        "data": {"type_url": type_url, "value": {"type": "Buffer", "data": bytes}},
    });
    for (k, s) in [("traceid", &env.traceid), ("spanid", &env.spanid)] {
        if !s.is_empty() {
            v[k] = s.as_str().into();
        }
    }
    v
}

/// The `error` reply to request `rid` whose envelope could not be read.
fn error_envelope(rid: &str, message: &str) -> Envelope {
    let e = ErrorResponse {
        message: message.to_string(),
        code: 0,
        stack: stack(message),
    };
    Envelope {
        rid: rid.to_string(),
        ..openiap_wasm::protocol::envelope::envelope("error", Some(to_any(&e)))
    }
}

/// A stack trace like OpenFlow's, with its install paths (clients must never show it).
fn stack(message: &str) -> String {
    format!(
        "Error: {message}\n    at Message.Process (/usr/src/app/dist/Messages/Message.js:312:23)\n    \
         at WebSocketServerClient.onMessage (/usr/src/app/dist/WebSocketServerClient.js:241:31)"
    )
}

/// The envelope a request body describes.
fn envelope_of(v: &Value) -> Result<Envelope, String> {
    let text = |k: &str| v[k].as_str().unwrap_or("").to_string();
    let command = text("command");
    let data = match &v["data"] {
        Value::Null => None,
        Value::String(s) => Some(Any {
            type_url: String::new(),
            value: from_json_text(&command, s)?,
        }),
        Value::Object(o) => {
            // An Any of Buffer JSON, or bare Buffer JSON.
            let buffer = o.get("value").unwrap_or(&v["data"]);
            match (&buffer["type"], &buffer["data"]) {
                (Value::String(t), Value::Array(items)) if t.eq_ignore_ascii_case("buffer") => {
                    Some(Any {
                        type_url: o
                            .get("type_url")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_string(),
                        value: items
                            .iter()
                            .map(|b| b.as_u64().unwrap_or(0) as u8)
                            .collect(),
                    })
                }
                _ => {
                    return Err(format!(
                        "Failed decoding openiap.{command} : illegal buffer"
                    ))
                }
            }
        }
        _ => {
            return Err(format!(
                "Failed decoding openiap.{command} : illegal buffer"
            ))
        }
    };
    Ok(Envelope {
        command,
        id: text("id"),
        rid: text("rid"),
        jwt: text("jwt"),
        traceid: text("traceid"),
        spanid: text("spanid"),
        priority: v["priority"].as_i64().unwrap_or(0) as i32,
        seq: 0,
        data,
    })
}

/// The protobuf bytes of `command`'s request message given as JSON text (proto or JSON field
/// names, unknown fields ignored, as protobufjs's `fromObject`).
fn from_json_text(command: &str, text: &str) -> Result<Vec<u8>, String> {
    static POOL: OnceLock<DescriptorPool> = OnceLock::new();
    let pool = POOL.get_or_init(|| {
        DescriptorPool::decode(&include_bytes!(concat!(env!("OUT_DIR"), "/openiap.fds"))[..])
            .expect("the descriptors build.rs compiled")
    });
    let name = format!("{command}request");
    let desc = pool
        .all_messages()
        .find(|m| m.package_name() == "openiap" && m.name().eq_ignore_ascii_case(&name))
        .ok_or_else(|| format!("no such type: openiap.{command}"))?;
    let mut de = serde_json::Deserializer::from_str(text);
    let options = DeserializeOptions::new().deny_unknown_fields(false);
    DynamicMessage::deserialize_with_options(desc, &mut de, &options)
        .map(|m| m.encode_to_vec())
        .map_err(|e| format!("Failed decoding openiap.{command} : {e}"))
}

/// Runs `env` on a throw-away connection (as OpenFlow's per-request client) and returns its
/// reply; the connection, its consumers and watches are removed afterwards.
async fn dispatch(shared: &Arc<Shared>, env: Envelope, ip: String) -> Option<Envelope> {
    let id = shared.next_conn_id();
    let (tx, mut rx) = mpsc::unbounded_channel();
    {
        let mut st = shared.lock();
        st.conns.insert(
            id,
            ConnEntry {
                tx: tx.clone(),
                session: None,
                transport: Transport::Rest,
                tasks: vec![],
            },
        );
        st.log.push(LogEntry::of(id, &env));
    }
    shared.log(format!("conn {id}: {ip} POST /api/v2 {}", env.command));
    let rid = env.id.clone();
    let mut ctx = ConnCtx::new(id, tx, ip);
    commands::handle(shared, &mut ctx, env);
    let reply = tokio::time::timeout(REPLY_WAIT, async {
        while let Some((_, out)) = rx.recv().await {
            match out {
                Out::Env(e)
                    if e.rid == rid
                        && !matches!(
                            e.command.as_str(),
                            "beginstream" | "stream" | "endstream"
                        ) =>
                {
                    return Some(e)
                }
                _ => {}
            }
        }
        None
    })
    .await
    .ok()
    .flatten();
    let mut st = shared.lock();
    st.conns.remove(&id);
    st.broker.connection_closed(id);
    st.docs.connection_closed(id);
    drop(st);
    reply.map(|mut e| {
        if e.command == "error" {
            if let Some(Ok(mut err)) = e.data.as_ref().map(|a| ErrorResponse::decode(&a.value[..]))
            {
                err.stack = stack(&err.message);
                e.data = Some(to_any(&err));
            }
        }
        e
    })
}
