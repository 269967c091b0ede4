//! Small string helpers that avoid `core`'s substring searcher and formatting machinery (whose
//! panic paths pull `Debug` code into the wasm), and keep credentials out of text.

/// The parts joined (plain string building, no formatting machinery).
pub fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        out.push_str(p);
    }
    out
}

/// `n` in decimal (no formatting machinery).
pub fn num(mut n: u64) -> String {
    let mut digits = Vec::new();
    loop {
        digits.push(b'0' + (n % 10) as u8);
        n /= 10;
        if n == 0 {
            break;
        }
    }
    digits.iter().rev().map(|&d| d as char).collect()
}

/// `b` as two lowercase hex digits.
pub fn hex(b: u8) -> String {
    let d = |n: u8| b"0123456789abcdef"[n as usize & 15] as char;
    [d(b >> 4), d(b)].iter().collect()
}

/// `s.split_once(pat)` for a string pattern, without the substring searcher of `core::str`.
pub fn split_once_str<'a>(s: &'a str, pat: &str) -> Option<(&'a str, &'a str)> {
    let i = s
        .as_bytes()
        .windows(pat.len())
        .position(|w| w == pat.as_bytes())?;
    let (head, rest) = s.split_at_checked(i)?;
    Some((head, rest.get(pat.len()..)?))
}

/// Decodes `%XX` escapes (URL userinfo, gRPC `grpc-message`); invalid escapes stay as they are,
/// and so does the whole text when the decoded bytes are not UTF-8.
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

/// `scheme://user:pass@host/...` → `scheme://***@host/...`.
pub fn redact_userinfo(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s && !url[s + 3..at].contains('/') => {
            concat(&[&url[..s + 3], "***", &url[at..]])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(split_once_str("a\r\nb\r\nc", "\r\n"), Some(("a", "b\r\nc")));
        assert_eq!(split_once_str("abc", "\r\n"), None);
        assert_eq!((num(0), num(u64::MAX)), ("0".into(), u64::MAX.to_string()));
        assert_eq!((hex(0x0a), hex(0xff)), ("0a".into(), "ff".into()));
        assert_eq!(percent_decode("s%40cret%2"), "s@cret%2");
        assert_eq!(percent_decode("%ff%fe"), "%ff%fe", "not UTF-8: as given");
        assert_eq!(
            redact_userinfo("wss://bob:pw@host/ws/v2"),
            "wss://***@host/ws/v2"
        );
        assert_eq!(redact_userinfo("wss://host/a@b"), "wss://host/a@b");
    }
}
