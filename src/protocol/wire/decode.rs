//! Reply decoding: protobuf bytes, read as a field table describes, become a [`Tape`] that one
//! JS function turns into the JS value (`src/js/build.js`).
//!
//! The tape is a list of `u32` words. A value is one of:
//!
//! | op | words after it | JS value |
//! |---|---|---|
//! | `NULL` 0 | | `null` |
//! | `STR` 1 | offset, length | the UTF-8 text at that place of the payload |
//! | `JSON` 2 | offset, length | that text JSON-parsed, or the text when it is not JSON |
//! | `DATA` 3 | offset, length | as `JSON`; an object's `__jwt`/`__user` move to the enclosing object as `jwt`/`user` |
//! | `INT` 4 | value | an int32 |
//! | `BOOL` 5 | 0 or 1 | a boolean |
//! | `F32` 6 | bits | a float |
//! | `DATE` 7 | low, high | a `Date` of the signed 64-bit milliseconds |
//! | `ARR` 8 | count, then that many values | an array |
//! | `OBJ` 9 | count, then per entry: key address, key length, value | an object |
//! | `FIRST` 10 | offset, length | the first element of that JSON array, or `null` |
//!
//! Offsets point into the payload the tape was read from; keys are `&'static str`s of the
//! tables, given by address so that JS decodes each key once and then reuses it.

use super::read_varint;

/// Tape op codes (see the module docs).
pub mod op {
    /// `null`.
    pub const NULL: u32 = 0;
    /// A string.
    pub const STR: u32 = 1;
    /// JSON text.
    pub const JSON: u32 = 2;
    /// A queue message's `data`.
    pub const DATA: u32 = 3;
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

/// How a reply field becomes a JS value.
#[derive(Debug, Clone, Copy)]
pub enum D {
    /// A string.
    Str,
    /// JSON text: parsed, or the text when it is not JSON.
    Json,
    /// A queue message's `data`: as [`D::Json`], with `__jwt`/`__user` lifted out.
    Data,
    /// JSON text of an array: its first element, or `null` (`get_one`).
    First,
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
#[derive(Debug, Clone, Copy)]
pub struct O(pub &'static str, pub u8, pub D);

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
const TIMESTAMP: &[O] = &[O("", 1, D::I32), O("", 2, D::I32)];

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

/// Reads the fields of message `b` described by `fields` (in table order); the keys of `fields`
/// are not used. Unknown fields are skipped; a known field of the wrong wire type is `Bad`.
pub fn read_fields<'a>(mut b: &'a [u8], fields: &[O]) -> Result<Vec<Raw<'a>>, Bad> {
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
    fn value(&mut self, base: &[u8], raw: &Raw, kind: D) -> Result<bool, Bad> {
        let (int, bytes, list): (u64, &[u8], &[&[u8]]) = match raw {
            Raw::None => (0, &base[..0], &[]),
            Raw::Int(v) => (*v, &base[..0], &[]),
            Raw::Bytes(b) => (0, b, &[]),
            Raw::List(l) => (0, &base[..0], l),
        };
        match kind {
            D::Str => self.text(op::STR, base, bytes)?,
            D::Json => self.text(op::JSON, base, bytes)?,
            D::Data => self.text(op::DATA, base, bytes)?,
            D::First => self.text(op::FIRST, base, bytes)?,
            D::I32 => self.push(&[op::INT, int as u32]),
            D::Bool => self.push(&[op::BOOL, (int != 0) as u32]),
            D::F32 => self.push(&[op::F32, int as u32]),
            D::Date => {
                let t = read_fields(bytes, TIMESTAMP)?;
                let (seconds, nanos) = match (&t[0], &t[1]) {
                    (Raw::Int(s), Raw::Int(n)) => (*s as i64, *n as i32),
                    (Raw::Int(s), _) => (*s as i64, 0),
                    _ => (0, 0),
                };
                if seconds <= 0 {
                    return Ok(false);
                }
                let ms = seconds
                    .wrapping_mul(1000)
                    .wrapping_add((nanos / 1_000_000) as i64);
                self.push(&[op::DATE, ms as u32, (ms >> 32) as u32]);
            }
            D::Msg(f) => match raw {
                Raw::Bytes(b) => self.object(base, b, f)?,
                _ => self.push(&[op::NULL]),
            },
            D::Strs | D::Msgs(_) => {
                self.push(&[op::ARR, list.len() as u32]);
                for b in list {
                    match kind {
                        D::Msgs(f) => self.object(base, b, f)?,
                        _ => self.text(op::STR, base, b)?,
                    }
                }
            }
        }
        Ok(true)
    }

    /// Message `b` (a slice of `base`) as an object with the keys of `fields`.
    fn object(&mut self, base: &[u8], b: &[u8], fields: &[O]) -> Result<(), Bad> {
        let raw = read_fields(b, fields)?;
        let at = self.words.len();
        self.push(&[op::OBJ, 0]);
        let mut count = 0;
        for (f, r) in fields.iter().zip(&raw) {
            let mark = self.words.len();
            self.push(&[f.0.as_ptr() as usize as u32, f.0.len() as u32]);
            if self.value(base, r, f.2)? {
                count += 1;
            } else {
                self.words.truncate(mark);
            }
        }
        self.words[at + 1] = count;
        Ok(())
    }
}

/// Message `payload` as an object with the keys of `fields`, written into `tape` (cleared first).
pub fn decode(payload: &[u8], fields: &[O], tape: &mut Tape) -> Result<(), Bad> {
    tape.words.clear();
    tape.object(payload, payload, fields)
}

/// Field `no` of message `payload`, read as `kind`, written into `tape` (cleared first); an
/// absent date writes `null`.
pub fn decode_field(payload: &[u8], no: u8, kind: D, tape: &mut Tape) -> Result<(), Bad> {
    tape.words.clear();
    let raw = read_fields(payload, &[O("", no, kind)])?;
    if !tape.value(payload, &raw[0], kind)? {
        tape.push(&[op::NULL]);
    }
    Ok(())
}

/// String field `no` of message `payload`, without copying ("" when absent).
pub fn read_str(payload: &[u8], no: u8) -> Result<&str, Bad> {
    read_fields(payload, &[O("", no, D::Str)])?[0].text()
}

/// Bytes (or nested message) field `no` of message `payload`, without copying.
pub fn read_bytes(payload: &[u8], no: u8) -> Result<&[u8], Bad> {
    Ok(read_fields(payload, &[O("", no, D::Str)])?[0].bytes())
}
