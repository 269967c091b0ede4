//! Queue messages and watch events as one JSON text each, which JS turns into the callback's
//! argument with one `JSON.parse` (`call_with_json` in `src/js/values.js`): cheaper than building
//! it field by field.
//!
//! The text is an array of the message's fields in order: for a queue event (`QueueEvent`,
//! [`super::tables::QUEUE_EVENT_OUT`]) `[queuename, correlation_id, replyto, routingkey,
//! exchangename, data]`, for a watch event (`WatchEvent`, [`super::tables::WATCH_EVENT_OUT`])
//! `[id, operation, document]`. The names are JSON strings; the last field, JSON text from the
//! sender, is embedded as it is. Whether it is JSON is left to the parser: the text parses to an
//! array of exactly that many items if and only if the last field alone is one JSON value (an
//! extra item, a closed or an unclosed bracket cannot hide in it). Otherwise the reader takes
//! the last field as a string (it starts at the offset [`message`] returns), as the official
//! clients leave it.

use super::decode::{next_field, Bad, Raw};

/// What a message is: its protobuf fields 1..=`names` are strings and field `names + 1` is JSON
/// text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A `QueueEvent`: five names and `data`.
    Queue = 5,
    /// A `WatchEvent`: `id`, `operation` and `document`.
    Watch = 2,
}

/// Writes message `payload` of `kind` into `out` (cleared first) as the JSON text of the module
/// docs, and returns where its last field starts; `first`, when given, stands for field 1 (a
/// watch keeps the id it was first given). `Bad`: not that message. The text is UTF-8 only if the
/// payload's strings are: the reader decodes it strictly.
pub fn message(
    payload: &[u8],
    kind: Kind,
    first: Option<&str>,
    out: &mut Vec<u8>,
) -> Result<usize, Bad> {
    let n = kind as usize;
    // The last occurrence of a field wins.
    let mut fields: [&[u8]; 6] = [&[]; 6];
    let mut b = payload;
    while !b.is_empty() {
        let (no, _, value) = next_field(&mut b)?;
        if (1..=n as u64 + 1).contains(&no) {
            let Raw::Bytes(v) = value else {
                return Err(Bad);
            };
            fields[no as usize - 1] = v;
        }
    }
    if let Some(first) = first {
        fields[0] = first.as_bytes();
    }
    out.clear();
    out.push(b'[');
    for name in &fields[..n] {
        string(out, name);
        out.push(b',');
    }
    let at = out.len();
    match fields[n] {
        [] => out.extend_from_slice(b"\"\""),
        json => out.extend_from_slice(json),
    }
    out.push(b']');
    Ok(at)
}

/// `s` as a JSON string: quotes, backslashes and control characters as `\u00XX` escapes.
fn string(out: &mut Vec<u8>, s: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    for &c in s {
        if c < 0x20 || c == b'"' || c == b'\\' {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[(c >> 4) as usize]);
            out.push(HEX[(c & 15) as usize]);
        } else {
            out.push(c);
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::wire::put_bytes;

    fn event(fields: &[(u8, &[u8])]) -> Vec<u8> {
        let mut p = Vec::new();
        for (no, v) in fields {
            put_bytes(&mut p, *no, v, true);
        }
        p
    }

    fn json(payload: &[u8], kind: Kind, first: Option<&str>) -> String {
        let mut out = Vec::new();
        let at = message(payload, kind, first, &mut out).unwrap();
        assert!(out[at - 1] == b',' && out.ends_with(b"]"));
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn names_are_escaped_and_data_is_embedded() {
        let p = event(&[
            (1, b"q\"1\\"),
            (2, b"c\n\x01\x1f"),
            (6, br#"{"a":1}"#),
            (9, b"unknown"),
        ]);
        assert_eq!(
            json(&p, Kind::Queue, None),
            r#"["q\u00221\u005c","c\u000a\u0001\u001f","","","",{"a":1}]"#
        );
        assert_eq!(
            json(&[], Kind::Queue, None),
            r#"["","","","","",""]"#,
            "no data: an empty string"
        );
        let last = event(&[(1, b"a"), (1, b"b")]);
        assert!(json(&last, Kind::Queue, None).starts_with(r#"["b","#));
        let text = event(&[(6, br#"a "b""#)]);
        assert_eq!(
            json(&text, Kind::Queue, None),
            r#"["","","","","",a "b"]"#,
            "data is embedded as it is; the reader sees it is not JSON"
        );
    }

    #[test]
    fn watch_events_keep_their_first_id() {
        let p = event(&[(1, b"new"), (2, b"insert"), (3, b"{}"), (6, b"x")]);
        assert_eq!(json(&p, Kind::Watch, None), r#"["new","insert",{}]"#);
        assert_eq!(
            json(&p, Kind::Watch, Some("first")),
            r#"["first","insert",{}]"#
        );
    }

    #[test]
    fn other_wire_types_are_bad() {
        let mut out = Vec::new();
        let bad: [&[u8]; 3] = [&[0x08, 0x01], &[0x0a, 0x05, b'a'], &[0xff]];
        for b in bad {
            assert_eq!(message(b, Kind::Queue, None, &mut out), Err(Bad));
        }
        assert!(message(&[0x38, 0x01], Kind::Queue, None, &mut out).is_ok());
        assert_eq!(
            message(&[0x20, 0x01], Kind::Watch, None, &mut out).map(|_| ()),
            Ok(()),
            "field 4 is not a watch event's"
        );
    }
}
