//! Event logs: one CSV row per touch or conversion → an [`EventLog`] of compact [`Event`]s.
//!
//! # Columns
//! Required: a user id, a timestamp, and a channel — a channel column, or failing that a source
//! column (`source`, `utm_source`, …) which then serves as the channel. When both exist, the
//! channel column is the channel and the source column is the source. Optional: event type,
//! conversion flag, revenue, campaign, source, medium, landing URL, `utm_content`, cost. See
//! [`Field::synonyms`] for the accepted header names; [`EventLogOptions::columns`] overrides them.
//!
//! # Which rows are conversions
//! 1. If there is an event-type column and its value (trimmed, case-insensitive, spaces and `-`
//!    read as `_`) is a conversion name — [`CONVERSION_EVENTS`] or one of
//!    [`EventLogOptions::conversion_events`] — the row is a **conversion row**: a conversion at
//!    that time with the row's revenue; its channel, if any, is ignored (it is not a touch).
//! 2. Otherwise, if there is a conversion-flag column and it is true (`1`, `true`, `yes`, `y`,
//!    `t`; false is `0`, `false`, `no`, `n`, `f` or empty; anything else rejects the row):
//!    - with an empty channel the row is a conversion row;
//!    - with a channel it is a **converting touch**: a touch, immediately followed by its
//!      conversion ([`EventKind::FlaggedConversion`], revenue from the row), which includes it.
//! 3. Every other row is a touch and needs a non-empty channel.
//!
//! Without an event-type or flag column every row is a touch (nothing converts).
//!
//! Revenue is read on conversions only, cost on touches only; empty means 0; negative or
//! non-numeric values reject the row. With a `;` or tab delimiter a decimal comma (`12,5`) is
//! accepted too. User ids are compared as trimmed bytes; channel and other names are trimmed
//! and case-sensitive (`Email` and `email` are two channels).
//!
//! # Calendar entries
//! A touch whose `utm_content` value is `cal-<id>` — or, when that column is absent or gives no
//! id, whose landing URL's `utm_content` query parameter is — carries that entry id
//! (see [`crate::utm`]).
//!
//! # Layout and order
//! [`EventLog::events`] are in file order, 24 bytes each. A touch refers to a [`TouchKey`] — its
//! channel, campaign, source, medium and calendar entry, interned once in
//! [`EventLog::touch_keys`]. Users are numbered in first-seen order. Grouping by user and
//! sorting by time is the journey builder's job ([`crate::assemble`]), with
//! [`Event::order_key`].
//!
//! # Speed
//! Fields are byte slices into the input ([`super::csv`]). User ids and names are interned by
//! the crate-private `parse::intern` module: user ids up to 27 bytes live inline in an
//! open-addressing table whose probes are issued 64 rows at a time, so that the cache misses of
//! a million-user table overlap; names go through small direct-mapped caches keyed by their raw
//! bytes, so the common row allocates nothing and hashes nothing but its user id. Touch keys have
//! a direct-mapped cache of their own here. Numbers and timestamps are parsed by hand.
//! [`parse_event_log_split`] cuts the data rows into pieces at line starts, parses them as
//! [`Jobs`] (the CLI runs them on its threads) and merges them into the same log.

use super::csv::{sniff_delimiter, Delimiter, Reader, Record};
use super::intern::{fold, padded_words, AssignIds, NameIndex, UserTable, K};
use super::timestamp::TimestampParser;
use super::{
    decode_text, default_convention, parse_amount, snippet, Field, HeaderMap, ParseError,
    ParseReport, Rejections, RowReason, DEFAULT_MAX_CHANNELS, DEFAULT_MAX_STORED_REJECTIONS,
    MAX_RECORD_BYTES,
};
use crate::jobs::Jobs;
use crate::journey::{ChannelId, Channels, EntryId};
use crate::number::{DecimalMark, NumberConvention};
use crate::utm::{entry_id_from_content_bytes, entry_id_from_url_bytes};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Event-type values that mean a conversion (after normalising: trimmed, lower-case, spaces and
/// `-` as `_`).
pub const CONVERSION_EVENTS: &[&str] = &[
    "conversion",
    "conversions",
    "convert",
    "converted",
    "purchase",
    "purchased",
    "ecommerce_purchase",
    "in_app_purchase",
    "order",
    "order_completed",
    "checkout_completed",
    "transaction",
    "sale",
    "sign_up",
    "signup",
    "registration",
    "complete_registration",
    "lead",
    "generate_lead",
    "subscribe",
    "subscription",
    "start_trial",
    "goal",
    "goal_completion",
];

/// What an [`Event`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A marketing touch.
    Touch,
    /// A conversion row.
    Conversion,
    /// The conversion of a converting touch row; it directly follows that row's touch.
    FlaggedConversion,
}

const CONVERSION_TAG: u32 = u32::MAX;
const FLAGGED_TAG: u32 = u32::MAX - 1;
/// Touch keys are below this (the values above are conversion tags).
const MAX_TOUCH_KEYS: u32 = FLAGGED_TAG;

/// One touch or conversion: 24 bytes. Build with [`Event::touch`] or [`Event::conversion`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Event {
    ts_ms: i64,
    /// Cost of a touch, revenue of a conversion.
    amount: f64,
    user: u32,
    /// Index into [`EventLog::touch_keys`], or a conversion tag.
    touch: u32,
}

impl Event {
    /// A touch of `user` at `ts_ms` with touch key `touch` (an index into
    /// [`EventLog::touch_keys`], below `u32::MAX - 1`) and `cost`.
    pub fn touch(user: u32, ts_ms: i64, touch: u32, cost: f64) -> Event {
        Event {
            ts_ms,
            amount: cost,
            user,
            touch: touch.min(MAX_TOUCH_KEYS - 1),
        }
    }

    /// A conversion of `user` at `ts_ms`; `flagged` for the conversion of a converting touch row
    /// (it must directly follow that touch).
    pub fn conversion(user: u32, ts_ms: i64, revenue: f64, flagged: bool) -> Event {
        Event {
            ts_ms,
            amount: revenue,
            user,
            touch: if flagged { FLAGGED_TAG } else { CONVERSION_TAG },
        }
    }

    /// Unix milliseconds.
    pub fn ts_ms(&self) -> i64 {
        self.ts_ms
    }

    /// Dense user number (first-seen order).
    pub fn user(&self) -> u32 {
        self.user
    }

    pub fn kind(&self) -> EventKind {
        match self.touch {
            CONVERSION_TAG => EventKind::Conversion,
            FLAGGED_TAG => EventKind::FlaggedConversion,
            _ => EventKind::Touch,
        }
    }

    pub fn is_conversion(&self) -> bool {
        self.touch >= FLAGGED_TAG
    }

    /// The touch key (index into [`EventLog::touch_keys`]) of a touch.
    pub fn touch_key(&self) -> Option<u32> {
        (self.touch < FLAGGED_TAG).then_some(self.touch)
    }

    /// Cost of a touch (0 for conversions).
    pub fn cost(&self) -> f64 {
        if self.is_conversion() {
            0.0
        } else {
            self.amount
        }
    }

    /// Revenue of a conversion (0 for touches).
    pub fn revenue(&self) -> f64 {
        if self.is_conversion() {
            self.amount
        } else {
            0.0
        }
    }

    /// Sort key of the journey builder: user, time, then touches (and flagged conversions)
    /// before conversion rows. Stable sorting by it keeps file order for the rest.
    pub fn order_key(&self) -> (u32, i64, bool) {
        (self.user, self.ts_ms, self.touch == CONVERSION_TAG)
    }
}

/// What a touch is: its channel and the ids of its campaign, source, medium (in the log's name
/// tables) and calendar entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TouchKey {
    pub channel: ChannelId,
    pub campaign: Option<u32>,
    pub source: Option<u32>,
    pub medium: Option<u32>,
    pub entry: Option<EntryId>,
}

/// A parsed event log.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventLog {
    pub channels: Channels,
    pub campaigns: Channels,
    pub sources: Channels,
    pub mediums: Channels,
    /// Distinct touch keys, in first-seen order.
    pub touch_keys: Vec<TouchKey>,
    /// Number of distinct users (user numbers are `0..users`).
    pub users: usize,
    /// In file order (a converting touch row gives its touch, then its conversion).
    pub events: Vec<Event>,
    pub report: ParseReport,
}

impl EventLog {
    /// The touch key of a touch event.
    pub fn touch_key(&self, e: &Event) -> Option<TouchKey> {
        self.touch_keys.get(e.touch_key()? as usize).copied()
    }

    /// Number of touch events.
    pub fn touch_count(&self) -> usize {
        self.events.iter().filter(|e| !e.is_conversion()).count()
    }

    /// Number of conversion events (rows and flagged touches).
    pub fn conversion_count(&self) -> usize {
        self.events.iter().filter(|e| e.is_conversion()).count()
    }
}

/// Options of [`parse_event_log`].
#[derive(Debug, Clone, PartialEq)]
pub struct EventLogOptions {
    /// The field delimiter; `None` sniffs it ([`sniff_delimiter`]).
    pub delimiter: Option<Delimiter>,
    /// How many rejected rows to keep in detail (all are counted). Default 1,000.
    pub max_stored_rejections: usize,
    /// Explicit header names for fields, overriding the synonyms.
    pub columns: Vec<(Field, String)>,
    /// More event-type values that mean a conversion (compared like [`CONVERSION_EVENTS`]).
    pub conversion_events: Vec<String>,
    /// How amounts are read; `None` follows the delimiter (a decimal point in comma-delimited
    /// files, either mark otherwise, the ambiguous `1.234` as thousands).
    pub number: Option<NumberConvention>,
    /// Most distinct channels accepted; more is [`ParseError::TooManyChannels`]. Default
    /// [`DEFAULT_MAX_CHANNELS`] (1,000).
    pub max_channels: usize,
}

impl Default for EventLogOptions {
    fn default() -> Self {
        EventLogOptions {
            delimiter: None,
            max_stored_rejections: DEFAULT_MAX_STORED_REJECTIONS,
            columns: Vec::new(),
            conversion_events: Vec::new(),
            number: None,
            max_channels: DEFAULT_MAX_CHANNELS,
        }
    }
}

/// Column indexes of one event log.
#[derive(Debug, Clone, Copy)]
struct Columns {
    user: usize,
    ts: usize,
    channel: usize,
    source: Option<usize>,
    medium: Option<usize>,
    campaign: Option<usize>,
    url: Option<usize>,
    content: Option<usize>,
    cost: Option<usize>,
    revenue: Option<usize>,
    flag: Option<usize>,
    event: Option<usize>,
}

impl Columns {
    fn find(h: &mut HeaderMap, overrides: &[(Field, String)]) -> Result<Columns, ParseError> {
        let user = h.find(Field::User, overrides)?;
        let ts = h.find(Field::Timestamp, overrides)?;
        let channel = h.find(Field::Channel, overrides)?;
        let source = h.find(Field::Source, overrides)?;
        let medium = h.find(Field::Medium, overrides)?;
        let campaign = h.find(Field::Campaign, overrides)?;
        let url = h.find(Field::LandingUrl, overrides)?;
        let content = h.find(Field::UtmContent, overrides)?;
        let cost = h.find(Field::Cost, overrides)?;
        let revenue = h.find(Field::Revenue, overrides)?;
        let flag = h.find(Field::ConversionFlag, overrides)?;
        let event = h.find(Field::EventType, overrides)?;
        let channel = match (channel, source) {
            (Some(c), _) => Some(c),
            (None, Some(s)) => {
                h.claim(Field::Channel, s);
                Some(s)
            }
            (None, None) => None,
        };
        match (user, ts, channel) {
            (Some(user), Some(ts), Some(channel)) => Ok(Columns {
                user,
                ts,
                channel,
                source,
                medium,
                campaign,
                url,
                content,
                cost,
                revenue,
                flag,
                event,
            }),
            _ => {
                let missing = [
                    (Field::User, user),
                    (Field::Timestamp, ts),
                    (Field::Channel, channel),
                ]
                .into_iter()
                .filter(|(_, c)| c.is_none())
                .map(|(f, _)| f)
                .collect();
                Err(ParseError::MissingColumns {
                    missing,
                    found: h.raw.clone(),
                })
            }
        }
    }
}

/// Entries of the direct-mapped touch-key cache (a power of two).
const KEY_CACHE: usize = 1024;

impl AssignIds for Vec<Event> {
    #[inline(always)]
    fn assign(&mut self, first: usize, n: usize, id: u32) {
        if let Some(evs) = self.get_mut(first..first + n) {
            for e in evs {
                e.user = id;
            }
        }
    }
}

/// Interns [`TouchKey`]s, with a direct-mapped cache in front of the hash map.
struct TouchKeyIndex {
    keys: Vec<TouchKey>,
    ids: FxHashMap<TouchKey, u32>,
    cache: Vec<Option<(TouchKey, u32)>>,
}

impl TouchKeyIndex {
    #[inline(always)]
    fn intern(&mut self, k: TouchKey) -> Result<u32, RowFail> {
        let opt = |x: Option<u32>| x.map_or(u64::MAX, u64::from);
        let h = fold(
            u64::from(k.channel) ^ (opt(k.campaign) << 32) ^ K[0],
            opt(k.source) ^ (opt(k.medium) << 29) ^ k.entry.map_or(K[2], |e| e ^ K[3]),
        ) as usize
            & (KEY_CACHE - 1);
        if let Some(Some((ck, id))) = self.cache.get(h) {
            if *ck == k {
                return Ok(*id);
            }
        }
        let id = match self.ids.get(&k) {
            Some(&id) => id,
            None => {
                let id = u32::try_from(self.keys.len())
                    .ok()
                    .filter(|&n| n < MAX_TOUCH_KEYS)
                    .ok_or(RowFail::Fatal(ParseError::TooManyTouchKeys))?;
                self.keys.push(k);
                self.ids.insert(k, id);
                id
            }
        };
        if let Some(e) = self.cache.get_mut(h) {
            *e = Some((k, id));
        }
        Ok(id)
    }
}

/// Remembers whether each event-type value (up to 16 bytes) means a conversion.
struct EventTypeCache {
    extra_names: Vec<String>,
    seen: Vec<([u64; 2], u32, bool)>,
}

/// The per-row state of one parse.
struct RowParser<'a> {
    input: &'a [u8],
    c: Columns,
    ncols: usize,
    number: NumberConvention,
    users: UserTable<'a>,
    channels: NameIndex<'a>,
    campaigns: NameIndex<'a>,
    sources: NameIndex<'a>,
    mediums: NameIndex<'a>,
    touch_keys: TouchKeyIndex,
    event_types: EventTypeCache,
    timestamps: TimestampParser,
    events: Vec<Event>,
}

enum RowFail {
    Reject(Option<usize>, RowReason),
    Fatal(ParseError),
}

impl From<ParseError> for RowFail {
    fn from(e: ParseError) -> Self {
        RowFail::Fatal(e)
    }
}

#[inline(always)]
fn trim_cow(c: Cow<'_, [u8]>) -> Cow<'_, [u8]> {
    match c {
        Cow::Borrowed(b) => Cow::Borrowed(b.trim_ascii()),
        Cow::Owned(v) => {
            let t = v.trim_ascii();
            if t.len() == v.len() {
                Cow::Owned(v)
            } else {
                Cow::Owned(t.to_vec())
            }
        }
    }
}

/// Normalise an event-type value or name: trimmed, lower-case, spaces and `-` as `_`.
fn normalize_name(b: &[u8]) -> String {
    decode_text(b.trim_ascii())
        .chars()
        .map(|c| match c {
            ' ' | '-' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// A yes/no flag; empty is no.
fn parse_flag(b: &[u8]) -> Option<bool> {
    let t = b.trim_ascii();
    const YES: [&[u8]; 5] = [b"1", b"true", b"yes", b"y", b"t"];
    const NO: [&[u8]; 6] = [b"", b"0", b"false", b"no", b"n", b"f"];
    if YES.iter().any(|y| t.eq_ignore_ascii_case(y)) {
        return Some(true);
    }
    if NO.iter().any(|n| t.eq_ignore_ascii_case(n)) {
        return Some(false);
    }
    match parse_amount(t, NumberConvention::Fixed(DecimalMark::Point)) {
        Ok(1.0) => Some(true),
        Ok(0.0) => Some(false),
        _ => None,
    }
}

fn is_conversion_name(t: &[u8], extra: &[String]) -> bool {
    let n = normalize_name(t);
    CONVERSION_EVENTS.contains(&n.as_str()) || extra.contains(&n)
}

impl<'a> RowParser<'a> {
    #[inline(always)]
    fn field(&self, rec: &Record<'a>, i: usize) -> Cow<'a, [u8]> {
        // An empty slice *inside the input* when out of range: comparing a dangling `&[]` with
        // glibc's memcmp costs a masked-load fault assist on some CPUs.
        rec.field(i)
            .unwrap_or(Cow::Borrowed(self.input.get(..0).unwrap_or_default()))
    }

    #[inline(always)]
    fn is_conversion_event(&mut self, raw: &[u8]) -> bool {
        let t = raw.trim_ascii();
        if t.len() > 16 {
            return is_conversion_name(t, &self.event_types.extra_names);
        }
        let w = padded_words::<2>(self.input, t);
        let len = t.len() as u32;
        if let Some((_, _, r)) = self
            .event_types
            .seen
            .iter()
            .find(|(sw, sl, _)| *sw == w && *sl == len)
        {
            return *r;
        }
        let r = is_conversion_name(t, &self.event_types.extra_names);
        if self.event_types.seen.len() < 16 {
            self.event_types.seen.push((w, len, r));
        }
        r
    }

    #[inline(always)]
    fn amount(&self, rec: &Record<'a>, col: Option<usize>) -> Result<f64, RowFail> {
        let Some(i) = col else { return Ok(0.0) };
        let raw = self.field(rec, i);
        parse_amount(&raw, self.number).map_err(|e| RowFail::Reject(Some(i), e.reason(&raw)))
    }

    #[inline(always)]
    fn name(&mut self, rec: &Record<'a>, col: Option<usize>, which: u8) -> Option<u32> {
        let i = col?;
        let v = trim_cow(self.field(rec, i));
        if v.is_empty() {
            return None;
        }
        Some(match which {
            0 => self.campaigns.intern(v),
            1 => self.sources.intern(v),
            _ => self.mediums.intern(v),
        })
    }

    #[inline(always)]
    fn entry(&self, rec: &Record<'a>) -> Option<EntryId> {
        self.c
            .content
            .and_then(|i| entry_id_from_content_bytes(&self.field(rec, i)))
            .or_else(|| {
                self.c
                    .url
                    .and_then(|i| entry_id_from_url_bytes(&self.field(rec, i)))
            })
    }

    #[inline(always)]
    fn row(&mut self, rec: &Record<'a>) -> Result<(), RowFail> {
        if rec.unterminated() {
            return Err(RowFail::Reject(None, RowReason::UnterminatedQuote));
        }
        if rec.byte_len() > MAX_RECORD_BYTES {
            return Err(RowFail::Reject(
                None,
                RowReason::RecordTooLong {
                    bytes: rec.byte_len(),
                    max: MAX_RECORD_BYTES,
                },
            ));
        }
        if rec.len() != self.ncols {
            return Err(RowFail::Reject(
                None,
                RowReason::FieldCount {
                    expected: self.ncols,
                    found: rec.len(),
                },
            ));
        }
        let c = self.c;
        let user = trim_cow(self.field(rec, c.user));
        if user.is_empty() {
            return Err(RowFail::Reject(Some(c.user), RowReason::Empty));
        }
        let ts_raw = self.field(rec, c.ts);
        let ts_ms = self.timestamps.parse(&ts_raw).map_err(|error| {
            RowFail::Reject(
                Some(c.ts),
                RowReason::Timestamp {
                    value: snippet(ts_raw.trim_ascii()),
                    error,
                },
            )
        })?;
        let mut conversion = match c.event {
            Some(i) => {
                let v = self.field(rec, i);
                self.is_conversion_event(&v)
            }
            None => false,
        };
        let mut flagged = false;
        if !conversion {
            if let Some(i) = c.flag {
                let raw = self.field(rec, i);
                flagged = parse_flag(&raw).ok_or_else(|| {
                    RowFail::Reject(
                        Some(i),
                        RowReason::BadFlag {
                            value: snippet(raw.trim_ascii()),
                        },
                    )
                })?;
            }
        }
        let channel = trim_cow(self.field(rec, c.channel));
        if flagged && channel.is_empty() {
            conversion = true;
            flagged = false;
        }
        let first = self.events.len();
        if conversion {
            let revenue = self.amount(rec, c.revenue)?;
            self.events
                .push(Event::conversion(0, ts_ms, revenue, false));
        } else {
            if channel.is_empty() {
                return Err(RowFail::Reject(Some(c.channel), RowReason::Empty));
            }
            let cost = self.amount(rec, c.cost)?;
            let revenue = if flagged {
                self.amount(rec, c.revenue)?
            } else {
                0.0
            };
            let key = TouchKey {
                channel: self.channels.intern(channel),
                campaign: self.name(rec, c.campaign, 0),
                source: self.name(rec, c.source, 1),
                medium: self.name(rec, c.medium, 2),
                entry: self.entry(rec),
            };
            let touch = self.touch_keys.intern(key)?;
            self.events.push(Event {
                ts_ms,
                amount: cost,
                user: 0,
                touch,
            });
            if flagged {
                self.events.push(Event::conversion(0, ts_ms, revenue, true));
            }
        }
        let n = self.events.len() - first;
        self.users.defer(user, first, n, &mut self.events)?;
        Ok(())
    }
}

/// What the header says, shared by every piece of one parse.
struct Setup {
    delim: Delimiter,
    hm: HeaderMap,
    c: Columns,
    ncols: usize,
    number: NumberConvention,
}

/// Read the header: the setup and a reader at the first data row.
fn setup<'a>(bytes: &'a [u8], opts: &EventLogOptions) -> Result<(Setup, Reader<'a>), ParseError> {
    let delim = opts.delimiter.unwrap_or_else(|| sniff_delimiter(bytes));
    let mut reader = Reader::new(bytes, delim);
    let mut rec = Record::new();
    if !reader.read_non_blank(&mut rec) {
        return Err(ParseError::NoHeader);
    }
    let headers: Vec<String> = rec
        .fields()
        .map(|f| decode_text(&f).trim().to_owned())
        .collect();
    let ncols = headers.len();
    let mut hm = HeaderMap::new(headers);
    let c = Columns::find(&mut hm, &opts.columns)?;
    let number = opts.number.unwrap_or_else(|| default_convention(delim));
    Ok((
        Setup {
            delim,
            hm,
            c,
            ncols,
            number,
        },
        reader,
    ))
}

/// The data rows from one record start up to another, parsed on their own: ids are local to the
/// piece until [`merge`] renumbers them.
struct Piece<'a> {
    p: RowParser<'a>,
    rejections: Rejections,
    accepted: usize,
    /// Where the reader stopped: the next record's start (past `end` when the last record's
    /// quoted field ran over it) and the line there, counted from the piece's first line.
    end: usize,
    end_line: u64,
}

/// Parse the records from `reader`'s position while it is before `end`. The first piece
/// (`!record_keys`) reserves room for the events of the whole input, so that merging the later
/// pieces' events into it copies nothing twice.
fn parse_piece<'a>(
    bytes: &'a [u8],
    s: &Setup,
    opts: &EventLogOptions,
    mut reader: Reader<'a>,
    end: usize,
    record_keys: bool,
) -> Result<Piece<'a>, ParseError> {
    let reserve_end = if record_keys { end } else { bytes.len() };
    let data_start = reader.position();
    let end = end.min(bytes.len());
    let mut p = RowParser {
        input: bytes,
        c: s.c,
        ncols: s.ncols,
        number: s.number,
        users: UserTable::for_piece(bytes, end.saturating_sub(data_start), record_keys),
        channels: NameIndex::new(bytes),
        campaigns: NameIndex::new(bytes),
        sources: NameIndex::new(bytes),
        mediums: NameIndex::new(bytes),
        touch_keys: TouchKeyIndex {
            keys: Vec::new(),
            ids: FxHashMap::default(),
            cache: vec![None; KEY_CACHE],
        },
        event_types: EventTypeCache {
            extra_names: opts
                .conversion_events
                .iter()
                .map(|n| normalize_name(n.as_bytes()))
                .collect(),
            seen: Vec::new(),
        },
        timestamps: TimestampParser::new(),
        events: Vec::new(),
    };
    let mut rec = Record::new();
    let mut rejections = Rejections::new(opts.max_stored_rejections);
    let mut accepted = 0usize;
    const PROBE_ROWS: usize = 1024;
    while reader.position() < end && reader.read(&mut rec) {
        if rec.is_blank() {
            continue;
        }
        p.users
            .set_consumed(reader.position().saturating_sub(data_start));
        match p.row(&rec) {
            Ok(()) => accepted += 1,
            Err(RowFail::Reject(col, reason)) => {
                rejections.push(rec.line(), col.and_then(|i| s.hm.name(i)), || reason)
            }
            Err(RowFail::Fatal(e)) => return Err(e),
        }
        if accepted + rejections.count == PROBE_ROWS {
            // Reserve for the rest from the average row length so far.
            let done = reader.position().saturating_sub(data_start).max(1);
            let rest = reserve_end.saturating_sub(reader.position());
            let per_byte = p.events.len() as f64 / done as f64;
            p.events
                .reserve((rest as f64 * per_byte * 1.02) as usize + 16);
        }
    }
    p.users.flush(&mut p.events)?;
    Ok(Piece {
        p,
        rejections,
        accepted,
        end: reader.position(),
        end_line: reader.line(),
    })
}

/// The names of a piece's table, as ids in `into` (interned there in the piece's order).
fn remap_names(piece: &Channels, into: &mut Channels) -> Vec<u32> {
    (0..piece.len())
        .map(|i| into.intern(piece.name(i as ChannelId)))
        .collect()
}

/// The pieces, in file order, as one event log: later pieces' users, names and touch keys are
/// interned after the earlier ones' (so ids follow first appearance in the whole file), their
/// events renumbered and their rejected rows' lines moved to whole-file lines.
fn merge(s: Setup, opts: &EventLogOptions, pieces: Vec<Piece<'_>>) -> Result<EventLog, ParseError> {
    let mut pieces = pieces.into_iter();
    let Some(first) = pieces.next() else {
        return Err(ParseError::NoHeader); // unreachable: there is always a first piece
    };
    let mut p = first.p;
    let mut channels = p.channels.into_table();
    let mut campaigns = p.campaigns.into_table();
    let mut sources = p.sources.into_table();
    let mut mediums = p.mediums.into_table();
    let mut rejections = first.rejections;
    let mut accepted = first.accepted;
    // The first piece counts whole-file lines; a later piece's line 1 is where the one before
    // it stopped.
    let mut line_offset = first.end_line.saturating_sub(1);
    for piece in pieces {
        let q = piece.p;
        let users = p.users.intern_keys(&q.users.into_keys())?;
        let ch = remap_names(&q.channels.into_table(), &mut channels);
        let ca = remap_names(&q.campaigns.into_table(), &mut campaigns);
        let so = remap_names(&q.sources.into_table(), &mut sources);
        let me = remap_names(&q.mediums.into_table(), &mut mediums);
        let at = |m: &[u32], id: Option<u32>| id.and_then(|i| m.get(i as usize).copied());
        let mut keys = Vec::with_capacity(q.touch_keys.keys.len());
        for k in &q.touch_keys.keys {
            let global = TouchKey {
                channel: ch.get(k.channel as usize).copied().unwrap_or(k.channel),
                campaign: at(&ca, k.campaign),
                source: at(&so, k.source),
                medium: at(&me, k.medium),
                entry: k.entry,
            };
            keys.push(p.touch_keys.intern(global).map_err(|f| match f {
                RowFail::Fatal(e) => e,
                RowFail::Reject(..) => ParseError::TooManyTouchKeys,
            })?);
        }
        p.events.reserve(q.events.len());
        p.events.extend(q.events.into_iter().map(|mut e| {
            e.user = users.get(e.user as usize).copied().unwrap_or(e.user);
            if e.touch < FLAGGED_TAG {
                e.touch = keys.get(e.touch as usize).copied().unwrap_or(e.touch);
            }
            e
        }));
        rejections.count += piece.rejections.count;
        for mut r in piece.rejections.list {
            if rejections.list.len() >= opts.max_stored_rejections {
                break;
            }
            r.line += line_offset;
            rejections.list.push(r);
        }
        accepted += piece.accepted;
        line_offset += piece.end_line.saturating_sub(1);
    }
    if channels.len() > opts.max_channels {
        return Err(ParseError::TooManyChannels {
            found: channels.len(),
            max: opts.max_channels,
        });
    }
    Ok(EventLog {
        users: p.users.len(),
        channels,
        campaigns,
        sources,
        mediums,
        touch_keys: p.touch_keys.keys,
        events: p.events,
        report: ParseReport {
            delimiter: s.delim.as_char(),
            accepted,
            rejected_count: rejections.count,
            rejected: rejections.list,
            columns: s.hm.into_columns(),
        },
    })
}

/// Parse an event-log CSV. Fatal problems (no header, missing required columns) are errors;
/// bad rows are listed in [`EventLog::report`].
pub fn parse_event_log(bytes: &[u8], opts: &EventLogOptions) -> Result<EventLog, ParseError> {
    let (s, reader) = setup(bytes, opts)?;
    let piece = parse_piece(bytes, &s, opts, reader, bytes.len(), false)?;
    merge(s, opts, vec![piece])
}

/// [`parse_event_log`] with the data rows cut into `jobs.width()` pieces at line starts, parsed
/// as [`Jobs`] (at once, when the caller runs them on threads) and merged: exactly the same
/// [`EventLog`] — ids, order, report and rejected lines — as [`parse_event_log`].
///
/// A cut may fall inside a quoted field that holds a newline; then the piece before it reads on
/// past the cut, the speculative pieces after it are dropped, and the rest is parsed as one
/// more piece from where that piece stopped.
pub fn parse_event_log_split(
    bytes: &[u8],
    opts: &EventLogOptions,
    jobs: &dyn Jobs,
) -> Result<EventLog, ParseError> {
    let (s, reader) = setup(bytes, opts)?;
    let data_start = reader.position();
    let n = jobs.width().clamp(1, 64);
    // Cut points: just after the first newline at or past each equal share of the data.
    let mut cuts = vec![data_start];
    let span = bytes.len().saturating_sub(data_start);
    for k in 1..n {
        let at = data_start + span / n * k;
        let cut = bytes
            .get(at..)
            .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
            .map_or(bytes.len(), |i| at + i + 1);
        if cut > cuts.last().copied().unwrap_or(0) && cut < bytes.len() {
            cuts.push(cut);
        }
    }
    cuts.push(bytes.len());
    let mut results: Vec<Option<Result<Piece<'_>, ParseError>>> =
        (1..cuts.len()).map(|_| None).collect();
    {
        let s = &s;
        let mut work: Vec<Box<dyn FnOnce() + Send + '_>> = Vec::new();
        let mut first_reader = Some(reader);
        for (k, slot) in results.iter_mut().enumerate() {
            let (start, end) = (cuts[k], cuts[k + 1]);
            let r = match first_reader.take() {
                Some(r) => r,
                None => Reader::at(bytes, s.delim, start),
            };
            work.push(Box::new(move || {
                *slot = Some(parse_piece(bytes, s, opts, r, end, k > 0));
            }));
        }
        jobs.run(work);
    }
    let mut pieces = Vec::with_capacity(results.len());
    for (k, result) in results.into_iter().enumerate() {
        let piece = match result {
            Some(r) => r?,
            None => parse_piece(
                bytes,
                &s,
                opts,
                Reader::at(bytes, s.delim, cuts[k]),
                cuts[k + 1],
                k > 0,
            )?,
        };
        let stopped = piece.end;
        pieces.push(piece);
        if let Some(&next) = cuts.get(k + 1) {
            if next < bytes.len() && stopped != next {
                // The cut fell inside a record: read the rest as one piece from where this one
                // stopped.
                let rest = Reader::at(bytes, s.delim, stopped);
                pieces.push(parse_piece(bytes, &s, opts, rest, bytes.len(), true)?);
                break;
            }
        }
    }
    merge(s, opts, pieces)
}
