//! The data API of the JS `Client`: documents, collections, indexes, work items, custom
//! commands and files. Names and option objects follow the npm `openiap` client; every method
//! returns a Promise. Requests go through one helper ([`Client::call`]) and replies through a
//! handful of shared decoders (most replies are one JSON string in field 1).

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, ArrayBuffer, Function, Object, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

use super::client::Client;
use super::driver::{now, promise_for, released, ReplyKind, Shared};
use super::js::{self, Options};
use crate::core::envelope::{decode, to_any};
use crate::core::error::Error;
use crate::pb::google::protobuf::{Any, Timestamp};
use crate::pb::*;

#[wasm_bindgen(typescript_custom_section)]
const DATA_TYPES: &'static str = r#"
/** Any JSON value, or a string that is sent as it is (already JSON). */
export type Json = any;
export interface QueryOptions { collectionname: string; query?: Json; projection?: Json; orderby?: Json; skip?: number; top?: number; queryas?: string; explain?: boolean; }
export interface CountOptions { collectionname: string; query?: Json; queryas?: string; explain?: boolean; }
export interface DistinctOptions { collectionname: string; field: string; query?: Json; queryas?: string; explain?: boolean; }
export interface AggregateOptions { collectionname: string; aggregates: Json; queryas?: string; hint?: string; explain?: boolean; }
export interface InsertOneOptions { collectionname: string; item: Json; w?: number; j?: boolean; }
export interface InsertManyOptions { collectionname: string; items: Json[]; w?: number; j?: boolean; skipresults?: boolean; }
export interface UpdateOneOptions { collectionname: string; item: Json; w?: number; j?: boolean; }
export interface InsertOrUpdateOneOptions { collectionname: string; item: Json; uniqeness?: string; w?: number; j?: boolean; }
export interface InsertOrUpdateManyOptions { collectionname: string; items: Json[]; uniqeness?: string; w?: number; j?: boolean; skipresults?: boolean; }
export interface DeleteOneOptions { collectionname: string; id: string; recursive?: boolean; }
export interface DeleteManyOptions { collectionname: string; query?: Json; ids?: string[]; recursive?: boolean; }
export interface CreateCollectionOptions {
  collectionname: string;
  collation?: { locale?: string; caseLevel?: boolean; caseFirst?: string; strength?: number; numericOrdering?: boolean; alternate?: string; maxVariable?: string; backwards?: boolean };
  timeseries?: { timeField: string; metaField?: string; granularity?: "seconds" | "minutes" | "hours" };
  expire_after_seconds?: number; change_stream_pre_and_post_images?: boolean; capped?: boolean; max?: number; size?: number;
}
export interface CreateIndexOptions { collectionname: string; index: Json; options?: Json; name?: string; }
/** A file of a work item: `file` holds its bytes when sending; replies carry `id` (download it with `download`). */
export interface WorkitemFile { filename: string; id?: string; compressed?: boolean; file?: Uint8Array | ArrayBuffer | string; }
export interface Workitem {
  id: string; name: string; payload: any; priority: number; nextrun?: Date; lastrun?: Date; files: WorkitemFile[];
  state: "new" | "processing" | "successful" | "failed" | "retry" | string; wiq: string; wiqid: string; retries: number; username: string;
  success_wiqid: string; failed_wiqid: string; success_wiq: string; failed_wiq: string; errormessage: string; errorsource: string; errortype: string;
}
export interface PushWorkitemOptions {
  wiq?: string; wiqid?: string; name: string; payload?: Json; nextrun?: Date | number; priority?: number; files?: WorkitemFile[];
  success_wiqid?: string; failed_wiqid?: string; success_wiq?: string; failed_wiq?: string;
}
export interface PopWorkitemOptions { wiq?: string; wiqid?: string; }
export interface UpdateWorkitemOptions { workitem: Partial<Workitem> & { id: string }; ignoremaxretries?: boolean; files?: WorkitemFile[]; }
export interface CustomCommandOptions { command: string; id?: string; name?: string; data?: Json; timeout?: number; }
export interface UploadOptions {
  filename: string; mimetype?: string; metadata?: Json; collectionname?: string;
  data: Blob | Uint8Array | ArrayBuffer | ArrayBufferView | string;
  /** Called once per 1 MiB chunk, before it is sent. */
  progress?: (sent: number, total: number) => void;
}
export interface UploadResult { id: string; filename: string; bytes: number; chunks: number; mb: number; elapsedTime: number; mbps: number; }
export interface DownloadOptions { collectionname?: string; id: string; filename?: string; progress?: (received: number) => void; }
export interface DownloadResult { id: string; filename: string; mimetype: string; data: Uint8Array; }
"#;

/// Upload chunk size (as the official Rust client).
const CHUNK: usize = 1024 * 1024;

type Decode = fn(&Envelope) -> Result<JsValue, Error>;

// ----- reply decoders ----------------------------------------------------------------------------

/// Replies that are one JSON string in field 1 (query, aggregate, insert*, update*, getindexes,
/// listcollections, createindex, customcommand): JSON-parsed, or the text if it is not JSON.
fn dec_json(env: &Envelope) -> Result<JsValue, Error> {
    Ok(js::parse_data(&decode::<QueryResponse>(env)?.results))
}

/// Replies that are one int32 in field 1 (count, deleteone, deletemany).
fn dec_int(env: &Envelope) -> Result<JsValue, Error> {
    Ok(JsValue::from(decode::<CountResponse>(env)?.result))
}

fn dec_unit(_: &Envelope) -> Result<JsValue, Error> {
    Ok(JsValue::UNDEFINED)
}

fn dec_distinct(env: &Envelope) -> Result<JsValue, Error> {
    let r: DistinctResponse = decode(env)?;
    Ok(r.results.iter().map(|s| JsValue::from_str(s)).collect::<Array>().into())
}

/// Push, pop and update replies: `Workitem workitem = 1` (null when pop finds nothing).
fn dec_workitem(env: &Envelope) -> Result<JsValue, Error> {
    Ok(decode::<PushWorkitemResponse>(env)?.workitem.as_ref().map(workitem_js).unwrap_or(JsValue::NULL))
}

fn dec_upload(env: &Envelope) -> Result<JsValue, Error> {
    let r: UploadResponse = decode(env)?;
    let o = Object::new();
    js::set(&o, "id", r.id.as_str());
    js::set(&o, "filename", r.filename.as_str());
    js::set(&o, "bytes", r.bytes);
    js::set(&o, "chunks", r.chunks);
    js::set(&o, "mb", r.mb);
    js::set(&o, "elapsedTime", r.elapsed_time);
    js::set(&o, "mbps", r.mbps);
    Ok(o.into())
}

fn dec_download(env: &Envelope) -> Result<JsValue, Error> {
    let r: DownloadResponse = decode(env)?;
    let o = Object::new();
    js::set(&o, "id", r.id.as_str());
    js::set(&o, "filename", r.filename.as_str());
    js::set(&o, "mimetype", r.mimetype.as_str());
    Ok(o.into())
}

// ----- option readers ----------------------------------------------------------------------------

type R<T> = Result<T, JsValue>;

/// A JSON option: strings as they are, other values stringified, absent → `default`.
fn json(o: &JsValue, key: &str, default: &str) -> String {
    let v = js::get(o, key);
    if v.is_undefined() || v.is_null() {
        return default.into();
    }
    js::data_text(&v)
}

fn string(o: &Options, key: &str) -> R<String> {
    Ok(o.string(key)?.unwrap_or_default())
}

fn int(o: &Options, key: &str, default: i32) -> R<i32> {
    Ok(o.number(key)?.map(|v| v.min(i32::MAX as u64) as i32).unwrap_or(default))
}

fn flag(o: &Options, key: &str) -> R<bool> {
    Ok(o.boolean(key)?.unwrap_or(false))
}

fn required(o: &Options, key: &str) -> R<String> {
    match o.string(key)? {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(js::invalid(&["option '", key, "' is required"].concat())),
    }
}

/// `timeout` in ms when positive (npm uses -1 for the default).
fn timeout(o: &JsValue) -> Option<u64> {
    js::get(o, "timeout").as_f64().filter(|t| t.is_finite() && *t > 0.0).map(|t| t as u64)
}

/// A `Date` or a number of milliseconds since the epoch.
fn timestamp(v: &JsValue) -> Option<Timestamp> {
    let ms = match v.dyn_ref::<js_sys::Date>() {
        Some(d) => d.get_time(),
        None => v.as_f64()?,
    };
    (ms.is_finite() && ms > 0.0).then(|| Timestamp { seconds: (ms / 1000.0) as i64, nanos: ((ms % 1000.0) * 1e6) as i32 })
}

fn date(t: &Option<Timestamp>) -> Option<JsValue> {
    let t = t.as_ref().filter(|t| t.seconds > 0)?;
    Some(js_sys::Date::new(&JsValue::from(t.seconds as f64 * 1000.0 + (t.nanos / 1_000_000) as f64)).into())
}

/// Bytes of a `Uint8Array`, `ArrayBuffer`, other `ArrayBufferView` or string (UTF-8).
fn bytes_now(v: &JsValue) -> Option<Vec<u8>> {
    if let Some(s) = v.as_string() {
        return Some(s.into_bytes());
    }
    if let Some(a) = v.dyn_ref::<Uint8Array>() {
        return Some(a.to_vec());
    }
    if v.is_instance_of::<ArrayBuffer>() {
        return Some(Uint8Array::new(v).to_vec());
    }
    if ArrayBuffer::is_view(v) {
        let n = |k| js::get(v, k).as_f64().unwrap_or(0.0) as u32;
        let buf: ArrayBuffer = js::get(v, "buffer").unchecked_into();
        return Some(Uint8Array::new_with_byte_offset_and_length(&buf, n("byteOffset"), n("byteLength")).to_vec());
    }
    None
}

/// Like [`bytes_now`], and a `Blob` (anything with `arrayBuffer()`).
async fn bytes(v: JsValue) -> R<Vec<u8>> {
    if let Some(b) = bytes_now(&v) {
        return Ok(b);
    }
    if let Ok(f) = js::get(&v, "arrayBuffer").dyn_into::<Function>() {
        let p: Promise = f.call0(&v)?.unchecked_into();
        return Ok(Uint8Array::new(&JsFuture::from(p).await?).to_vec());
    }
    Err(js::invalid("data must be a Blob, Uint8Array, ArrayBuffer or string"))
}

fn files_from(v: &JsValue) -> R<Vec<WorkitemFile>> {
    if !Array::is_array(v) {
        return Ok(Vec::new());
    }
    Array::from(v)
        .iter()
        .map(|f| {
            let o = Options(&f);
            Ok(WorkitemFile {
                filename: string(&o, "filename")?,
                id: o.string("id")?.or(o.string("_id")?).unwrap_or_default(),
                compressed: flag(&o, "compressed")?,
                file: bytes_now(&js::get(&f, "file")).unwrap_or_default(),
            })
        })
        .collect()
}

fn files_js(files: &[WorkitemFile]) -> Array {
    files
        .iter()
        .map(|f| {
            let o = Object::new();
            js::set(&o, "filename", f.filename.as_str());
            js::set(&o, "id", f.id.as_str());
            js::set(&o, "compressed", f.compressed);
            JsValue::from(o)
        })
        .collect()
}

/// The string fields of a work item, by JS name.
fn wi_strings(w: &mut Workitem) -> [(&'static str, &mut String); 13] {
    [
        ("id", &mut w.id),
        ("name", &mut w.name),
        ("state", &mut w.state),
        ("wiq", &mut w.wiq),
        ("wiqid", &mut w.wiqid),
        ("username", &mut w.username),
        ("success_wiqid", &mut w.success_wiqid),
        ("failed_wiqid", &mut w.failed_wiqid),
        ("success_wiq", &mut w.success_wiq),
        ("failed_wiq", &mut w.failed_wiq),
        ("errormessage", &mut w.errormessage),
        ("errorsource", &mut w.errorsource),
        ("errortype", &mut w.errortype),
    ]
}

/// A work item as JS sees it: npm `openiap` names (`id`, not `_id`), `payload` JSON-parsed,
/// `nextrun`/`lastrun` as `Date` (absent when unset).
fn workitem_js(w: &Workitem) -> JsValue {
    let o = Object::new();
    let mut w = w.clone();
    let (payload, priority, retries) = (js::parse_data(&w.payload), w.priority, w.retries);
    let (nextrun, lastrun, files) = (date(&w.nextrun), date(&w.lastrun), files_js(&w.files));
    for (k, v) in wi_strings(&mut w) {
        js::set(&o, k, v.as_str());
    }
    js::set(&o, "payload", payload);
    js::set(&o, "priority", priority);
    js::set(&o, "retries", retries);
    js::set(&o, "files", files);
    if let Some(d) = nextrun {
        js::set(&o, "nextrun", d);
    }
    if let Some(d) = lastrun {
        js::set(&o, "lastrun", d);
    }
    o.into()
}

fn workitem_from(v: &JsValue) -> R<Workitem> {
    let o = Options(v);
    let mut w = Workitem::default();
    for (k, field) in wi_strings(&mut w) {
        if let Some(s) = o.string(k)? {
            *field = s;
        }
    }
    if w.id.is_empty() {
        w.id = string(&o, "_id")?;
    }
    w.payload = json(v, "payload", "{}");
    w.priority = int(&o, "priority", 2)?;
    w.retries = int(&o, "retries", 0)?;
    w.nextrun = timestamp(&js::get(v, "nextrun"));
    w.lastrun = timestamp(&js::get(v, "lastrun"));
    w.files = files_from(&js::get(v, "files"))?;
    Ok(w)
}

fn reject(e: JsValue) -> Promise {
    Promise::reject(&e)
}

impl Client {
    /// Sends `command` with the request `data` (or rejects with its error) and decodes the reply.
    fn call(&self, command: &str, data: R<Any>, timeout: Option<u64>, decode: Decode) -> Promise {
        let Ok(shared) = self.shared() else { return reject(released()) };
        let data = match data {
            Ok(d) => d,
            Err(e) => return reject(e),
        };
        let id = shared.borrow_mut().session.request(now(), command, data, timeout);
        promise_for(shared, id, ReplyKind::Decode(decode))
    }
}

#[wasm_bindgen]
impl Client {
    /// Documents of a collection matching `query` (`projection`, `orderby`, `skip`, `top` = 100).
    #[wasm_bindgen(unchecked_return_type = "Promise<any[]>")]
    pub fn query(&self, #[wasm_bindgen(unchecked_param_type = "QueryOptions")] options: JsValue) -> Promise {
        let v = &options;
        let read = || -> R<Any> {
            let o = Options(v);
            Ok(to_any(&QueryRequest {
                collectionname: string(&o, "collectionname")?,
                query: json(v, "query", "{}"),
                projection: json(v, "projection", "{}"),
                orderby: json(v, "orderby", ""),
                skip: int(&o, "skip", 0)?,
                top: int(&o, "top", 100)?,
                queryas: string(&o, "queryas")?,
                explain: flag(&o, "explain")?,
            }))
        };
        self.call("query", read(), None, dec_json)
    }

    /// The number of documents matching `query`.
    #[wasm_bindgen(unchecked_return_type = "Promise<number>")]
    pub fn count(&self, #[wasm_bindgen(unchecked_param_type = "CountOptions")] options: JsValue) -> Promise {
        let v = &options;
        let read = || -> R<Any> {
            let o = Options(v);
            Ok(to_any(&CountRequest {
                collectionname: string(&o, "collectionname")?,
                query: json(v, "query", "{}"),
                queryas: string(&o, "queryas")?,
                explain: flag(&o, "explain")?,
            }))
        };
        self.call("count", read(), None, dec_int)
    }

    /// The distinct values of `field` among the documents matching `query`.
    #[wasm_bindgen(unchecked_return_type = "Promise<string[]>")]
    pub fn distinct(&self, #[wasm_bindgen(unchecked_param_type = "DistinctOptions")] options: JsValue) -> Promise {
        let v = &options;
        let read = || -> R<Any> {
            let o = Options(v);
            Ok(to_any(&DistinctRequest {
                collectionname: string(&o, "collectionname")?,
                field: required(&o, "field")?,
                query: json(v, "query", "{}"),
                queryas: string(&o, "queryas")?,
                options: String::new(),
                explain: flag(&o, "explain")?,
            }))
        };
        self.call("distinct", read(), None, dec_distinct)
    }

    /// Runs an aggregation pipeline.
    #[wasm_bindgen(unchecked_return_type = "Promise<any[]>")]
    pub fn aggregate(&self, #[wasm_bindgen(unchecked_param_type = "AggregateOptions")] options: JsValue) -> Promise {
        let v = &options;
        let read = || -> R<Any> {
            let o = Options(v);
            Ok(to_any(&AggregateRequest {
                collectionname: string(&o, "collectionname")?,
                aggregates: json(v, "aggregates", "[]"),
                queryas: string(&o, "queryas")?,
                hint: json(v, "hint", ""),
                explain: flag(&o, "explain")?,
            }))
        };
        self.call("aggregate", read(), None, dec_json)
    }

    /// Inserts `item`; resolves to the stored document (with `_id`).
    #[wasm_bindgen(unchecked_return_type = "Promise<any>")]
    pub fn insert_one(&self, #[wasm_bindgen(unchecked_param_type = "InsertOneOptions")] options: JsValue) -> Promise {
        let v = &options;
        let read = || -> R<Any> {
            let o = Options(v);
            Ok(to_any(&InsertOneRequest {
                collectionname: string(&o, "collectionname")?,
                item: json(v, "item", "{}"),
                w: int(&o, "w", 1)?,
                j: flag(&o, "j")?,
            }))
        };
        self.call("insertone", read(), None, dec_json)
    }

    /// Inserts `items`; resolves to the stored documents (empty with `skipresults`).
    #[wasm_bindgen(unchecked_return_type = "Promise<any[]>")]
    pub fn insert_many(&self, #[wasm_bindgen(unchecked_param_type = "InsertManyOptions")] options: JsValue) -> Promise {
        let v = &options;
        let read = || -> R<Any> {
            let o = Options(v);
            Ok(to_any(&InsertManyRequest {
                collectionname: string(&o, "collectionname")?,
                items: json(v, "items", "[]"),
                w: int(&o, "w", 1)?,
                j: flag(&o, "j")?,
                skipresults: flag(&o, "skipresults")?,
            }))
        };
        self.call("insertmany", read(), None, dec_json)
    }

    /// Replaces the document with `item._id`; resolves to the stored document.
    #[wasm_bindgen(unchecked_return_type = "Promise<any>")]
    pub fn update_one(&self, #[wasm_bindgen(unchecked_param_type = "UpdateOneOptions")] options: JsValue) -> Promise {
        let v = &options;
        let read = || -> R<Any> {
            let o = Options(v);
            Ok(to_any(&UpdateOneRequest {
                collectionname: string(&o, "collectionname")?,
                item: json(v, "item", "{}"),
                w: int(&o, "w", 1)?,
                j: flag(&o, "j")?,
            }))
        };
        self.call("updateone", read(), None, dec_json)
    }

    /// Updates the document whose `uniqeness` fields (comma separated, default `_id`) match
    /// `item`, or inserts it; resolves to the stored document.
    #[wasm_bindgen(unchecked_return_type = "Promise<any>")]
    pub fn insert_or_update_one(&self, #[wasm_bindgen(unchecked_param_type = "InsertOrUpdateOneOptions")] options: JsValue) -> Promise {
        let v = &options;
        let read = || -> R<Any> {
            let o = Options(v);
            Ok(to_any(&InsertOrUpdateOneRequest {
                collectionname: string(&o, "collectionname")?,
                uniqeness: o.string("uniqeness")?.unwrap_or_else(|| "_id".into()),
                item: json(v, "item", "{}"),
                w: int(&o, "w", 1)?,
                j: flag(&o, "j")?,
            }))
        };
        self.call("insertorupdateone", read(), None, dec_json)
    }

    /// [`Client::insert_or_update_one`] for many items.
    #[wasm_bindgen(unchecked_return_type = "Promise<any[]>")]
    pub fn insert_or_update_many(&self, #[wasm_bindgen(unchecked_param_type = "InsertOrUpdateManyOptions")] options: JsValue) -> Promise {
        let v = &options;
        let read = || -> R<Any> {
            let o = Options(v);
            Ok(to_any(&InsertOrUpdateManyRequest {
                collectionname: string(&o, "collectionname")?,
                uniqeness: o.string("uniqeness")?.unwrap_or_else(|| "_id".into()),
                items: json(v, "items", "[]"),
                w: int(&o, "w", 1)?,
                j: flag(&o, "j")?,
                skipresults: flag(&o, "skipresults")?,
            }))
        };
        self.call("insertorupdatemany", read(), None, dec_json)
    }

    /// Deletes the document with `id`; resolves to the number deleted.
    #[wasm_bindgen(unchecked_return_type = "Promise<number>")]
    pub fn delete_one(&self, #[wasm_bindgen(unchecked_param_type = "DeleteOneOptions")] options: JsValue) -> Promise {
        let read = || -> R<Any> {
            let o = Options(&options);
            Ok(to_any(&DeleteOneRequest {
                collectionname: string(&o, "collectionname")?,
                id: required(&o, "id")?,
                recursive: flag(&o, "recursive")?,
            }))
        };
        self.call("deleteone", read(), None, dec_int)
    }

    /// Deletes the documents matching `query` (or with an id in `ids`); resolves to the number.
    #[wasm_bindgen(unchecked_return_type = "Promise<number>")]
    pub fn delete_many(&self, #[wasm_bindgen(unchecked_param_type = "DeleteManyOptions")] options: JsValue) -> Promise {
        let v = &options;
        let read = || -> R<Any> {
            let o = Options(v);
            let ids = js::get(v, "ids");
            let ids = if Array::is_array(&ids) { Array::from(&ids).iter().filter_map(|i| i.as_string()).collect() } else { Vec::new() };
            Ok(to_any(&DeleteManyRequest {
                collectionname: string(&o, "collectionname")?,
                query: json(v, "query", ""),
                recursive: flag(&o, "recursive")?,
                ids,
            }))
        };
        self.call("deletemany", read(), None, dec_int)
    }

    /// The collections: `[{name, type, ...}]`.
    #[wasm_bindgen(unchecked_return_type = "Promise<any[]>")]
    pub fn list_collections(&self, includehist: Option<bool>) -> Promise {
        let req = ListCollectionsRequest { includehist: includehist.unwrap_or(false) };
        self.call("listcollections", Ok(to_any(&req)), None, dec_json)
    }

    /// Creates a collection (optionally time series, capped, with collation or expiry).
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn create_collection(&self, #[wasm_bindgen(unchecked_param_type = "CreateCollectionOptions")] options: JsValue) -> Promise {
        let v = &options;
        let read = || -> R<Any> {
            let o = Options(v);
            let c = o.object("collation");
            let collation = if c.is_object() {
                let c = Options(&c);
                Some(ColCollation {
                    locale: string(&c, "locale")?,
                    case_level: flag(&c, "caseLevel")?,
                    case_first: string(&c, "caseFirst")?,
                    strength: int(&c, "strength", 0)?,
                    numeric_ordering: flag(&c, "numericOrdering")?,
                    alternate: string(&c, "alternate")?,
                    max_variable: string(&c, "maxVariable")?,
                    backwards: flag(&c, "backwards")?,
                })
            } else {
                None
            };
            let t = o.object("timeseries");
            let timeseries = if t.is_object() {
                let t = Options(&t);
                Some(ColTimeseries {
                    time_field: string(&t, "timeField")?,
                    meta_field: string(&t, "metaField")?,
                    granularity: string(&t, "granularity")?,
                })
            } else {
                None
            };
            Ok(to_any(&CreateCollectionRequest {
                collectionname: required(&o, "collectionname")?,
                collation,
                timeseries,
                expire_after_seconds: int(&o, "expire_after_seconds", 0)?,
                change_stream_pre_and_post_images: flag(&o, "change_stream_pre_and_post_images")?,
                capped: flag(&o, "capped")?,
                max: int(&o, "max", 0)?,
                size: int(&o, "size", 0)?,
            }))
        };
        self.call("createcollection", read(), None, dec_unit)
    }

    /// Drops a collection.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn drop_collection(&self, collectionname: String) -> Promise {
        self.call("dropcollection", Ok(to_any(&DropCollectionRequest { collectionname })), None, dec_unit)
    }

    /// The indexes of a collection.
    #[wasm_bindgen(unchecked_return_type = "Promise<any[]>")]
    pub fn get_indexes(&self, collectionname: String) -> Promise {
        self.call("getindexes", Ok(to_any(&GetIndexesRequest { collectionname })), None, dec_json)
    }

    /// Creates an index (`index` e.g. `{name: 1}`); resolves to the server's result (its name).
    #[wasm_bindgen(unchecked_return_type = "Promise<any>")]
    pub fn create_index(&self, #[wasm_bindgen(unchecked_param_type = "CreateIndexOptions")] options: JsValue) -> Promise {
        let v = &options;
        let read = || -> R<Any> {
            let o = Options(v);
            Ok(to_any(&CreateIndexRequest {
                collectionname: required(&o, "collectionname")?,
                index: json(v, "index", "{}"),
                options: json(v, "options", "{}"),
                name: string(&o, "name")?,
            }))
        };
        self.call("createindex", read(), None, dec_json)
    }

    /// Drops an index by name.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn drop_index(&self, collectionname: String, indexname: String) -> Promise {
        self.call("dropindex", Ok(to_any(&DropIndexRequest { collectionname, name: indexname })), None, dec_unit)
    }

    /// Adds a work item to queue `wiq` (or `wiqid`); resolves to the stored work item.
    #[wasm_bindgen(unchecked_return_type = "Promise<Workitem>")]
    pub fn push_workitem(&self, #[wasm_bindgen(unchecked_param_type = "PushWorkitemOptions")] options: JsValue) -> Promise {
        let v = &options;
        let read = || -> R<Any> {
            let o = Options(v);
            let req = PushWorkitemRequest {
                wiq: string(&o, "wiq")?,
                wiqid: string(&o, "wiqid")?,
                name: string(&o, "name")?,
                payload: json(v, "payload", "{}"),
                nextrun: timestamp(&js::get(v, "nextrun")),
                success_wiqid: string(&o, "success_wiqid")?,
                failed_wiqid: string(&o, "failed_wiqid")?,
                success_wiq: string(&o, "success_wiq")?,
                failed_wiq: string(&o, "failed_wiq")?,
                priority: int(&o, "priority", 2)?,
                files: files_from(&js::get(v, "files"))?,
            };
            if req.wiq.is_empty() && req.wiqid.is_empty() {
                return Err(js::invalid("wiq or wiqid is required"));
            }
            Ok(to_any(&req))
        };
        self.call("pushworkitem", read(), None, dec_workitem)
    }

    /// Takes the next work item of a queue (now `processing`); resolves to `null` when empty.
    #[wasm_bindgen(unchecked_return_type = "Promise<Workitem | null>")]
    pub fn pop_workitem(&self, #[wasm_bindgen(unchecked_param_type = "PopWorkitemOptions")] options: JsValue) -> Promise {
        let read = || -> R<Any> {
            let o = Options(&options);
            let req = PopWorkitemRequest { wiq: string(&o, "wiq")?, wiqid: string(&o, "wiqid")?, includefiles: false, compressed: false };
            if req.wiq.is_empty() && req.wiqid.is_empty() {
                return Err(js::invalid("wiq or wiqid is required"));
            }
            Ok(to_any(&req))
        };
        self.call("popworkitem", read(), None, dec_workitem)
    }

    /// Updates a work item (state `successful`, `failed`, `retry`, payload, ...); resolves to it.
    #[wasm_bindgen(unchecked_return_type = "Promise<Workitem>")]
    pub fn update_workitem(&self, #[wasm_bindgen(unchecked_param_type = "UpdateWorkitemOptions")] options: JsValue) -> Promise {
        let v = &options;
        let read = || -> R<Any> {
            let o = Options(v);
            let workitem = workitem_from(&js::get(v, "workitem"))?;
            if workitem.id.is_empty() {
                return Err(js::invalid("workitem.id is required"));
            }
            Ok(to_any(&UpdateWorkitemRequest {
                workitem: Some(workitem),
                ignoremaxretries: flag(&o, "ignoremaxretries")?,
                files: files_from(&js::get(v, "files"))?,
            }))
        };
        self.call("updateworkitem", read(), None, dec_workitem)
    }

    /// Deletes a work item.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn delete_workitem(&self, id: String) -> Promise {
        if id.is_empty() {
            return reject(js::invalid("id is required"));
        }
        self.call("deleteworkitem", Ok(to_any(&DeleteWorkitemRequest { id })), None, dec_unit)
    }

    /// Runs a server custom command; resolves to its result (JSON-parsed when it is JSON).
    #[wasm_bindgen(unchecked_return_type = "Promise<any>")]
    pub fn custom_command(&self, #[wasm_bindgen(unchecked_param_type = "CustomCommandOptions")] options: JsValue) -> Promise {
        let v = &options;
        let read = || -> R<Any> {
            let o = Options(v);
            Ok(to_any(&CustomCommandRequest {
                command: required(&o, "command")?,
                id: string(&o, "id")?,
                name: string(&o, "name")?,
                data: json(v, "data", "{}"),
            }))
        };
        self.call("customcommand", read(), timeout(v), dec_json)
    }

    /// Uploads `data` (Blob, Uint8Array, ArrayBuffer or string) in 1 MiB chunks; resolves to
    /// `{id, filename, bytes, chunks, ...}`.
    #[wasm_bindgen(unchecked_return_type = "Promise<UploadResult>")]
    pub fn upload(&self, #[wasm_bindgen(unchecked_param_type = "UploadOptions")] options: JsValue) -> Promise {
        let Ok(shared) = self.shared() else { return reject(released()) };
        let shared: Shared = shared.clone();
        future_to_promise(async move {
            let v = &options;
            let o = Options(v);
            let req = UploadRequest {
                filename: required(&o, "filename")?,
                mimetype: o.string("mimetype")?.unwrap_or_else(|| "application/octet-stream".into()),
                metadata: json(v, "metadata", "{}"),
                collectionname: o.string("collectionname")?.unwrap_or_else(|| "fs.files".into()),
            };
            let progress = js::get(v, "progress").dyn_into::<Function>().ok();
            let data = bytes(js::get(v, "data")).await?;
            let total = JsValue::from(data.len() as f64);
            let mut chunks = Vec::with_capacity(data.len() / CHUNK + 1);
            for (i, c) in data.chunks(CHUNK).enumerate() {
                if let Some(p) = &progress {
                    p.call2(&JsValue::UNDEFINED, &JsValue::from((i * CHUNK + c.len()) as f64), &total)?;
                }
                chunks.push(c.to_vec());
            }
            drop(data);
            let id = shared.borrow_mut().session.request_with_stream(now(), "upload", to_any(&req), chunks, timeout(v));
            JsFuture::from(promise_for(&shared, id, ReplyKind::Decode(dec_upload))).await
        })
    }

    /// Downloads a file; resolves to `{id, filename, mimetype, data: Uint8Array}`. `progress`
    /// gets the number of bytes received after every chunk.
    #[wasm_bindgen(unchecked_return_type = "Promise<DownloadResult>")]
    pub fn download(&self, #[wasm_bindgen(unchecked_param_type = "DownloadOptions")] options: JsValue) -> Promise {
        let Ok(shared) = self.shared() else { return reject(released()) };
        let read = || -> R<DownloadRequest> {
            let o = Options(&options);
            Ok(DownloadRequest {
                id: required(&o, "id")?,
                filename: string(&o, "filename")?,
                collectionname: o.string("collectionname")?.unwrap_or_else(|| "fs.files".into()),
            })
        };
        let req = match read() {
            Ok(r) => r,
            Err(e) => return reject(e),
        };
        let progress = js::get(&options, "progress").dyn_into::<Function>().ok();
        let received: Rc<RefCell<Vec<u8>>> = Rc::default();
        let sink = {
            let received = received.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |part: JsValue| {
                let Ok(chunk) = js::get(&part, "data").dyn_into::<Uint8Array>() else { return };
                let total = {
                    let mut buf = received.borrow_mut();
                    let at = buf.len();
                    buf.resize(at + chunk.length() as usize, 0);
                    chunk.copy_to(&mut buf[at..]);
                    buf.len()
                };
                if let (Some(p), true) = (&progress, chunk.length() > 0) {
                    let _ = p.call1(&JsValue::UNDEFINED, &JsValue::from(total as f64));
                }
            })
        };
        let id = {
            let mut inner = shared.borrow_mut();
            let id = inner.session.request(now(), "download", to_any(&req), timeout(&options));
            inner.streams.insert(id, sink.as_ref().unchecked_ref::<Function>().clone());
            id
        };
        let reply = promise_for(shared, id, ReplyKind::Decode(dec_download));
        future_to_promise(async move {
            let result = JsFuture::from(reply).await;
            drop(sink);
            let result = result?;
            js::set(result.unchecked_ref(), "data", Uint8Array::from(received.borrow().as_slice()));
            Ok(result)
        })
    }
}
