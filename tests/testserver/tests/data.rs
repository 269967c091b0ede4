//! The data scenario done by the official, unmodified `openiap-client` 0.0.41 against the test
//! server: documents, query filters, count, distinct, aggregate, update, upsert, deletes, work
//! items, upload/download and watch. Expected values come from tests/js/data_expected.json,
//! which the browser test (tests/js/data_tests.js) asserts too.

mod common;
use common::{official, parse_json, server};
use openiap_client::*;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const EXPECTED: &str = include_str!("../../js/data_expected.json");

fn env() -> EnvConfig {
    EnvConfig::new()
}

fn names(results: &str) -> Value {
    Value::Array(
        parse_json(results)
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["name"].clone())
            .collect(),
    )
}

async fn query(
    c: &Client,
    col: &str,
    q: Value,
    orderby: &str,
    skip: i32,
    top: i32,
    projection: &str,
) -> String {
    let req = QueryRequest {
        collectionname: col.into(),
        query: q.to_string(),
        orderby: orderby.into(),
        skip,
        top,
        projection: projection.into(),
        ..Default::default()
    };
    c.query(req, env()).await.expect("query").results
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn official_client_documents_scenario() {
    let x: Value = parse_json(EXPECTED);
    let s = server(|_| {}).await;
    let c = official(&s).await;
    let col = "people";

    // Watch first, so the inserts below produce events.
    let seen: Arc<Mutex<Vec<(String, Value)>>> = Arc::default();
    let sink = seen.clone();
    let watch_id = c
        .watch(
            WatchRequest {
                collectionname: col.into(),
                paths: vec![],
            },
            env(),
            Box::new(move |ev: WatchEvent| {
                sink.lock()
                    .unwrap()
                    .push((ev.operation, parse_json(&ev.document)))
            }),
        )
        .await
        .expect("watch");
    assert!(!watch_id.is_empty());

    let people: Vec<Value> = x["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let mut p = p.clone();
            p["_type"] = "person".into();
            p
        })
        .collect();
    let req = InsertManyRequest {
        collectionname: col.into(),
        items: Value::Array(people).to_string(),
        ..Default::default()
    };
    let inserted = parse_json(
        &c.insert_many(req, env())
            .await
            .expect("insert_many")
            .results,
    );
    assert_eq!(inserted.as_array().unwrap().len(), 4);
    let id_of = |name: &str| {
        inserted
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["name"] == name)
            .unwrap()["_id"]
            .as_str()
            .unwrap()
            .to_string()
    };

    // Filters, projection, orderby, skip, top.
    let r = query(
        &c,
        col,
        json!({"age": {"$gt": 20}}),
        r#"{"age":1}"#,
        0,
        100,
        r#"{"name":1}"#,
    )
    .await;
    assert_eq!(names(&r), x["over20_by_age"]);
    let mut keys: Vec<String> = parse_json(&r)[0]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    keys.sort();
    assert_eq!(json!(keys), x["over20_projected_keys"]);
    let r = query(
        &c,
        col,
        json!({"team": {"$in": ["red", "green"]}}),
        "name",
        1,
        2,
        "",
    )
    .await;
    assert_eq!(names(&r), x["red_or_green_by_name_skip1_top2"]);
    let r = query(
        &c,
        col,
        json!({"age": {"$gte": 20, "$lt": 35}}),
        r#"{"name":1}"#,
        0,
        100,
        "",
    )
    .await;
    assert_eq!(names(&r), x["age_between_20_and_35"]);
    let r = query(&c, col, json!({"team": {"$exists": true}}), "", 0, 100, "").await;
    assert_eq!(
        json!(parse_json(&r).as_array().unwrap().len()),
        x["with_team_exists"]
    );

    let n = c
        .count(
            CountRequest {
                collectionname: col.into(),
                query: r#"{"team":"red"}"#.into(),
                ..Default::default()
            },
            env(),
        )
        .await
        .unwrap();
    assert_eq!(json!(n.result), x["count_red"]);
    let d = c
        .distinct(
            DistinctRequest {
                collectionname: col.into(),
                field: "team".into(),
                ..Default::default()
            },
            env(),
        )
        .await
        .unwrap();
    assert_eq!(json!(d.results), x["distinct_team"]);
    let a = c
        .aggregate(
            AggregateRequest {
                collectionname: col.into(),
                aggregates: r#"[{"$match":{"age":{"$gt":20}}},{"$count":"n"}]"#.into(),
                ..Default::default()
            },
            env(),
        )
        .await
        .unwrap();
    assert_eq!(parse_json(&a.results), x["aggregate_over20_count"]);

    // Update, upsert by another key, deletes.
    let item =
        json!({"_id": id_of("ann"), "name": "ann", "age": 32, "team": "red", "_type": "person"});
    let u = c
        .update_one(
            UpdateOneRequest {
                collectionname: col.into(),
                item: item.to_string(),
                ..Default::default()
            },
            env(),
        )
        .await
        .unwrap();
    let u = parse_json(&u.result);
    assert_eq!(
        json!({"age": u["age"], "_version": u["_version"]}),
        x["ann_after_update"]
    );
    let item = json!({"name": "bob", "age": 26, "team": "blue", "_type": "person"});
    let req = InsertOrUpdateOneRequest {
        collectionname: col.into(),
        uniqeness: "name".into(),
        item: item.to_string(),
        ..Default::default()
    };
    let b = parse_json(&c.insert_or_update_one(req, env()).await.unwrap());
    assert_eq!(
        json!({"age": b["age"], "_version": b["_version"], "same_id": b["_id"] == id_of("bob")}),
        x["bob_after_upsert"]
    );
    let n = c
        .delete_one(
            DeleteOneRequest {
                collectionname: col.into(),
                id: id_of("bob"),
                ..Default::default()
            },
            env(),
        )
        .await
        .unwrap();
    assert_eq!(json!(n), x["delete_one_bob"]);
    let n = c
        .delete_many(
            DeleteManyRequest {
                collectionname: col.into(),
                query: r#"{"team":"red"}"#.into(),
                ..Default::default()
            },
            env(),
        )
        .await
        .unwrap();
    assert_eq!(json!(n), x["delete_many_red"]);
    let n = c
        .count(
            CountRequest {
                collectionname: col.into(),
                query: "{}".into(),
                ..Default::default()
            },
            env(),
        )
        .await
        .unwrap();
    assert_eq!(json!(n.result), x["count_after_deletes"]);

    // Typed errors: the server's text comes back as a server error.
    let e = c
        .query(
            QueryRequest {
                collectionname: col.into(),
                query: "{bad".into(),
                ..Default::default()
            },
            env(),
        )
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains(x["errors"]["bad_query"].as_str().unwrap()),
        "{e}"
    );
    let e = c
        .delete_one(
            DeleteOneRequest {
                collectionname: col.into(),
                id: id_of("bob"),
                ..Default::default()
            },
            env(),
        )
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains(x["errors"]["delete_missing"].as_str().unwrap()),
        "{e}"
    );

    // Collections and indexes.
    let list = parse_json(&c.list_collections(false, env()).await.unwrap());
    assert!(
        list.as_array().unwrap().iter().any(|c| c["name"] == col),
        "{list}"
    );
    c.create_index(
        CreateIndexRequest {
            collectionname: col.into(),
            index: r#"{"name":1}"#.into(),
            ..Default::default()
        },
        env(),
    )
    .await
    .unwrap();
    let idx = parse_json(
        &c.get_indexes(
            GetIndexesRequest {
                collectionname: col.into(),
            },
            env(),
        )
        .await
        .unwrap(),
    );
    assert_eq!(
        idx.as_array()
            .unwrap()
            .iter()
            .map(|i| i["name"].clone())
            .collect::<Vec<_>>(),
        vec![json!("_id_"), json!("name_1")]
    );

    // Watch events: 4 inserts, 2 replaces (update, upsert), 3 deletes, in order.
    let t0 = std::time::Instant::now();
    while seen.lock().unwrap().len() < 9 && t0.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let ops: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|(o, _)| o.clone())
        .collect();
    assert_eq!(
        ops,
        [
            "insert", "insert", "insert", "insert", "replace", "replace", "delete", "delete",
            "delete"
        ]
    );
    let mut distinct_ops = ops.clone();
    distinct_ops.dedup();
    assert_eq!(json!(distinct_ops), x["watch_operations"]);
    assert_eq!(seen.lock().unwrap()[0].1["name"], "ann");
    c.unwatch(env(), &watch_id).await.expect("unwatch");
    c.insert_one(
        InsertOneRequest {
            collectionname: col.into(),
            item: r#"{"name":"eve"}"#.into(),
            ..Default::default()
        },
        env(),
    )
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(seen.lock().unwrap().len(), 9, "no events after unwatch");
    c.disconnect();
}

fn wi_req(wiq: &str, name: &str, payload: &str, priority: i32) -> PushWorkitemRequest {
    PushWorkitemRequest {
        wiq: wiq.into(),
        name: name.into(),
        payload: payload.into(),
        priority,
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn official_client_workitems_scenario() {
    let x: Value = parse_json(EXPECTED);
    let w = &x["workitems"];
    let s = server(|_| {}).await;
    let c = official(&s).await;
    let wiq = "interop_wiq";
    c.push_workitem(wi_req(wiq, "job1", r#"{"n":1}"#, 2), env())
        .await
        .expect("push job1");
    let pushed = c
        .push_workitem(wi_req(wiq, "job2", r#"{"n":2}"#, 1), env())
        .await
        .expect("push job2")
        .workitem
        .unwrap();
    assert_eq!(pushed.state, "new");
    let pop = |c: &Client| {
        let c = c.clone();
        async move {
            let dir = std::env::temp_dir();
            c.pop_workitem(
                PopWorkitemRequest {
                    wiq: wiq.into(),
                    ..Default::default()
                },
                env(),
                dir.to_str(),
            )
            .await
            .expect("pop")
            .workitem
        }
    };
    let mut order = vec![];
    let first = pop(&c).await.unwrap();
    order.push(first.name.clone());
    assert_eq!(json!(first.state), w["first_pop_state"]);
    assert_eq!(parse_json(&first.payload), w["payload_job2"]);
    let mut done = first.clone();
    done.state = "successful".into();
    let done = c
        .update_workitem(
            UpdateWorkitemRequest {
                workitem: Some(done),
                ..Default::default()
            },
            env(),
        )
        .await
        .unwrap()
        .workitem
        .unwrap();
    assert_eq!(json!(done.state), w["after_success"]);

    let second = pop(&c).await.unwrap();
    order.push(second.name.clone());
    let mut retry = second.clone();
    retry.state = "retry".into();
    retry.errormessage = "try again".into();
    let retried = c
        .update_workitem(
            UpdateWorkitemRequest {
                workitem: Some(retry),
                ..Default::default()
            },
            env(),
        )
        .await
        .unwrap()
        .workitem
        .unwrap();
    assert_eq!(
        json!({"state": retried.state, "retries": retried.retries}),
        w["after_retry"]
    );
    let third = pop(&c).await.unwrap();
    order.push(third.name.clone());
    assert_eq!(json!(order), w["pop_order"]);
    c.delete_workitem(
        DeleteWorkitemRequest {
            id: third.id.clone(),
        },
        env(),
    )
    .await
    .expect("delete");
    assert_eq!(pop(&c).await.map(|w| w.name), None);
    assert!(w["pop_when_empty"].is_null());
    let e = c
        .delete_workitem(DeleteWorkitemRequest { id: third.id }, env())
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("Work item  with _id ") && e.to_string().contains(" not found."),
        "{e}"
    );
    c.disconnect();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn official_client_upload_and_download_round_trip() {
    let x: Value = parse_json(EXPECTED);
    let f = &x["file"];
    let s = server(|_| {}).await;
    let c = official(&s).await;
    let n = f["bytes"].as_u64().unwrap() as usize;
    let m = f["pattern_mod"].as_u64().unwrap() as usize;
    let data: Vec<u8> = (0..n).map(|i| (i % m) as u8).collect();
    let dir = std::env::temp_dir().join(format!("openiap-data-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("pattern.bin");
    std::fs::write(&path, &data).unwrap();
    let req = UploadRequest {
        filename: "pattern.bin".into(),
        mimetype: "application/octet-stream".into(),
        collectionname: "fs.files".into(),
        ..Default::default()
    };
    let up = c
        .upload(req, env(), path.to_str().unwrap())
        .await
        .expect("upload");
    // As OpenFlow (§10.1), the reply carries only the id and the filename.
    assert_eq!((up.bytes, up.chunks, up.elapsed_time), (0, 0, 0));
    assert_eq!(up.filename, "pattern.bin");
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    let req = DownloadRequest {
        id: up.id.clone(),
        collectionname: "fs.files".into(),
        ..Default::default()
    };
    let down = c
        .download(req, env(), out.to_str(), Some("copy.bin"))
        .await
        .expect("download");
    assert!(down.filename.ends_with("copy.bin"), "{}", down.filename);
    assert_eq!(
        std::fs::read(out.join("copy.bin")).unwrap(),
        data,
        "bytes round-trip"
    );
    let files = parse_json(
        &c.query(
            QueryRequest {
                collectionname: "fs.files".into(),
                query: "{}".into(),
                ..Default::default()
            },
            env(),
        )
        .await
        .unwrap()
        .results,
    );
    assert_eq!(files[0]["length"], f["bytes"]);
    let e = c
        .download(
            DownloadRequest {
                id: "missing".into(),
                ..Default::default()
            },
            env(),
            out.to_str(),
            None,
        )
        .await
        .unwrap_err();
    // OpenFlow's wording for a missing file on /ws/v2 (WebServer.ts, `download`).
    assert!(
        e.to_string().contains("Access denied, downloading missing"),
        "{e}"
    );
    let _ = std::fs::remove_dir_all(&dir);
    c.disconnect();
}
