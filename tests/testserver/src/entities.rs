//! Documents OpenFlow keeps for other features: workflow instances (`createworkflowinstance`,
//! collection `workflow_instances`) and customers (`ensurecustomer`, collection `users` with
//! `_type: "customer"`). Both are plain documents of [`crate::docs`], so `query` sees them.
//!
//! Error wording is OpenFlow's (src/Messages/Message.ts, `CreateWorkflowInstance` and
//! `EnsureCustomer`).

use crate::docs::{parse_json, Change, Docs, Writer};
use crate::query::matches;
use openiap_wasm::pb::{
    CreateWorkflowInstanceRequest, Customer, EnsureCustomerRequest, QueueEvent, User,
};
use serde_json::{json, Map, Value};

/// Collection of workflow instances.
pub const INSTANCES: &str = "workflow_instances";
/// Collection of customers (and, in OpenFlow, users and roles).
pub const USERS: &str = "users";

/// `createworkflowinstance`: stores the instance (`_type: "instance"`, `state: "new"`, the
/// request's `data` as `payload`) and returns its `_id`. If collection `workflow` has a document
/// with `_id` = `workflowid`, its `name` and `queue` are the defaults; OpenFlow refuses unknown
/// workflow ids, this server does not. With `initialrun` and a known workflow queue, a message
/// `{_id, __user}` goes to that queue with `replyto` = `resultqueue` (returned as a send).
pub fn create_instance(
    docs: &mut Docs,
    req: CreateWorkflowInstanceRequest,
    user: &User,
    who: &Writer,
    changes: &mut Vec<Change>,
) -> Result<(String, Vec<(String, QueueEvent)>), String> {
    if req.workflowid.is_empty() {
        return Err("workflowid or queue is mandatory".into());
    }
    if req.resultqueue.is_empty() {
        return Err("replyqueuename is mandatory".into());
    }
    if req.targetid.is_empty() {
        return Err("targetid is mandatory".into());
    }
    let workflow = docs
        .query(
            "workflow",
            &json!({"_id": req.workflowid}).to_string(),
            "",
            "",
            0,
            1,
        )?
        .into_iter()
        .next()
        .unwrap_or(Value::Null);
    let queue = workflow["queue"].as_str().unwrap_or_default().to_string();
    let name = match (req.name.is_empty(), workflow["name"].as_str()) {
        (false, _) => req.name.clone(),
        (true, Some(n)) => n.to_string(),
        (true, None) => req.workflowid.clone(),
    };
    if !queue.is_empty() && queue == req.resultqueue {
        return Err(format!(
            "Cannot reply to self queuename: {queue} correlationId: {}",
            req.resultqueue
        ));
    }
    // The payload: the data as JSON, or as text when it is not JSON.
    let payload = match parse_json(&req.data, "data", json!({})) {
        Ok(v) => v,
        Err(_) => Value::String(req.data.clone()),
    };
    let correlation_id = crate::util::random_id(9);
    let mut doc = json!({
        "_type": "instance", "name": name, "state": "new", "workflow": req.workflowid,
        "targetid": req.targetid, "resultqueue": req.resultqueue, "queue": queue,
        "correlationId": correlation_id, "payload": payload, "initialrun": req.initialrun,
    });
    if !req.initialrun {
        doc["form"] = "unknown".into();
    }
    let stored = docs.insert(INSTANCES, doc, who, changes)?;
    let id = stored["_id"].as_str().unwrap_or_default().to_string();
    let mut sends = vec![];
    if req.initialrun && !queue.is_empty() {
        let data = json!({"_id": id, "__user": crate::auth::user_json(user)});
        let ev = QueueEvent {
            queuename: queue.clone(),
            correlation_id,
            replyto: req.resultqueue,
            data: data.to_string(),
            ..Default::default()
        };
        sends.push((queue, ev));
    }
    Ok((id, sends))
}

const TEXT_FIELDS: &[&str] = &[
    "stripeid",
    "userid",
    "name",
    "country",
    "email",
    "address",
    "vattype",
    "vatnumber",
    "taxrate",
    "coupon",
    "memory",
    "openflowuserplan",
    "supportplan",
    "supporthourplan",
    "subscriptionid",
    "admins",
    "users",
    "customattr1",
    "customattr2",
    "customattr3",
    "customattr4",
    "customattr5",
];

fn text_mut<'a>(c: &'a mut Customer, field: &str) -> &'a mut String {
    match field {
        "stripeid" => &mut c.stripeid,
        "userid" => &mut c.userid,
        "name" => &mut c.name,
        "country" => &mut c.country,
        "email" => &mut c.email,
        "address" => &mut c.address,
        "vattype" => &mut c.vattype,
        "vatnumber" => &mut c.vatnumber,
        "taxrate" => &mut c.taxrate,
        "coupon" => &mut c.coupon,
        "memory" => &mut c.memory,
        "openflowuserplan" => &mut c.openflowuserplan,
        "supportplan" => &mut c.supportplan,
        "supporthourplan" => &mut c.supporthourplan,
        "subscriptionid" => &mut c.subscriptionid,
        "admins" => &mut c.admins,
        "users" => &mut c.users,
        "customattr1" => &mut c.customattr1,
        "customattr2" => &mut c.customattr2,
        "customattr3" => &mut c.customattr3,
        "customattr4" => &mut c.customattr4,
        _ => &mut c.customattr5,
    }
}

/// A customer document (its non-empty fields) from a `Customer`.
fn to_doc(c: &Customer) -> Value {
    let mut c = c.clone();
    let mut m = Map::new();
    if !c.id.is_empty() {
        m.insert("_id".into(), c.id.clone().into());
    }
    m.insert("_type".into(), "customer".into());
    for f in TEXT_FIELDS {
        let v = text_mut(&mut c, f);
        if !v.is_empty() {
            m.insert(f.to_string(), std::mem::take(v).into());
        }
    }
    m.insert("domains".into(), c.domains.clone().into());
    m.insert("tax".into(), c.tax.into());
    m.insert("hascard".into(), c.hascard.into());
    m.insert("dbusage".into(), c.dbusage.into());
    m.insert("dblocked".into(), c.dblocked.into());
    Value::Object(m)
}

/// A `Customer` from a customer document.
fn from_doc(d: &Value) -> Customer {
    let mut c = Customer {
        id: d["_id"].as_str().unwrap_or_default().into(),
        r#type: "customer".into(),
        tax: d["tax"].as_i64().unwrap_or(0) as i32,
        hascard: d["hascard"].as_bool().unwrap_or(false),
        dbusage: d["dbusage"].as_i64().unwrap_or(0) as i32,
        dblocked: d["dblocked"].as_bool().unwrap_or(false),
        domains: d["domains"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default(),
        ..Default::default()
    };
    for f in TEXT_FIELDS {
        *text_mut(&mut c, f) = d[*f].as_str().unwrap_or_default().into();
    }
    c
}

/// `ensurecustomer`: the signed-in user's customer with the request's `_id`, or else its name
/// (default: the user's name), updated with the request's non-empty fields; created (with an
/// `_id`, `userid` = the user, `email` defaulting to the username) if the user has none.
/// `ensureas` may only name the user itself (OpenFlow also allows users it may update).
pub fn ensure_customer(
    docs: &mut Docs,
    req: EnsureCustomerRequest,
    user: &User,
    changes: &mut Vec<Change>,
) -> Result<Customer, String> {
    if !req.ensureas.is_empty() && req.ensureas != user.id {
        return Err(format!(
            "Access denied creating customer on behalf of {}",
            req.ensureas
        ));
    }
    let who = Writer {
        name: &user.name,
        id: &user.id,
    };
    let mut want = req.customer.unwrap_or_default();
    if want.name.is_empty() {
        want.name = user.name.clone();
    }
    let key = if want.id.is_empty() {
        json!({"_type": "customer", "userid": user.id, "name": want.name})
    } else {
        json!({"_type": "customer", "userid": user.id, "_id": want.id})
    };
    let existing = docs
        .collections
        .get(USERS)
        .and_then(|c| c.iter().find(|d| matches(d, &key).unwrap_or(false)))
        .cloned();
    let Some(old) = existing else {
        want.id.clear();
        want.userid = user.id.clone();
        if want.email.is_empty() {
            want.email = user.username.clone();
        }
        let doc = docs.insert(USERS, to_doc(&want), &who, changes)?;
        return Ok(from_doc(&doc));
    };
    let mut c = from_doc(&old);
    for f in TEXT_FIELDS.iter().filter(|f| **f != "userid") {
        let v = std::mem::take(text_mut(&mut want, f));
        if !v.is_empty() {
            *text_mut(&mut c, f) = v;
        }
    }
    if !want.domains.is_empty() {
        c.domains = want.domains.iter().map(|d| d.to_lowercase()).collect();
    }
    let mut doc = old;
    if let (Value::Object(m), Value::Object(new)) = (&mut doc, to_doc(&c)) {
        m.extend(new);
    }
    let doc = docs.update(USERS, doc, &who, changes)?;
    Ok(from_doc(&doc))
}
