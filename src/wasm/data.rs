//! The data API of the JS `Client`: documents, collections, indexes, work items and custom
//! commands. Names and option objects follow the npm `openiap` client; every method returns a
//! Promise. Each method is one row of `protocol::wire::tables`: the table turns the option object
//! into the request and the reply into the resolved value.

use js_sys::{Object, Promise};
use wasm_bindgen::prelude::*;

use super::client::Client;
use super::convert;
use super::options::JsOptions;
use crate::protocol::wire::tables::{self as t, Method};
use crate::protocol::wire::{self, OptionSource};

/// `timeout` in ms when positive (npm uses -1 for the default).
pub(super) fn timeout(o: &JsValue) -> Option<u64> {
    convert::get(o, "timeout")
        .as_f64()
        .filter(|t| t.is_finite() && *t > 0.0)
        .map(|t| t as u64)
}

/// An options object made of positional arguments.
fn positional(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        convert::set(&o, k, v.clone());
    }
    o.into()
}

fn invalid_unless(ok: bool, message: &str) -> Result<(), JsValue> {
    if ok {
        Ok(())
    } else {
        Err(convert::invalid(message))
    }
}

/// `wiq` or `wiqid` is given.
fn has_queue(o: &JsValue) -> Result<(), JsValue> {
    let given = |k| {
        convert::get(o, k)
            .as_string()
            .is_some_and(|s| !s.is_empty())
    };
    invalid_unless(given("wiq") || given("wiqid"), "wiq or wiqid is required")
}

impl Client {
    /// Sends `method`'s request read from `options` and resolves with its reply.
    pub(super) fn call(&self, method: &Method, options: JsValue) -> Promise {
        self.with_runtime(|rt| {
            let data = wire::request(&JsOptions(options.clone()), method.message, method.fields)?;
            let timeout = timeout(&options);
            Ok(rt.request(method.reply, |s, now| {
                s.request(now, method.command, data, timeout)
            }))
        })
    }

    /// [`Client::call`] after `check` accepted the options.
    fn call_checked(
        &self,
        method: &Method,
        options: JsValue,
        check: impl FnOnce(&JsValue) -> Result<(), JsValue>,
    ) -> Promise {
        match check(&options) {
            Ok(()) => self.call(method, options),
            Err(e) => super::client::reject(e),
        }
    }
}

#[wasm_bindgen]
impl Client {
    /// Documents of a collection matching `query` (`projection`, `orderby`, `skip`, `top` = 100).
    pub fn query(&self, options: JsValue) -> Promise {
        self.call(&t::QUERY, options)
    }

    /// The number of documents matching `query`.
    pub fn count(&self, options: JsValue) -> Promise {
        self.call(&t::COUNT, options)
    }

    /// The distinct values of `field` among the documents matching `query`.
    pub fn distinct(&self, options: JsValue) -> Promise {
        self.call(&t::DISTINCT, options)
    }

    /// Runs an aggregation pipeline.
    pub fn aggregate(&self, options: JsValue) -> Promise {
        self.call(&t::AGGREGATE, options)
    }

    /// Inserts `item`; resolves to the stored document (with `_id`).
    pub fn insert_one(&self, options: JsValue) -> Promise {
        self.call(&t::INSERT_ONE, options)
    }

    /// Inserts `items`; resolves to the stored documents (empty with `skipresults`).
    pub fn insert_many(&self, options: JsValue) -> Promise {
        self.call(&t::INSERT_MANY, options)
    }

    /// Replaces the document with `item._id`; resolves to the stored document.
    pub fn update_one(&self, options: JsValue) -> Promise {
        self.call(&t::UPDATE_ONE, options)
    }

    /// Updates the document whose `uniqeness` fields (comma separated, default `_id`) match
    /// `item`, or inserts it; resolves to the stored document.
    pub fn insert_or_update_one(&self, options: JsValue) -> Promise {
        self.call(&t::INSERT_OR_UPDATE_ONE, options)
    }

    /// [`Client::insert_or_update_one`] for many items.
    pub fn insert_or_update_many(&self, options: JsValue) -> Promise {
        self.call(&t::INSERT_OR_UPDATE_MANY, options)
    }

    /// Deletes the document with `id`; resolves to the number deleted.
    pub fn delete_one(&self, options: JsValue) -> Promise {
        self.call(&t::DELETE_ONE, options)
    }

    /// Deletes the documents matching `query` (or with an id in `ids`); resolves to the number.
    pub fn delete_many(&self, options: JsValue) -> Promise {
        self.call(&t::DELETE_MANY, options)
    }

    /// The collections: `[{name, type, ...}]`.
    pub fn list_collections(&self, includehist: Option<bool>) -> Promise {
        let options = positional(&[("includehist", includehist.unwrap_or(false).into())]);
        self.call(&t::LIST_COLLECTIONS, options)
    }

    /// Creates a collection (optionally time series, capped, with collation or expiry).
    pub fn create_collection(&self, options: JsValue) -> Promise {
        self.call(&t::CREATE_COLLECTION, options)
    }

    /// Drops a collection.
    pub fn drop_collection(&self, collectionname: String) -> Promise {
        let options = positional(&[("collectionname", collectionname.into())]);
        self.call(&t::DROP_COLLECTION, options)
    }

    /// The indexes of a collection.
    pub fn get_indexes(&self, collectionname: String) -> Promise {
        let options = positional(&[("collectionname", collectionname.into())]);
        self.call(&t::GET_INDEXES, options)
    }

    /// Creates an index (`index` e.g. `{name: 1}`); resolves to the server's result (its name).
    pub fn create_index(&self, options: JsValue) -> Promise {
        self.call(&t::CREATE_INDEX, options)
    }

    /// Drops an index by name.
    pub fn drop_index(&self, collectionname: String, indexname: String) -> Promise {
        let options = positional(&[
            ("collectionname", collectionname.into()),
            ("name", indexname.into()),
        ]);
        self.call(&t::DROP_INDEX, options)
    }

    /// Adds a work item to queue `wiq` (or `wiqid`); resolves to the stored work item.
    pub fn push_workitem(&self, options: JsValue) -> Promise {
        self.call_checked(&t::PUSH_WORKITEM, options, has_queue)
    }

    /// Takes the next work item of a queue (now `processing`); resolves to `null` when empty.
    pub fn pop_workitem(&self, options: JsValue) -> Promise {
        self.call_checked(&t::POP_WORKITEM, options, has_queue)
    }

    /// Updates a work item (state `successful`, `failed`, `retry`, payload, ...); resolves to it.
    pub fn update_workitem(&self, options: JsValue) -> Promise {
        self.call_checked(&t::UPDATE_WORKITEM, options, |o| {
            let w = JsOptions(convert::get(o, "workitem"));
            let id = |k| w.string(k).ok().flatten().is_some_and(|s| !s.is_empty());
            let ok = w.0.is_object() && (id("id") || id("_id"));
            invalid_unless(ok, "workitem with an id is required")
        })
    }

    /// Deletes a work item.
    pub fn delete_workitem(&self, id: String) -> Promise {
        self.call(&t::DELETE_WORKITEM, positional(&[("id", id.into())]))
    }

    /// Runs a server custom command; resolves to its result (JSON-parsed when it is JSON).
    pub fn custom_command(&self, options: JsValue) -> Promise {
        self.call(&t::CUSTOM_COMMAND, options)
    }
}
