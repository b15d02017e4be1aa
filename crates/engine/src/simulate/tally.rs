//! Running counts of a run (touches, exposures, caused conversions per channel and entry) and
//! their turning into the run's [`Truth`] and costed calendar entries.

use super::config::SimConfig;
use super::output::{SimEntry, SimJourney, SimSummary};
use crate::roi;
use crate::truth::{ChannelTruth, Truth};

/// Running counts for the truth.
pub(super) struct Tally {
    touches: Vec<u64>,
    exposed: Vec<u64>,
    caused: Vec<u64>,
    caused_cents: Vec<i64>,
    entry_touches: Vec<u64>,
    /// Each interaction's channels and lift, and how many journeys it was present in.
    interactions: Vec<(Vec<u32>, f64)>,
    present: Vec<u64>,
    journeys: u64,
    touches_total: u64,
    conversions: u64,
    cents: i64,
}

impl Tally {
    /// Zero counts for `channels` channels and `entries` calendar entries.
    pub(super) fn new(channels: usize, entries: usize, interactions: Vec<(Vec<u32>, f64)>) -> Self {
        Tally {
            present: vec![0; interactions.len()],
            interactions,
            touches: vec![0; channels],
            exposed: vec![0; channels],
            caused: vec![0; channels],
            caused_cents: vec![0; channels],
            entry_touches: vec![0; entries],
            journeys: 0,
            touches_total: 0,
            conversions: 0,
            cents: 0,
        }
    }

    pub(super) fn add(&mut self, j: &SimJourney<'_>, mask: u64, active: u64) {
        for (i, n) in self.present.iter_mut().enumerate() {
            if active & (1u64 << i) != 0 {
                *n += 1;
            }
        }
        self.journeys += 1;
        self.touches_total += j.touches.len() as u64;
        for t in j.touches {
            if let Some(n) = self.touches.get_mut(t.channel as usize) {
                *n += 1;
            }
            if let Some(n) = t
                .entry
                .and_then(|e| self.entry_touches.get_mut((e as usize).wrapping_sub(1)))
            {
                *n += 1;
            }
        }
        for (c, n) in self.exposed.iter_mut().enumerate() {
            if mask & (1u64 << c) != 0 {
                *n += 1;
            }
        }
        if let Some(conv) = j.conversion {
            self.conversions += 1;
            self.cents += conv.revenue_cents;
            if let (Some(n), Some(r)) = (
                self.caused.get_mut(conv.cause as usize),
                self.caused_cents.get_mut(conv.cause as usize),
            ) {
                *n += 1;
                *r += conv.revenue_cents;
            }
        }
    }

    /// The summary of a finished run of `cfg` whose entries (before touch counts) are `entries`.
    pub(super) fn finish(self, cfg: &SimConfig, entries: &[SimEntry]) -> SimSummary {
        let cost_of = |name: &str| {
            cfg.channels
                .iter()
                .find(|c| c.name == name)
                .map_or(0.0, |c| c.cost_per_touch)
        };
        let entries: Vec<SimEntry> = entries
            .iter()
            .zip(&self.entry_touches)
            .map(|(e, &n)| SimEntry {
                touches: n,
                cost: n as f64 * cost_of(&e.channel),
                ..e.clone()
            })
            .collect();
        let mut expected: Vec<f64> = cfg
            .channels
            .iter()
            .zip(&self.exposed)
            .map(|(c, &e)| c.lift * e as f64)
            .collect();
        for ((ids, lift), &n) in self.interactions.iter().zip(&self.present) {
            let part = lift * n as f64 / ids.len().max(1) as f64;
            for &c in ids {
                if let Some(x) = expected.get_mut(c as usize) {
                    *x += part;
                }
            }
        }
        let expected_total: f64 = expected.iter().sum();
        let share = |x: f64, total: f64| if total > 0.0 { x / total } else { 0.0 };
        let mut total_cost = 0.0;
        let channels = cfg
            .channels
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let touches = self.touches.get(i).copied().unwrap_or(0);
                let caused = self.caused.get(i).copied().unwrap_or(0);
                let cents = self.caused_cents.get(i).copied().unwrap_or(0);
                let exp = expected.get(i).copied().unwrap_or(0.0);
                let cost = touches as f64 * c.cost_per_touch;
                total_cost += cost;
                let true_revenue = cents as f64 / 100.0;
                ChannelTruth {
                    name: c.name.clone(),
                    reach: c.reach,
                    lift: c.lift,
                    touches,
                    exposed_journeys: self.exposed.get(i).copied().unwrap_or(0),
                    expected_conversions: exp,
                    expected_share: share(exp, expected_total),
                    realised_conversions: caused,
                    realised_share: share(caused as f64, self.conversions as f64),
                    true_revenue,
                    revenue_share: share(cents as f64, self.cents as f64),
                    cost,
                    true_roi: roi::roi(true_revenue, Some(cost)).ok(),
                }
            })
            .collect();
        SimSummary {
            entries,
            truth: Truth {
                seed: cfg.seed,
                users: cfg.journeys,
                journeys: self.journeys,
                touches: self.touches_total,
                conversions: self.conversions,
                revenue: self.cents as f64 / 100.0,
                cost: total_cost,
                channels,
            },
        }
    }
}
