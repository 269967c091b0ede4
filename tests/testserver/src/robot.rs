//! A fake OpenRPA robot for `invoke_openrpa` tests. It consumes every message sent to queue
//! [`ROBOT_QUEUE`] (no client needs to register it; a client that does gets none of them) and
//! answers to the message's `replyto`, with the message's correlation id, as OpenRPA does:
//!
//! - `{"command":"invoke","workflowid":W,"data":PAYLOAD}` →
//!   `{"command":"invokesuccess"}`, then `{"command":"invokecompleted","data":PAYLOAD}`;
//! - W = [`FAIL_WORKFLOW`] → `{"command":"invokesuccess"}`, then
//!   `{"command":"invokefailed","data":"workflow failed"}`;
//! - W = [`IDLE_WORKFLOW`] → only `{"command":"invokeidle"}` (so a client's timeout can be
//!   tested);
//! - anything else → `{"command":"invokefailed","data":"Unknown command C"}`.
//!
//! A message without `replyto` gets no answer.

use openiap_wasm::pb::QueueEvent;
use serde_json::{json, Value};

/// The robot's queue.
pub const ROBOT_QUEUE: &str = "testrobot";
/// Workflow id that fails.
pub const FAIL_WORKFLOW: &str = "fail";
/// Workflow id that goes idle and never completes.
pub const IDLE_WORKFLOW: &str = "idle";

/// The robot's answers to a message with `data`, in order.
pub fn answers(data: &str) -> Vec<Value> {
    let msg: Value = serde_json::from_str(data).unwrap_or(Value::Null);
    let command = msg["command"].as_str().unwrap_or_default();
    if command != "invoke" {
        return vec![
            json!({"command": "invokefailed", "data": format!("Unknown command {command}")}),
        ];
    }
    let success = json!({"command": "invokesuccess"});
    match msg["workflowid"].as_str().unwrap_or_default() {
        FAIL_WORKFLOW => vec![
            success,
            json!({"command": "invokefailed", "data": "workflow failed"}),
        ],
        IDLE_WORKFLOW => vec![json!({"command": "invokeidle"})],
        _ => vec![
            success,
            json!({"command": "invokecompleted", "data": msg["data"].clone()}),
        ],
    }
}

/// The queue events the robot sends for a message to it: to `replyto`, with `correlation_id`.
pub fn replies(data: &str, replyto: &str, correlation_id: &str) -> Vec<QueueEvent> {
    if replyto.is_empty() {
        return vec![];
    }
    answers(data)
        .into_iter()
        .map(|a| QueueEvent {
            queuename: replyto.to_string(),
            correlation_id: correlation_id.to_string(),
            data: a.to_string(),
            ..Default::default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commands(data: Value) -> Vec<String> {
        answers(&data.to_string())
            .iter()
            .map(|a| a["command"].as_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn answers_like_openrpa() {
        let ok = answers(r#"{"command":"invoke","workflowid":"w","data":{"x":1}}"#);
        assert_eq!(
            ok[1],
            json!({"command": "invokecompleted", "data": {"x": 1}})
        );
        assert_eq!(
            commands(json!({"command": "invoke", "workflowid": "fail"})),
            ["invokesuccess", "invokefailed"]
        );
        assert_eq!(
            commands(json!({"command": "invoke", "workflowid": "idle"})),
            ["invokeidle"]
        );
        assert_eq!(commands(json!("text")), ["invokefailed"]);
        assert!(replies("{}", "", "c").is_empty());
        let r = replies(r#"{"command":"invoke"}"#, "q", "c");
        assert_eq!(
            (r[0].queuename.as_str(), r[0].correlation_id.as_str()),
            ("q", "c")
        );
    }
}
