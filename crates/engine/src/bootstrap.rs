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
//!
//! **Calendar entries.** The same replicates give intervals on each calendar entry's credited
//! conversions and revenue ([`EntryInterval`]). Per replicate, an entry's credit is its share of
//! the replicate's credited conversions (revenue) times the observed total, so the interval says
//! how uncertain the model's split is, not how large the totals are. Rule-based models scale each
//! path's summed entry credit by the path's weight (journeys of one channel path are tied, so the
//! entry intervals can be a little narrow when one path carries several entries); Markov and
//! Shapley split each replicate's channel credit over entries with the data set's fixed entry
//! proportions ([`crate::models::entry_split::EntrySplit`]). Entry intervals are left out when
//! replicates × entries × models × 2 exceeds [`MAX_ENTRY_BOOTSTRAP_SAMPLES`].
//!
//! **Limits.** At most [`MAX_REPLICATES`] (10,000) replicates and [`MAX_BOOTSTRAP_SAMPLES`]
//! (20 million) kept shares (replicates × channels × models); beyond either, [`intervals`] is a
//! typed error ([`ModelError::TooManyReplicates`], [`ModelError::BootstrapTooLarge`]). Shapley
//! is re-solved exactly in every replicate, so its intervals are left out (like time-decay's
//! without timestamps) when replicates × its work estimate exceeds [`MAX_SHAPLEY_BOOTSTRAP_WORK`]
//! (ten times the point estimate's budget, about ten seconds).
//!
//! **Sampling, bit for bit on every target.** The weights come from one `ChaCha8Rng` stream and
//! portable maths only, so the CLI (native) and the browser (wasm32) give the same intervals to
//! the last bit ([`crate::determinism`] checks this on both). Gamma(a, 1) with a ≥ 1 is drawn by
//! Marsaglia & Tsang's squeeze-and-reject method (G. Marsaglia and W. W. Tsang 2000, "A simple
//! method for generating gamma variables", ACM Trans. Math. Softw. 26(3), 363–372): with
//! d = a − 1/3 and c = 1/√(9d), draw x ~ N(0, 1) and u ~ U(0, 1), set v = (1 + c·x)³, and accept
//! d·v when v > 0 and either u < 1 − 0.0331·x⁴ or ln u < x²/2 + d·(1 − v + ln v). For a < 1,
//! Gamma(a) = Gamma(a + 1) · U^(1/a) (same paper, §6). Gamma(1, 1) = Exp(1), the common case (one
//! journey per path), is drawn by the ziggurat method with 256 strips (G. Marsaglia and W. W.
//! Tsang 2000, "The ziggurat method for generating random variables", J. Stat. Softw. 5(8)), its
//! tables built with `libm` when the bootstrap starts. Normals come from Marsaglia's polar method (the second value of each pair is kept
//! for the next draw). Uniforms are 53-bit (`rand`'s `f64`), and every `ln`, `exp` and `pow` is
//! the pure-Rust `libm` crate's, never the platform's maths library, whose last bit may differ
//! between targets (glibc natively, a `libm` port on wasm32). The price, measured with the CLI
//! (`--profile fast`, 100 000 simulated journeys, B = 200, best of several runs): models plus
//! bootstrap take 113 → 120 ms for the four rule-based models and 378 → 385 ms for all seven,
//! against `rand_distr`'s samplers (Exp(1) by inversion instead of the ziggurat took 140 ms and
//! 406 ms: a hand-written ziggurat is kept because it matters).

use crate::jobs::{Jobs, OneByOne};
use crate::journey::{ChannelId, EntryId, JourneySet, PathAggregate};
use crate::models::entry_split::EntrySplit;
use crate::models::{heuristic, markov, shapley, Model, ModelError, ModelParams};
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Most replicates [`intervals`] runs; more is [`ModelError::TooManyReplicates`]. Past a few
/// thousand the interval ends move by less than their own rounding.
pub const MAX_REPLICATES: usize = 10_000;

/// Most replicate shares [`intervals`] keeps (replicates × channels × models, 8 bytes each, so
/// 160 MB); more is [`ModelError::BootstrapTooLarge`].
pub const MAX_BOOTSTRAP_SAMPLES: usize = 20_000_000;

/// Most entry replicate values [`intervals`] keeps (replicates × entries × models × 2, 8 bytes
/// each, so 160 MB); above it the entries get no interval (the channels still do).
pub const MAX_ENTRY_BOOTSTRAP_SAMPLES: usize = 20_000_000;

/// Most Shapley work (replicates × `shapley::work_estimate`) [`intervals`] spends; above it
/// Shapley gets no interval.
pub const MAX_SHAPLEY_BOOTSTRAP_WORK: f64 = 10.0 * shapley::DEFAULT_MAX_WORK;

/// Whether `replicates` Shapley solves of `work` each fit in [`MAX_SHAPLEY_BOOTSTRAP_WORK`].
fn shapley_fits(work: f64, replicates: usize) -> bool {
    work * replicates as f64 <= MAX_SHAPLEY_BOOTSTRAP_WORK
}

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

/// An interval on one calendar entry's credited conversions and revenue under one model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntryInterval {
    pub entry: EntryId,
    pub conversions_low: f64,
    pub conversions_high: f64,
    pub revenue_low: f64,
    pub revenue_high: f64,
}

/// Intervals of every channel (and calendar entry) under one model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelIntervals {
    pub model: Model,
    pub replicates: usize,
    pub level: f64,
    /// One per channel, in channel-id order.
    pub channels: Vec<ShareInterval>,
    /// One per calendar entry seen on a touch, by entry id (empty when over
    /// [`MAX_ENTRY_BOOTSTRAP_SAMPLES`]).
    #[serde(default)]
    pub entries: Vec<EntryInterval>,
    /// All calendar entries together (the credit of tagged touches), when there are entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entries_total: Option<EntryInterval>,
}

/// A rule-based model's credit per distinct path and calendar entry: flat
/// `(entry index, conversions credit, revenue credit)` triples.
struct PathEntryCredit {
    offsets: Vec<usize>,
    items: Vec<(u32, f64, f64)>,
}

fn path_entry_credit(
    set: &JourneySet,
    agg: &PathAggregate,
    of_journey: &[Option<u32>],
    entry_index: &BTreeMap<EntryId, u32>,
    model: Model,
    params: &ModelParams,
) -> PathEntryCredit {
    let mut per_path: Vec<BTreeMap<u32, (f64, f64)>> = vec![BTreeMap::new(); agg.paths.len()];
    let mut w = Vec::new();
    for (j, row) in set.iter().zip(of_journey) {
        let Some(row) = row else { continue };
        if j.conversions == 0.0 || !j.touches.iter().any(|t| t.entry.is_some()) {
            continue;
        }
        heuristic::weights(model, j.touches, &set.channels, params, &mut w);
        let Some(slot) = per_path.get_mut(*row as usize) else {
            continue;
        };
        for (t, &wi) in j.touches.iter().zip(&w) {
            if let Some(k) = t.entry.and_then(|e| entry_index.get(&e)) {
                let x = slot.entry(*k).or_insert((0.0, 0.0));
                x.0 += wi * j.conversions;
                x.1 += wi * j.revenue;
            }
        }
    }
    let mut offsets = Vec::with_capacity(per_path.len() + 1);
    let mut items = Vec::new();
    offsets.push(0);
    for slot in per_path {
        items.extend(slot.into_iter().map(|(k, (c, r))| (k, c, r)));
        offsets.push(items.len());
    }
    PathEntryCredit { offsets, items }
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
#[derive(Clone)]
struct Reduced {
    model: Model,
    agg: PathAggregate,
    /// Row of `agg` for each row of the full aggregate.
    row_of: Vec<u32>,
    /// Markov at order 1: the reduced paths flattened once for the replicates' re-solves.
    order1: Option<markov::Order1Paths>,
}

impl Reduced {
    fn new(model: Model, full: &PathAggregate, params: &ModelParams) -> Self {
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
        let agg = PathAggregate {
            channel_count: full.channel_count,
            paths,
        };
        let order1 = (model == Model::Markov && params.markov_order.clamp(1, 4) == 1)
            .then(|| markov::Order1Paths::new(&agg))
            .flatten();
        Reduced {
            model,
            agg,
            row_of,
            order1,
        }
    }

    /// Credited conversions and revenue per channel with the full aggregate's rows reweighted.
    fn credit(
        &mut self,
        full: &PathAggregate,
        conv_w: &[f64],
        null_w: &[f64],
        params: &ModelParams,
    ) -> (Vec<f64>, Vec<f64>) {
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
            Model::Markov => {
                let c = match &self.order1 {
                    Some(flat) => flat.channel_credit(&self.agg),
                    None => markov::channel_credit(&self.agg, params.markov_order),
                };
                (c.conversions, c.revenue)
            }
            Model::Logistic => crate::models::logistic::channel_credit(&self.agg),
            _ => shapley::channel_credit(&self.agg),
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
/// Time-decay is skipped for data without timestamps, Shapley above
/// [`MAX_SHAPLEY_BOOTSTRAP_WORK`]. Returns one [`ModelIntervals`] per model that could run, in
/// the order given.
pub fn intervals(
    set: &JourneySet,
    models: &[Model],
    params: &ModelParams,
    opts: &BootstrapOptions,
) -> Result<Vec<ModelIntervals>, ModelError> {
    intervals_with(set, models, params, opts, &OneByOne)
}

/// [`intervals`] with the replicates shared out as `jobs` (the CLI runs them on its threads):
/// the same intervals to the last bit, since every shard draws the same weight stream and keeps
/// the replicates that are its own.
pub fn intervals_with(
    set: &JourneySet,
    models: &[Model],
    params: &ModelParams,
    opts: &BootstrapOptions,
    jobs: &dyn Jobs,
) -> Result<Vec<ModelIntervals>, ModelError> {
    params.validate()?;
    let models: Vec<Model> = models
        .iter()
        .copied()
        .filter(|m| *m != Model::TimeDecay || set.timed)
        .filter(|m| {
            *m != Model::Logistic
                || crate::models::logistic::gate(set.total_conversions(), params.force_logistic)
                    .is_ok()
        })
        .collect();
    let b = opts.replicates;
    let width = set.channels.len();
    if b > MAX_REPLICATES {
        return Err(ModelError::TooManyReplicates {
            requested: b,
            max: MAX_REPLICATES,
        });
    }
    if b == 0 || models.is_empty() {
        return Ok(Vec::new());
    }
    let samples_needed = b.saturating_mul(width).saturating_mul(models.len());
    if samples_needed > MAX_BOOTSTRAP_SAMPLES {
        return Err(ModelError::BootstrapTooLarge {
            samples: samples_needed,
            max: MAX_BOOTSTRAP_SAMPLES,
        });
    }
    let (agg, of_journey) = PathAggregate::from_set_indexed(set);
    let models: Vec<Model> =
        if models.contains(&Model::Shapley) && !shapley_fits(shapley::work_estimate(&agg), b) {
            models
                .into_iter()
                .filter(|m| *m != Model::Shapley)
                .collect()
        } else {
            models
        };
    if models.is_empty() {
        return Ok(Vec::new());
    }
    let rule_credit: Vec<Option<PathCredit>> = models
        .iter()
        .map(|&m| (!m.is_data_driven()).then(|| path_credit(set, &agg, &of_journey, m, params)))
        .collect();
    let reduced: Vec<Option<Reduced>> = models
        .iter()
        .map(|&m| m.is_data_driven().then(|| Reduced::new(m, &agg, params)))
        .collect();

    // Calendar entries, densely indexed in id order, when their samples fit.
    let mut entry_ids: Vec<EntryId> = set
        .iter()
        .flat_map(|j| j.touches.iter().filter_map(|t| t.entry))
        .collect();
    entry_ids.sort_unstable();
    entry_ids.dedup();
    let entry_fits = b
        .saturating_mul(entry_ids.len())
        .saturating_mul(models.len())
        .saturating_mul(2)
        <= MAX_ENTRY_BOOTSTRAP_SAMPLES;
    if !entry_fits {
        entry_ids.clear();
    }
    let entry_index: BTreeMap<EntryId, u32> = entry_ids
        .iter()
        .enumerate()
        .map(|(i, &e)| (e, i as u32))
        .collect();
    let with_entries = !entry_ids.is_empty();
    let rule_entries: Vec<Option<PathEntryCredit>> = models
        .iter()
        .map(|&m| {
            (with_entries && !m.is_data_driven())
                .then(|| path_entry_credit(set, &agg, &of_journey, &entry_index, m, params))
        })
        .collect();
    let split =
        (with_entries && models.iter().any(|m| m.is_data_driven())).then(|| EntrySplit::new(set));
    let converting: Vec<u32> = (0..agg.paths.len() as u32)
        .filter(|&i| {
            agg.paths
                .get(i as usize)
                .is_some_and(|p| p.conversions > 0.0)
        })
        .collect();

    let ctx = Shared {
        set,
        agg: &agg,
        models: &models,
        params,
        rule_credit: &rule_credit,
        rule_entries: &rule_entries,
        split: split.as_ref(),
        entry_index: &entry_index,
        converting: &converting,
        entries: entry_ids.len(),
        b,
        seed: opts.seed,
    };
    // Every shard draws the whole weight stream (so replicate r gets the same weights however
    // many shards there are) and computes the replicates r with r % shards == its index.
    let shards = jobs.width().clamp(1, b);
    let mut outs: Vec<Option<Samples>> = (0..shards).map(|_| None).collect();
    {
        let ctx = &ctx;
        let mut work: Vec<Box<dyn FnOnce() + Send + '_>> = Vec::with_capacity(shards);
        for (k, slot) in outs.iter_mut().enumerate() {
            let mut reduced = reduced.clone();
            work.push(Box::new(move || {
                *slot = Some(ctx.replicates(k, shards, &mut reduced));
            }));
        }
        jobs.run(work);
    }
    let mut samples: Vec<Vec<Vec<f64>>> = vec![vec![Vec::with_capacity(b); width]; models.len()];
    let mut entry_samples: Vec<Vec<Vec<(f64, f64)>>> =
        vec![vec![Vec::with_capacity(b); entry_ids.len()]; models.len()];
    let mut total_samples: Vec<Vec<(f64, f64)>> =
        vec![Vec::with_capacity(if with_entries { b } else { 0 }); models.len()];
    for (k, out) in outs.into_iter().enumerate() {
        let out = match out {
            Some(o) => o,
            None => ctx.replicates(k, shards, &mut reduced.clone()),
        };
        for (all, part) in samples.iter_mut().zip(out.channels) {
            for (a, p) in all.iter_mut().zip(part) {
                a.extend(p);
            }
        }
        for (all, part) in entry_samples.iter_mut().zip(out.entries) {
            for (a, p) in all.iter_mut().zip(part) {
                a.extend(p);
            }
        }
        for (a, p) in total_samples.iter_mut().zip(out.totals) {
            a.extend(p);
        }
    }

    let alpha = (1.0 - opts.level.clamp(0.0, 1.0)) / 2.0;
    let ends = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        (quantile(&v, alpha), quantile(&v, 1.0 - alpha))
    };
    let entry_interval = |entry: EntryId, v: Vec<(f64, f64)>| {
        let (conv, rev): (Vec<f64>, Vec<f64>) = v.into_iter().unzip();
        let (conversions_low, conversions_high) = ends(conv);
        let (revenue_low, revenue_high) = ends(rev);
        EntryInterval {
            entry,
            conversions_low,
            conversions_high,
            revenue_low,
            revenue_high,
        }
    };
    Ok(models
        .iter()
        .zip(samples)
        .zip(entry_samples)
        .zip(total_samples)
        .map(
            |(((&model, per_channel), per_entry), totals)| ModelIntervals {
                model,
                replicates: b,
                level: opts.level,
                channels: per_channel
                    .into_iter()
                    .enumerate()
                    .map(|(c, v)| {
                        let (low, high) = ends(v);
                        ShareInterval {
                            channel: c as ChannelId,
                            low,
                            high,
                        }
                    })
                    .collect(),
                entries: per_entry
                    .into_iter()
                    .zip(&entry_ids)
                    .map(|(v, &entry)| entry_interval(entry, v))
                    .collect(),
                entries_total: (!totals.is_empty()).then(|| entry_interval(0, totals)),
            },
        )
        .collect())
}

/// What every replicate reads: the data, its aggregate and the precomputed per-path credit.
#[derive(Clone, Copy)]
struct Shared<'a> {
    set: &'a JourneySet,
    agg: &'a PathAggregate,
    models: &'a [Model],
    params: &'a ModelParams,
    rule_credit: &'a [Option<PathCredit>],
    rule_entries: &'a [Option<PathEntryCredit>],
    split: Option<&'a EntrySplit>,
    entry_index: &'a BTreeMap<EntryId, u32>,
    /// The rows of `agg` with conversions (the only ones rule-based credit reads; the same test
    /// as before, `!(conversions <= 0)`, so the same rows).
    converting: &'a [u32],
    /// Calendar entries with intervals (0 when none or over the limit).
    entries: usize,
    b: usize,
    seed: u64,
}

/// One shard's replicate values: per model, per channel (per entry) the shard's replicates.
struct Samples {
    channels: Vec<Vec<Vec<f64>>>,
    entries: Vec<Vec<Vec<(f64, f64)>>>,
    totals: Vec<Vec<(f64, f64)>>,
}

impl Shared<'_> {
    /// The replicates r < B with r % `shards` == `shard`, from the whole weight stream.
    fn replicates(&self, shard: usize, shards: usize, reduced: &mut [Option<Reduced>]) -> Samples {
        // samples[model][channel] = the shard's replicate shares; entry_samples[model][entry] = its
        // replicate (conversions, revenue).
        let Shared {
            set,
            agg,
            models,
            params,
            rule_credit,
            rule_entries,
            split,
            entry_index,
            converting,
            entries,
            b,
            seed,
        } = *self;
        let width = set.channels.len();
        let with_entries = entries > 0;
        let total_conversions = set.total_conversions();
        let total_revenue = set.total_revenue();
        let mine = (0..b).filter(|r| r % shards == shard).count();
        let mut samples: Vec<Vec<Vec<f64>>> =
            vec![vec![Vec::with_capacity(mine); width]; models.len()];
        let mut entry_samples: Vec<Vec<Vec<(f64, f64)>>> =
            vec![vec![Vec::with_capacity(mine); entries]; models.len()];
        let mut total_samples: Vec<Vec<(f64, f64)>> =
            vec![Vec::with_capacity(if with_entries { mine } else { 0 }); models.len()];
        let mut weights = WeightStream::new(seed);
        let mut conv_w = vec![0.0; agg.paths.len()];
        let mut null_w = vec![0.0; agg.paths.len()];
        let mut credit = vec![0.0; width];
        let mut entry_credit = vec![(0.0, 0.0); entries];
        for r in 0..b {
            for (i, p) in agg.paths.iter().enumerate() {
                conv_w[i] = weights.gamma(p.conversions);
                null_w[i] = weights.gamma(p.nulls);
            }
            if r % shards != shard {
                continue;
            }
            // The replicate's totals, to turn entry credit into shares of the observed totals.
            let (mut rep_conv, mut rep_rev) = (0.0, 0.0);
            if with_entries {
                for (i, p) in agg.paths.iter().enumerate() {
                    if p.conversions > 0.0 {
                        rep_conv += conv_w[i];
                        rep_rev += p.revenue * conv_w[i] / p.conversions;
                    }
                }
            }
            for mi in 0..models.len() {
                entry_credit.iter_mut().for_each(|x| *x = (0.0, 0.0));
                let replicate = match &rule_credit[mi] {
                    Some(pc) => {
                        credit.iter_mut().for_each(|x| *x = 0.0);
                        for &i in converting {
                            let i = i as usize;
                            let Some(p) = agg.paths.get(i) else { continue };
                            let scale = conv_w[i] / p.conversions;
                            let (lo, hi) = (pc.offsets[i], pc.offsets[i + 1]);
                            for &(c, x) in &pc.items[lo..hi] {
                                credit[c as usize] += scale * x;
                            }
                            if let Some(pe) = rule_entries.get(mi).and_then(Option::as_ref) {
                                let (lo, hi) = (pe.offsets[i], pe.offsets[i + 1]);
                                for &(k, c, r) in &pe.items[lo..hi] {
                                    if let Some(x) = entry_credit.get_mut(k as usize) {
                                        x.0 += scale * c;
                                        x.1 += scale * r;
                                    }
                                }
                            }
                        }
                        shares(&credit)
                    }
                    None => match reduced.get_mut(mi).and_then(Option::as_mut) {
                        Some(r) => {
                            let (conv, rev) = r.credit(agg, &conv_w, &null_w, params);
                            if let Some(split) = split {
                                for (e, c, r) in split.apply(set, &conv, &rev).entry_credit() {
                                    if let Some(x) = entry_index
                                        .get(&e)
                                        .and_then(|&k| entry_credit.get_mut(k as usize))
                                    {
                                        *x = (c, r);
                                    }
                                }
                            }
                            shares(&conv)
                        }
                        None => vec![0.0; width],
                    },
                };
                for (c, s) in replicate.into_iter().enumerate() {
                    if let Some(v) = samples[mi].get_mut(c) {
                        v.push(s);
                    }
                }
                if with_entries {
                    let to_total = |x: f64, rep: f64, total: f64| {
                        if rep > 0.0 {
                            x / rep * total
                        } else {
                            0.0
                        }
                    };
                    let mut sum = (0.0, 0.0);
                    for (k, &(c, r)) in entry_credit.iter().enumerate() {
                        let x = (
                            to_total(c, rep_conv, total_conversions),
                            to_total(r, rep_rev, total_revenue),
                        );
                        sum.0 += x.0;
                        sum.1 += x.1;
                        if let Some(v) = entry_samples[mi].get_mut(k) {
                            v.push(x);
                        }
                    }
                    if let Some(v) = total_samples.get_mut(mi) {
                        v.push(sum);
                    }
                }
            }
        }

        Samples {
            channels: samples,
            entries: entry_samples,
            totals: total_samples,
        }
    }
}

/// The bootstrap's random weights: Gamma draws from one seeded stream with portable maths only
/// (see the module docs for the method and its source).
pub(crate) struct WeightStream {
    rng: ChaCha8Rng,
    /// The second normal of the last polar-method pair, if not used yet.
    spare_normal: Option<f64>,
    exp_layers: ExpZiggurat,
}

/// Layers of the ziggurat for the Exp(1) density f(x) = e^(−x) (Marsaglia & Tsang 2000b): 256
/// strips of equal area [`ExpZiggurat::AREA`]. Strip i (1 ≤ i ≤ 255) is the rectangle of width
/// `x[i]` between heights `f[i]` = f(x[i]) and `f[i + 1]`; strip 0 is the base rectangle of height
/// f(r), r = `x[1]`, with the tail beyond r folded into its width `x[0]` = AREA / f(r). Built with
/// `libm`, so the tables are the same bits on every target.
struct ExpZiggurat {
    x: [f64; 257],
    f: [f64; 257],
}

impl ExpZiggurat {
    /// Right edge of the base strip's rectangle for 256 strips (Marsaglia & Tsang 2000b, table 1).
    const R: f64 = 7.697_117_470_131_05;
    /// The area of every strip for that r.
    const AREA: f64 = 3.949_659_822_581_572e-3;

    fn new() -> Self {
        let mut x = [0.0; 257];
        let mut f = [0.0; 257];
        let fr = libm::exp(-Self::R);
        x[0] = Self::AREA / fr;
        x[1] = Self::R;
        for i in 1..255 {
            x[i + 1] = -libm::log(Self::AREA / x[i] + libm::exp(-x[i]));
        }
        x[256] = 0.0;
        for (fi, &xi) in f.iter_mut().zip(&x) {
            *fi = libm::exp(-xi);
        }
        f[0] = fr;
        f[256] = 1.0;
        ExpZiggurat { x, f }
    }
}

impl WeightStream {
    pub(crate) fn new(seed: u64) -> Self {
        WeightStream {
            rng: ChaCha8Rng::seed_from_u64(seed),
            spare_normal: None,
            exp_layers: ExpZiggurat::new(),
        }
    }

    /// U[0, 1) with 53 random bits.
    pub(crate) fn uniform(&mut self) -> f64 {
        self.rng.random::<f64>()
    }

    /// Standard normal, Marsaglia's polar method.
    pub(crate) fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare_normal.take() {
            return z;
        }
        loop {
            let u = 2.0 * self.uniform() - 1.0;
            let v = 2.0 * self.uniform() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                let f = libm::sqrt(-2.0 * libm::log(s) / s);
                self.spare_normal = Some(v * f);
                return u * f;
            }
        }
    }

    /// Exp(1) by the ziggurat method: one 64-bit draw picks a strip (low 8 bits) and a point
    /// across it (top 53 bits); most draws fall where the strip lies wholly under the density
    /// and are returned at once. The base strip's overhang is the tail, r + Exp(1) by inversion
    /// (1 − U lies in (0, 1], so the logarithm is finite); other overhangs are accepted under
    /// the density or drawn again.
    fn exp1(&mut self) -> f64 {
        loop {
            let bits = self.rng.next_u64();
            let i = (bits & 0xFF) as usize;
            let u = (bits >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
            let (Some(&xi), Some(&inner)) =
                (self.exp_layers.x.get(i), self.exp_layers.x.get(i + 1))
            else {
                continue; // unreachable: i ≤ 255
            };
            let x = u * xi;
            if x < inner {
                return x;
            }
            if i == 0 {
                return ExpZiggurat::R - libm::log(1.0 - self.uniform());
            }
            let (Some(&lo), Some(&hi)) = (self.exp_layers.f.get(i), self.exp_layers.f.get(i + 1))
            else {
                continue;
            };
            if lo + self.uniform() * (hi - lo) < libm::exp(-x) {
                return x;
            }
        }
    }

    /// Gamma(shape, 1) for shape ≥ 1 (Marsaglia & Tsang 2000).
    fn gamma_at_least_one(&mut self, shape: f64) -> f64 {
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / libm::sqrt(9.0 * d);
        loop {
            let x = self.normal();
            let t = 1.0 + c * x;
            if t <= 0.0 {
                continue;
            }
            let v = t * t * t;
            let u = self.uniform();
            let x2 = x * x;
            if u < 1.0 - 0.0331 * x2 * x2 {
                return d * v;
            }
            if u > 0.0 && libm::log(u) < 0.5 * x2 + d * (1.0 - v + libm::log(v)) {
                return d * v;
            }
        }
    }

    /// A Gamma(shape, 1) draw; 0 for a shape of 0 (a path with no journeys of that kind) or a
    /// shape that is not a positive finite number.
    pub(crate) fn gamma(&mut self, shape: f64) -> f64 {
        if !(shape > 0.0 && shape.is_finite()) {
            return 0.0;
        }
        if shape == 1.0 {
            // The common case (one journey per path): Gamma(1, 1) is Exp(1).
            return self.exp1();
        }
        if shape < 1.0 {
            let g = self.gamma_at_least_one(shape + 1.0);
            let u = 1.0 - self.uniform();
            return g * libm::pow(u, 1.0 / shape);
        }
        self.gamma_at_least_one(shape)
    }
}

#[cfg(test)]
mod limit_tests {
    use super::*;

    #[test]
    fn shapley_bootstrap_work_limit() {
        let limit = MAX_SHAPLEY_BOOTSTRAP_WORK;
        assert!(shapley_fits(limit / 200.0, 200));
        assert!(!shapley_fits(limit / 200.0 + 1.0, 200));
        assert!(shapley_fits(0.0, MAX_REPLICATES));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sample mean and variance of Gamma(a, 1) are both a (within 5 standard errors).
    #[test]
    fn gamma_draws_have_the_right_mean_and_variance() {
        let n = 40_000;
        for shape in [0.3, 1.0, 2.5, 17.0, 400.0] {
            let mut w = WeightStream::new(7);
            let draws: Vec<f64> = (0..n).map(|_| w.gamma(shape)).collect();
            assert!(draws.iter().all(|&g| g >= 0.0 && g.is_finite()));
            let mean = draws.iter().sum::<f64>() / n as f64;
            let var = draws.iter().map(|g| (g - mean) * (g - mean)).sum::<f64>() / (n - 1) as f64;
            let se_mean = (shape / n as f64).sqrt();
            assert!(
                (mean - shape).abs() < 5.0 * se_mean,
                "shape {shape}: mean {mean}"
            );
            // Var of the sample variance ≈ (μ4 − σ⁴)/n with μ4 = 3a² + 6a for Gamma(a, 1).
            let se_var = ((3.0 * shape * shape + 6.0 * shape - shape * shape) / n as f64).sqrt();
            assert!(
                (var - shape).abs() < 5.0 * se_var,
                "shape {shape}: variance {var}"
            );
        }
    }

    /// P(X > t) = e^(−t) for Exp(1), tail included (within 5 standard errors).
    #[test]
    fn exponential_draws_have_the_right_tail() {
        let n = 200_000;
        let mut w = WeightStream::new(11);
        let draws: Vec<f64> = (0..n).map(|_| w.exp1()).collect();
        for t in [0.1, 0.5, 1.0, 2.0, 4.0, 7.0, 8.0, 10.0] {
            let p = libm::exp(-t);
            let got = draws.iter().filter(|&&x| x > t).count() as f64 / n as f64;
            let se = (p * (1.0 - p) / n as f64).sqrt();
            assert!(
                (got - p).abs() < 5.0 * se + 1e-6,
                "P(X > {t}) = {got}, expected {p}"
            );
        }
    }

    /// The strips tile the density: the top strip has the same area as the others.
    #[test]
    fn ziggurat_strips_have_equal_areas() {
        let z = ExpZiggurat::new();
        let top = z.x[255] * (1.0 - z.f[255]);
        assert!(
            (top - ExpZiggurat::AREA).abs() < 1e-12,
            "top strip area {top}"
        );
        for i in 1..255 {
            let area = z.x[i] * (z.f[i + 1] - z.f[i]);
            assert!(
                (area - ExpZiggurat::AREA).abs() < 1e-15,
                "strip {i}: {area}"
            );
        }
    }

    #[test]
    fn gamma_of_nothing_is_zero() {
        let mut w = WeightStream::new(1);
        for shape in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert_eq!(w.gamma(shape), 0.0);
        }
    }
}
