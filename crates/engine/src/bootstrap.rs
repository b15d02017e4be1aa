//! Confidence intervals on channel shares: a seeded Bayesian bootstrap over journeys.
//!
//! **Method.** The Bayesian bootstrap (Rubin 1981, "The Bayesian Bootstrap", Ann. Statist. 9(1))
//! gives every journey a weight wⱼ ~ Exp(1) and recomputes the statistic on the weighted data; the
//! spread of B replicates gives the interval. Summing n iid Exp(1) weights gives Gamma(n, 1), so
//! journeys that share a channel sequence are resampled together with **one Gamma draw per
//! distinct path** (one for its converting journeys, one for its non-converting ones) instead of
//! one draw per journey: the cost grows with the number of distinct paths, not with rows.
//!
//! Per replicate:
//! - rule-based models: each path's credit vector (precomputed once) is scaled by its converting
//!   weight ÷ its conversion count. For first/last/linear/position this is exact; for time-decay,
//!   whose weights also depend on timing, journeys of a path are represented by their mean credit
//!   (an approximation that ignores within-path timing variance);
//! - Markov and Shapley are recomputed from the reweighted path counts.
//!
//! The interval is the equal-tailed percentile interval (quantile type 7) of each channel's share
//! of credited conversions. Defaults: B = 200 replicates, level 95 %, seed 0x5EED. Same input and
//! seed → the same intervals.

use crate::journey::{ChannelId, JourneySet, PathAggregate};
use crate::models::{heuristic, markov, shapley, Model, ModelError, ModelParams};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Gamma};
use serde::{Deserialize, Serialize};

/// Bootstrap settings, with documented defaults.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BootstrapOptions {
    /// Number of replicates B. Default 200. 0 turns intervals off.
    pub replicates: usize,
    /// Seed of the random stream. Default 0x5EED.
    pub seed: u64,
    /// Coverage of the interval. Default 0.95.
    pub level: f64,
}

impl Default for BootstrapOptions {
    fn default() -> Self {
        BootstrapOptions {
            replicates: 200,
            seed: 0x5EED,
            level: 0.95,
        }
    }
}

/// An interval on one channel's share under one model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShareInterval {
    pub channel: ChannelId,
    pub low: f64,
    pub high: f64,
}

/// Intervals of every channel under one model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelIntervals {
    pub model: Model,
    pub replicates: usize,
    pub level: f64,
    /// One per channel, in channel-id order.
    pub channels: Vec<ShareInterval>,
}

/// A rule-based model's credit per distinct path: flat `(channel, conversions credit)` pairs.
struct PathCredit {
    offsets: Vec<usize>,
    items: Vec<(ChannelId, f64)>,
}

fn path_credit(
    set: &JourneySet,
    agg: &PathAggregate,
    of_journey: &[Option<u32>],
    model: Model,
    params: &ModelParams,
) -> PathCredit {
    // Sum the credit of every journey into its path's dense slot, then flatten sparsely.
    let width = agg.channel_count;
    let mut per_path: Vec<Vec<f64>> = vec![Vec::new(); agg.paths.len()];
    let mut w = Vec::new();
    for (j, row) in set.iter().zip(of_journey) {
        let Some(row) = row else { continue };
        if j.conversions == 0.0 {
            continue;
        }
        heuristic::weights(model, j.touches, &set.channels, params, &mut w);
        let Some(slot) = per_path.get_mut(*row as usize) else {
            continue;
        };
        if slot.is_empty() {
            slot.resize(width, 0.0);
        }
        for (t, &wi) in j.touches.iter().zip(&w) {
            if let Some(x) = slot.get_mut(t.channel as usize) {
                *x += wi * j.conversions;
            }
        }
    }
    let mut offsets = Vec::with_capacity(per_path.len() + 1);
    let mut items = Vec::new();
    offsets.push(0);
    for slot in per_path {
        for (c, &x) in slot.iter().enumerate() {
            if x != 0.0 {
                items.push((c as ChannelId, x));
            }
        }
        offsets.push(items.len());
    }
    PathCredit { offsets, items }
}

/// The aggregate a data-driven model actually needs, with fewer rows: Markov only sees paths
/// with consecutive repeats collapsed, Shapley only sees each path's set of channels. Paths with
/// the same key share a row, so each replicate re-solves a much smaller input (same result).
struct Reduced {
    model: Model,
    agg: PathAggregate,
    /// Row of `agg` for each row of the full aggregate.
    row_of: Vec<u32>,
}

impl Reduced {
    fn new(model: Model, full: &PathAggregate) -> Self {
        let mut index: rustc_hash::FxHashMap<Vec<ChannelId>, u32> = Default::default();
        let mut paths = Vec::new();
        let mut row_of = Vec::with_capacity(full.paths.len());
        for p in &full.paths {
            let mut key = p.channels.clone();
            if model == Model::Markov {
                key.dedup();
            } else {
                key.sort_unstable();
                key.dedup();
            }
            let next = paths.len() as u32;
            let row = *index.entry(key.clone()).or_insert(next);
            if row == next {
                paths.push(crate::journey::PathStat {
                    channels: key,
                    conversions: 0.0,
                    revenue: 0.0,
                    nulls: 0.0,
                    journeys: 0.0,
                });
            }
            row_of.push(row);
        }
        Reduced {
            model,
            agg: PathAggregate {
                channel_count: full.channel_count,
                paths,
            },
            row_of,
        }
    }

    /// Credited conversions per channel with the full aggregate's rows reweighted.
    fn credit(
        &mut self,
        full: &PathAggregate,
        conv_w: &[f64],
        null_w: &[f64],
        params: &ModelParams,
    ) -> Vec<f64> {
        for r in &mut self.agg.paths {
            r.conversions = 0.0;
            r.revenue = 0.0;
            r.nulls = 0.0;
            r.journeys = 0.0;
        }
        for (((p, &row), &cw), &nw) in full.paths.iter().zip(&self.row_of).zip(conv_w).zip(null_w) {
            if let Some(r) = self.agg.paths.get_mut(row as usize) {
                r.conversions += cw;
                if p.conversions > 0.0 {
                    r.revenue += p.revenue * cw / p.conversions;
                }
                r.nulls += nw;
                r.journeys += cw + nw;
            }
        }
        match self.model {
            Model::Markov => markov::channel_credit(&self.agg, params.markov_order).conversions,
            _ => shapley::channel_credit(&self.agg).0,
        }
    }
}

/// Quantile of sorted data, type 7 (linear interpolation between order statistics).
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let h = (n - 1) as f64 * q.clamp(0.0, 1.0);
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
        }
    }
}

fn shares(credit: &[f64]) -> Vec<f64> {
    let total: f64 = credit.iter().sum();
    credit
        .iter()
        .map(|&c| if total > 0.0 { c / total } else { 0.0 })
        .collect()
}

/// Bootstrap intervals on channel shares for each of `models`.
///
/// Time-decay is skipped for data without timestamps. Returns one [`ModelIntervals`] per model
/// that could run, in the order given.
pub fn intervals(
    set: &JourneySet,
    models: &[Model],
    params: &ModelParams,
    opts: &BootstrapOptions,
) -> Result<Vec<ModelIntervals>, ModelError> {
    params.validate()?;
    let models: Vec<Model> = models
        .iter()
        .copied()
        .filter(|m| *m != Model::TimeDecay || set.timed)
        .collect();
    let b = opts.replicates;
    let width = set.channels.len();
    if b == 0 || models.is_empty() {
        return Ok(Vec::new());
    }
    let (agg, of_journey) = PathAggregate::from_set_indexed(set);
    let rule_credit: Vec<Option<PathCredit>> = models
        .iter()
        .map(|&m| (!m.is_data_driven()).then(|| path_credit(set, &agg, &of_journey, m, params)))
        .collect();
    let mut reduced: Vec<Option<Reduced>> = models
        .iter()
        .map(|&m| m.is_data_driven().then(|| Reduced::new(m, &agg)))
        .collect();

    // samples[model][channel] = the B replicate shares.
    let mut samples: Vec<Vec<Vec<f64>>> = vec![vec![Vec::with_capacity(b); width]; models.len()];
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let mut conv_w = vec![0.0; agg.paths.len()];
    let mut null_w = vec![0.0; agg.paths.len()];
    let mut credit = vec![0.0; width];
    for _ in 0..b {
        for (i, p) in agg.paths.iter().enumerate() {
            conv_w[i] = gamma(&mut rng, p.conversions);
            null_w[i] = gamma(&mut rng, p.nulls);
        }
        for mi in 0..models.len() {
            let replicate = match &rule_credit[mi] {
                Some(pc) => {
                    credit.iter_mut().for_each(|x| *x = 0.0);
                    for (i, p) in agg.paths.iter().enumerate() {
                        if p.conversions <= 0.0 {
                            continue;
                        }
                        let scale = conv_w[i] / p.conversions;
                        let (lo, hi) = (pc.offsets[i], pc.offsets[i + 1]);
                        for &(c, x) in &pc.items[lo..hi] {
                            credit[c as usize] += scale * x;
                        }
                    }
                    shares(&credit)
                }
                None => match reduced.get_mut(mi).and_then(Option::as_mut) {
                    Some(r) => shares(&r.credit(&agg, &conv_w, &null_w, params)),
                    None => vec![0.0; width],
                },
            };
            for (c, s) in replicate.into_iter().enumerate() {
                if let Some(v) = samples[mi].get_mut(c) {
                    v.push(s);
                }
            }
        }
    }

    let alpha = (1.0 - opts.level.clamp(0.0, 1.0)) / 2.0;
    Ok(models
        .iter()
        .zip(samples)
        .map(|(&model, per_channel)| ModelIntervals {
            model,
            replicates: b,
            level: opts.level,
            channels: per_channel
                .into_iter()
                .enumerate()
                .map(|(c, mut v)| {
                    v.sort_by(f64::total_cmp);
                    ShareInterval {
                        channel: c as ChannelId,
                        low: quantile(&v, alpha),
                        high: quantile(&v, 1.0 - alpha),
                    }
                })
                .collect(),
        })
        .collect())
}

/// A Gamma(shape, 1) draw; 0 for a shape of 0 (a path with no journeys of that kind).
fn gamma(rng: &mut ChaCha8Rng, shape: f64) -> f64 {
    if !(shape > 0.0 && shape.is_finite()) {
        return 0.0;
    }
    if shape == 1.0 {
        // The common case (one journey per path): Gamma(1, 1) is Exp(1), sampled faster.
        return rand_distr::Exp1.sample(rng);
    }
    match Gamma::new(shape, 1.0) {
        Ok(g) => g.sample(rng),
        Err(_) => 0.0,
    }
}
