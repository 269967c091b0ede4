//! The HTTP transport's shell (feature `http`): a `fetch` per [`Output::Post`] of the session,
//! aborted when dropped, whose answer comes back as the session's typed outcome.
//!
//! [`Output::Post`]: crate::protocol::session::Output::Post

use js_sys::{Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::convert::{self, get};
use crate::pb::google::protobuf::Any;
use crate::pb::Envelope;
use crate::protocol::error::Error;
use crate::protocol::http::outcome;

#[wasm_bindgen(module = "/src/js/http.js")]
extern "C" {
    /// Starts `POST url` with `body`; resolves to `[status, command?, data?]` (never rejects).
    fn post(url: &str, body: &str, bearer: &str) -> Promise;
    /// Aborts the fetch of a `post`.
    fn abort(post: &Promise);
}

/// One `fetch` in flight. Dropping it aborts the fetch (a request that timed out, was aborted or
/// whose client disconnected); after its answer, dropping it does nothing.
pub struct Post(Promise);

impl Post {
    /// POSTs `body` to `url` with `bearer`; `done` gets the outcome (also after the post was
    /// dropped: then a network error).
    pub fn start(
        url: &str,
        body: &str,
        bearer: &str,
        done: impl FnOnce(Result<Envelope, Error>) + 'static,
    ) -> Post {
        let p = post(url, body, bearer);
        convert::then(&p, move |r| done(read(&r.unwrap_or(JsValue::UNDEFINED))));
        Post(p)
    }
}

impl Drop for Post {
    fn drop(&mut self) {
        abort(&self.0);
    }
}

/// The outcome of `[status, command?, data?]`.
fn read(answer: &JsValue) -> Result<Envelope, Error> {
    let status = get(answer, "0").as_f64().unwrap_or(0.0) as u16;
    let reply = get(answer, "1").as_string().map(|command| Envelope {
        command,
        data: Some(Any {
            type_url: String::new(),
            value: get(answer, "2").unchecked_into::<Uint8Array>().to_vec(),
        }),
        ..Default::default()
    });
    outcome(status, reply)
}
