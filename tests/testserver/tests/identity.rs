//! Per-call identity: a request with `Envelope.jwt` runs as that token's user for that request
//! only; a bad or expired one fails that request only, with OpenFlow's text, and the socket
//! stays signed in. Second users come from the built-in `otheruser` or `/jwt`.

mod common;
use common::*;
use openiap_client::{
    Client, ClientState, CustomCommandRequest, EnvConfig, InsertOneRequest, QueueEvent,
    QueueMessageRequest, RegisterQueueRequest,
};
use openiap_wasm::pb::{
    AddWorkItemQueueRequest, AddWorkItemQueueResponse, CreateWorkflowInstanceRequest,
    CustomCommandResponse, Envelope, GetDocumentVersionRequest, PushWorkitemRequest,
    PushWorkitemResponse, RegisterQueueResponse, WorkItemQueue,
};
use openiap_wasm::protocol::envelope::{decode, to_any};
use prost::{Message, Name};
use serde_json::Value;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

async fn whoami(c: &Client, env: EnvConfig) -> Result<String, String> {
    let req = CustomCommandRequest {
        command: "whoami".into(),
        ..Default::default()
    };
    c.custom_command(req, env, None)
        .await
        .map(|r| {
            serde_json::from_str::<Value>(&r).unwrap()["username"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .map_err(|e| e.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn official_client_per_call_jwt_runs_as_that_user_for_that_call_only() {
    let s = server(|_| {}).await;
    let c = official_as(&s, "testuser", "testpass").await;
    // A second user's token from the control endpoint.
    let body = control(&s, "/jwt?user=otheruser").await;
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["username"], "otheruser");
    let other = v["jwt"].as_str().unwrap().to_string();

    assert_eq!(
        whoami(&c, EnvConfig::with_jwt(&other)).await.unwrap(),
        "otheruser"
    );
    assert_eq!(whoami(&c, EnvConfig::new()).await.unwrap(), "testuser");
    let doc = c
        .insert_one(
            InsertOneRequest {
                collectionname: "percall".into(),
                item: r#"{"a":1}"#.into(),
                ..Default::default()
            },
            EnvConfig::with_jwt(&other),
        )
        .await
        .unwrap();
    let doc: Value = serde_json::from_str(&doc.result).unwrap();
    assert_eq!(doc["_createdby"], "otheruser");

    // Bad and expired tokens fail that call only, with OpenFlow's text.
    let expired = s.jwt("otheruser", 0);
    for bad in ["not-a-token", "a.b.c", expired.as_str()] {
        let e = whoami(&c, EnvConfig::with_jwt(bad)).await.unwrap_err();
        assert!(
            e.contains(
                "Discard customcommand due to missing jwt, and respond with error, for client at 127.0.0.1 rust "
            ),
            "{e}"
        );
        assert_eq!(whoami(&c, EnvConfig::new()).await.unwrap(), "testuser");
    }
    assert_eq!(c.get_state(), ClientState::Signedin);
    let stats = s.stats();
    assert_eq!(stats["signedin"], 1);
    let users: Vec<&Value> = stats["conns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["user"])
        .filter(|u| !u.is_null())
        .collect();
    assert_eq!(users, [&Value::from("testuser")], "{stats}");
    assert_eq!(stats["signins"], 1, "no new sign-in was needed");
    c.disconnect();
}

type Callback = Arc<
    dyn Fn(Arc<Client>, QueueEvent) -> Pin<Box<dyn Future<Output = Option<String>> + Send>>
        + Send
        + Sync,
>;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn queuemessage_and_registerqueue_use_the_per_call_user() {
    let s = server(|_| {}).await;
    let receiver = official_as(&s, "otheruser", "otherpass").await;
    assert_eq!(receiver.get_user().unwrap().username, "otheruser");
    let sender = official_as(&s, "testuser", "testpass").await;
    let other = s.jwt("otheruser", 60_000);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let cb: Callback = Arc::new(move |_c, ev: QueueEvent| {
        let _ = tx.send(ev);
        Box::pin(async { None })
    });
    receiver
        .register_queue(
            RegisterQueueRequest::byqueuename("percall.q"),
            EnvConfig::new(),
            cb,
        )
        .await
        .unwrap();
    for (env, user) in [
        (EnvConfig::with_jwt(&other), "otheruser"),
        (EnvConfig::new(), "testuser"),
    ] {
        let jwt = env.jwt.clone();
        sender
            .queue_message(
                QueueMessageRequest::byqueuename("percall.q", r#"{"n":1}"#, false),
                env,
            )
            .await
            .unwrap();
        let ev = tokio::time::timeout(Duration::from_secs(5), rx.recv())
            .await
            .unwrap()
            .unwrap();
        let v: Value = serde_json::from_str(&ev.data).unwrap();
        assert_eq!(v["__user"]["username"], user);
        if !jwt.is_empty() {
            assert_eq!(v["__jwt"], jwt.as_str());
        }
    }
    let e = sender
        .queue_message(
            QueueMessageRequest::byqueuename("percall.q", "1", false),
            EnvConfig::with_jwt("bad.jwt.x"),
        )
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("Discard queuemessage due to missing jwt"),
        "{e}"
    );
    let (cb2, _rx2) = {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<QueueEvent>();
        let cb: Callback = Arc::new(move |_c, ev| {
            let _ = tx.send(ev);
            Box::pin(async { None })
        });
        (cb, rx)
    };
    let e = sender
        .register_queue(
            RegisterQueueRequest::byqueuename("x.q"),
            EnvConfig::with_jwt("bad.jwt.x"),
            cb2,
        )
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("Discard registerqueue due to missing jwt"),
        "{e}"
    );
    assert_eq!(sender.get_state(), ClientState::Signedin);
    receiver.disconnect();
    sender.disconnect();
}

static NEXT: AtomicU64 = AtomicU64::new(1);

/// Sends `command` with `data` and `Envelope.jwt` = `jwt`; returns the reply.
async fn with_jwt<M: Message + Name>(c: &mut Raw, command: &str, data: &M, jwt: &str) -> Envelope {
    let env = Envelope {
        command: command.into(),
        id: format!("j{}", NEXT.fetch_add(1, Ordering::Relaxed)),
        jwt: jwt.into(),
        data: Some(to_any(data)),
        ..Default::default()
    };
    let id = env.id.clone();
    c.send_env(env).await;
    c.reply_to(&id, 2000).await
}

#[tokio::test]
async fn new_commands_honour_the_per_call_jwt_on_a_raw_socket() {
    let s = server(|_| {}).await;
    let mut c = Raw::connect(&s).await;
    c.signin_ok().await;
    let other = s.jwt("otheruser", 60_000);
    let push = PushWorkitemRequest {
        wiq: "pc".into(),
        name: "w".into(),
        ..Default::default()
    };
    let r = with_jwt(&mut c, "pushworkitem", &push, &other).await;
    let wi = decode::<PushWorkitemResponse>(&r)
        .unwrap()
        .workitem
        .unwrap();
    assert_eq!(wi.username, "otheruser");
    let add = AddWorkItemQueueRequest {
        workitemqueue: Some(WorkItemQueue {
            name: "pcq".into(),
            ..Default::default()
        }),
        skiprole: true,
    };
    let r = with_jwt(&mut c, "addworkitemqueue", &add, &other).await;
    let q = decode::<AddWorkItemQueueResponse>(&r)
        .unwrap()
        .workitemqueue
        .unwrap();
    assert_eq!(q.createdby, "otheruser");
    // A bad token fails that request; the next one without it runs as the session's user.
    let get = GetDocumentVersionRequest {
        id: "x".into(),
        ..Default::default()
    };
    let r = with_jwt(&mut c, "getdocumentversion", &get, "bad.token.here").await;
    assert_eq!(
        error_text(&r),
        "Discard getdocumentversion due to missing jwt, and respond with error, for client at 127.0.0.1 unknown undefined"
    );
    let r = with_jwt(
        &mut c,
        "customcommand",
        &openiap_wasm::pb::CustomCommandRequest {
            command: "whoami".into(),
            ..Default::default()
        },
        "",
    )
    .await;
    let who: Value =
        serde_json::from_str(&decode::<CustomCommandResponse>(&r).unwrap().result).unwrap();
    assert_eq!(who["username"], "testuser");
    // An empty workflowid is refused with OpenFlow's text.
    let r = c
        .request(
            "createworkflowinstance",
            Some(to_any(&CreateWorkflowInstanceRequest::default())),
        )
        .await;
    assert_eq!(error_text(&r), "workflowid or queue is mandatory");

    // On a socket that never signed in, a good Envelope.jwt is enough, a bad one is not.
    let mut guest = Raw::connect(&s).await;
    let reg = openiap_wasm::pb::RegisterQueueRequest::default();
    let r = with_jwt(&mut guest, "registerqueue", &reg, &other).await;
    assert_eq!(r.command, "registerqueuereply", "{}", error_text(&r));
    assert!(decode::<RegisterQueueResponse>(&r)
        .unwrap()
        .queuename
        .starts_with("unknown."));
    let r = with_jwt(&mut guest, "registerqueue", &reg, "x").await;
    assert!(error_text(&r).starts_with("Discard registerqueue due to missing jwt"));
    let r = guest.request("registerqueue", Some(to_any(&reg))).await;
    assert_eq!(error_text(&r), "Not signed in, and missing jwt");
}

#[tokio::test]
async fn jwt_control_endpoint_mints_usable_and_expired_tokens() {
    let s = server(|_| {}).await;
    let (status, body) = http(&s.control_url(), "GET", "/jwt?user=OtherUser&ms=0").await;
    assert_eq!(status, 200);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["username"], "otheruser");
    let expired = v["jwt"].as_str().unwrap().to_string();
    assert_eq!(expired.split('.').count(), 3);
    let v: Value = serde_json::from_str(&control(&s, "/jwt").await).unwrap();
    assert_eq!(v["username"], "testuser", "default: the first --user");
    let good = v["jwt"].as_str().unwrap().to_string();
    let mut c = Raw::connect(&s).await;
    let signin = |jwt: &str| openiap_wasm::pb::SigninRequest {
        jwt: jwt.into(),
        ..Default::default()
    };
    let r = c.request("signin", Some(to_any(&signin(&expired)))).await;
    assert!(error_text(&r).starts_with("Discard signin due to invalid or expired jwt"));
    let r = c.request("signin", Some(to_any(&signin(&good)))).await;
    assert_eq!(r.command, "signinreply", "{}", error_text(&r));
}
