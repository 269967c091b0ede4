//! The data API's requests and replies as plain bytes, driven by field tables instead of a prost
//! type (and its encoder and decoder) per message: one small encoder and one small decoder serve
//! every method, which keeps the wasm small.
//!
//! - [`spec`]: the table language: a message's fields as one short string.
//! - [`encode`]: an option object (read through [`OptionSource`]) becomes a request message.
//! - [`decode`]: a reply message becomes a [`Tape`]: a flat list of `u32` words that one JS
//!   function (`src/js/values.js`) turns into the JS value in a single call, so a reply or a queue
//!   message crosses from wasm to JS once, however many fields it has.
//! - [`json`]: a queue event as one JSON text, parsed in JS in one go.
//! - [`tables`]: the specs of every request and reply.
//!
//! Both sides follow proto3: defaults are omitted when writing, absent fields read as their
//! defaults, unknown fields are skipped. `tests/wire_tables.rs` checks every table against the
//! prost types that `build.rs` generates from `proto/`.

mod decode;
mod encode;
pub mod json;
pub mod spec;
#[rustfmt::skip]
pub mod tables;

pub use decode::{
    decode, decode_reply, next_field, op, read_bytes, read_fields, read_str, Bad, Raw, Tape,
};
pub use encode::{encode, request, OptionSource};

/// Appends `v` as a protobuf varint.
pub fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Reads a varint from the front of `b`.
pub fn read_varint(b: &mut &[u8]) -> Result<u64, Bad> {
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

/// A varint field (omitted when 0).
pub fn put_int(out: &mut Vec<u8>, no: u8, v: u64) {
    if v != 0 {
        varint(out, (no as u64) << 3);
        varint(out, v);
    }
}

/// A length-delimited field (string, bytes, message); empty ones are omitted unless `keep`.
pub fn put_bytes(out: &mut Vec<u8>, no: u8, b: &[u8], keep: bool) {
    if keep || !b.is_empty() {
        varint(out, (no as u64) << 3 | 2);
        varint(out, b.len() as u64);
        out.extend_from_slice(b);
    }
}

/// `type.googleapis.com/openiap.<message>`.
pub fn type_url(message: &str) -> String {
    crate::protocol::text::concat(&["type.googleapis.com/openiap.", message])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip_and_overlong_input_is_bad() {
        for v in [0u64, 1, 127, 128, 300, u32::MAX as u64, u64::MAX] {
            let mut out = Vec::new();
            varint(&mut out, v);
            let mut b = out.as_slice();
            assert_eq!(read_varint(&mut b).ok(), Some(v));
            assert!(b.is_empty());
        }
        let mut b: &[u8] = &[0xff; 11];
        assert!(read_varint(&mut b).is_err());
        let mut b: &[u8] = &[0x80];
        assert!(read_varint(&mut b).is_err());
    }
}
