//! Aggregated path tables in the ChannelAttribution layout → an untimed [`JourneySet`].
//!
//! Columns: `path` (required), `total_conversions` (required), `total_conversion_value` and
//! `total_null` (optional, 0 when absent); synonyms in [`Field::synonyms`]. A path is a list of
//! channel names joined by the path separator (default `>`, matched literally); each name is
//! trimmed, so `a > b > c` and `a>b>c` are the same path.
//!
//! # The `path_entries` companion column (optional, ours)
//! ChannelAttribution's layout has no place for the calendar entry (`utm_content=cal-<id>`) of a
//! touch, which `cal-<id>` credit needs. An optional column `path_entries` carries it: the
//! entry ids of the path's steps, joined by the same separator, an empty step for a touch
//! without entry (`email>search>email` with `12>>7`); an empty cell means no step has one.
//! Journeys that differ only in their entries are separate rows. Tools that do not know the
//! column ignore it. A row whose entries do not list one step per channel
//! ([`RowReason::EntryCount`]) or hold anything but decimal digits ([`RowReason::BadEntry`]) is
//! rejected. `refleqt paths` and the warehouse SQL (`sql/`) write it
//! ([`crate::path_table`]).
//!
//! Each accepted row becomes one journey of the set with `conversions`, `revenue` and `nulls`
//! taken from the row and touches [`Touch::new`] (age `NaN`; the entry from `path_entries`, else
//! none); `timed` is false and journeys carry no end time. Counts may be fractional but must be non-negative; empty cells
//! are 0. Rows are rejected for an empty step (`a > > b`), an empty path with conversions, or
//! bad numbers. An empty path without conversions is kept as a journey without touches (models
//! skip it), so that the total of nulls still matches the file.

use super::csv::{sniff_delimiter, Delimiter, Reader, Record};
use super::{
    decode_text, default_convention, parse_amount, Field, HeaderMap, ParseError, ParseReport,
    Rejections, RowReason, DEFAULT_MAX_CHANNELS, DEFAULT_MAX_PATH_STEPS,
    DEFAULT_MAX_STORED_REJECTIONS, MAX_RECORD_BYTES,
};
use crate::journey::{Channels, JourneySet, Touch};
use crate::number::NumberConvention;
use std::borrow::Cow;

/// Options of [`parse_path_table`].
#[derive(Debug, Clone, PartialEq)]
pub struct PathTableOptions {
    /// The field delimiter; `None` sniffs it.
    pub delimiter: Option<Delimiter>,
    /// What joins the channels of a path. Default `>`.
    pub path_separator: String,
    /// How many rejected rows to keep in detail (all are counted). Default 1,000.
    pub max_stored_rejections: usize,
    /// Explicit header names for fields, overriding the synonyms.
    pub columns: Vec<(Field, String)>,
    /// How amounts are read; `None` follows the delimiter (a decimal point in comma-delimited
    /// files, either mark otherwise, the ambiguous `1.234` as thousands).
    pub number: Option<NumberConvention>,
    /// Most distinct channels accepted; more is [`ParseError::TooManyChannels`]. Default
    /// [`DEFAULT_MAX_CHANNELS`] (1,000).
    pub max_channels: usize,
    /// Most channels in one path; a longer path rejects its row ([`RowReason::PathTooLong`]).
    /// Default [`DEFAULT_MAX_PATH_STEPS`] (1,000).
    pub max_path_steps: usize,
}

impl Default for PathTableOptions {
    fn default() -> Self {
        PathTableOptions {
            delimiter: None,
            path_separator: ">".to_owned(),
            max_stored_rejections: DEFAULT_MAX_STORED_REJECTIONS,
            columns: Vec::new(),
            number: None,
            max_channels: DEFAULT_MAX_CHANNELS,
            max_path_steps: DEFAULT_MAX_PATH_STEPS,
        }
    }
}

/// A parsed path table.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PathTable {
    pub set: JourneySet,
    pub report: ParseReport,
}

struct Cols {
    path: usize,
    conversions: usize,
    value: Option<usize>,
    nulls: Option<usize>,
    entries: Option<usize>,
}

/// Parse an aggregated path table.
pub fn parse_path_table(bytes: &[u8], opts: &PathTableOptions) -> Result<PathTable, ParseError> {
    if opts.path_separator.is_empty() {
        return Err(ParseError::EmptyPathSeparator);
    }
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
    let path = hm.find(Field::Path, &opts.columns)?;
    let conversions = hm.find(Field::Conversions, &opts.columns)?;
    let value = hm.find(Field::ConversionValue, &opts.columns)?;
    let nulls = hm.find(Field::Nulls, &opts.columns)?;
    let entries = hm.find(Field::PathEntries, &opts.columns)?;
    let c = match (path, conversions) {
        (Some(path), Some(conversions)) => Cols {
            path,
            conversions,
            value,
            nulls,
            entries,
        },
        _ => {
            let missing = [(Field::Path, path), (Field::Conversions, conversions)]
                .into_iter()
                .filter(|(_, c)| c.is_none())
                .map(|(f, _)| f)
                .collect();
            return Err(ParseError::MissingColumns {
                missing,
                found: hm.raw.clone(),
            });
        }
    };
    let number = opts.number.unwrap_or_else(|| default_convention(delim));
    let mut set = JourneySet::new(Channels::new(), false);
    let mut touches: Vec<Touch> = Vec::new();
    let mut rejections = Rejections::new(opts.max_stored_rejections);
    let mut accepted = 0usize;
    while reader.read(&mut rec) {
        if rec.is_blank() {
            continue;
        }
        match row(&rec, &c, ncols, number, opts, &mut set, &mut touches) {
            Ok(()) => accepted += 1,
            Err((col, reason)) => {
                rejections.push(rec.line(), col.and_then(|i| hm.name(i)), || reason)
            }
        }
    }
    if set.channels.len() > opts.max_channels {
        return Err(ParseError::TooManyChannels {
            found: set.channels.len(),
            max: opts.max_channels,
        });
    }
    Ok(PathTable {
        set,
        report: ParseReport {
            delimiter: delim.as_char(),
            accepted,
            rejected_count: rejections.count,
            rejected: rejections.list,
            columns: hm.into_columns(),
        },
    })
}

fn row(
    rec: &Record<'_>,
    c: &Cols,
    ncols: usize,
    number: NumberConvention,
    opts: &PathTableOptions,
    set: &mut JourneySet,
    touches: &mut Vec<Touch>,
) -> Result<(), (Option<usize>, RowReason)> {
    if rec.unterminated() {
        return Err((None, RowReason::UnterminatedQuote));
    }
    if rec.byte_len() > MAX_RECORD_BYTES {
        return Err((
            None,
            RowReason::RecordTooLong {
                bytes: rec.byte_len(),
                max: MAX_RECORD_BYTES,
            },
        ));
    }
    if rec.len() != ncols {
        return Err((
            None,
            RowReason::FieldCount {
                expected: ncols,
                found: rec.len(),
            },
        ));
    }
    let field = |i: usize| rec.field(i).unwrap_or(Cow::Borrowed(&[]));
    let amount = |col: Option<usize>| -> Result<f64, (Option<usize>, RowReason)> {
        let Some(i) = col else { return Ok(0.0) };
        let raw = field(i);
        parse_amount(&raw, number).map_err(|e| (Some(i), e.reason(&raw)))
    };
    let conversions = amount(Some(c.conversions))?;
    let value = amount(c.value)?;
    let nulls = amount(c.nulls)?;
    let (sep, max_steps) = (opts.path_separator.as_str(), opts.max_path_steps);
    let raw = field(c.path);
    let text = decode_text(&raw);
    let text = text.trim();
    touches.clear();
    if text.is_empty() {
        if conversions > 0.0 {
            return Err((
                Some(c.path),
                RowReason::EmptyPathWithConversions { conversions },
            ));
        }
    } else {
        // Validate every step before interning any, so a rejected row adds no channel.
        if let Some(position) = text.split(sep).position(|s| s.trim().is_empty()) {
            return Err((
                Some(c.path),
                RowReason::EmptyPathStep {
                    position: position + 1,
                },
            ));
        }
        let steps = text.split(sep).count();
        if steps > max_steps {
            return Err((
                Some(c.path),
                RowReason::PathTooLong {
                    steps,
                    max: max_steps,
                },
            ));
        }
        let entries = match c.entries {
            Some(i) => step_entries(&field(i), sep, steps).map_err(|r| (Some(i), r))?,
            None => Vec::new(),
        };
        for (k, step) in text.split(sep).enumerate() {
            let mut touch = Touch::new(set.channels.intern(step.trim()));
            touch.entry = entries.get(k).copied().flatten();
            touches.push(touch);
        }
    }
    set.push(touches, conversions, value, nulls, None);
    Ok(())
}

/// The entries of a `path_entries` cell for a path of `steps` channels: empty (no entries) or
/// one step per channel, each empty or a decimal entry id.
fn step_entries(raw: &[u8], sep: &str, steps: usize) -> Result<Vec<Option<u64>>, RowReason> {
    let text = decode_text(raw);
    let text = text.trim();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let entries = text.split(sep).count();
    if entries != steps {
        return Err(RowReason::EntryCount { steps, entries });
    }
    text.split(sep)
        .enumerate()
        .map(|(k, step)| {
            let step = step.trim();
            if step.is_empty() {
                return Ok(None);
            }
            if !step.bytes().all(|b| b.is_ascii_digit()) {
                return Err(RowReason::BadEntry {
                    position: k + 1,
                    value: step.chars().take(60).collect(),
                });
            }
            step.parse::<u64>()
                .map(Some)
                .map_err(|_| RowReason::BadEntry {
                    position: k + 1,
                    value: step.chars().take(60).collect(),
                })
        })
        .collect()
}
