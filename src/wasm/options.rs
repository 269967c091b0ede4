//! Reading option objects: typed reads ([`Options`]: a field of the wrong type is an
//! `InvalidArgument` error) and [`JsOptions`], the [`OptionSource`] the data API's field tables
//! read requests from.

use js_sys::Function;
#[cfg(feature = "data")]
use js_sys::Reflect;
#[cfg(feature = "data")]
use js_sys::{Array, ArrayBuffer, Uint8Array};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

#[cfg(feature = "data")]
use super::convert::data_text;
use super::convert::{get, invalid};
use crate::protocol::session::Call;
use crate::protocol::text::concat;
#[cfg(feature = "data")]
use crate::protocol::wire::OptionSource;

/// Bytes given as a string (UTF-8), `Uint8Array`, `ArrayBuffer` or other `ArrayBufferView`, as a
/// `Uint8Array` (a view, not a copy, except for strings).
#[cfg(feature = "data")]
pub fn byte_view(v: &JsValue) -> Option<Uint8Array> {
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
        let n = |k| get(v, k).as_f64().unwrap_or(0.0) as u32;
        let buf: ArrayBuffer = get(v, "buffer").unchecked_into();
        return Some(Uint8Array::new_with_byte_offset_and_length(
            &buf,
            n("byteOffset"),
            n("byteLength"),
        ));
    }
    None
}

#[wasm_bindgen(module = "/src/js/options.js")]
extern "C" {
    /// `o[key]` (undefined when `o` is not an object or the field is null); throws when the
    /// field, or the prototype of an object in it, cannot be read.
    #[wasm_bindgen(catch)]
    fn option(o: &JsValue, key: &str) -> Result<JsValue, JsValue>;
}

/// Typed reads of an options object; a field of the wrong type is an `InvalidArgument` error.
/// `undefined`/`null` objects and fields read as absent. The reads are kept out of line
/// (`inline(never)`): every option read inlined cost the wasm about 100 bytes.
pub struct Options<'a>(pub &'a JsValue);

fn wrong(key: &str, what: &str) -> JsValue {
    invalid(&concat(&["option '", key, "' must be ", what]))
}

impl Options<'_> {
    /// The field `key` (`None` when absent, undefined or null). A getter or Proxy that throws is
    /// an `InvalidArgument` error, not an absent field, and so is an object value whose prototype
    /// cannot be read (a hostile or revoked Proxy): the `instanceof` and `Array.isArray` checks
    /// that come next would throw through the wasm.
    #[inline(never)]
    fn field(&self, key: &str) -> Result<Option<JsValue>, JsValue> {
        let v = option(self.0, key).map_err(|_| wrong(key, "readable"))?;
        Ok(Some(v).filter(|v| !v.is_undefined()))
    }

    /// A string field.
    #[inline(never)]
    pub fn string(&self, key: &str) -> Result<Option<String>, JsValue> {
        match self.field(key)? {
            None => Ok(None),
            Some(v) => v
                .as_string()
                .map(Some)
                .ok_or_else(|| wrong(key, "a string")),
        }
    }

    /// A non-negative number field (milliseconds, counts), truncated to an integer.
    #[inline(never)]
    pub fn number(&self, key: &str) -> Result<Option<u64>, JsValue> {
        match self.field(key)? {
            None => Ok(None),
            Some(v) => match v.as_f64() {
                Some(n) if n.is_finite() && n >= 0.0 => Ok(Some(n as u64)),
                _ => Err(wrong(key, "a non-negative number")),
            },
        }
    }

    /// A boolean field.
    #[inline(never)]
    pub fn boolean(&self, key: &str) -> Result<Option<bool>, JsValue> {
        match self.field(key)? {
            None => Ok(None),
            Some(v) => v.as_bool().map(Some).ok_or_else(|| wrong(key, "a boolean")),
        }
    }

    /// Reads each string option into its slot; an absent one leaves the slot as it is. One loop
    /// for many options keeps the wasm small (each inlined read with `?` cost about 100 bytes).
    pub fn fill_strings(&self, slots: &mut [(&str, &mut String)]) -> Result<(), JsValue> {
        for (key, slot) in slots {
            if let Some(v) = self.string(key)? {
                **slot = v;
            }
        }
        Ok(())
    }

    /// [`Options::fill_strings`] for non-negative numbers.
    pub fn fill_numbers(&self, slots: &mut [(&str, &mut u64)]) -> Result<(), JsValue> {
        for (key, slot) in slots {
            if let Some(v) = self.number(key)? {
                **slot = v;
            }
        }
        Ok(())
    }

    /// [`Options::fill_strings`] for booleans.
    pub fn fill_booleans(&self, slots: &mut [(&str, &mut bool)]) -> Result<(), JsValue> {
        for (key, slot) in slots {
            if let Some(v) = self.boolean(key)? {
                **slot = v;
            }
        }
        Ok(())
    }

    /// A function field.
    pub fn function(&self, key: &str) -> Result<Option<Function>, JsValue> {
        match self.field(key)? {
            None => Ok(None),
            Some(v) => v.dyn_into().map(Some).map_err(|_| wrong(key, "a function")),
        }
    }

    /// A field's value, e.g. a nested options object (undefined when absent).
    pub fn object(&self, key: &str) -> Result<JsValue, JsValue> {
        Ok(self.field(key)?.unwrap_or(JsValue::UNDEFINED))
    }

    /// The items of an array field, read with `Reflect` (an index getter may throw).
    #[cfg(feature = "data")]
    fn array(&self, key: &str) -> Result<Option<Vec<JsValue>>, JsValue> {
        match self.field(key)? {
            None => Ok(None),
            Some(v) if Array::is_array(&v) => {
                let n = Reflect::get(&v, &"length".into())
                    .ok()
                    .and_then(|n| n.as_f64());
                (0..n.unwrap_or(0.0) as u32)
                    .map(|i| Reflect::get_u32(&v, i).map_err(|_| wrong(key, "readable")))
                    .collect::<Result<_, _>>()
                    .map(Some)
            }
            Some(_) => Err(wrong(key, "an array")),
        }
    }
}

/// An owned JS options object, read by the data API's field tables.
#[cfg(feature = "data")]
pub struct JsOptions(pub JsValue);

#[cfg(feature = "data")]
impl OptionSource for JsOptions {
    type Error = JsValue;
    fn string(&self, key: &str) -> Result<Option<String>, JsValue> {
        Options(&self.0).string(key)
    }
    fn number(&self, key: &str) -> Result<Option<u64>, JsValue> {
        Options(&self.0).number(key)
    }
    fn boolean(&self, key: &str) -> Result<Option<bool>, JsValue> {
        Options(&self.0).boolean(key)
    }
    fn json(&self, key: &str) -> Result<Option<String>, JsValue> {
        Options(&self.0)
            .field(key)?
            .map(|v| data_text(&v))
            .transpose()
    }
    fn strings(&self, key: &str) -> Result<Vec<String>, JsValue> {
        let Some(a) = Options(&self.0).array(key)? else {
            return Ok(Vec::new());
        };
        a.iter()
            .map(|s| {
                s.as_string()
                    .ok_or_else(|| wrong(key, "an array of strings"))
            })
            .collect()
    }
    fn bytes(&self, key: &str) -> Result<Option<Vec<u8>>, JsValue> {
        match Options(&self.0).field(key)? {
            None => Ok(None),
            Some(v) => byte_view(&v)
                .map(|a| Some(a.to_vec()))
                .ok_or_else(|| wrong(key, "a Uint8Array, ArrayBuffer or string")),
        }
    }
    fn millis(&self, key: &str) -> Result<Option<i64>, JsValue> {
        let Some(v) = Options(&self.0).field(key)? else {
            return Ok(None);
        };
        let ms = match v.dyn_ref::<js_sys::Date>() {
            Some(d) => d.get_time(),
            None => v.as_f64().ok_or_else(|| wrong(key, "a Date or a number"))?,
        };
        Ok((ms.is_finite() && ms > 0.0).then_some(ms as i64))
    }
    fn object(&self, key: &str) -> Result<Option<Self>, JsValue> {
        match Options(&self.0).field(key)? {
            None => Ok(None),
            Some(v) if v.is_object() => Ok(Some(JsOptions(v))),
            Some(_) => Err(wrong(key, "an object")),
        }
    }
    fn objects(&self, key: &str) -> Result<Vec<Self>, JsValue> {
        let Some(a) = Options(&self.0).array(key)? else {
            return Ok(Vec::new());
        };
        Ok(a.into_iter().map(JsOptions).collect())
    }
    fn invalid(message: &str) -> JsValue {
        invalid(message)
    }
}

/// The per-request settings of an options object: `timeout` in seconds (npm `openiap`'s unit;
/// 0 or negative, as npm's -1: the default), `timeout_ms` in milliseconds (wins when both are
/// given), and the per-call identity `jwt`, `traceid`, `spanid`.
#[inline(never)]
pub fn call_from(options: &JsValue) -> Result<Call, JsValue> {
    let o = Options(options);
    let seconds = match o.field("timeout")? {
        None => None,
        Some(v) => match v.as_f64() {
            Some(s) if s.is_finite() => (s > 0.0).then_some((s * 1000.0) as u64),
            _ => return Err(wrong("timeout", "a number of seconds")),
        },
    };
    Ok(Call {
        timeout_ms: o.number("timeout_ms")?.or(seconds),
        jwt: o.string("jwt")?.unwrap_or_default(),
        traceid: o.string("traceid")?.unwrap_or_default(),
        spanid: o.string("spanid")?.unwrap_or_default(),
        upload: false,
    })
}

/// The `signal` option: an `AbortSignal` (anything with `aborted` and `addEventListener`).
#[inline(never)]
pub fn signal_from(options: &JsValue) -> Result<Option<JsValue>, JsValue> {
    match Options(options).field("signal")? {
        None => Ok(None),
        Some(s)
            if get(&s, "aborted").as_bool().is_some()
                && get(&s, "addEventListener").is_function() =>
        {
            Ok(Some(s))
        }
        Some(_) => Err(wrong("signal", "an AbortSignal")),
    }
}
