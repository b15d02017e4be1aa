//! The eight attribution models and the result type they share.
//!
//! | model | module | credit rule |
//! |---|---|---|
//! | first touch | [`heuristic`] | 100 % to the first touch |
//! | last touch | [`heuristic`] | 100 % to the last touch (optionally the last non-direct one) |
//! | linear | [`heuristic`] | 1/n to each of n touches; repeats count |
//! | time-decay | [`heuristic`] | 2^(−Δt/h), normalised per journey |
//! | position-based | [`heuristic`] | 40/20/40 (configurable); 1 touch 100 %, 2 touches 50/50 |
//! | Markov | [`markov`] | exact removal effect of an order-k chain |
//! | Shapley | [`shapley`] | exact per-coalition Shapley values |
//! | data-driven (logistic) | [`logistic`] | Shapley values of a fitted logistic conversion model |
//!
//! Every model returns per channel credited conversions, revenue and share, and per calendar
//! entry credited conversions and revenue. Credit always sums to the observed totals. Markov,
//! Shapley and the logistic model credit channels and share [`entry_split`] to pass that credit on to calendar entries.

pub mod entry_split;
pub mod heuristic;
pub mod logistic;
pub mod markov;
pub mod shapley;

use crate::journey::{ChannelId, EntryId, JourneySet, PathAggregate};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Which model to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Model {
    First,
    Last,
    Linear,
    TimeDecay,
    Position,
    Markov,
    Shapley,
    Logistic,
}

impl Model {
    /// The seven models that need no training threshold (the determinism probe runs these).
    pub const CLASSIC: [Model; 7] = [
        Model::First,
        Model::Last,
        Model::Linear,
        Model::TimeDecay,
        Model::Position,
        Model::Markov,
        Model::Shapley,
    ];

    pub const ALL: [Model; 8] = [
        Model::First,
        Model::Last,
        Model::Linear,
        Model::TimeDecay,
        Model::Position,
        Model::Markov,
        Model::Shapley,
        Model::Logistic,
    ];

    /// The stable kebab-case name used by the CLI and JSON output.
    pub fn key(self) -> &'static str {
        match self {
            Model::First => "first",
            Model::Last => "last",
            Model::Linear => "linear",
            Model::TimeDecay => "time-decay",
            Model::Position => "position",
            Model::Markov => "markov",
            Model::Shapley => "shapley",
            Model::Logistic => "logistic",
        }
    }

    /// A human label.
    pub fn label(self) -> &'static str {
        match self {
            Model::First => "First touch",
            Model::Last => "Last touch",
            Model::Linear => "Linear",
            Model::TimeDecay => "Time-decay",
            Model::Position => "Position-based",
            Model::Markov => "Markov (removal effect)",
            Model::Shapley => "Shapley",
            Model::Logistic => "Data-driven (logistic)",
        }
    }

    pub fn from_key(key: &str) -> Option<Model> {
        Model::ALL.into_iter().find(|m| m.key() == key)
    }

    /// Data-driven models learn weights from the data; the rest are rules.
    pub fn is_data_driven(self) -> bool {
        matches!(self, Model::Markov | Model::Shapley | Model::Logistic)
    }
}

/// Every model parameter, with documented defaults (see [`ModelParams::default`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelParams {
    /// Time-decay half-life in days. Default 7 (Google's).
    pub half_life_days: f64,
    /// Position-based share of the first touch. Default 0.4.
    pub position_first: f64,
    /// Position-based share of the last touch. Default 0.4. The middle gets the rest.
    pub position_last: f64,
    /// Last touch skips direct touches when an earlier non-direct touch exists. Default false.
    pub last_non_direct: bool,
    /// Markov chain order k (states are k-grams), 1..=4. Default 1.
    pub markov_order: u8,
    /// Run the data-driven (logistic) model below [`logistic::MIN_CONVERSIONS`] conversions.
    /// Default false: with less data it reports why it is not active.
    pub force_logistic: bool,
}

impl Default for ModelParams {
    fn default() -> Self {
        ModelParams {
            half_life_days: 7.0,
            position_first: 0.4,
            position_last: 0.4,
            last_non_direct: false,
            markov_order: 1,
            force_logistic: false,
        }
    }
}

/// Why a model cannot run: a parameter that cannot be used, data it cannot use, or an input too
/// costly to solve exactly.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ModelError {
    #[error("time-decay half-life must be a positive number of days, got {0}")]
    HalfLife(f64),
    #[error("position weights must be between 0 and 1 and sum to at most 1, got first {first} and last {last}")]
    PositionWeights { first: f64, last: f64 },
    #[error("Markov order must be 1, 2, 3 or 4, got {0}")]
    MarkovOrder(u8),
    #[error("time-decay needs timestamps; this data (a path table) has none")]
    NoTimestamps,
    #[error("{requested} bootstrap replicates requested, over the limit of {max} by {}; a few hundred give stable intervals", .requested.saturating_sub(*.max))]
    TooManyReplicates { requested: usize, max: usize },
    #[error("the bootstrap would keep {samples} replicate shares (replicates × channels × models), over the limit of {max} by {}; use fewer replicates, models or channels", .samples.saturating_sub(*.max))]
    BootstrapTooLarge { samples: usize, max: usize },
    #[error(transparent)]
    Markov(#[from] markov::MarkovError),
    #[error("it learns from this business's own conversions and needs at least {need:.0} conversions; this data has {have:.0}. Ask for it anyway to see it on less data (the checkbox under Parameters, or --force-logistic)")]
    TooFewConversions { have: f64, need: f64 },
    #[error("exact Shapley values would take about {work:.1e} steps on this data (limit {limit:.1e}): too many distinct large channel sets; merge rare channels or use Markov")]
    ShapleyTooExpensive { work: f64, limit: f64 },
}

impl ModelParams {
    /// Check every parameter once.
    pub fn validate(&self) -> Result<(), ModelError> {
        if !(self.half_life_days.is_finite() && self.half_life_days > 0.0) {
            return Err(ModelError::HalfLife(self.half_life_days));
        }
        let (f, l) = (self.position_first, self.position_last);
        let ok = |x: f64| x.is_finite() && (0.0..=1.0).contains(&x);
        if !(ok(f) && ok(l) && f + l <= 1.0 + 1e-12) {
            return Err(ModelError::PositionWeights { first: f, last: l });
        }
        if !(1..=4).contains(&self.markov_order) {
            return Err(ModelError::MarkovOrder(self.markov_order));
        }
        Ok(())
    }
}

/// Credit given to one channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelCredit {
    pub channel: ChannelId,
    pub name: String,
    pub conversions: f64,
    pub revenue: f64,
    /// Share of all credited conversions, 0..=1.
    pub share: f64,
}

/// Credit given to one calendar entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntryCredit {
    pub entry: EntryId,
    pub conversions: f64,
    pub revenue: f64,
}

/// Model-specific diagnostics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Details {
    #[default]
    None,
    Markov(markov::MarkovDetails),
    Logistic(logistic::LogisticDetails),
}

/// What one model says about one data set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributionResult {
    pub model: Model,
    /// One row per channel of the data set, in channel-id order.
    pub channels: Vec<ChannelCredit>,
    /// One row per calendar entry seen on a touch, by entry id.
    pub entries: Vec<EntryCredit>,
    pub total_conversions: f64,
    pub total_revenue: f64,
    pub details: Details,
}

/// Run one model.
pub fn attribute(
    set: &JourneySet,
    model: Model,
    params: &ModelParams,
) -> Result<AttributionResult, ModelError> {
    params.validate()?;
    match model {
        Model::First | Model::Last | Model::Linear | Model::TimeDecay | Model::Position => {
            if model == Model::TimeDecay && !set.timed {
                return Err(ModelError::NoTimestamps);
            }
            Ok(heuristic::attribute(set, model, params))
        }
        Model::Markov => {
            let agg = crate::journey::PathAggregate::from_set(set);
            let split = entry_split::EntrySplit::new(set);
            Ok(markov::attribute_checked(
                set,
                &agg,
                &split,
                params.markov_order,
                &markov::MarkovLimits::default(),
            )?)
        }
        Model::Shapley => {
            let agg = crate::journey::PathAggregate::from_set(set);
            shapley_checked(set, &agg, &entry_split::EntrySplit::new(set))
        }
        Model::Logistic => {
            logistic::gate(set.total_conversions(), params.force_logistic)?;
            let agg = crate::journey::PathAggregate::from_set(set);
            Ok(logistic::attribute_prepared(
                set,
                &agg,
                &entry_split::EntrySplit::new(set),
            ))
        }
    }
}

/// Shapley within [`shapley::DEFAULT_MAX_WORK`] (about a second), else a typed error.
fn shapley_checked(
    set: &JourneySet,
    agg: &crate::journey::PathAggregate,
    split: &entry_split::EntrySplit,
) -> Result<AttributionResult, ModelError> {
    let work = shapley::work_estimate(agg);
    if work > shapley::DEFAULT_MAX_WORK {
        return Err(ModelError::ShapleyTooExpensive {
            work,
            limit: shapley::DEFAULT_MAX_WORK,
        });
    }
    Ok(shapley::attribute_prepared(set, agg, split))
}

/// [`attribute_all`] with the models shared out as `jobs` (the CLI's threads): the shared
/// aggregate is built first when a data-driven model needs it, then each job runs every
/// `jobs.width()`-th model. The same results, in the order of `models`.
pub fn attribute_all_with(
    set: &JourneySet,
    models: &[Model],
    params: &ModelParams,
    jobs: &dyn crate::jobs::Jobs,
) -> Vec<(Model, Result<AttributionResult, ModelError>)> {
    let width = jobs.width().clamp(1, models.len().max(1));
    if width == 1 || params.validate().is_err() {
        return attribute_all(set, models, params);
    }
    let needs_shared = models.iter().any(|&m| match m {
        Model::Logistic => logistic::gate(set.total_conversions(), params.force_logistic).is_ok(),
        Model::Markov | Model::Shapley => true,
        _ => false,
    });
    let shared = needs_shared.then(|| {
        (
            crate::journey::PathAggregate::from_set(set),
            entry_split::EntrySplit::new(set),
        )
    });
    let shared = shared.as_ref();
    let one = |m: Model| -> Result<AttributionResult, ModelError> {
        match (m, shared) {
            (Model::Logistic, Some((agg, split))) => {
                logistic::gate(set.total_conversions(), params.force_logistic)
                    .map(|()| logistic::attribute_prepared(set, agg, split))
            }
            (Model::Logistic, None) => {
                logistic::gate(set.total_conversions(), params.force_logistic).map(|()| {
                    let agg = crate::journey::PathAggregate::from_set(set);
                    let split = entry_split::EntrySplit::new(set);
                    logistic::attribute_prepared(set, &agg, &split)
                })
            }
            (Model::Markov, Some((agg, split))) => markov::attribute_checked(
                set,
                agg,
                split,
                params.markov_order,
                &markov::MarkovLimits::default(),
            )
            .map_err(ModelError::from),
            (Model::Shapley, Some((agg, split))) => shapley_checked(set, agg, split),
            _ => attribute(set, m, params),
        }
    };
    let mut slots: Vec<Vec<(usize, Result<AttributionResult, ModelError>)>> =
        (0..width).map(|_| Vec::new()).collect();
    {
        let one = &one;
        let work: Vec<Box<dyn FnOnce() + Send + '_>> = slots
            .iter_mut()
            .enumerate()
            .map(|(k, slot)| {
                Box::new(move || {
                    for (i, &m) in models.iter().enumerate().skip(k).step_by(width) {
                        slot.push((i, one(m)));
                    }
                }) as Box<dyn FnOnce() + Send + '_>
            })
            .collect();
        jobs.run(work);
    }
    let mut results: Vec<Option<Result<AttributionResult, ModelError>>> =
        models.iter().map(|_| None).collect();
    for (i, r) in slots.into_iter().flatten() {
        if let Some(x) = results.get_mut(i) {
            *x = Some(r);
        }
    }
    models
        .iter()
        .zip(results)
        .map(|(&m, r)| (m, r.unwrap_or_else(|| one(m))))
        .collect()
}

/// Run several models on one data set, sharing the work they have in common (the distinct-path
/// aggregate and the calendar-entry weights of the data-driven models). Results come in the
/// order of `models`; a model that cannot run on this data (time-decay without timestamps)
/// gives its error, the others still run.
pub fn attribute_all(
    set: &JourneySet,
    models: &[Model],
    params: &ModelParams,
) -> Vec<(Model, Result<AttributionResult, ModelError>)> {
    if let Err(e) = params.validate() {
        return models.iter().map(|&m| (m, Err(e.clone()))).collect();
    }
    let mut shared: Option<(crate::journey::PathAggregate, entry_split::EntrySplit)> = None;
    models
        .iter()
        .map(|&m| {
            let result = match m {
                Model::Logistic => logistic::gate(set.total_conversions(), params.force_logistic)
                    .map(|()| {
                        let (agg, split) = shared.get_or_insert_with(|| {
                            (
                                crate::journey::PathAggregate::from_set(set),
                                entry_split::EntrySplit::new(set),
                            )
                        });
                        logistic::attribute_prepared(set, agg, split)
                    }),
                Model::Markov | Model::Shapley => {
                    let (agg, split) = shared.get_or_insert_with(|| {
                        (
                            crate::journey::PathAggregate::from_set(set),
                            entry_split::EntrySplit::new(set),
                        )
                    });
                    if m == Model::Markov {
                        markov::attribute_checked(
                            set,
                            agg,
                            split,
                            params.markov_order,
                            &markov::MarkovLimits::default(),
                        )
                        .map_err(ModelError::from)
                    } else {
                        shapley_checked(set, agg, split)
                    }
                }
                _ => attribute(set, m, params),
            };
            (m, result)
        })
        .collect()
}

/// Accumulates credit per channel and per entry, then freezes into an [`AttributionResult`].
#[derive(Debug, Clone)]
pub struct CreditSheet {
    conv: Vec<f64>,
    rev: Vec<f64>,
    entries: FxHashMap<EntryId, (f64, f64)>,
}

impl CreditSheet {
    pub fn new(channels: usize) -> Self {
        CreditSheet {
            conv: vec![0.0; channels],
            rev: vec![0.0; channels],
            entries: FxHashMap::default(),
        }
    }

    pub fn add_channel(&mut self, channel: ChannelId, conversions: f64, revenue: f64) {
        if let (Some(c), Some(r)) = (
            self.conv.get_mut(channel as usize),
            self.rev.get_mut(channel as usize),
        ) {
            *c += conversions;
            *r += revenue;
        }
    }

    pub fn add_entry(&mut self, entry: EntryId, conversions: f64, revenue: f64) {
        let e = self.entries.entry(entry).or_insert((0.0, 0.0));
        e.0 += conversions;
        e.1 += revenue;
    }

    pub fn channel_conversions(&self) -> &[f64] {
        &self.conv
    }

    /// Credit per calendar entry so far: `(entry, conversions, revenue)`, in no set order.
    pub fn entry_credit(&self) -> impl Iterator<Item = (EntryId, f64, f64)> + '_ {
        self.entries.iter().map(|(&e, &(c, r))| (e, c, r))
    }

    pub fn finish(self, set: &JourneySet, model: Model, details: Details) -> AttributionResult {
        let total_conversions = set.total_conversions();
        let total_revenue = set.total_revenue();
        let credited: f64 = self.conv.iter().sum();
        let channels = self
            .conv
            .iter()
            .zip(&self.rev)
            .enumerate()
            .map(|(i, (&c, &r))| ChannelCredit {
                channel: i as ChannelId,
                name: set.channels.name(i as ChannelId).to_owned(),
                conversions: c,
                revenue: r,
                share: if credited > 0.0 { c / credited } else { 0.0 },
            })
            .collect();
        let mut entries: Vec<EntryCredit> = self
            .entries
            .into_iter()
            .map(|(entry, (conversions, revenue))| EntryCredit {
                entry,
                conversions,
                revenue,
            })
            .collect();
        entries.sort_by_key(|e| e.entry);
        AttributionResult {
            model,
            channels,
            entries,
            total_conversions,
            total_revenue,
            details,
        }
    }
}

// Path weights, shared by the data-driven models and the entry split.

/// A path weight: negative or non-finite counts as 0.
pub(crate) fn weight(x: f64) -> f64 {
    if x.is_finite() && x > 0.0 {
        x
    } else {
        0.0
    }
}

/// A revenue amount: non-finite counts as 0 (negative revenue, e.g. refunds, is kept).
pub(crate) fn amount(x: f64) -> f64 {
    if x.is_finite() {
        x
    } else {
        0.0
    }
}

/// Width of the per-channel vectors: the channel table, or more if a path holds a larger id.
pub(crate) fn channel_width(agg: &PathAggregate) -> usize {
    let max_id = agg
        .paths
        .iter()
        .flat_map(|p| p.channels.iter())
        .map(|&c| c as usize + 1)
        .max()
        .unwrap_or(0);
    agg.channel_count.max(max_id)
}
