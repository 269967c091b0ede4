//! The official side of `tests/runtimes/official`: the unmodified `openiap-client` 0.0.41 crate,
//! driven line by line on stdin by a script that runs our npm package, so the two clients can
//! exchange traffic through the test server.
//!
//! Commands (one per line; the answer is one JSON line on stdout, `{"ok":true,...}` or
//! `{"error":"..."}`):
//!
//! | command | does |
//! |---|---|
//! | `connect URL` | `connect_async(URL)` (signs in from `user:password@`) |
//! | `serve QUEUE` | `register_queue(QUEUE)`; its callback answers every message with `{"official_echo": data}` |
//! | `rpc QUEUE JSON` | `rpc` (striptoken, 10 s) → `{"ok":true,"reply":...}` |
//! | `send QUEUE JSON` | `queue_message` without striptoken (the receiver sees our user) |
//! | `wait_reconnect` | waits (15 s at most) until a `Disconnected` event was followed by `SignedIn` |
//! | `quit` | disconnects and exits |
//!
//! Build: `cargo build -p openiap-testserver --example official_peer`.

use openiap_client::{
    Client, ClientEvent, EnvConfig, QueueEvent, QueueMessageRequest, RegisterQueueRequest,
};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};

/// Events seen by `on_event`, oldest first.
type Events = Arc<Mutex<Vec<String>>>;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let client = Arc::new(Client::new());
    let events: Events = Arc::default();
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let mut parts = line.trim().splitn(3, ' ');
        let command = parts.next().unwrap_or("");
        let (arg, rest) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let answer = match command {
            "connect" => connect(&client, &events, arg).await,
            "serve" => serve(&client, arg).await,
            "rpc" => rpc(&client, arg, rest).await,
            "send" => send(&client, arg, rest).await,
            "wait_reconnect" => wait_reconnect(&events).await,
            "quit" => break,
            _ => Err(format!("unknown command {command:?}")),
        };
        let out = match answer {
            Ok(v) => v,
            Err(e) => json!({ "error": e }),
        };
        println!("{out}");
    }
    client.disconnect();
}

async fn connect(client: &Client, events: &Events, url: &str) -> Result<Value, String> {
    client.connect_async(url).await.map_err(|e| e.to_string())?;
    let events = events.clone();
    client
        .on_event(Box::new(move |e: ClientEvent| {
            let name = match e {
                ClientEvent::Connecting => "Connecting",
                ClientEvent::Connected => "Connected",
                ClientEvent::Disconnected(_) => "Disconnected",
                ClientEvent::SignedIn => "SignedIn",
            };
            events.lock().unwrap().push(name.to_string());
        }))
        .await;
    Ok(json!({ "ok": true, "state": client.get_state().to_string() }))
}

async fn serve(client: &Client, queue: &str) -> Result<Value, String> {
    let callback = Arc::new(|_client: Arc<Client>, ev: QueueEvent| {
        let data: Value = serde_json::from_str(&ev.data).unwrap_or(Value::String(ev.data));
        let reply = json!({ "official_echo": data }).to_string();
        Box::pin(async move { Some(reply) })
            as std::pin::Pin<Box<dyn std::future::Future<Output = Option<String>> + Send>>
    });
    let name = client
        .register_queue(
            RegisterQueueRequest::byqueuename(queue),
            EnvConfig::new(),
            callback,
        )
        .await
        .map_err(|e| e.to_string())?;
    Ok(json!({ "ok": true, "queue": name }))
}

async fn rpc(client: &Client, queue: &str, data: &str) -> Result<Value, String> {
    let request = QueueMessageRequest::byqueuename(queue, data, true);
    let reply = client
        .rpc(request, EnvConfig::new(), Duration::from_secs(10))
        .await
        .map_err(|e| e.to_string())?;
    let reply: Value = serde_json::from_str(&reply).unwrap_or(Value::String(reply));
    Ok(json!({ "ok": true, "reply": reply }))
}

async fn send(client: &Client, queue: &str, data: &str) -> Result<Value, String> {
    let request = QueueMessageRequest::byqueuename(queue, data, false);
    client
        .queue_message(request, EnvConfig::new())
        .await
        .map_err(|e| e.to_string())?;
    Ok(json!({ "ok": true }))
}

async fn wait_reconnect(events: &Events) -> Result<Value, String> {
    for _ in 0..300 {
        {
            let seen = events.lock().unwrap();
            if let Some(d) = seen.iter().position(|e| e == "Disconnected") {
                if seen[d..].iter().any(|e| e == "SignedIn") {
                    return Ok(json!({ "ok": true, "events": *seen }));
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(format!(
        "no Disconnected then SignedIn within 15 s: {:?}",
        events.lock().unwrap()
    ))
}
