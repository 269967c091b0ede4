//! The commands added for the official client's full API, driven by the unmodified
//! `openiap-client` 0.0.41: getdocumentversion, updatedocument, pushworkitems, work item queue
//! objects, createworkflowinstance and ensurecustomer.

mod common;
use common::{official, parse_json, server};
use openiap_client::*;
use serde_json::{json, Value};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

type QueueCallback = std::sync::Arc<
    dyn Fn(
            std::sync::Arc<Client>,
            QueueEvent,
        ) -> Pin<Box<dyn Future<Output = Option<String>> + Send>>
        + Send
        + Sync,
>;

fn env() -> EnvConfig {
    EnvConfig::new()
}

/// Adds work item queue `name` through the official client.
async fn add_queue(
    c: &Client,
    name: &str,
    maxretries: i32,
    skiprole: bool,
) -> Result<WorkItemQueue, OpenIAPError> {
    let workitemqueue = WorkItemQueue {
        name: name.into(),
        maxretries,
        ..Default::default()
    };
    let req = AddWorkItemQueueRequest {
        workitemqueue: Some(workitemqueue),
        skiprole,
    };
    c.add_workitem_queue(req, env()).await
}

async fn version(c: &Client, id: &str, version: i32) -> Result<Value, String> {
    let req = GetDocumentVersionRequest {
        collectionname: "versions".into(),
        id: id.into(),
        version,
        ..Default::default()
    };
    c.get_document_version(req, env())
        .await
        .map(|r| parse_json(&r))
        .map_err(|e| e.to_string())
}

async fn update_doc(c: &Client, query: Value, document: Value) -> Result<UpdateResult, String> {
    let req = UpdateDocumentRequest {
        collectionname: "versions".into(),
        query: query.to_string(),
        document: document.to_string(),
        ..Default::default()
    };
    c.update_document(req, env())
        .await
        .map(|r| r.opresult.expect("opresult"))
        .map_err(|e| e.to_string())
}

async fn query(c: &Client, collection: &str, q: Value) -> Vec<Value> {
    let req = QueryRequest {
        collectionname: collection.into(),
        query: q.to_string(),
        ..Default::default()
    };
    let r = c.query(req, env()).await.expect("query");
    serde_json::from_str(&r.results).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn document_versions_and_update_documents() {
    let s = server(|_| {}).await;
    let c = official(&s).await;
    let inserted = c
        .insert_one(
            InsertOneRequest {
                collectionname: "versions".into(),
                item: json!({"name": "v0", "n": 1, "tags": ["a"], "gone": true}).to_string(),
                ..Default::default()
            },
            env(),
        )
        .await
        .expect("insert");
    let doc = parse_json(&inserted.result);
    let id = doc["_id"].as_str().unwrap().to_string();
    assert_eq!(doc["_version"], 0);
    let mut v1 = doc.clone();
    v1["name"] = "v1".into();
    c.update_one(
        UpdateOneRequest {
            collectionname: "versions".into(),
            item: v1.to_string(),
            ..Default::default()
        },
        env(),
    )
    .await
    .expect("update_one");
    // updatedocument: operators, one version more per matched document.
    let r = update_doc(
        &c,
        json!({"_id": id}),
        json!({"$set": {"name": "v2", "sub.k": 1}, "$inc": {"n": 2}, "$push": {"tags": "b"},
            "$unset": {"gone": ""}}),
    )
    .await
    .expect("update_document");
    assert!(r.acknowledged);
    assert_eq!(
        (r.matched_count, r.modified_count, r.upserted_count),
        (1, 1, 0)
    );
    let now = &query(&c, "versions", json!({"_id": id})).await[0];
    assert_eq!(now["_version"], 2);
    assert_eq!(
        (&now["name"], &now["n"], &now["tags"], &now["sub"]["k"]),
        (&json!("v2"), &json!(3), &json!(["a", "b"]), &json!(1))
    );
    assert!(now.get("gone").is_none());
    assert_eq!(now["_modifiedby"], "testuser");

    assert_eq!(version(&c, &id, 0).await.unwrap()["name"], "v0");
    assert_eq!(version(&c, &id, 1).await.unwrap()["name"], "v1");
    assert_eq!(version(&c, &id, 2).await.unwrap()["name"], "v2");
    assert_eq!(version(&c, &id, -1).await.unwrap()["name"], "v2");
    assert_eq!(version(&c, &id, 0).await.unwrap()["_version"], 0);
    let e = version(&c, "nosuchid", 0).await.unwrap_err();
    assert!(
        e.contains("item nosuchid not found in versions or Access Denied"),
        "{e}"
    );

    // A query matching several documents updates them all; none matching is not an error.
    for n in 0..3 {
        c.insert_one(
            InsertOneRequest {
                collectionname: "versions".into(),
                item: json!({"batch": true, "n": n}).to_string(),
                ..Default::default()
            },
            env(),
        )
        .await
        .unwrap();
    }
    let r = update_doc(&c, json!({"batch": true}), json!({"$inc": {"n": 10}}))
        .await
        .unwrap();
    assert_eq!((r.matched_count, r.modified_count), (3, 3));
    let ns: Vec<Value> = query(&c, "versions", json!({"batch": true}))
        .await
        .iter()
        .map(|d| json!([d["n"], d["_version"]]))
        .collect();
    assert_eq!(ns, [json!([10, 1]), json!([11, 1]), json!([12, 1])]);
    let r = update_doc(&c, json!({"nobody": 1}), json!({"$set": {"x": 1}}))
        .await
        .unwrap();
    assert_eq!((r.matched_count, r.modified_count), (0, 0));
    // MongoDB's errors.
    let e = update_doc(&c, json!({}), json!({"x": 1}))
        .await
        .unwrap_err();
    assert!(
        e.contains("Update document requires atomic operators"),
        "{e}"
    );
    let e = update_doc(&c, json!({}), json!({"$frob": {"x": 1}}))
        .await
        .unwrap_err();
    assert!(e.contains("Unknown modifier: $frob"), "{e}");
    c.disconnect();
}

fn wi(name: &str, priority: i32) -> Workitem {
    Workitem {
        name: name.into(),
        payload: json!({ "item": name }).to_string(),
        priority,
        ..Default::default()
    }
}

async fn pop(c: &Client, wiq: &str, wiqid: &str) -> Option<Workitem> {
    let dir = std::env::temp_dir();
    c.pop_workitem(
        PopWorkitemRequest {
            wiq: wiq.into(),
            wiqid: wiqid.into(),
            ..Default::default()
        },
        env(),
        dir.to_str(),
    )
    .await
    .expect("pop")
    .workitem
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pushworkitems_and_work_item_queue_objects() {
    let s = server(|_| {}).await;
    let c = official(&s).await;
    // An implicit queue (no queue object) still works as before.
    let pushed = c
        .push_workitems(
            PushWorkitemsRequest {
                wiq: "implicit".into(),
                priority: 5,
                items: vec![wi("a", 0), wi("b", 1)],
                success_wiq: "done".into(),
                ..Default::default()
            },
            env(),
        )
        .await
        .expect("push_workitems")
        .workitems;
    assert_eq!(pushed.len(), 2);
    assert_eq!(
        pushed
            .iter()
            .map(|w| (
                w.name.as_str(),
                w.priority,
                w.state.as_str(),
                w.success_wiq.as_str()
            ))
            .collect::<Vec<_>>(),
        [("a", 5, "new", "done"), ("b", 1, "new", "done")]
    );
    assert!(pushed
        .iter()
        .all(|w| w.wiq == "implicit" && !w.id.is_empty()));
    assert_eq!(pop(&c, "implicit", "").await.unwrap().name, "b");

    // A queue object, then items pushed by name and popped by id.
    let q = add_queue(&c, "orders", 2, true)
        .await
        .expect("add_workitem_queue");
    assert_eq!((q.name.as_str(), q.version, q.maxretries), ("orders", 0, 2));
    assert_eq!(q.id.len(), 24);
    assert!(q.created.is_some() && q.modified.is_some());
    assert_eq!(q.createdby, "testuser");
    let e = add_queue(&c, "orders", 0, true).await.unwrap_err();
    assert!(
        e.to_string()
            .contains("Work item queue with name orders already exists"),
        "{e}"
    );
    c.push_workitems(
        PushWorkitemsRequest {
            wiq: "orders".into(),
            items: vec![wi("o1", 1), wi("o2", 1)],
            ..Default::default()
        },
        env(),
    )
    .await
    .unwrap();
    let first = pop(&c, "", &q.id).await.expect("pop by id");
    assert_eq!(
        (first.name.as_str(), first.wiqid.as_str()),
        ("o1", q.id.as_str())
    );
    // The queue's maxretries (2) decides when a retried item fails.
    let mut retry = first.clone();
    for expected in ["new", "failed"] {
        retry.state = "retry".into();
        let out = c
            .update_workitem(
                UpdateWorkitemRequest {
                    workitem: Some(retry.clone()),
                    ..Default::default()
                },
                env(),
            )
            .await
            .unwrap()
            .workitem
            .unwrap();
        assert_eq!(out.state, expected);
        retry = out;
    }

    // Update: rename, settings, version + 1; the items follow the queue.
    let updated = c
        .update_workitem_queue(
            UpdateWorkItemQueueRequest {
                workitemqueue: Some(WorkItemQueue {
                    id: q.id.clone(),
                    name: "orders2".into(),
                    retrydelay: 5,
                    ..Default::default()
                }),
                skiprole: true,
                purge: false,
            },
            env(),
        )
        .await
        .expect("update_workitem_queue");
    assert_eq!(
        (
            updated.name.as_str(),
            updated.version,
            updated.retrydelay,
            updated.id.as_str()
        ),
        ("orders2", 1, 5, q.id.as_str())
    );
    assert_eq!(pop(&c, "orders2", "").await.unwrap().wiq, "orders2");
    let e = c
        .update_workitem_queue(
            UpdateWorkItemQueueRequest {
                workitemqueue: Some(WorkItemQueue {
                    name: "nosuchqueue".into(),
                    ..Default::default()
                }),
                ..Default::default()
            },
            env(),
        )
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("Work item queue with name nosuchqueue not found."),
        "{e}"
    );

    // Delete: refused while it has items, unless purged.
    let e = c
        .delete_workitem_queue(
            DeleteWorkItemQueueRequest {
                wiq: "orders2".into(),
                ..Default::default()
            },
            env(),
        )
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("Work item queue orders2 is not empty, enable purge to delete"),
        "{e}"
    );
    c.delete_workitem_queue(
        DeleteWorkItemQueueRequest {
            wiqid: q.id.clone(),
            purge: true,
            ..Default::default()
        },
        env(),
    )
    .await
    .expect("delete with purge");
    assert!(pop(&c, "", &q.id).await.is_none(), "purged");
    let e = c
        .delete_workitem_queue(
            DeleteWorkItemQueueRequest {
                wiqid: q.id.clone(),
                ..Default::default()
            },
            env(),
        )
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains(&format!("Work item queue with _id {} not found.", q.id)),
        "{e}"
    );

    // Purge on update empties the queue and keeps it.
    let q3 = add_queue(&c, "purgeme", 0, false).await.unwrap();
    c.push_workitem(
        PushWorkitemRequest {
            wiqid: q3.id.clone(),
            name: "x".into(),
            ..Default::default()
        },
        env(),
    )
    .await
    .unwrap();
    c.update_workitem_queue(
        UpdateWorkItemQueueRequest {
            workitemqueue: Some(WorkItemQueue {
                name: "purgeme".into(),
                ..Default::default()
            }),
            skiprole: false,
            purge: true,
        },
        env(),
    )
    .await
    .unwrap();
    assert!(pop(&c, "purgeme", "").await.is_none());
    c.disconnect();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn workflow_instances_and_customers() {
    let s = server(|_| {}).await;
    let c = official(&s).await;
    let req = CreateWorkflowInstanceRequest {
        workflowid: "wf1".into(),
        targetid: "target1".into(),
        resultqueue: "results".into(),
        name: "my instance".into(),
        data: json!({"x": 1}).to_string(),
        initialrun: false,
    };
    let id = c
        .create_workflow_instance(req.clone(), env())
        .await
        .expect("create_workflow_instance");
    assert_eq!(id.len(), 24, "{id}");
    let stored = query(&c, "workflow_instances", json!({"_id": id})).await;
    assert_eq!(stored.len(), 1);
    let d = &stored[0];
    assert_eq!(
        (
            &d["_type"],
            &d["name"],
            &d["state"],
            &d["workflow"],
            &d["payload"]["x"]
        ),
        (
            &json!("instance"),
            &json!("my instance"),
            &json!("new"),
            &json!("wf1"),
            &json!(1)
        )
    );
    assert_eq!(d["_createdby"], "testuser");
    // OpenFlow's mandatory fields.
    for (field, text) in [
        ("resultqueue", "replyqueuename is mandatory"),
        ("targetid", "targetid is mandatory"),
    ] {
        let mut bad = req.clone();
        match field {
            "resultqueue" => bad.resultqueue.clear(),
            _ => bad.targetid.clear(),
        }
        let e = c.create_workflow_instance(bad, env()).await.unwrap_err();
        assert!(e.to_string().contains(text), "{e}");
    }

    // A known workflow gives the name and, with initialrun, gets a message on its queue.
    c.insert_one(
        InsertOneRequest {
            collectionname: "workflow".into(),
            item: json!({"_id": "wf2", "name": "Flow two", "queue": "wf2.queue"}).to_string(),
            ..Default::default()
        },
        env(),
    )
    .await
    .unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<QueueEvent>();
    let cb: QueueCallback = std::sync::Arc::new(move |_c, ev| {
        let _ = tx.send(ev);
        Box::pin(async { None })
    });
    c.register_queue(RegisterQueueRequest::byqueuename("wf2.queue"), env(), cb)
        .await
        .unwrap();
    let run = CreateWorkflowInstanceRequest {
        workflowid: "wf2".into(),
        name: String::new(),
        initialrun: true,
        ..req.clone()
    };
    let id2 = c.create_workflow_instance(run, env()).await.unwrap();
    let ev = tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .expect("initial run message")
        .unwrap();
    let data = parse_json(&ev.data);
    assert_eq!(
        (data["_id"].as_str(), ev.replyto.as_str()),
        (Some(id2.as_str()), "results")
    );
    assert_eq!(data["__user"]["username"], "testuser");
    let d = &query(&c, "workflow_instances", json!({"_id": id2})).await[0];
    assert_eq!(d["name"], "Flow two");
    assert!(
        d.get("form").is_none(),
        "form is only set without initialrun"
    );

    // ensurecustomer: created once per name for the signed-in user, then returned.
    let ensure = |name: &str, vat: &str| EnsureCustomerRequest {
        customer: Some(Customer {
            name: name.into(),
            vatnumber: vat.into(),
            ..Default::default()
        }),
        ..Default::default()
    };
    let first = c
        .ensure_customer(ensure("Acme", ""), env())
        .await
        .expect("ensure_customer")
        .customer
        .unwrap();
    assert_eq!(first.id.len(), 24);
    assert_eq!(
        (
            first.name.as_str(),
            first.r#type.as_str(),
            first.email.as_str()
        ),
        ("Acme", "customer", "testuser")
    );
    assert_eq!(first.userid, c.get_user().unwrap().id);
    let again = c
        .ensure_customer(ensure("Acme", "DK123"), env())
        .await
        .unwrap()
        .customer
        .unwrap();
    assert_eq!(again.id, first.id, "the existing customer");
    assert_eq!(again.vatnumber, "DK123");
    let other = c
        .ensure_customer(ensure("Other Inc", ""), env())
        .await
        .unwrap()
        .customer
        .unwrap();
    assert_ne!(other.id, first.id);
    let stored = query(&c, "users", json!({"_type": "customer"})).await;
    assert_eq!(stored.len(), 2);
    let e = c
        .ensure_customer(
            EnsureCustomerRequest {
                customer: Some(Customer::default()),
                ensureas: "someoneelse".into(),
                ..Default::default()
            },
            env(),
        )
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("Access denied creating customer on behalf of someoneelse"),
        "{e}"
    );
    c.disconnect();
}
