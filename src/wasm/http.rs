//! The HTTP transport's shell (feature `http`): a `fetch` per [`Output::Post`] of the session,
//! aborted when dropped, whose answer comes back as the session's typed outcome.
//!
//! [`Output::Post`]: crate::protocol::session::Output::Post

use js_sys::{Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::convert::{self, get};
use crate::pb::Envelope;
use crate::protocol::envelope::payload;

#[wasm_bindgen(module = "/src/js/http.js")]
extern "C" {
    /// Starts `POST url` with the envelope's fields as its JSON body; resolves to
    /// `[status, command?, data?]` (never rejects).
    fn post(
        url: &str,
        command: &str,
        id: &str,
        traceid: &str,
        spanid: &str,
        data: &[u8],
        bearer: &str,
    ) -> Promise;
    /// Aborts the fetch of a `post`.
    fn abort(post: &Promise);
}

/// One `fetch` in flight. Dropping it aborts the fetch (a request that timed out, was aborted or
/// whose client disconnected); after its answer, dropping it does nothing.
pub struct Post(Promise);

impl Post {
    /// POSTs `env` to `url` with `bearer`; `done` gets the HTTP status (0: no answer) and, if
    /// the body was an envelope, its command and payload bytes (also after the post was dropped:
    /// then status 0).
    pub fn start(
        url: &str,
        env: &Envelope,
        bearer: &str,
        done: impl FnOnce(u16, Option<(String, Vec<u8>)>) + 'static,
    ) -> Post {
        let p = post(
            url,
            &env.command,
            &env.id,
            &env.traceid,
            &env.spanid,
            payload(env),
            bearer,
        );
        convert::then(&p, move |r| {
            let answer = r.unwrap_or(JsValue::UNDEFINED);
            let reply = get(&answer, "1").as_string().map(|command| {
                let data = get(&answer, "2").unchecked_into::<Uint8Array>();
                (command, data.to_vec())
            });
            done(get(&answer, "0").as_f64().unwrap_or(0.0) as u16, reply)
        });
        Post(p)
    }
}

impl Drop for Post {
    fn drop(&mut self) {
        abort(&self.0);
    }
}
