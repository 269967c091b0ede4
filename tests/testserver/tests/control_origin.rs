//! The control port is for local testing: a web page the developer visits must not drop, stall or
//! stop the server or read its log. Only origins given with `--allow-origin` get CORS; a foreign
//! `Origin`, a cross-site browser request without one, and a DNS-rebound `Host` get 403.

mod common;
use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Sends `method path` with extra header lines to the control port; returns the raw response.
async fn raw(
    s: &openiap_testserver::TestServer,
    method: &str,
    path: &str,
    headers: &str,
) -> String {
    let addr = s.control_url().trim_start_matches("http://").to_string();
    let mut t = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let host = if headers.contains("Host:") {
        String::new()
    } else {
        format!("Host: {addr}\r\n")
    };
    let req = format!("{method} {path} HTTP/1.1\r\n{host}{headers}Content-Length: 0\r\n\r\n");
    t.write_all(req.as_bytes()).await.unwrap();
    let mut resp = String::new();
    t.read_to_string(&mut resp).await.unwrap();
    resp
}

fn refused(resp: &str) {
    assert!(resp.starts_with("HTTP/1.1 403"), "{resp}");
    assert!(
        !resp.contains("Access-Control"),
        "no CORS headers on a refusal: {resp}"
    );
}

#[tokio::test]
async fn foreign_origins_are_refused_and_nothing_happens() {
    let s = server(|_| {}).await;
    let mut c = Raw::connect(&s).await;
    // A page of another site: preflight, a simple POST (no preflight needed), and a GET of the log.
    refused(
        &raw(
            &s,
            "OPTIONS",
            "/drop",
            "Origin: https://evil.example\r\nAccess-Control-Request-Method: POST\r\n",
        )
        .await,
    );
    refused(&raw(&s, "POST", "/drop", "Origin: https://evil.example\r\n").await);
    refused(&raw(&s, "GET", "/log", "Origin: null\r\n").await);
    // A loopback page is foreign too unless allowed.
    refused(&raw(&s, "POST", "/drop", "Origin: http://127.0.0.1:8080\r\n").await);
    // `<img src=http://127.0.0.1:PORT/drop>`: no Origin, but the browser says where it comes from.
    refused(&raw(&s, "GET", "/drop", "Sec-Fetch-Site: cross-site\r\n").await);
    // DNS rebinding: evil.example now resolves to 127.0.0.1, so the page is "same origin".
    refused(
        &raw(
            &s,
            "GET",
            "/log",
            "Host: evil.example:3001\r\nSec-Fetch-Site: same-origin\r\n",
        )
        .await,
    );
    // The socket was never dropped.
    assert!(
        !c.closes_within(300).await,
        "a refused /drop dropped the socket"
    );
    // curl and tests (no Origin) still work.
    let (st, body) = http(&s.control_url(), "GET", "/stats").await;
    assert_eq!(st, 200, "{body}");
    let resp = raw(
        &s,
        "GET",
        "/stats",
        "Host: localhost:1\r\nSec-Fetch-Site: none\r\n",
    )
    .await;
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    assert!(!resp.contains("Access-Control"), "{resp}");
}

#[tokio::test]
async fn allowed_origins_get_cors() {
    let s = server(|c| {
        c.allow_origins = vec!["http://localhost:8080".into(), "http://127.0.0.1:*".into()]
    })
    .await;
    let resp = raw(
        &s,
        "OPTIONS",
        "/drop",
        "Origin: http://localhost:8080\r\nAccess-Control-Request-Method: POST\r\n",
    )
    .await;
    assert!(resp.starts_with("HTTP/1.1 204"), "{resp}");
    assert!(
        resp.contains("Access-Control-Allow-Origin: http://localhost:8080\r\n"),
        "{resp}"
    );
    let resp = raw(
        &s,
        "POST",
        "/stats",
        "Origin: http://127.0.0.1:41234\r\nSec-Fetch-Site: same-site\r\n",
    )
    .await;
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    assert!(
        resp.contains("Access-Control-Allow-Origin: http://127.0.0.1:41234\r\n"),
        "{resp}"
    );
    refused(&raw(&s, "POST", "/stats", "Origin: http://localhost:8081\r\n").await);
    refused(
        &raw(
            &s,
            "POST",
            "/stats",
            "Origin: http://127.0.0.1.evil.example:80\r\n",
        )
        .await,
    );
}
