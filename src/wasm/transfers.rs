//! File transfers: `upload` streams its data a chunk at a time, read from JS only when the session
//! asks for it; `download` keeps the received chunks in JS. Linear memory never shrinks, so a
//! whole file copied into wasm would stay the page's memory high-water mark.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, Function, Promise, Uint8Array};
use wasm_bindgen::prelude::*;

use super::client::Client;
use super::convert;
use super::options::{byte_view, call_from, signal_from, JsOptions, Options};
use super::runtime::{abort_reason, ChunkSource, Runtime};
use crate::protocol::session::{Call, RequestId};
use crate::protocol::text::concat;
use crate::protocol::wire::{self, tables};

/// Upload chunk size (as the official Rust client).
const CHUNK: f64 = 1024.0 * 1024.0;
/// An upload reads its next chunk only while the socket holds less than this unsent, so a large
/// file is not queued whole in the runtime's send buffer when the network is slower than disk;
/// otherwise the session asks again a little later.
const MAX_BUFFERED: u32 = 4 * 1024 * 1024;

/// Where an upload's bytes are read from.
#[derive(Clone)]
enum Source {
    /// Bytes already in JS memory: chunks are `subarray` copies.
    Bytes(Uint8Array),
    /// A `Blob` (or `File`): chunks are read with `slice(from, to).arrayBuffer()`.
    Blob(JsValue),
}

/// An upload in progress: its data stays a JS object and is copied into wasm one chunk at a
/// time, when the session asks for it.
struct Upload {
    source: Source,
    /// Bytes handed to the session so far (shared with a pending Blob read).
    sent: Rc<Cell<f64>>,
    total: f64,
    progress: Option<Function>,
}

/// The data of `upload()` as a source to read chunks from, and its size.
fn upload_source(v: &JsValue) -> Option<(Source, f64)> {
    if let Some(a) = byte_view(v) {
        let n = a.length() as f64;
        return Some((Source::Bytes(a), n));
    }
    let is_fn = |k| convert::get(v, k).is_function();
    if v.is_object() && is_fn("slice") && is_fn("arrayBuffer") {
        let size = convert::get(v, "size").as_f64()?;
        return Some((Source::Blob(v.clone()), size));
    }
    None
}

/// Reads `from..to` of a Blob; the promise resolves to an `ArrayBuffer`.
fn read_blob(blob: &JsValue, from: f64, to: f64) -> Result<JsValue, JsValue> {
    let part = convert::get(blob, "slice")
        .unchecked_into::<Function>()
        .call2(blob, &from.into(), &to.into())?;
    convert::get(&part, "arrayBuffer")
        .unchecked_into::<Function>()
        .call0(&part)
}

impl ChunkSource for Upload {
    fn next_chunk(&self, rt: &Runtime, request: RequestId) {
        let from = self.sent.get();
        if from >= self.total {
            rt.remove_upload(request);
            rt.with_session(|s, _| s.upload_chunk(request, None));
            return;
        }
        let to = (from + CHUNK).min(self.total);
        if rt.socket_buffered() > MAX_BUFFERED {
            rt.with_session(|s, now| s.upload_later(now, request));
            return;
        }
        let blob = match &self.source {
            Source::Bytes(a) => {
                let bytes = a.subarray(from as u32, to as u32).to_vec();
                return self.chunk_read(rt, request, to, bytes);
            }
            Source::Blob(b) => b,
        };
        let weak = rt.downgrade();
        let progress = self.progress.clone();
        let (total, sent) = (self.total, self.sent.clone());
        let done = move |r: Result<JsValue, JsValue>| {
            let Some(rt) = weak.upgrade() else { return };
            match r {
                Ok(buf) => {
                    sent.set(to);
                    let bytes = Uint8Array::new(&buf).to_vec();
                    chunk_read(&rt, request, to, total, progress.as_ref(), bytes);
                }
                Err(e) => {
                    let why = convert::describe(&e);
                    let why = concat(&["cannot read the upload data: ", &why]);
                    rt.with_session(|s, _| s.abort_upload(request, &why));
                }
            }
        };
        match read_blob(blob, from, to) {
            Ok(p) => convert::then(&Promise::resolve(&p), done),
            Err(e) => done(Err(e)),
        }
    }
}

impl Upload {
    fn chunk_read(&self, rt: &Runtime, request: RequestId, to: f64, bytes: Vec<u8>) {
        self.sent.set(to);
        chunk_read(rt, request, to, self.total, self.progress.as_ref(), bytes);
    }
}

/// A chunk was read: to the session, then `progress(sent, total)`.
fn chunk_read(
    rt: &Runtime,
    request: RequestId,
    to: f64,
    total: f64,
    progress: Option<&Function>,
    bytes: Vec<u8>,
) {
    rt.with_session(|s, _| s.upload_chunk(request, Some(bytes)));
    if let Some(p) = progress {
        if let Err(e) = p.call2(&JsValue::UNDEFINED, &to.into(), &total.into()) {
            rt.report("upload progress callback", &e);
        }
    }
}

/// Chunks of a download, kept as JS `Uint8Array`s until the end.
#[derive(Default)]
struct Received {
    chunks: Array,
    total: u32,
}

impl Received {
    /// One `Uint8Array` of every chunk.
    fn joined(&self) -> Uint8Array {
        let data = Uint8Array::new_with_length(self.total);
        let mut at = 0;
        for chunk in self.chunks.iter() {
            let chunk: Uint8Array = chunk.unchecked_into();
            data.set(&chunk, at);
            at += chunk.length();
        }
        data
    }
}

#[wasm_bindgen]
impl Client {
    /// Uploads `data` (Blob, Uint8Array, ArrayBuffer or string) in 1 MiB chunks, read one at a
    /// time as the connection takes them; resolves to `{id, filename, bytes, chunks, ...}`.
    pub fn upload(&self, options: JsValue) -> Promise {
        self.with_runtime(|rt| {
            let m = &tables::UPLOAD;
            let req = wire::request(&JsOptions(options.clone()), m.message, m.fields)?;
            let (source, total) =
                upload_source(&Options(&options).object("data")?).ok_or_else(|| {
                    convert::invalid("data must be a Blob, Uint8Array, ArrayBuffer or string")
                })?;
            let upload = Upload {
                source,
                sent: Rc::default(),
                total,
                progress: Options(&options).function("progress")?,
            };
            let call = Call {
                upload: true,
                ..call_from(&options)?
            };
            let signal = signal_from(&options)?;
            if let Some(reason) = signal.as_ref().and_then(abort_reason) {
                return Ok(Promise::reject(&reason));
            }
            let id = rt.prepare(|s, now| s.request(now, m.command, req, &call));
            rt.add_upload(id, Rc::new(upload));
            Ok(rt.promise_for(id, m.reply, signal.as_ref()))
        })
    }

    /// Downloads a file; resolves to `{id, filename, mimetype, data: Uint8Array}`. `progress`
    /// gets the number of bytes received after every chunk.
    pub fn download(&self, options: JsValue) -> Promise {
        self.with_runtime(|rt| {
            let m = &tables::DOWNLOAD;
            let req = wire::request(&JsOptions(options.clone()), m.message, m.fields)?;
            let progress = Options(&options).function("progress")?;
            let received: Rc<RefCell<Received>> = Rc::default();
            let sink = {
                let received = received.clone();
                Closure::<dyn FnMut(&JsValue)>::new(move |part: &JsValue| {
                    let Ok(chunk) = convert::get(part, "data").dyn_into::<Uint8Array>() else {
                        return;
                    };
                    if chunk.length() == 0 {
                        return;
                    }
                    let total = {
                        let mut r = received.borrow_mut();
                        r.chunks.push(&chunk);
                        r.total += chunk.length();
                        r.total
                    };
                    if let Some(p) = &progress {
                        let _ = p.call1(&JsValue::UNDEFINED, &JsValue::from(total));
                    }
                })
            };
            let call = call_from(&options)?;
            let signal = signal_from(&options)?;
            if let Some(reason) = signal.as_ref().and_then(abort_reason) {
                return Ok(Promise::reject(&reason));
            }
            let id = rt.prepare(|s, now| s.request(now, m.command, req, &call));
            rt.add_stream(id, sink.as_ref().unchecked_ref::<Function>().clone());
            let reply = rt.promise_for(id, m.reply, signal.as_ref());
            let (promise, resolve, reject) = convert::deferred();
            convert::then(&reply, move |result| {
                drop(sink);
                let _ = match result {
                    Ok(v) => {
                        convert::set(v.unchecked_ref(), "data", received.borrow().joined());
                        resolve.call1(&JsValue::UNDEFINED, &v)
                    }
                    Err(e) => reject.call1(&JsValue::UNDEFINED, &e),
                };
            });
            Ok(promise)
        })
    }
}
