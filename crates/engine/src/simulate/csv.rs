//! CSV writers of the simulator: the event log (`EVENTS_HEADER`) and the ChannelAttribution path
//! table (`PATHS_HEADER`), from collected rows or streamed straight from the generator at any
//! scale.

use super::config::{SimConfig, SimWriteError};
use super::generate::Plan;
use super::output::{SimEntry, SimEvent, SimJourney, SimOutput, SimSummary};
use super::MS_PER_DAY;
use crate::dates::civil_from_days;
use rustc_hash::FxHashMap;
use std::io::{self, Write};

/// Header of the events CSV.
pub const EVENTS_HEADER: &str = "user_id,timestamp,channel,campaign,utm_content,cost,event,revenue";
/// Header of the path table (ChannelAttribution layout, `;`-separated).
pub const PATHS_HEADER: &str = "path;total_conversions;total_conversion_value;total_null";

fn push_2(buf: &mut Vec<u8>, v: i64) {
    buf.push(b'0' + (v / 10 % 10) as u8);
    buf.push(b'0' + (v % 10) as u8);
}

/// `v` in decimal, at least `width` digits (zero-padded); infallible, unlike `write!`.
fn push_decimal(buf: &mut Vec<u8>, v: i64, width: usize) {
    if v < 0 {
        buf.push(b'-');
    }
    push_unsigned(buf, v.unsigned_abs(), width);
}

/// `n` in decimal, at least `width` digits (zero-padded).
fn push_unsigned(buf: &mut Vec<u8>, n: u64, width: usize) {
    buf.extend(decimal_digits(n, width));
}

/// The ASCII digits of `n`, most significant first, at least `width` of them (zero-padded);
/// on the stack, so the per-journey user id allocates nothing.
fn decimal_digits(mut n: u64, width: usize) -> impl Iterator<Item = u8> {
    let mut digits = [0u8; 20];
    let mut len = 0;
    while n > 0 || len < width.max(1) {
        digits[len] = b'0' + (n % 10) as u8;
        n /= 10;
        len += 1;
        if len == digits.len() {
            break;
        }
    }
    digits.into_iter().take(len).rev()
}

/// ISO 8601 UTC: `2025-01-03T14:05:00Z` (`.mmm` added only when the milliseconds are not 0).
fn push_iso(buf: &mut Vec<u8>, ms: i64) {
    let (y, mo, d) = civil_from_days(ms.div_euclid(MS_PER_DAY));
    let (mo, d) = (i64::from(mo), i64::from(d));
    let in_day = ms.rem_euclid(MS_PER_DAY);
    let (secs, milli) = (in_day / 1000, in_day % 1000);
    if (0..=9999).contains(&y) {
        push_2(buf, y / 100);
        push_2(buf, y % 100);
    } else {
        push_decimal(buf, y, 1);
    }
    buf.push(b'-');
    push_2(buf, mo);
    buf.push(b'-');
    push_2(buf, d);
    buf.push(b'T');
    push_2(buf, secs / 3600);
    buf.push(b':');
    push_2(buf, secs / 60 % 60);
    buf.push(b':');
    push_2(buf, secs % 60);
    if milli != 0 {
        buf.push(b'.');
        push_decimal(buf, milli, 3);
    }
    buf.push(b'Z');
}

/// Unix milliseconds as ISO 8601 UTC (`2025-01-03T14:05:00Z`).
pub fn format_iso_utc(ms: i64) -> String {
    let mut buf = Vec::with_capacity(24);
    push_iso(&mut buf, ms);
    String::from_utf8_lossy(&buf).into_owned()
}

#[allow(clippy::too_many_arguments)]
fn push_row(
    buf: &mut Vec<u8>,
    user: &str,
    ts_ms: i64,
    channel: &str,
    campaign: &str,
    utm: &str,
    cost: &str,
    event: &str,
    revenue: &str,
) {
    buf.extend_from_slice(user.as_bytes());
    buf.push(b',');
    push_iso(buf, ts_ms);
    for field in [channel, campaign, utm, cost, event, revenue] {
        buf.push(b',');
        buf.extend_from_slice(field.as_bytes());
    }
    buf.push(b'\n');
}

fn cost_text(cost: f64) -> String {
    format!("{}", if cost == 0.0 { 0.0 } else { cost })
}

fn revenue_text(revenue: f64) -> String {
    format!("{revenue:.2}")
}

/// Write the event-log CSV of collected rows: header [`EVENTS_HEADER`], one `touch` row per
/// touch and one `conversion` row (empty channel, campaign, utm_content and cost) per
/// conversion, timestamps ISO 8601 UTC, grouped by user and time-ordered.
pub fn write_events_csv(output: &SimOutput, out: &mut impl Write) -> io::Result<()> {
    let mut buf = Vec::with_capacity(64 * 1024);
    buf.extend_from_slice(EVENTS_HEADER.as_bytes());
    buf.push(b'\n');
    for ev in &output.events {
        if ev.is_conversion {
            let rev = revenue_text(ev.revenue);
            push_row(
                &mut buf,
                &ev.user_id,
                ev.ts_ms,
                "",
                "",
                "",
                "",
                "conversion",
                &rev,
            );
        } else {
            let cost = cost_text(ev.cost);
            push_row(
                &mut buf,
                &ev.user_id,
                ev.ts_ms,
                &ev.channel,
                &ev.campaign,
                &ev.utm_content,
                &cost,
                "touch",
                "",
            );
        }
        if buf.len() >= 60 * 1024 {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    out.write_all(&buf)
}

/// Path-table row being accumulated.
#[derive(Debug, Clone, Copy, Default)]
struct PathRow {
    conversions: u64,
    cents: i64,
    nulls: u64,
}

fn cents_text(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}{}.{:02}", c / 100, c % 100)
}

/// Sort rows (most journeys first, then by path) and write the table.
fn write_path_rows(mut rows: Vec<(String, PathRow)>, out: &mut dyn Write) -> io::Result<()> {
    rows.sort_by(|(pa, a), (pb, b)| {
        (b.conversions + b.nulls)
            .cmp(&(a.conversions + a.nulls))
            .then_with(|| pa.cmp(pb))
    });
    let mut buf = Vec::with_capacity(64 * 1024);
    buf.extend_from_slice(PATHS_HEADER.as_bytes());
    buf.push(b'\n');
    for (path, r) in rows {
        buf.extend_from_slice(
            format!(
                "{path};{};{};{}\n",
                r.conversions,
                cents_text(r.cents),
                r.nulls
            )
            .as_bytes(),
        );
        if buf.len() >= 60 * 1024 {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    out.write_all(&buf)
}

/// Write the ChannelAttribution path table of collected rows: header [`PATHS_HEADER`], one row
/// per distinct channel sequence (`a > b > c`, repeats kept), conversions, revenue (2
/// decimals) and non-converting journeys, most journeys first then by path.
pub fn write_paths_csv(output: &SimOutput, out: &mut impl Write) -> io::Result<()> {
    let mut rows: FxHashMap<String, PathRow> = FxHashMap::default();
    let mut path = String::new();
    let mut user: Option<&str> = None;
    let mut close = |path: &mut String, conv: Option<&SimEvent>| {
        if path.is_empty() {
            return;
        }
        let row = rows.entry(std::mem::take(path)).or_default();
        match conv {
            Some(c) => {
                row.conversions += 1;
                row.cents += (c.revenue * 100.0).round() as i64;
            }
            None => row.nulls += 1,
        }
    };
    for ev in &output.events {
        if user != Some(ev.user_id.as_str()) {
            close(&mut path, None);
            user = Some(ev.user_id.as_str());
        }
        if ev.is_conversion {
            close(&mut path, Some(ev));
        } else {
            if !path.is_empty() {
                path.push_str(" > ");
            }
            path.push_str(&ev.channel);
        }
    }
    close(&mut path, None);
    write_path_rows(rows.into_iter().collect(), out)
}

/// Streams journeys as events-CSV rows.
struct EventsStream {
    names: Vec<String>,
    costs: Vec<String>,
    /// (campaign, `cal-<id>`) by entry id − 1.
    tags: Vec<(String, String)>,
    buf: Vec<u8>,
    uid: String,
}

impl EventsStream {
    fn new(config: &SimConfig, entries: &[SimEntry]) -> Self {
        EventsStream {
            names: config.channels.iter().map(|c| c.name.clone()).collect(),
            costs: config
                .channels
                .iter()
                .map(|c| cost_text(c.cost_per_touch))
                .collect(),
            tags: entries
                .iter()
                .map(|e| (e.campaign.clone(), format!("cal-{}", e.id)))
                .collect(),
            buf: Vec::with_capacity(128 * 1024),
            uid: String::new(),
        }
    }

    fn push(&mut self, j: &SimJourney<'_>) {
        self.uid.clear();
        self.uid.push('u');
        self.uid.extend(decimal_digits(j.user, 6).map(char::from));
        for t in j.touches {
            let c = t.channel as usize;
            let (campaign, utm) = t
                .entry
                .and_then(|e| self.tags.get((e as usize).wrapping_sub(1)))
                .map_or(("", ""), |(a, b)| (a.as_str(), b.as_str()));
            push_row(
                &mut self.buf,
                &self.uid,
                t.ts_ms,
                self.names.get(c).map_or("?", String::as_str),
                campaign,
                utm,
                self.costs.get(c).map_or("0", String::as_str),
                "touch",
                "",
            );
        }
        if let Some(conv) = j.conversion {
            let rev = revenue_text(conv.revenue());
            push_row(
                &mut self.buf,
                &self.uid,
                conv.ts_ms,
                "",
                "",
                "",
                "",
                "conversion",
                &rev,
            );
        }
    }
}

/// Streams journeys into path-table rows.
struct PathsStream {
    rows: FxHashMap<Vec<u32>, PathRow>,
    key: Vec<u32>,
}

impl PathsStream {
    fn push(&mut self, j: &SimJourney<'_>) {
        self.key.clear();
        self.key.extend(j.touches.iter().map(|t| t.channel));
        if !self.rows.contains_key(self.key.as_slice()) {
            self.rows.insert(self.key.clone(), PathRow::default());
        }
        if let Some(row) = self.rows.get_mut(self.key.as_slice()) {
            match j.conversion {
                Some(c) => {
                    row.conversions += 1;
                    row.cents += c.revenue_cents;
                }
                None => row.nulls += 1,
            }
        }
    }

    fn write(self, names: &[String], out: &mut dyn Write) -> io::Result<()> {
        let rows = self
            .rows
            .into_iter()
            .map(|(key, r)| {
                let path = key
                    .iter()
                    .map(|&c| names.get(c as usize).map_or("?", String::as_str))
                    .collect::<Vec<_>>()
                    .join(" > ");
                (path, r)
            })
            .collect();
        write_path_rows(rows, out)
    }
}

/// Run the simulator straight into CSV writers at any scale: the events CSV (same bytes as
/// [`write_events_csv`] of [`simulate`](super::simulate)) and, when asked, the path table (same bytes as
/// [`write_paths_csv`]; only one counter per distinct path is kept). Wrap files in a
/// `BufWriter` or not: output is written in 64 KiB blocks.
pub fn simulate_to_csv(
    config: &SimConfig,
    mut events: Option<&mut dyn Write>,
    paths: Option<&mut dyn Write>,
) -> Result<SimSummary, SimWriteError> {
    let plan = Plan::new(config)?;
    let mut ev = EventsStream::new(config, &plan.entries);
    let mut ps = PathsStream {
        rows: FxHashMap::default(),
        key: Vec::new(),
    };
    if let Some(w) = events.as_deref_mut() {
        w.write_all(EVENTS_HEADER.as_bytes())?;
        w.write_all(b"\n")?;
    }
    let summary = plan.run(|j| {
        if let Some(w) = events.as_deref_mut() {
            ev.push(j);
            if ev.buf.len() >= 64 * 1024 {
                w.write_all(&ev.buf)?;
                ev.buf.clear();
            }
        }
        if paths.is_some() {
            ps.push(j);
        }
        Ok::<(), io::Error>(())
    })?;
    if let Some(w) = events {
        w.write_all(&ev.buf)?;
        w.flush()?;
    }
    if let Some(w) = paths {
        ps.write(&ev.names, w)?;
        w.flush()?;
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates() {
        assert_eq!(format_iso_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_iso_utc(1_735_913_100_000), "2025-01-03T14:05:00Z");
        assert_eq!(format_iso_utc(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(
            format_iso_utc(super::super::MAX_TS_MS),
            "9999-12-31T23:59:59.999Z"
        );
    }
}
