//! A fast RFC 4180 record reader over `&[u8]`: delimiter sniffing, quoting, CRLF/LF, BOM, lines.
//!
//! The reader never allocates per field. A record is a list of [`Span`]s into the input; a field
//! is materialised by [`Record::field`] as a `Cow<[u8]>` that borrows the input unless the field
//! is quoted *and* contains an escaped quote (`""`) or text after its closing quote.
//!
//! Dialect:
//! - fields are separated by one delimiter byte (`,`, `;`, tab, … see [`Delimiter`]);
//! - records end at `\n`; a `\r` right before it is dropped (CRLF); a final record may lack it;
//! - a field that starts with `"` (after optional spaces) is quoted: delimiters and newlines inside
//!   it are data, `""` is one `"`. Text after the closing quote is kept (as Python's `csv` does);
//!   a `"` in the middle of an unquoted field is an ordinary character;
//! - a UTF-8 byte order mark at the start is skipped;
//! - [`Record::line`] is the 1-based physical line on which the record starts, counting the
//!   newlines inside quoted fields of earlier records.
//!
//! Speed: records without any `"` take a fast path that finds delimiters and newlines eight bytes
//! at a time (SWAR: exact per-byte matching with plain `u64` arithmetic, portable to wasm32),
//! in a tight loop over the record's words with no scanner state kept between records.
//! A record containing a quote is re-read from its start by a byte-at-a-time state machine.

use std::borrow::Cow;

/// A field delimiter: any ASCII byte except `"`, `\r`, `\n` and NUL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Delimiter(u8);

impl Delimiter {
    pub const COMMA: Delimiter = Delimiter(b',');
    pub const SEMICOLON: Delimiter = Delimiter(b';');
    pub const TAB: Delimiter = Delimiter(b'\t');
    pub const PIPE: Delimiter = Delimiter(b'|');

    /// The candidates [`sniff_delimiter`] chooses from, in tie-break order.
    pub const SNIFFED: [Delimiter; 3] = [Delimiter::COMMA, Delimiter::SEMICOLON, Delimiter::TAB];

    /// A delimiter from a byte; `None` for non-ASCII bytes, NUL, `"`, `\r` and `\n`.
    pub fn new(byte: u8) -> Option<Delimiter> {
        if byte.is_ascii() && !matches!(byte, 0 | b'"' | b'\r' | b'\n') {
            Some(Delimiter(byte))
        } else {
            None
        }
    }

    /// A delimiter from a character (see [`Delimiter::new`]).
    pub fn from_char(c: char) -> Option<Delimiter> {
        u8::try_from(c).ok().and_then(Delimiter::new)
    }

    pub fn byte(self) -> u8 {
        self.0
    }

    pub fn as_char(self) -> char {
        char::from(self.0)
    }
}

impl Default for Delimiter {
    fn default() -> Self {
        Delimiter::COMMA
    }
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// `input` without a leading UTF-8 byte order mark.
pub fn strip_bom(input: &[u8]) -> &[u8] {
    input.strip_prefix(BOM).unwrap_or(input)
}

/// Guess the delimiter among `,` `;` and tab from the first lines (quote-aware).
///
/// Each candidate is counted outside quotes on up to 20 non-blank lines of the first 64 KiB.
/// A candidate that occurs on the header line and the same number of times on every sampled data
/// line wins over one that does not; then the larger count on the header wins; then the order
/// `,` `;` tab. When no candidate occurs on the header line (a one-column file) the answer is `,`.
pub fn sniff_delimiter(input: &[u8]) -> Delimiter {
    const MAX_LINES: usize = 20;
    const MAX_BYTES: usize = 64 * 1024;
    let input = strip_bom(input);
    let sample = input.get(..MAX_BYTES).unwrap_or(input);
    let complete = sample.len() == input.len();
    let mut lines: Vec<[usize; 3]> = Vec::new();
    let mut counts = [0usize; 3];
    let mut in_quotes = false;
    let mut non_blank = false;
    let mut ended_cleanly = true;
    for &b in sample {
        ended_cleanly = false;
        if b == b'"' {
            in_quotes = !in_quotes;
            non_blank = true;
        } else if in_quotes {
            continue;
        } else if b == b'\n' {
            if non_blank {
                lines.push(counts);
                if lines.len() >= MAX_LINES {
                    break;
                }
            }
            counts = [0; 3];
            non_blank = false;
            ended_cleanly = true;
        } else {
            for (count, d) in counts.iter_mut().zip(Delimiter::SNIFFED) {
                if b == d.0 {
                    *count += 1;
                }
            }
            if !b.is_ascii_whitespace() {
                non_blank = true;
            }
        }
    }
    // A last line cut by the sample limit says nothing about consistency.
    if non_blank && !ended_cleanly && complete && !in_quotes {
        lines.push(counts);
    }
    let Some((header, data)) = lines.split_first() else {
        return Delimiter::COMMA;
    };
    let mut best: Option<(bool, usize, usize)> = None; // (consistent, header count, index)
    for i in 0..Delimiter::SNIFFED.len() {
        let h = header.get(i).copied().unwrap_or(0);
        if h == 0 {
            continue;
        }
        let consistent = data.iter().all(|l| l.get(i).copied() == Some(h));
        let better = match best {
            None => true,
            Some((bc, bh, _)) => (consistent, h) > (bc, bh),
        };
        if better {
            best = Some((consistent, h, i));
        }
    }
    best.and_then(|(_, _, i)| Delimiter::SNIFFED.get(i).copied())
        .unwrap_or(Delimiter::COMMA)
}

/// Where one field lies in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    /// The field is quoted: [`Record::field`] must strip the quotes and undo `""`.
    pub quoted: bool,
}

/// One record: field spans into the input plus where it starts. Reused between reads.
#[derive(Debug, Clone, Default)]
pub struct Record<'a> {
    buf: &'a [u8],
    spans: Vec<Span>,
    line: u64,
    unterminated: bool,
}

impl<'a> Record<'a> {
    pub fn new() -> Self {
        Record {
            buf: &[],
            spans: Vec::with_capacity(16),
            line: 0,
            unterminated: false,
        }
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether the record has no fields (never true for a record returned by the reader).
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// 1-based physical line on which the record starts.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The record's last quoted field was never closed: it ran to the end of the input.
    pub fn unterminated(&self) -> bool {
        self.unterminated
    }

    pub fn spans(&self) -> &[Span] {
        &self.spans
    }

    /// Bytes from the start of the first field to the end of the last (quotes included, the
    /// newline not): what [`super::MAX_RECORD_BYTES`] is compared with.
    pub fn byte_len(&self) -> usize {
        match (self.spans.first(), self.spans.last()) {
            (Some(a), Some(b)) => b.end.saturating_sub(a.start),
            _ => 0,
        }
    }

    /// The raw bytes of field `i` (quotes not removed).
    #[inline]
    pub fn raw(&self, i: usize) -> Option<&'a [u8]> {
        let s = self.spans.get(i)?;
        self.buf.get(s.start..s.end)
    }

    /// The value of field `i`, unquoted and unescaped.
    #[inline]
    pub fn field(&self, i: usize) -> Option<Cow<'a, [u8]>> {
        let s = *self.spans.get(i)?;
        let raw = self.buf.get(s.start..s.end)?;
        Some(if s.quoted {
            unquote(raw)
        } else {
            Cow::Borrowed(raw)
        })
    }

    /// All fields, unquoted.
    pub fn fields(&self) -> impl Iterator<Item = Cow<'a, [u8]>> + '_ {
        (0..self.spans.len()).map(|i| self.field(i).unwrap_or(Cow::Borrowed(&[])))
    }

    /// A blank line: one field whose value is empty or whitespace.
    pub fn is_blank(&self) -> bool {
        self.spans.len() == 1
            && self
                .field(0)
                .is_none_or(|f| f.iter().all(u8::is_ascii_whitespace))
    }
}

/// Strip the quotes of a quoted field's raw bytes and undo `""`. Text after the closing quote is
/// appended (trailing whitespace there is dropped). Borrows when nothing needs rewriting.
fn unquote(raw: &[u8]) -> Cow<'_, [u8]> {
    let lead = raw.iter().take_while(|&&b| b == b' ' || b == b'\t').count();
    let Some(inner) = raw.get(lead + 1..) else {
        return Cow::Borrowed(raw);
    };
    let mut owned: Option<Vec<u8>> = None;
    let mut seg = 0;
    let mut i = 0;
    while let Some(&b) = inner.get(i) {
        if b != b'"' {
            i += 1;
            continue;
        }
        if inner.get(i + 1) == Some(&b'"') {
            let out = owned.get_or_insert_with(|| Vec::with_capacity(inner.len()));
            out.extend_from_slice(inner.get(seg..=i).unwrap_or(&[]));
            i += 2;
            seg = i;
            continue;
        }
        // Closing quote.
        let content = inner.get(seg..i).unwrap_or(&[]);
        let rest = inner.get(i + 1..).unwrap_or(&[]).trim_ascii_end();
        return match owned {
            None if rest.is_empty() => Cow::Borrowed(content),
            None => {
                let mut out = Vec::with_capacity(content.len() + rest.len());
                out.extend_from_slice(content);
                out.extend_from_slice(rest);
                Cow::Owned(out)
            }
            Some(mut out) => {
                out.extend_from_slice(content);
                out.extend_from_slice(rest);
                Cow::Owned(out)
            }
        };
    }
    // Unterminated: everything after the opening quote.
    let content = inner.get(seg..).unwrap_or(&[]);
    match owned {
        None => Cow::Borrowed(content),
        Some(mut out) => {
            out.extend_from_slice(content);
            Cow::Owned(out)
        }
    }
}

const LO7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
const HI: u64 = 0x8080_8080_8080_8080;
const ONES: u64 = 0x0101_0101_0101_0101;

/// High bit of byte k set iff byte k of `x` is zero (exact, no false positives).
#[inline(always)]
fn nonzero_bytes(x: u64) -> u64 {
    // High bit set iff the byte is nonzero.
    ((x & LO7).wrapping_add(LO7)) | x
}

/// The special bytes of a word: delimiters, newlines and quotes (one high bit per byte).
#[inline(always)]
fn classify(x: u64, splat_delim: u64) -> (u64, u64, u64) {
    let d = !nonzero_bytes(x ^ splat_delim) & HI;
    let n = !nonzero_bytes(x ^ (ONES * u64::from(b'\n'))) & HI;
    let q = !nonzero_bytes(x ^ (ONES * u64::from(b'"'))) & HI;
    (d, n, q)
}

/// Reads records one after the other. See the module documentation for the dialect.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    delim: u8,
    pos: usize,
    line: u64,
    splat_delim: u64,
}

impl<'a> Reader<'a> {
    /// A reader over `input` (a leading BOM is skipped).
    pub fn new(input: &'a [u8], delimiter: Delimiter) -> Self {
        let start = if input.starts_with(BOM) { BOM.len() } else { 0 };
        Reader {
            buf: input,
            delim: delimiter.0,
            pos: start,
            line: 1,
            splat_delim: ONES.wrapping_mul(u64::from(delimiter.0)),
        }
    }

    /// A reader over `input` from byte `pos` (a record start), counting lines from 1 there.
    pub fn at(input: &'a [u8], delimiter: Delimiter, pos: usize) -> Self {
        Reader {
            pos: pos.min(input.len()),
            ..Reader::new(input, delimiter)
        }
    }

    /// Byte offset of the next record.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// The line on which the next record starts.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The eight bytes at `i`, zero-padded past the end (NUL is never a special byte).
    #[inline(always)]
    fn word_at(&self, i: usize) -> u64 {
        match self.buf.get(i..i.saturating_add(8)) {
            Some(s) => s.try_into().map_or(0, u64::from_le_bytes),
            None => {
                let mut a = [0u8; 8];
                for (d, s) in a.iter_mut().zip(self.buf.get(i..).unwrap_or(&[])) {
                    *d = *s;
                }
                u64::from_le_bytes(a)
            }
        }
    }

    /// Read the next record that is not blank (skipping empty lines); `false` at the end.
    pub fn read_non_blank(&mut self, rec: &mut Record<'a>) -> bool {
        while self.read(rec) {
            if !rec.is_blank() {
                return true;
            }
        }
        false
    }

    /// Read the next record into `rec`; `false` at the end of the input.
    ///
    /// Scans eight bytes at a time from the record's start: every delimiter before the first
    /// newline ends a field; a quote before it sends the record to the byte-at-a-time path.
    #[inline]
    pub fn read(&mut self, rec: &mut Record<'a>) -> bool {
        rec.buf = self.buf;
        rec.spans.clear();
        rec.unterminated = false;
        let start = self.pos;
        let len = self.buf.len();
        if start >= len {
            return false;
        }
        rec.line = self.line;
        let mut field_start = start;
        let mut i = start;
        loop {
            let (mut d, n, q) = classify(self.word_at(i), self.splat_delim);
            if n != 0 {
                // Only the bytes before the newline belong to this record.
                let before = (n & n.wrapping_neg()) - 1;
                if q & before != 0 {
                    return self.read_quoted(rec, start);
                }
                d &= before;
                while d != 0 {
                    let p = i + (d.trailing_zeros() / 8) as usize;
                    rec.spans.push(Span {
                        start: field_start,
                        end: p,
                        quoted: false,
                    });
                    field_start = p + 1;
                    d &= d - 1;
                }
                let p = i + (n.trailing_zeros() / 8) as usize;
                let end = if p > field_start && self.buf.get(p - 1) == Some(&b'\r') {
                    p - 1
                } else {
                    p
                };
                rec.spans.push(Span {
                    start: field_start,
                    end,
                    quoted: false,
                });
                self.pos = p + 1;
                self.line += 1;
                return true;
            }
            if q != 0 {
                return self.read_quoted(rec, start);
            }
            while d != 0 {
                let p = i + (d.trailing_zeros() / 8) as usize;
                rec.spans.push(Span {
                    start: field_start,
                    end: p,
                    quoted: false,
                });
                field_start = p + 1;
                d &= d - 1;
            }
            i += 8;
            if i >= len {
                rec.spans.push(Span {
                    start: field_start,
                    end: len,
                    quoted: false,
                });
                self.pos = len;
                return true;
            }
        }
    }

    /// The byte-at-a-time path for a record that contains a `"`.
    #[cold]
    fn read_quoted(&mut self, rec: &mut Record<'a>, start: usize) -> bool {
        rec.spans.clear();
        let buf = self.buf;
        let mut i = start;
        let mut field_start = start;
        let mut field_quoted = false;
        let mut at_field_start = true;
        let mut in_quotes = false;
        let mut inner_lines = 0u64;
        while let Some(&b) = buf.get(i) {
            if in_quotes {
                if b == b'"' {
                    if buf.get(i + 1) == Some(&b'"') {
                        i += 2;
                        continue;
                    }
                    in_quotes = false;
                } else if b == b'\n' {
                    inner_lines += 1;
                }
                i += 1;
                continue;
            }
            if b == self.delim {
                rec.spans.push(Span {
                    start: field_start,
                    end: i,
                    quoted: field_quoted,
                });
                field_start = i + 1;
                field_quoted = false;
                at_field_start = true;
            } else if b == b'\n' {
                let end = if i > field_start && buf.get(i - 1) == Some(&b'\r') {
                    i - 1
                } else {
                    i
                };
                rec.spans.push(Span {
                    start: field_start,
                    end,
                    quoted: field_quoted,
                });
                self.pos = i + 1;
                self.line += 1 + inner_lines;
                return true;
            } else if b == b'"' && at_field_start {
                in_quotes = true;
                field_quoted = true;
                at_field_start = false;
            } else if b != b' ' && b != b'\t' {
                at_field_start = false;
            }
            i += 1;
        }
        rec.spans.push(Span {
            start: field_start,
            end: buf.len(),
            quoted: field_quoted,
        });
        rec.unterminated = in_quotes;
        self.pos = buf.len();
        self.line += inner_lines;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(input: &[u8], d: Delimiter) -> Vec<(u64, Vec<String>, bool)> {
        let mut r = Reader::new(input, d);
        let mut rec = Record::new();
        let mut out = Vec::new();
        while r.read(&mut rec) {
            out.push((
                rec.line(),
                rec.fields()
                    .map(|f| String::from_utf8_lossy(&f).into_owned())
                    .collect(),
                rec.unterminated(),
            ));
        }
        out
    }

    #[test]
    fn swar_matches_exactly() {
        for b in 0u8..=255 {
            let x = u64::from_le_bytes([b, 0x80, b'a', b',', 0xff, 0x01, b'\n', b'"']);
            let m = !(nonzero_bytes(x ^ (ONES * u64::from(b',')))
                & nonzero_bytes(x ^ (ONES * u64::from(b'\n'))))
                & HI;
            let first = matches!(b, b',' | b'\n');
            assert_eq!(m & 0x80 != 0, first, "byte {b}");
            assert_eq!(m & !0xff, 0x0080_0000_8000_0000, "byte {b}");
        }
    }

    #[test]
    fn plain_and_crlf() {
        let out = records(b"a,b\r\nc,d\n\ne,f", Delimiter::COMMA);
        assert_eq!(
            out,
            vec![
                (1, vec!["a".into(), "b".into()], false),
                (2, vec!["c".into(), "d".into()], false),
                (3, vec!["".into()], false),
                (4, vec!["e".into(), "f".into()], false),
            ]
        );
    }

    #[test]
    fn quoted_fields_and_lines() {
        let out = records(
            b"\xEF\xBB\xBF\"a,1\",\"x\"\"y\"\r\n\"multi\nline\",z\nq\"uote,\"tail\"er\n\"open",
            Delimiter::COMMA,
        );
        assert_eq!(
            out,
            vec![
                (1, vec!["a,1".into(), "x\"y".into()], false),
                (2, vec!["multi\nline".into(), "z".into()], false),
                (4, vec!["q\"uote".into(), "tailer".into()], false),
                (5, vec!["open".into()], true),
            ]
        );
    }

    #[test]
    fn long_fields_cross_words() {
        let line = "abcdefghijklmnopqrstuvwxyz;0123456789012345678901234567890;x\n";
        let input = line.repeat(5);
        let out = records(input.as_bytes(), Delimiter::SEMICOLON);
        assert_eq!(out.len(), 5);
        assert_eq!(out[4].0, 5);
        assert_eq!(out[4].1[1], "0123456789012345678901234567890");
    }

    /// The fast path agrees with the byte-at-a-time state machine on every record.
    #[test]
    fn fast_path_matches_state_machine() {
        const ALPHABET: &[u8] = b"ab,,;\n\n\r\" \t\x00\xff";
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..20_000 {
            let len = (next() % 70) as usize;
            let input: Vec<u8> = (0..len)
                .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
                .collect();
            for d in [Delimiter::COMMA, Delimiter::SEMICOLON] {
                let mut fast = Reader::new(&input, d);
                let mut slow = Reader::new(&input, d);
                let (mut a, mut b) = (Record::new(), Record::new());
                loop {
                    let more = fast.read(&mut a);
                    let start = slow.pos;
                    let more_slow = start < input.len() && {
                        b.buf = slow.buf;
                        b.unterminated = false;
                        b.line = slow.line;
                        slow.read_quoted(&mut b, start)
                    };
                    assert_eq!(more, more_slow, "{input:?}");
                    if !more {
                        break;
                    }
                    assert_eq!(a.spans, b.spans, "{input:?}");
                    assert_eq!((a.line, a.unterminated), (b.line, b.unterminated));
                    assert_eq!((fast.pos, fast.line), (slow.pos, slow.line));
                }
            }
        }
    }

    #[test]
    fn sniffing() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1,2,3\n"), Delimiter::COMMA);
        assert_eq!(sniff_delimiter(b"a;b;c\n1;2,5;3\n"), Delimiter::SEMICOLON);
        assert_eq!(sniff_delimiter(b"a\tb\n1\t2\n"), Delimiter::TAB);
        assert_eq!(
            sniff_delimiter(b"\"a,b\";c\n\"1,2\";3"),
            Delimiter::SEMICOLON
        );
        assert_eq!(sniff_delimiter(b"path\n"), Delimiter::COMMA);
        assert_eq!(sniff_delimiter(b""), Delimiter::COMMA);
    }
}
