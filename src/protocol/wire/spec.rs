//! The table language: a message's fields written as one short string, read field by field.
//!
//! A spec is fields separated by spaces. A field is `key=NO` and a kind letter, then `:default`
//! or `[nested spec]` where the kind takes one:
//!
//! | kind | request (option → field) | reply (field → JS value) |
//! |---|---|---|
//! | `s` | string (`:default` when absent) | string |
//! | `r` | string that must be given | |
//! | `j` | JSON text: strings as they are, other values stringified (`:default`) | JSON-parsed, or the text when it is not JSON |
//! | `f` | | the first element of a JSON array, or `null` |
//! | `i` | non-negative int32 (`:default`) | int32 |
//! | `b` | boolean | boolean |
//! | `x` | | float |
//! | `l` | array of strings (repeated string) | array of strings |
//! | `y` | bytes (`Uint8Array`, `ArrayBuffer`, view or string) | |
//! | `t` | `Date` or epoch ms → `google.protobuf.Timestamp` | `Date` (key left out when unset) |
//! | `m[..]` | nested message | nested message (`null` when absent) |
//! | `M[..]` | array of nested messages | array of nested messages |
//!
//! Several keys may write one field number (`_id` and `id`, `time_field` and `timeField`); the
//! last one given wins, as in protobuf. Specs are text: in the wasm they are a fraction of the
//! size the same tables took as arrays of structs (pointers do not compress).
//!
//! Example: `"filename=1s mimetype=2s:application/octet-stream files=7M[filename=1s id=2s]"`.

/// One field of a spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The option name or JS key (a slice of the spec, so its address is stable).
    pub key: &'static str,
    /// The protobuf field number.
    pub no: u8,
    /// The kind letter (see the module docs).
    pub kind: u8,
    /// The default (after `:`) or the nested spec (inside `[...]`); empty when none.
    pub arg: &'static str,
}

impl Field {
    /// True for the kinds with a nested spec (`m`, `M`).
    pub fn nested(&self) -> bool {
        matches!(self.kind, b'm' | b'M')
    }

    /// The protobuf wire type the field has on the wire (0 varint, 2 length-delimited, 5 32-bit).
    pub fn wire_type(&self) -> u64 {
        match self.kind {
            b'i' | b'b' => 0,
            b'x' => 5,
            _ => 2,
        }
    }
}

/// The fields of `spec`, in order. A malformed spec is a bug of the tables, which
/// `tests/wire_tables.rs` reads whole: here it ends the iteration.
pub fn fields(spec: &'static str) -> Fields {
    Fields { rest: spec }
}

/// Iterator over the fields of a spec.
#[derive(Debug, Clone)]
pub struct Fields {
    rest: &'static str,
}

impl Iterator for Fields {
    type Item = Field;

    fn next(&mut self) -> Option<Field> {
        // Byte loops rather than `trim_start` / `find`: this runs for every field of every
        // message received, and the generic `str` searches are several times slower in the
        // size-optimized wasm. `get` rather than indexing: no panic path in the wasm.
        let b = self.rest.as_bytes();
        let start = b.iter().position(|&c| c != b' ')?;
        let eq = start + b[start..].iter().position(|&c| c == b'=')?;
        let key = self.rest.get(start..eq)?;
        let mut i = eq + 1;
        let mut no = 0u32;
        while let Some(c) = b.get(i).filter(|c| c.is_ascii_digit()) {
            no = no.wrapping_mul(10).wrapping_add((c - b'0') as u32);
            i += 1;
        }
        if i == eq + 1 {
            return None;
        }
        let kind = *b.get(i)?;
        let tail = i + 1;
        let (arg, rest) = match b.get(tail) {
            Some(b'[') => {
                let close = tail + matching_bracket(self.rest.get(tail..)?)?;
                (self.rest.get(tail + 1..close)?, close + 1)
            }
            Some(b':') => {
                let end = tail
                    + b[tail..]
                        .iter()
                        .position(|&c| c == b' ')
                        .unwrap_or(b.len() - tail);
                (self.rest.get(tail + 1..end)?, end)
            }
            _ => ("", tail),
        };
        self.rest = self.rest.get(rest..)?;
        Some(Field {
            key,
            no: no as u8,
            kind,
            arg,
        })
    }
}

/// The index of the `]` that closes the `[` at the start of `s`.
fn matching_bracket(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in s.bytes().enumerate() {
        match c {
            b'[' => depth += 1,
            b']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// A decimal number (no sign); `None` when empty or not digits.
pub fn parse_u32(s: &str) -> Option<u32> {
    if s.is_empty() {
        return None;
    }
    s.bytes().try_fold(0u32, |n, c| {
        c.is_ascii_digit()
            .then(|| n.wrapping_mul(10).wrapping_add((c - b'0') as u32))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_defaults_and_nesting() {
        let f: Vec<Field> = fields(" a=1s b=12j:{} c=3M[x=1s y=2m[z=1b]] d=4i:100 e=5r").collect();
        let keys: Vec<(&str, u8, u8, &str)> =
            f.iter().map(|f| (f.key, f.no, f.kind, f.arg)).collect();
        assert_eq!(
            keys,
            [
                ("a", 1, b's', ""),
                ("b", 12, b'j', "{}"),
                ("c", 3, b'M', "x=1s y=2m[z=1b]"),
                ("d", 4, b'i', "100"),
                ("e", 5, b'r', ""),
            ]
        );
        assert_eq!(fields("").count(), 0);
        assert_eq!(
            fields("broken").count(),
            0,
            "a malformed spec ends the fields"
        );
        assert_eq!(parse_u32("100"), Some(100));
        assert_eq!(parse_u32("1x"), None);
    }
}
