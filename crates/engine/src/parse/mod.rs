//! Parsers: bytes in, typed values or typed errors out; plus the error and report types they share.
//!
//! | module | what lives there |
//! |---|---|
//! | [`csv`] | the RFC 4180 record reader (zero-copy fields, delimiter sniffing, exact line numbers) |
//! | [`timestamp`] | ISO 8601 / date / epoch timestamps → unix milliseconds, and formatting |
//! | [`events`] | event-log CSV → [`EventLog`] (one row per touch or conversion) |
//! | [`paths`] | aggregated path tables (`path, total_conversions, …`) → [`PathTable`] |
//!
//! Errors come in two kinds. A [`ParseError`] is fatal: no usable header, a required column is
//! missing. A [`RowError`] rejects one data row (physical line, column, [`RowReason`]); the other
//! rows still count. Every parser returns a [`ParseReport`]: accepted and rejected row counts,
//! the first rejections (capped, default [`DEFAULT_MAX_STORED_REJECTIONS`]) and which header
//! was used for which [`Field`]. Blank lines are skipped and are not data rows.
//!
//! Header names are matched after normalising: trimmed, lower-cased, spaces, `-` and `.` turned
//! into `_` (`"User ID"` → `user_id`). Each field has an ordered list of synonyms
//! ([`Field::synonyms`]); the earliest synonym present wins, and one column serves one field
//! (except that a source column doubles as the channel when there is no channel column).
//!
//! # Limits
//! Input controls how much the parsers and everything after them hold, so each such resource
//! has a limit with a worded error rather than an exhausted tab:
//!
//! | limit | default | exceeded → |
//! |---|---|---|
//! | [`DEFAULT_MAX_CHANNELS`] distinct channels (event log, path table; configurable in the options) | 1,000 | [`ParseError::TooManyChannels`] |
//! | [`DEFAULT_MAX_PATH_STEPS`] channels in one path-table row (configurable) | 1,000 | the row is rejected: [`RowReason::PathTooLong`] |
//! | [`MAX_RECORD_BYTES`] bytes in one CSV record | 1 MiB | the row is rejected: [`RowReason::RecordTooLong`] |
//! | [`DEFAULT_MAX_STORED_REJECTIONS`] rejected rows kept in detail (the count is complete) | 1,000 | later rejections are only counted |
//!
//! Referral spam is the usual way to reach the channel limit: every spam domain becomes a source,
//! and a source column serves as the channel when there is no channel column.
//!
//! Text values (channel, campaign, source, medium names) are UTF-8; a value that is not valid
//! UTF-8 is read as Latin-1 (Windows exports), so it never fails.

pub mod csv;
pub mod events;
mod intern;
pub mod paths;
pub mod timestamp;

pub use csv::{sniff_delimiter, Delimiter};
pub use events::{
    parse_event_log, parse_event_log_split, Event, EventKind, EventLog, EventLogOptions, TouchKey,
};
pub use paths::{parse_path_table, PathTable, PathTableOptions};
pub use timestamp::{parse_timestamp, TimestampError};

use crate::number::{parse_decimal_bytes, DecimalMark, NumberConvention};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use thiserror::Error;

/// How many [`RowError`]s a [`ParseReport`] keeps by default (the count is always complete).
pub const DEFAULT_MAX_STORED_REJECTIONS: usize = 1000;

/// How many distinct channels a parse accepts by default; more ends it with
/// [`ParseError::TooManyChannels`]. Attribution over thousands of channels is unreadable and the
/// data-driven models grow with the channel count; such data usually holds referral spam.
pub const DEFAULT_MAX_CHANNELS: usize = 1000;

/// How many channels one path-table row may list by default; a longer path rejects its row
/// ([`RowReason::PathTooLong`]).
pub const DEFAULT_MAX_PATH_STEPS: usize = 1000;

/// The longest CSV record (bytes from its first field to the end of its last) a parser reads; a
/// longer one rejects its row ([`RowReason::RecordTooLong`]). No real export has a 1 MiB row.
pub const MAX_RECORD_BYTES: usize = 1 << 20;

/// A column the parsers look for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    // Event logs.
    User,
    Timestamp,
    Channel,
    Source,
    Medium,
    Campaign,
    LandingUrl,
    UtmContent,
    Cost,
    Revenue,
    ConversionFlag,
    EventType,
    // Path tables.
    Path,
    Conversions,
    ConversionValue,
    Nulls,
    /// The calendar entry of each step of a path (the companion column of [`paths`]).
    PathEntries,
}

impl Field {
    /// A stable snake_case name.
    pub fn key(self) -> &'static str {
        match self {
            Field::User => "user",
            Field::Timestamp => "timestamp",
            Field::Channel => "channel",
            Field::Source => "source",
            Field::Medium => "medium",
            Field::Campaign => "campaign",
            Field::LandingUrl => "landing_url",
            Field::UtmContent => "utm_content",
            Field::Cost => "cost",
            Field::Revenue => "revenue",
            Field::ConversionFlag => "conversion_flag",
            Field::EventType => "event_type",
            Field::Path => "path",
            Field::Conversions => "total_conversions",
            Field::ConversionValue => "total_conversion_value",
            Field::Nulls => "total_null",
            Field::PathEntries => "path_entries",
        }
    }

    /// Normalised header names that mean this field, in order of preference.
    pub fn synonyms(self) -> &'static [&'static str] {
        match self {
            // GA4's `user_pseudo_id` / client id before `user_id`: in GA4 exports the latter is
            // set only for signed-in users, the former on every row.
            Field::User => &[
                "user_pseudo_id",
                "client_id",
                "clientid",
                "user_id",
                "user",
                "userid",
                "customer_id",
                "customer",
                "visitor_id",
                "visitor",
                "fullvisitorid",
                "anonymous_id",
                "distinct_id",
                "person_id",
                "cookie_id",
            ],
            Field::Timestamp => &[
                "timestamp",
                "event_timestamp",
                "datetime",
                "date_time",
                "event_time",
                "time",
                "ts",
                "event_datetime",
                "created_at",
                "date",
                "event_date",
            ],
            Field::Channel => &[
                "channel",
                "channel_name",
                "marketing_channel",
                "channel_group",
                "channel_grouping",
                "default_channel_group",
                "session_default_channel_group",
                "first_user_default_channel_group",
                // `google / cpc` in one column (DP6's layout, GA4's `sessionSourceMedium`).
                "source_medium",
                "session_source_medium",
            ],
            Field::Source => &[
                "source",
                "utm_source",
                "traffic_source",
                "session_source",
                "traffic_source_source",
            ],
            Field::Medium => &[
                "medium",
                "utm_medium",
                "traffic_medium",
                "session_medium",
                "traffic_source_medium",
            ],
            Field::Campaign => &[
                "campaign",
                "utm_campaign",
                "campaign_name",
                "session_campaign",
                "traffic_source_name",
            ],
            Field::LandingUrl => &[
                "landing_url",
                "url",
                "page_location",
                "landing_page",
                "landing_page_url",
                "page_url",
            ],
            Field::UtmContent => &["utm_content", "content", "ad_content"],
            Field::Cost => &["cost", "spend", "ad_spend", "cost_usd"],
            Field::Revenue => &[
                "revenue",
                "value",
                "conversion_value",
                "revenue_usd",
                "purchase_revenue",
                "purchase_revenue_in_usd",
                "event_value_in_usd",
            ],
            Field::ConversionFlag => &[
                "conversion",
                "converted",
                "is_conversion",
                "conversion_flag",
                "is_converted",
                "is_conversion_purchase",
            ],
            Field::EventType => &["event", "event_type", "type", "event_name", "action"],
            Field::Path => &["path", "paths", "journey", "channel_path", "touchpoints"],
            Field::Conversions => &[
                "total_conversions",
                "conversions",
                "total_conversion",
                "conversion",
                "conv",
            ],
            Field::ConversionValue => &[
                "total_conversion_value",
                "conversion_value",
                "total_value",
                "value",
                "total_revenue",
                "revenue",
            ],
            Field::Nulls => &[
                "total_null",
                "total_nulls",
                "nulls",
                "null",
                "non_conversions",
                "total_non_conversions",
            ],
            Field::PathEntries => &["path_entries", "entry_path", "calendar_entries"],
        }
    }
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

/// Which header (and column index, 0-based) was used for a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnMatch {
    pub field: Field,
    pub header: String,
    pub index: usize,
}

/// Why one data row was rejected.
#[derive(Debug, Clone, PartialEq, Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RowReason {
    #[error("expected {expected} fields like the header, found {found}")]
    FieldCount { expected: usize, found: usize },
    #[error("a quoted field is never closed (it runs to the end of the file)")]
    UnterminatedQuote,
    #[error("empty value")]
    Empty,
    #[error("cannot read {value:?} as a timestamp: {error}")]
    Timestamp {
        value: String,
        error: TimestampError,
    },
    #[error("{value:?} is not a number")]
    NotANumber { value: String },
    #[error("{value:?} is negative")]
    Negative { value: String },
    #[error("{value:?} is not a yes/no flag (use 1/0, true/false, yes/no)")]
    BadFlag { value: String },
    #[error("the path is empty but the row has {conversions} conversions")]
    EmptyPathWithConversions { conversions: f64 },
    #[error("channel {position} of the path is empty")]
    EmptyPathStep { position: usize },
    #[error("the path has {steps} channels but its entries list {entries}; give one entry (or an empty step) per channel")]
    EntryCount { steps: usize, entries: usize },
    #[error("entry {position} of the path is {value:?}, not a calendar entry number (the digits of cal-<id>)")]
    BadEntry { position: usize, value: String },
    #[error("the row is {bytes} bytes long, over the limit of {max} bytes by {}; a row this long is not an export (check the delimiter and the quotes)", .bytes.saturating_sub(*.max))]
    RecordTooLong { bytes: usize, max: usize },
    #[error("the path has {steps} channels, over the limit of {max} by {}; split or shorten such paths before import", .steps.saturating_sub(*.max))]
    PathTooLong { steps: usize, max: usize },
}

/// One rejected data row.
#[derive(Debug, Clone, PartialEq, Error, Serialize, Deserialize)]
#[error("line {line}{}: {reason}", column.as_deref().map(|c| format!(", column {c:?}")).unwrap_or_default())]
pub struct RowError {
    /// 1-based physical line on which the row starts.
    pub line: u64,
    /// The header of the offending column; `None` for whole-row problems (field count, quotes).
    pub column: Option<String>,
    pub reason: RowReason,
}

/// What a parser accepted and rejected.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ParseReport {
    /// The delimiter used (given or sniffed).
    pub delimiter: char,
    /// Data rows turned into data.
    pub accepted: usize,
    /// Data rows rejected (all of them, also those beyond the stored list).
    pub rejected_count: usize,
    /// The first rejected rows, in file order (at most the configured cap).
    pub rejected: Vec<RowError>,
    /// The header used for each field found, in [`Field`] order.
    pub columns: Vec<ColumnMatch>,
}

impl ParseReport {
    /// Non-blank rows after the header.
    pub fn data_rows(&self) -> usize {
        self.accepted + self.rejected_count
    }

    /// The header used for `field`, if any.
    pub fn column(&self, field: Field) -> Option<&ColumnMatch> {
        self.columns.iter().find(|c| c.field == field)
    }
}

/// A problem that makes the whole input unusable.
#[derive(Debug, Clone, PartialEq, Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ParseError {
    #[error("the input is empty: no header row")]
    NoHeader,
    #[error("missing column{}: {}; headers found: {}",
        if .missing.len() == 1 { "" } else { "s" },
        .missing.iter().map(|f| describe_field(*f)).collect::<Vec<_>>().join("; "),
        headers_found(.found))]
    MissingColumns {
        missing: Vec<Field>,
        found: Vec<String>,
    },
    #[error("column {header:?} given for {field} is not in the header")]
    UnknownColumn { field: Field, header: String },
    #[error("the path separator is empty")]
    EmptyPathSeparator,
    #[error("more than {max} distinct users")]
    TooManyUsers { max: u64 },
    #[error("{found} distinct channels, over the limit of {max} by {}; group rare sources into one channel (referral spam often causes this), or raise the channel limit in the import options", .found.saturating_sub(*.max))]
    TooManyChannels { found: usize, max: usize },
    #[error(
        "more than 4 billion distinct combinations of channel, campaign, source, medium and entry"
    )]
    TooManyTouchKeys,
}

/// The headers of a file for an error message: each quoted and cut to 60 characters, at most
/// [`MAX_HEADERS_SHOWN`] of them, `none` for none. A hostile header (a 2 MB line) stays short.
pub fn headers_found(found: &[String]) -> String {
    if found.is_empty() {
        return "none".to_owned();
    }
    let mut out: Vec<String> = found
        .iter()
        .take(MAX_HEADERS_SHOWN)
        .map(|h| format!("{:?}", snippet(h.as_bytes())))
        .collect();
    if found.len() > MAX_HEADERS_SHOWN {
        out.push(format!("and {} more", found.len() - MAX_HEADERS_SHOWN));
    }
    out.join(", ")
}

/// How many headers an error message lists.
pub const MAX_HEADERS_SHOWN: usize = 40;

fn describe_field(f: Field) -> String {
    let names = |fs: &[&str]| fs.join(", ");
    match f {
        Field::Channel => format!(
            "channel (a channel column: {}; or a source column: {})",
            names(Field::Channel.synonyms()),
            names(Field::Source.synonyms())
        ),
        _ => format!("{} (one of: {})", f.key(), names(f.synonyms())),
    }
}

/// Normalise a header: trimmed, lower-case, spaces, `-` and `.` as `_`.
pub(crate) fn normalize_header(raw: &[u8]) -> String {
    decode_text(raw.trim_ascii())
        .chars()
        .filter(|&c| c != '\u{feff}')
        .map(|c| match c {
            ' ' | '-' | '.' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// UTF-8 text, or Latin-1 when the bytes are not valid UTF-8.
pub(crate) fn decode_text(b: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(b) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(b.iter().map(|&c| char::from(c)).collect()),
    }
}

/// A short printable excerpt of a value for error messages.
pub(crate) fn snippet(b: &[u8]) -> String {
    const MAX: usize = 60;
    let s = decode_text(b);
    if s.chars().count() <= MAX {
        s.into_owned()
    } else {
        let mut out: String = s.chars().take(MAX).collect();
        out.push('…');
        out
    }
}

/// Header lookup: for each wanted field, the column of its earliest synonym not already taken.
pub(crate) struct HeaderMap {
    pub raw: Vec<String>,
    pub norm: Vec<String>,
    taken: Vec<bool>,
    pub found: Vec<ColumnMatch>,
}

impl HeaderMap {
    pub fn new(headers: Vec<String>) -> Self {
        let norm = headers
            .iter()
            .map(|h| normalize_header(h.as_bytes()))
            .collect();
        HeaderMap {
            taken: vec![false; headers.len()],
            raw: headers,
            norm,
            found: Vec::new(),
        }
    }

    /// Find `field` by an explicit header name (compared after normalising) or its synonyms.
    pub fn find(
        &mut self,
        field: Field,
        overrides: &[(Field, String)],
    ) -> Result<Option<usize>, ParseError> {
        let idx = if let Some((_, name)) = overrides.iter().find(|(f, _)| *f == field) {
            let want = normalize_header(name.as_bytes());
            match self.norm.iter().position(|h| *h == want) {
                Some(i) => Some(i),
                None => {
                    return Err(ParseError::UnknownColumn {
                        field,
                        header: name.clone(),
                    })
                }
            }
        } else {
            field.synonyms().iter().find_map(|syn| {
                self.norm
                    .iter()
                    .zip(&self.taken)
                    .position(|(h, &t)| !t && h == syn)
            })
        };
        if let Some(i) = idx {
            self.claim(field, i);
        }
        Ok(idx)
    }

    /// Record that column `i` serves `field`.
    pub fn claim(&mut self, field: Field, i: usize) {
        if let Some(t) = self.taken.get_mut(i) {
            *t = true;
        }
        self.found.push(ColumnMatch {
            field,
            header: self.raw.get(i).cloned().unwrap_or_default(),
            index: i,
        });
    }

    pub fn name(&self, i: usize) -> Option<&str> {
        self.raw.get(i).map(String::as_str)
    }

    pub fn into_columns(mut self) -> Vec<ColumnMatch> {
        self.found.sort_by_key(|c| c.field);
        self.found
    }
}

/// Collects rejections: the full count, the first `cap` in detail.
pub(crate) struct Rejections {
    cap: usize,
    pub count: usize,
    pub list: Vec<RowError>,
}

impl Rejections {
    pub fn new(cap: usize) -> Self {
        Rejections {
            cap,
            count: 0,
            list: Vec::new(),
        }
    }

    /// Reject the row at `line`; `reason` is only built while the list has room.
    #[cold]
    pub fn push(&mut self, line: u64, column: Option<&str>, reason: impl FnOnce() -> RowReason) {
        self.count += 1;
        if self.list.len() < self.cap {
            self.list.push(RowError {
                line,
                column: column.map(str::to_owned),
                reason: reason(),
            });
        }
    }
}

/// A fast hasher for byte-string keys (user ids, names). `FxHasher` mixes similar short byte
/// strings (`U0000001`, `U0000002`, …) poorly enough to cause long probe chains; this one folds
/// each 8-byte word in with a 64×64→128-bit multiply (both halves xored), which avalanches well.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct BytesHasher {
    h: u64,
}

const MIX_K: u64 = 0x9E37_79B9_7F4A_7C15;
const MIX_K2: u64 = 0xD6E8_FEB8_6659_FD93;

#[inline(always)]
fn fold_mul(a: u64, b: u64) -> u64 {
    let r = u128::from(a) * u128::from(b);
    (r as u64) ^ ((r >> 64) as u64)
}

impl std::hash::Hasher for BytesHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut h = self.h;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = c.try_into().map_or(0, u64::from_le_bytes);
            h = fold_mul(h ^ w, MIX_K);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut a = [0u8; 8];
            for (d, s) in a.iter_mut().zip(rest) {
                *d = *s;
            }
            h = fold_mul(h ^ u64::from_le_bytes(a), MIX_K2);
        }
        self.h = h;
    }

    #[inline]
    fn write_u8(&mut self, n: u8) {
        self.write_u64(u64::from(n));
    }

    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.h = fold_mul(self.h ^ n, MIX_K);
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        fold_mul(self.h, MIX_K2)
    }
}

/// A hash map keyed by byte strings (or tuples of them), hashed with [`BytesHasher`].
pub(crate) type BytesMap<K, V> =
    std::collections::HashMap<K, V, std::hash::BuildHasherDefault<BytesHasher>>;

/// Why an amount could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AmountError {
    NotANumber,
    Negative,
}

impl AmountError {
    pub fn reason(self, raw: &[u8]) -> RowReason {
        let value = snippet(raw.trim_ascii());
        match self {
            AmountError::NotANumber => RowReason::NotANumber { value },
            AmountError::Negative => RowReason::Negative { value },
        }
    }
}

/// A non-negative finite amount, a bare number read with [`crate::number`] (no currency sign,
/// no `%`); empty means 0. The event log and the path table call this for every amount:
/// [`parse_decimal_bytes`] keeps the fast path.
pub(crate) fn parse_amount(raw: &[u8], convention: NumberConvention) -> Result<f64, AmountError> {
    if raw.trim_ascii().is_empty() {
        return Ok(0.0);
    }
    let v = parse_decimal_bytes(raw, convention).map_err(|_| AmountError::NotANumber)?;
    if v < 0.0 {
        return Err(AmountError::Negative);
    }
    Ok(v.abs())
}

/// The convention of the engine's own CSV formats when none is given: a comma-delimited file
/// writes decimal points (`1,234` is a quoted thousands-grouped number); any other delimiter
/// (`;` from a decimal-comma spreadsheet) reads either mark, and the ambiguous `1.234` as
/// thousands.
pub(crate) fn default_convention(delimiter: Delimiter) -> NumberConvention {
    if delimiter == Delimiter::COMMA {
        NumberConvention::Fixed(DecimalMark::Point)
    } else {
        NumberConvention::auto_or(DecimalMark::Comma)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POINT: NumberConvention = NumberConvention::Fixed(DecimalMark::Point);
    const EITHER: NumberConvention = NumberConvention::Auto {
        ambiguous: Some(DecimalMark::Comma),
    };

    #[test]
    fn amounts() {
        assert_eq!(parse_amount(b" 49.90 ", POINT), Ok(49.9));
        assert_eq!(parse_amount(b"", POINT), Ok(0.0));
        assert_eq!(parse_amount(b"0.1", POINT), Ok(0.1));
        assert_eq!(parse_amount(b".5", POINT), Ok(0.5));
        assert_eq!(parse_amount(b"12,5", EITHER), Ok(12.5));
        assert_eq!(parse_amount(b"12,5", POINT), Err(AmountError::NotANumber));
        assert_eq!(parse_amount(b"1e3", POINT), Ok(1000.0));
        assert_eq!(parse_amount(b"-0", POINT), Ok(0.0));
        assert_eq!(parse_amount(b"-1", POINT), Err(AmountError::Negative));
        assert_eq!(parse_amount(b"abc", POINT), Err(AmountError::NotANumber));
        assert_eq!(parse_amount(b".", POINT), Err(AmountError::NotANumber));
        assert_eq!(parse_amount(b"inf", POINT), Err(AmountError::NotANumber));
        assert_eq!(parse_amount(b"NaN", POINT), Err(AmountError::NotANumber));
        assert_eq!(
            parse_amount(b"12345678901234567.25", POINT),
            Ok(12_345_678_901_234_567.25)
        );
        assert_eq!(parse_amount(b"0.000000000000000000001", POINT), Ok(1e-21));
    }
}
