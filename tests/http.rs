//! Deterministic tests of the session over the HTTP transport (`POST /api/v2`): a fake clock, and
//! a scripted server that reads each post's JSON body and bearer token and answers like OpenFlow
//! (`../shared/openiap-protocol.md` §10.2). No sockets, no fetch, no sleeps.
#![cfg(all(not(target_arch = "wasm32"), feature = "http"))]

use openiap_wasm::pb::google::protobuf::Any;
use openiap_wasm::pb::*;
use openiap_wasm::protocol::envelope::to_any;
use openiap_wasm::protocol::error::{Error, ErrorKind};
use openiap_wasm::protocol::session::{
    Call, ClientEvent, Config, Output, RequestId, Session, SocketId, State, SubscriptionKind,
};
use prost::Message;

/// The fake clock starts here (milliseconds since the epoch: JWT expiry is wall-clock time).
const T0: u64 = 1_700_000_000_000;

/// One post the session asked the shell to make.
#[derive(Debug, Clone)]
struct Post {
    socket: SocketId,
    id: String,
    body: serde_json::Value,
    bearer: String,
}

impl Post {
    fn command(&self) -> &str {
        self.body["command"].as_str().unwrap()
    }
    /// The request message, from the body's Buffer JSON.
    fn request<M: Message + Default>(&self) -> M {
        assert_eq!(self.body["data"]["type"], "Buffer", "{}", self.body);
        let bytes: Vec<u8> = self.body["data"]["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b.as_u64().unwrap() as u8)
            .collect();
        M::decode(bytes.as_slice()).unwrap()
    }
}

struct Harness {
    s: Session,
    now: u64,
    posts: Vec<Post>,
    closed: Vec<SocketId>,
    events: Vec<ClientEvent>,
    replies: Vec<(RequestId, Result<Envelope, Error>)>,
    connect: Vec<Result<(), Error>>,
    closed_subscriptions: usize,
    /// Tokens the token callback gives, in turn (the last one again when they run out).
    tokens: Vec<String>,
    tokens_asked: usize,
    other: Vec<Output>,
}

/// A JWT-shaped token that expires `exp_ms` after [`T0`].
fn jwt(name: &str, exp_ms: u64) -> String {
    let claims = format!(r#"{{"username":"{name}","exp":{}}}"#, (T0 + exp_ms) / 1000);
    let t = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut b64 = String::new();
    for c in claims.as_bytes().chunks(3) {
        let n = c.iter().fold(0u32, |a, b| a << 8 | *b as u32) << (8 * (3 - c.len()));
        for i in 0..=c.len() {
            b64.push(t[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    format!("eyJhbGciOiJIUzI1NiJ9.{b64}.sig-{name}")
}

fn config(url: &str) -> Config {
    Config {
        url: Some(url.into()),
        ..Default::default()
    }
}

fn with_jwt(token: &str) -> Config {
    Config {
        jwt: Some(token.into()),
        ..config("http://127.0.0.1:3000")
    }
}

impl Harness {
    fn new(config: Config) -> Self {
        Harness {
            s: Session::new(config, 7),
            now: T0,
            posts: vec![],
            closed: vec![],
            events: vec![],
            replies: vec![],
            connect: vec![],
            closed_subscriptions: 0,
            tokens: vec![],
            tokens_asked: 0,
            other: vec![],
        }
    }

    fn pump(&mut self) {
        while let Some(o) = self.s.poll_output() {
            match o {
                Output::Post {
                    socket,
                    envelope: e,
                    bearer,
                } => {
                    // The body src/js/http.js sends; `rid` and `jwt` only if the envelope had them.
                    let mut body = serde_json::json!({
                        "command": e.command, "id": e.id, "traceid": e.traceid, "spanid": e.spanid,
                        "data": {"type": "Buffer", "data": e.data.map(|d| d.value).unwrap_or_default()},
                    });
                    for (key, value) in [("rid", e.rid), ("jwt", e.jwt)] {
                        if !value.is_empty() {
                            body[key] = value.into();
                        }
                    }
                    self.posts.push(Post {
                        socket,
                        id: e.id,
                        body,
                        bearer,
                    })
                }
                Output::CloseSocket { socket } => self.closed.push(socket),
                Output::Event(e) => self.events.push(e),
                Output::Reply { request, result } => self.replies.push((request, result)),
                Output::ConnectDone(r) => self.connect.push(r),
                Output::SubscriptionClosed { .. } => self.closed_subscriptions += 1,
                Output::GetToken { socket } => {
                    let i = self.tokens_asked.min(self.tokens.len() - 1);
                    self.tokens_asked += 1;
                    let (now, token) = (self.now, self.tokens[i].clone());
                    self.s.provide_token(now, socket, Ok(token));
                }
                o => self.other.push(o),
            }
        }
    }

    fn connect(&mut self) {
        let now = self.now;
        self.s.connect(now, None);
        self.pump();
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

    fn request(&mut self, command: &str, data: Any, call: &Call) -> RequestId {
        let r = self.s.request(self.now, command, data, call);
        self.pump();
        r
    }

    fn query(&mut self) -> RequestId {
        let q = QueryRequest {
            collectionname: "entities".into(),
            ..Default::default()
        };
        self.request("query", to_any(&q), &Call::default())
    }

    fn last_post(&self) -> Post {
        self.posts.last().cloned().expect("a post")
    }

    /// Feeds the answer to `post`: its HTTP status and its body read as an envelope.
    fn answer(&mut self, post: &Post, status: u16, reply: Option<Envelope>) {
        let reply = reply.map(|e| (e.command, e.data.unwrap_or_default().value));
        let now = self.now;
        self.s
            .handle_http_reply(now, post.socket, &post.id, status, reply);
        self.pump();
    }

    fn reply<M: Message + prost::Name>(&mut self, post: &Post, command: &str, msg: &M) {
        let env = Envelope {
            command: command.into(),
            rid: post.id.clone(),
            id: "server-id".into(),
            data: Some(to_any(msg)),
            ..Default::default()
        };
        self.answer(post, 200, Some(env));
    }

    fn error(&mut self, post: &Post, message: &str) {
        let e = ErrorResponse {
            message: message.into(),
            code: 0,
            stack: "Error: x\n    at Message.Process (/usr/src/app/dist/Messages/Message.js:1:2)"
                .into(),
        };
        self.reply(post, "error", &e);
    }

    fn answer_query(&mut self, post: &Post) {
        let reply = QueryResponse {
            results: r#"[{"_id":"1"}]"#.into(),
        };
        self.reply(post, "queryreply", &reply);
    }

    fn answer_signin(&mut self, post: &Post, token: &str) {
        let reply = SigninResponse {
            jwt: token.into(),
            user: Some(User {
                username: "bob".into(),
                ..Default::default()
            }),
            config: String::new(),
        };
        self.reply(post, "signinreply", &reply);
    }

    fn result(&self, r: RequestId) -> &Result<Envelope, Error> {
        &self
            .replies
            .iter()
            .find(|(id, _)| *id == r)
            .unwrap_or_else(|| panic!("no reply for {r}"))
            .1
    }

    fn kind(&self, r: RequestId) -> ErrorKind {
        match self.result(r) {
            Err(e) => e.kind,
            Ok(env) => panic!("request {r} succeeded: {env:?}"),
        }
    }

    fn names(&self) -> Vec<&'static str> {
        self.events
            .iter()
            .map(|e| match e {
                ClientEvent::Connecting => "Connecting",
                ClientEvent::Connected => "Connected",
                ClientEvent::Disconnected(_) => "Disconnected",
                ClientEvent::SignedIn => "SignedIn",
                ClientEvent::QueueRenamed { .. } => "QueueRenamed",
                ClientEvent::Error(_) => "Error",
            })
            .collect()
    }

    fn posts_of(&self, command: &str) -> usize {
        self.posts.iter().filter(|p| p.command() == command).count()
    }
}

/// The transient call with a JWT is one post: `connect()` sends nothing and is ready at once,
/// the query carries the token as its bearer, `disconnect()` leaves no timer and no table entry.
#[test]
fn a_transient_call_with_a_jwt_is_one_post() {
    let token = jwt("bob", 300_000);
    let mut h = Harness::new(with_jwt(&token));
    assert!(
        h.s.is_http(),
        "http:// means the HTTP transport before connect() too"
    );
    h.connect();
    assert_eq!(h.connect, [Ok(())]);
    assert!(h.posts.is_empty(), "connect() with a jwt posts nothing");
    assert_eq!(h.s.state(), State::Connected);
    assert_eq!(
        h.s.poll_timeout(),
        None,
        "no heartbeat, no timer while idle"
    );
    assert_eq!(h.s.http_url(), "http://127.0.0.1:3000/api/v2");

    let q = h.query();
    let post = h.last_post();
    assert_eq!(h.posts.len(), 1);
    assert_eq!(
        (post.command(), post.bearer.as_str()),
        ("query", token.as_str())
    );
    assert_eq!(post.body["id"], post.id.as_str());
    assert!(post.body.get("rid").is_none() && post.body.get("jwt").is_none());
    assert_eq!(post.request::<QueryRequest>().collectionname, "entities");
    assert!(
        h.s.awaits(&post.id) && h.s.poll_timeout().is_some(),
        "its timeout runs"
    );
    h.answer_query(&post);
    assert!(h.result(q).is_ok());
    assert!(!h.s.awaits(&post.id));
    assert_eq!(h.names(), ["Connecting", "Connected", "SignedIn"]);
    assert_eq!(
        h.s.state(),
        State::SignedIn,
        "the server accepted the token"
    );

    let now = h.now;
    h.s.disconnect(now);
    h.pump();
    assert_eq!(
        h.closed.len(),
        1,
        "the link ends: the shell aborts its posts"
    );
    assert_eq!(h.names().last(), Some(&"Disconnected"));
    assert_eq!(h.s.poll_timeout(), None);
    assert_eq!(h.s.table_sizes(), (0, 0, 0, 0));
    assert!(h.other.is_empty(), "no socket: {:?}", h.other);
}

/// A password signs in with one post; its JWT is the bearer of every later post.
#[test]
fn a_password_signs_in_with_one_post_and_keeps_the_jwt() {
    let mut h = Harness::new(config("https://bob:secret@app.example.com"));
    h.connect();
    assert!(h.connect.is_empty(), "connect() waits for the sign-in");
    let signin = h.last_post();
    assert_eq!((signin.command(), signin.bearer.as_str()), ("signin", ""));
    let req: SigninRequest = signin.request();
    assert_eq!(
        (req.username.as_str(), req.password.as_str()),
        ("bob", "secret")
    );
    let token = jwt("bob", 300_000);
    h.answer_signin(&signin, &token);
    assert_eq!(h.connect, [Ok(())]);
    assert_eq!(h.names(), ["Connecting", "Connected", "SignedIn"]);
    assert!(h.s.user().is_some());
    h.query();
    assert_eq!(h.last_post().bearer, token);
    assert_eq!(h.s.http_url(), "https://app.example.com/api/v2");
    assert!(
        !h.events.iter().any(|e| matches!(e, ClientEvent::Error(_))),
        "https: no warning"
    );
}

/// Sign-in failures reject `connect()` with the kinds a WebSocket gives, and nothing retries.
#[test]
fn a_refused_or_unreachable_signin_rejects_connect() {
    let mut h = Harness::new(config("http://bob:wrong@127.0.0.1:3000"));
    h.connect();
    let signin = h.last_post();
    h.error(&signin, "Unknown username or password");
    assert_eq!(h.connect.len(), 1);
    let e = h.connect[0].clone().unwrap_err();
    assert_eq!(
        (e.kind, e.message.as_str()),
        (ErrorKind::Signin, "Unknown username or password")
    );
    assert_eq!(h.s.state(), State::Disconnected);
    assert!(!h.s.is_active());

    let mut h = Harness::new(config("http://bob:secret@127.0.0.1:1"));
    h.connect();
    let signin = h.last_post();
    h.answer(&signin, 0, None);
    assert_eq!(
        h.connect[0].clone().unwrap_err().kind,
        ErrorKind::ConnectFailed
    );
    assert_eq!(h.posts.len(), 1, "nothing retries");
    assert_eq!(h.s.poll_timeout(), None);
}

/// `validate: true` checks the JWT at connect() with one signin; without it the first call does,
/// and a refused token rejects that call with kind Signin.
#[test]
fn validate_checks_the_jwt_at_connect_otherwise_the_first_call_does() {
    let token = jwt("bob", 300_000);
    let mut h = Harness::new(Config {
        validate: true,
        ..with_jwt(&token)
    });
    h.connect();
    let signin = h.last_post();
    assert_eq!(signin.request::<SigninRequest>().jwt, token);
    h.error(
        &signin,
        "Discard signin due to invalid or expired jwt for client at 1.2.3.4",
    );
    assert_eq!(h.connect[0].clone().unwrap_err().kind, ErrorKind::Signin);

    let mut h = Harness::new(with_jwt(&token));
    h.connect();
    let q = h.query();
    let post = h.last_post();
    h.error(
        &post,
        "Discard query due to missing jwt, and respond with error, for client at x",
    );
    assert_eq!(h.kind(q), ErrorKind::Signin);
    assert_eq!(
        h.s.state(),
        State::Connected,
        "the credentials were never accepted"
    );
    assert!(!h.names().contains(&"SignedIn"));
    let e = h.result(q).clone().unwrap_err();
    assert!(
        !e.message.contains("/usr/src"),
        "the server's stack stays out: {}",
        e.message
    );
    // Any other error of the server is its own.
    let q = h.query();
    let post = h.last_post();
    h.error(&post, "Unknown collection");
    assert_eq!(h.kind(q), ErrorKind::Server);
    // Once accepted, a refused token is the server's answer to that call, as for a per-call jwt.
    let q = h.query();
    let post = h.last_post();
    h.answer_query(&post);
    assert!(h.result(q).is_ok());
    let q = h.query();
    let post = h.last_post();
    h.error(&post, "Discard query due to missing jwt");
    assert_eq!(h.kind(q), ErrorKind::Server);
}

/// HTTP statuses and unreadable replies become typed errors of the call, never of the client.
#[test]
fn statuses_and_bad_replies_reject_the_call_typed() {
    let mut h = Harness::new(with_jwt(&jwt("bob", 300_000)));
    h.connect();
    for (status, kind) in [
        (429, ErrorKind::RateLimited),
        (500, ErrorKind::Server),
        (0, ErrorKind::ConnectFailed),
        (200, ErrorKind::Protocol),
    ] {
        let q = h.query();
        let post = h.last_post();
        h.answer(&post, status, None);
        assert_eq!(h.kind(q), kind, "HTTP {status}");
    }
    // An envelope whose payload is not the reply message: the shell's decoder says Protocol;
    // the session hands it over as it came.
    let q = h.query();
    let post = h.last_post();
    let junk = Envelope {
        command: "queryreply".into(),
        data: Some(Any {
            type_url: String::new(),
            value: vec![0xff, 0xff],
        }),
        ..Default::default()
    };
    h.answer(&post, 200, Some(junk));
    assert!(h.result(q).is_ok());
    assert_eq!(
        h.s.state(),
        State::SignedIn,
        "a reply came, so the token was accepted"
    );
    assert!(h.s.is_active(), "no failure ends the client");
    assert_eq!(h.s.table_sizes(), (0, 0, 0, 0));
}

/// Queues, exchanges, watches, rpc, uploads and downloads reject at once with NotSupported,
/// naming wss://, and nothing is posted.
#[test]
fn what_cannot_work_over_http_rejects_at_once() {
    let mut h = Harness::new(with_jwt(&jwt("bob", 300_000)));
    h.connect();
    let now = h.now;
    let call = Call::default();
    let mut refused = vec![];
    for kind in [
        SubscriptionKind::Queue("orders".into()),
        SubscriptionKind::Queue(String::new()),
        SubscriptionKind::Exchange(RegisterExchangeRequest {
            exchangename: "x".into(),
            ..Default::default()
        }),
        SubscriptionKind::Watch(WatchRequest::default()),
    ] {
        let (sub, r) = h.s.subscribe(now, kind, true, &call);
        assert_eq!(
            sub, 0,
            "a refused registration is 0: the shell keeps no callback"
        );
        refused.push(r);
    }
    refused.push(h.s.rpc(now, QueueMessageRequest::default(), &call));
    let upload = Call {
        upload: true,
        ..Call::default()
    };
    refused.push(h.s.request(now, "upload", to_any(&UploadRequest::default()), &upload));
    refused.push(h.s.request(now, "download", to_any(&DownloadRequest::default()), &call));
    refused.push(h.s.request(now, "unwatch", to_any(&UnWatchRequest::default()), &call));
    let unregister = to_any(&UnRegisterQueueRequest::default());
    refused.push(h.s.request(now, "unregisterqueue", unregister, &call));
    h.pump();
    for r in refused {
        let e = h.result(r).clone().unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotSupported, "{e:?}");
        assert!(e.message.contains("wss://"), "{}", e.message);
    }
    assert!(h.posts.is_empty());
    assert_eq!(
        h.closed_subscriptions, 0,
        "no registration existed to close"
    );
    assert_eq!(h.s.table_sizes(), (0, 0, 0, 0));
    // queue_message (fire and forget) works.
    let msg = QueueMessageRequest {
        queuename: "orders".into(),
        data: "{}".into(),
        ..Default::default()
    };
    h.request("queuemessage", to_any(&msg), &call);
    assert_eq!(h.posts_of("queuemessage"), 1);
}

/// Per-call settings: the per-call jwt is that post's bearer; traceid and spanid are in its body;
/// the timeout and a cancel stop waiting for the post (the shell then aborts its fetch).
#[test]
fn per_call_identity_timeout_and_cancel() {
    let session = jwt("bob", 300_000);
    let mut h = Harness::new(with_jwt(&session));
    h.connect();
    let call = Call {
        jwt: "other-user".into(),
        traceid: "t1".into(),
        spanid: "s1".into(),
        timeout_ms: Some(100),
        ..Call::default()
    };
    let q = h.request("query", to_any(&QueryRequest::default()), &call);
    let post = h.last_post();
    assert_eq!(post.bearer, "other-user");
    assert_eq!(
        (post.body["traceid"].as_str(), post.body["spanid"].as_str()),
        (Some("t1"), Some("s1"))
    );
    h.advance(100);
    assert_eq!(h.kind(q), ErrorKind::Timeout);
    assert!(!h.s.awaits(&post.id), "timed out: the fetch is aborted");
    h.answer_query(&post);
    assert_eq!(h.replies.len(), 1, "a late answer is dropped");

    let q = h.query();
    let post = h.last_post();
    assert_eq!(post.bearer, session, "the session's token again");
    h.s.cancel(q);
    assert!(!h.s.awaits(&post.id), "cancelled: the fetch is aborted");
    h.answer_query(&post);
    assert!(!h.replies.iter().any(|(r, _)| *r == q));

    let q = h.query();
    let post = h.last_post();
    let now = h.now;
    h.s.disconnect(now);
    h.pump();
    assert_eq!(h.kind(q), ErrorKind::Disconnected);
    h.answer_query(&post);
    assert_eq!(h.replies.iter().filter(|(r, _)| *r == q).count(), 1);
}

/// A JWT from a password sign-in that is about to expire is renewed by signing in again before
/// the request that needs it; the request waits and goes out with the new token.
#[test]
fn an_expiring_jwt_is_renewed_by_signing_in_again() {
    let mut h = Harness::new(config("http://bob:secret@127.0.0.1:3000"));
    h.connect();
    let signin = h.last_post();
    let first = jwt("first", 8_000);
    h.answer_signin(&signin, &first);
    let q = h.query();
    assert_eq!(h.last_post().bearer, first, "valid for 8 s: no renewal yet");
    let post = h.last_post();
    h.answer_query(&post);
    assert!(h.result(q).is_ok());

    h.advance(4_000); // 4 s left: within the renewal margin
    let q = h.query();
    let renew = h.last_post();
    assert_eq!(renew.command(), "signin", "the sign-in goes first");
    assert_eq!(renew.request::<SigninRequest>().password, "secret");
    assert_eq!(h.s.table_sizes().1, 1, "the query waits in the outbox");
    let second = jwt("second", 300_000);
    h.answer_signin(&renew, &second);
    let post = h.last_post();
    assert_eq!(
        (post.command(), post.bearer.as_str()),
        ("query", second.as_str())
    );
    h.answer_query(&post);
    assert!(h.result(q).is_ok());
    assert_eq!(h.posts_of("signin"), 2);
    assert_eq!(h.names().iter().filter(|e| **e == "SignedIn").count(), 1);
    assert!(!h.names().contains(&"Disconnected"));
}

/// A failed renewal fails the requests that waited for it with its error; the client stays.
#[test]
fn a_failed_renewal_fails_the_waiting_requests_only() {
    let mut h = Harness::new(config("http://bob:secret@127.0.0.1:3000"));
    h.connect();
    let signin = h.last_post();
    h.answer_signin(&signin, &jwt("first", 3_000));
    let (a, b) = (h.query(), h.query());
    let renew = h.last_post();
    assert_eq!(
        (renew.command(), h.posts.len()),
        ("signin", 2),
        "one renewal for both"
    );
    h.error(&renew, "Unknown username or password");
    assert_eq!(
        (h.kind(a), h.kind(b)),
        (ErrorKind::Signin, ErrorKind::Signin)
    );
    assert!(h.s.is_active());
    h.query();
    assert_eq!(
        h.last_post().command(),
        "signin",
        "the next request tries again, once"
    );
    let renew = h.last_post();
    h.answer(&renew, 0, None);
    assert_eq!(
        h.replies.last().unwrap().1.clone().unwrap_err().kind,
        ErrorKind::ConnectFailed
    );
}

/// Through the token callback: asked at connect() and again for an expiring token, and a callback
/// that only ever gives expiring tokens costs one renewal per request: never a loop.
#[test]
fn the_token_callback_renews_and_never_loops() {
    let mut h = Harness::new(Config {
        use_token_callback: true,
        ..config("http://127.0.0.1:3000")
    });
    let (short, long) = (jwt("short", 2_000), jwt("long", 300_000));
    h.tokens = vec![short.clone(), long.clone()];
    h.connect();
    assert_eq!((h.tokens_asked, h.connect.len()), (1, 1));
    assert!(h.posts.is_empty());
    h.query();
    assert_eq!(
        h.tokens_asked, 2,
        "the expiring token is renewed before the post"
    );
    assert_eq!(h.last_post().bearer, long);
    h.query();
    assert_eq!(
        (h.tokens_asked, h.last_post().bearer.as_str()),
        (2, long.as_str())
    );

    let mut h = Harness::new(Config {
        use_token_callback: true,
        ..config("http://127.0.0.1:3000")
    });
    h.tokens = vec![short.clone()];
    h.connect();
    for n in 1..=3 {
        h.query();
        assert_eq!(h.posts.len(), n, "each request is posted");
        assert_eq!(h.tokens_asked, 1 + n, "one renewal per request");
    }
    assert_eq!(
        h.last_post().bearer,
        short,
        "the server will say what it thinks of it"
    );
}

/// A static JWT cannot be renewed: it is sent as it is.
#[test]
fn a_static_jwt_is_never_renewed() {
    let token = jwt("bob", 1_000);
    let mut h = Harness::new(with_jwt(&token));
    h.connect();
    h.query();
    h.query();
    assert_eq!(h.posts_of("query"), 2);
    assert_eq!(h.posts_of("signin"), 0);
}

/// The app's own signin() switches the token the posts carry, as it switches a socket's user.
#[test]
fn signin_switches_the_bearer() {
    let mut h = Harness::new(with_jwt(&jwt("bob", 300_000)));
    h.connect();
    let req = SigninRequest {
        username: "alice".into(),
        password: "pw".into(),
        ..Default::default()
    };
    let r = h.request("signin", to_any(&req), &Call::default());
    let post = h.last_post();
    let alice = jwt("alice", 300_000);
    h.answer_signin(&post, &alice);
    assert!(h.result(r).is_ok());
    h.query();
    assert_eq!(h.last_post().bearer, alice);
}

/// Credentials over http:// to another host raise one Error event that names neither the token
/// nor the password; https://, this machine and allow_insecure raise none.
#[test]
fn credentials_over_plain_http_to_another_host_are_warned_about_once() {
    let token = jwt("bob", 300_000);
    let warnings = |config: Config| {
        let mut h = Harness::new(config);
        h.connect();
        if let Some(post) = h.posts.last().cloned() {
            h.answer_signin(&post, &token);
        }
        h.query();
        h.events
            .iter()
            .filter_map(|e| match e {
                ClientEvent::Error(r) => Some(r.clone()),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    let remote = |url: &str| Config {
        jwt: Some(token.clone()),
        ..config(url)
    };
    let warned = warnings(remote("http://app.example.com"));
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(warned[0].contains("unencrypted over http://") && warned[0].contains("https://"));
    assert!(!warned[0].contains(&token));
    let warned = warnings(config("http://bob:secret@app.example.com"));
    assert_eq!(warned.len(), 1);
    assert!(
        !warned[0].contains("secret") && !warned[0].contains("bob"),
        "{}",
        warned[0]
    );
    assert!(warnings(remote("https://app.example.com")).is_empty());
    assert!(warnings(remote("http://localhost:3000")).is_empty());
    assert!(warnings(Config {
        allow_insecure: true,
        ..remote("http://app.example.com")
    })
    .is_empty());
}

/// `framing: "grpc-web"` is WebSocket only, and ws:// URLs keep the WebSocket.
#[test]
fn grpc_web_and_ws_urls_keep_a_websocket() {
    use openiap_wasm::protocol::framing::Framing;
    for config in [
        Config {
            framing: Framing::GrpcWeb,
            ..with_jwt("t")
        },
        Config {
            jwt: Some("t".into()),
            ..config("ws://127.0.0.1:3000")
        },
    ] {
        let mut h = Harness::new(config);
        assert!(!h.s.is_http());
        h.connect();
        assert!(
            matches!(h.other.first(), Some(Output::OpenSocket { url, .. }) if url.starts_with("ws://")),
            "{:?}",
            h.other
        );
        assert!(h.posts.is_empty());
    }
}
