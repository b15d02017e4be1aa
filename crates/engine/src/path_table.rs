//! Journeys → the ChannelAttribution path table with our `path_entries` companion column: the
//! write side of [`crate::parse::paths`], what `refleqt paths` writes and what the warehouse SQL
//! (`sql/`) builds, so that a path table from either route reads back as the same journeys.
//!
//! # Layout
//! `path,total_conversions,total_conversion_value,total_null,path_entries` (comma-delimited,
//! header first). One row per distinct (channel sequence, entry sequence) of the journeys:
//! - `path`: the channel names joined by `>`;
//! - `total_conversions`, `total_null`: the summed weights, written as Rust's shortest decimal
//!   (an event log's journeys give whole numbers: `3`);
//! - `total_conversion_value`: the summed revenue, each journey's revenue rounded to
//!   micro-units (6 decimals) and summed exactly in integers, written without trailing zeros
//!   (`12.3`, `0`), so the sum does not depend on the order of addition (the SQL sums
//!   `DECIMAL(38,6)` the same way);
//! - `path_entries`: the entry ids of the steps joined by `>`, an empty step for a touch without
//!   entry; empty when no step has one.
//!
//! Rows are sorted by journeys (conversions + nulls) descending, then by `path` and
//! `path_entries` as bytes. Cells pass [`crate::csv_out::cell`] (the formula guard and RFC 4180
//! quoting: a path whose first channel starts with `=`, `+`, `-` or `@` gets a leading `'`, which
//! then reads back as part of that channel's name, on both routes alike); a channel that would not read back as itself — empty, or containing the `>`
//! separator — is refused ([`PathTableWriteError`]). Journeys without touches (none come from
//! an event log) are left out, as the models skip them.

use crate::csv_out::cell;
use crate::journey::{EntryId, JourneySet, Touch};
use rustc_hash::{FxHashMap, FxHasher};
use std::hash::{Hash, Hasher};
use thiserror::Error;

/// The separator between the steps of `path` and `path_entries`.
pub const SEPARATOR: &str = ">";

/// The header of the written table.
pub const HEADER: &str = "path,total_conversions,total_conversion_value,total_null,path_entries";

/// Micro-units per currency unit: revenue is summed at 6 decimals.
const MICROS: f64 = 1e6;

/// A journey set that cannot be written as a path table that reads back the same.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PathTableWriteError {
    #[error("the channel {channel:?} contains the path separator \">\", so its paths would read back as other channels; rename the channel (for example with \"/\") and run again")]
    SeparatorInChannel { channel: String },
    #[error(
        "a channel has an empty name, which a path table cannot hold; give it a name and run again"
    )]
    EmptyChannel,
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct PathRow {
    /// `path` as written (before quoting).
    pub path: String,
    /// `path_entries` as written; empty when no step has an entry.
    pub entries: String,
    pub conversions: f64,
    /// Revenue in micro-units (millionths).
    pub revenue_micros: i128,
    pub nulls: f64,
}

impl PathRow {
    /// `total_conversion_value` as written: micro-units as a decimal without trailing zeros.
    pub fn revenue_text(&self) -> String {
        let sign = if self.revenue_micros < 0 { "-" } else { "" };
        let m = self.revenue_micros.unsigned_abs();
        let (units, frac) = (m / 1_000_000, m % 1_000_000);
        if frac == 0 {
            return format!("{sign}{units}");
        }
        let digits = format!("{frac:06}");
        format!("{sign}{units}.{}", digits.trim_end_matches('0'))
    }
}

/// A journey's revenue in micro-units (rounded half away from zero; non-finite as 0).
fn micros(revenue: f64) -> i128 {
    let m = (revenue * MICROS).round();
    if m.is_finite() {
        m as i128
    } else {
        0
    }
}

/// An empty row for the journeys with these touches.
fn new_row(set: &JourneySet, touches: &[Touch]) -> PathRow {
    let mut path = String::new();
    let mut entries = String::new();
    for (k, t) in touches.iter().enumerate() {
        if k > 0 {
            path.push_str(SEPARATOR);
            entries.push_str(SEPARATOR);
        }
        path.push_str(set.channels.name(t.channel));
        if let Some(e) = t.entry {
            entries.push_str(&e.to_string());
        }
    }
    if touches.iter().all(|t| t.entry.is_none()) {
        entries.clear();
    }
    PathRow {
        path,
        entries,
        conversions: 0.0,
        revenue_micros: 0,
        nulls: 0.0,
    }
}

/// The rows of `set`'s path table, sorted as written (see the module documentation).
pub fn path_rows(set: &JourneySet) -> Result<Vec<PathRow>, PathTableWriteError> {
    for name in set.channels.names() {
        if name.contains(SEPARATOR) {
            return Err(PathTableWriteError::SeparatorInChannel {
                channel: name.chars().take(60).collect(),
            });
        }
        if name.trim().is_empty() {
            return Err(PathTableWriteError::EmptyChannel);
        }
    }
    // Rows are found by a 64-bit hash of the (channel, entry) sequence, checked against a
    // journey of the row; sequences whose hash is taken by another go to a second map keyed by
    // the sequence itself. No allocation per journey.
    let mut by_hash: FxHashMap<u64, usize> = FxHashMap::default();
    let mut collided: FxHashMap<Vec<(u32, Option<EntryId>)>, usize> = FxHashMap::default();
    let mut rows: Vec<PathRow> = Vec::new();
    // For each row, one journey of it (to check a hash hit against).
    let mut first_of_row: Vec<usize> = Vec::new();
    let same = |a: &[Touch], b: &[Touch]| {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(x, y)| x.channel == y.channel && x.entry == y.entry)
    };
    for (ji, j) in set.iter().enumerate() {
        if j.touches.is_empty() {
            continue;
        }
        let hash = {
            let mut h = FxHasher::default();
            for t in j.touches {
                t.channel.hash(&mut h);
                t.entry.hash(&mut h);
            }
            h.finish()
        };
        let found = match by_hash.get(&hash) {
            Some(&r) => {
                let rep = first_of_row
                    .get(r)
                    .and_then(|&k| set.get(k))
                    .map(|x| x.touches)
                    .unwrap_or_default();
                if same(rep, j.touches) {
                    Some(r)
                } else {
                    let key: Vec<_> = j.touches.iter().map(|t| (t.channel, t.entry)).collect();
                    match collided.get(&key) {
                        Some(&r) => Some(r),
                        None => {
                            collided.insert(key, rows.len());
                            None
                        }
                    }
                }
            }
            None => {
                by_hash.insert(hash, rows.len());
                None
            }
        };
        let at = match found {
            Some(r) => r,
            None => {
                rows.push(new_row(set, j.touches));
                first_of_row.push(ji);
                rows.len() - 1
            }
        };
        if let Some(r) = rows.get_mut(at) {
            r.conversions += j.conversions;
            r.revenue_micros += micros(j.revenue);
            r.nulls += j.nulls;
        }
    }
    rows.sort_by(|a, b| {
        (b.conversions + b.nulls)
            .total_cmp(&(a.conversions + a.nulls))
            .then_with(|| a.path.as_bytes().cmp(b.path.as_bytes()))
            .then_with(|| a.entries.as_bytes().cmp(b.entries.as_bytes()))
    });
    Ok(rows)
}

/// The path table of `set` as CSV text (header [`HEADER`], rows by [`path_rows`]).
pub fn to_csv(set: &JourneySet) -> Result<String, PathTableWriteError> {
    let rows = path_rows(set)?;
    let mut out = String::with_capacity(64 * (rows.len() + 1));
    out.push_str(HEADER);
    out.push('\n');
    for r in &rows {
        out.push_str(&format!(
            "{},{},{},{},{}\n",
            cell(&r.path),
            r.conversions,
            r.revenue_text(),
            r.nulls,
            cell(&r.entries)
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journey::{Channels, Touch};

    fn touch(c: u32, entry: Option<u64>) -> Touch {
        Touch {
            channel: c,
            entry,
            age_secs: 0.0,
        }
    }

    #[test]
    fn merges_by_channels_and_entries_and_sums_exactly() {
        let mut ch = Channels::new();
        let (a, b) = (ch.intern("email"), ch.intern("search"));
        let mut set = JourneySet::new(ch, true);
        set.push(
            &[touch(a, Some(12)), touch(b, None)],
            1.0,
            0.1,
            0.0,
            Some(1),
        );
        set.push(
            &[touch(a, Some(12)), touch(b, None)],
            1.0,
            0.2,
            0.0,
            Some(2),
        );
        set.push(&[touch(a, None), touch(b, None)], 0.0, 0.0, 1.0, Some(3));
        set.push(&[touch(b, None)], 1.0, 19.99, 0.0, Some(4));
        let csv = to_csv(&set).expect("writable");
        assert_eq!(
            csv,
            "path,total_conversions,total_conversion_value,total_null,path_entries\n\
             email>search,2,0.3,0,12>\n\
             email>search,0,0,1,\n\
             search,1,19.99,0,\n"
        );
    }

    #[test]
    fn refuses_channels_that_would_not_read_back() {
        let mut ch = Channels::new();
        let a = ch.intern("a>b");
        let mut set = JourneySet::new(ch, true);
        set.push(&[touch(a, None)], 1.0, 1.0, 0.0, Some(1));
        assert_eq!(
            to_csv(&set),
            Err(PathTableWriteError::SeparatorInChannel {
                channel: "a>b".into()
            })
        );
    }

    #[test]
    fn revenue_text_has_no_trailing_zeros() {
        let row = |m| PathRow {
            path: String::new(),
            entries: String::new(),
            conversions: 0.0,
            revenue_micros: m,
            nulls: 0.0,
        };
        assert_eq!(row(0).revenue_text(), "0");
        assert_eq!(row(12_300_000).revenue_text(), "12.3");
        assert_eq!(row(1).revenue_text(), "0.000001");
        assert_eq!(row(5_000_000_000).revenue_text(), "5000");
    }
}
