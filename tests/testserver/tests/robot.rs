//! The built-in fake OpenRPA robot on queue `testrobot`: the official client's
//! `invoke_openrpa`, and the raw messages (replyto, correlation id) it answers with.

mod common;
use common::*;
use openiap_client::{EnvConfig, InvokeOpenRpaRequest};
use openiap_testserver::{FAIL_WORKFLOW, IDLE_WORKFLOW, ROBOT_QUEUE};
use openiap_wasm::pb::{
    QueueEvent, QueueMessageRequest, RegisterQueueRequest, RegisterQueueResponse,
};
use openiap_wasm::protocol::envelope::{decode, to_any};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn invoke(workflowid: &str, payload: Value) -> InvokeOpenRpaRequest {
    InvokeOpenRpaRequest {
        robotid: ROBOT_QUEUE.into(),
        workflowid: workflowid.into(),
        payload: payload.to_string(),
        rpc: true,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn official_invoke_openrpa_completes_fails_and_times_out() {
    let s = server(|_| {}).await;
    let c = official(&s).await;
    let timeout = Some(Duration::from_secs(5));
    let out = c
        .invoke_openrpa(
            invoke("myworkflow", json!({"x": 1, "s": "é"})),
            EnvConfig::new(),
            timeout,
        )
        .await
        .expect("invokecompleted");
    assert_eq!(
        serde_json::from_str::<Value>(&out).unwrap(),
        json!({"x": 1, "s": "é"})
    );

    let e = c
        .invoke_openrpa(invoke(FAIL_WORKFLOW, json!({})), EnvConfig::new(), timeout)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("workflow failed"), "{e}");

    let t0 = Instant::now();
    let e = c
        .invoke_openrpa(
            invoke(IDLE_WORKFLOW, json!({})),
            EnvConfig::new(),
            Some(Duration::from_millis(800)),
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("Timeout"), "{e}");
    assert!(
        t0.elapsed() >= Duration::from_millis(700),
        "waited for the timeout"
    );
    c.disconnect();
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

async fn events(c: &mut Raw, ms: u64) -> Vec<QueueEvent> {
    let mut out = vec![];
    while let Read::Env(e) = c.next(ms).await {
        if e.command == "queueevent" {
            out.push(decode(&e).unwrap());
        }
    }
    out
}

#[tokio::test]
async fn robot_answers_replyto_with_the_correlation_id() {
    let s = server(|_| {}).await;
    let mut c = Raw::connect(&s).await;
    c.signin_ok().await;
    let q = register(&mut c, "").await;
    let send = |workflowid: &str, corr: &str| QueueMessageRequest {
        queuename: ROBOT_QUEUE.into(),
        replyto: q.clone(),
        correlation_id: corr.into(),
        data: json!({"command": "invoke", "workflowid": workflowid, "data": {"n": 7}}).to_string(),
        ..Default::default()
    };
    let r = c
        .request("queuemessage", Some(to_any(&send("w", "corr-1"))))
        .await;
    assert_eq!(r.command, "queuemessagereply", "{}", error_text(&r));
    let got = events(&mut c, 300).await;
    let seen: Vec<(String, String, Value)> = got
        .iter()
        .map(|e| {
            (
                e.queuename.clone(),
                e.correlation_id.clone(),
                serde_json::from_str(&e.data).unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                q.clone(),
                "corr-1".into(),
                json!({"command": "invokesuccess"})
            ),
            (
                q.clone(),
                "corr-1".into(),
                json!({"command": "invokecompleted", "data": {"n": 7}})
            ),
        ]
    );
    c.request("queuemessage", Some(to_any(&send(FAIL_WORKFLOW, "corr-2"))))
        .await;
    let got = events(&mut c, 300).await;
    assert_eq!(got.len(), 2);
    assert_eq!(
        serde_json::from_str::<Value>(&got[1].data).unwrap(),
        json!({"command": "invokefailed", "data": "workflow failed"})
    );
    assert!(got.iter().all(|e| e.correlation_id == "corr-2"));
    c.request("queuemessage", Some(to_any(&send(IDLE_WORKFLOW, "corr-3"))))
        .await;
    let got = events(&mut c, 300).await;
    assert_eq!(got.len(), 1);
    assert_eq!(
        serde_json::from_str::<Value>(&got[0].data).unwrap(),
        json!({"command": "invokeidle"})
    );
    // Nothing waits in a testrobot queue: the robot took every message.
    assert!(s.stats()["queues"].get(ROBOT_QUEUE).is_none());
}
