//! Small helpers: randomness, clocks, base64url. No external crates.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

static RNG: AtomicU64 = AtomicU64::new(0);

/// A pseudo-random u64 (xorshift64*, seeded from the clock). Good enough for ids and queue names.
pub fn rand_u64() -> u64 {
    let mut cur = RNG.load(Ordering::Relaxed);
    loop {
        let mut y = if cur == 0 {
            (now_ms() << 16) ^ (std::process::id() as u64) ^ 0x9E37_79B9_7F4A_7C15
        } else {
            cur
        };
        y ^= y >> 12;
        y ^= y << 25;
        y ^= y >> 27;
        match RNG.compare_exchange(cur, y, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return y.wrapping_mul(0x2545_F491_4F6C_DD1D),
            Err(actual) => cur = actual,
        }
    }
}

/// A random lowercase base36 string of `n` characters (OpenFlow's ids are 9 such characters).
pub fn random_id(n: usize) -> String {
    const A: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    (0..n)
        .map(|_| A[(rand_u64() % 36) as usize] as char)
        .collect()
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// `ms` since the Unix epoch as an ISO 8601 UTC time with milliseconds (as JavaScript's
/// `Date.toISOString`, which is how OpenFlow's dates look in JSON).
pub fn iso_time(ms: u64) -> String {
    let (secs, milli) = (ms / 1000, ms % 1000);
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{milli:03}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Base64url without padding.
pub fn b64url(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len() * 4 / 3 + 3);
    for c in bytes.chunks(3) {
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..=c.len() {
            out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// A stable 24-hex-digit id (shaped like a MongoDB ObjectId) derived from `s`.
pub fn object_id(s: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut h2: u64 = 0x8422_2325_cbf2_9ce4;
    for b in s.bytes() {
        h = (h ^ b as u64).wrapping_mul(0x100_0000_01b3);
        h2 = (h2 ^ b as u64).wrapping_mul(0x100_0000_01b3).rotate_left(5);
    }
    format!("{:016x}{:08x}", h, h2 as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn b64url_matches_known_values() {
        assert_eq!(b64url(b"{\"alg\":\"HS256\"}"), "eyJhbGciOiJIUzI1NiJ9");
        assert_eq!(b64url(b"f"), "Zg");
        assert_eq!(b64url(b"fo"), "Zm8");
        assert_eq!(b64url(b"foo"), "Zm9v");
    }
    #[test]
    fn ids_are_random_and_shaped() {
        let a = random_id(9);
        assert_eq!(a.len(), 9);
        assert_ne!(a, random_id(9));
        assert_eq!(object_id("x").len(), 24);
        assert_eq!(object_id("x"), object_id("x"));
    }
    #[test]
    fn iso_times() {
        assert_eq!(iso_time(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_time(951_782_400_123), "2000-02-29T00:00:00.123Z");
        assert_eq!(iso_time(1_735_689_599_999), "2024-12-31T23:59:59.999Z");
    }
}
