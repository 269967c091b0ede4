//! The data API's field tables (`src/protocol/wire/tables.rs`) against the descriptors that
//! `build.rs` compiles from `proto/`: every option writes a field that exists, with the right
//! number, type and name; every reply key reads one; request fields no table writes are listed
//! here on purpose. Then values: requests encoded from options decode with the prost types, and
//! replies encoded by prost come out of the tape as the JS builder would build them.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;

use openiap_wasm::pb;
use openiap_wasm::protocol::wire::op;
use openiap_wasm::protocol::wire::spec::{fields, Field};
use openiap_wasm::protocol::wire::tables::{self, Method};
use openiap_wasm::protocol::wire::{self, OptionSource, Tape};
use prost::Message;
use prost_types::field_descriptor_proto::{Label, Type};
use prost_types::{DescriptorProto, FileDescriptorSet};

const FDS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/openiap.fds"));

fn descriptors() -> FileDescriptorSet {
    FileDescriptorSet::decode(FDS).expect("build.rs wrote the descriptors")
}

/// Every message by full name (`.openiap.QueryRequest`).
fn messages(fds: &FileDescriptorSet) -> BTreeMap<String, DescriptorProto> {
    let mut out = BTreeMap::new();
    for file in &fds.file {
        for m in &file.message_type {
            out.insert(format!(".{}.{}", file.package(), m.name()), m.clone());
        }
    }
    out
}

/// Option names match proto names up to case and underscores (`_id`/`id`,
/// `case_level`/`caseLevel`).
fn same_name(key: &str, field: &str) -> bool {
    let norm = |s: &str| s.replace('_', "").to_ascii_lowercase();
    norm(key) == norm(field)
}

/// Request fields that no table writes, on purpose (with why).
const NOT_WRITTEN: &[(&str, &str)] = &[
    // Files are fetched with `download`, not inlined into the popped work item.
    ("PopWorkitemRequest", "includefiles"),
    ("PopWorkitemRequest", "compressed"),
    // Billing objects come from Stripe through the server; a client has nothing to send there.
    ("EnsureCustomerRequest", "stripe"),
];

struct Checker {
    all: BTreeMap<String, DescriptorProto>,
    problems: Vec<String>,
}

/// The proto type, repetition and message type name a spec kind letter stands for.
fn kind_type(kind: u8) -> (Type, bool, Option<&'static str>) {
    match kind {
        b's' | b'r' | b'j' | b'f' => (Type::String, false, None),
        b'i' => (Type::Int32, false, None),
        b'b' => (Type::Bool, false, None),
        b'x' => (Type::Float, false, None),
        b'l' => (Type::String, true, None),
        b'y' => (Type::Bytes, false, None),
        b't' => (Type::Message, false, Some(".google.protobuf.Timestamp")),
        b'm' => (Type::Message, false, None),
        b'M' => (Type::Message, true, None),
        other => panic!("unknown kind letter {}", other as char),
    }
}

impl Checker {
    fn message(&self, name: &str) -> &DescriptorProto {
        let full = if name.starts_with('.') {
            name.to_string()
        } else {
            format!(".openiap.{name}")
        };
        self.all
            .get(&full)
            .unwrap_or_else(|| panic!("no message {full} in proto/"))
    }

    /// Checks one spec field against message `msg`; returns the nested message's type name.
    fn row(&mut self, msg: &DescriptorProto, f: &Field) -> Option<String> {
        let (key, no) = (f.key, f.no);
        let where_ = format!("{}.{key} = {no}", msg.name());
        let want = kind_type(f.kind);
        let Some(d) = msg.field.iter().find(|d| d.number() == no as i32) else {
            self.problems
                .push(format!("{where_}: no such field number"));
            return None;
        };
        if !key.is_empty() && !same_name(key, d.name()) {
            self.problems.push(format!(
                "{where_}: the proto calls field {no} '{}'",
                d.name()
            ));
        }
        let repeated = d.label() == Label::Repeated;
        if d.r#type() != want.0 || repeated != want.1 {
            self.problems.push(format!(
                "{where_}: proto type {:?}{}, spec expects {:?}{}",
                d.r#type(),
                if repeated { " (repeated)" } else { "" },
                want.0,
                if want.1 { " (repeated)" } else { "" },
            ));
        }
        if let Some(t) = want.2 {
            if d.type_name() != t {
                self.problems
                    .push(format!("{where_}: type {}, expected {t}", d.type_name()));
            }
        }
        (d.r#type() == Type::Message).then(|| d.type_name().to_string())
    }

    /// Checks a spec against `message`; a request spec must write every field of the message
    /// (or name it in NOT_WRITTEN).
    fn spec(&mut self, spec: &'static str, message: &str, request: bool) {
        let msg = self.message(message).clone();
        let parsed: Vec<Field> = fields(spec).collect();
        let text_len: usize = parsed.iter().map(|f| f.key.len()).sum();
        if text_len == 0 && !spec.trim().is_empty() && !spec.starts_with('=') {
            self.problems
                .push(format!("{message}: spec does not parse: {spec}"));
        }
        for f in &parsed {
            let nested = self.row(&msg, f);
            if let (true, Some(name)) = (f.nested(), nested) {
                self.spec(f.arg, &name, request);
            }
        }
        if !request {
            return;
        }
        for d in &msg.field {
            let written = parsed.iter().any(|f| f.no as i32 == d.number());
            let excused = NOT_WRITTEN.contains(&(msg.name(), d.name()));
            if !written && !excused {
                self.problems.push(format!(
                    "{}.{} = {}: no option writes it (add it to the spec or to NOT_WRITTEN)",
                    msg.name(),
                    d.name(),
                    d.number()
                ));
            }
        }
    }

    fn method(&mut self, m: &Method) {
        self.spec(m.fields, m.message, true);
        let reply_message = m.message.replace("Request", "Response");
        if !m.need.is_empty() {
            let (within, keys) = m.need.split_once('.').unwrap_or(("", m.need));
            let holder: Vec<Field> = match within {
                "" => fields(m.fields).collect(),
                within => match fields(m.fields).find(|f| f.key == within) {
                    Some(f) if f.kind == b'm' => fields(f.arg).collect(),
                    _ => vec![],
                },
            };
            for key in keys.split('|') {
                if !holder.iter().any(|f| f.key == key) {
                    self.problems
                        .push(format!("{}: needs '{key}', which no option writes", m.name));
                }
            }
        }
        if !m.reply.is_empty() {
            self.spec(m.reply, &reply_message, false);
        }
    }
}

#[test]
fn every_table_matches_the_proto_descriptors() {
    let mut c = Checker {
        all: messages(&descriptors()),
        problems: vec![],
    };
    for m in tables::METHODS
        .iter()
        .chain([&tables::UPLOAD, &tables::DOWNLOAD])
    {
        c.method(m);
    }
    let names: Vec<&str> = tables::METHODS.iter().map(|m| m.name).collect();
    for (i, n) in names.iter().enumerate() {
        assert!(!names[..i].contains(n), "two methods are called {n}");
    }
    c.spec(tables::QUEUE_EVENT_OUT, "QueueEvent", false);
    c.spec(tables::WATCH_EVENT_OUT, "WatchEvent", false);
    c.spec(tables::SIGNIN_OUT, "SigninResponse", false);
    c.spec(tables::USER_OUT, "User", false);
    assert!(c.problems.is_empty(), "\n{}", c.problems.join("\n"));
}

#[test]
fn a_wrong_table_is_caught() {
    let mut c = Checker {
        all: messages(&descriptors()),
        problems: vec![],
    };
    c.spec("collection=2i", "QueryRequest", true);
    let text = c.problems.join("\n");
    assert!(
        text.contains("the proto calls field 2 'collectionname'"),
        "{text}"
    );
    assert!(
        text.contains("proto type String, spec expects Int32"),
        "{text}"
    );
    assert!(
        text.contains("QueryRequest.query = 1: no option writes it"),
        "{text}"
    );
}

// ----- values ---------------------------------------------------------------------------------

/// A plain option value, standing in for a JS value.
#[derive(Debug, Clone)]
enum V {
    S(&'static str),
    N(u64),
    B(bool),
    Ms(i64),
    Arr(Vec<V>),
    Obj(Vec<(&'static str, V)>),
}

impl V {
    fn get(&self, key: &str) -> Option<&V> {
        match self {
            V::Obj(pairs) => pairs.iter().rev().find(|(k, _)| *k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

impl OptionSource for V {
    type Error = String;
    fn string(&self, key: &str) -> Result<Option<String>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(V::S(s)) => Ok(Some(s.to_string())),
            Some(_) => Err(format!("{key} is not a string")),
        }
    }
    fn number(&self, key: &str) -> Result<Option<u64>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(V::N(n)) => Ok(Some(*n)),
            Some(_) => Err(format!("{key} is not a number")),
        }
    }
    fn boolean(&self, key: &str) -> Result<Option<bool>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(V::B(b)) => Ok(Some(*b)),
            Some(_) => Err(format!("{key} is not a boolean")),
        }
    }
    fn json(&self, key: &str) -> Result<Option<String>, String> {
        Ok(self.get(key).map(|v| match v {
            V::S(s) => s.to_string(),
            other => format!("{other:?}"),
        }))
    }
    fn strings(&self, key: &str) -> Result<Vec<String>, String> {
        match self.get(key) {
            Some(V::Arr(items)) => items.iter().map(|v| self_str(v, key)).collect(),
            _ => Ok(vec![]),
        }
    }
    fn bytes(&self, key: &str) -> Result<Option<Vec<u8>>, String> {
        Ok(self.string(key)?.map(String::into_bytes))
    }
    fn millis(&self, key: &str) -> Result<Option<i64>, String> {
        Ok(match self.get(key) {
            Some(V::Ms(ms)) => Some(*ms),
            _ => None,
        })
    }
    fn object(&self, key: &str) -> Result<Option<V>, String> {
        Ok(self.get(key).cloned())
    }
    fn objects(&self, key: &str) -> Result<Vec<V>, String> {
        match self.get(key) {
            Some(V::Arr(items)) => Ok(items.clone()),
            _ => Ok(vec![]),
        }
    }
    fn invalid(message: &str) -> String {
        message.to_string()
    }
}

fn self_str(v: &V, key: &str) -> Result<String, String> {
    match v {
        V::S(s) => Ok(s.to_string()),
        _ => Err(format!("{key} holds a non-string")),
    }
}

fn encode(m: &Method, options: &V) -> Result<Vec<u8>, String> {
    assert!(fields(m.fields).count() > 0, "{} has a spec", m.name);
    wire::request(options, m.message, m.fields).map(|any| {
        assert_eq!(
            any.type_url,
            format!("type.googleapis.com/openiap.{}", m.message)
        );
        any.value
    })
}

#[test]
fn requests_decode_with_the_prost_types() {
    let q = V::Obj(vec![
        ("collectionname", V::S("entities")),
        ("query", V::S(r#"{"_type":"test"}"#)),
        ("top", V::N(5)),
        ("explain", V::B(true)),
    ]);
    let r = pb::QueryRequest::decode(&encode(&tables::QUERY, &q).unwrap()[..]).unwrap();
    assert_eq!(
        (
            r.collectionname.as_str(),
            r.query.as_str(),
            r.top,
            r.skip,
            r.explain
        ),
        ("entities", r#"{"_type":"test"}"#, 5, 0, true)
    );
    assert_eq!(
        r.projection, "{}",
        "absent JSON options take the table's default"
    );

    let w = V::Obj(vec![
        ("wiq", V::S("q1")),
        ("name", V::S("item")),
        ("nextrun", V::Ms(1_700_000_000_123)),
        (
            "files",
            V::Arr(vec![V::Obj(vec![
                ("filename", V::S("a.txt")),
                ("file", V::S("abc")),
            ])]),
        ),
    ]);
    let r =
        pb::PushWorkitemRequest::decode(&encode(&tables::PUSH_WORKITEM, &w).unwrap()[..]).unwrap();
    let next = r.nextrun.unwrap();
    assert_eq!((next.seconds, next.nanos), (1_700_000_000, 123_000_000));
    assert_eq!((r.priority, r.files[0].file.as_slice()), (2, &b"abc"[..]));

    let c = V::Obj(vec![
        ("collectionname", V::S("ts")),
        ("timeseries", V::Obj(vec![("timeField", V::S("t"))])),
    ]);
    let r =
        pb::CreateCollectionRequest::decode(&encode(&tables::CREATE_COLLECTION, &c).unwrap()[..])
            .unwrap();
    assert_eq!(r.timeseries.unwrap().time_field, "t");

    let missing = V::Obj(vec![("collectionname", V::S("x"))]);
    assert_eq!(
        encode(&tables::DELETE_ONE, &missing).unwrap_err(),
        "option 'id' is required"
    );
    let wrong = V::Obj(vec![("top", V::S("5"))]);
    assert!(encode(&tables::QUERY, &wrong).is_err());
}

/// What `src/js/values.js` would build, as text: `{key:value,...}`, `[...]`, strings quoted.
fn render(tape: &Tape, payload: &[u8], keys: &BTreeMap<u32, &'static str>) -> String {
    fn value(
        w: &[u32],
        i: &mut usize,
        p: &[u8],
        keys: &BTreeMap<u32, &'static str>,
        out: &mut String,
    ) {
        let next = |i: &mut usize| {
            *i += 1;
            w[*i - 1]
        };
        let text = |i: &mut usize| {
            let (at, n) = (next(i) as usize, next(i) as usize);
            std::str::from_utf8(&p[at..at + n]).unwrap().to_string()
        };
        match next(i) {
            op::NULL => out.push_str("null"),
            op::STR => out.push_str(&format!("{:?}", text(i))),
            op::JSON => out.push_str(&format!("json{:?}", text(i))),
            op::INT => out.push_str(&(next(i) as i32).to_string()),
            op::BOOL => out.push_str(&(next(i) != 0).to_string()),
            op::F32 => out.push_str(&f32::from_bits(next(i)).to_string()),
            op::DATE => {
                let (lo, hi) = (next(i) as u64, next(i) as u64);
                out.push_str(&format!("date({})", (hi << 32 | lo) as i64));
            }
            op::ARR => {
                let n = next(i);
                out.push('[');
                for j in 0..n {
                    if j > 0 {
                        out.push(',');
                    }
                    value(w, i, p, keys, out);
                }
                out.push(']');
            }
            op::OBJ => {
                let n = next(i);
                out.push('{');
                for j in 0..n {
                    if j > 0 {
                        out.push(',');
                    }
                    let (at, len) = (next(i), next(i));
                    let k = keys[&at];
                    assert_eq!(k.len() as u32, len);
                    out.push_str(k);
                    out.push(':');
                    value(w, i, p, keys, out);
                }
                out.push('}');
            }
            other => panic!("unknown op {other}"),
        }
    }
    let mut out = String::new();
    let mut i = 0;
    value(&tape.words, &mut i, payload, keys, &mut out);
    assert_eq!(i, tape.words.len(), "the whole tape is one value");
    out
}

/// The spec keys by address, as JS finds them in wasm memory.
fn keys() -> BTreeMap<u32, &'static str> {
    fn walk(spec: &'static str, out: &mut BTreeMap<u32, &'static str>) {
        for f in fields(spec) {
            out.insert(f.key.as_ptr() as usize as u32, f.key);
            if f.nested() {
                walk(f.arg, out);
            }
        }
    }
    let mut out = BTreeMap::new();
    for m in tables::METHODS {
        walk(m.reply, &mut out);
    }
    for t in [
        tables::QUEUE_EVENT_OUT,
        tables::WATCH_EVENT_OUT,
        tables::SIGNIN_OUT,
        tables::UPLOAD.reply,
    ] {
        walk(t, &mut out);
    }
    out
}

#[test]
fn replies_become_the_values_js_builds() {
    let keys = keys();
    let mut tape = Tape::default();

    let ev = pb::QueueEvent {
        queuename: "orders".into(),
        correlation_id: "c1".into(),
        data: r#"{"n":1}"#.into(),
        ..Default::default()
    };
    let payload = ev.encode_to_vec();
    wire::decode(&payload, tables::QUEUE_EVENT_OUT, &mut tape).unwrap();
    assert_eq!(
        render(&tape, &payload, &keys),
        r#"{queuename:"orders",correlation_id:"c1",replyto:"",routingkey:"",exchangename:"",data:json"{\"n\":1}"}"#
    );

    let signin = pb::SigninResponse {
        jwt: "t".into(),
        user: Some(pb::User {
            id: "u1".into(),
            name: "bob".into(),
            roles: vec![pb::Role {
                id: "r1".into(),
                name: "admins".into(),
            }],
            ..Default::default()
        }),
        config: String::new(),
    };
    let payload = signin.encode_to_vec();
    wire::decode(&payload, tables::SIGNIN_OUT, &mut tape).unwrap();
    assert_eq!(
        render(&tape, &payload, &keys),
        r#"{jwt:"t",user:{_id:"u1",name:"bob",username:"",email:"",roles:[{_id:"r1",name:"admins"}]}}"#
    );

    let wi = pb::PopWorkitemResponse {
        workitem: Some(pb::Workitem {
            id: "w1".into(),
            payload: "{}".into(),
            priority: 2,
            nextrun: Some(prost_types_ts(1_700_000_000, 5_000_000)),
            files: vec![pb::WorkitemFile {
                filename: "a".into(),
                ..Default::default()
            }],
            ..Default::default()
        }),
    };
    let payload = wi.encode_to_vec();
    wire::decode_reply(&payload, tables::POP_WORKITEM.reply, &mut tape).unwrap();
    let text = render(&tape, &payload, &keys);
    assert!(text.starts_with(r#"{id:"w1",name:"","#), "{text}");
    assert!(text.contains(r#"payload:json"{}",priority:2,retries:0,files:[{filename:"a",id:"",compressed:false}],nextrun:date(1700000000005)}"#), "{text}");
    assert!(
        !text.contains("lastrun"),
        "an unset date leaves its key out: {text}"
    );

    let empty = pb::PopWorkitemResponse::default().encode_to_vec();
    wire::decode_reply(&empty, tables::POP_WORKITEM.reply, &mut tape).unwrap();
    assert_eq!(
        render(&tape, &empty, &keys),
        "null",
        "pop on an empty queue"
    );
}

fn prost_types_ts(seconds: i64, nanos: i32) -> pb::google::protobuf::Timestamp {
    pb::google::protobuf::Timestamp { seconds, nanos }
}

#[test]
fn invalid_replies_are_refused() {
    let mut tape = Tape::default();
    for bad in [
        &[0xff_u8][..],
        &[0x0a, 0x05, b'a'],
        &[0x08, 0x01],
        &[0x0a, 0x01, 0xff],
    ] {
        assert!(
            wire::decode(bad, tables::QUEUE_EVENT_OUT, &mut tape).is_err(),
            "{bad:?}"
        );
    }
}
