//! Every fault triggered through the control endpoint (or the in-process API) and observed by a
//! plain WebSocket client; bad input from one client closes only that client.

mod common;
use common::*;
use openiap_wasm::pb::*;
use openiap_wasm::protocol::envelope::to_any;
use openiap_wasm::protocol::framing::openiap as frame;
use std::time::{Duration, Instant};

/// A connected client that has consumed the server's first ping.
async fn ready(s: &openiap_testserver::TestServer) -> Raw {
    let mut c = Raw::connect(s).await;
    match c.read(1000).await {
        Read::Env(e) if e.command == "ping" => c,
        other => panic!("expected the first ping, got {other:?}"),
    }
}

#[tokio::test]
async fn drop_closes_every_socket() {
    let s = server(|_| {}).await;
    let mut a = ready(&s).await;
    let mut b = ready(&s).await;
    let body = control(&s, "/drop").await;
    assert!(body.contains("\"sockets\":2"), "{body}");
    assert!(a.closes_within(1000).await);
    assert!(b.closes_within(1000).await);
    // The server still accepts new sockets.
    let mut c = ready(&s).await;
    assert_eq!(c.request("getelement", None).await.command, "getelement");
}

#[tokio::test]
async fn down_refuses_connections_then_listens_again_on_the_same_port() {
    let s = server(|_| {}).await;
    let mut a = ready(&s).await;
    let url = format!("{}/ws/v2", s.ws_url());
    let t0 = Instant::now();
    control(&s, "/down?ms=400").await;
    assert!(a.closes_within(1000).await);
    let err = Raw::connect_url(&url)
        .await
        .err()
        .expect("refused while down");
    assert!(err.to_lowercase().contains("refused"), "{err}");
    let mut back = None;
    while t0.elapsed() < Duration::from_secs(3) {
        if let Ok(c) = Raw::connect_url(&url).await {
            back = Some(c);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let up_after = t0.elapsed();
    assert!(
        up_after >= Duration::from_millis(380),
        "up again after {up_after:?}"
    );
    let mut c = back.expect("listening again");
    assert_eq!(c.request("getelement", None).await.command, "getelement");
}

#[tokio::test]
async fn stall_is_a_half_open_link_until_heal() {
    let s = server(|_| {}).await;
    let mut c = ready(&s).await;
    control(&s, "/stall").await;
    let id = c.send("getelement", None).await;
    assert!(
        matches!(c.next(300).await, Read::Timeout),
        "no answer while stalled"
    );
    assert!(!c.closed, "socket stays open");
    control(&s, "/heal").await;
    assert_eq!(c.reply_to(&id, 1000).await.command, "getelement");
    // A timed stall ends by itself.
    control(&s, "/stall?ms=200").await;
    let t0 = Instant::now();
    let r = c.request("getelement", None).await;
    assert_eq!(r.command, "getelement");
    assert!(
        t0.elapsed() >= Duration::from_millis(150),
        "{:?}",
        t0.elapsed()
    );
}

#[tokio::test]
async fn delay_holds_every_frame() {
    let s = server(|_| {}).await;
    let mut c = ready(&s).await;
    control(&s, "/delay?ms=300").await;
    let t0 = Instant::now();
    let a = c.send("getelement", None).await;
    let b = c.send("getelement", None).await;
    c.reply_to(&a, 1000).await;
    c.reply_to(&b, 1000).await;
    let el = t0.elapsed();
    // Each frame is delayed, not the sum of them (that would be 600 ms).
    assert!(
        el >= Duration::from_millis(290) && el < Duration::from_millis(580),
        "{el:?}"
    );
    control(&s, "/delay?ms=0").await;
    let t0 = Instant::now();
    c.request("getelement", None).await;
    assert!(t0.elapsed() < Duration::from_millis(200));
}

#[tokio::test]
async fn split_sends_one_envelope_over_many_messages() {
    let s = server(|_| {}).await;
    let mut c = ready(&s).await;
    control(&s, "/split?count=1&chunk=3").await;
    let id = c
        .send(
            "getelement",
            Some(to_any(&GetElementRequest {
                xpath: "abcdefgh".into(),
            })),
        )
        .await;
    let before = c.messages;
    let r = c.reply_to(&id, 1000).await;
    let used = c.messages - before;
    let expected = frame::encode(&r).len().div_ceil(3);
    assert_eq!(used, expected, "one envelope in {used} messages");
    // Only the next envelope was split: the following one is back to two messages.
    let before = c.messages;
    c.request("getelement", None).await;
    assert_eq!(c.messages - before, 2);
}

#[tokio::test]
async fn coalesce_puts_several_envelopes_in_one_message() {
    let s = server(|_| {}).await;
    let mut c = ready(&s).await;
    control(&s, "/coalesce?count=3").await;
    for _ in 0..3 {
        c.send("getelement", None).await;
    }
    let msg = c.raw_message(1000).await.expect("one message");
    let mut d = frame::Deframer::default();
    d.push(&msg);
    let mut n = 0;
    while let Some(e) = d.next_envelope().unwrap() {
        assert_eq!(e.command, "getelement");
        n += 1;
    }
    assert_eq!(n, 3, "three envelopes in one message");
    assert_eq!(d.buffered(), 0);
}

#[tokio::test]
async fn garbage_sends_a_malformed_frame() {
    let s = server(|_| {}).await;
    let mut c = ready(&s).await;
    control(&s, "/garbage").await;
    let msg = c.raw_message(1000).await.unwrap();
    let mut d = frame::Deframer::default();
    d.push(&msg);
    assert!(d.next_envelope().is_err(), "an undecodable envelope");
    control(&s, "/garbage?kind=length").await;
    let msg = c.raw_message(1000).await.unwrap();
    let mut d = frame::Deframer::default();
    d.push(&msg);
    assert!(matches!(
        d.next_frame(),
        Err(openiap_wasm::protocol::error::FrameError::TooLarge { .. })
    ));
}

#[tokio::test]
async fn unknown_sends_an_envelope_with_an_unknown_command() {
    let s = server(|_| {}).await;
    let mut c = ready(&s).await;
    control(&s, "/unknown").await;
    assert_eq!(c.expect(1000).await.command, "unknowncommand");
    control(&s, "/unknown?command=frobnicate").await;
    assert_eq!(c.expect(1000).await.command, "frobnicate");
}

#[tokio::test]
async fn refuse_signin_refuses_the_next_n() {
    let s = server(|_| {}).await;
    let mut c = ready(&s).await;
    control(&s, "/refuse-signin?count=2").await;
    assert_eq!(
        error_text(&c.signin("testuser", "testpass").await),
        "Unknown username or password"
    );
    assert_eq!(
        error_text(&c.signin("testuser", "testpass").await),
        "Unknown username or password"
    );
    assert_eq!(
        c.signin("testuser", "testpass").await.command,
        "signinreply"
    );
}

#[tokio::test]
async fn refreshtoken_now_reaches_signed_in_sockets_only() {
    let s = server(|_| {}).await;
    let mut a = ready(&s).await;
    let mut guest = ready(&s).await;
    let jwt = a.signin_ok().await.jwt;
    let body = control(&s, "/refreshtoken").await;
    assert!(body.contains("\"sockets\":1"), "{body}");
    let e = a.expect(1000).await;
    assert_eq!(e.command, "refreshtoken");
    let rt: RefreshToken = openiap_wasm::protocol::envelope::decode(&e).unwrap();
    assert_ne!(rt.jwt, jwt);
    assert_eq!(rt.user.unwrap().username, "testuser");
    assert!(matches!(guest.next(200).await, Read::Timeout));
}

#[tokio::test]
async fn log_stats_reset() {
    let s = server(|_| {}).await;
    let mut c = ready(&s).await;
    let id = c.send("getelement", None).await;
    c.reply_to(&id, 1000).await;
    c.signin_ok().await;
    let log: serde_json::Value =
        serde_json::from_str(&control(&s, "/log?command=getelement").await).unwrap();
    let log = log.as_array().unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["id"], id.as_str());
    assert_eq!(log[0]["seq"], 0);
    assert_eq!(log[0]["command"], "getelement");
    let all: serde_json::Value = serde_json::from_str(&control(&s, "/log").await).unwrap();
    assert_eq!(all.as_array().unwrap().len(), 2);
    let stats: serde_json::Value = serde_json::from_str(&control(&s, "/stats").await).unwrap();
    assert_eq!(
        (stats["connections"].as_u64(), stats["signins"].as_u64()),
        (Some(1), Some(1))
    );
    // GET works too (which browser origins may use the port: tests/control_origin.rs).
    let (st, body) = http(&s.control_url(), "GET", "/log").await;
    assert_eq!(st, 200, "{body}");
    control(&s, "/delay?ms=500").await;
    control(&s, "/reset").await;
    assert_eq!(s.log(None).len(), 0);
    let t0 = Instant::now();
    c.request("getelement", None).await;
    assert!(
        t0.elapsed() < Duration::from_millis(300),
        "reset clears delay"
    );
    assert_eq!(http(&s.control_url(), "POST", "/nope").await.0, 404);
}

// ---- bad input from one client closes only that client ----

async fn isolation(bad: impl AsyncFnOnce(&mut Raw), reason: &str) {
    let s = server(|c| c.max_frame_bytes = 1024 * 1024).await;
    let mut a = ready(&s).await;
    let mut b = ready(&s).await;
    b.signin_ok().await;
    bad(&mut a).await;
    assert!(a.closes_within(1000).await, "the bad client is closed");
    assert_eq!(
        b.request("getelement", None).await.command,
        "getelement",
        "the other client keeps working"
    );
    let mut c = ready(&s).await;
    assert_eq!(
        c.request("getelement", None).await.command,
        "getelement",
        "new clients are served"
    );
    let closes = s.stats()["closes"].clone();
    let closes = closes.as_array().unwrap();
    assert_eq!(closes.len(), 1, "{closes:?}");
    assert!(
        closes[0]["reason"].as_str().unwrap().contains(reason),
        "{closes:?}"
    );
}

#[tokio::test]
async fn garbage_from_a_client_closes_only_it() {
    isolation(
        async |a: &mut Raw| {
            a.send_raw(vec![5, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff])
                .await
        },
        "bad frame: invalid envelope",
    )
    .await;
}

#[tokio::test]
async fn a_4_gib_length_closes_only_that_client() {
    isolation(
        async |a: &mut Raw| a.send_raw(vec![0xff, 0xff, 0xff, 0xff, 1, 2]).await,
        "exceeds the maximum",
    )
    .await;
}

#[tokio::test]
async fn a_lower_seq_closes_only_that_client() {
    isolation(
        async |a: &mut Raw| {
            a.send("getelement", None).await;
            let again = Envelope {
                command: "getelement".into(),
                id: "dup".into(),
                seq: 0,
                ..Default::default()
            };
            a.send_with_seq(again).await;
        },
        "seq 0 is lower than the expected 1",
    )
    .await;
}

#[tokio::test]
async fn a_seq_gap_beyond_100_closes_only_that_client() {
    isolation(
        async |a: &mut Raw| {
            for i in 0..101 {
                let e = Envelope {
                    command: "getelement".into(),
                    id: format!("g{i}"),
                    seq: 5 + i,
                    ..Default::default()
                };
                a.send_with_seq(e).await;
            }
        },
        "more than 100 envelopes out of order",
    )
    .await;
}

#[tokio::test]
async fn out_of_order_envelopes_are_reordered() {
    let s = server(|_| {}).await;
    let mut c = ready(&s).await;
    for (seq, id) in [(2, "c"), (0, "a"), (1, "b")] {
        c.send_with_seq(Envelope {
            command: "getelement".into(),
            id: id.into(),
            seq,
            ..Default::default()
        })
        .await;
    }
    let got: Vec<String> = [
        c.expect(1000).await,
        c.expect(1000).await,
        c.expect(1000).await,
    ]
    .into_iter()
    .map(|e| e.rid)
    .collect();
    assert_eq!(got, ["a", "b", "c"]);
}

#[tokio::test]
async fn text_messages_close_only_that_client() {
    use futures_util::SinkExt;
    isolation(
        async |a: &mut Raw| {
            let _ =
                a.ws.send(tokio_tungstenite::tungstenite::Message::Text("{}".into()))
                    .await;
        },
        "text message",
    )
    .await;
}

#[tokio::test]
async fn delay_reply_holds_back_only_the_answers_it_names() {
    let s = server(|_| {}).await;
    let mut c = ready(&s).await;
    c.signin_ok().await;
    let body = control(&s, "/delay-reply?command=registerqueue&ms=400").await;
    assert!(body.contains("\"ok\":true"), "{body}");
    let t0 = Instant::now();
    let reg = c
        .send(
            "registerqueue",
            Some(to_any(&RegisterQueueRequest {
                queuename: "held".into(),
            })),
        )
        .await;
    // Another command's answer is not held back and overtakes it.
    let other = c.send("getelement", None).await;
    assert_eq!(c.reply_to(&other, 300).await.command, "getelement");
    assert!(t0.elapsed() < Duration::from_millis(300));
    // The registration took effect at once: the server counts the consumer already.
    let stats = parse_json(&control(&s, "/stats").await);
    assert!(stats.to_string().contains("held"), "{stats}");
    let r = c.reply_to(&reg, 1000).await;
    assert_eq!(r.command, "registerqueuereply");
    assert!(
        t0.elapsed() >= Duration::from_millis(380),
        "{:?}",
        t0.elapsed()
    );
    // count=1 by default: the next registration is answered at once.
    let t1 = Instant::now();
    let r = c
        .request(
            "registerqueue",
            Some(to_any(&RegisterQueueRequest {
                queuename: "held2".into(),
            })),
        )
        .await;
    assert_eq!(r.command, "registerqueuereply");
    assert!(t1.elapsed() < Duration::from_millis(300));
    // A command name is mandatory.
    let (status, body) = http(&s.control_url(), "POST", "/delay-reply?ms=10").await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("mandatory"), "{body}");
}
