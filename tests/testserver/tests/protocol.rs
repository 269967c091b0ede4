//! OpenFlow behaviour of the test server, seen by a plain WebSocket client.

mod common;
use common::*;
use openiap_wasm::pb::*;
use openiap_wasm::protocol::envelope::{decode, to_any};
use openiap_wasm::protocol::framing::{grpc_web, openiap as frame};

#[tokio::test]
async fn plain_http_answers_and_first_envelope_is_a_two_message_ping() {
    let s = server(|_| {}).await;
    let base = format!("http://{}", s.ws_addr);
    assert_eq!(
        http(&base, "GET", "/").await,
        (200, "openiap-testserver".to_string())
    );
    let (st, body) = http(&base, "GET", "/config").await;
    assert_eq!(st, 200);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["amqp_enabled_exchange"], true);
    assert!(s
        .listening_line()
        .starts_with("LISTENING ws=ws://127.0.0.1:"));
    assert!(s.listening_line().contains(" control=http://127.0.0.1:"));

    let mut c = Raw::connect(&s).await;
    // As OpenFlow: the length prefix and the envelope arrive as two WebSocket messages.
    let len = c.raw_message(1000).await.unwrap();
    assert_eq!(len.len(), 4);
    let body = c.raw_message(1000).await.unwrap();
    assert_eq!(
        u32::from_le_bytes(len[..4].try_into().unwrap()) as usize,
        body.len()
    );
    let mut d = frame::Deframer::default();
    d.push(&len);
    d.push(&body);
    let ping = d.next_envelope().unwrap().unwrap();
    assert_eq!((ping.command.as_str(), ping.seq), ("ping", 0));
    assert_eq!(ping.id.len(), 9);
}

#[tokio::test]
async fn getelement_works_before_signin_and_other_commands_do_not() {
    let s = server(|_| {}).await;
    let mut c = Raw::connect(&s).await;
    let r = c
        .request(
            "getelement",
            Some(to_any(&GetElementRequest { xpath: "x".into() })),
        )
        .await;
    assert_eq!(r.command, "getelement");
    assert_eq!(decode::<GetElementResponse>(&r).unwrap().xpath, "x");
    let r = c
        .request(
            "registerqueue",
            Some(to_any(&RegisterQueueRequest::default())),
        )
        .await;
    assert_eq!(error_text(&r), "Not signed in, and missing jwt");
    let r = c.request("frobnicate", None).await;
    // What OpenFlow answers on /ws/v2: its protobuf lookup of the command's type fails.
    assert_eq!(error_text(&r), "no such type: openiap.frobnicate");
    // Client pings get no reply on /ws/v2.
    c.send("ping", Some(to_any(&PingRequest {}))).await;
    let r = c.request("getelement", None).await;
    assert_eq!(r.command, "getelement");
    assert_eq!(s.log(Some("ping")).len(), 1);
}

#[tokio::test]
async fn signin_with_password_and_jwt_and_errors() {
    let s = server(|c| {
        c.users = vec![("alice".into(), "pw".into())];
        c.jwts = vec![("static.jwt.token".into(), "bob".into())];
    })
    .await;
    let mut c = Raw::connect(&s).await;
    assert_eq!(
        error_text(&c.signin("alice", "wrong").await),
        "Unknown username or password"
    );
    assert_eq!(
        error_text(&c.signin("nobody", "pw").await),
        "Unknown username or password"
    );
    let r = c.signin("alice", "pw").await;
    assert_eq!(r.command, "signinreply");
    let resp: SigninResponse = decode(&r).unwrap();
    let user = resp.user.unwrap();
    assert_eq!(
        (user.name.as_str(), user.username.as_str(), user.id.len()),
        ("alice", "alice", 24)
    );
    assert_eq!(resp.jwt.split('.').count(), 3);

    let mut c2 = Raw::connect(&s).await;
    let jwt_signin = |jwt: &str| SigninRequest {
        jwt: jwt.into(),
        ..Default::default()
    };
    let r = c2
        .request("signin", Some(to_any(&jwt_signin(&resp.jwt))))
        .await;
    assert_eq!(
        decode::<SigninResponse>(&r).unwrap().user.unwrap().username,
        "alice"
    );
    let r = c2
        .request("signin", Some(to_any(&jwt_signin("static.jwt.token"))))
        .await;
    assert_eq!(
        decode::<SigninResponse>(&r).unwrap().user.unwrap().username,
        "bob"
    );
    // OpenFlow's text for a bad token at sign-in names the client: IP, agent (from the first
    // sign-in, "unknown" if it named none) and version ("undefined" if none).
    let bad =
        "Discard signin due to invalid or expired jwt for client at 127.0.0.1 unknown undefined";
    assert_eq!(
        error_text(
            &c2.request("signin", Some(to_any(&jwt_signin("nope"))))
                .await
        ),
        bad
    );
    assert_eq!(
        error_text(
            &c2.request("signin", Some(to_any(&jwt_signin("a.b.c"))))
                .await
        ),
        bad
    );
    assert_eq!(s.stats()["signins"], 3);

    // validateonly does not change the session.
    let mut c3 = Raw::connect(&s).await;
    let req = SigninRequest {
        username: "alice".into(),
        password: "pw".into(),
        validateonly: true,
        ..Default::default()
    };
    assert_eq!(
        c3.request("signin", Some(to_any(&req))).await.command,
        "signinreply"
    );
    let r = c3
        .request(
            "registerqueue",
            Some(to_any(&RegisterQueueRequest::default())),
        )
        .await;
    assert_eq!(error_text(&r), "Not signed in, and missing jwt");
    // ...but an Envelope.jwt authorises one command.
    let env = Envelope {
        command: "registerqueue".into(),
        id: "withjwt".into(),
        jwt: resp.jwt.clone(),
        data: Some(to_any(&RegisterQueueRequest::default())),
        ..Default::default()
    };
    c3.send_env(env).await;
    assert_eq!(
        c3.reply_to("withjwt", 2000).await.command,
        "registerqueuereply"
    );
}

#[tokio::test]
async fn expired_tokens_are_refused_and_refreshtoken_comes_before_expiry() {
    let s = server(|c| c.token_lifetime_ms = 400).await;
    let mut c = Raw::connect(&s).await;
    let jwt = c.signin_ok().await.jwt;
    let t0 = std::time::Instant::now();
    let r = c.expect(1000).await;
    assert_eq!(r.command, "refreshtoken");
    let el = t0.elapsed().as_millis();
    assert!(
        (100..400).contains(&el),
        "refreshtoken at half-life, got {el} ms"
    );
    let rt: RefreshToken = decode(&r).unwrap();
    assert_eq!(rt.username, "testuser");
    assert_ne!(rt.jwt, jwt);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let mut c2 = Raw::connect(&s).await;
    let req = SigninRequest {
        jwt,
        agent: "rawtest".into(),
        version: "1.2.3".into(),
        ..Default::default()
    };
    assert_eq!(
        error_text(&c2.request("signin", Some(to_any(&req))).await),
        "Discard signin due to invalid or expired jwt for client at 127.0.0.1 rawtest 1.2.3"
    );
}

fn qm(queue: &str, data: &str) -> QueueMessageRequest {
    QueueMessageRequest {
        queuename: queue.into(),
        data: data.into(),
        ..Default::default()
    }
}

async fn register(c: &mut Raw, name: &str) -> String {
    let r = c
        .request(
            "registerqueue",
            Some(to_any(&RegisterQueueRequest {
                queuename: name.into(),
            })),
        )
        .await;
    assert_eq!(r.command, "registerqueuereply", "{}", error_text(&r));
    decode::<RegisterQueueResponse>(&r).unwrap().queuename
}

async fn next_event(c: &mut Raw) -> QueueEvent {
    let e = c.expect(2000).await;
    assert_eq!(e.command, "queueevent", "{}", error_text(&e));
    decode(&e).unwrap()
}

#[tokio::test]
async fn queue_messages_are_delivered_with_token_keys_and_replies_go_to_replyto() {
    let s = server(|_| {}).await;
    let mut a = Raw::connect(&s).await;
    let mut b = Raw::connect(&s).await;
    let jwt_b = {
        a.signin_ok().await;
        b.signin_ok().await.jwt
    };
    assert_eq!(register(&mut a, "Work.Queue").await, "work.queue");
    let reply_q = register(&mut b, "").await;
    assert!(
        reply_q.starts_with("unknown.") && reply_q.len() > 10,
        "{reply_q}"
    );

    let mut msg = qm("WORK.queue", r#"{"x":1,"traceId":"t"}"#);
    msg.replyto = reply_q.clone();
    msg.correlation_id = "corr".into();
    let r = b.request("queuemessage", Some(to_any(&msg))).await;
    assert_eq!(r.command, "queuemessagereply");
    let resp: QueueMessageResponse = decode(&r).unwrap();
    assert_eq!(
        (resp.queuename.as_str(), resp.correlation_id.as_str()),
        ("work.queue", "corr")
    );

    let ev = next_event(&mut a).await;
    assert_eq!(
        (
            ev.queuename.as_str(),
            ev.replyto.as_str(),
            ev.correlation_id.as_str()
        ),
        ("work.queue", reply_q.as_str(), "corr")
    );
    let data: serde_json::Value = serde_json::from_str(&ev.data).unwrap();
    assert_eq!(data["x"], 1);
    assert_eq!(data["__jwt"], jwt_b.as_str());
    assert_eq!(data["__user"]["username"], "testuser");
    assert!(data.get("traceId").is_none());

    let mut answer = qm(&ev.replyto, r#"["an answer"]"#);
    answer.correlation_id = ev.correlation_id.clone();
    answer.striptoken = true;
    assert_eq!(
        a.request("queuemessage", Some(to_any(&answer)))
            .await
            .command,
        "queuemessagereply"
    );
    let ev = next_event(&mut b).await;
    assert_eq!(
        (
            ev.queuename.as_str(),
            ev.data.as_str(),
            ev.correlation_id.as_str()
        ),
        (reply_q.as_str(), r#"["an answer"]"#, "corr")
    );

    // striptoken keeps the JSON free of token keys.
    let mut m = qm("work.queue", r#"{"y":2}"#);
    m.striptoken = true;
    b.request("queuemessage", Some(to_any(&m))).await;
    assert_eq!(next_event(&mut a).await.data, r#"{"y":2}"#);

    // The temporary queue dies with its socket.
    assert_eq!(s.stats()["queues"][&reply_q]["consumers"], 1);
    drop(b);
    for _ in 0..50 {
        if s.stats()["queues"].get(&reply_q).is_none() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(s.stats()["queues"].get(&reply_q).is_none());
}

#[tokio::test]
async fn named_queue_rules_pending_expiration_round_robin_and_unregister() {
    let s = server(|c| c.pending_limit = 3).await;
    let mut a = Raw::connect(&s).await;
    let mut b = Raw::connect(&s).await;
    a.signin_ok().await;
    b.signin_ok().await;
    let r = a
        .request(
            "registerqueue",
            Some(to_any(&RegisterQueueRequest {
                queuename: "OpenFlow".into(),
            })),
        )
        .await;
    assert_eq!(error_text(&r), "Access denied");

    // No consumer yet: messages wait (bounded to 3, oldest dropped); one expires.
    let mut short = qm("later", r#"["expires"]"#);
    short.expiration = 50;
    b.request("queuemessage", Some(to_any(&short))).await;
    for i in 0..4 {
        b.request("queuemessage", Some(to_any(&qm("later", &format!("{i}")))))
            .await;
    }
    assert_eq!(s.stats()["queues"]["later"]["pending"], 3);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    register(&mut a, "later").await;
    let got: Vec<String> = [
        next_event(&mut a).await,
        next_event(&mut a).await,
        next_event(&mut a).await,
    ]
    .into_iter()
    .map(|e| e.data)
    .collect();
    assert_eq!(got, ["1", "2", "3"]);

    // Registering twice on one socket keeps one consumer; two sockets share round-robin.
    register(&mut a, "later").await;
    register(&mut b, "later").await;
    assert_eq!(s.stats()["queues"]["later"]["consumers"], 2);
    let mut c = Raw::connect(&s).await;
    c.signin_ok().await;
    for i in 0..4 {
        c.request(
            "queuemessage",
            Some(to_any(&qm("later", &format!("{}", 10 + i)))),
        )
        .await;
    }
    let (ea, eb) = (next_event(&mut a).await, next_event(&mut b).await);
    let (ea2, eb2) = (next_event(&mut a).await, next_event(&mut b).await);
    let mut all = vec![ea.data, eb.data, ea2.data, eb2.data];
    all.sort();
    assert_eq!(all, ["10", "11", "12", "13"]);

    let r = a
        .request(
            "unregisterqueue",
            Some(to_any(&UnRegisterQueueRequest {
                queuename: "later".into(),
            })),
        )
        .await;
    assert_eq!(r.command, "unregisterqueuereply");
    assert_eq!(s.stats()["queues"]["later"]["consumers"], 1);
}

/// OpenFlow accepts queue data it cannot carry and never delivers it (§10.1): a bare string, the
/// JSON text of a string, `null`, nothing. Numbers, booleans, objects and arrays arrive.
#[tokio::test]
async fn queue_data_openflow_cannot_parse_is_accepted_and_never_delivered() {
    let s = server(|_| {}).await;
    let mut a = Raw::connect(&s).await;
    let mut b = Raw::connect(&s).await;
    a.signin_ok().await;
    b.signin_ok().await;
    let q = register(&mut a, "").await;
    for lost in ["hi", r#""quoted""#, "null", ""] {
        let mut m = qm(&q, lost);
        m.striptoken = true;
        let r = b.request("queuemessage", Some(to_any(&m))).await;
        assert_eq!(r.command, "queuemessagereply", "{lost:?} is accepted");
    }
    for sent in ["7", "false", r#"{"k":1}"#, "[1]"] {
        let mut m = qm(&q, sent);
        m.striptoken = true;
        b.request("queuemessage", Some(to_any(&m))).await;
        assert_eq!(next_event(&mut a).await.data, sent);
    }
    assert!(matches!(a.next(200).await, Read::Timeout));
    assert_eq!(s.stats()["poisoned"], 4);
}

async fn exchange(c: &mut Raw, name: &str, algorithm: &str, key: &str) -> String {
    let req = RegisterExchangeRequest {
        exchangename: name.into(),
        algorithm: algorithm.into(),
        routingkey: key.into(),
        addqueue: true,
    };
    let r = c.request("registerexchange", Some(to_any(&req))).await;
    assert_eq!(r.command, "registerexchangereply", "{}", error_text(&r));
    decode::<RegisterExchangeResponse>(&r).unwrap().queuename
}

#[tokio::test]
async fn exchanges_fanout_direct_and_topic() {
    let s = server(|_| {}).await;
    let mut a = Raw::connect(&s).await;
    let mut b = Raw::connect(&s).await;
    let mut p = Raw::connect(&s).await;
    for c in [&mut a, &mut b, &mut p] {
        c.signin_ok().await;
    }
    let qa = exchange(&mut a, "fan", "fanout", "").await;
    let qb = exchange(&mut b, "fan", "fanout", "").await;
    let send = |ex: &str, key: &str, data: &str| QueueMessageRequest {
        exchangename: ex.into(),
        routingkey: key.into(),
        data: data.into(),
        ..Default::default()
    };
    p.request(
        "queuemessage",
        Some(to_any(&send("fan", "", r#"["hello"]"#))),
    )
    .await;
    let ea = next_event(&mut a).await;
    let eb = next_event(&mut b).await;
    assert_eq!(
        (
            ea.queuename.as_str(),
            ea.exchangename.as_str(),
            ea.data.as_str()
        ),
        (qa.as_str(), "fan", r#"["hello"]"#)
    );
    assert_eq!(eb.queuename, qb);

    exchange(&mut a, "dir", "direct", "red").await;
    exchange(&mut b, "dir", "direct", "blue").await;
    p.request("queuemessage", Some(to_any(&send("dir", "blue", "1"))))
        .await;
    assert_eq!(next_event(&mut b).await.data, "1");

    exchange(&mut a, "top", "topic", "orders.*.eu").await;
    exchange(&mut b, "top", "topic", "orders.#").await;
    p.request(
        "queuemessage",
        Some(to_any(&send("top", "orders.new.eu", "2"))),
    )
    .await;
    p.request(
        "queuemessage",
        Some(to_any(&send("top", "orders.new.us", "3"))),
    )
    .await;
    assert_eq!(next_event(&mut a).await.data, "2");
    assert_eq!(next_event(&mut b).await.data, "2");
    assert_eq!(next_event(&mut b).await.data, "3");
    assert!(matches!(a.next(200).await, Read::Timeout));
}

#[tokio::test]
async fn rate_limit_answers_with_openflow_wording() {
    let s = server(|c| c.rate_limit = 5).await;
    let mut c = Raw::connect(&s).await;
    let mut ids = vec![];
    for _ in 0..7 {
        ids.push(c.send("getelement", None).await);
    }
    let mut errors = vec![];
    for id in &ids {
        let r = c.reply_to(id, 2000).await;
        if r.command == "error" {
            errors.push(error_text(&r));
        }
    }
    assert_eq!(
        errors,
        [
            "Rate limit exceeded consumedPoints: 6",
            "Rate limit exceeded consumedPoints: 7"
        ]
    );
}

#[tokio::test]
async fn pings_come_every_interval_and_silent_sockets_are_closed() {
    let s = server(|c| {
        c.ping_interval_ms = 100;
        c.idle_timeout_ms = 400;
    })
    .await;
    let mut c = Raw::connect(&s).await;
    let mut pings = 0;
    let t0 = std::time::Instant::now();
    while t0.elapsed().as_millis() < 330 {
        if let Read::Env(e) = c.read(50).await {
            assert_eq!(e.command, "ping");
            pings += 1;
        }
    }
    assert!((3..=6).contains(&pings), "{pings} pings in 330 ms");
    assert!(c.closes_within(500).await);
    let closes = s.stats()["closes"].to_string();
    assert!(closes.contains("no message for 400 ms"), "{closes}");

    // Answering pings keeps the socket open; ping=false sign-in turns pings off.
    let mut k = Raw::connect(&s).await;
    let t0 = std::time::Instant::now();
    while t0.elapsed().as_millis() < 700 {
        if let Read::Env(e) = k.read(50).await {
            k.send_env(Envelope {
                command: "pong".into(),
                rid: e.id,
                ..Default::default()
            })
            .await;
        }
    }
    assert!(!k.closed);
    let req = SigninRequest {
        username: "testuser".into(),
        password: "testpass".into(),
        ping: false,
        ..Default::default()
    };
    k.request("signin", Some(to_any(&req))).await;
    assert!(matches!(k.read(600).await, Read::Timeout));
    assert!(!k.closed);
}

#[tokio::test]
async fn grpc_web_over_websocket_on_the_method_path() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::Message;
    let s = server(|_| {}).await;
    let mut req = format!("{}{}", s.ws_url(), grpc_web::METHOD_PATH)
        .into_client_request()
        .unwrap();
    req.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        grpc_web::SUBPROTOCOL.parse().unwrap(),
    );
    let (mut ws, resp) = tokio_tungstenite::connect_async(req).await.unwrap();
    assert_eq!(
        resp.headers()["sec-websocket-protocol"],
        grpc_web::SUBPROTOCOL
    );
    ws.send(Message::Binary(grpc_web::request_headers().into()))
        .await
        .unwrap();
    let ge = Envelope {
        command: "getelement".into(),
        id: "g1".into(),
        ..Default::default()
    };
    ws.send(Message::Binary(grpc_web::encode_client_message(&ge).into()))
        .await
        .unwrap();
    let mut d = grpc_web::Deframer::default();
    let mut got = vec![];
    while !got.iter().any(|e: &Envelope| e.rid == "g1") {
        let Some(Ok(Message::Binary(b))) = ws.next().await else {
            panic!("closed")
        };
        d.push(&b);
        while let Some(e) = d.next_envelope().unwrap() {
            got.push(e);
        }
    }
    assert_eq!(got[0].command, "ping");
    assert_eq!(got.last().unwrap().command, "getelement");
    // Bad seq closes with an error trailer.
    let bad = Envelope {
        command: "getelement".into(),
        id: "g2".into(),
        seq: 0,
        ..Default::default()
    };
    ws.send(Message::Binary(
        grpc_web::encode_client_message(&bad).into(),
    ))
    .await
    .unwrap();
    let err = loop {
        let Some(Ok(Message::Binary(b))) = ws.next().await else {
            panic!("closed without trailer")
        };
        d.push(&b);
        match d.next_envelope() {
            Ok(_) => continue,
            Err(e) => break e,
        }
    };
    assert!(err.to_string().contains("lower than the expected"), "{err}");
}

#[tokio::test]
async fn only_the_exact_paths_upgrade() {
    let s = server(|_| {}).await;
    for p in [
        "/ws",
        "/ws/v2/extra",
        "/",
        "/openiap.FlowService/SetupStream",
    ] {
        assert!(
            Raw::connect_url(&format!("{}{p}", s.ws_url()))
                .await
                .is_err(),
            "{p} must not upgrade"
        );
    }
    assert!(Raw::connect_url(&format!("{}/ws/v2?x=1", s.ws_url()))
        .await
        .is_ok());
}
