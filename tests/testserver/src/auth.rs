//! Users, the tokens this server issues, and sign-in checks.
//!
//! Error wording, as OpenFlow's (src/Messages/Message.ts):
//! - wrong username or password, or a refused sign-in: [`BAD_CREDENTIALS`]
//! - a sign-in with an unknown or expired token: [`discard_bad_jwt`]
//! - any other command with an unknown or expired `Envelope.jwt`: [`discard_missing_jwt`]
//!   (OpenFlow's text says "missing" for those too); the socket and its session stay
//! - a command that needs a user, on a socket without session and without `Envelope.jwt`:
//!   [`NOT_SIGNED_IN`]
//!
//! Why a token was refused ([`TokenError`]) only goes to the server log.

use crate::state::{Shared, State};
use crate::util::{b64url, now_ms, object_id, random_id};
use openiap_wasm::pb::User;

/// Wrong username or password: the text OpenFlow puts in the sign-in's `error` where it
/// refuses the credentials (Message.ts, `Signin`).
pub const BAD_CREDENTIALS: &str = "Unknown username or password";
/// No session and no `Envelope.jwt` (Message.ts, `EnsureJWT`).
pub const NOT_SIGNED_IN: &str = "Not signed in, and missing jwt";

/// Why a token was refused (for the log; jsonwebtoken's words).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    /// A token this server issued, past its expiry.
    Expired,
    /// Not three dot-separated parts.
    Malformed,
    /// Any other unknown token.
    Invalid,
}

impl std::fmt::Display for TokenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TokenError::Expired => "jwt expired",
            TokenError::Malformed => "jwt malformed",
            TokenError::Invalid => "invalid signature",
        })
    }
}

/// A sign-in with a bad token (Message.ts, `Process`): `client` is `IP AGENT VERSION`.
pub fn discard_bad_jwt(command: &str, client: &str) -> String {
    format!("Discard {command} due to invalid or expired jwt for client at {client}")
}

/// Any other command with a bad `Envelope.jwt` (Message.ts, `Process`).
pub fn discard_missing_jwt(command: &str, client: &str) -> String {
    format!("Discard {command} due to missing jwt, and respond with error, for client at {client}")
}

/// The user object of `username` (`_id` is stable per username).
pub fn user(username: &str) -> User {
    User {
        id: object_id(username),
        name: username.to_string(),
        username: username.to_string(),
        ..Default::default()
    }
}

/// The user as JSON (for `__user`).
pub fn user_json(u: &User) -> serde_json::Value {
    serde_json::json!({"_id": u.id, "name": u.name, "username": u.username, "roles": []})
}

/// Checks a username/password pair.
pub fn check_password(shared: &Shared, username: &str, password: &str) -> Result<User, String> {
    let ok =
        shared.config.users.iter().any(|(u, p)| {
            u.eq_ignore_ascii_case(username) && p == password && !username.is_empty()
        });
    if ok {
        Ok(user(&username.to_ascii_lowercase()))
    } else {
        Err(BAD_CREDENTIALS.to_string())
    }
}

/// Checks a token: a static `--jwt` token, or one this server issued and that has not expired.
pub fn verify(shared: &Shared, st: &State, jwt: &str) -> Result<User, TokenError> {
    if let Some((_, u)) = shared.config.jwts.iter().find(|(t, _)| t == jwt) {
        return Ok(user(u));
    }
    match st.tokens.get(jwt) {
        Some((u, exp)) if *exp > now_ms() => Ok(user(u)),
        Some(_) => Err(TokenError::Expired),
        None if jwt.split('.').count() != 3 => Err(TokenError::Malformed),
        None => Err(TokenError::Invalid),
    }
}

/// Issues a new session token for `u`, valid for the configured lifetime. Shaped like a JWT
/// (base64url header.payload.signature, payload with `username` and `exp`); the server
/// remembers it, so the signature is random.
pub fn issue(shared: &Shared, st: &mut State, u: &User) -> String {
    issue_for(st, u, shared.config.token_lifetime_ms)
}

/// Issues a token for `u` valid for `lifetime_ms` (0: expired at once).
pub fn issue_for(st: &mut State, u: &User, lifetime_ms: u64) -> String {
    let exp = now_ms() + lifetime_ms;
    let header = b64url(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = serde_json::json!({
        "data": {"user": user_json(u)}, "username": u.username,
        "iat": now_ms() / 1000, "exp": exp / 1000, "jti": random_id(12),
    });
    let payload = b64url(payload.to_string().as_bytes());
    let sig = b64url(random_id(32).as_bytes());
    let token = format!("{header}.{payload}.{sig}");
    st.tokens.insert(token.clone(), (u.username.clone(), exp));
    token
}
