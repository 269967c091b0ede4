//! Agents and packages, in memory: documents of collection `agents` (`_type: "agent"` or
//! `"package"`), as OpenFlow keeps them. An agent that is started has one pod, named after its
//! slug; stopping it removes the pod. Enough for the client's agent methods to be exercised.

use crate::docs::{Change, Docs, Writer};
use serde_json::{json, Value};

/// The collection OpenFlow keeps agents and packages in.
const AGENTS: &str = "agents";

fn find(docs: &Docs, id: &str, kind: &str) -> Result<Value, String> {
    let q = json!({"_id": id, "_type": kind}).to_string();
    docs.query(AGENTS, &q, "{}", "", 0, 1)?
        .into_iter()
        .next()
        .ok_or_else(|| format!("{kind} {id} not found"))
}

fn pod_name(agent: &Value) -> String {
    let slug = agent["slug"]
        .as_str()
        .or(agent["name"].as_str())
        .unwrap_or("agent");
    format!("{slug}-pod")
}

/// `startagent` / `stopagent`: sets the agent running or not.
pub fn set_running(
    docs: &mut Docs,
    id: &str,
    running: bool,
    who: &Writer,
    changes: &mut Vec<Change>,
) -> Result<(), String> {
    let mut agent = find(docs, id, "agent")?;
    agent["running"] = running.into();
    docs.update(AGENTS, agent, who, changes).map(|_| ())
}

/// `getagentpods`: the pods of a running agent (or of every running agent, for an empty id),
/// shaped like Kubernetes' pod list items.
pub fn pods(docs: &Docs, id: &str, stats: bool) -> Result<Value, String> {
    let q = match id {
        "" => json!({"_type": "agent", "running": true}),
        id => {
            find(docs, id, "agent")?;
            json!({"_id": id, "_type": "agent", "running": true})
        }
    };
    let pods: Vec<Value> = docs
        .query(AGENTS, &q.to_string(), "{}", "", 0, 1000)?
        .iter()
        .map(|a| {
            let mut pod = json!({
                "metadata": {"name": pod_name(a), "labels": {"app": a["slug"].clone()}},
                "status": {"phase": "Running"},
            });
            if stats {
                pod["metrics"] = json!({"cpu": "1m", "memory": "16Mi"});
            }
            pod
        })
        .collect();
    Ok(Value::Array(pods))
}

/// `getagentlog`: the log text of an agent's pod.
pub fn log(docs: &Docs, id: &str, podname: &str) -> Result<String, String> {
    let agent = find(docs, id, "agent")?;
    let pod = if podname.is_empty() {
        pod_name(&agent)
    } else {
        podname.to_string()
    };
    if agent["running"] != json!(true) || pod != pod_name(&agent) {
        return Err(format!("pod {pod} not found"));
    }
    Ok(format!("{pod}: started\n{pod}: ready\n"))
}

/// `deleteagentpod`: the pod restarts (it exists only while the agent runs).
pub fn delete_pod(docs: &Docs, id: &str, podname: &str) -> Result<(), String> {
    log(docs, id, podname).map(|_| ())
}

/// `deleteagent` / `deletepackage`: removes the document.
pub fn delete(
    docs: &mut Docs,
    id: &str,
    kind: &str,
    changes: &mut Vec<Change>,
) -> Result<(), String> {
    find(docs, id, kind)?;
    docs.delete_one(AGENTS, id, changes).map(|_| ())
}
