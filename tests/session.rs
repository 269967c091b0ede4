//! Deterministic tests of the sans-IO session: a fake clock, and a scripted peer that reads what
//! the session sends and answers like an OpenFlow server. No sockets, no sleeps.
#![cfg(not(target_arch = "wasm32"))]

use openiap_wasm::pb::*;
use openiap_wasm::protocol::envelope::{decode, to_any};
use openiap_wasm::protocol::error::ErrorKind;
use openiap_wasm::protocol::framing::grpc_web;
use openiap_wasm::protocol::framing::openiap::{self as frame, Deframer};
use openiap_wasm::protocol::framing::Framing;
use openiap_wasm::protocol::session::{
    Call, ClientEvent, Config, Output, RequestId, Session, SocketId, State, SubscriptionId,
    SubscriptionKind,
};

/// A session, a fake clock and a peer that decodes everything the session sends.
struct Harness {
    s: Session,
    now: u64,
    socket: Option<SocketId>,
    deframer: Deframer,
    sent: Vec<Envelope>,
    events: Vec<ClientEvent>,
    replies: Vec<(
        RequestId,
        Result<Envelope, openiap_wasm::protocol::error::Error>,
    )>,
    messages: Vec<(u64, Envelope)>,
    streams: Vec<(RequestId, Envelope)>,
    /// Uploads that asked for their next chunk ([`Output::UploadWanted`]), in order.
    wanted: Vec<RequestId>,
    connect: Vec<Result<(), openiap_wasm::protocol::error::Error>>,
    opened: Vec<String>,
    closed: Vec<SocketId>,
    server_seq: i32,
    /// Tokens the token callback gave so far (`token-1`, `token-2`, ...).
    tokens_given: u32,
}

fn config() -> Config {
    Config {
        url: Some("ws://bob:secret@127.0.0.1:1/".into()),
        heartbeat_ms: 0,
        ..Default::default()
    }
}

impl Harness {
    /// `register_queue(name)` as the app calls it: durable name, no per-call options.
    fn register_queue(&mut self, name: &str) -> (SubscriptionId, RequestId) {
        self.s.subscribe(
            self.now,
            SubscriptionKind::Queue(name.into()),
            true,
            &Call::default(),
        )
    }

    /// Registers queue `name` and answers the registration; its subscription.
    fn registered_queue(&mut self, name: &str) -> SubscriptionId {
        let (sub, req) = self.register_queue(name);
        self.pump();
        self.answer_register(name);
        assert!(self.reply_result(req).is_ok());
        sub
    }

    fn new(config: Config) -> Self {
        Harness {
            s: Session::new(config, 42),
            now: 1_000,
            socket: None,
            deframer: Deframer::default(),
            sent: vec![],
            events: vec![],
            replies: vec![],
            messages: vec![],
            streams: vec![],
            wanted: vec![],
            connect: vec![],
            opened: vec![],
            closed: vec![],
            server_seq: 0,
            tokens_given: 0,
        }
    }

    fn pump(&mut self) {
        while let Some(o) = self.s.poll_output() {
            match o {
                Output::OpenSocket { socket, url, .. } => {
                    self.socket = Some(socket);
                    self.deframer = Deframer::default();
                    self.server_seq = 0;
                    self.opened.push(url);
                }
                Output::Send { socket, bytes } => {
                    assert_eq!(
                        Some(socket),
                        self.socket,
                        "sent on a socket that is not current"
                    );
                    self.deframer.push(&bytes);
                    while let Some(e) = self.deframer.next_envelope().unwrap() {
                        self.sent.push(e);
                    }
                }
                Output::CloseSocket { socket } => self.closed.push(socket),
                #[cfg(feature = "http")]
                Output::Post { .. } => panic!("a ws:// session posts nothing (tests/http.rs)"),
                Output::Event(e) => self.events.push(e),
                Output::Reply { request, result } => self.replies.push((request, result)),
                Output::Message {
                    subscription,
                    watch,
                    payload,
                } => {
                    let command = if watch { "watchevent" } else { "queueevent" };
                    let envelope = Envelope {
                        command: command.into(),
                        data: Some(google::protobuf::Any {
                            type_url: String::new(),
                            value: payload,
                        }),
                        ..Default::default()
                    };
                    self.messages.push((subscription, envelope))
                }
                Output::SubscriptionClosed { .. } => {}
                Output::Stream { request, envelope } => self.streams.push((request, envelope)),
                Output::UploadWanted { request } => self.wanted.push(request),
                Output::GetToken { socket } => {
                    let now = self.now;
                    self.tokens_given += 1;
                    let token = format!("token-{}", self.tokens_given);
                    self.s.provide_token(now, socket, Ok(token));
                }
                Output::ConnectDone(r) => self.connect.push(r),
            }
        }
    }

    fn advance(&mut self, ms: u64) {
        let end = self.now + ms;
        while let Some(t) = self.s.poll_timeout().filter(|t| *t <= end) {
            self.now = self.now.max(t);
            let now = self.now;
            self.s.handle_timeout(now);
            self.pump();
        }
        self.now = end;
    }

    fn open(&mut self) {
        let (now, sock) = (self.now, self.socket.unwrap());
        self.s.handle_open(now, sock);
        self.pump();
    }

    fn close(&mut self, reason: &str) {
        let (now, sock) = (self.now, self.socket.unwrap());
        self.s.handle_close(now, sock, reason);
        self.pump();
    }

    fn deliver(&mut self, mut env: Envelope) {
        env.seq = self.server_seq;
        self.server_seq += 1;
        let (now, sock) = (self.now, self.socket.unwrap());
        self.s.handle_data(now, sock, &frame::encode(&env));
        self.pump();
    }

    fn last_sent(&self, command: &str) -> Envelope {
        self.sent
            .iter()
            .rev()
            .find(|e| e.command == command)
            .cloned()
            .unwrap_or_else(|| panic!("no {command} sent"))
    }

    fn reply<M: prost::Message + prost::Name>(&mut self, command: &str, to: &Envelope, msg: &M) {
        self.deliver(Envelope {
            command: command.into(),
            rid: to.id.clone(),
            data: Some(to_any(msg)),
            ..Default::default()
        });
    }

    fn error(&mut self, to: &Envelope, message: &str) {
        let e = ErrorResponse {
            message: message.into(),
            code: 1,
            stack: String::new(),
        };
        self.reply("error", to, &e);
    }

    fn answer_signin(&mut self) {
        let req = self.last_sent("signin");
        let resp = SigninResponse {
            jwt: "session-jwt".into(),
            user: Some(User {
                name: "bob".into(),
                ..Default::default()
            }),
            config: String::new(),
        };
        self.reply("signinreply", &req, &resp);
    }

    fn answer_register(&mut self, name: &str) {
        let req = self.last_sent("registerqueue");
        self.reply(
            "registerqueuereply",
            &req,
            &RegisterQueueResponse {
                queuename: name.into(),
            },
        );
    }

    /// Lets the backoff run out until the next socket is opened, and opens it.
    fn reopen(&mut self) {
        let opened = self.opened.len();
        while self.opened.len() == opened {
            self.advance(100);
        }
        self.open();
    }

    /// Starts an upload request (its chunks are pulled through `wanted`).
    fn upload(&mut self) -> RequestId {
        let now = self.now;
        let up = self.s.request(
            now,
            "upload",
            to_any(&UploadRequest::default()),
            &Call {
                upload: true,
                ..Call::default()
            },
        );
        self.pump();
        up
    }

    /// Starts an empty `query` request with `call`'s settings.
    fn query(&mut self, call: &Call) -> RequestId {
        self.s
            .request(self.now, "query", to_any(&QueryRequest::default()), call)
    }

    fn connect_and_signin(&mut self) {
        let now = self.now;
        self.s.connect(now, None);
        self.pump();
        self.open();
        self.answer_signin();
    }

    fn queue_event(&mut self, queue: &str, data: &str, corr: &str) {
        let ev = QueueEvent {
            queuename: queue.into(),
            data: data.into(),
            correlation_id: corr.into(),
            ..Default::default()
        };
        self.deliver(Envelope {
            command: "queueevent".into(),
            id: format!("ev-{data}"),
            data: Some(to_any(&ev)),
            ..Default::default()
        });
    }

    fn reply_result(
        &self,
        r: RequestId,
    ) -> &Result<Envelope, openiap_wasm::protocol::error::Error> {
        &self
            .replies
            .iter()
            .find(|(id, _)| *id == r)
            .unwrap_or_else(|| panic!("no reply for {r}"))
            .1
    }
}

fn ev(name: &str) -> String {
    name.to_string()
}

fn names(events: &[ClientEvent]) -> Vec<String> {
    events
        .iter()
        .map(|e| match e {
            ClientEvent::Connecting => ev("Connecting"),
            ClientEvent::Connected => ev("Connected"),
            ClientEvent::Disconnected(_) => ev("Disconnected"),
            ClientEvent::SignedIn => ev("SignedIn"),
            ClientEvent::QueueRenamed { .. } => ev("QueueRenamed"),
            ClientEvent::Error(_) => ev("Error"),
        })
        .collect()
}

#[test]
fn first_connect_signs_in_with_url_credentials_and_seq_from_zero() {
    let mut h = Harness::new(config());
    h.connect_and_signin();
    assert_eq!(
        h.opened,
        ["ws://127.0.0.1:1/ws/v2"],
        "credentials never reach the socket URL"
    );
    let signin: SigninRequest = decode(&h.sent[0]).unwrap();
    assert_eq!(
        (
            signin.username.as_str(),
            signin.password.as_str(),
            signin.agent.as_str()
        ),
        ("bob", "secret", "browser")
    );
    assert_eq!(h.sent[0].seq, 0);
    assert_eq!(
        h.sent[0].data.as_ref().unwrap().type_url,
        "type.googleapis.com/openiap.SigninRequest"
    );
    assert_eq!(h.connect, [Ok(())]);
    assert_eq!(names(&h.events), ["Connecting", "Connected", "SignedIn"]);
    assert_eq!(h.s.state(), State::SignedIn);
}

#[test]
fn guest_connect_uses_getelement_and_emits_no_signedin() {
    let mut h = Harness::new(Config {
        url: Some("ws://127.0.0.1:1".into()),
        heartbeat_ms: 0,
        ..Default::default()
    });
    let now = h.now;
    h.s.connect(now, None);
    h.pump();
    h.open();
    let ge = h.last_sent("getelement");
    h.reply("getelement", &ge, &GetElementResponse::default());
    assert_eq!(names(&h.events), ["Connecting", "Connected"]);
    assert_eq!(h.s.state(), State::Connected);
}

#[test]
fn transient_first_connect_failure_rejects_and_nothing_retries() {
    let mut h = Harness::new(config());
    let now = h.now;
    h.s.connect(now, None);
    h.pump();
    h.close("connection refused");
    assert_eq!(h.connect.len(), 1);
    assert_eq!(
        h.connect[0].as_ref().unwrap_err().kind,
        ErrorKind::ConnectFailed
    );
    h.advance(600_000);
    assert_eq!(h.opened.len(), 1, "no retry after a failed first connect");
    assert_eq!(h.s.poll_timeout(), None, "no timer left");
}

#[test]
fn bad_credentials_reject_connect_with_server_wording_and_no_password() {
    let mut h = Harness::new(config());
    let now = h.now;
    h.s.connect(now, None);
    h.pump();
    h.open();
    let req = h.last_sent("signin");
    h.error(&req, "Unknown username or password");
    let err = h.connect[0].as_ref().unwrap_err();
    assert_eq!(err.kind, ErrorKind::Signin);
    assert!(err.message.contains("Unknown username or password"));
    for e in &h.events {
        assert!(!format!("{e:?}").contains("secret"));
    }
    h.advance(600_000);
    assert_eq!(h.opened.len(), 1);
    assert_eq!(h.closed.len(), 1);
}

#[test]
fn connect_timeout_rejects() {
    let mut h = Harness::new(config());
    let now = h.now;
    h.s.connect(now, None);
    h.pump();
    h.advance(10_000);
    assert_eq!(
        h.connect[0].as_ref().unwrap_err().message,
        "connect timeout"
    );
}

#[test]
fn invalid_url_is_typed() {
    let mut h = Harness::new(Config {
        url: Some("ftp://x".into()),
        ..Default::default()
    });
    let now = h.now;
    h.s.connect(now, None);
    h.pump();
    assert_eq!(
        h.connect[0].as_ref().unwrap_err().kind,
        ErrorKind::InvalidArgument
    );
    assert!(h.opened.is_empty());
}

/// OpenFlow sends each envelope's length as a WebSocket message of its own: that message asks the
/// shell for nothing (so it skips carrying out outputs and re-arming its timer), the body gives
/// the queue message, and the heartbeat deadline only moves later.
#[test]
fn a_length_prefix_alone_asks_the_shell_for_nothing() {
    let mut h = Harness::new(config());
    h.connect_and_signin();
    let sub = h.registered_queue("orders");
    let before = h.s.poll_timeout();
    let ev = QueueEvent {
        queuename: "orders".into(),
        data: "{}".into(),
        ..Default::default()
    };
    let bytes = frame::encode(&Envelope {
        command: "queueevent".into(),
        data: Some(to_any(&ev)),
        ..Default::default()
    });
    let (now, sock) = (h.now + 5, h.socket.unwrap());
    h.s.handle_data(now, sock, &bytes[..4]);
    assert!(!h.s.has_output(), "the length alone");
    assert!(h.s.poll_timeout() >= before, "no deadline came nearer");
    h.s.handle_data(now, sock, &bytes[4..]);
    assert!(h.s.has_output(), "the body");
    h.pump();
    assert!(!h.s.has_output());
    assert_eq!(h.messages.last().map(|m| m.0), Some(sub));
}

#[test]
fn persistent_reconnects_with_backoff_signs_in_again_and_reregisters() {
    let mut h = Harness::new(config());
    h.connect_and_signin();
    let (sub, req) = h.register_queue("Orders");
    h.pump();
    let reg: RegisterQueueRequest = decode(&h.last_sent("registerqueue")).unwrap();
    assert_eq!(reg.queuename, "orders");
    h.answer_register("orders");
    assert!(h.reply_result(req).is_ok());

    h.close("server went away");
    assert_eq!(h.s.state(), State::Disconnected);
    let wait = h.s.poll_timeout().unwrap() - h.now;
    assert!(wait <= 500, "first retry within 0.5 s, was {wait}");
    h.advance(500);
    assert_eq!(h.opened.len(), 2);
    h.open();
    assert_eq!(h.last_sent("signin").seq, 0, "seq restarts on every socket");
    h.answer_signin();
    let rereg: RegisterQueueRequest = decode(&h.last_sent("registerqueue")).unwrap();
    assert_eq!(rereg.queuename, "orders");
    h.answer_register("orders");
    h.queue_event("orders", "{\"n\":1}", "");
    assert_eq!(h.messages.len(), 1);
    assert_eq!(h.messages[0].0, sub);
    assert_eq!(
        names(&h.events),
        [
            "Connecting",
            "Connected",
            "SignedIn",
            "Disconnected",
            "Connecting",
            "Connected",
            "SignedIn"
        ]
    );
}

#[test]
fn temporary_queue_rename_is_reported_and_routing_follows() {
    let mut h = Harness::new(config());
    h.connect_and_signin();
    let (sub, _) = h.s.subscribe(
        h.now,
        SubscriptionKind::Queue(String::new()),
        true,
        &Call::default(),
    );
    h.pump();
    h.answer_register("unknown.aaa");
    h.close("drop");
    h.reopen();
    h.answer_signin();
    let rereg: RegisterQueueRequest = decode(&h.last_sent("registerqueue")).unwrap();
    assert_eq!(
        rereg.queuename, "",
        "a temporary queue asks for a fresh name"
    );
    h.answer_register("unknown.bbb");
    assert!(h.events.contains(&ClientEvent::QueueRenamed {
        subscription: sub,
        old: "unknown.aaa".into(),
        new: "unknown.bbb".into()
    }));
    assert_eq!(h.s.subscription_name(sub), Some("unknown.bbb"));
    h.queue_event("unknown.aaa", "old", "");
    h.queue_event("unknown.bbb", "new", "");
    assert_eq!(h.messages.len(), 1);
}

#[test]
fn registering_the_same_named_queue_again_does_not_add_a_consumer() {
    let mut h = Harness::new(config());
    h.connect_and_signin();
    let (a, _) = h.register_queue("q");
    h.pump();
    h.answer_register("q");
    let registers = h
        .sent
        .iter()
        .filter(|e| e.command == "registerqueue")
        .count();
    let (b, req) = h.register_queue("Q");
    h.pump();
    assert_eq!(a, b);
    assert!(h.reply_result(req).is_ok());
    assert_eq!(
        h.sent
            .iter()
            .filter(|e| e.command == "registerqueue")
            .count(),
        registers
    );
    // The seed pattern: after a reconnect the app registers again inside SignedIn, while the
    // automatic re-registration is in flight. Still one registerqueue.
    h.close("drop");
    h.reopen();
    h.answer_signin();
    let (c, _) = h.s.subscribe(
        h.now,
        SubscriptionKind::Queue("q".into()),
        false,
        &Call::default(),
    );
    h.pump();
    assert_eq!(c, a);
    h.answer_register("q");
    assert_eq!(
        h.sent
            .iter()
            .filter(|e| e.command == "registerqueue")
            .count(),
        registers + 1
    );
    h.queue_event("q", "1", "");
    assert_eq!(h.messages.len(), 1);
}

#[test]
fn in_flight_requests_fail_with_disconnected_and_outbox_waits() {
    let mut h = Harness::new(config());
    h.connect_and_signin();
    let inflight = h.s.request(
        h.now,
        "queuemessage",
        to_any(&QueueMessageRequest::default()),
        &Call::default(),
    );
    h.pump();
    h.close("drop");
    assert_eq!(
        h.reply_result(inflight).as_ref().unwrap_err().kind,
        ErrorKind::Disconnected
    );
    let waiting = h.s.request(
        h.now,
        "queuemessage",
        to_any(&QueueMessageRequest {
            queuename: "later".into(),
            ..Default::default()
        }),
        &Call::default(),
    );
    h.pump();
    assert!(
        h.replies.iter().all(|(r, _)| *r != waiting),
        "waits in the outbox"
    );
    h.reopen();
    h.answer_signin();
    let sent = h.last_sent("queuemessage");
    let msg: QueueMessageRequest = decode(&sent).unwrap();
    assert_eq!(msg.queuename, "later");
    h.reply("queuemessagereply", &sent, &QueueMessageResponse::default());
    assert!(h.reply_result(waiting).is_ok());
}

#[test]
fn outbox_is_bounded_and_expires() {
    let mut h = Harness::new(Config {
        outbox_limit: 2,
        ..config()
    });
    h.connect_and_signin();
    h.close("drop");
    let ids: Vec<_> = (0..3)
        .map(|_| {
            h.s.request(
                h.now,
                "queuemessage",
                to_any(&QueueMessageRequest::default()),
                &Call::timeout(Some(5_000)),
            )
        })
        .collect();
    h.pump();
    assert_eq!(
        h.reply_result(ids[2]).as_ref().unwrap_err().kind,
        ErrorKind::OutboxFull
    );
    // Keep the server away: refuse every attempt.
    for _ in 0..20 {
        if h.replies.len() == 3 {
            break;
        }
        h.advance(1_000);
        if h.s.state() == State::Connecting {
            h.close("refused");
        }
    }
    assert_eq!(
        h.reply_result(ids[0]).as_ref().unwrap_err().kind,
        ErrorKind::Timeout
    );
}

#[test]
fn request_timeout_and_server_errors_are_typed() {
    let mut h = Harness::new(config());
    h.connect_and_signin();
    let r = h.query(&Call::timeout(Some(2_000)));
    h.pump();
    h.advance(2_000);
    assert_eq!(
        h.reply_result(r).as_ref().unwrap_err().kind,
        ErrorKind::Timeout
    );
    let r = h.query(&Call::default());
    h.pump();
    let sent = h.last_sent("query");
    h.error(&sent, "Access denied");
    let e = h.reply_result(r).as_ref().unwrap_err();
    assert_eq!(
        (e.kind, e.message.as_str()),
        (ErrorKind::Server, "Access denied")
    );
}

#[test]
fn concurrent_rpcs_are_matched_by_correlation_id() {
    let mut h = Harness::new(config());
    h.connect_and_signin();
    let a = h.s.rpc(
        h.now,
        QueueMessageRequest {
            queuename: "svc".into(),
            data: "a".into(),
            ..Default::default()
        },
        &Call::default(),
    );
    let b = h.s.rpc(
        h.now,
        QueueMessageRequest {
            queuename: "svc".into(),
            data: "b".into(),
            ..Default::default()
        },
        &Call::default(),
    );
    h.pump();
    assert_eq!(
        h.sent
            .iter()
            .filter(|e| e.command == "registerqueue")
            .count(),
        1,
        "one reply queue"
    );
    h.answer_register("unknown.replies");
    let msgs: Vec<QueueMessageRequest> = h
        .sent
        .iter()
        .filter(|e| e.command == "queuemessage")
        .map(|e| decode(e).unwrap())
        .collect();
    assert_eq!(msgs.len(), 2);
    assert!(msgs.iter().all(|m| m.replyto == "unknown.replies"));
    assert_ne!(msgs[0].correlation_id, msgs[1].correlation_id);
    // Replies in reverse order.
    let (ma, mb) = if msgs[0].data == "a" {
        (&msgs[0], &msgs[1])
    } else {
        (&msgs[1], &msgs[0])
    };
    h.queue_event("unknown.replies", "reply-b", &mb.correlation_id.clone());
    h.queue_event("unknown.replies", "reply-a", &ma.correlation_id.clone());
    let data = |r| {
        decode::<QueueEvent>(h.reply_result(r).as_ref().unwrap())
            .unwrap()
            .data
    };
    assert_eq!(data(a), "reply-a");
    assert_eq!(data(b), "reply-b");
    assert!(
        h.messages.is_empty(),
        "rpc replies never reach queue callbacks"
    );
}

#[test]
fn ping_is_answered_with_pong_and_refreshtoken_replaces_the_jwt() {
    let mut h = Harness::new(Config {
        url: Some("ws://127.0.0.1:1".into()),
        jwt: Some("old".into()),
        heartbeat_ms: 0,
        ..Default::default()
    });
    h.connect_and_signin();
    h.deliver(Envelope {
        command: "ping".into(),
        id: "p1".into(),
        ..Default::default()
    });
    let pong = h.last_sent("pong");
    assert_eq!(pong.rid, "p1");
    h.deliver(Envelope {
        command: "refreshtoken".into(),
        data: Some(to_any(&RefreshToken {
            jwt: "fresh".into(),
            ..Default::default()
        })),
        ..Default::default()
    });
    assert_eq!(h.s.jwt(), Some("fresh"));
    h.close("drop");
    h.reopen();
    let signin: SigninRequest = decode(&h.last_sent("signin")).unwrap();
    assert_eq!(signin.jwt, "fresh", "re-signin uses the latest token");
}

#[test]
fn token_callback_is_asked_before_every_signin() {
    let mut h = Harness::new(Config {
        url: Some("ws://127.0.0.1:1".into()),
        use_token_callback: true,
        heartbeat_ms: 0,
        ..Default::default()
    });
    h.connect_and_signin();
    let signin: SigninRequest = decode(&h.last_sent("signin")).unwrap();
    assert_eq!(signin.jwt, "token-1");
    h.close("server went away");
    h.reopen();
    let again: SigninRequest = decode(&h.last_sent("signin")).unwrap();
    assert_eq!(
        (again.jwt.as_str(), h.tokens_given),
        ("token-2", 2),
        "the callback is asked again before the sign-in after a reconnect"
    );
}

#[test]
fn heartbeat_detects_a_half_open_link_and_reconnects() {
    let mut h = Harness::new(Config {
        heartbeat_ms: 5_000,
        heartbeat_timeout_ms: 2_000,
        ..config()
    });
    h.connect_and_signin();
    h.advance(5_000);
    assert_eq!(
        h.last_sent("getelement").command,
        "getelement",
        "probe after silence"
    );
    h.advance(2_000);
    match h
        .events
        .iter()
        .rev()
        .find(|e| matches!(e, ClientEvent::Disconnected(_)))
    {
        Some(ClientEvent::Disconnected(r)) => assert!(r.contains("heartbeat timeout"), "{r}"),
        _ => panic!("no Disconnected: {:?}", h.events),
    }
    assert_eq!(h.closed.len(), 1);
    h.reopen();
    h.answer_signin();
    assert_eq!(
        (h.opened.len(), h.s.state()),
        (2, State::SignedIn),
        "a new socket is opened and signed in"
    );
    assert_eq!(
        names(&h.events).last().map(String::as_str),
        Some("SignedIn")
    );
}

/// OpenFlow pings every 10 s: that is liveness enough. While pings arrive the client sends no
/// probe; when they stop, the link is found dead within 25 s (twice the interval).
#[test]
fn server_pings_are_liveness_and_their_silence_finds_a_dead_link() {
    let mut h = Harness::new(Config {
        heartbeat_ms: 30_000,
        heartbeat_timeout_ms: 10_000,
        ..config()
    });
    h.connect_and_signin();
    let ping = |h: &mut Harness, n: u32| {
        h.deliver(Envelope {
            command: "ping".into(),
            id: format!("ping-{n}"),
            ..Default::default()
        })
    };
    ping(&mut h, 0);
    h.advance(4_000);
    for n in 1..=12 {
        ping(&mut h, n);
        h.advance(10_000);
    }
    assert!(
        !h.sent.iter().any(|e| e.command == "getelement"),
        "no probe while the server pings"
    );
    assert_eq!(h.sent.iter().filter(|e| e.command == "pong").count(), 13);
    let last_ping = h.now - 10_000;
    while h.s.state() == State::SignedIn {
        h.advance(100);
    }
    let found = h.now - last_ping;
    assert!(
        (20_000..=25_000).contains(&found),
        "dead link found after {found} ms"
    );
    assert!(!h.sent.iter().any(|e| e.command == "getelement"));
}

#[test]
fn wake_reconnects_at_once_instead_of_waiting() {
    let mut h = Harness::new(Config {
        backoff: openiap_wasm::protocol::backoff::BackoffConfig {
            initial_ms: 60_000,
            max_ms: 60_000,
            max_attempts: None,
        },
        ..config()
    });
    h.connect_and_signin();
    h.close("drop");
    assert_eq!(h.opened.len(), 1);
    let now = h.now;
    h.s.wake(now);
    h.pump();
    assert_eq!(h.opened.len(), 2);
}

#[test]
fn max_attempts_gives_up_and_fails_waiting_work() {
    let mut h = Harness::new(Config {
        backoff: openiap_wasm::protocol::backoff::BackoffConfig {
            max_attempts: Some(2),
            ..Default::default()
        },
        ..config()
    });
    h.connect_and_signin();
    h.close("drop");
    let r = h.query(&Call::timeout(Some(600_000)));
    h.pump();
    for _ in 0..2 {
        h.advance(30_000);
        h.close("refused");
    }
    assert_eq!(
        h.reply_result(r).as_ref().unwrap_err().kind,
        ErrorKind::GaveUp
    );
    assert_eq!(h.s.poll_timeout(), None);
    h.advance(600_000);
    assert_eq!(h.opened.len(), 3);
}

#[test]
fn disconnect_rejects_everything_and_leaves_no_timer() {
    let mut h = Harness::new(Config {
        heartbeat_ms: 1_000,
        ..config()
    });
    h.connect_and_signin();
    let (_, _) = h.register_queue("q");
    let r = h.query(&Call::default());
    let rpc = h.s.rpc(
        h.now,
        QueueMessageRequest {
            queuename: "svc".into(),
            ..Default::default()
        },
        &Call::default(),
    );
    h.pump();
    let now = h.now;
    h.s.disconnect(now);
    h.pump();
    assert_eq!(
        h.reply_result(r).as_ref().unwrap_err().kind,
        ErrorKind::Disconnected
    );
    assert!(h.reply_result(rpc).is_err());
    assert_eq!(h.s.poll_timeout(), None);
    assert_eq!(h.s.table_sizes(), (0, 0, 0, 0));
    let after = h.query(&Call::default());
    h.pump();
    assert_eq!(
        h.reply_result(after).as_ref().unwrap_err().kind,
        ErrorKind::NotConnected
    );
}

#[test]
fn two_hundred_reconnect_cycles_leave_no_growth() {
    let mut h = Harness::new(config());
    h.connect_and_signin();
    h.register_queue("q");
    h.s.subscribe(
        h.now,
        SubscriptionKind::Queue(String::new()),
        true,
        &Call::default(),
    );
    h.pump();
    for i in 0..200 {
        for e in h
            .sent
            .clone()
            .iter()
            .filter(|e| e.command == "registerqueue")
        {
            let r: RegisterQueueRequest = decode(e).unwrap();
            let name = if r.queuename.is_empty() {
                format!("tmp.{i}")
            } else {
                r.queuename
            };
            let e = e.clone();
            h.reply(
                "registerqueuereply",
                &e,
                &RegisterQueueResponse { queuename: name },
            );
        }
        h.sent.clear();
        h.close("drop");
        h.reopen();
        h.answer_signin();
    }
    let (in_flight, outbox, subs, rpcs) = h.s.table_sizes();
    assert!(in_flight <= 2, "in flight {in_flight}");
    assert_eq!((outbox, subs, rpcs), (0, 2, 0));
    assert_eq!(h.opened.len(), 201, "one socket per cycle");
}

#[test]
fn garbage_from_the_server_is_a_protocol_error_not_a_panic() {
    let mut h = Harness::new(config());
    h.connect_and_signin();
    let (now, sock) = (h.now, h.socket.unwrap());
    h.s.handle_data(now, sock, &[0xff, 0xff, 0xff, 0x7f]);
    h.pump();
    match h.events.last() {
        Some(ClientEvent::Disconnected(r)) => assert!(r.contains("protocol error"), "{r}"),
        e => panic!("{e:?}"),
    }
    assert_eq!(h.s.state(), State::Disconnected);
}

#[test]
fn grpc_web_framing_sends_headers_then_prefixed_frames() {
    let mut h = Harness::new(Config {
        framing: Framing::GrpcWeb,
        ..config()
    });
    let now = h.now;
    h.s.connect(now, None);
    let mut out = vec![];
    while let Some(o) = h.s.poll_output() {
        out.push(o);
    }
    let Output::OpenSocket {
        socket,
        url,
        protocols,
    } = &out[1]
    else {
        panic!("{out:?}")
    };
    assert_eq!(url, "ws://127.0.0.1:1/openiap.FlowService/SetupStream");
    assert_eq!(*protocols, ["grpc-websockets"]);
    let socket = *socket;
    h.s.handle_open(now, socket);
    let Some(Output::Send { bytes: headers, .. }) = h.s.poll_output() else {
        panic!()
    };
    assert!(String::from_utf8(headers)
        .unwrap()
        .contains("application/grpc-web+proto"));
    let Some(Output::Send { bytes, .. }) = h.s.poll_output() else {
        panic!()
    };
    let grpc_web::ClientMessage::Data(frame) =
        grpc_web::parse_client_message(false, &bytes).unwrap()
    else {
        panic!()
    };
    let mut d = grpc_web::Deframer::default();
    d.push(frame);
    assert_eq!(d.next_envelope().unwrap().unwrap().command, "signin");
    let signin = d.next_envelope().ok().flatten();
    assert!(signin.is_none());
    // The server ends the call with an error trailer: a typed protocol error, no panic.
    let trailer =
        grpc_web::encode_metadata_frame(&[("grpc-status", "7"), ("grpc-message", "denied")]);
    h.s.handle_data(now, socket, &trailer);
    let mut done = None;
    while let Some(o) = h.s.poll_output() {
        if let Output::ConnectDone(r) = o {
            done = Some(r);
        }
    }
    let e = done.unwrap().unwrap_err();
    assert!(e.message.contains("grpc-status 7: denied"), "{}", e.message);
}

#[test]
fn upload_streams_chunks_after_the_request_and_download_chunks_reach_the_request() {
    let mut h = Harness::new(config());
    h.connect_and_signin();
    let up = h.s.request(
        h.now,
        "upload",
        to_any(&UploadRequest {
            filename: "a.bin".into(),
            ..Default::default()
        }),
        &Call {
            upload: true,
            ..Call::default()
        },
    );
    h.pump();
    // Chunks are pulled one at a time: each is asked for after the previous went out.
    assert_eq!(h.wanted, [up]);
    for chunk in [vec![1, 2], vec![3]] {
        h.s.upload_chunk(up, Some(chunk));
        h.pump();
    }
    assert_eq!(h.wanted, [up, up, up]);
    h.s.upload_chunk(up, None);
    h.pump();
    assert_eq!(h.wanted.len(), 3, "nothing is asked for after the end");
    assert_eq!(h.s.open_uploads(), 0);
    let n = h.sent.len();
    let cmds: Vec<&str> = h.sent[n - 5..].iter().map(|e| e.command.as_str()).collect();
    assert_eq!(
        cmds,
        ["upload", "beginstream", "stream", "stream", "endstream"]
    );
    let upload_id = h.sent[n - 5].id.clone();
    assert!(
        h.sent[n - 4..].iter().all(|e| e.rid == upload_id),
        "stream parts carry rid = upload id"
    );
    let seqs: Vec<i32> = h.sent[n - 5..].iter().map(|e| e.seq).collect();
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1));
    let req = h.sent[n - 5].clone();
    h.reply(
        "uploadreply",
        &req,
        &UploadResponse {
            id: "file1".into(),
            ..Default::default()
        },
    );
    assert!(h.reply_result(up).is_ok());

    let down = h.s.request(
        h.now,
        "download",
        to_any(&DownloadRequest {
            id: "file1".into(),
            ..Default::default()
        }),
        &Call::default(),
    );
    h.pump();
    let req = h.last_sent("download");
    for (cmd, data) in [
        ("beginstream", vec![]),
        ("stream", vec![9u8, 8]),
        ("endstream", vec![]),
    ] {
        let any = if cmd == "stream" {
            to_any(&Stream { data })
        } else {
            to_any(&EndStream::default())
        };
        h.deliver(Envelope {
            command: cmd.into(),
            rid: req.id.clone(),
            data: Some(any),
            ..Default::default()
        });
    }
    assert_eq!(h.streams.len(), 3);
    assert!(h.streams.iter().all(|(r, _)| *r == down));
    assert!(
        h.replies.iter().all(|(r, _)| *r != down),
        "stream parts do not complete the request"
    );
    h.reply(
        "downloadreply",
        &req,
        &DownloadResponse {
            id: "file1".into(),
            ..Default::default()
        },
    );
    assert!(h.reply_result(down).is_ok());
}

#[test]
fn an_upload_made_while_reconnecting_streams_once_it_is_sent() {
    let mut h = Harness::new(config());
    h.connect_and_signin();
    h.close("drop");
    let up = h.upload();
    assert!(
        h.wanted.is_empty(),
        "no chunk is read before the request can go out"
    );
    h.s.upload_chunk(up, Some(vec![1]));
    h.pump();
    assert!(
        !h.sent.iter().any(|e| e.command == "stream"),
        "an early chunk is not sent"
    );
    h.advance(1_000);
    h.open();
    h.answer_signin();
    assert_eq!(h.wanted, [up]);
    assert_eq!(h.last_sent("beginstream").rid, h.last_sent("upload").id);
}

#[test]
fn a_held_back_upload_chunk_is_asked_for_again_after_the_recheck_delay() {
    let mut h = Harness::new(config());
    h.connect_and_signin();
    let up = h.upload();
    assert_eq!(h.wanted, [up]);
    let t0 = h.now;
    h.s.upload_later(t0, up);
    assert_eq!(
        h.s.poll_timeout(),
        Some(t0 + openiap_wasm::protocol::session::UPLOAD_RECHECK_MS)
    );
    h.advance(openiap_wasm::protocol::session::UPLOAD_RECHECK_MS - 1);
    assert_eq!(h.wanted, [up], "not before the delay");
    h.advance(1);
    assert_eq!(h.wanted, [up, up], "asked again once");
    h.advance(1_000);
    assert_eq!(h.wanted.len(), 2);
    h.s.upload_chunk(up, None);
    h.pump();
    assert_eq!(h.s.open_uploads(), 0);
}

#[test]
fn an_upload_cut_by_a_dropped_link_fails_and_sends_nothing_more() {
    let mut h = Harness::new(config());
    h.connect_and_signin();
    let up = h.upload();
    h.s.upload_chunk(up, Some(vec![1; 10]));
    h.pump();
    h.close("drop");
    assert_eq!(
        h.reply_result(up).as_ref().unwrap_err().kind,
        ErrorKind::Disconnected
    );
    assert_eq!(h.s.open_uploads(), 0);
    let sent = h.sent.len();
    h.s.upload_chunk(up, Some(vec![2; 10]));
    h.s.upload_chunk(up, None);
    h.pump();
    assert_eq!(h.sent.len(), sent, "nothing of the dead upload is sent");
}

#[test]
fn an_unreadable_upload_fails_and_its_stream_stops() {
    let mut h = Harness::new(config());
    h.connect_and_signin();
    let up = h.upload();
    h.s.abort_upload(up, "cannot read the upload data: NotReadableError");
    h.pump();
    let e = h.reply_result(up).as_ref().unwrap_err().clone();
    assert_eq!(e.kind, ErrorKind::InvalidArgument);
    assert!(e.message.contains("NotReadableError"), "{}", e.message);
    let sent = h.sent.len();
    h.s.upload_chunk(up, None);
    h.pump();
    assert_eq!(h.sent.len(), sent);
    let stats = h.s.table_sizes();
    assert_eq!(
        (stats.0, h.s.open_uploads()),
        (0, 0),
        "nothing left in flight"
    );
}

#[test]
fn debug_output_never_shows_secrets() {
    let mut h = Harness::new(Config {
        jwt: Some("eyJ.secret.jwt".into()),
        password: Some("pw-secret".into()),
        ..config()
    });
    h.connect_and_signin();
    let text = format!("{:?} {:?}", h.s, h.s.config());
    for secret in [
        "secret@",
        "bob:secret",
        "pw-secret",
        "eyJ.secret.jwt",
        "session-jwt",
    ] {
        assert!(!text.contains(secret), "{secret} leaked in {text}");
    }
}

#[test]
fn a_server_silent_after_the_socket_opens_is_given_the_connect_timeout() {
    let mut h = Harness::new(Config {
        connect_timeout_ms: 2_000,
        request_timeout_ms: 30_000,
        ..config()
    });
    h.connect_and_signin();
    h.close("drop");
    h.reopen();
    let t0 = h.now;
    h.advance(2_000);
    match h
        .events
        .iter()
        .rev()
        .find(|e| matches!(e, ClientEvent::Disconnected(_)))
    {
        Some(ClientEvent::Disconnected(r)) => assert!(r.contains("sign-in timed out"), "{r}"),
        e => panic!("{e:?}"),
    }
    assert!(h.now - t0 <= 2_000);
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    /// What the outside world may do to a session.
    #[derive(Debug, Clone)]
    enum Step {
        Bytes(Vec<u8>),
        Envelope {
            command: u8,
            rid_of_sent: bool,
            data: Vec<u8>,
        },
        Open,
        Close,
        Wait(u16),
        Request,
        Upload,
        /// The shell answers the oldest upload that asked for a chunk: 0 a chunk, 1 the end,
        /// 2 "cannot read", 3 "later" (the socket is backed up).
        UploadAnswer(u8),
        Rpc,
        Subscribe(bool),
        Wake,
        Disconnect,
        Connect,
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..64).prop_map(Step::Bytes),
            (
                any::<u8>(),
                any::<bool>(),
                proptest::collection::vec(any::<u8>(), 0..48)
            )
                .prop_map(|(command, rid_of_sent, data)| Step::Envelope {
                    command,
                    rid_of_sent,
                    data
                }),
            Just(Step::Open),
            Just(Step::Close),
            any::<u16>().prop_map(Step::Wait),
            Just(Step::Request),
            Just(Step::Upload),
            (0u8..4).prop_map(Step::UploadAnswer),
            Just(Step::Rpc),
            any::<bool>().prop_map(Step::Subscribe),
            Just(Step::Wake),
            Just(Step::Disconnect),
            Just(Step::Connect),
        ]
    }

    const COMMANDS: &[&str] = &[
        "signinreply",
        "error",
        "ping",
        "refreshtoken",
        "queueevent",
        "watchevent",
        "getelement",
        "registerqueuereply",
        "queuemessagereply",
        "beginstream",
        "stream",
        "endstream",
        "bogus",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// Garbage, replies with random payloads to random requests, closes, timeouts and API
        /// calls in any order: the session never panics and its tables stay bounded.
        #[test]
        fn any_sequence_of_events_is_handled_without_panic(steps in proptest::collection::vec(step(), 1..60)) {
            let mut h = Harness::new(Config { heartbeat_ms: 1_000, outbox_limit: 8, ..config() });
            let now = h.now;
            h.s.connect(now, None);
            h.pump();
            for st in steps {
                let now = h.now;
                match st {
                    Step::Bytes(b) => if let Some(s) = h.socket { h.s.handle_data(now, s, &b) },
                    Step::Envelope { command, rid_of_sent, data } => if let Some(s) = h.socket {
                        let rid = if rid_of_sent { h.sent.last().map(|e| e.id.clone()).unwrap_or_default() } else { String::new() };
                        let env = Envelope {
                            command: COMMANDS[command as usize % COMMANDS.len()].into(),
                            rid,
                            id: "x".into(),
                            data: Some(openiap_wasm::pb::google::protobuf::Any { type_url: String::new(), value: data }),
                            ..Default::default()
                        };
                        h.s.handle_data(now, s, &frame::encode(&env));
                    },
                    Step::Open => if let Some(s) = h.socket { h.s.handle_open(now, s) },
                    Step::Close => if let Some(s) = h.socket { h.s.handle_close(now, s, "closed") },
                    Step::Wait(ms) => { h.pump(); h.advance(ms as u64); }
                    Step::Request => { h.s.request(now, "query", to_any(&QueryRequest::default()), &Call::timeout(Some(5_000))); }
                    Step::Upload => { h.s.request(now, "upload", to_any(&UploadRequest::default()), &Call { upload: true, ..Call::timeout(Some(5_000)) }); }
                    Step::UploadAnswer(a) => if !h.wanted.is_empty() {
                        let up = h.wanted.remove(0);
                        match a {
                            0 => h.s.upload_chunk(up, Some(vec![7; 3])),
                            1 => h.s.upload_chunk(up, None),
                            2 => h.s.abort_upload(up, "cannot read"),
                            _ => h.s.upload_later(now, up),
                        }
                    },
                    Step::Rpc => { h.s.rpc(now, QueueMessageRequest { queuename: "svc".into(), ..Default::default() }, &Call::timeout(Some(5_000))); }
                    Step::Subscribe(named) => {
                        let name = if named { "q".to_string() } else { String::new() };
                        h.s.subscribe(now, SubscriptionKind::Queue(name), true, &Call::timeout(Some(5_000)));
                    }
                    Step::Wake => h.s.wake(now),
                    Step::Disconnect => h.s.disconnect(now),
                    Step::Connect => h.s.connect(now, None),
                }
                h.pump();
                let (in_flight, outbox, _, _) = h.s.table_sizes();
                prop_assert!(outbox <= 8, "outbox over its limit: {outbox}");
                prop_assert!(in_flight < 200);
                prop_assert!(h.s.open_uploads() <= in_flight, "an upload stream outlived its request");
            }
            let now = h.now;
            h.s.disconnect(now);
            h.pump();
            prop_assert_eq!(h.s.table_sizes(), (0, 0, 0, 0));
            prop_assert_eq!(h.s.open_uploads(), 0);
            prop_assert_eq!(h.s.poll_timeout(), None);
        }
    }
}

/// Found by the property test below: an rpc's reply-queue registration outlived a failed first
/// connect, because the session stopped without ending its registrations.
#[test]
fn a_failed_first_connect_leaves_no_registration_behind() {
    let mut h = Harness::new(Config {
        heartbeat_ms: 1_000,
        outbox_limit: 8,
        ..config()
    });
    let now = h.now;
    h.s.connect(now, None);
    h.pump();
    h.s.rpc(
        now,
        QueueMessageRequest {
            queuename: "svc".into(),
            ..Default::default()
        },
        &Call::timeout(Some(5_000)),
    );
    h.pump();
    let s = h.socket.unwrap();
    h.s.handle_data(now, s, &[0, 0, 0, 2]);
    h.pump();
    assert!(
        matches!(h.connect.last(), Some(Err(_))),
        "the first connect failed"
    );
    assert_eq!(h.s.table_sizes(), (0, 0, 0, 0));
    assert_eq!(h.s.poll_timeout(), None);
}

/// Credentials over ws:// to another host: one Error event that names the risk, never the
/// credentials; none with allow_insecure, over wss:// or to this machine.
#[test]
fn credentials_over_plain_ws_to_another_host_are_warned_about_once() {
    let warnings = |url: &str, allow_insecure: bool| {
        let mut h = Harness::new(Config {
            url: Some(url.into()),
            allow_insecure,
            ..config()
        });
        h.connect_and_signin();
        h.close("drop");
        h.reopen();
        h.answer_signin();
        let errors: Vec<String> = h
            .events
            .iter()
            .filter_map(|e| match e {
                ClientEvent::Error(r) => Some(r.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(
            h.s.state(),
            State::SignedIn,
            "the warning does not stop the sign-in"
        );
        errors
    };
    let warned = warnings("ws://bob:secret@app.example.com:3000", false);
    assert_eq!(warned.len(), 1, "once, not on every sign-in: {warned:?}");
    assert!(warned[0].contains("unencrypted over ws://") && warned[0].contains("app.example.com"));
    assert!(
        !warned[0].contains("secret") && !warned[0].contains("bob"),
        "{}",
        warned[0]
    );
    assert!(
        warnings("ws://bob:secret@app.example.com:3000", true).is_empty(),
        "allow_insecure"
    );
    assert!(
        warnings("wss://bob:secret@app.example.com", false).is_empty(),
        "wss://"
    );
    assert!(
        warnings("ws://bob:secret@127.0.0.1:3000", false).is_empty(),
        "loopback"
    );
    assert!(
        warnings("ws://bob:secret@localhost:3000", false).is_empty(),
        "localhost"
    );
}

/// A per-call identity goes on that request's envelope and on no other; a registration keeps
/// its identity when it is registered again after a reconnect.
#[test]
fn per_call_identity_is_on_that_request_only() {
    let mut h = Harness::new(config());
    h.connect_and_signin();
    let as_user = Call {
        jwt: "user-jwt".into(),
        traceid: "trace-1".into(),
        spanid: "span-1".into(),
        ..Call::default()
    };
    h.query(&as_user);
    h.s.request(
        h.now,
        "count",
        to_any(&CountRequest::default()),
        &Call::default(),
    );
    h.s.subscribe(h.now, SubscriptionKind::Queue("q".into()), true, &as_user);
    h.pump();
    let q = h.last_sent("query");
    assert_eq!(
        (q.jwt.as_str(), q.traceid.as_str(), q.spanid.as_str()),
        ("user-jwt", "trace-1", "span-1")
    );
    let c = h.last_sent("count");
    assert_eq!(
        (c.jwt.as_str(), c.traceid.as_str()),
        ("", ""),
        "not on the next request"
    );
    assert_eq!(h.last_sent("registerqueue").jwt, "user-jwt");
    assert!(
        !format!("{as_user:?}").contains("user-jwt"),
        "Debug hides the JWT"
    );
    h.answer_register("q");
    h.close("drop");
    h.reopen();
    h.answer_signin();
    assert_eq!(
        h.last_sent("signin").jwt,
        "",
        "the sign-in is the session's own"
    );
    assert_eq!(
        h.last_sent("registerqueue").jwt,
        "user-jwt",
        "registered again as that user"
    );
}

/// A rejected per-call token fails that request only: the connection stays signed in.
#[test]
fn a_rejected_per_call_token_fails_that_request_only() {
    let mut h = Harness::new(config());
    h.connect_and_signin();
    let bad = Call {
        jwt: "expired".into(),
        ..Call::default()
    };
    let r = h.query(&bad);
    h.pump();
    let sent = h.last_sent("query");
    h.error(&sent, "jwt expired");
    let e = h.reply_result(r).as_ref().unwrap_err();
    assert_eq!(
        (e.kind, e.message.as_str()),
        (ErrorKind::Server, "jwt expired")
    );
    assert!(!e.message.contains("expired\"") && !format!("{e:?}").contains("jwt: "));
    assert_eq!(h.s.state(), State::SignedIn);
    assert_eq!(h.closed.len(), 0);
}

/// Cancelling (an AbortSignal) frees the request wherever it waits: outbox, in flight (a late
/// reply is dropped), rpc, registration.
#[test]
fn cancelled_requests_leave_nothing_behind() {
    let mut h = Harness::new(config());
    h.connect_and_signin();
    let in_flight = h.query(&Call::default());
    let rpc = h.s.rpc(
        h.now,
        QueueMessageRequest {
            queuename: "svc".into(),
            ..Default::default()
        },
        &Call::default(),
    );
    let (sub, reg) = h.s.subscribe(
        h.now,
        SubscriptionKind::Queue(String::new()),
        true,
        &Call::default(),
    );
    h.pump();
    let query = h.last_sent("query");
    for r in [in_flight, rpc, reg] {
        h.s.cancel(r);
    }
    h.reply(
        "queryreply",
        &query,
        &QueryResponse {
            results: "[]".into(),
        },
    );
    assert!(
        h.replies
            .iter()
            .all(|(r, _)| ![in_flight, rpc, reg].contains(r)),
        "no reply for a cancelled request: {:?}",
        h.replies
    );
    let (_, outbox, registrations, rpc_calls) = h.s.table_sizes();
    assert_eq!((outbox, rpc_calls), (0, 0));
    assert!(h.s.subscription_name(sub).is_none());
    assert_eq!(
        registrations, 1,
        "only the rpc reply queue's registration remains"
    );
    h.close("drop");
    let waiting = h.query(&Call::default());
    assert_eq!(h.s.table_sizes().1, 1);
    h.s.cancel(waiting);
    assert_eq!(h.s.table_sizes().1, 0, "the outbox entry is gone");
}

/// One step of the register/unregister model below.
#[derive(Clone, Copy, Debug)]
enum Op {
    /// The app registers queue "orders" (as `register_queue` does).
    Register,
    /// The app unregisters "orders" (as `unregister_queue` does).
    Unregister,
    /// The server answers the oldest request it has not answered yet.
    Answer,
    /// The link drops; the client reconnects and signs in again.
    Drop,
    /// Someone sends a message to "orders".
    Publish,
}

/// A server with one queue, "orders": commands take effect when they arrive, answers go out only
/// when the test says so (the worst case of a late reply), a consumer gets the waiting messages at
/// once, and a dropped link takes its consumer with it.
struct OrdersServer {
    h: Harness,
    /// How much of `h.sent` the server has read.
    read: usize,
    /// Requests read but not answered yet, oldest first.
    unanswered: Vec<Envelope>,
    consumer: bool,
    waiting: u32,
    published: u32,
}

impl OrdersServer {
    fn new() -> Self {
        let mut h = Harness::new(config());
        h.connect_and_signin();
        let read = h.sent.len();
        OrdersServer {
            h,
            read,
            unanswered: vec![],
            consumer: false,
            waiting: 0,
            published: 0,
        }
    }

    /// Reads what the client sent since last time.
    fn read(&mut self) {
        while self.read < self.h.sent.len() {
            let env = self.h.sent[self.read].clone();
            self.read += 1;
            match env.command.as_str() {
                "registerqueue" => {
                    let q: RegisterQueueRequest = decode(&env).unwrap();
                    assert_eq!(q.queuename, "orders");
                    self.consumer = true;
                    self.unanswered.push(env);
                    while self.waiting > 0 {
                        self.waiting -= 1;
                        self.publish_now();
                    }
                }
                "unregisterqueue" => {
                    let q: UnRegisterQueueRequest = decode(&env).unwrap();
                    assert_eq!(q.queuename, "orders");
                    self.consumer = false;
                    self.unanswered.push(env);
                }
                other => panic!("unexpected {other}"),
            }
        }
    }

    fn publish_now(&mut self) {
        self.published += 1;
        let n = self.published.to_string();
        self.h.queue_event("orders", &n, &n);
    }

    fn step(&mut self, op: Op) {
        match op {
            // The app's calls are made by the test, which keeps their ids.
            Op::Register | Op::Unregister => {}
            Op::Answer => {
                if !self.unanswered.is_empty() {
                    let env = self.unanswered.remove(0);
                    if env.command == "registerqueue" {
                        let name = RegisterQueueResponse {
                            queuename: "orders".into(),
                        };
                        self.h.reply("registerqueuereply", &env, &name);
                    } else {
                        self.h
                            .reply("unregisterqueuereply", &env, &UnRegisterQueueResponse {});
                    }
                }
            }
            Op::Drop => {
                self.h.close("drop");
                self.consumer = false;
                self.unanswered.clear();
                self.read = self.h.sent.len();
                self.h.reopen();
                self.h.answer_signin();
                // The server reads on from the new socket's sign-in.
                let signin = self.h.sent.iter().rposition(|e| e.command == "signin");
                self.read = signin.expect("signed in again") + 1;
            }
            Op::Publish => {
                if self.consumer {
                    self.publish_now();
                } else {
                    self.waiting += 1;
                }
            }
        }
        self.h.pump();
        self.read();
    }
}

/// What the app saw of the "orders" registrations, for the model test below.
#[derive(Default)]
struct Seen {
    messages: usize,
    replies: usize,
    /// Registrations that ended: their unregister resolved, or their register was cancelled.
    ended: Vec<u64>,
    /// (register request, registration)
    registers: Vec<(RequestId, u64)>,
    /// (unregister request, registration)
    unregisters: Vec<(RequestId, u64)>,
}

impl Seen {
    /// Checks what happened since the last call: no message for an ended registration, and the
    /// only failure is `Cancelled`.
    fn check(&mut self, m: &OrdersServer, what: &str) {
        for (sub, env) in &m.h.messages[self.messages..] {
            assert!(
                !self.ended.contains(sub),
                "{what}: message {:?} reached registration {sub} after it ended",
                env.id
            );
        }
        self.messages = m.h.messages.len();
        for (r, result) in &m.h.replies[self.replies..] {
            if let Some((_, sub)) = self.unregisters.iter().find(|(u, _)| u == r) {
                assert!(result.is_ok(), "{what}: unregister failed: {result:?}");
                self.ended.push(*sub);
            }
            if let Err(e) = result {
                assert_eq!(e.kind, ErrorKind::Cancelled, "{what}: {e:?}");
                if let Some((_, sub)) = self.registers.iter().find(|(g, _)| g == r) {
                    self.ended.push(*sub);
                }
            }
        }
        self.replies = m.h.replies.len();
    }
}

/// Every order of register, the server's reply, unregister, a dropped link and messages (all
/// 5^6 sequences of six steps, then every answer): each request gets exactly one outcome, a
/// registration the app gave up rejects with `Cancelled`, nothing reaches a callback after its
/// unregister resolved or after its registration was cancelled, no message is lost without an
/// event, and the server ends with a consumer exactly when the app's last word was "register".
#[test]
fn register_and_unregister_in_any_order_have_one_outcome_each() {
    const OPS: [Op; 5] = [
        Op::Register,
        Op::Unregister,
        Op::Answer,
        Op::Drop,
        Op::Publish,
    ];
    const STEPS: u32 = 6;
    for n in 0..5u32.pow(STEPS) {
        let ops: Vec<Op> = (0..STEPS)
            .map(|i| OPS[(n / 5u32.pow(i) % 5) as usize])
            .collect();
        let what = format!("{ops:?}");
        let mut m = OrdersServer::new();
        let mut seen = Seen::default();
        let mut last_word_register = false;
        let mut last_sub = 0;
        for &op in &ops {
            let now = m.h.now;
            match op {
                Op::Register => {
                    let (sub, r) = m.h.s.subscribe(
                        now,
                        SubscriptionKind::Queue("orders".into()),
                        true,
                        &Call::default(),
                    );
                    seen.registers.push((r, sub));
                    last_sub = sub;
                    last_word_register = true;
                }
                Op::Unregister => {
                    if let Some(sub) = m.h.s.queue_subscription("orders") {
                        let r = m.h.s.unsubscribe(now, sub, &Call::default());
                        seen.unregisters.push((r, sub));
                    }
                    last_word_register = false;
                }
                _ => {}
            }
            m.step(op);
            seen.check(&m, &format!("{what} after {op:?}"));
        }
        for _ in 0..12 {
            m.step(Op::Answer);
        }
        seen.check(&m, &format!("{what} at the end"));
        let all = seen.registers.iter().chain(&seen.unregisters);
        for (r, _) in all {
            let outcomes = m.h.replies.iter().filter(|(id, _)| id == r).count();
            assert_eq!(outcomes, 1, "{what}: request {r} has {outcomes} outcomes");
        }
        let live = m.h.s.queue_subscription("orders");
        assert_eq!(
            live.is_some(),
            last_word_register,
            "{what}: registered at the end"
        );
        assert_eq!(
            m.consumer, last_word_register,
            "{what}: the server's consumer"
        );
        if last_word_register {
            assert_eq!(
                live,
                Some(last_sub),
                "{what}: the newest registration receives"
            );
        }
        // Every message the server handed to this connection reached a callback or was reported.
        let reported =
            m.h.events
                .iter()
                .filter(|e| matches!(e, ClientEvent::Error(t) if t.contains("was dropped")))
                .count() as u32;
        assert_eq!(
            m.h.messages.len() as u32 + reported,
            m.published,
            "{what}: a message was lost silently"
        );
    }
}

/// A registration given up another way than by unregistering — its request timed out, or the
/// app aborted it (`cancel`) — is undone the same way when the server's late reply comes; so is a
/// watch (`unwatch` of the id the late reply gives).
#[test]
fn registrations_given_up_by_timeout_or_abort_are_undone_when_their_reply_comes() {
    let mut h = Harness::new(config());
    h.connect_and_signin();
    let (_, timed_out) = h.s.subscribe(
        h.now,
        SubscriptionKind::Queue("late".into()),
        true,
        &Call::timeout(Some(1_000)),
    );
    h.pump();
    let reg = h.last_sent("registerqueue");
    h.advance(1_001);
    assert_eq!(
        h.reply_result(timed_out).as_ref().unwrap_err().kind,
        ErrorKind::Timeout
    );
    h.reply(
        "registerqueuereply",
        &reg,
        &RegisterQueueResponse {
            queuename: "late".into(),
        },
    );
    let undo: UnRegisterQueueRequest = decode(&h.last_sent("unregisterqueue")).unwrap();
    assert_eq!(undo.queuename, "late");

    let (_, aborted) = h.s.subscribe(
        h.now,
        SubscriptionKind::Watch(WatchRequest {
            collectionname: "entities".into(),
            paths: vec![],
        }),
        true,
        &Call::default(),
    );
    h.pump();
    let watch = h.last_sent("watch");
    h.s.cancel(aborted);
    h.pump();
    h.reply("watchreply", &watch, &WatchResponse { id: "w1".into() });
    let unwatch: UnWatchRequest = decode(&h.last_sent("unwatch")).unwrap();
    assert_eq!(unwatch.id, "w1");
    assert!(
        h.replies.iter().all(|(r, _)| *r != aborted),
        "the shell settles an aborted request itself"
    );
    assert_eq!(h.s.table_sizes().2, 0, "no registration left");
    // A watch event of the undone watch reaches nobody, and its unwatch reply is taken quietly.
    let unwatch_env = h.last_sent("unwatch");
    h.reply("unwatchreply", &unwatch_env, &UnWatchResponse {});
    assert!(h.messages.is_empty());
}

/// A live registration that is unregistered keeps delivering until the server confirmed it and
/// nothing after; a refused unregister leaves it as it was; an unanswered one times out and
/// delivers nothing more.
#[test]
fn a_live_registration_delivers_until_its_unregister_is_answered() {
    let mut h = Harness::new(config());
    h.connect_and_signin();
    let (sub, _) = h.register_queue("q");
    h.pump();
    h.answer_register("q");
    let first = h.s.unsubscribe(h.now, sub, &Call::default());
    h.pump();
    let unreg = h.last_sent("unregisterqueue");
    h.queue_event("q", "in-between", "c1");
    assert_eq!(
        h.messages.len(),
        1,
        "still delivered while the unregister is in flight"
    );
    h.error(&unreg, "not now");
    assert_eq!(
        h.reply_result(first).as_ref().unwrap_err().kind,
        ErrorKind::Server
    );
    h.queue_event("q", "after-refusal", "c2");
    assert_eq!(
        h.messages.len(),
        2,
        "a refused unregister leaves it registered"
    );

    let second = h.s.unsubscribe(h.now, sub, &Call::timeout(Some(500)));
    let again = h.s.unsubscribe(h.now, sub, &Call::default());
    h.pump();
    assert_eq!(
        h.sent
            .iter()
            .filter(|e| e.command == "unregisterqueue")
            .count(),
        2,
        "a second unregister while one is in flight sends nothing more"
    );
    h.advance(501);
    assert_eq!(
        h.reply_result(second).as_ref().unwrap_err().kind,
        ErrorKind::Timeout
    );
    assert_eq!(
        h.reply_result(again).as_ref().unwrap_err().kind,
        ErrorKind::Timeout
    );
    h.queue_event("q", "after-timeout", "c3");
    assert_eq!(h.messages.len(), 2, "nothing after the unregister ended");
    assert!(h
        .events
        .iter()
        .any(|e| matches!(e, ClientEvent::Error(t) if t.contains("'q'") && t.contains("c3"))));
}

/// A queue unregistered while the client is disconnected is not registered again when it signs
/// in, and its unregister resolves at once (the server's consumer went with the link).
#[test]
fn a_queue_unregistered_while_disconnected_is_not_registered_again() {
    let mut h = Harness::new(config());
    h.connect_and_signin();
    let (sub, _) = h.register_queue("gone");
    h.pump();
    h.answer_register("gone");
    h.close("drop");
    let r = h.s.unsubscribe(h.now, sub, &Call::default());
    h.pump();
    assert!(h.reply_result(r).is_ok());
    let before = h.sent.len();
    h.reopen();
    h.answer_signin();
    assert!(
        !h.sent[before..]
            .iter()
            .any(|e| e.command == "registerqueue"),
        "not registered again"
    );
    assert_eq!(h.s.table_sizes().2, 0);
}
