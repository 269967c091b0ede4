//! The data commands: collections and documents ([`crate::docs`], [`crate::update`]), watches,
//! work items and their queues ([`crate::workitems`], [`crate::wiq`]), files ([`crate::files`]),
//! workflow instances and customers ([`crate::entities`]) and `customcommand`.

use crate::commands::{begin_upload, data_reply as reply, parse, ConnCtx, Reply, Res};
use crate::docs::{parse_json, Change, Watch, Writer};
use crate::files::{File, Upload, CHUNK};
use crate::state::{ConnId, Shared};
use crate::workitems::file_ref;
use openiap_wasm::pb::*;
use openiap_wasm::protocol::envelope::{envelope, to_any};
use serde_json::{json, Value};

const COMMANDS: &[&str] = &[
    "query",
    "getdocumentversion",
    "count",
    "distinct",
    "aggregate",
    "insertone",
    "insertmany",
    "updateone",
    "updatedocument",
    "insertorupdateone",
    "insertorupdatemany",
    "deleteone",
    "deletemany",
    "listcollections",
    "createcollection",
    "dropcollection",
    "getindexes",
    "createindex",
    "dropindex",
    "watch",
    "unwatch",
    "pushworkitem",
    "pushworkitems",
    "popworkitem",
    "updateworkitem",
    "deleteworkitem",
    "addworkitemqueue",
    "updateworkitemqueue",
    "deleteworkitemqueue",
    "createworkflowinstance",
    "ensurecustomer",
    "customcommand",
    "startagent",
    "stopagent",
    "getagentpods",
    "getagentlog",
    "deleteagentpod",
    "deleteagent",
    "deletepackage",
    "upload",
    "download",
];

/// True for the commands handled here.
pub fn handles(command: &str) -> bool {
    COMMANDS.contains(&command)
}

fn col(name: String) -> String {
    if name.is_empty() {
        "entities".into()
    } else {
        name
    }
}

fn json_items(text: &str) -> Result<Vec<Value>, String> {
    match parse_json(text, "items", json!([]))? {
        Value::Array(a) => Ok(a),
        _ => Err("items must be a JSON array".into()),
    }
}

fn text(v: &[Value]) -> String {
    Value::Array(v.to_vec()).to_string()
}

/// Watch events for `changes`: one per watch of the changed collection.
fn events(st: &crate::state::State, changes: Vec<Change>) -> Vec<(ConnId, Envelope)> {
    let mut out = vec![];
    for (collection, operation, doc) in changes {
        for (id, conn) in st.docs.watchers(&collection) {
            let ev = WatchEvent {
                id,
                operation: operation.into(),
                document: doc.to_string(),
            };
            out.push((conn, envelope("watchevent", Some(to_any(&ev)))));
        }
    }
    out
}

fn wi_out(mut w: Workitem) -> Workitem {
    w.files = w.files.iter().map(file_ref).collect();
    w
}

/// How long OpenFlow keeps a `listcollections` answer per jwt (§10.1).
const LIST_CACHE: std::time::Duration = std::time::Duration::from_secs(60);

/// Handles data command `env` for `user`, who sent it with `jwt`.
pub fn handle(shared: &Shared, ctx: &mut ConnCtx, env: &Envelope, user: &User, jwt: &str) -> Res {
    let who = Writer {
        name: &user.username,
        id: &user.id,
    };
    let mut st = shared.lock();
    let mut changes: Vec<Change> = vec![];
    let mut after = vec![];
    let r: Reply = match env.command.as_str() {
        "query" => {
            let q: QueryRequest = parse(env)?;
            let docs = st.docs.query(
                &col(q.collectionname),
                &q.query,
                &q.projection,
                &q.orderby,
                q.skip,
                q.top,
            )?;
            reply(
                "queryreply",
                &QueryResponse {
                    results: text(&docs),
                },
            )
        }
        "getdocumentversion" => {
            let q: GetDocumentVersionRequest = parse(env)?;
            let doc = st.docs.version(&col(q.collectionname), &q.id, q.version)?;
            reply(
                "getdocumentversionreply",
                &GetDocumentVersionResponse {
                    result: doc.to_string(),
                },
            )
        }
        "count" => {
            let q: CountRequest = parse(env)?;
            let n = st.docs.count(&col(q.collectionname), &q.query)?;
            reply("countreply", &CountResponse { result: n as i32 })
        }
        "distinct" => {
            let q: DistinctRequest = parse(env)?;
            let results = st
                .docs
                .distinct(&col(q.collectionname), &q.field, &q.query)?;
            reply("distinctreply", &DistinctResponse { results })
        }
        "aggregate" => {
            let q: AggregateRequest = parse(env)?;
            let docs = st.docs.aggregate(&col(q.collectionname), &q.aggregates)?;
            reply(
                "aggregatereply",
                &AggregateResponse {
                    results: text(&docs),
                },
            )
        }
        "insertone" => {
            let q: InsertOneRequest = parse(env)?;
            let item = parse_json(&q.item, "item", Value::Null)?;
            let doc = st
                .docs
                .insert(&col(q.collectionname), item, &who, &mut changes)?;
            reply(
                "insertonereply",
                &InsertOneResponse {
                    result: doc.to_string(),
                },
            )
        }
        "insertmany" => {
            let q: InsertManyRequest = parse(env)?;
            let c = col(q.collectionname);
            let mut out = vec![];
            for item in json_items(&q.items)? {
                out.push(st.docs.insert(&c, item, &who, &mut changes)?);
            }
            let results = if q.skipresults {
                "[]".into()
            } else {
                text(&out)
            };
            reply("insertmanyreply", &InsertManyResponse { results })
        }
        "updateone" => {
            let q: UpdateOneRequest = parse(env)?;
            let item = parse_json(&q.item, "item", Value::Null)?;
            let doc = st
                .docs
                .update(&col(q.collectionname), item, &who, &mut changes)?;
            reply(
                "updateonereply",
                &UpdateOneResponse {
                    result: doc.to_string(),
                },
            )
        }
        "updatedocument" => {
            let q: UpdateDocumentRequest = parse(env)?;
            let opresult = st.docs.update_document(
                &col(q.collectionname),
                &q.query,
                &q.document,
                &who,
                &mut changes,
            )?;
            reply(
                "updatedocumentreply",
                &UpdateDocumentResponse {
                    opresult: Some(opresult),
                },
            )
        }
        "insertorupdateone" => {
            let q: InsertOrUpdateOneRequest = parse(env)?;
            let item = parse_json(&q.item, "item", Value::Null)?;
            let doc = st.docs.upsert(
                &col(q.collectionname),
                &q.uniqeness,
                item,
                &who,
                &mut changes,
            )?;
            reply(
                "insertorupdateonereply",
                &InsertOrUpdateOneResponse {
                    result: doc.to_string(),
                },
            )
        }
        "insertorupdatemany" => {
            let q: InsertOrUpdateManyRequest = parse(env)?;
            let c = col(q.collectionname);
            let mut out = vec![];
            for item in json_items(&q.items)? {
                out.push(st.docs.upsert(&c, &q.uniqeness, item, &who, &mut changes)?);
            }
            let results = if q.skipresults {
                "[]".into()
            } else {
                text(&out)
            };
            reply(
                "insertorupdatemanyreply",
                &InsertOrUpdateManyResponse { results },
            )
        }
        "deleteone" => {
            let q: DeleteOneRequest = parse(env)?;
            let n = st
                .docs
                .delete_one(&col(q.collectionname), &q.id, &mut changes)?;
            reply("deleteonereply", &DeleteOneResponse { affectedrows: n })
        }
        "deletemany" => {
            let q: DeleteManyRequest = parse(env)?;
            let n = st
                .docs
                .delete_many(&col(q.collectionname), &q.query, &q.ids, &mut changes)?;
            reply("deletemanyreply", &DeleteManyResponse { affectedrows: n })
        }
        "listcollections" => {
            // Cached per jwt for a minute, `includehist` not part of the key (§10.1): a
            // collection created or dropped since is not seen with the same token.
            let _: ListCollectionsRequest = parse(env)?;
            let now = std::time::Instant::now();
            let results = match st.collections_cache.get(jwt) {
                Some((at, cached)) if now.duration_since(*at) < LIST_CACHE => cached.clone(),
                _ => {
                    let fresh = text(&st.docs.list());
                    st.collections_cache
                        .insert(jwt.to_string(), (now, fresh.clone()));
                    fresh
                }
            };
            reply("listcollectionsreply", &ListCollectionsResponse { results })
        }
        "createcollection" => {
            let q: CreateCollectionRequest = parse(env)?;
            st.docs.create(&q.collectionname)?;
            reply("createcollectionreply", &CreateCollectionResponse {})
        }
        "dropcollection" => {
            let q: DropCollectionRequest = parse(env)?;
            st.docs.drop_collection(&q.collectionname)?;
            reply("dropcollectionreply", &DropCollectionResponse {})
        }
        "getindexes" => {
            let q: GetIndexesRequest = parse(env)?;
            reply(
                "getindexesreply",
                &GetIndexesResponse {
                    results: text(&st.docs.get_indexes(&q.collectionname)),
                },
            )
        }
        "createindex" => {
            let q: CreateIndexRequest = parse(env)?;
            let name = st
                .docs
                .create_index(&q.collectionname, &q.index, &q.options, &q.name)?;
            reply("createindexreply", &CreateIndexResponse { result: name })
        }
        "dropindex" => {
            let q: DropIndexRequest = parse(env)?;
            st.docs.drop_index(&q.collectionname, &q.name)?;
            reply("dropindexreply", &DropIndexResponse {})
        }
        "watch" => {
            let q: WatchRequest = parse(env)?;
            let id = crate::util::random_id(12);
            st.docs.watches.insert(
                id.clone(),
                Watch {
                    conn: ctx.id,
                    collection: col(q.collectionname),
                },
            );
            reply("watchreply", &WatchResponse { id })
        }
        "unwatch" => {
            let q: UnWatchRequest = parse(env)?;
            if st.docs.watches.get(&q.id).is_none_or(|w| w.conn != ctx.id) {
                return Err(format!("Watch {} not found", q.id));
            }
            st.docs.watches.remove(&q.id);
            reply("unwatchreply", &UnWatchResponse {})
        }
        "pushworkitem" => {
            let q: PushWorkitemRequest = parse(env)?;
            let st = &mut *st;
            let w = st.workitems.push(q, &user.username, &mut st.files)?;
            reply(
                "pushworkitemreply",
                &PushWorkitemResponse {
                    workitem: Some(wi_out(w)),
                },
            )
        }
        "pushworkitems" => {
            let q: PushWorkitemsRequest = parse(env)?;
            let st = &mut *st;
            let items = st.workitems.push_many(q, &user.username, &mut st.files)?;
            reply(
                "pushworkitemsreply",
                &PushWorkitemsResponse {
                    workitems: items.into_iter().map(wi_out).collect(),
                },
            )
        }
        "popworkitem" => {
            let q: PopWorkitemRequest = parse(env)?;
            let w = st.workitems.pop(&q.wiq, &q.wiqid)?;
            reply(
                "popworkitemreply",
                &PopWorkitemResponse {
                    workitem: w.map(wi_out),
                },
            )
        }
        "updateworkitem" => {
            let q: UpdateWorkitemRequest = parse(env)?;
            let st = &mut *st;
            let w = st.workitems.update(q, &mut st.files)?;
            reply(
                "updateworkitemreply",
                &UpdateWorkitemResponse {
                    workitem: Some(wi_out(w)),
                },
            )
        }
        "deleteworkitem" => {
            let q: DeleteWorkitemRequest = parse(env)?;
            st.workitems.delete(&q.id)?;
            reply("deleteworkitemreply", &DeleteWorkitemResponse {})
        }
        "addworkitemqueue" => {
            let q: AddWorkItemQueueRequest = parse(env)?;
            let wiq = st
                .workitems
                .add_queue(q.workitemqueue.unwrap_or_default(), &who)?;
            reply(
                "addworkitemqueuereply",
                &AddWorkItemQueueResponse {
                    workitemqueue: Some(wiq),
                },
            )
        }
        "updateworkitemqueue" => {
            let q: UpdateWorkItemQueueRequest = parse(env)?;
            let wiq =
                st.workitems
                    .update_queue(q.workitemqueue.unwrap_or_default(), q.purge, &who)?;
            reply(
                "updateworkitemqueuereply",
                &UpdateWorkItemQueueResponse {
                    workitemqueue: Some(wiq),
                },
            )
        }
        "deleteworkitemqueue" => {
            let q: DeleteWorkItemQueueRequest = parse(env)?;
            st.workitems.delete_queue(&q.wiq, &q.wiqid, q.purge)?;
            reply("deleteworkitemqueuereply", &DeleteWorkItemQueueResponse {})
        }
        "createworkflowinstance" => {
            let q: CreateWorkflowInstanceRequest = parse(env)?;
            let (instanceid, sends) =
                crate::entities::create_instance(&mut st.docs, q, user, &who, &mut changes)?;
            let expires = std::time::Instant::now()
                + std::time::Duration::from_millis(shared.config.default_expiration_ms);
            for (queue, event) in sends {
                after.extend(st.broker.publish(&queue, event, expires));
            }
            reply(
                "createworkflowinstancereply",
                &CreateWorkflowInstanceResponse { instanceid },
            )
        }
        "ensurecustomer" => {
            let q: EnsureCustomerRequest = parse(env)?;
            let customer = crate::entities::ensure_customer(&mut st.docs, q, user, &mut changes)?;
            reply(
                "ensurecustomerreply",
                &EnsureCustomerResponse {
                    customer: Some(customer),
                    stripe: None,
                },
            )
        }
        "startagent" | "stopagent" => {
            let q: StartAgentRequest = parse(env)?;
            let running = env.command == "startagent";
            crate::agents::set_running(&mut st.docs, &q.agentid, running, &who, &mut changes)?;
            let command = if running {
                "startagentreply"
            } else {
                "stopagentreply"
            };
            reply(command, &StartAgentResponse {})
        }
        "getagentpods" => {
            let q: GetAgentPodsRequest = parse(env)?;
            let results = crate::agents::pods(&st.docs, &q.agentid, q.stats)?.to_string();
            reply("getagentpodsreply", &GetAgentPodsResponse { results })
        }
        "getagentlog" => {
            let q: GetAgentLogRequest = parse(env)?;
            let result = crate::agents::log(&st.docs, &q.agentid, &q.podname)?;
            reply("getagentlogreply", &GetAgentLogResponse { result })
        }
        "deleteagentpod" => {
            let q: DeleteAgentPodRequest = parse(env)?;
            crate::agents::delete_pod(&st.docs, &q.agentid, &q.podname)?;
            reply("deleteagentpodreply", &DeleteAgentPodResponse {})
        }
        "deleteagent" => {
            let q: DeleteAgentRequest = parse(env)?;
            crate::agents::delete(&mut st.docs, &q.agentid, "agent", &mut changes)?;
            reply("deleteagentreply", &DeleteAgentResponse {})
        }
        "deletepackage" => {
            let q: DeletePackageRequest = parse(env)?;
            crate::agents::delete(&mut st.docs, &q.packageid, "package", &mut changes)?;
            reply("deletepackagereply", &DeletePackageResponse {})
        }
        "customcommand" => {
            let q: CustomCommandRequest = parse(env)?;
            let result = match q.command.as_str() {
                "echo" => q.data,
                "whoami" => crate::auth::user_json(user).to_string(),
                "" => return Err("command is mandatory".into()),
                // OpenFlow answers a command it does not know with an empty result (§10.1).
                _ => String::new(),
            };
            reply("customcommandreply", &CustomCommandResponse { result })
        }
        "upload" => {
            let q: UploadRequest = parse(env)?;
            if q.filename.is_empty() {
                return Err("filename is mandatory".into());
            }
            begin_upload(ctx, &env.id, q);
            return Ok(None);
        }
        "download" => {
            let q: DownloadRequest = parse(env)?;
            let Some(f) = st.files.files.get(&q.id) else {
                // OpenFlow's wording (WebServer.ts, `download` on /ws/v2).
                return Err(format!("Access denied, downloading {}", q.id));
            };
            let mut parts = vec![envelope(
                "beginstream",
                Some(to_any(&BeginStream::default())),
            )];
            for c in f.data.chunks(CHUNK) {
                parts.push(envelope(
                    "stream",
                    Some(to_any(&Stream { data: c.to_vec() })),
                ));
            }
            parts.push(envelope("endstream", Some(to_any(&EndStream {}))));
            let resp = DownloadResponse {
                id: q.id.clone(),
                filename: f.filename.clone(),
                mimetype: f.mimetype.clone(),
            };
            reply("downloadreply", &resp).with_before(parts)
        }
        other => return Err(format!("Unknown command {other}")),
    };
    let ev = events(&st, changes);
    Ok(Some(r.with_events(ev).with_deliveries(after)))
}

/// Stores a finished upload and builds its `uploadreply`; the file is also listed as a document
/// of the upload's collection (default `fs.files`).
pub fn finish_upload(shared: &Shared, up: Upload) -> Result<Reply, String> {
    let bytes = up.data.len();
    let req = up.req;
    let mut st = shared.lock();
    let mimetype = if req.mimetype.is_empty() {
        "application/octet-stream".to_string()
    } else {
        req.mimetype
    };
    let metadata = if req.metadata.is_empty() {
        "{}".to_string()
    } else {
        req.metadata
    };
    let meta = parse_json(&metadata, "metadata", json!({}))?;
    let id = st.files.store(File {
        filename: req.filename.clone(),
        mimetype: mimetype.clone(),
        data: up.data,
    });
    let collection = if req.collectionname.is_empty() {
        "fs.files".to_string()
    } else {
        req.collectionname
    };
    let doc = json!({"_id": id, "filename": req.filename, "contentType": mimetype, "length": bytes, "metadata": meta});
    let who = Writer { name: "", id: "" };
    let mut changes = vec![];
    st.docs.insert(&collection, doc, &who, &mut changes)?;
    let ev = events(&st, changes);
    // OpenFlow answers with the id and the filename only (§10.1).
    let resp = UploadResponse {
        id,
        filename: req.filename,
        ..Default::default()
    };
    Ok(reply("uploadreply", &resp).with_events(ev))
}
