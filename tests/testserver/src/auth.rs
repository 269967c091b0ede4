//! Users, the tokens this server issues, and sign-in checks.
//!
//! Error wording (kept identical everywhere, as OpenFlow / jsonwebtoken word it):
//! - wrong username or password, or a refused sign-in: [`BAD_CREDENTIALS`]
//! - a token this server issued that has expired: [`JWT_EXPIRED`]
//! - a token that is not three dot-separated parts: [`JWT_MALFORMED`]
//! - any other unknown token: [`JWT_INVALID`]
//! - a command that needs a user, on a socket without session and without `Envelope.jwt`:
//!   [`NOT_SIGNED_IN`]

use crate::state::{Shared, State};
use crate::util::{b64url, now_ms, object_id, random_id};
use openiap_wasm::pb::User;

/// Wrong username or password.
pub const BAD_CREDENTIALS: &str = "Unknown username or password";
/// Expired token.
pub const JWT_EXPIRED: &str = "jwt expired";
/// Not a JWT.
pub const JWT_MALFORMED: &str = "jwt malformed";
/// Unknown token.
pub const JWT_INVALID: &str = "invalid signature";
/// No session and no `Envelope.jwt`.
pub const NOT_SIGNED_IN: &str = "Not signed in, and missing jwt";

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
pub fn verify(shared: &Shared, st: &State, jwt: &str) -> Result<User, String> {
    if let Some((_, u)) = shared.config.jwts.iter().find(|(t, _)| t == jwt) {
        return Ok(user(u));
    }
    match st.tokens.get(jwt) {
        Some((u, exp)) if *exp > now_ms() => Ok(user(u)),
        Some(_) => Err(JWT_EXPIRED.to_string()),
        None if jwt.split('.').count() != 3 => Err(JWT_MALFORMED.to_string()),
        None => Err(JWT_INVALID.to_string()),
    }
}

/// Issues a new session token for `u`, valid for the configured lifetime. Shaped like a JWT
/// (base64url header.payload.signature, payload with `username` and `exp`); the server
/// remembers it, so the signature is random.
pub fn issue(shared: &Shared, st: &mut State, u: &User) -> String {
    let exp = now_ms() + shared.config.token_lifetime_ms;
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
