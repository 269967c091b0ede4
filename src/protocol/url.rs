//! Server URL handling: scheme mapping (which transport a URL asks for), default path per
//! framing, and credentials taken out of the URL so that they never appear in events, errors or
//! logs.

use super::error::{Error, ErrorKind};
use super::framing::Framing;
use super::text::{concat, percent_decode, split_byte, split_once_str, trim};

/// A parsed server URL, without credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct ServerUrl {
    /// `ws`, `wss`, or (the HTTP transport) `http`, `https`.
    pub scheme: String,
    /// Host and optional port, as given.
    pub authority: String,
    /// Path and query; defaults to the framing's path when the URL had none.
    pub path: String,
    /// User name from `user:password@`, if any.
    pub username: Option<String>,
    /// Password from `user:password@`, if any.
    pub password: Option<String>,
}

impl std::fmt::Debug for ServerUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerUrl")
            .field("url", &self.socket_url())
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .finish()
    }
}

impl ServerUrl {
    /// Parses `url`. `http(s)://` is the HTTP transport (`POST /api/v2`), except with the
    /// `grpc-web` framing and in builds without the feature `http`: there it reads as `ws(s)://`.
    /// An empty path becomes the transport's: `/api/v2` over HTTP, the framing's on a WebSocket.
    pub fn parse(url: &str, framing: Framing) -> Result<ServerUrl, Error> {
        let invalid =
            |why: &str| Error::new(ErrorKind::InvalidArgument, concat(&["invalid URL: ", why]));
        let url = trim(url);
        let (scheme, rest) = split_once_str(url, "://")
            .ok_or_else(|| invalid("expected ws://host or wss://host"))?;
        let scheme = match scheme.to_ascii_lowercase().as_str() {
            // The HTTP transport; gRPC-web gateways are WebSocket only.
            #[cfg(feature = "http")]
            "http" if framing == Framing::OpenIap => "http",
            #[cfg(feature = "http")]
            "https" if framing == Framing::OpenIap => "https",
            "ws" | "http" => "ws",
            "wss" | "https" => "wss",
            "grpc" => {
                return Err(invalid(
                    "grpc:// needs HTTP/2, which browsers cannot open; use wss:// (framing \"grpc-web\" for a gRPC-web gateway)",
                ))
            }
            _ => return Err(invalid("the scheme must be ws, wss, http or https")),
        };
        let split = rest.bytes().position(|c| c == b'/' || c == b'?');
        let split = split.unwrap_or(rest.len());
        let (authority, path) = rest.split_at_checked(split).unwrap_or((rest, ""));
        let (userinfo, host) = match split_byte(authority, b'@', true) {
            Some((info, host)) => (Some(info), host),
            None => (None, authority),
        };
        if host.is_empty() || host.chars().any(char::is_whitespace) {
            return Err(invalid("missing host"));
        }
        let (mut username, mut password) = (None, None);
        if let Some(info) = userinfo {
            let (u, p) = split_byte(info, b':', false).unwrap_or((info, ""));
            let (u, p) = (percent_decode(u), percent_decode(p));
            if !u.is_empty() {
                username = Some(u);
            }
            if !p.is_empty() {
                password = Some(p);
            }
        }
        let path =
            if path.is_empty() || path == "/" || path.starts_with("/?") || path.starts_with("?") {
                let query = path.bytes().position(|c| c == b'?');
                let query = query.and_then(|i| path.get(i..)).unwrap_or("");
                #[cfg(feature = "http")]
                let default = match scheme.starts_with('h') {
                    true => super::http::PATH,
                    false => framing.default_path(),
                };
                #[cfg(not(feature = "http"))]
                let default = framing.default_path();
                concat(&[default, query])
            } else {
                path.to_string()
            };
        Ok(ServerUrl {
            scheme: scheme.into(),
            authority: host.to_string(),
            path,
            username,
            password,
        })
    }

    /// The host, without port or brackets.
    pub fn host(&self) -> &str {
        let a = self.authority.as_str();
        if let Some(rest) = a.strip_prefix("[") {
            return split_byte(rest, b']', false).map_or(rest, |(h, _)| h);
        }
        split_byte(a, b':', true).map_or(a, |(h, _)| h)
    }

    /// True for this machine: `localhost`, `127.0.0.0/8` or `[::1]`.
    pub fn is_loopback(&self) -> bool {
        let h = self.host().to_ascii_lowercase();
        let ipv4 = h.bytes().all(|c| c.is_ascii_digit() || c == b'.');
        h == "localhost"
            || h.ends_with(".localhost")
            || h == "::1"
            || (ipv4 && h.starts_with("127."))
    }

    /// True for the HTTP transport (`http`, `https`).
    pub fn is_http(&self) -> bool {
        self.scheme.starts_with('h')
    }

    /// The URL to open (a WebSocket) or to POST to (HTTP), with no credentials in it.
    pub fn socket_url(&self) -> String {
        concat(&[&self.scheme, "://", &self.authority, &self.path])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_path_per_framing_and_scheme_mapping() {
        let parse = |url, framing| {
            let u = ServerUrl::parse(url, framing).unwrap();
            (u.socket_url(), u.is_http())
        };
        let http = cfg!(feature = "http");
        let https = if http {
            "https://app.openiap.io/api/v2"
        } else {
            "wss://app.openiap.io/ws/v2"
        };
        assert_eq!(
            parse("https://app.openiap.io", Framing::OpenIap),
            (https.into(), http)
        );
        assert_eq!(
            parse("HTTP://h:3000/?x", Framing::OpenIap).0,
            if http {
                "http://h:3000/api/v2?x"
            } else {
                "ws://h:3000/ws/v2?x"
            }
        );
        assert_eq!(
            parse("https://h", Framing::GrpcWeb),
            ("wss://h/openiap.FlowService/SetupStream".into(), false),
            "gRPC-web is WebSocket only"
        );
        assert_eq!(
            parse("ws://127.0.0.1:3000/", Framing::GrpcWeb).0,
            "ws://127.0.0.1:3000/openiap.FlowService/SetupStream"
        );
        assert_eq!(
            parse("ws://h/custom/ws?x=1", Framing::OpenIap),
            ("ws://h/custom/ws?x=1".into(), false)
        );
    }

    #[test]
    fn credentials_leave_the_url() {
        let u = ServerUrl::parse("wss://bob:s%40cret@host:443", Framing::OpenIap).unwrap();
        assert_eq!(u.username.as_deref(), Some("bob"));
        assert_eq!(u.password.as_deref(), Some("s@cret"));
        assert_eq!(u.socket_url(), "wss://host:443/ws/v2");
        assert!(!format!("{u:?}").contains("s@cret"));
    }

    #[test]
    fn bad_urls_are_typed_errors() {
        for bad in [
            "",
            "host:3000",
            "ftp://x",
            "grpc://grpc.app.openiap.io:443",
            "ws://",
            "ws:///path",
        ] {
            let e = ServerUrl::parse(bad, Framing::OpenIap).unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidArgument, "{bad}");
        }
    }

    #[test]
    fn loopback_hosts() {
        let host = |u: &str| {
            let u = ServerUrl::parse(u, Framing::OpenIap).unwrap();
            (u.host().to_string(), u.is_loopback())
        };
        assert_eq!(host("ws://127.0.0.1:3000"), ("127.0.0.1".into(), true));
        assert_eq!(host("ws://localhost"), ("localhost".into(), true));
        assert_eq!(host("ws://[::1]:80/x"), ("::1".into(), true));
        assert_eq!(
            host("ws://u:p@app.openiap.io:3000"),
            ("app.openiap.io".into(), false)
        );
        assert_eq!(host("ws://10.0.0.5"), ("10.0.0.5".into(), false));
        assert_eq!(
            host("ws://127.example.com"),
            ("127.example.com".into(), false)
        );
    }
}
