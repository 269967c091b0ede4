//! OpenFlow's wire habits, each on by default and each with a flag to turn it off: a ping at
//! connect, two WebSocket messages per envelope, refreshtoken before expiry; and OpenFlow's
//! error texts.

mod common;
use common::*;
use openiap_wasm::pb::*;
use openiap_wasm::protocol::envelope::{decode, to_any};
use std::time::{Duration, Instant};

#[tokio::test]
async fn ping_at_connect_is_on_by_default_and_can_be_turned_off() {
    let s = server(|_| {}).await;
    let mut c = Raw::connect(&s).await;
    match c.read(1000).await {
        Read::Env(e) => assert_eq!((e.command.as_str(), e.seq), ("ping", 0)),
        other => panic!("expected the connect ping, got {other:?}"),
    }

    let s = server(|c| {
        c.connect_ping = false;
        c.ping_interval_ms = 600;
    })
    .await;
    let t0 = Instant::now();
    let mut c = Raw::connect(&s).await;
    assert!(
        matches!(c.read(300).await, Read::Timeout),
        "no ping at connect"
    );
    match c.read(1000).await {
        Read::Env(e) => assert_eq!(e.command, "ping"),
        other => panic!("expected the first interval ping, got {other:?}"),
    }
    assert!(
        t0.elapsed() >= Duration::from_millis(500),
        "one interval later"
    );
    // Sign-in works as usual without the connect ping.
    assert_eq!(
        c.signin("testuser", "testpass").await.command,
        "signinreply"
    );
}

#[tokio::test]
async fn two_message_frames_by_default_one_message_with_the_flag() {
    let s = server(|_| {}).await;
    let mut c = Raw::connect(&s).await;
    assert_eq!(
        c.raw_message(1000).await.unwrap().len(),
        4,
        "the length alone"
    );
    let body = c.raw_message(1000).await.unwrap();
    assert!(body.len() > 4);

    let s = server(|c| c.two_part_frames = false).await;
    let mut c = Raw::connect(&s).await;
    let whole = c.raw_message(1000).await.unwrap();
    let len = u32::from_le_bytes(whole[..4].try_into().unwrap()) as usize;
    assert_eq!(whole.len(), 4 + len, "length and envelope in one message");
}

#[tokio::test]
async fn refreshtoken_is_pushed_before_expiry_unless_turned_off() {
    let s = server(|c| c.token_lifetime_ms = 600).await;
    let mut c = Raw::connect(&s).await;
    let jwt = c.signin_ok().await.jwt;
    let e = c.expect(1500).await;
    assert_eq!(e.command, "refreshtoken");
    let rt: RefreshToken = decode(&e).unwrap();
    assert_ne!(rt.jwt, jwt);

    let s = server(|c| {
        c.token_lifetime_ms = 600;
        c.refresh_tokens = false;
    })
    .await;
    let mut c = Raw::connect(&s).await;
    c.signin_ok().await;
    assert!(
        matches!(c.next(1200).await, Read::Timeout),
        "no refreshtoken by itself"
    );
    // The control endpoint still sends one on demand.
    assert_eq!(s.refresh_tokens(), 1);
    assert_eq!(c.expect(1000).await.command, "refreshtoken");
}

#[test]
fn flags_turn_each_habit_off() {
    let parse = |args: &[&str]| match openiap_testserver::Config::from_args(
        args.iter().map(|s| s.to_string()),
    )
    .unwrap()
    {
        openiap_testserver::Parsed::Run(c) => c,
        _ => panic!(),
    };
    let on = parse(&[]);
    assert!(on.connect_ping && on.two_part_frames && on.refresh_tokens);
    assert_eq!(on.token_lifetime_ms, 300_000);
    let off = parse(&[
        "--no-connect-ping",
        "--one-message-frames",
        "--no-refreshtoken",
        "--token-lifetime-s",
        "2",
    ]);
    assert!(!off.connect_ping && !off.two_part_frames && !off.refresh_tokens);
    assert_eq!(off.token_lifetime_ms, 2000);
}

#[tokio::test]
async fn openflow_error_texts() {
    let s = server(|_| {}).await;
    let mut c = Raw::connect(&s).await;
    // Not signed in (Message.ts EnsureJWT), also for the new commands.
    for command in [
        "getdocumentversion",
        "updatedocument",
        "pushworkitems",
        "addworkitemqueue",
        "createworkflowinstance",
        "ensurecustomer",
    ] {
        let r = c.request(command, Some(to_any(&Noop {}))).await;
        assert_eq!(
            error_text(&r),
            "Not signed in, and missing jwt",
            "{command}"
        );
    }
    // Unknown command: OpenFlow's protobuf lookup of its type fails first.
    let r = c.request("nosuchcommand", None).await;
    assert_eq!(error_text(&r), "no such type: openiap.nosuchcommand");
    // Sign-in failure.
    assert_eq!(
        error_text(&c.signin("testuser", "nope").await),
        "Unknown username or password"
    );

    // Rate limit (Message.ts Process): the 4th command within a second.
    let s = server(|c| c.rate_limit = 3).await;
    let mut c = Raw::connect(&s).await;
    let mut texts = vec![];
    for _ in 0..4 {
        texts.push(error_text(&c.request("getelement", None).await));
    }
    assert_eq!(texts, ["", "", "", "Rate limit exceeded consumedPoints: 4"]);
}
