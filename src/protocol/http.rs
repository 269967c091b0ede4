//! `POST /api/v2`, OpenFlow's "rest" protocol, without I/O: the JSON body of a request envelope,
//! the typed outcome of one POST (its HTTP status and whether its body was an envelope), and the
//! expiry of a JWT. The wire is in `../shared/openiap-protocol.md` §10.2: the request's `data` is
//! the payload's protobuf bytes as Node's Buffer JSON, the reply's too; every OpenFlow outcome,
//! errors included, is HTTP 200.

use super::envelope::payload;
use super::error::{Error, ErrorKind};
use super::text::concat;
use crate::pb::Envelope;

/// The path of the endpoint when the URL has none.
pub const PATH: &str = "/api/v2";

/// A JWT is renewed when it expires within this many milliseconds (clock skew, the request's own
/// way to the server).
pub const RENEW_BEFORE_MS: u64 = 5_000;

/// The JSON body that carries `env`: `command`, `id`, `traceid` and `spanid` when set, and `data`
/// as `{"type":"Buffer","data":[...]}`. No `rid` (with one, OpenFlow answers an error with `{}`)
/// and no `jwt`: the token goes in the `Authorization` header.
pub fn body(env: &Envelope) -> String {
    let bytes = payload(env);
    let mut out = Vec::with_capacity(96 + 4 * bytes.len());
    for (key, value, always) in [
        ("{\"command\":", &env.command, true),
        (",\"id\":", &env.id, true),
        (",\"traceid\":", &env.traceid, false),
        (",\"spanid\":", &env.spanid, false),
    ] {
        if always || !value.is_empty() {
            out.extend_from_slice(key.as_bytes());
            push_string(&mut out, value);
        }
    }
    out.extend_from_slice(b",\"data\":{\"type\":\"Buffer\",\"data\":[");
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_number(&mut out, *b as u16);
    }
    out.extend_from_slice(b"]}}");
    // Only ASCII was added to valid UTF-8, so this never fails.
    String::from_utf8(out).unwrap_or_default()
}

/// `s` as a JSON string: `"`, `\` and control characters escaped, the rest as it is.
fn push_string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    for b in s.bytes() {
        if b == b'"' || b == b'\\' {
            out.push(b'\\');
        } else if b < 0x20 {
            out.extend_from_slice(b"\\u00");
            out.push(b"0123456789abcdef"[b as usize >> 4]);
            out.push(b"0123456789abcdef"[b as usize & 15]);
            continue;
        }
        out.push(b);
    }
    out.push(b'"');
}

/// `n` in decimal.
fn push_number(out: &mut Vec<u8>, n: u16) {
    if n >= 10 {
        push_number(out, n / 10);
    }
    out.push(b'0' + (n % 10) as u8);
}

/// What one POST gave: the reply envelope, or the typed error of its status. `status` 0: the
/// request did not reach the server, or its answer could not be read (network, TLS, CORS, an
/// aborted fetch). `reply`: the body read as an envelope, `None` when it is not one. The body of
/// a failed POST is never shown: OpenFlow's error pages carry its stack traces.
pub fn outcome(status: u16, reply: Option<Envelope>) -> Result<Envelope, Error> {
    let (kind, why) = match status {
        200 => match reply {
            Some(env) => return Ok(env),
            None => (ErrorKind::Protocol, "the reply is not an envelope"),
        },
        0 => (ErrorKind::ConnectFailed, "the server could not be reached"),
        429 => (ErrorKind::RateLimited, "the server's rate limit refused it"),
        500.. => (ErrorKind::Server, "the server failed"),
        _ => (ErrorKind::Protocol, "unexpected status"),
    };
    let mut message = concat(&["POST /api/v2: ", why, " (HTTP "]).into_bytes();
    push_number(&mut message, status);
    message.push(b')');
    Err(Error {
        kind,
        message: String::from_utf8(message).unwrap_or_default(),
        code: status as i32,
    })
}

/// When `jwt` expires, in milliseconds since the epoch: its `exp` claim (read, not verified).
/// `None` for a token without one, or that is not a JWT.
pub fn expiry_ms(jwt: &str) -> Option<u64> {
    // The claims: unpadded base64url.
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let (mut claims, mut acc, mut bits) = (Vec::new(), 0u32, 0);
    for c in jwt.split('.').nth(1)?.bytes() {
        acc = acc << 6 | B64.iter().position(|b| *b == c)? as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            claims.push((acc >> bits) as u8);
        }
    }
    let at = claims.windows(6).position(|w| w == b"\"exp\":")? + 6;
    let mut seconds = None;
    for b in claims.get(at..)?.iter().skip_while(|b| **b == b' ') {
        if !b.is_ascii_digit() {
            break;
        }
        let s: u64 = seconds.unwrap_or(0);
        seconds = Some(s.wrapping_mul(10).wrapping_add((b - b'0') as u64));
    }
    seconds.map(|s| s.wrapping_mul(1000))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pb::google::protobuf::Any;

    #[test]
    fn body_is_the_envelope_as_json() {
        let env = Envelope {
            command: "query".into(),
            id: "a1".into(),
            rid: "never".into(),
            jwt: "never either".into(),
            spanid: "s\"p\\\n".into(),
            data: Some(Any {
                type_url: "type.googleapis.com/openiap.QueryRequest".into(),
                value: vec![0, 9, 10, 99, 100, 255],
            }),
            ..Default::default()
        };
        assert_eq!(
            body(&env),
            r#"{"command":"query","id":"a1","spanid":"s\"p\\\u000a","data":{"type":"Buffer","data":[0,9,10,99,100,255]}}"#
        );
        let bare = Envelope {
            command: "signin".into(),
            ..Default::default()
        };
        assert_eq!(
            body(&bare),
            r#"{"command":"signin","id":"","data":{"type":"Buffer","data":[]}}"#
        );
    }

    #[test]
    fn statuses_become_typed_errors() {
        let env = Envelope {
            command: "queryreply".into(),
            ..Default::default()
        };
        assert_eq!(outcome(200, Some(env.clone())), Ok(env.clone()));
        let kind = |status, reply: Option<Envelope>| outcome(status, reply).unwrap_err().kind;
        assert_eq!(kind(200, None), ErrorKind::Protocol);
        assert_eq!(kind(0, None), ErrorKind::ConnectFailed);
        assert_eq!(kind(429, None), ErrorKind::RateLimited);
        assert_eq!(kind(500, Some(env.clone())), ErrorKind::Server);
        assert_eq!(kind(503, None), ErrorKind::Server);
        assert_eq!(kind(404, None), ErrorKind::Protocol);
        let e = outcome(502, None).unwrap_err();
        assert_eq!(e.message, "POST /api/v2: the server failed (HTTP 502)");
        assert_eq!(e.code, 502);
    }

    #[test]
    fn expiry_comes_from_the_exp_claim() {
        // {"alg":"HS256"} . {"username":"bob","exp": 1700000000,"iat":1}
        let claims = r#"{"username":"bob","exp": 1700000000,"iat":1}"#;
        let b64 = |s: &str| {
            let t = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            let mut out = String::new();
            for c in s.as_bytes().chunks(3) {
                let n = c.iter().fold(0u32, |a, b| a << 8 | *b as u32) << (8 * (3 - c.len()));
                for i in 0..=c.len() {
                    out.push(t[(n >> (18 - 6 * i) & 63) as usize] as char);
                }
            }
            out
        };
        let jwt = ["eyJhbGciOiJIUzI1NiJ9", &b64(claims), "sig"].join(".");
        assert_eq!(expiry_ms(&jwt), Some(1_700_000_000_000));
        assert_eq!(expiry_ms("opaque-token"), None);
        assert_eq!(expiry_ms("a.!!!.c"), None);
        assert_eq!(
            expiry_ms(&["x", &b64(r#"{"expires":5}"#), "y"].join(".")),
            None
        );
        assert_eq!(
            expiry_ms(&["x", &b64(r#"{"exp":"soon"}"#), "y"].join(".")),
            None
        );
    }
}
