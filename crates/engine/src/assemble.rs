//! Journey assembly: an [`EventLog`] → a timed [`JourneySet`] (per user, lookback window,
//! repeat conversions, a non-converting tail).
//!
//! For each user (users by first appearance), events are taken by time; at equal times touches
//! come before conversion rows, then file order (the conversion of a converting touch row stays
//! right after its touch):
//! - **Each conversion closes a journey** made of the user's touches since their previous
//!   conversion that lie within the lookback window: `conversion time − touch time ≤ lookback`.
//!   Older touches are dropped; they do not carry over to later conversions. The journey has
//!   `conversions = 1`, the conversion's revenue, `nulls = 0` and `end_ms` = conversion time.
//!   A converting touch (flag on a touch row) is part of the journey it closes, with age 0.
//! - **Direct fallback**: a conversion with no touch in its window gets one synthetic touch of
//!   the channel [`DIRECT_CHANNEL`] (`(direct)`, added to the channel table when first needed)
//!   with age 0, so that credited totals still equal the observed conversions and revenue. This
//!   is what GA4 reports as Direct. A channel spelled differently (`Direct`) is not merged.
//! - **Non-converting tail**: the touches after a user's last conversion (all of them for a user
//!   who never converts) form one journey with `nulls = 1`, trimmed to the touches within the
//!   lookback of its last touch; ages and `end_ms` are measured to that last touch.
//!
//! `Touch::age_secs` is the time from the touch to its journey's end, in seconds.

use crate::journey::{ChannelId, EntryId, JourneySet, Touch};
use crate::parse::events::{Event, EventLog};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The channel of the synthetic touch given to a conversion without touches in its window.
pub const DIRECT_CHANNEL: &str = "(direct)";

const MS_PER_DAY: f64 = 86_400_000.0;

/// How journeys are cut.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct JourneyOptions {
    /// Touches older than this many days before a conversion (or before the last touch of a
    /// non-converting journey) are left out. Default 30.
    pub lookback_days: f64,
}

impl Default for JourneyOptions {
    fn default() -> Self {
        JourneyOptions {
            lookback_days: 30.0,
        }
    }
}

/// An unusable [`JourneyOptions`].
#[derive(Debug, Clone, Copy, PartialEq, Error, Serialize, Deserialize)]
pub enum JourneyError {
    #[error("the lookback window must be a finite number of days greater than 0, got {0}")]
    Lookback(f64),
}

impl JourneyOptions {
    pub fn validate(&self) -> Result<(), JourneyError> {
        if self.lookback_days.is_finite() && self.lookback_days > 0.0 {
            Ok(())
        } else {
            Err(JourneyError::Lookback(self.lookback_days))
        }
    }

    /// The window in milliseconds: NaN and non-positive values give 0 (only touches at the very
    /// instant count), +∞ gives no limit.
    pub fn lookback_ms(&self) -> i64 {
        // `as` saturates (∞ → i64::MAX); `max` maps NaN to 0.
        (self.lookback_days * MS_PER_DAY).max(0.0) as i64
    }
}

/// [`build_journeys`] after [`JourneyOptions::validate`].
pub fn try_build_journeys(
    log: &EventLog,
    opts: &JourneyOptions,
) -> Result<JourneySet, JourneyError> {
    opts.validate()?;
    Ok(build_journeys(log, opts))
}

#[derive(Debug, Clone, Copy)]
struct Pending {
    ts: i64,
    channel: ChannelId,
    entry: Option<EntryId>,
}

fn age_secs(end: i64, ts: i64) -> f64 {
    end.saturating_sub(ts) as f64 / 1000.0
}

/// Cut the events of `log` into journeys (see the module documentation). Journeys come out by
/// user (first-seen order), then by time. The lookback is used as [`JourneyOptions::lookback_ms`]
/// reads it; call [`JourneyOptions::validate`] (or [`try_build_journeys`]) to refuse bad values.
///
/// Events already grouped by user (user numbers never decreasing, as the parser gives for a file
/// grouped by user) are cut in place. Otherwise they are grouped with a counting sort of their
/// indices (stable, so file order is kept within a user). A user's events are sorted by
/// [`Event::order_key`] only when they are not already in order.
pub fn build_journeys(log: &EventLog, opts: &JourneyOptions) -> JourneySet {
    let events = &log.events;
    // One pass: conversions, users, and whether the events are already grouped by user (user
    // numbers never decrease, as in a file grouped by user). User numbers come from the events
    // themselves: `log.users` is not trusted for sizes (a hand-built or deserialised log may
    // disagree with its events).
    let mut conversions = 0usize;
    let mut max_user = 0u32;
    let mut grouped = true;
    let mut prev = 0u32;
    for e in events {
        conversions += usize::from(e.is_conversion());
        let u = e.user();
        grouped &= u >= prev;
        prev = u;
        max_user = max_user.max(u);
    }
    let users = if events.is_empty() {
        0
    } else {
        max_user as usize + 1
    };
    let mut b = Builder {
        log,
        lookback: opts.lookback_ms(),
        set: JourneySet::with_capacity(
            log.channels.clone(),
            true,
            conversions + users.min(events.len()),
            events.len(),
        ),
        direct: None,
        pending: Vec::new(),
        buf: Vec::new(),
    };
    if grouped {
        // Each user's events are one run already: no counting sort, no copy (unless a run is
        // out of time order).
        let mut scratch: Vec<Event> = Vec::new();
        for run in events.chunk_by(|a, c| a.user() == c.user()) {
            if run.is_sorted_by_key(Event::order_key) {
                b.user_sorted(run);
            } else {
                scratch.clear();
                scratch.extend_from_slice(run);
                b.user(&mut scratch);
            }
        }
        return b.set;
    }
    if u32::try_from(events.len()).is_err() || users > events.len() {
        // More events than u32 indexes, or sparse user numbers (a hand-built log): sort a copy
        // instead of counting per user.
        let mut sorted = events.clone();
        sorted.sort_by_key(Event::order_key);
        for chunk in sorted.chunk_by_mut(|a, c| a.user() == c.user()) {
            b.user(chunk);
        }
        return b.set;
    }
    // Counting sort of event indexes by user: `start[u]..start[u + 1]` are user u's.
    let mut start: Vec<u32> = vec![0; users + 1];
    for e in events {
        if let Some(c) = start.get_mut(e.user() as usize + 1) {
            *c += 1;
        }
    }
    for i in 1..start.len() {
        let prev = start.get(i - 1).copied().unwrap_or(0);
        if let Some(s) = start.get_mut(i) {
            *s += prev;
        }
    }
    let mut next: Vec<u32> = start.get(..users).unwrap_or_default().to_vec();
    let mut order = vec![0u32; events.len()];
    for (i, e) in events.iter().enumerate() {
        if let Some(n) = next.get_mut(e.user() as usize) {
            if let Some(slot) = order.get_mut(*n as usize) {
                *slot = i as u32;
            }
            *n += 1;
        }
    }
    drop(next);
    // Gather the events of a run of users into a small buffer in one tight loop (the random
    // reads overlap), then cut their journeys.
    const CHUNK: usize = 4096;
    let bound = |u: usize| start.get(u).copied().unwrap_or(0) as usize;
    let mut gathered: Vec<Event> = Vec::with_capacity(CHUNK);
    let mut u = 0;
    while u < users {
        let first = bound(u);
        let mut v = u + 1;
        while v < users && bound(v + 1) - first <= CHUNK {
            v += 1;
        }
        gathered.clear();
        // A plain map (indexes are always in range) keeps this a tight loop of independent
        // loads.
        let filler = Event::conversion(0, 0, 0.0, false);
        gathered.extend(
            order
                .get(first..bound(v))
                .unwrap_or_default()
                .iter()
                .map(|&i| events.get(i as usize).copied().unwrap_or(filler)),
        );
        for w in u..v {
            if let Some(evs) = gathered.get_mut(bound(w) - first..bound(w + 1) - first) {
                b.user(evs);
            }
        }
        u = v;
    }
    b.set
}

struct Builder<'l> {
    log: &'l EventLog,
    lookback: i64,
    set: JourneySet,
    direct: Option<ChannelId>,
    pending: Vec<Pending>,
    buf: Vec<Touch>,
}

impl Builder<'_> {
    /// All journeys of one user, from their events (in file order, or any order).
    fn user(&mut self, events: &mut [Event]) {
        if !events.is_sorted_by_key(Event::order_key) {
            events.sort_by_key(Event::order_key);
        }
        self.user_sorted(events);
    }

    /// All journeys of one user, from their events sorted by [`Event::order_key`].
    fn user_sorted(&mut self, events: &[Event]) {
        self.pending.clear();
        for e in events.iter() {
            match e.touch_key() {
                Some(k) => {
                    let key = self.log.touch_keys.get(k as usize);
                    self.pending.push(Pending {
                        ts: e.ts_ms(),
                        channel: key.map_or(ChannelId::MAX, |t| t.channel),
                        entry: key.and_then(|t| t.entry),
                    });
                }
                None => self.conversion(e.ts_ms(), e.revenue()),
            }
        }
        self.tail();
    }

    /// Close a journey with the pending touches inside the window.
    fn conversion(&mut self, end: i64, revenue: f64) {
        let lookback = self.lookback;
        let first = self
            .pending
            .partition_point(|p| end.saturating_sub(p.ts) > lookback);
        self.buf.clear();
        self.buf.extend(
            self.pending
                .get(first..)
                .unwrap_or_default()
                .iter()
                .map(|p| Touch {
                    channel: p.channel,
                    entry: p.entry,
                    age_secs: age_secs(end, p.ts),
                }),
        );
        if self.buf.is_empty() {
            let set = &mut self.set;
            let d = *self
                .direct
                .get_or_insert_with(|| set.channels.intern(DIRECT_CHANNEL));
            self.buf.push(Touch {
                channel: d,
                entry: None,
                age_secs: 0.0,
            });
        }
        self.set.push(&self.buf, 1.0, revenue, 0.0, Some(end));
        self.pending.clear();
    }

    /// The non-converting journey of the touches after the user's last conversion.
    fn tail(&mut self) {
        let Some(last) = self.pending.last() else {
            return;
        };
        let end = last.ts;
        let lookback = self.lookback;
        let first = self
            .pending
            .partition_point(|p| end.saturating_sub(p.ts) > lookback);
        self.buf.clear();
        self.buf.extend(
            self.pending
                .get(first..)
                .unwrap_or_default()
                .iter()
                .map(|p| Touch {
                    channel: p.channel,
                    entry: p.entry,
                    age_secs: age_secs(end, p.ts),
                }),
        );
        self.set.push(&self.buf, 0.0, 0.0, 1.0, Some(end));
        self.pending.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::events::TouchKey;

    /// The in-place path (events grouped by user) and the counting-sort path (users
    /// interleaved) cut the same journeys, ties and flagged conversions included.
    #[test]
    fn grouped_and_interleaved_logs_agree() {
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let mut log = EventLog::default();
        for c in ["a", "b", "c"] {
            let channel = log.channels.intern(c);
            log.touch_keys.push(TouchKey {
                channel,
                campaign: None,
                source: None,
                medium: None,
                entry: Some(u64::from(channel)),
            });
        }
        let day = 86_400_000;
        for round in 0..200 {
            let users = 1 + next(8) as u32;
            let mut per_user: Vec<Vec<Event>> = Vec::new();
            for u in 0..users {
                let mut evs = Vec::new();
                for _ in 0..next(7) {
                    // Few distinct times, so ties and out-of-order rows are common.
                    let ts = next(6) as i64 * day * 10;
                    match next(4) {
                        0 => evs.push(Event::conversion(u, ts, next(100) as f64, false)),
                        1 => {
                            evs.push(Event::touch(u, ts, next(3) as u32, 1.0));
                            evs.push(Event::conversion(u, ts, 5.0, true));
                        }
                        _ => evs.push(Event::touch(u, ts, next(3) as u32, 0.5)),
                    }
                }
                per_user.push(evs);
            }
            log.events = per_user.concat();
            log.users = users as usize;
            let opts = JourneyOptions {
                lookback_days: [15.0, 35.0, 1e9][round % 3],
            };
            let grouped = build_journeys(&log, &opts);
            // Interleave users, keeping each user's own order (a flagged conversion stays
            // right after its touch).
            let mut cursors = vec![0usize; per_user.len()];
            let mut interleaved = Vec::new();
            while interleaved.len() < log.events.len() {
                let u = next(per_user.len() as u64) as usize;
                let evs = &per_user[u];
                let mut i = cursors[u];
                if i < evs.len() {
                    interleaved.push(evs[i]);
                    i += 1;
                    if i < evs.len() && evs[i].kind() == crate::parse::EventKind::FlaggedConversion
                    {
                        interleaved.push(evs[i]);
                        i += 1;
                    }
                    cursors[u] = i;
                }
            }
            let mut shuffled = log.clone();
            shuffled.events = interleaved;
            assert_eq!(build_journeys(&shuffled, &opts), grouped, "round {round}");
        }
    }
}
