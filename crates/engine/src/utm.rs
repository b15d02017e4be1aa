//! `utm_content=cal-<id>` extraction: which calendar entry a touch came from.
//!
//! A calendar entry's links carry `utm_content=cal-<id>`, `<id>` being the entry's decimal id.
//! The rule, for a `utm_content` value:
//! - percent-escapes are decoded (`cal%2D42`), surrounding whitespace is ignored;
//! - the value must start with `cal-` in any case (`CAL-42`);
//! - the id is the run of decimal digits right after it (leading zeros allowed, at most
//!   `u64::MAX`), which must end the value or be followed by a character that is not a letter
//!   or digit (`cal-42`, `cal-42_banner` and `cal-42 ` give 42; `cal-42b` and `cal-` give nothing).
//!
//! In a URL the value is found in the query string (and, failing that, the fragment): pairs
//! split on `&` or `;`, keys compared case-insensitively to `utm_content` after decoding
//! (`%XX` escapes, `+` as space, by [`crate::percent`]'s streaming decoder, so the hot path
//! allocates nothing). The first `utm_content` that holds an id wins.

use crate::journey::EntryId;
use crate::percent::PercentDecoder;

/// The calendar entry id of a `utm_content` value (see the module documentation).
pub fn entry_id_from_content(s: &str) -> Option<EntryId> {
    entry_id_from_content_bytes(s.as_bytes())
}

/// [`entry_id_from_content`] over bytes. `+` is kept as is (only URLs use it for spaces).
pub fn entry_id_from_content_bytes(b: &[u8]) -> Option<EntryId> {
    // Fast reject: the shortest id is `cal-0` (5 bytes), or `c` + escapes.
    let t = b.trim_ascii();
    match t.first() {
        Some(b'c' | b'C') if !t.contains(&b'%') => id_from_plain(t),
        Some(b'c' | b'C' | b'%') => id_from_decoded(PercentDecoder::new(t, false)),
        _ => None,
    }
}

/// [`id_from_decoded`] for a trimmed value without escapes (decoding would not change it).
#[inline]
fn id_from_plain(t: &[u8]) -> Option<EntryId> {
    let (head, rest) = t.split_at_checked(4)?;
    if !head.eq_ignore_ascii_case(b"cal-") {
        return None;
    }
    digits_id(rest.iter().copied())
}

/// The calendar entry id in the `utm_content` parameter of a URL or bare query string.
pub fn entry_id_from_url(url: &str) -> Option<EntryId> {
    entry_id_from_url_bytes(url.as_bytes())
}

/// [`entry_id_from_url`] over bytes.
pub fn entry_id_from_url_bytes(url: &[u8]) -> Option<EntryId> {
    let url = url.trim_ascii();
    let hash = url.iter().position(|&b| b == b'#');
    let (before_hash, fragment) = match hash {
        Some(h) => (url.get(..h).unwrap_or(&[]), url.get(h + 1..).unwrap_or(&[])),
        None => (url, &[][..]),
    };
    let query = match before_hash.iter().position(|&b| b == b'?') {
        Some(q) => before_hash.get(q + 1..).unwrap_or(&[]),
        // A bare query string (`utm_source=x&utm_content=cal-1`), not a URL.
        None if !contains(before_hash, b"://") => before_hash,
        None => &[][..],
    };
    id_in_query(query).or_else(|| id_in_query(fragment))
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn id_in_query(query: &[u8]) -> Option<EntryId> {
    if query.is_empty() {
        return None;
    }
    query.split(|&b| b == b'&' || b == b';').find_map(|pair| {
        let eq = pair.iter().position(|&b| b == b'=')?;
        let key = pair.get(..eq)?;
        let value = pair.get(eq + 1..)?;
        if !key_is_utm_content(key) {
            return None;
        }
        id_from_decoded(PercentDecoder::new(value, true))
    })
}

fn key_is_utm_content(key: &[u8]) -> bool {
    const KEY: &[u8] = b"utm_content";
    let mut d = PercentDecoder::new(key, true).skip_while(|b| b.is_ascii_whitespace());
    let mut n = 0;
    for want in KEY {
        match d.next() {
            Some(got) if got.eq_ignore_ascii_case(want) => n += 1,
            _ => return false,
        }
    }
    n == KEY.len() && d.all(|b| b.is_ascii_whitespace())
}

/// `cal-<digits>` at the start of a decoded byte stream (leading whitespace skipped).
fn id_from_decoded(d: PercentDecoder<'_>) -> Option<EntryId> {
    let mut d = d.skip_while(|b| b.is_ascii_whitespace());
    for want in b"cal-" {
        if !d.next()?.eq_ignore_ascii_case(want) {
            return None;
        }
    }
    digits_id(d)
}

/// The id of the digits right after `cal-`: they must be followed by the end or a character
/// that is not a letter or digit.
#[inline]
fn digits_id(d: impl Iterator<Item = u8>) -> Option<EntryId> {
    let mut id: u64 = 0;
    let mut digits = 0;
    for b in d {
        if b.is_ascii_digit() {
            id = id.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
            digits += 1;
        } else if digits == 0 || b.is_ascii_alphanumeric() {
            return None;
        } else {
            break;
        }
    }
    (digits > 0).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_values() {
        assert_eq!(entry_id_from_content("cal-42"), Some(42));
        assert_eq!(entry_id_from_content("  CAL-007 "), Some(7));
        assert_eq!(entry_id_from_content("cal%2D42"), Some(42));
        assert_eq!(entry_id_from_content("%63al-5"), Some(5));
        assert_eq!(entry_id_from_content("cal-42_banner"), Some(42));
        assert_eq!(entry_id_from_content("cal-42b"), None);
        assert_eq!(entry_id_from_content("cal-"), None);
        assert_eq!(entry_id_from_content("cal-x1"), None);
        assert_eq!(entry_id_from_content("banner"), None);
        assert_eq!(entry_id_from_content("xcal-1"), None);
        assert_eq!(entry_id_from_content("cal-99999999999999999999"), None);
        assert_eq!(entry_id_from_content(""), None);
    }

    #[test]
    fn plain_path_matches_decoder() {
        let cases = [
            "cal-42",
            "CAL-007",
            "cAl-1_x",
            "cal-42b",
            "cal-",
            "cal",
            "c",
            "cal-x1",
            "cal-1 2",
            "cal-99999999999999999999",
            "cal-18446744073709551615",
            "cal-18446744073709551616",
            "cal-3+",
            "cal-4\u{e9}",
            "cal -1",
            "calx1",
            "cal-0",
            "cal-00",
            "cal-5\t",
        ];
        for c in cases {
            let t = c.as_bytes();
            assert_eq!(
                id_from_plain(t),
                id_from_decoded(PercentDecoder::new(t, false)),
                "{c:?}"
            );
        }
    }

    #[test]
    fn urls() {
        assert_eq!(
            entry_id_from_url("https://x.io/p?utm_source=nl&utm_content=cal-12&x=1"),
            Some(12)
        );
        assert_eq!(
            entry_id_from_url("https://x.io/?UTM_Content=cal%2d9"),
            Some(9)
        );
        assert_eq!(
            entry_id_from_url("https://x.io/?utm%5Fcontent=+cal-3"),
            Some(3)
        );
        assert_eq!(
            entry_id_from_url("/p?utm_content=banner&utm_content=cal-4"),
            Some(4)
        );
        assert_eq!(
            entry_id_from_url("https://x.io/#utm_content=cal-8"),
            Some(8)
        );
        assert_eq!(entry_id_from_url("utm_content=cal-5"), Some(5));
        assert_eq!(entry_id_from_url("https://x.io/cal-5"), None);
        assert_eq!(entry_id_from_url("https://x.io/?utm_contents=cal-5"), None);
        assert_eq!(entry_id_from_url("?utm_content"), None);
    }
}
