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
/// Events are grouped by user with a counting sort of their indices (stable, so file order is
/// kept within a user); a user's events are sorted by [`Event::order_key`] only when they are not
/// already in order.
pub fn build_journeys(log: &EventLog, opts: &JourneyOptions) -> JourneySet {
    let events = &log.events;
    let conversions = events.iter().filter(|e| e.is_conversion()).count();
    // User numbers come from the events themselves: `log.users` is not trusted for sizes (a
    // hand-built or deserialised log may disagree with its events).
    let users = events
        .iter()
        .map(|e| e.user() as usize + 1)
        .max()
        .unwrap_or(0);
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
