//! Just enough HTTP/1.1 for the WebSocket upgrade, `GET /`, `GET /config` and the control port.

use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A parsed request head.
#[derive(Debug, Clone)]
pub struct Request {
    /// `GET`, `POST`, `OPTIONS`, ...
    pub method: String,
    /// Path without the query string.
    pub path: String,
    /// Query parameters, undecoded except `+` and `%XX`.
    pub query: Vec<(String, String)>,
    /// Header names lowercased.
    pub headers: Vec<(String, String)>,
}

impl Request {
    /// First value of header `name` (lowercase).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    /// First value of query parameter `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    /// Query parameter `name` as a number, or `default`.
    pub fn num(&self, name: &str, default: u64) -> u64 {
        self.param(name)
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    }
}

fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                match u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
                {
                    Ok(v) => {
                        out.push(v);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Reads a request head (up to 16 KiB, 10 s). Returns the request and any bytes read past it.
pub async fn read_request(stream: &mut TcpStream) -> Option<(Request, Vec<u8>)> {
    let mut buf = Vec::with_capacity(1024);
    let end = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let mut chunk = [0u8; 2048];
            let n = stream.read(&mut chunk).await.ok()?;
            if n == 0 {
                return None;
            }
            buf.extend_from_slice(&chunk[..n]);
            if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                return Some(p + 4);
            }
            if buf.len() > 16 * 1024 {
                return None;
            }
        }
    })
    .await
    .ok()??;
    let head = std::str::from_utf8(&buf[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split_whitespace();
    let method = first.next()?.to_string();
    let target = first.next()?;
    let (path, q) = target.split_once('?').unwrap_or((target, ""));
    let query = q
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (unescape(k), unescape(v))
        })
        .collect();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Some((
        Request {
            method,
            path: path.to_string(),
            query,
            headers,
        },
        buf[end..].to_vec(),
    ))
}

/// Writes a complete response and closes the connection. CORS is allowed from any origin (the
/// WebSocket port's `GET /` and `GET /config`, public like OpenFlow's).
pub async fn respond(stream: &mut TcpStream, status: u16, content_type: &str, body: &str) {
    respond_cors(stream, status, content_type, body, Some("*")).await
}

/// Writes a complete response and closes the connection, with CORS headers for `origin` (none
/// when `None`).
pub async fn respond_cors(
    stream: &mut TcpStream,
    status: u16,
    content_type: &str,
    body: &str,
    origin: Option<&str>,
) {
    let reason = match status {
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        _ => "Error",
    };
    let cors = origin.map_or(String::new(), |o| {
        format!(
            "Access-Control-Allow-Origin: {o}\r\nVary: Origin\r\n\
             Access-Control-Allow-Methods: GET, POST, OPTIONS\r\nAccess-Control-Allow-Headers: *\r\n"
        )
    });
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         {cors}Cache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(body.as_bytes()).await;
    let _ = stream.flush().await;
    let _ = stream.shutdown().await;
}
