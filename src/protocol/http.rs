//! `POST /api/v2`, OpenFlow's "rest" protocol, without I/O: the typed outcome of one POST (its
//! HTTP status and whether its body was an envelope) and the expiry of a JWT (the JSON body is
//! built by the shell, `src/js/http.js`, from [`super::session::Output::Post`]'s envelope). The wire is in `../shared/openiap-protocol.md` §10.2: the request's `data` is
//! the payload's protobuf bytes as Node's Buffer JSON, the reply's too; every OpenFlow outcome,
//! errors included, is HTTP 200.

use super::error::{Error, ErrorKind};

/// The path of the endpoint when the URL has none.
pub const PATH: &str = "/api/v2";

/// A JWT is renewed when it expires within this many milliseconds (clock skew, the request's own
/// way to the server).
pub const RENEW_BEFORE_MS: u64 = 5_000;

/// What the commands that cannot work over `/api/v2` are rejected with.
pub const NOT_SUPPORTED: &str =
    "not over POST /api/v2 (an http(s):// URL): queues, watches, rpc and files need a wss:// URL";

/// The typed error of one POST's answer, if it failed (the status is its `code`). `status` 0:
/// the request did not reach the server, or its answer could not be read (network, TLS, CORS, an
/// aborted fetch). `envelope`: the body was an envelope. The body of a failed POST is never
/// shown: OpenFlow's error pages carry its stack traces.
pub fn outcome(status: u16, envelope: bool) -> Result<(), Error> {
    let (kind, message) = match status {
        200 if envelope => return Ok(()),
        200 => (ErrorKind::Protocol, "POST /api/v2: not an envelope"),
        0 => (ErrorKind::ConnectFailed, "POST /api/v2: no answer"),
        429 => (
            ErrorKind::RateLimited,
            "POST /api/v2: rate limited (HTTP 429)",
        ),
        500.. => (ErrorKind::Server, "POST /api/v2: server error (HTTP 5xx)"),
        _ => (ErrorKind::Protocol, "POST /api/v2: unexpected HTTP status"),
    };
    Err(Error {
        kind,
        message: message.into(),
        code: status as i32,
    })
}

/// When `jwt` expires, in milliseconds since the epoch: its `exp` claim (read, not verified).
/// `None` for a token without one, or that is not a JWT.
pub fn expiry_ms(jwt: &str) -> Option<u64> {
    // `"exp":` as the low six bytes of a `u64`.
    const EXP: u64 = 0x2265_7870_223a;
    // The claims, the second part: unpadded base64url, read a byte at a time.
    let (mut acc, mut bits, mut part, mut last, mut after) = (0u32, 0, 0, 0u64, false);
    let mut seconds: Option<u64> = None;
    for c in jwt.bytes() {
        let v = match c {
            b'.' => {
                part += 1;
                continue;
            }
            _ if part != 1 => continue,
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c + 4,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        acc = acc << 6 | v as u32;
        bits += 6;
        if bits < 8 {
            continue;
        }
        bits -= 8;
        let b = (acc >> bits) as u8;
        if after {
            match b {
                b'0'..=b'9' => {
                    let s = seconds.unwrap_or(0);
                    seconds = Some(s.wrapping_mul(10).wrapping_add((b - b'0') as u64))
                }
                b' ' if seconds.is_none() => {}
                _ => break,
            }
        }
        last = last << 8 | b as u64;
        after |= last & 0xffff_ffff_ffff == EXP;
    }
    seconds.map(|s| s.wrapping_mul(1000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_become_typed_errors() {
        assert_eq!(outcome(200, true), Ok(()));
        let kind = |status, envelope| outcome(status, envelope).unwrap_err().kind;
        assert_eq!(kind(200, false), ErrorKind::Protocol);
        assert_eq!(kind(0, false), ErrorKind::ConnectFailed);
        assert_eq!(kind(429, false), ErrorKind::RateLimited);
        assert_eq!(kind(500, true), ErrorKind::Server);
        assert_eq!(kind(503, false), ErrorKind::Server);
        assert_eq!(kind(404, true), ErrorKind::Protocol);
        let e = outcome(502, false).unwrap_err();
        assert!(e.message.starts_with("POST /api/v2: server error"));
        assert_eq!(e.code, 502);
        assert!(outcome(429, false).unwrap_err().message.contains("429"));
    }

    #[test]
    fn expiry_comes_from_the_exp_claim() {
        // {"alg":"HS256"} . {"username":"bob","exp": 1700000000,"iat":1}
        let claims = r#"{"username":"bob","exp": 1700000000,"iat":1}"#;
        let b64 = |s: &[u8]| {
            let t = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            let mut out = String::new();
            for c in s.chunks(3) {
                let n = c.iter().fold(0u32, |a, b| a << 8 | *b as u32) << (8 * (3 - c.len()));
                for i in 0..=c.len() {
                    out.push(t[(n >> (18 - 6 * i) & 63) as usize] as char);
                }
            }
            out
        };
        let jwt = ["eyJhbGciOiJIUzI1NiJ9", &b64(claims.as_bytes()), "sig+/="].join(".");
        assert_eq!(expiry_ms(&jwt), Some(1_700_000_000_000));
        // Every kind of base64url digit.
        let all = b64(b"\xfb\xff\xbf\xf7\xdf\x7d\"exp\":7 9");
        assert!(all.starts_with("-_-_9999"), "{all}");
        assert_eq!(expiry_ms(&["x", &all, "y"].join(".")), Some(7_000));
        assert_eq!(expiry_ms("opaque-token"), None);
        assert_eq!(expiry_ms("a.!!!.c"), None);
        assert_eq!(
            expiry_ms(&["x", &b64(br#"{"expires":5}"#), "y"].join(".")),
            None
        );
        assert_eq!(
            expiry_ms(&["x", &b64(br#"{"exp":"soon"}"#), "y"].join(".")),
            None
        );
    }
}
