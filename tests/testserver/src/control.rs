//! The HTTP control endpoint: fault injection, tokens for tests, the envelope log and stats.
//! For local testing only: who may use it is decided in [`crate::origin`].

use crate::config::HELP;
use crate::faults::Garbage;
use crate::http::{self, Request};
use crate::origin::{self, Verdict};
use crate::state::Shared;
use serde_json::json;
use std::sync::Arc;
use tokio::net::TcpListener;

/// Serves the control endpoint on `listener` forever; requests [`origin::check`] refuses get 403.
pub async fn serve(shared: Arc<Shared>, listener: TcpListener) {
    loop {
        let Ok((mut stream, _)) = listener.accept().await else {
            continue;
        };
        let shared = shared.clone();
        tokio::spawn(async move {
            let Some((req, _)) = http::read_request(&mut stream).await else {
                return;
            };
            match origin::check(&shared.config.allow_origins, &req) {
                Verdict::Serve(cors) => {
                    let (status, ctype, body) = route(&shared, &req).await;
                    http::respond_cors(&mut stream, status, ctype, &body, cors).await;
                }
                Verdict::Refuse(why) => {
                    let body = json!({"ok": false, "error": why}).to_string();
                    http::respond_cors(&mut stream, 403, "application/json", &body, None).await;
                }
            }
        });
    }
}

/// Answers one control request: (status, content type, body). GET and POST both work.
pub async fn route(shared: &Shared, req: &Request) -> (u16, &'static str, String) {
    if req.method == "OPTIONS" {
        return (204, "text/plain", String::new());
    }
    let f = &shared.faults;
    let ok = |sockets: usize| {
        (
            200,
            "application/json",
            json!({"ok": true, "sockets": sockets}).to_string(),
        )
    };
    let done = || (200, "application/json", json!({"ok": true}).to_string());
    let path = req.path.trim_end_matches('/');
    match path {
        "" => (200, "text/plain", HELP.to_string()),
        "/drop" => ok(shared.drop_all("dropped by /drop (fault injection)")),
        "/down" => {
            shared.down(req.num("ms", 1000)).await;
            done()
        }
        "/stall" => {
            f.stall(req.num("ms", 0));
            done()
        }
        "/heal" => {
            f.heal();
            done()
        }
        "/delay" => {
            f.set_delay(req.num("ms", 0));
            done()
        }
        "/split" => {
            f.set_split(req.num("count", 1) as u32, req.num("chunk", 1) as usize);
            done()
        }
        "/delay-reply" => {
            let Some(command) = req.param("command").filter(|c| !c.is_empty()) else {
                return (
                    400,
                    "application/json",
                    json!({"ok": false, "error": "command is mandatory"}).to_string(),
                );
            };
            f.set_reply_delay(command, req.num("ms", 1000), req.num("count", 1) as u32);
            done()
        }
        "/coalesce" => {
            f.set_coalesce(req.num("count", 2) as u32);
            done()
        }
        "/garbage" => {
            let kind = if req.param("kind") == Some("length") {
                Garbage::Length
            } else {
                Garbage::Decode
            };
            ok(shared.garbage(kind))
        }
        "/api-garbage" => {
            let Some(kind) = req.param("kind").and_then(crate::api::Garbage::parse) else {
                return (
                    400,
                    "application/json",
                    json!({"ok": false, "error": "kind must be notjson, truncated, cut, notenvelope or 500"}).to_string(),
                );
            };
            shared
                .api
                .set_garbage(Some(kind), req.num("count", 1) as u32);
            done()
        }
        "/api-rate-limit" => {
            shared
                .api
                .set_limit(req.num("n", shared.config.api_rate_limit as u64) as u32);
            done()
        }
        "/unknown" => ok(shared.unknown_command(req.param("command").unwrap_or("unknowncommand"))),
        "/refuse-signin" => {
            f.set_refuse_signin(req.num("count", 1) as u32);
            done()
        }
        "/refreshtoken" => ok(shared.refresh_all(req.param("expire_old") == Some("1"))),
        "/jwt" => {
            let user = req
                .param("user")
                .map(str::to_string)
                .or_else(|| shared.config.users.first().map(|(u, _)| u.clone()))
                .unwrap_or_default();
            if user.is_empty() {
                return (
                    400,
                    "application/json",
                    json!({"ok": false, "error": "user is mandatory"}).to_string(),
                );
            }
            let ms = req.num("ms", shared.config.token_lifetime_ms);
            let jwt = shared.mint_jwt(&user, ms);
            (
                200,
                "application/json",
                json!({"ok": true, "jwt": jwt, "username": user.to_ascii_lowercase()}).to_string(),
            )
        }
        "/log" => {
            let conn = req.param("conn").and_then(|c| c.parse().ok());
            let entries: Vec<_> = shared
                .log_entries(req.param("command"), conn)
                .iter()
                .map(|e| e.to_json())
                .collect();
            (
                200,
                "application/json",
                serde_json::Value::from(entries).to_string(),
            )
        }
        "/stats" => (200, "application/json", shared.stats().to_string()),
        "/reset" => {
            shared.reset();
            done()
        }
        _ => (
            404,
            "application/json",
            json!({"ok": false, "error": "unknown control path"}).to_string(),
        ),
    }
}
