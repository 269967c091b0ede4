//! The data API of the JS `Client`: documents, collections, indexes, work items, custom commands.
//! Every method is one row of `protocol::wire::tables`, called through one export, `__call(name,
//! options)`; `src/js/client.js` gives each its npm name and positional parameters. The row turns
//! the option object into the request and the reply into the resolved value.

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use super::client::Client;
use super::convert::{get, invalid};
use super::options::{call_from, signal_from, JsOptions};
use crate::protocol::session::Session;
use crate::protocol::text::{concat, split_byte};
use crate::protocol::wire::tables::{method, Method};
use crate::protocol::wire::{self, OptionSource};

/// Refuses options that lack what `need` asks for (see `tables::Method::need`).
fn check(need: &str, options: &JsValue) -> Result<(), JsValue> {
    let (within, keys) = split_byte(need, b'.', false).unwrap_or(("", need));
    let holder = JsOptions(match within {
        "" => options.clone(),
        within => get(options, within),
    });
    let given = |k: &str| {
        holder
            .string(k)
            .ok()
            .flatten()
            .is_some_and(|s| !s.is_empty())
    };
    let (mut rest, mut one_of) = (keys, String::new());
    while !rest.is_empty() {
        let (key, next) = split_byte(rest, b'|', false).unwrap_or((rest, ""));
        if given(key) {
            return Ok(());
        }
        one_of = concat(&[&one_of, if one_of.is_empty() { "" } else { " or " }, key]);
        rest = next;
    }
    Err(invalid(&match within {
        "" => concat(&[&one_of, " is required"]),
        within => concat(&[within, " with ", &one_of, " is required"]),
    }))
}

impl Client {
    /// Sends `m`'s request read from `options` and resolves with its reply.
    pub(super) fn call_method(&self, m: &Method, options: JsValue) -> Promise {
        self.with_runtime(|rt| {
            if !m.need.is_empty() {
                check(m.need, &options)?;
            }
            let (call, signal) = (call_from(&options)?, signal_from(&options)?);
            let data = wire::request(&JsOptions(options), m.message, m.fields)?;
            let start = |s: &mut Session, now| s.request(now, m.command, data, &call);
            Ok(rt.request(m.reply, signal.as_ref(), start))
        })
    }
}

#[wasm_bindgen]
impl Client {
    /// Calls data method `name` (a row of the tables) with `options`. The package gives every
    /// method its own name (`src/js/client.js`); this is the one wasm export behind them.
    #[wasm_bindgen(js_name = "__call")]
    pub fn call(&self, name: JsValue, options: JsValue) -> Promise {
        let name = name.as_string().unwrap_or_default();
        match method(&name) {
            Some(m) => self.call_method(m, options),
            None => super::client::reject(invalid(&concat(&["no data method '", &name, "'"]))),
        }
    }
}
