//! Who may use the control port: local tools, and browser pages only from allowed origins.
//!
//! The control port can drop, stall and stop the server and read its envelope log, so a web page
//! the developer happens to visit must not reach it:
//! - a `Host` that is a DNS name other than `localhost` is refused (DNS rebinding: a page of
//!   `evil.example` whose name now points at 127.0.0.1 sends `Host: evil.example:PORT`);
//! - a request with an `Origin` is served only if that origin was allowed with `--allow-origin`;
//! - a browser request without `Origin` (an `<img>` or a link) is refused when its
//!   `Sec-Fetch-Site` says it comes from another site.
//!
//! Requests from curl, tests and Node (no `Origin`, no `Sec-Fetch-Site`) are served.

use crate::http::Request;

/// What the control port does with a request.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict<'a> {
    /// Serve it; CORS headers name this origin, if any.
    Serve(Option<&'a str>),
    /// Answer 403 with this reason and no CORS headers.
    Refuse(&'static str),
}

/// True if `origin` matches one of `allowed`: exactly, or `scheme://host:*` for any port.
pub fn allowed(allowed: &[String], origin: &str) -> bool {
    allowed.iter().any(|a| match a.strip_suffix(":*") {
        Some(prefix) => origin
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_prefix(':'))
            .is_some_and(|port| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())),
        None => a == origin,
    })
}

/// True if the `Host` header names an IP address or `localhost` (with or without a port).
fn local_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(v6) => {
            return v6
                .split_once(']')
                .is_some_and(|(a, _)| a.parse::<std::net::Ipv6Addr>().is_ok())
        }
        None => host.rsplit_once(':').map_or(host, |(n, _)| n),
    };
    name.eq_ignore_ascii_case("localhost") || name.parse::<std::net::Ipv4Addr>().is_ok()
}

/// Decides whether the control port serves `req`, given the `--allow-origin` list.
pub fn check<'a>(allow: &[String], req: &'a Request) -> Verdict<'a> {
    if !req.header("host").is_none_or(local_host) {
        return Verdict::Refuse("Host is not an IP address or localhost");
    }
    match req.header("origin") {
        Some(o) if allowed(allow, o) => Verdict::Serve(Some(o)),
        Some(_) => Verdict::Refuse("origin not allowed (see --allow-origin)"),
        None => match req.header("sec-fetch-site") {
            Some("cross-site" | "same-site") => Verdict::Refuse("cross-site browser request"),
            _ => Verdict::Serve(None),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn patterns_and_hosts() {
        let list = vec![
            "http://127.0.0.1:*".to_string(),
            "http://localhost:8080".to_string(),
        ];
        assert!(allowed(&list, "http://127.0.0.1:1234"));
        assert!(!allowed(&list, "http://127.0.0.1:"));
        assert!(!allowed(&list, "http://127.0.0.1:1234.evil.example"));
        assert!(!allowed(&list, "http://127.0.0.1.evil.example:80"));
        assert!(allowed(&list, "http://localhost:8080"));
        assert!(!allowed(&list, "http://localhost:8081"));
        assert!(!allowed(&[], "null"));
        for h in [
            "127.0.0.1:3001",
            "localhost:3001",
            "LOCALHOST",
            "[::1]:3001",
            "10.0.0.2:80",
        ] {
            assert!(local_host(h), "{h}");
        }
        for h in [
            "evil.example:3001",
            "localhost.evil.example:3001",
            "[evil]:1",
            "127.0.0.1.nip.io:1",
        ] {
            assert!(!local_host(h), "{h}");
        }
    }
}
