//! Reply decoding: protobuf bytes, read as a spec (`spec.rs`) describes, become a [`Tape`] that one
//! JS function turns into the JS value (`src/js/values.js`).
//!
//! The tape is a list of `u32` words. A value is one of:
//!
//! | op | words after it | JS value |
//! |---|---|---|
//! | `NULL` 0 | | `null` |
//! | `STR` 1 | offset, length | the UTF-8 text at that place of the payload |
//! | `JSON` 2 | offset, length | that text JSON-parsed, or the text when it is not JSON |
//! | `INT` 4 | value | an int32 |
//! | `BOOL` 5 | 0 or 1 | a boolean |
//! | `F32` 6 | bits | a float |
//! | `DATE` 7 | low, high | a `Date` of the signed 64-bit milliseconds |
//! | `ARR` 8 | count, then that many values | an array |
//! | `OBJ` 9 | count, then per entry: key address, key length, value | an object |
//! | `FIRST` 10 | offset, length | the first element of that JSON array, or `null` |
//!
//! Offsets point into the payload the tape was read from; keys are slices of the `'static` specs,
//! given by address so that JS decodes each key once and then reuses it.

use super::read_varint;
use super::spec::{fields, Field};

/// Tape op codes (see the module docs).
pub mod op {
    /// `null`.
    pub const NULL: u32 = 0;
    /// A string.
    pub const STR: u32 = 1;
    /// JSON text.
    pub const JSON: u32 = 2;
    /// An int32.
    pub const INT: u32 = 4;
    /// A boolean.
    pub const BOOL: u32 = 5;
    /// A float.
    pub const F32: u32 = 6;
    /// A date.
    pub const DATE: u32 = 7;
    /// An array.
    pub const ARR: u32 = 8;
    /// An object.
    pub const OBJ: u32 = 9;
    /// The first element of a JSON array.
    pub const FIRST: u32 = 10;
}

/// Not valid protobuf (or not the expected field types).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bad;

/// A decoded reply, ready for the JS builder. Reused between messages to spare allocations.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tape {
    /// The words.
    pub words: Vec<u32>,
}

/// `google.protobuf.Timestamp`: `seconds` (int64) and `nanos` (int32), both varints.
const TIMESTAMP: &str = "seconds=1i nanos=2i";

/// What a field held on the wire (the last occurrence; every one for repeated fields).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Raw<'a> {
    /// Absent.
    None,
    /// A varint or fixed-width number.
    Int(u64),
    /// A string, bytes or a nested message.
    Bytes(&'a [u8]),
    /// A repeated string or message.
    List(Vec<&'a [u8]>),
}

impl<'a> Raw<'a> {
    /// The bytes of a length-delimited field ("" when absent).
    pub fn bytes(&self) -> &'a [u8] {
        match self {
            Raw::Bytes(b) => b,
            _ => &[],
        }
    }

    /// The text of a string field ("" when absent); `Bad` when it is not UTF-8.
    pub fn text(&self) -> Result<&'a str, Bad> {
        std::str::from_utf8(self.bytes()).map_err(|_| Bad)
    }

    /// The value of a number field (0 when absent).
    pub fn int(&self) -> u64 {
        match self {
            Raw::Int(v) => *v,
            _ => 0,
        }
    }
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

/// The next field at the front of `b`: its number, wire type and value.
pub fn next_field<'a>(b: &mut &'a [u8]) -> Result<(u64, u64, Raw<'a>), Bad> {
    let key = read_varint(b)?;
    let (no, wire) = (key >> 3, key & 7);
    let value = match wire {
        0 => Raw::Int(read_varint(b)?),
        1 => Raw::Int(le(take(b, 8)?)),
        2 => {
            let n = read_varint(b)?;
            Raw::Bytes(take(b, n)?)
        }
        5 => Raw::Int(le(take(b, 4)?)),
        _ => return Err(Bad),
    };
    if no == 0 {
        return Err(Bad);
    }
    Ok((no, wire, value))
}

/// Reads the fields of message `b` that `spec` lists, in spec order. Unknown fields are skipped;
/// a listed field of the wrong wire type is `Bad`.
pub fn read_fields<'a>(b: &'a [u8], spec: &'static str) -> Result<Vec<Raw<'a>>, Bad> {
    read_listed(b, &fields(spec).collect::<Vec<Field>>())
}

/// [`read_fields`] with the spec already read into `listed`.
fn read_listed<'a>(mut b: &'a [u8], listed: &[Field]) -> Result<Vec<Raw<'a>>, Bad> {
    let mut raw: Vec<Raw> = listed.iter().map(|_| Raw::None).collect();
    while !b.is_empty() {
        let (no, wire, value) = next_field(&mut b)?;
        let Some(i) = listed.iter().position(|f| f.no as u64 == no) else {
            continue;
        };
        if wire != listed[i].wire_type() {
            return Err(Bad);
        }
        match (listed[i].kind, value) {
            (b'l' | b'M', Raw::Bytes(v)) => match &mut raw[i] {
                Raw::List(l) => l.push(v),
                r => *r = Raw::List(vec![v]),
            },
            (_, v) => raw[i] = v,
        }
    }
    Ok(raw)
}

impl Tape {
    fn push(&mut self, words: &[u32]) {
        self.words.extend_from_slice(words);
    }

    /// `op`, offset and length of `part`, a slice of `base`; the text must be UTF-8.
    fn text(&mut self, op: u32, base: &[u8], part: &[u8]) -> Result<(), Bad> {
        std::str::from_utf8(part).map_err(|_| Bad)?;
        let offset = part.as_ptr() as usize - base.as_ptr() as usize;
        self.push(&[op, offset as u32, part.len() as u32]);
        Ok(())
    }

    /// Writes one field's value; `false` when the key is to be left out.
    fn value(&mut self, base: &[u8], raw: &Raw, f: &Field) -> Result<bool, Bad> {
        let bytes = match raw {
            Raw::Bytes(b) => b,
            _ => &base[..0],
        };
        match f.kind {
            b's' => self.text(op::STR, base, bytes)?,
            b'j' => self.text(op::JSON, base, bytes)?,
            b'f' => self.text(op::FIRST, base, bytes)?,
            b'i' => self.push(&[op::INT, raw.int() as u32]),
            b'b' => self.push(&[op::BOOL, (raw.int() != 0) as u32]),
            b'x' => self.push(&[op::F32, raw.int() as u32]),
            b't' => {
                let t = read_fields(bytes, TIMESTAMP)?;
                let (seconds, nanos) = (t[0].int() as i64, t[1].int() as i32);
                if seconds <= 0 {
                    return Ok(false);
                }
                let ms = seconds
                    .wrapping_mul(1000)
                    .wrapping_add((nanos / 1_000_000) as i64);
                self.push(&[op::DATE, ms as u32, (ms >> 32) as u32]);
            }
            b'm' => match raw {
                Raw::Bytes(b) => self.object(base, b, f.arg)?,
                _ => self.push(&[op::NULL]),
            },
            b'l' | b'M' => {
                let list: &[&[u8]] = match raw {
                    Raw::List(l) => l,
                    _ => &[],
                };
                self.push(&[op::ARR, list.len() as u32]);
                for b in list {
                    match f.kind {
                        b'M' => self.object(base, b, f.arg)?,
                        _ => self.text(op::STR, base, b)?,
                    }
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Message `b` (a slice of `base`) as an object with the keys of `spec`.
    fn object(&mut self, base: &[u8], b: &[u8], spec: &'static str) -> Result<(), Bad> {
        // The spec is read once for both passes.
        let listed: Vec<Field> = fields(spec).collect();
        let raw = read_listed(b, &listed)?;
        let at = self.words.len();
        self.push(&[op::OBJ, 0]);
        let mut count = 0;
        for (f, r) in listed.iter().zip(&raw) {
            let mark = self.words.len();
            self.push(&[f.key.as_ptr() as usize as u32, f.key.len() as u32]);
            if self.value(base, r, f)? {
                count += 1;
            } else {
                self.words.truncate(mark);
            }
        }
        self.words[at + 1] = count;
        Ok(())
    }
}

/// Message `payload` as an object with the keys of `spec`, written into `tape` (cleared first).
pub fn decode(payload: &[u8], spec: &'static str, tape: &mut Tape) -> Result<(), Bad> {
    tape.words.clear();
    tape.object(payload, payload, spec)
}

/// A reply as `reply` describes it (see `tables::Method::reply`), written into `tape` (cleared
/// first): a spec whose one field has no key reads that field alone (an absent date: `null`);
/// any other spec reads the whole reply as an object.
pub fn decode_reply(payload: &[u8], reply: &'static str, tape: &mut Tape) -> Result<(), Bad> {
    match fields(reply).next() {
        Some(f) if f.key.is_empty() => {
            tape.words.clear();
            let raw = read_fields(payload, reply)?;
            if !tape.value(payload, &raw[0], &f)? {
                tape.push(&[op::NULL]);
            }
            Ok(())
        }
        _ => decode(payload, reply, tape),
    }
}

/// String field `no` of message `payload`, without copying ("" when absent).
pub fn read_str(payload: &[u8], no: u8) -> Result<&str, Bad> {
    read_one(payload, no)?.text()
}

/// Bytes (or nested message) field `no` of message `payload`, without copying.
pub fn read_bytes(payload: &[u8], no: u8) -> Result<&[u8], Bad> {
    Ok(read_one(payload, no)?.bytes())
}

/// Length-delimited field `no` of `payload` (the last occurrence).
fn read_one(mut b: &[u8], no: u8) -> Result<Raw<'_>, Bad> {
    let mut found = Raw::None;
    while !b.is_empty() {
        let (n, wire, value) = next_field(&mut b)?;
        if n == no as u64 && wire != 2 {
            return Err(Bad);
        }
        if n == no as u64 {
            found = value;
        }
    }
    Ok(found)
}
