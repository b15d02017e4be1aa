//! Percent-encoding (RFC 3986 §2.1): the one decoder for link governance, GA4 page locations
//! and the `utm_content` hot path, and the encoder of tracking links.
//!
//! [`PercentDecoder`] is a byte iterator: it decodes `%XX` (either case), keeps a malformed
//! escape (`%`, `%4`, `%zz`) as written, and turns `+` into a space when asked (query strings,
//! `application/x-www-form-urlencoded`). It allocates nothing, which is why the event-log parser
//! can compare a `utm_content` value against `cal-` while decoding it; [`percent_decode`]
//! collects it into a `String` (invalid UTF-8 replaced). Kept hand-written rather than the
//! `percent-encoding` crate: that crate has no `+`-as-space mode (it lives in
//! `form_urlencoded`, which splits whole query strings), and both callers need the same
//! streaming decoder.

/// Percent-decoding byte iterator; malformed escapes are kept literally.
#[derive(Debug, Clone)]
pub struct PercentDecoder<'a> {
    b: &'a [u8],
    i: usize,
    plus_is_space: bool,
}

impl<'a> PercentDecoder<'a> {
    /// Decode `b`; `plus_is_space` reads `+` as a space (query strings).
    pub fn new(b: &'a [u8], plus_is_space: bool) -> Self {
        PercentDecoder {
            b,
            i: 0,
            plus_is_space,
        }
    }
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

impl Iterator for PercentDecoder<'_> {
    type Item = u8;

    fn next(&mut self) -> Option<u8> {
        let b = *self.b.get(self.i)?;
        self.i += 1;
        match b {
            b'%' => {
                let hi = self.b.get(self.i).copied().and_then(hex);
                let lo = self.b.get(self.i + 1).copied().and_then(hex);
                match (hi, lo) {
                    (Some(h), Some(l)) => {
                        self.i += 2;
                        Some(h * 16 + l)
                    }
                    _ => Some(b'%'),
                }
            }
            b'+' if self.plus_is_space => Some(b' '),
            _ => Some(b),
        }
    }
}

/// Decode `%XX` escapes and `+` as space (a query-string value); malformed escapes are kept as
/// written, invalid UTF-8 is replaced.
pub fn percent_decode(s: &str) -> String {
    let bytes: Vec<u8> = PercentDecoder::new(s.as_bytes(), true).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Percent-encode everything but the unreserved characters (RFC 3986 §2.3).
pub fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for &b in value.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(char::from(b"0123456789ABCDEF"[usize::from(b >> 4)]));
            out.push(char::from(b"0123456789ABCDEF"[usize::from(b & 15)]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, plus_is_space: bool, expected: &[u8]) {
        let got: Vec<u8> = PercentDecoder::new(input.as_bytes(), plus_is_space).collect();
        assert_eq!(got, expected, "{input:?}");
    }

    #[test]
    fn decodes() {
        check("cal%2D42", false, b"cal-42");
        check("%63al", false, b"cal");
        check("a+b", true, b"a b");
        check("a+b", false, b"a+b");
        check("%", true, b"%");
        check("%4", true, b"%4");
        check("%zz1", true, b"%zz1");
        check("%e9%E9", true, &[0xe9, 0xe9]);
        check("", true, b"");
        assert_eq!(percent_decode("caf%C3%A9+au+lait"), "café au lait");
        assert_eq!(percent_decode("%FF"), "\u{fffd}");
    }

    #[test]
    fn encodes_and_round_trips() {
        assert_eq!(percent_encode("Spring sale/2025"), "Spring%20sale%2F2025");
        for s in ["café au lait", "a+b=c&d", "~-._", "100%"] {
            assert_eq!(percent_decode(&percent_encode(s)), s);
        }
    }
}
