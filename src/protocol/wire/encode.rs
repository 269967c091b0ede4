//! Request encoding: an option object, read through [`OptionSource`], becomes the protobuf bytes
//! of a request, as a field table describes.

use super::{put_bytes, put_int, type_url};
use crate::pb::google::protobuf::Any;

/// How an option is read and encoded.
#[derive(Debug, Clone, Copy)]
pub enum K {
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

/// One request field: option name, protobuf field number, kind. Several names may write the
/// same field number (npm's `_id` and `id`, `time_field` and `timeField`); the last one given
/// wins, as it would in protobuf.
#[derive(Debug, Clone, Copy)]
pub struct F(pub &'static str, pub u8, pub K);

/// Reads the options of one call. The wasm shell implements it on JS objects; tests on plain
/// Rust values. Absent (`undefined`, `null`) options read as `None` or empty.
pub trait OptionSource: Sized {
    /// The error of a wrongly typed option.
    type Error;
    /// A string option (an error when it is not a string).
    fn string(&self, key: &str) -> Result<Option<String>, Self::Error>;
    /// A non-negative number, truncated (an error when it is not one).
    fn number(&self, key: &str) -> Result<Option<u64>, Self::Error>;
    /// A boolean option.
    fn boolean(&self, key: &str) -> Result<Option<bool>, Self::Error>;
    /// JSON text of an option: a string as it is, another value stringified.
    fn json(&self, key: &str) -> Result<Option<String>, Self::Error>;
    /// The strings of an array option.
    fn strings(&self, key: &str) -> Result<Vec<String>, Self::Error>;
    /// The bytes of a byte option.
    fn bytes(&self, key: &str) -> Result<Option<Vec<u8>>, Self::Error>;
    /// Epoch milliseconds of a `Date` or number option.
    fn millis(&self, key: &str) -> Result<Option<i64>, Self::Error>;
    /// A nested options object.
    fn object(&self, key: &str) -> Result<Option<Self>, Self::Error>;
    /// The objects of an array option.
    fn objects(&self, key: &str) -> Result<Vec<Self>, Self::Error>;
    /// An `InvalidArgument` error with `message`.
    fn invalid(message: &str) -> Self::Error;
}

/// Writes the fields of options `o` described by `fields`.
pub fn encode<S: OptionSource>(o: &S, fields: &[F], out: &mut Vec<u8>) -> Result<(), S::Error> {
    for &F(key, no, kind) in fields {
        match kind {
            K::Str | K::Req | K::Def(_) => {
                let s = o.string(key)?;
                let s = match (kind, s) {
                    (K::Req, s) if s.as_deref().is_none_or(str::is_empty) => {
                        let m = crate::protocol::text::concat(&["option '", key, "' is required"]);
                        return Err(S::invalid(&m));
                    }
                    (K::Def(d), None) => d.to_string(),
                    (_, s) => s.unwrap_or_default(),
                };
                put_bytes(out, no, s.as_bytes(), false);
            }
            K::Json(d) => {
                let text = o.json(key)?;
                put_bytes(out, no, text.as_deref().unwrap_or(d).as_bytes(), false)
            }
            K::Int(d) => {
                let n = o.number(key)?.map(|n| n.min(i32::MAX as u64));
                put_int(out, no, n.unwrap_or(d as u64));
            }
            K::Bool => put_int(out, no, o.boolean(key)?.unwrap_or(false) as u64),
            K::Strs => {
                for s in o.strings(key)? {
                    put_bytes(out, no, s.as_bytes(), true);
                }
            }
            K::Bytes => put_bytes(out, no, &o.bytes(key)?.unwrap_or_default(), false),
            K::Time => {
                if let Some(ms) = o.millis(key)?.filter(|ms| *ms > 0) {
                    let mut t = Vec::new();
                    put_int(&mut t, 1, ms.div_euclid(1000) as u64);
                    put_int(&mut t, 2, (ms.rem_euclid(1000) * 1_000_000) as u64);
                    put_bytes(out, no, &t, true);
                }
            }
            K::Msg(f) => {
                if let Some(inner) = o.object(key)? {
                    let mut m = Vec::new();
                    encode(&inner, f, &mut m)?;
                    put_bytes(out, no, &m, true);
                }
            }
            K::Msgs(f) => {
                for inner in o.objects(key)? {
                    let mut m = Vec::new();
                    encode(&inner, f, &mut m)?;
                    put_bytes(out, no, &m, true);
                }
            }
        }
    }
    Ok(())
}

/// The request `openiap.<message>` read from `o` with `fields`.
pub fn request<S: OptionSource>(o: &S, message: &str, fields: &[F]) -> Result<Any, S::Error> {
    let mut value = Vec::new();
    encode(o, fields, &mut value)?;
    Ok(Any {
        type_url: type_url(message),
        value,
    })
}
