//! The data API of the JS `Client`: documents, collections, indexes, work items, custom
//! commands and files. Names and option objects follow the npm `openiap` client; every method
//! returns a Promise. Requests go through one helper ([`Client::call`]) and replies through a
//! handful of shared decoders (most replies are one JSON string in field 1).

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, ArrayBuffer, Function, Object, Promise, Uint8Array};
use wasm_bindgen::prelude::*;

use super::client::Client;
use super::driver::{drive, now, promise_for, released, report, ReplyKind, Shared};
use super::js::{self, Options};
use crate::core::error::Error;
use crate::core::session::RequestId;
use crate::pb::google::protobuf::Any;
use crate::pb::Envelope;

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
  /** Read a 1 MiB chunk at a time while the upload runs: leave it unchanged until the promise settles. */
  data: Blob | Uint8Array | ArrayBuffer | ArrayBufferView | string;
  /** Called as each 1 MiB chunk goes to the connection: bytes so far, total. A throw is reported as an `Error` event. */
  progress?: (sent: number, total: number) => void;
}
export interface UploadResult { id: string; filename: string; bytes: number; chunks: number; mb: number; elapsedTime: number; mbps: number; }
export interface DownloadOptions { collectionname?: string; id: string; filename?: string; progress?: (received: number) => void; }
export interface DownloadResult { id: string; filename: string; mimetype: string; data: Uint8Array; }
"#;

/// Upload chunk size (as the official Rust client).
const CHUNK: usize = 1024 * 1024;
/// An upload reads its next chunk only while the socket holds less than this unsent, so a large
/// file is not queued whole in the runtime's send buffer when the network is slower than disk;
/// otherwise the session asks again a little later.
const MAX_BUFFERED: u32 = 4 * 1024 * 1024;

type Decode = fn(&Envelope) -> Result<JsValue, Error>;

// ----- reply decoders ----------------------------------------------------------------------------
//
// One small reader turns every reply into JS from a table of (JS key, field number, kind),
// instead of a prost type (and its decoder) per reply: proto3 wire format, absent fields read as
// their defaults, unknown fields skipped.

/// How a reply field becomes a JS value.
#[derive(Clone, Copy)]
enum D {
    /// A string.
    Str,
    /// JSON text: parsed, or the text when it is not JSON.
    Json,
    /// An int32.
    I32,
    /// A boolean.
    Bool,
    /// A float.
    F32,
    /// A `google.protobuf.Timestamp` as a `Date`; the key is left out when unset.
    Date,
    /// A repeated string, as an array.
    Strs,
    /// A nested message as an object (`null` when absent).
    Msg(&'static [O]),
    /// A repeated nested message, as an array of objects.
    Msgs(&'static [O]),
}

/// One reply field: JS key, protobuf field number, kind. Objects get the keys in table order.
#[derive(Clone, Copy)]
struct O(&'static str, u8, D);

/// Work item files: `{filename, id, compressed}`.
const FILE_OUT: &[O] = &[
    O("filename", 1, D::Str),
    O("id", 2, D::Str),
    O("compressed", 3, D::Bool),
];
/// A work item as JS sees it: npm `openiap` names (`id`, not `_id`), `payload` JSON-parsed,
/// `nextrun`/`lastrun` as `Date` (absent when unset).
const WORKITEM_OUT: &[O] = &[
    O("id", 1, D::Str),
    O("name", 2, D::Str),
    O("state", 8, D::Str),
    O("wiq", 9, D::Str),
    O("wiqid", 10, D::Str),
    O("username", 12, D::Str),
    O("success_wiqid", 13, D::Str),
    O("failed_wiqid", 14, D::Str),
    O("success_wiq", 15, D::Str),
    O("failed_wiq", 16, D::Str),
    O("errormessage", 17, D::Str),
    O("errorsource", 18, D::Str),
    O("errortype", 19, D::Str),
    O("payload", 3, D::Json),
    O("priority", 4, D::I32),
    O("retries", 11, D::I32),
    O("files", 7, D::Msgs(FILE_OUT)),
    O("nextrun", 5, D::Date),
    O("lastrun", 6, D::Date),
];
const UPLOAD_OUT: &[O] = &[
    O("id", 1, D::Str),
    O("filename", 2, D::Str),
    O("bytes", 3, D::I32),
    O("chunks", 4, D::I32),
    O("mb", 5, D::F32),
    O("elapsedTime", 6, D::I32),
    O("mbps", 7, D::F32),
];
const DOWNLOAD_OUT: &[O] = &[
    O("id", 1, D::Str),
    O("filename", 2, D::Str),
    O("mimetype", 3, D::Str),
];
/// `google.protobuf.Timestamp`: `seconds` (int64) and `nanos` (int32), both varints.
const TIMESTAMP: &[O] = &[O("", 1, D::I32), O("", 2, D::I32)];

/// What a field held on the wire (the last occurrence; every one for repeated fields).
enum Raw<'a> {
    None,
    Int(u64),
    Bytes(&'a [u8]),
    List(Vec<&'a [u8]>),
}

/// Not valid protobuf (or not the expected field types).
struct Bad;

fn read_varint(b: &mut &[u8]) -> Result<u64, Bad> {
    let mut v = 0u64;
    for shift in (0..70).step_by(7) {
        let (&byte, rest) = b.split_first().ok_or(Bad)?;
        *b = rest;
        v |= ((byte & 0x7f) as u64) << shift;
        if byte < 0x80 {
            return Ok(v);
        }
    }
    Err(Bad)
}

fn take<'a>(b: &mut &'a [u8], n: u64) -> Result<&'a [u8], Bad> {
    if n > b.len() as u64 {
        return Err(Bad);
    }
    let (head, rest) = b.split_at(n as usize);
    *b = rest;
    Ok(head)
}

fn le(b: &[u8]) -> u64 {
    b.iter().rev().fold(0, |v, &x| v << 8 | x as u64)
}

/// Reads the fields of message `b` described by `fields` (in table order).
fn read_fields<'a>(mut b: &'a [u8], fields: &[O]) -> Result<Vec<Raw<'a>>, Bad> {
    let mut raw: Vec<Raw> = fields.iter().map(|_| Raw::None).collect();
    while !b.is_empty() {
        let key = read_varint(&mut b)?;
        let (no, wire) = (key >> 3, key & 7);
        let value = match wire {
            0 => Raw::Int(read_varint(&mut b)?),
            1 => Raw::Int(le(take(&mut b, 8)?)),
            2 => {
                let n = read_varint(&mut b)?;
                Raw::Bytes(take(&mut b, n)?)
            }
            5 => Raw::Int(le(take(&mut b, 4)?)),
            _ => return Err(Bad),
        };
        if no == 0 {
            return Err(Bad);
        }
        let Some(i) = fields.iter().position(|f| f.1 as u64 == no) else {
            continue;
        };
        let kind = fields[i].2;
        let want = match kind {
            D::I32 | D::Bool => 0,
            D::F32 => 5,
            _ => 2,
        };
        if wire != want {
            return Err(Bad);
        }
        match (kind, value) {
            (D::Strs | D::Msgs(_), Raw::Bytes(v)) => match &mut raw[i] {
                Raw::List(l) => l.push(v),
                r => *r = Raw::List(vec![v]),
            },
            (_, v) => raw[i] = v,
        }
    }
    Ok(raw)
}

fn text(b: &[u8]) -> Result<&str, Bad> {
    std::str::from_utf8(b).map_err(|_| Bad)
}

/// The JS value of one field (`None`: leave the key out).
fn field_value(raw: &Raw, kind: D) -> Result<Option<JsValue>, Bad> {
    let (int, bytes, list): (u64, &[u8], &[&[u8]]) = match raw {
        Raw::None => (0, &[], &[]),
        Raw::Int(v) => (*v, &[], &[]),
        Raw::Bytes(b) => (0, b, &[]),
        Raw::List(l) => (0, &[], l),
    };
    Ok(Some(match kind {
        D::Str => JsValue::from_str(text(bytes)?),
        D::Json => js::parse_data(text(bytes)?),
        D::I32 => JsValue::from(int as i32),
        D::Bool => JsValue::from(int != 0),
        D::F32 => JsValue::from(f32::from_bits(int as u32)),
        D::Date => {
            let t = read_fields(bytes, TIMESTAMP)?;
            let (seconds, nanos) = match (&t[0], &t[1]) {
                (Raw::Int(s), Raw::Int(n)) => (*s as i64, *n as i32),
                (Raw::Int(s), _) => (*s as i64, 0),
                _ => (0, 0),
            };
            if seconds <= 0 {
                return Ok(None);
            }
            let ms = seconds
                .wrapping_mul(1000)
                .wrapping_add((nanos / 1_000_000) as i64);
            js_sys::Date::new(&JsValue::from(ms as f64)).into()
        }
        D::Msg(f) => match raw {
            Raw::Bytes(b) => object(b, f)?,
            _ => JsValue::NULL,
        },
        D::Strs | D::Msgs(_) => {
            let a = Array::new();
            for b in list {
                a.push(&match kind {
                    D::Msgs(f) => object(b, f)?,
                    _ => JsValue::from_str(text(b)?),
                });
            }
            a.into()
        }
    }))
}

/// Message `b` as a JS object with the keys of `fields`.
fn object(b: &[u8], fields: &[O]) -> Result<JsValue, Bad> {
    let raw = read_fields(b, fields)?;
    let o = Object::new();
    for (f, r) in fields.iter().zip(&raw) {
        if let Some(v) = field_value(r, f.2)? {
            js::set(&o, f.0, v);
        }
    }
    Ok(o.into())
}

fn payload(env: &Envelope) -> &[u8] {
    env.data.as_ref().map(|a| a.value.as_slice()).unwrap_or(&[])
}

fn reply_error(env: &Envelope) -> Error {
    let mut m = String::from("cannot decode '");
    m.push_str(&env.command);
    m.push_str("' reply: invalid protobuf message");
    Error::new(crate::core::error::ErrorKind::Protocol, m)
}

/// Field 1 of the reply, read as `kind`.
fn dec(env: &Envelope, kind: D) -> Result<JsValue, Error> {
    let fields = [O("", 1, kind)];
    let value = read_fields(payload(env), &fields).and_then(|raw| field_value(&raw[0], kind));
    Ok(value
        .map_err(|_| reply_error(env))?
        .unwrap_or(JsValue::UNDEFINED))
}

/// The whole reply as an object with the keys of `fields`.
fn dec_object(env: &Envelope, fields: &[O]) -> Result<JsValue, Error> {
    object(payload(env), fields).map_err(|_| reply_error(env))
}

/// Replies that are one JSON string in field 1 (query, aggregate, insert*, update*, getindexes,
/// listcollections, createindex, customcommand): JSON-parsed, or the text if it is not JSON.
fn dec_json(env: &Envelope) -> Result<JsValue, Error> {
    dec(env, D::Json)
}

/// Replies that are one int32 in field 1 (count, deleteone, deletemany).
fn dec_int(env: &Envelope) -> Result<JsValue, Error> {
    dec(env, D::I32)
}

fn dec_unit(_: &Envelope) -> Result<JsValue, Error> {
    Ok(JsValue::UNDEFINED)
}

fn dec_distinct(env: &Envelope) -> Result<JsValue, Error> {
    dec(env, D::Strs)
}

/// Push, pop and update replies: `Workitem workitem = 1` (null when pop finds nothing).
fn dec_workitem(env: &Envelope) -> Result<JsValue, Error> {
    dec(env, D::Msg(WORKITEM_OUT))
}

fn dec_upload(env: &Envelope) -> Result<JsValue, Error> {
    dec_object(env, UPLOAD_OUT)
}

fn dec_download(env: &Envelope) -> Result<JsValue, Error> {
    dec_object(env, DOWNLOAD_OUT)
}

// ----- requests: option objects → protobuf, driven by field tables ---------------------------
//
// One small encoder writes every request from a table of (JS option, field number, kind)
// instead of building 25 prost structs by hand: proto3 wire format, defaults omitted.

/// How an option is read and encoded.
#[derive(Clone, Copy)]
enum K {
    /// A string (absent → empty).
    Str,
    /// A string that must be present and non-empty.
    Req,
    /// A string with a default.
    Def(&'static str),
    /// JSON text: strings as they are, other values stringified, absent → the default.
    Json(&'static str),
    /// A non-negative int32 with a default.
    Int(i32),
    /// A boolean.
    Bool,
    /// An array of strings (repeated string).
    Strs,
    /// Bytes (`Uint8Array`, `ArrayBuffer`, view or string).
    Bytes,
    /// A `Date` or epoch milliseconds, as `google.protobuf.Timestamp`.
    Time,
    /// A nested message.
    Msg(&'static [F]),
    /// An array of nested messages.
    Msgs(&'static [F]),
}

/// One request field: JS option name, protobuf field number, kind.
#[derive(Clone, Copy)]
struct F(&'static str, u8, K);

const QUERY: &[F] = &[
    F("query", 1, K::Json("{}")),
    F("collectionname", 2, K::Str),
    F("projection", 3, K::Json("{}")),
    F("top", 4, K::Int(100)),
    F("skip", 5, K::Int(0)),
    F("orderby", 6, K::Json("")),
    F("queryas", 7, K::Str),
    F("explain", 8, K::Bool),
];
const COUNT: &[F] = &[
    F("collectionname", 1, K::Str),
    F("query", 2, K::Json("{}")),
    F("queryas", 3, K::Str),
    F("explain", 4, K::Bool),
];
const DISTINCT: &[F] = &[
    F("collectionname", 1, K::Str),
    F("field", 3, K::Req),
    F("query", 4, K::Json("{}")),
    F("queryas", 5, K::Str),
    F("explain", 7, K::Bool),
];
const AGGREGATE: &[F] = &[
    F("collectionname", 1, K::Str),
    F("aggregates", 2, K::Json("[]")),
    F("queryas", 3, K::Str),
    F("hint", 4, K::Json("")),
    F("explain", 5, K::Bool),
];
/// InsertOne and UpdateOne.
const ONE: &[F] = &[
    F("collectionname", 1, K::Str),
    F("item", 2, K::Json("{}")),
    F("w", 3, K::Int(1)),
    F("j", 4, K::Bool),
];
const INSERT_MANY: &[F] = &[
    F("collectionname", 1, K::Str),
    F("items", 2, K::Json("[]")),
    F("w", 3, K::Int(1)),
    F("j", 4, K::Bool),
    F("skipresults", 5, K::Bool),
];
const UPSERT_ONE: &[F] = &[
    F("collectionname", 1, K::Str),
    F("uniqeness", 2, K::Def("_id")),
    F("item", 3, K::Json("{}")),
    F("w", 4, K::Int(1)),
    F("j", 5, K::Bool),
];
const UPSERT_MANY: &[F] = &[
    F("collectionname", 1, K::Str),
    F("uniqeness", 2, K::Def("_id")),
    F("items", 3, K::Json("[]")),
    F("w", 4, K::Int(1)),
    F("j", 5, K::Bool),
    F("skipresults", 6, K::Bool),
];
const DELETE_ONE: &[F] = &[
    F("collectionname", 1, K::Str),
    F("id", 2, K::Req),
    F("recursive", 3, K::Bool),
];
const DELETE_MANY: &[F] = &[
    F("collectionname", 1, K::Str),
    F("query", 2, K::Json("")),
    F("recursive", 3, K::Bool),
    F("ids", 4, K::Strs),
];
const COLLATION: &[F] = &[
    F("locale", 1, K::Str),
    F("caseLevel", 2, K::Bool),
    F("caseFirst", 3, K::Str),
    F("strength", 4, K::Int(0)),
    F("numericOrdering", 5, K::Bool),
    F("alternate", 6, K::Str),
    F("maxVariable", 7, K::Str),
    F("backwards", 8, K::Bool),
];
const TIMESERIES: &[F] = &[
    F("timeField", 1, K::Str),
    F("metaField", 2, K::Str),
    F("granularity", 3, K::Str),
];
const CREATE_COLLECTION: &[F] = &[
    F("collectionname", 1, K::Req),
    F("collation", 2, K::Msg(COLLATION)),
    F("timeseries", 3, K::Msg(TIMESERIES)),
    F("expire_after_seconds", 4, K::Int(0)),
    F("change_stream_pre_and_post_images", 5, K::Bool),
    F("capped", 6, K::Bool),
    F("max", 7, K::Int(0)),
    F("size", 8, K::Int(0)),
];
const CREATE_INDEX: &[F] = &[
    F("collectionname", 1, K::Req),
    F("index", 2, K::Json("{}")),
    F("options", 3, K::Json("{}")),
    F("name", 4, K::Str),
];
const FILE: &[F] = &[
    F("filename", 1, K::Str),
    F("_id", 2, K::Str),
    F("id", 2, K::Str),
    F("compressed", 3, K::Bool),
    F("file", 4, K::Bytes),
];
const PUSH_WORKITEM: &[F] = &[
    F("wiq", 1, K::Str),
    F("wiqid", 2, K::Str),
    F("name", 3, K::Str),
    F("payload", 4, K::Json("{}")),
    F("nextrun", 5, K::Time),
    F("success_wiqid", 6, K::Str),
    F("failed_wiqid", 7, K::Str),
    F("success_wiq", 8, K::Str),
    F("failed_wiq", 9, K::Str),
    F("priority", 10, K::Int(2)),
    F("files", 11, K::Msgs(FILE)),
];
const POP_WORKITEM: &[F] = &[F("wiq", 1, K::Str), F("wiqid", 2, K::Str)];
/// Workitem, as npm `openiap` shows it (`id`, or `_id`).
const WORKITEM: &[F] = &[
    F("_id", 1, K::Str),
    F("id", 1, K::Str),
    F("name", 2, K::Str),
    F("payload", 3, K::Json("{}")),
    F("priority", 4, K::Int(2)),
    F("nextrun", 5, K::Time),
    F("lastrun", 6, K::Time),
    F("files", 7, K::Msgs(FILE)),
    F("state", 8, K::Str),
    F("wiq", 9, K::Str),
    F("wiqid", 10, K::Str),
    F("retries", 11, K::Int(0)),
    F("username", 12, K::Str),
    F("success_wiqid", 13, K::Str),
    F("failed_wiqid", 14, K::Str),
    F("success_wiq", 15, K::Str),
    F("failed_wiq", 16, K::Str),
    F("errormessage", 17, K::Str),
    F("errorsource", 18, K::Str),
    F("errortype", 19, K::Str),
];
const UPDATE_WORKITEM: &[F] = &[
    F("workitem", 1, K::Msg(WORKITEM)),
    F("ignoremaxretries", 2, K::Bool),
    F("files", 3, K::Msgs(FILE)),
];
const CUSTOM_COMMAND: &[F] = &[
    F("command", 1, K::Req),
    F("id", 2, K::Str),
    F("name", 3, K::Str),
    F("data", 4, K::Json("{}")),
];
const UPLOAD: &[F] = &[
    F("filename", 1, K::Req),
    F("mimetype", 2, K::Def("application/octet-stream")),
    F("metadata", 3, K::Json("{}")),
    F("collectionname", 4, K::Def("fs.files")),
];
const DOWNLOAD: &[F] = &[
    F("id", 1, K::Req),
    F("filename", 2, K::Str),
    F("collectionname", 3, K::Def("fs.files")),
];

type R<T> = Result<T, JsValue>;

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_int(out: &mut Vec<u8>, no: u8, v: u64) {
    if v != 0 {
        varint(out, (no as u64) << 3);
        varint(out, v);
    }
}

/// A length-delimited field (string, bytes, message); empty ones are omitted unless `keep`.
fn put_bytes(out: &mut Vec<u8>, no: u8, b: &[u8], keep: bool) {
    if keep || !b.is_empty() {
        varint(out, (no as u64) << 3 | 2);
        varint(out, b.len() as u64);
        out.extend_from_slice(b);
    }
}

/// A JSON option: strings as they are, other values stringified, absent → `default`.
fn json(v: &JsValue, default: &str) -> String {
    if v.is_undefined() || v.is_null() {
        return default.into();
    }
    js::data_text(v)
}

/// Epoch milliseconds of a `Date` or number.
fn millis(v: &JsValue) -> Option<i64> {
    let ms = match v.dyn_ref::<js_sys::Date>() {
        Some(d) => d.get_time(),
        None => v.as_f64()?,
    };
    (ms.is_finite() && ms > 0.0).then_some(ms as i64)
}

/// Writes the fields of option object `o` described by `fields`.
fn encode(o: &JsValue, fields: &[F], out: &mut Vec<u8>) -> R<()> {
    let opts = Options(o);
    for &F(key, no, kind) in fields {
        let v = if o.is_object() {
            js::get(o, key)
        } else {
            JsValue::UNDEFINED
        };
        match kind {
            K::Str | K::Req | K::Def(_) => {
                let s = opts.string(key)?;
                let s = match (kind, s) {
                    (K::Req, s) if s.as_deref().is_none_or(str::is_empty) => {
                        let mut m = String::from("option '");
                        m.push_str(key);
                        m.push_str("' is required");
                        return Err(js::invalid(&m));
                    }
                    (K::Def(d), None) => d.to_string(),
                    (_, s) => s.unwrap_or_default(),
                };
                put_bytes(out, no, s.as_bytes(), false);
            }
            K::Json(d) => put_bytes(out, no, json(&v, d).as_bytes(), false),
            K::Int(d) => {
                let n = opts
                    .number(key)?
                    .map(|n| n.min(i32::MAX as u64))
                    .unwrap_or(d as u64);
                put_int(out, no, n);
            }
            K::Bool => put_int(out, no, opts.boolean(key)?.unwrap_or(false) as u64),
            K::Strs => {
                if Array::is_array(&v) {
                    for s in Array::from(&v).iter().filter_map(|s| s.as_string()) {
                        put_bytes(out, no, s.as_bytes(), true);
                    }
                }
            }
            K::Bytes => {
                let bytes = byte_view(&v).map(|a| a.to_vec()).unwrap_or_default();
                put_bytes(out, no, &bytes, false)
            }
            K::Time => {
                if let Some(ms) = millis(&v) {
                    let mut t = Vec::new();
                    put_int(&mut t, 1, ms.div_euclid(1000) as u64);
                    put_int(&mut t, 2, (ms.rem_euclid(1000) * 1_000_000) as u64);
                    put_bytes(out, no, &t, true);
                }
            }
            K::Msg(f) => {
                if v.is_object() {
                    let mut m = Vec::new();
                    encode(&v, f, &mut m)?;
                    put_bytes(out, no, &m, true);
                }
            }
            K::Msgs(f) => {
                if Array::is_array(&v) {
                    for item in Array::from(&v).iter() {
                        let mut m = Vec::new();
                        encode(&item, f, &mut m)?;
                        put_bytes(out, no, &m, true);
                    }
                }
            }
        }
    }
    Ok(())
}

fn type_url(message: &str) -> String {
    let mut t = String::from("type.googleapis.com/openiap.");
    t.push_str(message);
    t
}

/// The request `openiap.<message>` read from `o` with `fields`.
fn request(o: &JsValue, message: &str, fields: &[F]) -> R<Any> {
    let mut value = Vec::new();
    encode(o, fields, &mut value)?;
    Ok(Any {
        type_url: type_url(message),
        value,
    })
}

/// A request whose only field is string 1 (`collectionname`, `id`).
fn by_name(message: &str, name: &str) -> Any {
    let mut value = Vec::new();
    put_bytes(&mut value, 1, name.as_bytes(), false);
    Any {
        type_url: type_url(message),
        value,
    }
}

/// `timeout` in ms when positive (npm uses -1 for the default).
fn timeout(o: &JsValue) -> Option<u64> {
    js::get(o, "timeout")
        .as_f64()
        .filter(|t| t.is_finite() && *t > 0.0)
        .map(|t| t as u64)
}

/// Bytes given as a string (UTF-8), `Uint8Array`, `ArrayBuffer` or other `ArrayBufferView`, as a
/// `Uint8Array` (a view, not a copy, except for strings).
fn byte_view(v: &JsValue) -> Option<Uint8Array> {
    if let Some(s) = v.as_string() {
        return Some(Uint8Array::from(s.as_bytes()));
    }
    if let Some(a) = v.dyn_ref::<Uint8Array>() {
        return Some(a.clone());
    }
    if v.is_instance_of::<ArrayBuffer>() {
        return Some(Uint8Array::new(v));
    }
    if ArrayBuffer::is_view(v) {
        let n = |k| js::get(v, k).as_f64().unwrap_or(0.0) as u32;
        let buf: ArrayBuffer = js::get(v, "buffer").unchecked_into();
        return Some(Uint8Array::new_with_byte_offset_and_length(
            &buf,
            n("byteOffset"),
            n("byteLength"),
        ));
    }
    None
}

/// An upload in progress: its data stays a JS object (a `Uint8Array` view or a `Blob`) and is
/// copied into wasm one chunk at a time, when the session asks for it
/// ([`crate::core::session::Output::UploadWanted`]). Linear memory never shrinks, so a whole
/// file copied in at once would stay its high-water mark.
pub struct Upload {
    source: Source,
    /// Bytes handed to the session so far.
    sent: f64,
    total: f64,
    progress: Option<Function>,
}

/// Where an upload's bytes are read from.
#[derive(Clone)]
enum Source {
    /// Bytes already in JS memory: chunks are `subarray` copies.
    Bytes(Uint8Array),
    /// A `Blob` (or `File`): chunks are read with `slice(from, to).arrayBuffer()`.
    Blob(JsValue),
}

/// The data of `upload()` as a source to read chunks from, without copying it into wasm, and
/// its size.
fn upload_source(v: &JsValue) -> Option<(Source, f64)> {
    if let Some(a) = byte_view(v) {
        let n = a.length() as f64;
        return Some((Source::Bytes(a), n));
    }
    let is_fn = |k| js::get(v, k).is_function();
    if v.is_object() && is_fn("slice") && is_fn("arrayBuffer") {
        let size = js::get(v, "size").as_f64()?;
        return Some((Source::Blob(v.clone()), size));
    }
    None
}

/// Hands the next chunk of upload `request` to the session (or ends its stream). A `Blob` is
/// read asynchronously; the session asks again after each chunk.
pub fn next_chunk(shared: &Shared, request: RequestId) {
    let (source, from, total) = {
        let inner = shared.borrow();
        let Some(u) = inner.uploads.get(&request) else {
            return;
        };
        (u.source.clone(), u.sent, u.total)
    };
    if from >= total {
        let mut inner = shared.borrow_mut();
        inner.uploads.remove(&request);
        inner.session.upload_chunk(request, None);
        return;
    }
    let to = (from + CHUNK as f64).min(total);
    if shared.borrow().socket_buffered() > MAX_BUFFERED {
        shared.borrow_mut().session.upload_later(now(), request);
        return;
    }
    let blob = match source {
        Source::Bytes(a) => {
            let bytes = a.subarray(from as u32, to as u32).to_vec();
            return chunk_read(shared, request, to, bytes);
        }
        Source::Blob(b) => b,
    };
    let read = js::get(&blob, "slice")
        .unchecked_into::<Function>()
        .call2(&blob, &from.into(), &to.into())
        .and_then(|part| {
            js::get(&part, "arrayBuffer")
                .unchecked_into::<Function>()
                .call0(&part)
        });
    let weak = Rc::downgrade(shared);
    let done = move |r: R<JsValue>| {
        let Some(shared) = weak.upgrade() else { return };
        match r {
            Ok(buf) => chunk_read(&shared, request, to, Uint8Array::new(&buf).to_vec()),
            Err(e) => {
                let why = format!("cannot read the upload data: {}", js::describe(&e));
                shared.borrow_mut().session.abort_upload(request, &why);
            }
        }
        drive(&shared);
    };
    match read {
        Ok(p) => js::then(&Promise::resolve(&p), done),
        Err(e) => done(Err(e)),
    }
}

/// A chunk was read: to the session, then `progress(sent, total)`.
fn chunk_read(shared: &Shared, request: RequestId, to: f64, bytes: Vec<u8>) {
    let progress = {
        let mut inner = shared.borrow_mut();
        let Some(u) = inner.uploads.get_mut(&request) else {
            return;
        };
        u.sent = to;
        let progress = u.progress.clone().map(|p| (p, u.total));
        inner.session.upload_chunk(request, Some(bytes));
        progress
    };
    if let Some((p, total)) = progress {
        if let Err(e) = p.call2(&JsValue::UNDEFINED, &to.into(), &total.into()) {
            report(shared, "upload progress callback", &e);
        }
    }
}

fn reject(e: JsValue) -> Promise {
    Promise::reject(&e)
}

fn invalid_unless(ok: bool, message: &str) -> R<()> {
    if ok {
        Ok(())
    } else {
        Err(js::invalid(message))
    }
}

/// `wiq` or `wiqid` is given.
fn has_queue(o: &JsValue) -> R<()> {
    let given = |k| js::get(o, k).as_string().is_some_and(|s| !s.is_empty());
    invalid_unless(given("wiq") || given("wiqid"), "wiq or wiqid is required")
}

impl Client {
    /// Sends `command` with the request `data` (or rejects with its error) and decodes the reply.
    fn call(&self, command: &str, data: R<Any>, timeout: Option<u64>, decode: Decode) -> Promise {
        let Ok(shared) = self.shared() else {
            return reject(released());
        };
        let data = match data {
            Ok(d) => d,
            Err(e) => return reject(e),
        };
        let id = shared
            .borrow_mut()
            .session
            .request(now(), command, data, timeout);
        promise_for(shared, id, ReplyKind::Decode(decode))
    }

    /// [`Client::call`] with a request read from the option object by a field table.
    fn call_with(
        &self,
        command: &str,
        message: &str,
        fields: &[F],
        options: &JsValue,
        decode: Decode,
    ) -> Promise {
        self.call(
            command,
            request(options, message, fields),
            timeout(options),
            decode,
        )
    }
}

#[wasm_bindgen]
impl Client {
    /// Documents of a collection matching `query` (`projection`, `orderby`, `skip`, `top` = 100).
    #[wasm_bindgen(unchecked_return_type = "Promise<any[]>")]
    pub fn query(
        &self,
        #[wasm_bindgen(unchecked_param_type = "QueryOptions")] options: JsValue,
    ) -> Promise {
        self.call_with("query", "QueryRequest", QUERY, &options, dec_json)
    }

    /// The number of documents matching `query`.
    #[wasm_bindgen(unchecked_return_type = "Promise<number>")]
    pub fn count(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CountOptions")] options: JsValue,
    ) -> Promise {
        self.call_with("count", "CountRequest", COUNT, &options, dec_int)
    }

    /// The distinct values of `field` among the documents matching `query`.
    #[wasm_bindgen(unchecked_return_type = "Promise<string[]>")]
    pub fn distinct(
        &self,
        #[wasm_bindgen(unchecked_param_type = "DistinctOptions")] options: JsValue,
    ) -> Promise {
        self.call_with(
            "distinct",
            "DistinctRequest",
            DISTINCT,
            &options,
            dec_distinct,
        )
    }

    /// Runs an aggregation pipeline.
    #[wasm_bindgen(unchecked_return_type = "Promise<any[]>")]
    pub fn aggregate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "AggregateOptions")] options: JsValue,
    ) -> Promise {
        self.call_with(
            "aggregate",
            "AggregateRequest",
            AGGREGATE,
            &options,
            dec_json,
        )
    }

    /// Inserts `item`; resolves to the stored document (with `_id`).
    #[wasm_bindgen(unchecked_return_type = "Promise<any>")]
    pub fn insert_one(
        &self,
        #[wasm_bindgen(unchecked_param_type = "InsertOneOptions")] options: JsValue,
    ) -> Promise {
        self.call_with("insertone", "InsertOneRequest", ONE, &options, dec_json)
    }

    /// Inserts `items`; resolves to the stored documents (empty with `skipresults`).
    #[wasm_bindgen(unchecked_return_type = "Promise<any[]>")]
    pub fn insert_many(
        &self,
        #[wasm_bindgen(unchecked_param_type = "InsertManyOptions")] options: JsValue,
    ) -> Promise {
        self.call_with(
            "insertmany",
            "InsertManyRequest",
            INSERT_MANY,
            &options,
            dec_json,
        )
    }

    /// Replaces the document with `item._id`; resolves to the stored document.
    #[wasm_bindgen(unchecked_return_type = "Promise<any>")]
    pub fn update_one(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UpdateOneOptions")] options: JsValue,
    ) -> Promise {
        self.call_with("updateone", "UpdateOneRequest", ONE, &options, dec_json)
    }

    /// Updates the document whose `uniqeness` fields (comma separated, default `_id`) match
    /// `item`, or inserts it; resolves to the stored document.
    #[wasm_bindgen(unchecked_return_type = "Promise<any>")]
    pub fn insert_or_update_one(
        &self,
        #[wasm_bindgen(unchecked_param_type = "InsertOrUpdateOneOptions")] options: JsValue,
    ) -> Promise {
        self.call_with(
            "insertorupdateone",
            "InsertOrUpdateOneRequest",
            UPSERT_ONE,
            &options,
            dec_json,
        )
    }

    /// [`Client::insert_or_update_one`] for many items.
    #[wasm_bindgen(unchecked_return_type = "Promise<any[]>")]
    pub fn insert_or_update_many(
        &self,
        #[wasm_bindgen(unchecked_param_type = "InsertOrUpdateManyOptions")] options: JsValue,
    ) -> Promise {
        self.call_with(
            "insertorupdatemany",
            "InsertOrUpdateManyRequest",
            UPSERT_MANY,
            &options,
            dec_json,
        )
    }

    /// Deletes the document with `id`; resolves to the number deleted.
    #[wasm_bindgen(unchecked_return_type = "Promise<number>")]
    pub fn delete_one(
        &self,
        #[wasm_bindgen(unchecked_param_type = "DeleteOneOptions")] options: JsValue,
    ) -> Promise {
        self.call_with(
            "deleteone",
            "DeleteOneRequest",
            DELETE_ONE,
            &options,
            dec_int,
        )
    }

    /// Deletes the documents matching `query` (or with an id in `ids`); resolves to the number.
    #[wasm_bindgen(unchecked_return_type = "Promise<number>")]
    pub fn delete_many(
        &self,
        #[wasm_bindgen(unchecked_param_type = "DeleteManyOptions")] options: JsValue,
    ) -> Promise {
        self.call_with(
            "deletemany",
            "DeleteManyRequest",
            DELETE_MANY,
            &options,
            dec_int,
        )
    }

    /// The collections: `[{name, type, ...}]`.
    #[wasm_bindgen(unchecked_return_type = "Promise<any[]>")]
    pub fn list_collections(&self, includehist: Option<bool>) -> Promise {
        let mut value = Vec::new();
        put_int(&mut value, 1, includehist.unwrap_or(false) as u64);
        let any = Any {
            type_url: type_url("ListCollectionsRequest"),
            value,
        };
        self.call("listcollections", Ok(any), None, dec_json)
    }

    /// Creates a collection (optionally time series, capped, with collation or expiry).
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn create_collection(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CreateCollectionOptions")] options: JsValue,
    ) -> Promise {
        self.call_with(
            "createcollection",
            "CreateCollectionRequest",
            CREATE_COLLECTION,
            &options,
            dec_unit,
        )
    }

    /// Drops a collection.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn drop_collection(&self, collectionname: String) -> Promise {
        self.call(
            "dropcollection",
            Ok(by_name("DropCollectionRequest", &collectionname)),
            None,
            dec_unit,
        )
    }

    /// The indexes of a collection.
    #[wasm_bindgen(unchecked_return_type = "Promise<any[]>")]
    pub fn get_indexes(&self, collectionname: String) -> Promise {
        self.call(
            "getindexes",
            Ok(by_name("GetIndexesRequest", &collectionname)),
            None,
            dec_json,
        )
    }

    /// Creates an index (`index` e.g. `{name: 1}`); resolves to the server's result (its name).
    #[wasm_bindgen(unchecked_return_type = "Promise<any>")]
    pub fn create_index(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CreateIndexOptions")] options: JsValue,
    ) -> Promise {
        self.call_with(
            "createindex",
            "CreateIndexRequest",
            CREATE_INDEX,
            &options,
            dec_json,
        )
    }

    /// Drops an index by name.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn drop_index(&self, collectionname: String, indexname: String) -> Promise {
        let mut any = by_name("DropIndexRequest", &collectionname);
        put_bytes(&mut any.value, 2, indexname.as_bytes(), false);
        self.call("dropindex", Ok(any), None, dec_unit)
    }

    /// Adds a work item to queue `wiq` (or `wiqid`); resolves to the stored work item.
    #[wasm_bindgen(unchecked_return_type = "Promise<Workitem>")]
    pub fn push_workitem(
        &self,
        #[wasm_bindgen(unchecked_param_type = "PushWorkitemOptions")] options: JsValue,
    ) -> Promise {
        let data = has_queue(&options)
            .and_then(|_| request(&options, "PushWorkitemRequest", PUSH_WORKITEM));
        self.call("pushworkitem", data, None, dec_workitem)
    }

    /// Takes the next work item of a queue (now `processing`); resolves to `null` when empty.
    #[wasm_bindgen(unchecked_return_type = "Promise<Workitem | null>")]
    pub fn pop_workitem(
        &self,
        #[wasm_bindgen(unchecked_param_type = "PopWorkitemOptions")] options: JsValue,
    ) -> Promise {
        let data =
            has_queue(&options).and_then(|_| request(&options, "PopWorkitemRequest", POP_WORKITEM));
        self.call("popworkitem", data, None, dec_workitem)
    }

    /// Updates a work item (state `successful`, `failed`, `retry`, payload, ...); resolves to it.
    #[wasm_bindgen(unchecked_return_type = "Promise<Workitem>")]
    pub fn update_workitem(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UpdateWorkitemOptions")] options: JsValue,
    ) -> Promise {
        let w = js::get(&options, "workitem");
        let has_id = ["id", "_id"]
            .iter()
            .any(|k| js::get(&w, k).as_string().is_some_and(|s| !s.is_empty()));
        let data = invalid_unless(w.is_object() && has_id, "workitem with an id is required")
            .and_then(|_| request(&options, "UpdateWorkitemRequest", UPDATE_WORKITEM));
        self.call("updateworkitem", data, None, dec_workitem)
    }

    /// Deletes a work item.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn delete_workitem(&self, id: String) -> Promise {
        let data = invalid_unless(!id.is_empty(), "id is required")
            .map(|_| by_name("DeleteWorkitemRequest", &id));
        self.call("deleteworkitem", data, None, dec_unit)
    }

    /// Runs a server custom command; resolves to its result (JSON-parsed when it is JSON).
    #[wasm_bindgen(unchecked_return_type = "Promise<any>")]
    pub fn custom_command(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CustomCommandOptions")] options: JsValue,
    ) -> Promise {
        self.call_with(
            "customcommand",
            "CustomCommandRequest",
            CUSTOM_COMMAND,
            &options,
            dec_json,
        )
    }

    /// Uploads `data` (Blob, Uint8Array, ArrayBuffer or string) in 1 MiB chunks, read one at a
    /// time as the connection takes them; resolves to `{id, filename, bytes, chunks, ...}`.
    #[wasm_bindgen(unchecked_return_type = "Promise<UploadResult>")]
    pub fn upload(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UploadOptions")] options: JsValue,
    ) -> Promise {
        let Ok(shared) = self.shared() else {
            return reject(released());
        };
        let req = match request(&options, "UploadRequest", UPLOAD) {
            Ok(r) => r,
            Err(e) => return reject(e),
        };
        let Some((source, total)) = upload_source(&js::get(&options, "data")) else {
            return reject(js::invalid(
                "data must be a Blob, Uint8Array, ArrayBuffer or string",
            ));
        };
        let progress = js::get(&options, "progress").dyn_into::<Function>().ok();
        let id = {
            let mut inner = shared.borrow_mut();
            let id = inner
                .session
                .request_with_upload(now(), "upload", req, timeout(&options));
            let upload = Upload {
                source,
                sent: 0.0,
                total,
                progress,
            };
            inner.uploads.insert(id, upload);
            id
        };
        promise_for(shared, id, ReplyKind::Decode(dec_upload))
    }

    /// Downloads a file; resolves to `{id, filename, mimetype, data: Uint8Array}`. `progress`
    /// gets the number of bytes received after every chunk.
    #[wasm_bindgen(unchecked_return_type = "Promise<DownloadResult>")]
    pub fn download(
        &self,
        #[wasm_bindgen(unchecked_param_type = "DownloadOptions")] options: JsValue,
    ) -> Promise {
        let Ok(shared) = self.shared() else {
            return reject(released());
        };
        let req = match request(&options, "DownloadRequest", DOWNLOAD) {
            Ok(r) => r,
            Err(e) => return reject(e),
        };
        let progress = js::get(&options, "progress").dyn_into::<Function>().ok();
        // Chunks stay JS `Uint8Array`s until the end: none of the file is kept in linear memory.
        let received: Rc<RefCell<(Array, u32)>> = Rc::new(RefCell::new((Array::new(), 0)));
        let sink = {
            let received = received.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |part: JsValue| {
                let Ok(chunk) = js::get(&part, "data").dyn_into::<Uint8Array>() else {
                    return;
                };
                if chunk.length() == 0 {
                    return;
                }
                let total = {
                    let mut r = received.borrow_mut();
                    r.0.push(&chunk);
                    r.1 += chunk.length();
                    r.1
                };
                if let Some(p) = &progress {
                    let _ = p.call1(&JsValue::UNDEFINED, &JsValue::from(total));
                }
            })
        };
        let id = {
            let mut inner = shared.borrow_mut();
            let id = inner
                .session
                .request(now(), "download", req, timeout(&options));
            inner
                .streams
                .insert(id, sink.as_ref().unchecked_ref::<Function>().clone());
            id
        };
        let reply = promise_for(shared, id, ReplyKind::Decode(dec_download));
        let (promise, resolve, reject) = js::deferred();
        js::then(&reply, move |result| {
            drop(sink);
            let _ = match result {
                Ok(v) => {
                    let (chunks, total) = &*received.borrow();
                    let data = Uint8Array::new_with_length(*total);
                    let mut at = 0;
                    for chunk in chunks.iter() {
                        let chunk: Uint8Array = chunk.unchecked_into();
                        data.set(&chunk, at);
                        at += chunk.length();
                    }
                    js::set(v.unchecked_ref(), "data", data);
                    resolve.call1(&JsValue::UNDEFINED, &v)
                }
                Err(e) => reject.call1(&JsValue::UNDEFINED, &e),
            };
        });
        promise
    }
}
