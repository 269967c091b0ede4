//! Request encoding: an option object, read through [`OptionSource`], becomes the protobuf bytes
//! of a request, as a spec (`spec.rs`) describes.

use super::spec::{fields, parse_u32};
use super::{put_bytes, put_int, type_url};
use crate::pb::google::protobuf::Any;
use crate::protocol::text::concat;

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

/// Writes the fields of options `o` as `spec` describes them (see `spec.rs`).
pub fn encode<S: OptionSource>(
    o: &S,
    spec: &'static str,
    out: &mut Vec<u8>,
) -> Result<(), S::Error> {
    for f in fields(spec) {
        let (key, no, arg) = (f.key, f.no, f.arg);
        match f.kind {
            b's' | b'r' => {
                let s = o.string(key)?.filter(|s| !s.is_empty());
                if f.kind == b'r' && s.is_none() {
                    return Err(S::invalid(&concat(&["option '", key, "' is required"])));
                }
                put_bytes(out, no, s.as_deref().unwrap_or(arg).as_bytes(), false);
            }
            b'j' => {
                let text = o.json(key)?;
                put_bytes(out, no, text.as_deref().unwrap_or(arg).as_bytes(), false)
            }
            b'i' => {
                let n = o.number(key)?.map(|n| n.min(i32::MAX as u64));
                put_int(out, no, n.unwrap_or(parse_u32(arg).unwrap_or(0) as u64));
            }
            b'b' => put_int(out, no, o.boolean(key)?.unwrap_or(false) as u64),
            b'l' => {
                for s in o.strings(key)? {
                    put_bytes(out, no, s.as_bytes(), true);
                }
            }
            b'y' => put_bytes(out, no, &o.bytes(key)?.unwrap_or_default(), false),
            b't' => {
                if let Some(ms) = o.millis(key)?.filter(|ms| *ms > 0) {
                    let mut t = Vec::new();
                    put_int(&mut t, 1, ms.div_euclid(1000) as u64);
                    put_int(&mut t, 2, (ms.rem_euclid(1000) * 1_000_000) as u64);
                    put_bytes(out, no, &t, true);
                }
            }
            b'm' => {
                if let Some(inner) = o.object(key)? {
                    let mut m = Vec::new();
                    encode(&inner, arg, &mut m)?;
                    put_bytes(out, no, &m, true);
                }
            }
            b'M' => {
                for inner in o.objects(key)? {
                    let mut m = Vec::new();
                    encode(&inner, arg, &mut m)?;
                    put_bytes(out, no, &m, true);
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The request `openiap.<message>` read from `o` as `spec` says.
pub fn request<S: OptionSource>(o: &S, message: &str, spec: &'static str) -> Result<Any, S::Error> {
    let mut value = Vec::new();
    encode(o, spec, &mut value)?;
    Ok(Any {
        type_url: type_url(message),
        value,
    })
}
