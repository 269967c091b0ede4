//! Interoperability with the official, unmodified `openiap-client` 0.0.41 crate.

mod common;
use common::{official, server};
use openiap_client::{
    Client, ClientState, EnvConfig, QueueEvent, QueueMessageRequest, RegisterQueueRequest,
};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

type Callback = Arc<
    dyn Fn(Arc<Client>, QueueEvent) -> Pin<Box<dyn Future<Output = Option<String>> + Send>>
        + Send
        + Sync,
>;

fn url(s: &openiap_testserver::TestServer, user: &str, pass: &str) -> String {
    format!("ws://{user}:{pass}@{}", s.ws_addr)
}

/// A callback forwarding every event to a channel and answering with `reply(data)`.
fn forwarding(
    reply: Option<fn(&str) -> String>,
) -> (Callback, mpsc::UnboundedReceiver<QueueEvent>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let cb: Callback = Arc::new(move |_client, ev: QueueEvent| {
        let answer = reply.map(|f| f(&ev.data));
        let _ = tx.send(ev);
        Box::pin(async move { answer })
    });
    (cb, rx)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn official_client_connects_and_signs_in() {
    let s = server(|_| {}).await;
    let c = official(&s).await;
    assert_eq!(c.get_state(), ClientState::Signedin);
    assert_eq!(c.get_user().unwrap().username, "testuser");
    let stats = s.stats();
    assert_eq!(stats["signins"], 1);
    let signin = s.log(Some("signin"));
    assert_eq!(signin.len(), 1);
    // seq starts at 0 on the socket and grows by one (a pong for the server's first ping may
    // come before the signin).
    let seqs: Vec<i32> = s
        .log(None)
        .iter()
        .filter(|e| e.conn == signin[0].conn)
        .map(|e| e.seq)
        .collect();
    assert_eq!(seqs, (0..seqs.len() as i32).collect::<Vec<_>>());
    c.disconnect();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn official_client_bad_password_gets_openflow_error() {
    let s = server(|_| {}).await;
    let c = Client::new();
    let r = tokio::time::timeout(
        Duration::from_secs(10),
        c.connect_async(&url(&s, "testuser", "wrong")),
    )
    .await
    .expect("does not hang");
    c.disconnect();
    let e = r.expect_err("bad password fails");
    assert!(
        e.to_string().contains("Unknown username or password"),
        "{e}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn official_client_guest_connect_uses_getelement() {
    let s = server(|_| {}).await;
    let c = Client::new();
    tokio::time::timeout(
        Duration::from_secs(10),
        c.connect_async(&format!("ws://{}", s.ws_addr)),
    )
    .await
    .expect("does not hang")
    .expect("guest connects");
    assert_eq!(c.get_state(), ClientState::Connected);
    assert_eq!(s.log(Some("getelement")).len(), 1);
    c.disconnect();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn official_clients_register_queues_and_send_messages() {
    let s = server(|_| {}).await;
    let a = official(&s).await;
    let b = official(&s).await;
    let (cb, mut events) = forwarding(None);
    let name = a
        .register_queue(
            RegisterQueueRequest::byqueuename("Interop.Queue"),
            EnvConfig::new(),
            cb,
        )
        .await
        .expect("register_queue");
    assert_eq!(name, "interop.queue");
    let (tmp_cb, _tmp_events) = forwarding(None);
    let tmp = a
        .register_queue(
            RegisterQueueRequest::byqueuename(""),
            EnvConfig::new(),
            tmp_cb,
        )
        .await
        .unwrap();
    assert!(tmp.starts_with("unknown."), "{tmp}");

    for i in 0..3 {
        let msg =
            QueueMessageRequest::byqueuename("interop.queue", &format!("{{\"n\":{i}}}"), false);
        b.queue_message(msg, EnvConfig::new())
            .await
            .expect("queue_message");
    }
    for i in 0..3 {
        let ev = tokio::time::timeout(Duration::from_secs(5), events.recv())
            .await
            .expect("event arrives")
            .unwrap();
        assert_eq!(ev.queuename, "interop.queue");
        let v: serde_json::Value = serde_json::from_str(&ev.data).unwrap();
        assert_eq!(v["n"], i);
        assert_eq!(v["__user"]["username"], "testuser");
        assert!(v["__jwt"].as_str().unwrap().split('.').count() == 3);
    }
    a.unregister_queue(EnvConfig::new(), "interop.queue")
        .await
        .expect("unregister_queue");
    a.disconnect();
    b.disconnect();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn official_client_rpc_against_a_second_official_client() {
    let s = server(|_| {}).await;
    let worker = official(&s).await;
    let caller = official(&s).await;
    let (cb, mut seen) = forwarding(Some(|data: &str| format!("{{\"echo\":{data}}}")));
    worker
        .register_queue(
            RegisterQueueRequest::byqueuename("interop.rpc"),
            EnvConfig::new(),
            cb,
        )
        .await
        .unwrap();
    for i in 0..2 {
        let req =
            QueueMessageRequest::byqueuename("interop.rpc", &format!("{{\"call\":{i}}}"), true);
        let reply = caller
            .rpc(req, EnvConfig::new(), Duration::from_secs(5))
            .await
            .expect("rpc reply");
        let v: serde_json::Value = serde_json::from_str(&reply).unwrap();
        assert_eq!(v["echo"]["call"], i, "{reply}");
        let ev = seen.recv().await.unwrap();
        assert!(ev.replyto.starts_with("unknown."), "{}", ev.replyto);
    }
    worker.disconnect();
    caller.disconnect();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn official_client_signs_in_again_after_a_dropped_socket() {
    let s = server(|_| {}).await;
    let c = official(&s).await;
    assert_eq!(s.stats()["signins"], 1);
    s.drop_all();
    let t0 = std::time::Instant::now();
    while (s.stats()["signins"] != 2 || c.get_state() != ClientState::Signedin)
        && t0.elapsed() < Duration::from_secs(8)
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        s.stats()["signins"],
        2,
        "the official client reconnected and signed in again"
    );
    let (cb, mut events) = forwarding(None);
    let q = c
        .register_queue(RegisterQueueRequest::byqueuename(""), EnvConfig::new(), cb)
        .await
        .unwrap();
    c.queue_message(
        QueueMessageRequest::byqueuename(&q, r#"["after"]"#, true),
        EnvConfig::new(),
    )
    .await
    .unwrap();
    assert_eq!(
        tokio::time::timeout(Duration::from_secs(5), events.recv())
            .await
            .unwrap()
            .unwrap()
            .data,
        r#"["after"]"#
    );
    c.disconnect();
}
