//! `POST /api/v2` as OpenFlow serves it (`../shared/openiap-protocol.md` §10.2): every `data`
//! encoding in, Buffer JSON out, errors as HTTP 200, 500 without CORS for a body that is not JSON,
//! the rate limit, CORS, `ping`, and the same command handlers as `/ws/v2`.

mod common;
use common::*;
use openiap_testserver::TestServer;
use openiap_wasm::pb::{
    ErrorResponse, QueryRequest, QueryResponse, QueueMessageRequest, RegisterQueueRequest,
    SigninRequest, SigninResponse,
};
use prost::Message;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// An HTTP response: status, header lines (lower-cased), body.
struct Resp {
    status: u16,
    head: String,
    body: String,
}

impl Resp {
    fn json(&self) -> Value {
        parse_json(&self.body)
    }
    fn cors(&self) -> bool {
        self.head.contains("access-control-allow-origin: *")
    }
}

/// Sends `method /api/v2` with `headers` (`Name: value\r\n` lines) and `body` to the server.
async fn send(s: &TestServer, method: &str, headers: &str, body: &str) -> Resp {
    let addr = s.ws_addr.to_string();
    let mut t = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let req = format!(
        "{method} /api/v2 HTTP/1.1\r\nHost: {addr}\r\n{headers}Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    t.write_all(req.as_bytes()).await.unwrap();
    let mut resp = Vec::new();
    t.read_to_end(&mut resp).await.unwrap();
    let text = String::from_utf8_lossy(&resp).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    Resp {
        status: head[9..12].parse().unwrap(),
        head: head.to_ascii_lowercase(),
        body: body.to_string(),
    }
}

/// POSTs the envelope `env` as JSON, with `jwt` as bearer when not empty.
async fn post(s: &TestServer, jwt: &str, env: Value) -> Resp {
    let auth = if jwt.is_empty() {
        String::new()
    } else {
        format!("Authorization: Bearer {jwt}\r\n")
    };
    let headers = format!("Content-Type: application/json\r\n{auth}");
    send(s, "POST", &headers, &env.to_string()).await
}

/// Buffer JSON of `m`.
fn buffer<M: Message>(m: &M) -> Value {
    json!({"type": "Buffer", "data": m.encode_to_vec()})
}

/// The reply message of a 200 reply, from its Buffer JSON.
fn reply<M: Message + Default>(r: &Resp) -> M {
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(v["data"]["value"]["type"], "Buffer", "{v}");
    let bytes: Vec<u8> = v["data"]["value"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_u64().unwrap() as u8)
        .collect();
    M::decode(bytes.as_slice()).unwrap()
}

async fn jwt(s: &TestServer) -> String {
    s.jwt("testuser", 60_000)
}

#[tokio::test]
async fn every_data_encoding_gives_the_same_reply() {
    let s = server(|_| {}).await;
    let token = jwt(&s).await;
    let item = json!({"collectionname": "api_enc", "item": "{\"n\":1}"}).to_string();
    let r = post(
        &s,
        &token,
        json!({"command": "insertone", "id": "i1", "data": item}),
    )
    .await;
    assert_eq!(
        (r.status, r.json()["command"].as_str()),
        (200, Some("insertonereply")),
        "{}",
        r.body
    );
    let q = QueryRequest {
        collectionname: "api_enc".into(),
        query: "{}".into(),
        ..Default::default()
    };
    let any = json!({"type_url": "type.googleapis.com/openiap.QueryRequest", "value": buffer(&q)});
    let text = json!({"collectionname": "api_enc", "query": "{}"}).to_string();
    let mut results = vec![];
    for (id, data) in [("a", any), ("b", buffer(&q)), ("c", Value::String(text))] {
        let r = post(
            &s,
            &token,
            json!({"command": "query", "id": id, "data": data}),
        )
        .await;
        let v = r.json();
        assert_eq!(
            (v["command"].as_str(), v["rid"].as_str()),
            (Some("queryreply"), Some(id))
        );
        assert!(
            v["id"].as_str().is_some_and(|i| !i.is_empty()),
            "a server id: {v}"
        );
        assert!(r.cors(), "{}", r.head);
        let docs: Value = parse_json(&reply::<QueryResponse>(&r).results);
        results.push(docs[0]["n"].clone());
    }
    assert_eq!(results, [json!(1), json!(1), json!(1)]);
    // The envelope's jwt works as the bearer does.
    let r = post(
        &s,
        "",
        json!({"command": "query", "id": "d", "jwt": token, "data": buffer(&q)}),
    )
    .await;
    assert_eq!(r.json()["command"], "queryreply");
    // A plain JSON object is refused, as by OpenFlow.
    let r = post(
        &s,
        &token,
        json!({"command": "query", "id": "e", "data": {"collectionname": "x"}}),
    )
    .await;
    let e: ErrorResponse = reply(&r);
    assert_eq!(e.message, "Failed decoding openiap.query : illegal buffer");
}

#[tokio::test]
async fn errors_are_http_200_with_an_error_envelope_and_a_stack() {
    let s = server(|_| {}).await;
    let q = QueryRequest {
        collectionname: "x".into(),
        ..Default::default()
    };
    let r = post(
        &s,
        "",
        json!({"command": "query", "id": "n1", "data": buffer(&q)}),
    )
    .await;
    assert_eq!(
        (r.status, r.json()["command"].as_str()),
        (200, Some("error"))
    );
    assert!(r.cors());
    let e: ErrorResponse = reply(&r);
    assert_eq!(e.message, "Not signed in, and missing jwt");
    assert!(
        e.stack.contains("/usr/src/app/"),
        "OpenFlow's stacks name its paths: {}",
        e.stack
    );
    let r = post(
        &s,
        "not.a.jwt",
        json!({"command": "query", "id": "n2", "data": buffer(&q)}),
    )
    .await;
    let e: ErrorResponse = reply(&r);
    assert!(
        e.message.starts_with("Discard query due to missing jwt"),
        "{}",
        e.message
    );
    // With rid set, an error comes back as {}.
    let r = post(
        &s,
        "",
        json!({"command": "query", "id": "n3", "rid": "x", "data": buffer(&q)}),
    )
    .await;
    assert_eq!((r.status, r.body.as_str()), (200, "{}"));
    // An unknown command, as over /ws/v2.
    let r = post(&s, &jwt(&s).await, json!({"command": "nosuch", "id": "n4"})).await;
    assert_eq!(
        reply::<ErrorResponse>(&r).message,
        "no such type: openiap.nosuch"
    );
}

#[tokio::test]
async fn a_body_that_is_not_json_gets_500_without_cors() {
    let s = server(|_| {}).await;
    let r = send(&s, "POST", "Content-Type: application/json\r\n", "hello").await;
    assert_eq!(r.status, 500);
    assert!(!r.head.contains("access-control"), "{}", r.head);
    // Another content type leaves the body unread: an envelope without a command.
    let r = send(
        &s,
        "POST",
        "Content-Type: text/plain\r\n",
        r#"{"command":"query"}"#,
    )
    .await;
    assert_eq!(reply::<ErrorResponse>(&r).message, "no such type: openiap.");
}

#[tokio::test]
async fn ping_and_the_preflight() {
    let s = server(|_| {}).await;
    let r = post(&s, "", json!({"command": "ping", "id": "p"})).await;
    assert_eq!(
        (r.status, r.body.as_str()),
        (200, "IsPendingReply took your payload")
    );
    assert!(r.head.contains("content-type: text/html"));
    let r = send(
        &s,
        "OPTIONS",
        "Origin: http://page.test\r\nAccess-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: authorization, content-type\r\n",
        "",
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(r.cors(), "{}", r.head);
    let allowed = r
        .head
        .lines()
        .find(|l| l.starts_with("access-control-allow-headers:"))
        .unwrap();
    assert!(
        allowed.contains("authorization") && allowed.contains("content-type"),
        "{allowed}"
    );
}

#[tokio::test]
async fn twenty_requests_per_second_per_ip_then_429_without_cors() {
    let s = server(|_| {}).await;
    let token = jwt(&s).await;
    let q = QueryRequest {
        collectionname: "x".into(),
        ..Default::default()
    };
    let body = json!({"command": "query", "id": "r", "data": buffer(&q)}).to_string();
    let headers = format!("Content-Type: application/json\r\nAuthorization: Bearer {token}\r\n");
    let all =
        futures_util::future::join_all((0..25).map(|_| send(&s, "POST", &headers, &body))).await;
    let ok = all.iter().filter(|r| r.status == 200).count();
    let limited: Vec<_> = all.iter().filter(|r| r.status == 429).collect();
    assert_eq!((ok, limited.len()), (20, 5));
    assert_eq!(limited[0].json(), json!({"response": "RATE_LIMIT"}));
    assert!(
        !limited[0].head.contains("access-control"),
        "the limiter runs before CORS"
    );
    // Another remote IP (X-Forwarded-For, as OpenFlow reads it) has its own budget.
    let other = format!("{headers}X-Forwarded-For: 10.1.2.3\r\n");
    assert_eq!(send(&s, "POST", &other, &body).await.status, 200);
    // After a second, the window is new.
    tokio::time::sleep(std::time::Duration::from_millis(1_050)).await;
    assert_eq!(send(&s, "POST", &headers, &body).await.status, 200);
    // The control port changes the limit (0: none).
    control(&s, "/api-rate-limit?n=0").await;
    let all =
        futures_util::future::join_all((0..30).map(|_| send(&s, "POST", &headers, &body))).await;
    assert!(all.iter().all(|r| r.status == 200));
    control(&s, "/api-rate-limit?n=2").await;
    let codes: Vec<u16> =
        futures_util::future::join_all((0..3).map(|_| send(&s, "POST", &headers, &body)))
            .await
            .iter()
            .map(|r| r.status)
            .collect();
    assert_eq!(codes.iter().filter(|c| **c == 429).count(), 1, "{codes:?}");
}

#[tokio::test]
async fn the_command_handlers_are_those_of_ws() {
    let s = server(|c| c.api_rate_limit = 0).await;
    // A password sign-in returns a token the next posts carry.
    let signin = SigninRequest {
        username: "testuser".into(),
        password: "testpass".into(),
        ..Default::default()
    };
    let r = post(
        &s,
        "",
        json!({"command": "signin", "id": "s", "data": buffer(&signin)}),
    )
    .await;
    let token = reply::<SigninResponse>(&r).jwt;
    assert!(!token.is_empty());
    // A queue message posted over HTTP reaches a consumer on a WebSocket.
    let mut ws = Raw::connect(&s).await;
    ws.signin_ok().await;
    let reg = RegisterQueueRequest {
        queuename: "api.q".into(),
    };
    ws.request(
        "registerqueue",
        Some(openiap_wasm::protocol::envelope::to_any(&reg)),
    )
    .await;
    let msg = QueueMessageRequest {
        queuename: "api.q".into(),
        data: "{\"from\":\"http\"}".into(),
        ..Default::default()
    };
    let r = post(
        &s,
        &token,
        json!({"command": "queuemessage", "id": "m", "data": buffer(&msg)}),
    )
    .await;
    assert_eq!(r.json()["command"], "queuemessagereply");
    let ev = ws.expect(2_000).await;
    assert_eq!(ev.command, "queueevent");
    // A queue registered over HTTP ends with its request: no consumer stays.
    let reg = RegisterQueueRequest {
        queuename: "api.gone".into(),
    };
    let r = post(
        &s,
        &token,
        json!({"command": "registerqueue", "id": "g", "data": buffer(&reg)}),
    )
    .await;
    assert_eq!(r.json()["command"], "registerqueuereply");
    let stats = parse_json(&control(&s, "/stats").await);
    assert_eq!(
        stats["queues"]["api.gone"]["consumers"]
            .as_u64()
            .unwrap_or(0),
        0,
        "the throw-away connection took its consumer along: {stats}"
    );
    assert_eq!(stats["queues"]["api.q"]["consumers"], 1, "{stats}");
    assert_eq!(stats["connections"], 1, "only the WebSocket: {stats}");
    // Both transports log what they received.
    let log = parse_json(&control(&s, "/log?command=queuemessage").await);
    assert_eq!(log[0]["has_jwt"], true);
}

#[tokio::test]
async fn api_garbage_makes_the_next_replies_malformed() {
    let s = server(|_| {}).await;
    let token = jwt(&s).await;
    let q = QueryRequest {
        collectionname: "x".into(),
        ..Default::default()
    };
    let env = json!({"command": "query", "id": "g", "data": buffer(&q)});
    control(&s, "/api-garbage?kind=notjson").await;
    let r = post(&s, &token, env.clone()).await;
    assert!(
        r.status == 200 && serde_json::from_str::<Value>(&r.body).is_err(),
        "{}",
        r.body
    );
    control(&s, "/api-garbage?kind=truncated").await;
    let r = post(&s, &token, env.clone()).await;
    assert!(
        r.status == 200
            && r.body.starts_with("{\"")
            && serde_json::from_str::<Value>(&r.body).is_err()
    );
    control(&s, "/api-garbage?kind=notenvelope").await;
    assert_eq!(
        post(&s, &token, env.clone()).await.json(),
        json!({"hello": "world"})
    );
    control(&s, "/api-garbage?kind=500").await;
    let r = post(&s, &token, env.clone()).await;
    assert!(r.status == 500 && !r.cors());
    control(&s, "/api-garbage?kind=cut").await;
    let r = post(&s, &token, env.clone()).await;
    let announced: usize = r
        .head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(r.body.len() < announced, "the body stops early");
    assert_eq!(
        post(&s, &token, env).await.json()["command"],
        "queryreply",
        "then normal again"
    );
}
