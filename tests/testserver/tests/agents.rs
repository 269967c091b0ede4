//! Agents and packages, driven by the unmodified `openiap-client` 0.0.41: start, pods, log,
//! pod delete, stop, delete; and package delete.

mod common;
use common::{official, server};
use openiap_client::*;

async fn insert(c: &Client, item: serde_json::Value) -> String {
    let req = InsertOneRequest {
        collectionname: "agents".into(),
        item: item.to_string(),
        ..Default::default()
    };
    let stored: serde_json::Value =
        serde_json::from_str(&c.insert_one(req, EnvConfig::new()).await.unwrap().result).unwrap();
    stored["_id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn an_agent_starts_has_a_pod_with_a_log_and_stops() {
    let s = server(|_| {}).await;
    let c = official(&s).await;
    let env = EnvConfig::new;
    let id = insert(
        &c,
        serde_json::json!({"_type": "agent", "name": "a1", "slug": "a1"}),
    )
    .await;
    let pods = |c: &Client, id: &str| {
        let (c, id) = (c.clone(), id.to_string());
        async move {
            let text = c.get_agent_pods(env(), &id, false).await.unwrap();
            serde_json::from_str::<Vec<serde_json::Value>>(&text).unwrap()
        }
    };
    assert!(pods(&c, &id).await.is_empty(), "no pod before start");
    c.start_agent(env(), &id).await.unwrap();
    let running = pods(&c, &id).await;
    assert_eq!(running[0]["metadata"]["name"], "a1-pod");
    let log = c.get_agent_pod_logs(env(), &id, "a1-pod").await.unwrap();
    assert!(log.contains("a1-pod: ready"), "{log}");
    c.delete_agent_pod(env(), &id, "a1-pod").await.unwrap();
    c.stop_agent(env(), &id).await.unwrap();
    assert!(pods(&c, &id).await.is_empty(), "no pod after stop");
    assert!(c.get_agent_pod_logs(env(), &id, "a1-pod").await.is_err());
    c.delete_agent(env(), &id).await.unwrap();
    assert!(
        c.start_agent(env(), &id).await.is_err(),
        "gone after delete"
    );
    let pkg = insert(&c, serde_json::json!({"_type": "package", "name": "p1"})).await;
    c.delete_package(env(), &pkg).await.unwrap();
    assert!(
        c.delete_package(env(), &pkg).await.is_err(),
        "a package is deleted once"
    );
}
