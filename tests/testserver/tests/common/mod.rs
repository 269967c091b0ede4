//! A tiny hand-written client for the tests: connect, send framed envelopes with the right seq,
//! read envelopes (and raw WebSocket messages), plus a one-shot HTTP client for the control port.
#![allow(dead_code)]

use futures_util::{SinkExt, StreamExt};
use openiap_testserver::{Config, TestServer};
use openiap_wasm::pb::google::protobuf::Any;
use openiap_wasm::pb::{Envelope, ErrorResponse, SigninRequest, SigninResponse};
use openiap_wasm::protocol::envelope::{decode, to_any};
use openiap_wasm::protocol::framing::openiap as frame;
use std::collections::VecDeque;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// A quiet server with fast, test-friendly intervals.
pub async fn server(f: impl FnOnce(&mut Config)) -> TestServer {
    let mut c = Config {
        quiet: std::env::var("TESTSERVER_LOG").is_err(),
        ..Config::default()
    };
    f(&mut c);
    TestServer::start(c).await.expect("server starts")
}

/// The official `openiap-client` (0.0.41, unmodified), connected and signed in as `user`.
pub async fn official_as(s: &TestServer, user: &str, pass: &str) -> openiap_client::Client {
    let c = openiap_client::Client::new();
    let url = format!("ws://{user}:{pass}@{}", s.ws_addr);
    tokio::time::timeout(Duration::from_secs(10), c.connect_async(&url))
        .await
        .expect("the official client's connect does not hang")
        .expect("the official client connects and signs in");
    c
}

/// The official client signed in as `testuser`.
pub async fn official(s: &TestServer) -> openiap_client::Client {
    official_as(s, "testuser", "testpass").await
}

/// `s` parsed as JSON; panics with the text when it is not JSON.
pub fn parse_json(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("not JSON ({e}): {s}"))
}

/// What a read produced.
#[derive(Debug)]
pub enum Read {
    Env(Envelope),
    Closed,
    Timeout,
}

pub struct Raw {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    seq: i32,
    next_id: u64,
    deframer: frame::Deframer,
    queue: VecDeque<Envelope>,
    /// Number of WebSocket messages received so far.
    pub messages: usize,
    pub closed: bool,
}

impl Raw {
    pub async fn connect(server: &TestServer) -> Raw {
        Self::connect_url(&format!("{}/ws/v2", server.ws_url()))
            .await
            .expect("connects")
    }

    pub async fn connect_url(url: &str) -> Result<Raw, String> {
        let (ws, _) = tokio_tungstenite::connect_async(url)
            .await
            .map_err(|e| e.to_string())?;
        Ok(Raw {
            ws,
            seq: 0,
            next_id: 0,
            deframer: frame::Deframer::default(),
            queue: VecDeque::new(),
            messages: 0,
            closed: false,
        })
    }

    /// Sends `command` with the next seq; returns its id.
    pub async fn send(&mut self, command: &str, data: Option<Any>) -> String {
        self.next_id += 1;
        let id = format!("t{}", self.next_id);
        let env = Envelope {
            command: command.into(),
            id: id.clone(),
            data,
            ..Default::default()
        };
        self.send_env(env).await;
        id
    }

    /// Sends `env` with the next seq.
    pub async fn send_env(&mut self, mut env: Envelope) {
        env.seq = self.seq;
        self.seq += 1;
        self.send_raw(frame::encode(&env)).await;
    }

    /// Sends `env` with the seq it has (for seq tests).
    pub async fn send_with_seq(&mut self, env: Envelope) {
        self.send_raw(frame::encode(&env)).await;
    }

    pub async fn send_raw(&mut self, bytes: Vec<u8>) {
        let _ = self.ws.send(Message::Binary(bytes.into())).await;
    }

    /// The next raw WebSocket message (binary body), without deframing it.
    pub async fn raw_message(&mut self, ms: u64) -> Option<Vec<u8>> {
        loop {
            match tokio::time::timeout(Duration::from_millis(ms), self.ws.next()).await {
                Ok(Some(Ok(Message::Binary(b)))) => {
                    self.messages += 1;
                    return Some(b.to_vec());
                }
                Ok(Some(Ok(Message::Close(_)))) | Ok(None) | Ok(Some(Err(_))) => {
                    self.closed = true;
                    return None;
                }
                Ok(Some(Ok(_))) => continue,
                Err(_) => return None,
            }
        }
    }

    /// The next envelope (pings included) within `ms`.
    pub async fn read(&mut self, ms: u64) -> Read {
        let deadline = tokio::time::Instant::now() + Duration::from_millis(ms);
        loop {
            if let Some(e) = self.queue.pop_front() {
                return Read::Env(e);
            }
            if self.closed {
                return Read::Closed;
            }
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match tokio::time::timeout(left, self.ws.next()).await {
                Err(_) => return Read::Timeout,
                Ok(Some(Ok(Message::Binary(b)))) => {
                    self.messages += 1;
                    self.deframer.push(&b);
                    loop {
                        match self.deframer.next_envelope() {
                            Ok(Some(e)) => self.queue.push_back(e),
                            Ok(None) => break,
                            Err(_) => {
                                self.closed = true;
                                break;
                            }
                        }
                    }
                }
                Ok(Some(Ok(Message::Close(_)))) | Ok(None) | Ok(Some(Err(_))) => self.closed = true,
                Ok(Some(Ok(_))) => {}
            }
        }
    }

    /// The next envelope that is not a `ping` (answering pings is not needed in short tests).
    pub async fn next(&mut self, ms: u64) -> Read {
        loop {
            match self.read(ms).await {
                Read::Env(e) if e.command == "ping" => continue,
                other => return other,
            }
        }
    }

    /// The next non-ping envelope; panics on timeout or close.
    pub async fn expect(&mut self, ms: u64) -> Envelope {
        match self.next(ms).await {
            Read::Env(e) => e,
            other => panic!("expected an envelope, got {other:?}"),
        }
    }

    /// Waits for the reply to `id`; other envelopes that come first (OpenFlow sends a queue or
    /// watch event before the reply to the request that caused it) stay to be read next.
    pub async fn reply_to(&mut self, id: &str, ms: u64) -> Envelope {
        let mut before = Vec::new();
        loop {
            let e = self.expect(ms).await;
            if e.rid == id {
                for b in before.into_iter().rev() {
                    self.queue.push_front(b);
                }
                return e;
            }
            before.push(e);
        }
    }

    /// Sends and waits for the reply.
    pub async fn request(&mut self, command: &str, data: Option<Any>) -> Envelope {
        let id = self.send(command, data).await;
        self.reply_to(&id, 2000).await
    }

    pub async fn signin(&mut self, user: &str, pass: &str) -> Envelope {
        let req = SigninRequest {
            username: user.into(),
            password: pass.into(),
            ping: true,
            ..Default::default()
        };
        self.request("signin", Some(to_any(&req))).await
    }

    pub async fn signin_ok(&mut self) -> SigninResponse {
        let r = self.signin("testuser", "testpass").await;
        assert_eq!(r.command, "signinreply", "{:?}", error_text(&r));
        decode(&r).unwrap()
    }

    /// True if the server closes the socket within `ms` (envelopes before the close are skipped).
    pub async fn closes_within(&mut self, ms: u64) -> bool {
        let deadline = tokio::time::Instant::now() + Duration::from_millis(ms);
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if left.is_zero() {
                return false;
            }
            match self.read(left.as_millis() as u64).await {
                Read::Closed => return true,
                Read::Timeout => return false,
                Read::Env(_) => {}
            }
        }
    }
}

pub fn error_text(e: &Envelope) -> String {
    if e.command == "error" {
        decode::<ErrorResponse>(e).unwrap().message
    } else {
        String::new()
    }
}

/// One HTTP request to `base` (`http://host:port`); returns (status, body).
pub async fn http(base: &str, method: &str, path: &str) -> (u16, String) {
    let addr = base.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).await.expect("control port");
    let req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await.unwrap();
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// POSTs to the control endpoint and returns the body.
pub async fn control(server: &TestServer, path: &str) -> String {
    let (status, body) = http(&server.control_url(), "POST", path).await;
    assert_eq!(status, 200, "{path}: {body}");
    body
}
