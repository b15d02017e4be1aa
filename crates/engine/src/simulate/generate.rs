//! The generator: a validated configuration turned into a plan, journeys drawn user by user from
//! one seeded stream, and the public entry points that collect or stream them.

use super::config::{SimConfig, SimError, MAX_JOURNEYS, MAX_MEAN_TOUCHES, MAX_TOUCHES};
use super::maths::{det_ln, Gen};
use super::output::{
    user_id, SimConversion, SimEntry, SimEvent, SimJourney, SimOutput, SimSummary, SimTouch,
};
use super::tally::Tally;
use crate::journey::{Channels, EntryId, JourneySet, Touch};

const GAP_MEDIAN_S: f64 = 18.0 * 3600.0;
const GAP_SIGMA: f64 = 1.2;
const GAP_RANGE_S: (f64, f64) = (600.0, 30.0 * 86_400.0);
const DELAY_MEDIAN_S: f64 = 20.0 * 60.0;
const DELAY_SIGMA: f64 = 1.0;
const DELAY_RANGE_S: (f64, f64) = (60.0, 86_400.0);
const BETWEEN_MEDIAN_S: f64 = 10.0 * 86_400.0;
const BETWEEN_SIGMA: f64 = 0.8;
const BETWEEN_RANGE_S: (f64, f64) = (3600.0, 90.0 * 86_400.0);
/// A touch picks among this many most recent entries of its channel.
const RECENT_ENTRIES: i64 = 3;

/// One journey before it is placed in time.
#[derive(Debug, Default)]
struct Draft {
    channels: Vec<u32>,
    /// Seconds from the journey's first touch.
    offsets: Vec<f64>,
    mask: u64,
    /// Bit i: interaction i of the configuration is present in this journey.
    active: u64,
    /// (cause, delay after the last touch in seconds, revenue in cents).
    conversion: Option<(u32, f64, i64)>,
}

impl Draft {
    fn duration(&self) -> f64 {
        self.offsets.last().copied().unwrap_or(0.0) + self.conversion.map_or(0.0, |c| c.1)
    }
}

/// A validated configuration with everything precomputed.
pub(super) struct Plan<'c> {
    pub(super) cfg: &'c SimConfig,
    /// Touch weight of channel c at relative position r: a[c] + r·b[c].
    weight_a: Vec<f64>,
    weight_b: Vec<f64>,
    sum_a: f64,
    sum_b: f64,
    /// Picked when rounding runs past the last weight.
    fallback: u32,
    /// Id of each channel's first entry (ids are consecutive per channel).
    first_entry: Vec<EntryId>,
    /// Publish second (offset from `base_ms`) of each channel's entries, ascending.
    publish_s: Vec<Vec<i64>>,
    pub(super) entries: Vec<SimEntry>,
    /// Each interaction's channel ids (in its order), lift and whether order matters.
    interactions: Vec<(Vec<u32>, f64, bool)>,
    /// First possible timestamp (start rounded up to a second).
    base_ms: i64,
    /// Last possible second offset from `base_ms` (timestamps stay before start + span).
    avail_s: i64,
    stop_p: f64,
    rev_mu: f64,
    gap_mu: f64,
    delay_mu: f64,
    between_mu: f64,
}

impl<'c> Plan<'c> {
    pub(super) fn new(cfg: &'c SimConfig) -> Result<Self, SimError> {
        cfg.validate()?;
        let weight_a: Vec<f64> = cfg
            .channels
            .iter()
            .map(|c| c.reach * (1.0 - c.position_bias))
            .collect();
        let weight_b: Vec<f64> = cfg
            .channels
            .iter()
            .map(|c| 2.0 * c.reach * c.position_bias)
            .collect();
        let fallback = cfg
            .channels
            .iter()
            .rposition(|c| c.reach > 0.0)
            .unwrap_or(0) as u32;
        let base_ms = cfg.start_ms.div_euclid(1000) * 1000
            + if cfg.start_ms.rem_euclid(1000) > 0 {
                1000
            } else {
                0
            };
        let end_ms = cfg.start_ms + cfg.span_ms();
        let avail_s = ((end_ms - base_ms) / 1000 - 1).max(0);

        let mut first_entry = Vec::with_capacity(cfg.channels.len());
        let mut publish_s = Vec::with_capacity(cfg.channels.len());
        let mut entries = Vec::new();
        let campaigns = cfg.campaigns.len() as i64;
        for c in &cfg.channels {
            first_entry.push(entries.len() as EntryId + 1);
            let n = c.entries as i64;
            let mut times = Vec::with_capacity(n as usize);
            for i in 0..n {
                // Evenly spread, on whole days from the start.
                let pub_s = i * avail_s / n / 86_400 * 86_400;
                times.push(pub_s);
                let campaign = if campaigns > 0 {
                    let k = (pub_s * campaigns / (avail_s + 1)).clamp(0, campaigns - 1);
                    cfg.campaigns.get(k as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                };
                entries.push(SimEntry {
                    id: entries.len() as EntryId + 1,
                    channel: c.name.clone(),
                    name: format!("{} {}", c.label(), i + 1),
                    campaign,
                    publish_ms: base_ms + pub_s * 1000,
                    touches: 0,
                    cost: 0.0,
                });
            }
            publish_s.push(times);
        }
        let interactions = cfg
            .interactions
            .iter()
            .map(|it| {
                let ids = it
                    .channels
                    .iter()
                    .filter_map(|n| cfg.channels.iter().position(|c| &c.name == n))
                    .map(|i| i as u32)
                    .collect();
                (ids, it.lift, it.ordered)
            })
            .collect();
        let sigma = cfg.revenue_sigma;
        Ok(Plan {
            interactions,
            cfg,
            sum_a: weight_a.iter().sum(),
            sum_b: weight_b.iter().sum(),
            weight_a,
            weight_b,
            fallback,
            first_entry,
            publish_s,
            entries,
            base_ms,
            avail_s,
            stop_p: 1.0 / cfg.mean_touches,
            rev_mu: det_ln(cfg.revenue_mean) - sigma * sigma / 2.0,
            gap_mu: det_ln(GAP_MEDIAN_S),
            delay_mu: det_ln(DELAY_MEDIAN_S),
            between_mu: det_ln(BETWEEN_MEDIAN_S),
        })
    }

    fn pick_channel(&self, g: &mut Gen, r: f64) -> u32 {
        let x = g.uniform() * (self.sum_a + r * self.sum_b);
        let mut acc = 0.0;
        for (c, (a, b)) in self.weight_a.iter().zip(&self.weight_b).enumerate() {
            let w = a + r * b;
            acc += w;
            if w > 0.0 && x < acc {
                return c as u32;
            }
        }
        self.fallback
    }

    fn draft(&self, g: &mut Gen, d: &mut Draft) {
        d.channels.clear();
        d.offsets.clear();
        d.mask = 0;
        d.active = 0;
        d.conversion = None;
        let mut k = 1;
        while k < MAX_TOUCHES && g.uniform() >= self.stop_p {
            k += 1;
        }
        for i in 0..k {
            let r = if k == 1 {
                0.5
            } else {
                i as f64 / (k - 1) as f64
            };
            let c = self.pick_channel(g, r);
            d.channels.push(c);
            d.mask |= 1u64 << c;
        }
        let mut t = 0.0;
        d.offsets.push(t);
        for _ in 1..k {
            t += g
                .lognormal(self.gap_mu, GAP_SIGMA)
                .clamp(GAP_RANGE_S.0, GAP_RANGE_S.1);
            d.offsets.push(t);
        }
        // The causal draw: lifts of the touched channels laid end to end in config order, then
        // those of the interactions present.
        for (i, (ids, _, ordered)) in self.interactions.iter().enumerate() {
            if present(ids, *ordered, d.mask, &d.channels) {
                d.active |= 1u64 << i;
            }
        }
        let u = g.uniform();
        let mut acc = 0.0;
        let mut cause = None;
        for (c, ch) in self.cfg.channels.iter().enumerate() {
            if d.mask & (1u64 << c) != 0 {
                acc += ch.lift;
                if u < acc {
                    cause = Some(c as u32);
                    break;
                }
            }
        }
        if cause.is_none() {
            for (i, (ids, lift, _)) in self.interactions.iter().enumerate() {
                if d.active & (1u64 << i) == 0 {
                    continue;
                }
                if u < acc + lift {
                    // The member whose equal part of the interval holds u: each member is the
                    // cause of 1/m of the interaction's conversions, with no extra draw.
                    let m = ids.len();
                    let k = (((u - acc) / lift * m as f64) as usize).min(m.saturating_sub(1));
                    cause = ids.get(k).copied();
                    break;
                }
                acc += lift;
            }
        }
        if let Some(cause) = cause {
            let delay = g
                .lognormal(self.delay_mu, DELAY_SIGMA)
                .clamp(DELAY_RANGE_S.0, DELAY_RANGE_S.1);
            let revenue = g.lognormal(self.rev_mu, self.cfg.revenue_sigma);
            let cents = ((revenue * 100.0).round() as i64).max(1);
            d.conversion = Some((cause, delay, cents));
        }
    }

    /// Per interaction, 1/m of its lift times the journeys where it was present is each member's
    /// expected share of the conversions it causes; see `Tally::finish`.
    pub(super) fn interaction_members(&self) -> Vec<(Vec<u32>, f64)> {
        self.interactions
            .iter()
            .map(|(ids, lift, _)| (ids.clone(), *lift))
            .collect()
    }

    /// Entry of a touch on channel `c` at second offset `t_s`: one of the (up to)
    /// [`RECENT_ENTRIES`] most recent entries published by then.
    fn pick_entry(&self, g: &mut Gen, c: u32, t_s: i64) -> Option<EntryId> {
        let times = self.publish_s.get(c as usize)?;
        if times.is_empty() {
            return None;
        }
        // The first entry is published at second 0, so m ≥ 1.
        let m = (times.partition_point(|&p| p <= t_s) as i64).max(1);
        let lo = (m - RECENT_ENTRIES).max(0);
        let i = (lo + (g.uniform() * (m - lo) as f64) as i64).clamp(lo, m - 1);
        Some(self.first_entry.get(c as usize)? + i as EntryId)
    }

    /// Place a draft at `origin` seconds of the user's timeline.
    fn materialise(
        &self,
        g: &mut Gen,
        d: &Draft,
        origin: f64,
        to_second: &impl Fn(f64) -> i64,
        out: &mut Vec<SimTouch>,
    ) -> Option<SimConversion> {
        out.clear();
        for (&c, &off) in d.channels.iter().zip(&d.offsets) {
            let s = to_second(origin + off);
            let cost = self
                .cfg
                .channels
                .get(c as usize)
                .map_or(0.0, |ch| ch.cost_per_touch);
            out.push(SimTouch {
                channel: c,
                entry: self.pick_entry(g, c, s),
                ts_ms: self.base_ms + s * 1000,
                cost: if cost == 0.0 { 0.0 } else { cost },
            });
        }
        d.conversion.map(|(cause, delay, cents)| {
            let last = d.offsets.last().copied().unwrap_or(0.0);
            SimConversion {
                ts_ms: self.base_ms + to_second(origin + last + delay) * 1000,
                revenue_cents: cents,
                cause,
            }
        })
    }

    /// Generate every journey, calling `sink` on each; stops at the sink's first error.
    pub(super) fn run<E>(
        &self,
        mut sink: impl FnMut(&SimJourney<'_>) -> Result<(), E>,
    ) -> Result<SimSummary, E> {
        let cfg = self.cfg;
        let nc = cfg.channels.len();
        let mut g = Gen::new(cfg.seed);
        let mut tally = Tally::new(nc, self.entries.len(), self.interaction_members());
        let (mut d1, mut d2) = (Draft::default(), Draft::default());
        let (mut t1, mut t2) = (Vec::new(), Vec::new());
        let avail = self.avail_s as f64;
        for user in 1..=cfg.journeys {
            self.draft(&mut g, &mut d1);
            let second = d1.conversion.is_some()
                && cfg.second_journey_rate > 0.0
                && g.uniform() < cfg.second_journey_rate;
            let mut between = 0.0;
            if second {
                self.draft(&mut g, &mut d2);
                between = g
                    .lognormal(self.between_mu, BETWEEN_SIGMA)
                    .clamp(BETWEEN_RANGE_S.0, BETWEEN_RANGE_S.1);
            }
            let dur1 = d1.duration();
            let total = if second {
                dur1 + between + d2.duration()
            } else {
                dur1
            };
            let factor = if total > avail { avail / total } else { 1.0 };
            let start = (g.uniform() * (avail - total * factor).max(0.0)).floor();
            let max_s = self.avail_s;
            let to_second = move |off: f64| ((start + off * factor).floor() as i64).clamp(0, max_s);

            let conv = self.materialise(&mut g, &d1, 0.0, &to_second, &mut t1);
            let j1 = SimJourney {
                user,
                index: 0,
                touches: &t1,
                conversion: conv,
            };
            if second {
                let conv2 = self.materialise(&mut g, &d2, dur1 + between, &to_second, &mut t2);
                tally.add(&j1, d1.mask, d1.active);
                sink(&j1)?;
                let j2 = SimJourney {
                    user,
                    index: 1,
                    touches: &t2,
                    conversion: conv2,
                };
                tally.add(&j2, d2.mask, d2.active);
                sink(&j2)?;
            } else {
                tally.add(&j1, d1.mask, d1.active);
                sink(&j1)?;
            }
        }
        Ok(tally.finish(self.cfg, &self.entries))
    }
}

/// Whether an interaction's channels are all in the journey (`mask`), and with `ordered`
/// touched in the listed order (a subsequence of `sequence`).
fn present(ids: &[u32], ordered: bool, mask: u64, sequence: &[u32]) -> bool {
    if !ids.iter().all(|&c| mask & (1u64 << c) != 0) {
        return false;
    }
    if !ordered {
        return true;
    }
    let mut next = ids.iter().peekable();
    for c in sequence {
        if next.peek() == Some(&c) {
            next.next();
        }
    }
    next.peek().is_none()
}

/// Generate every journey and hand each to `sink` (by user, then time); nothing is kept but
/// per-channel and per-entry counters. Returns the calendar entries and the truth.
pub fn simulate_into(
    config: &SimConfig,
    mut sink: impl FnMut(&SimJourney<'_>),
) -> Result<SimSummary, SimError> {
    let plan = Plan::new(config)?;
    let Ok(summary) = plan.run(|j| {
        sink(j);
        Ok::<(), std::convert::Infallible>(())
    });
    Ok(summary)
}

/// The calendar entries a config produces (touch counts and costs still 0).
pub fn calendar(config: &SimConfig) -> Result<Vec<SimEntry>, SimError> {
    Ok(Plan::new(config)?.entries)
}

/// A whole run as event rows (for small N: every row owns its strings).
pub fn simulate(config: &SimConfig) -> Result<SimOutput, SimError> {
    let plan = Plan::new(config)?;
    let names: Vec<&str> = config.channels.iter().map(|c| c.name.as_str()).collect();
    let tags: Vec<(String, String)> = plan
        .entries
        .iter()
        .map(|e| (e.campaign.clone(), format!("cal-{}", e.id)))
        .collect();
    let mut events = Vec::new();
    let Ok(summary) = plan.run(|j| {
        let uid = user_id(j.user);
        for t in j.touches {
            let (campaign, utm) = t
                .entry
                .and_then(|e| tags.get((e as usize).wrapping_sub(1)))
                .cloned()
                .unwrap_or_default();
            events.push(SimEvent {
                user_id: uid.clone(),
                ts_ms: t.ts_ms,
                channel: names.get(t.channel as usize).copied().unwrap_or("?").into(),
                campaign,
                utm_content: utm,
                cost: t.cost,
                is_conversion: false,
                revenue: 0.0,
            });
        }
        if let Some(c) = j.conversion {
            events.push(SimEvent {
                user_id: uid,
                ts_ms: c.ts_ms,
                channel: String::new(),
                campaign: String::new(),
                utm_content: String::new(),
                cost: 0.0,
                is_conversion: true,
                revenue: c.revenue(),
            });
        }
        Ok::<(), std::convert::Infallible>(())
    });
    Ok(SimOutput {
        entries: summary.entries,
        events,
        truth: summary.truth,
    })
}

/// Build the [`JourneySet`] of a run directly (timed; channel ids follow the config order, so
/// channels that were never touched still have a row).
pub fn simulate_journey_set(config: &SimConfig) -> Result<(JourneySet, SimSummary), SimError> {
    config.validate()?;
    let mut channels = Channels::new();
    for c in &config.channels {
        channels.intern(&c.name);
    }
    let est = config.journeys.min(MAX_JOURNEYS) as usize;
    let mut set = JourneySet::with_capacity(
        channels,
        true,
        est,
        (est as f64 * config.mean_touches.clamp(1.0, MAX_MEAN_TOUCHES)) as usize,
    );
    let mut buf: Vec<Touch> = Vec::new();
    let summary = simulate_into(config, |j| {
        let end = j.end_ms();
        buf.clear();
        buf.extend(j.touches.iter().map(|t| Touch {
            channel: t.channel,
            entry: t.entry,
            age_secs: (end - t.ts_ms) as f64 / 1000.0,
        }));
        let (conv, rev) = j.conversion.map_or((0.0, 0.0), |c| (1.0, c.revenue()));
        set.push(&buf, conv, rev, 1.0 - conv, Some(end));
    })?;
    Ok((set, summary))
}

/// Build the [`JourneySet`] of collected rows: each user's touches up to a conversion form a
/// converting journey, trailing touches a non-converting one (conversions with no touch before
/// them are dropped). Ages are seconds to the journey's end; entry ids come from `cal-<id>`.
pub fn to_journey_set(output: &SimOutput) -> JourneySet {
    let mut channels = Channels::new();
    for c in &output.truth.channels {
        channels.intern(&c.name);
    }
    let mut set = JourneySet::new(channels, true);
    let mut pending: Vec<(Touch, i64)> = Vec::new();
    let mut touches: Vec<Touch> = Vec::new();
    let mut flush =
        |set: &mut JourneySet, pending: &mut Vec<(Touch, i64)>, conv: Option<&SimEvent>| {
            let Some(last) = pending.last() else {
                return;
            };
            let end = conv.map_or(last.1, |c| c.ts_ms);
            touches.clear();
            touches.extend(pending.iter().map(|&(t, ts)| Touch {
                age_secs: (end - ts) as f64 / 1000.0,
                ..t
            }));
            let (c, r) = conv.map_or((0.0, 0.0), |c| (1.0, c.revenue));
            set.push(&touches, c, r, 1.0 - c, Some(end));
            pending.clear();
        };
    let mut user: Option<&str> = None;
    for ev in &output.events {
        if user != Some(ev.user_id.as_str()) {
            flush(&mut set, &mut pending, None);
            user = Some(ev.user_id.as_str());
        }
        if ev.is_conversion {
            flush(&mut set, &mut pending, Some(ev));
        } else {
            let channel = set.channels.intern(&ev.channel);
            let entry = ev
                .utm_content
                .strip_prefix("cal-")
                .and_then(|id| id.parse::<EntryId>().ok());
            pending.push((
                Touch {
                    channel,
                    entry,
                    age_secs: 0.0,
                },
                ev.ts_ms,
            ));
        }
    }
    flush(&mut set, &mut pending, None);
    set
}
