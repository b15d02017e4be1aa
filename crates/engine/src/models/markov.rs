//! Markov chain removal effect, solved exactly (no simulation), for chain orders k = 1..=4.
//!
//! Source: Anderl, Becker, von Wangenheim & Schumann (2016), "Mapping the customer journey:
//! Lessons learned from graph-based online attribution modeling", *International Journal of
//! Research in Marketing* 33(3).
//!
//! # The chain
//!
//! The input is the data's distinct paths ([`PathAggregate::from_set`]). Consecutive repeats of a
//! channel are collapsed first (`a > a > b` becomes `a > b`). States are `(start)`,
//! `(conversion)`, `(null)` and transient *k-gram* states:
//!
//! - after the t-th (collapsed) touch of a path c₁ … cₙ the chain is in the gram
//!   (c_max(1, t−k+1), …, c_t), i.e. **the last min(t, k) channels**. For k = 1 a state is a
//!   channel. For k ≥ 2 the first k − 1 states of every path are shorter, *start-anchored* grams:
//!   at order 2 the state `a` means "a was the first touch" and is a different state from any
//!   2-gram, exactly as if each path were left-padded with `(start)`.
//! - a path with `conversions` w꜀ and `nulls` wₙ adds w꜀ + wₙ to every transition
//!   `(start) → s₁ → … → sₙ`, w꜀ to `sₙ → (conversion)` and wₙ to `sₙ → (null)`.
//!   Weights that are negative or not finite count as 0; paths with no weight are skipped.
//! - p(s → t) = count(s → t) / Σᵤ count(s → u).
//!
//! # Removal effect and credit
//!
//! P = Pr(absorbed in `(conversion)` | start in `(start)`). Removing channel c redirects every
//! transition *into* a state whose gram contains c to `(null)`; P₋꜀ is the new absorption
//! probability and the removal effect is RE꜀ = 1 − P₋꜀ / P (in [0, 1]: removal only ever lowers
//! P; rounding-level negatives are clamped to 0). Channel credit is
//! RE꜀ / Σ_d RE_d × total conversions, and the same share of total revenue (Anderl et al.'s
//! global rule). A channel that never occurs in any state gets RE = 0.
//!
//! Note that the chain is memoryless: a channel that only appears in non-converting journeys
//! can still have RE > 0 when its states lead into states that convert (`c > b` null,
//! `b` conversion gives RE_c = ½ at order 1). That is the model, not a bug; a channel whose
//! states cannot reach `(conversion)` gets exactly 0.
//!
//! **Degenerate case.** Σ RE = 0 only happens when no path carries a positive conversion weight
//! (if P > 0, removing any channel of a converting path lowers P). Then the removal effect has
//! nothing to say and conversions and revenue (which may still be non-zero, e.g. revenue on
//! zero-conversion rows) are split *linearly*: each path's weight 1/n to each of its n touches,
//! repeats counted, as the linear model does. [`MarkovDetails::credit_rule`] says which rule ran.
//! Nothing here produces NaN.
//!
//! # Solving exactly
//!
//! The absorption probabilities x (into `(conversion)`, from each transient state) satisfy
//! x = Q x + r, Q the transient → transient probabilities and r the transient →
//! `(conversion)` ones. Transitions only go from a j-gram (j < k) to a (j + 1)-gram and from a
//! k-gram to a k-gram, so only the block of k-grams can contain cycles (`a > b > a`). That
//! block is solved by
//! - dense Gaussian elimination with partial pivoting when it has at most
//!   [`DENSE_MAX_STATES`] states (exact up to rounding), else
//! - Gauss–Seidel in a fixed state order, until the residual ‖x − Qx − r‖∞ ≤
//!   [`GS_TOLERANCE`] · ‖x‖∞ (x ≤ 1, so this is at least as strict as an absolute 1e-14), at
//!   most [`GS_MAX_SWEEPS`] sweeps. A run that hits the guard is reported in
//!   [`SolverReport::converged`] and turned into [`MarkovError::NotConverged`] by
//!   [`try_channel_credit`] and [`attribute_checked`] (which `models::attribute` runs), so a
//!   non-converged solve never reaches the user as numbers.
//!
//! **Limits.** The chain has one state per distinct k-gram of the data, so input controls its
//! size: above [`MAX_STATES`] (100,000) states [`attribute_checked`] and [`try_channel_credit`]
//! refuse with [`MarkovError::TooManyStates`] before solving. The work is then bounded by
//! (channels + 1) solves of at most [`GS_MAX_SWEEPS`] sweeps over the transitions each (dense
//! solves are at most [`DENSE_MAX_STATES`]³); the channel count is bounded by the parsers
//! (`parse::DEFAULT_MAX_CHANNELS`). [`MarkovLimits`] sets both limits (tests lower them).
//!
//! and the shorter grams are then back-substituted exactly, longest first. For a removal the
//! removed states are dropped from the system (their x is 0), which is the same as zeroing the
//! transitions into them; a channel whose states all have x = 0 already is not re-solved
//! (RE = 0 exactly). Each removal's iterative solve starts from the full-chain solution. No
//! randomness anywhere.
//!
//! **Determinism.** States are sorted canonically (by gram length, then channel ids),
//! transitions by (from, to); counts are summed in path order and every sum runs in a fixed
//! order, so the same input gives bit-identical output. Hash maps are only used as indexes,
//! never iterated in arithmetic.
//!
//! # Calendar entries
//!
//! A channel's credit is split over its calendar entries, plus an untagged remainder that no
//! entry receives, in proportion to the channel's touches carrying each entry within converting
//! journeys, each touch weighted by its journey's conversions (by its journey's revenue for the
//! revenue credit; when the channel's converting journeys carry no positive revenue the
//! conversion weights are used). Repeated touches count. The split lives in
//! [`super::entry_split`], shared with the Shapley model.
//!
//! # How this differs from other tools
//!
//! - **ChannelAttribution** (Altomare & Loris, R/Python) estimates the same removal effects by
//!   *simulating* random walks on the chain (`nsim_start`, `max_step`, `seed`), so its numbers
//!   carry Monte-Carlo noise and depend on the seed; its credit rule (RE share × total) is the
//!   one used here. We solve the linear system instead: no noise, no truncation of long walks,
//!   and bit-reproducible results, which the bootstrap needs to separate data uncertainty from
//!   estimator noise.
//! - **DP6 marketing-attribution-models** (2.1.1, `run_markov`) builds the order-1 chain with
//!   transitions weighted by occurrences (self-transitions dropped, which is our collapse) and
//!   solves it with `inv(I − Q)`; its removal effects equal ours (checked: 3e-16 on 200k
//!   simulated journeys). Its channel totals differ: it splits each converting journey over that
//!   journey's channels in proportion to their removal effects and sums those pieces, so a
//!   channel's total depends on which channels it co-occurs with (7.6 percentage points from ours
//!   on that data; applying its rule to our removal effects reproduces it to 1e-13). We keep
//!   Anderl et al.'s global rule, which ChannelAttribution also uses, and support orders 2–4.
//! - **ChannelAttribution at order ≥ 2** keeps consecutive repeats (a state `a a` exists) and its
//!   first state is the first two channels together; we collapse repeats at every order and
//!   start with start-anchored shorter grams. Solving its definition exactly differs from ours by
//!   about 0.14 points on simulated data — a definitional, not numerical, difference. It also
//!   splits revenue by a separate revenue-weighted removal effect; we split revenue by the
//!   conversion shares.
//! - **GA4 data-driven attribution** is a proprietary black box; it is neither reproducible nor
//!   documented enough to match, so we do not try.

use super::entry_split::EntrySplit;
use super::{amount, channel_width, weight, AttributionResult, Details, Model};
use crate::journey::{ChannelId, Channels, JourneySet, PathAggregate};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Highest supported chain order.
pub const MAX_ORDER: u8 = 4;

/// The k-gram block is solved densely up to this many states, iteratively above.
pub const DENSE_MAX_STATES: usize = 500;

/// Gauss–Seidel stops when ‖x − Qx − r‖∞ ≤ `GS_TOLERANCE` · ‖x‖∞.
pub const GS_TOLERANCE: f64 = 1e-14;

/// Gauss–Seidel gives up after this many sweeps (each costs one pass over the non-zeros).
pub const GS_MAX_SWEEPS: usize = 10_000;

/// Most transient states a checked run builds before refusing ([`MarkovError::TooManyStates`]).
pub const MAX_STATES: usize = 100_000;

/// The limits of a checked run: [`MAX_STATES`] states and [`GS_MAX_SWEEPS`] sweeps by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarkovLimits {
    /// Most transient states.
    pub max_states: usize,
    /// Most Gauss–Seidel sweeps per system.
    pub max_sweeps: usize,
}

impl Default for MarkovLimits {
    fn default() -> Self {
        MarkovLimits {
            max_states: MAX_STATES,
            max_sweeps: GS_MAX_SWEEPS,
        }
    }
}

/// Order-1 chains accumulate transitions in a dense `(channels + 1) × channels` array up to this
/// many channels, in a hash map above.
const DENSE_ORDER1_MAX_CHANNELS: usize = 256;

/// Something the Markov model cannot do.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum MarkovError {
    #[error("Markov order must be 1, 2, 3 or 4, got {0}")]
    Order(u8),
    #[error("the linear system is singular (pivot {pivot:e} in column {column})")]
    Singular { column: usize, pivot: f64 },
    #[error("the Markov solver did not converge: relative residual {residual:e} after {sweeps} sweeps (tolerance 1e-14); the chain has near-closed loops — use order 1, or merge channels that alternate")]
    NotConverged { sweeps: usize, residual: f64 },
    #[error("transition ({from} → {to}) is outside a system of {states} states")]
    StateOutOfRange {
        from: usize,
        to: usize,
        states: usize,
    },
    #[error("the order-{order} Markov chain would have {states} states, over the limit of {max} by {}; use a lower order or merge rare channels", .states.saturating_sub(*.max))]
    TooManyStates {
        order: u8,
        states: usize,
        max: usize,
    },
    #[error("the absorption vector has {got} entries for {expected} states")]
    Length { expected: usize, got: usize },
    #[error("transition probability {value} from state {state} is not in [0, 1]")]
    Probability { state: usize, value: f64 },
    #[error("probabilities out of state {state} sum to {sum}, more than 1")]
    RowSum { state: usize, sum: f64 },
}

/// Which linear solver to use for the block of k-grams.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Solver {
    /// Dense up to [`DENSE_MAX_STATES`] states, Gauss–Seidel above.
    #[default]
    Auto,
    /// Always dense Gaussian elimination (O(m³) time, O(m²) memory).
    Dense,
    /// Always Gauss–Seidel.
    Iterative,
}

/// How the linear systems of one run were solved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SolverReport {
    /// Systems solved by Gaussian elimination.
    pub dense_solves: usize,
    /// Systems solved by Gauss–Seidel.
    pub iterative_solves: usize,
    /// Most Gauss–Seidel sweeps any one system needed.
    pub max_sweeps: usize,
    /// Largest relative residual ‖x − Qx − r‖∞ / ‖x‖∞ over all systems.
    pub max_residual: f64,
    /// Whether every system met its tolerance.
    pub converged: bool,
}

impl Default for SolverReport {
    fn default() -> Self {
        SolverReport {
            dense_solves: 0,
            iterative_solves: 0,
            max_sweeps: 0,
            max_residual: 0.0,
            converged: true,
        }
    }
}

/// Which rule produced the channel credit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CreditRule {
    /// RE꜀ / Σ RE × totals.
    #[default]
    RemovalEffect,
    /// Σ RE = 0 (no converting weight): linear split over each path's touches.
    LinearFallback,
}

/// One transition of the fitted chain, by index into [`MarkovDetails::states`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transition {
    pub from: u32,
    pub to: u32,
    pub probability: f64,
    /// Summed path weight (conversions + nulls) that took this transition.
    pub count: f64,
}

/// What the Markov model fitted and how it was solved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MarkovDetails {
    /// Chain order k.
    pub order: u8,
    /// Number of transient (k-gram) states.
    pub transient_states: usize,
    /// Pr(conversion) from `(start)`.
    pub p_conversion: f64,
    /// Removal effect per channel, indexed by channel id.
    pub removal_effects: Vec<f64>,
    /// Pr(conversion) with the channel removed, indexed by channel id.
    pub p_conversion_without: Vec<f64>,
    /// State labels: index 0 is `(start)`, 1..=n the transient states (`a`, `a>b`, …, sorted by
    /// gram length then channel id), n + 1 `(conversion)` and n + 2 `(null)`.
    pub states: Vec<String>,
    /// The channels of each state's gram (empty for start, conversion and null).
    pub state_channels: Vec<Vec<ChannelId>>,
    /// Non-zero transitions sorted by (from, to).
    pub transitions: Vec<Transition>,
    pub solver: SolverReport,
    pub credit_rule: CreditRule,
}

impl Default for MarkovDetails {
    fn default() -> Self {
        MarkovDetails {
            order: 1,
            transient_states: 0,
            p_conversion: 0.0,
            removal_effects: Vec::new(),
            p_conversion_without: Vec::new(),
            states: Vec::new(),
            state_channels: Vec::new(),
            transitions: Vec::new(),
            solver: SolverReport::default(),
            credit_rule: CreditRule::default(),
        }
    }
}

impl MarkovDetails {
    /// Index of `(start)` in [`MarkovDetails::states`].
    pub const START: u32 = 0;

    /// Index of `(conversion)` in [`MarkovDetails::states`].
    pub fn conversion_state(&self) -> u32 {
        (self.transient_states + 1) as u32
    }

    /// Index of `(null)` in [`MarkovDetails::states`].
    pub fn null_state(&self) -> u32 {
        (self.transient_states + 2) as u32
    }

    /// Relabel the transient states with channel names (labels from [`channel_credit`] use
    /// channel ids, since a [`PathAggregate`] carries no names).
    pub fn relabel(&mut self, channels: &Channels) {
        for (label, grams) in self.states.iter_mut().zip(&self.state_channels) {
            if !grams.is_empty() {
                *label = gram_label(grams, |c| channels.name(c).to_owned());
            }
        }
    }
}

/// Channel credit of the Markov model on one aggregate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarkovCredit {
    /// Credited conversions per channel id.
    pub conversions: Vec<f64>,
    /// Credited revenue per channel id.
    pub revenue: Vec<f64>,
    pub details: MarkovDetails,
}

/// Run the Markov model on a journey set (order clamped to 1..=4; `models::attribute` validates
/// it before calling).
pub fn attribute(set: &JourneySet, order: u8) -> AttributionResult {
    attribute_prepared(
        set,
        &PathAggregate::from_set(set),
        &EntrySplit::new(set),
        order,
    )
}

/// [`attribute`] with the aggregate and entry weights already computed (shared between models).
pub fn attribute_prepared(
    set: &JourneySet,
    agg: &PathAggregate,
    split: &EntrySplit,
    order: u8,
) -> AttributionResult {
    let mut credit = channel_credit(agg, order);
    credit.details.relabel(&set.channels);
    let sheet = split.apply(set, &credit.conversions, &credit.revenue);
    sheet.finish(set, Model::Markov, Details::Markov(credit.details))
}

/// [`attribute_prepared`] within `limits`: a chain over [`MarkovLimits::max_states`] states
/// or a solve that does not converge is an error, never numbers. `order` must be 1..=4.
pub fn attribute_checked(
    set: &JourneySet,
    agg: &PathAggregate,
    split: &EntrySplit,
    order: u8,
    limits: &MarkovLimits,
) -> Result<AttributionResult, MarkovError> {
    let mut credit = checked(agg, order, Solver::Auto, limits)?;
    credit.details.relabel(&set.channels);
    let sheet = split.apply(set, &credit.conversions, &credit.revenue);
    Ok(sheet.finish(set, Model::Markov, Details::Markov(credit.details)))
}

/// Per-channel Markov credit of an aggregate (possibly reweighted by the bootstrap). The order is
/// clamped to 1..=4 and a Gauss–Seidel run that hits its guard keeps its last iterate (see
/// [`SolverReport::converged`]); use [`try_channel_credit`] to get errors instead.
///
/// The vectors have length `agg.channel_count` (or more, if a path holds a larger id).
pub fn channel_credit(agg: &PathAggregate, order: u8) -> MarkovCredit {
    let order = order.clamp(1, MAX_ORDER);
    let limits = MarkovLimits {
        max_states: usize::MAX,
        max_sweeps: GS_MAX_SWEEPS,
    };
    // Without a state limit `compute` cannot fail.
    compute(agg, order, Solver::Auto, &limits).unwrap_or_else(|_| MarkovCredit {
        conversions: Vec::new(),
        revenue: Vec::new(),
        details: MarkovDetails::default(),
    })
}

/// [`channel_credit`] that rejects a bad order and a non-converged iterative solve.
pub fn try_channel_credit(agg: &PathAggregate, order: u8) -> Result<MarkovCredit, MarkovError> {
    channel_credit_with(agg, order, Solver::Auto)
}

/// [`try_channel_credit`] with an explicit solver choice.
pub fn channel_credit_with(
    agg: &PathAggregate,
    order: u8,
    solver: Solver,
) -> Result<MarkovCredit, MarkovError> {
    checked(agg, order, solver, &MarkovLimits::default())
}

/// [`channel_credit_with`] within explicit limits.
pub fn checked(
    agg: &PathAggregate,
    order: u8,
    solver: Solver,
    limits: &MarkovLimits,
) -> Result<MarkovCredit, MarkovError> {
    if !(1..=MAX_ORDER).contains(&order) {
        return Err(MarkovError::Order(order));
    }
    let credit = compute(agg, order, solver, limits)?;
    let report = &credit.details.solver;
    if !report.converged {
        return Err(MarkovError::NotConverged {
            sweeps: report.max_sweeps,
            residual: report.max_residual,
        });
    }
    Ok(credit)
}

// ---------------------------------------------------------------------------------------------
// Chain construction
// ---------------------------------------------------------------------------------------------

/// A k-gram of channels; ordered by length, then channel ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Gram {
    len: u8,
    ids: [ChannelId; MAX_ORDER as usize],
}

impl Gram {
    const EMPTY: Gram = Gram {
        len: 0,
        ids: [0; MAX_ORDER as usize],
    };

    /// Append `ch`, dropping the oldest channel when the gram already has `k` of them.
    fn push(&mut self, ch: ChannelId, k: usize) {
        let len = self.len as usize;
        if len < k {
            self.ids[len] = ch;
            self.len += 1;
        } else {
            self.ids.copy_within(1..k, 0);
            self.ids[k - 1] = ch;
        }
    }

    fn channels(&self) -> &[ChannelId] {
        &self.ids[..self.len as usize]
    }
}

fn gram_label(grams: &[ChannelId], name: impl Fn(ChannelId) -> String) -> String {
    let parts: Vec<String> = grams.iter().map(|&c| name(c)).collect();
    parts.join(">")
}

/// Transition counts with states in canonical order.
struct Counts {
    grams: Vec<Gram>,
    /// (to, count) out of `(start)`, sorted by `to`.
    start: Vec<(u32, f64)>,
    /// (from, to, count) between transient states, sorted.
    trans: Vec<(u32, u32, f64)>,
    conv: Vec<f64>,
    null: Vec<f64>,
}

/// Iterate a path's channels with consecutive repeats collapsed.
fn collapsed(channels: &[ChannelId]) -> impl Iterator<Item = ChannelId> + '_ {
    let mut last = None;
    channels.iter().copied().filter(move |&c| {
        let keep = last != Some(c);
        last = Some(c);
        keep
    })
}

/// Order 1 over few channels: dense count arrays indexed by channel id.
fn count_order1_dense(agg: &PathAggregate, width: usize) -> Counts {
    let mut d = Dense1::new(width);
    for p in &agg.paths {
        d.add(
            weight(p.conversions),
            weight(p.nulls),
            collapsed(&p.channels),
        );
    }
    d.finish()
}

/// The order-1 counts as dense arrays indexed by channel id, added path by path.
struct Dense1 {
    width: usize,
    start: Vec<f64>,
    trans: Vec<f64>,
    conv: Vec<f64>,
    null: Vec<f64>,
    seen: Vec<bool>,
}

impl Dense1 {
    fn new(width: usize) -> Self {
        Dense1 {
            width,
            start: vec![0.0; width],
            trans: vec![0.0; width * width],
            conv: vec![0.0; width],
            null: vec![0.0; width],
            seen: vec![false; width],
        }
    }

    /// One path with conversion weight `wc`, null weight `wn` and collapsed channels `path`.
    #[inline(always)]
    fn add(&mut self, wc: f64, wn: f64, path: impl Iterator<Item = ChannelId>) {
        let width = self.width;
        let w = wc + wn;
        if w <= 0.0 {
            return;
        }
        let mut prev: Option<usize> = None;
        for c in path {
            let c = c as usize;
            if let Some(s) = self.seen.get_mut(c) {
                *s = true;
            }
            let slot = match prev {
                None => self.start.get_mut(c),
                Some(f) => self.trans.get_mut(f * width + c),
            };
            if let Some(x) = slot {
                *x += w;
            }
            prev = Some(c);
        }
        if let Some(last) = prev {
            if let (Some(cv), Some(nv)) = (self.conv.get_mut(last), self.null.get_mut(last)) {
                *cv += wc;
                *nv += wn;
            }
        }
    }

    fn finish(self) -> Counts {
        let Dense1 {
            width,
            start,
            trans,
            conv,
            null,
            seen,
        } = self;
        // Canonical order = seen channels by id.
        let mut canon = vec![u32::MAX; width];
        let mut grams = Vec::new();
        for (c, _) in seen.iter().enumerate().filter(|(_, &s)| s) {
            canon[c] = grams.len() as u32;
            let mut g = Gram::EMPTY;
            g.push(c as ChannelId, 1);
            grams.push(g);
        }
        let mut out = Counts {
            start: Vec::with_capacity(grams.len()),
            trans: Vec::new(),
            conv: Vec::with_capacity(grams.len()),
            null: Vec::with_capacity(grams.len()),
            grams,
        };
        for g in &out.grams {
            let f = g.ids[0] as usize;
            if start[f] > 0.0 {
                out.start.push((canon[f], start[f]));
            }
            for (t, &cnt) in trans[f * width..(f + 1) * width].iter().enumerate() {
                if cnt > 0.0 {
                    out.trans.push((canon[f], canon[t], cnt));
                }
            }
            out.conv.push(conv[f]);
            out.null.push(null[f]);
        }
        out
    }
}

/// An aggregate's paths with consecutive repeats collapsed, flattened once: re-solving the
/// order-1 chain under new weights (each bootstrap replicate) then reads two flat arrays
/// instead of every path's own vector. Same sums in the same order, so the same bits as
/// [`channel_credit`] at order 1.
#[derive(Debug, Clone)]
pub(crate) struct Order1Paths {
    width: usize,
    offsets: Vec<u32>,
    channels: Vec<ChannelId>,
}

impl Order1Paths {
    /// `None` when the chain is not counted densely (too many channels): use [`channel_credit`].
    pub(crate) fn new(agg: &PathAggregate) -> Option<Self> {
        let width = channel_width(agg);
        if width > DENSE_ORDER1_MAX_CHANNELS {
            return None;
        }
        let mut offsets = Vec::with_capacity(agg.paths.len() + 1);
        let mut channels = Vec::new();
        offsets.push(0);
        for p in &agg.paths {
            channels.extend(collapsed(&p.channels));
            offsets.push(u32::try_from(channels.len()).ok()?);
        }
        Some(Order1Paths {
            width,
            offsets,
            channels,
        })
    }

    /// [`channel_credit`] of `agg` at order 1, for the aggregate these paths were made from
    /// (same paths, in the same order; only the weights may differ).
    pub(crate) fn channel_credit(&self, agg: &PathAggregate) -> MarkovCredit {
        let mut d = Dense1::new(self.width);
        for (i, p) in agg.paths.iter().enumerate() {
            let (a, b) = (self.offsets[i] as usize, self.offsets[i + 1] as usize);
            let path = self.channels.get(a..b).unwrap_or_default();
            d.add(weight(p.conversions), weight(p.nulls), path.iter().copied());
        }
        let limits = MarkovLimits {
            max_states: usize::MAX,
            max_sweeps: GS_MAX_SWEEPS,
        };
        solve_counts(agg, d.finish(), self.width, 1, Solver::Auto, &limits).unwrap_or_else(|_| {
            MarkovCredit {
                conversions: Vec::new(),
                revenue: Vec::new(),
                details: MarkovDetails::default(),
            }
        })
    }
}

/// Any order: grams interned in first-seen order, then sorted canonically.
///
/// Each state keeps a short list of its successors (next channel, target state, count), so a
/// touch costs a scan of that list; the gram hash map is only consulted the first time a
/// transition is seen.
fn count_general(agg: &PathAggregate, k: usize) -> Counts {
    /// Successors of one state: (next channel, target state, count).
    type Successors = Vec<(ChannelId, u32, f64)>;
    let mut index: FxHashMap<Gram, u32> = FxHashMap::default();
    let mut grams: Vec<Gram> = Vec::new();
    let mut conv: Vec<f64> = Vec::new();
    let mut null: Vec<f64> = Vec::new();
    // Row 0 is `(start)`, row i + 1 is state i.
    let mut succ: Vec<Successors> = vec![Vec::new()];
    for p in &agg.paths {
        let (wc, wn) = (weight(p.conversions), weight(p.nulls));
        let w = wc + wn;
        if w <= 0.0 {
            continue;
        }
        let mut gram = Gram::EMPTY;
        let mut row = 0usize;
        for c in collapsed(&p.channels) {
            gram.push(c, k);
            let next = match succ[row].iter_mut().find(|e| e.0 == c) {
                Some(e) => {
                    e.2 += w;
                    e.1
                }
                None => {
                    let id = *index.entry(gram).or_insert_with(|| {
                        grams.push(gram);
                        conv.push(0.0);
                        null.push(0.0);
                        succ.push(Vec::new());
                        (grams.len() - 1) as u32
                    });
                    succ[row].push((c, id, w));
                    id
                }
            };
            row = next as usize + 1;
        }
        if row > 0 {
            conv[row - 1] += wc;
            null[row - 1] += wn;
        }
    }
    // Canonical order.
    let mut order: Vec<u32> = (0..grams.len() as u32).collect();
    order.sort_by_key(|&i| grams[i as usize]);
    let mut canon = vec![0u32; grams.len()];
    for (new, &old) in order.iter().enumerate() {
        canon[old as usize] = new as u32;
    }
    let mut start: Vec<(u32, f64)> = succ[0]
        .iter()
        .map(|&(_, t, cnt)| (canon[t as usize], cnt))
        .collect();
    start.sort_by_key(|&(t, _)| t);
    let mut between = Vec::with_capacity(succ.iter().map(Vec::len).sum());
    for (from, list) in succ.iter().enumerate().skip(1) {
        let f = canon[from - 1];
        between.extend(list.iter().map(|&(_, t, cnt)| (f, canon[t as usize], cnt)));
    }
    between.sort_by_key(|&(f, t, _)| (f, t));
    Counts {
        grams: order.iter().map(|&i| grams[i as usize]).collect(),
        start,
        trans: between,
        conv: order.iter().map(|&i| conv[i as usize]).collect(),
        null: order.iter().map(|&i| null[i as usize]).collect(),
    }
}

/// The fitted chain: transient rows in CSR form with probabilities.
struct Chain {
    counts: Counts,
    /// First k-gram (the only block that can contain cycles).
    block: usize,
    row_start: Vec<usize>,
    cols: Vec<u32>,
    probs: Vec<f64>,
    conv_p: Vec<f64>,
    null_p: Vec<f64>,
    start_p: Vec<f64>,
}

impl Chain {
    fn new(counts: Counts, k: usize) -> Chain {
        let n = counts.grams.len();
        let mut row_start = Vec::with_capacity(n + 1);
        let mut cols = Vec::with_capacity(counts.trans.len());
        let mut probs = Vec::with_capacity(counts.trans.len());
        let mut conv_p = Vec::with_capacity(n);
        let mut null_p = Vec::with_capacity(n);
        let mut at = 0;
        for i in 0..n {
            row_start.push(cols.len());
            let begin = at;
            while at < counts.trans.len() && counts.trans[at].0 as usize == i {
                at += 1;
            }
            let row = &counts.trans[begin..at];
            let mut total = 0.0;
            for &(_, _, c) in row {
                total += c;
            }
            total += counts.conv[i];
            total += counts.null[i];
            let inv = if total > 0.0 { 1.0 / total } else { 0.0 };
            for &(_, t, c) in row {
                cols.push(t);
                probs.push(c * inv);
            }
            conv_p.push(counts.conv[i] * inv);
            null_p.push(counts.null[i] * inv);
        }
        row_start.push(cols.len());
        let start_total: f64 = counts.start.iter().map(|&(_, c)| c).sum();
        let sinv = if start_total > 0.0 {
            1.0 / start_total
        } else {
            0.0
        };
        let start_p = counts.start.iter().map(|&(_, c)| c * sinv).collect();
        let block = counts
            .grams
            .iter()
            .position(|g| g.len as usize == k)
            .unwrap_or(n);
        Chain {
            counts,
            block,
            row_start,
            cols,
            probs,
            conv_p,
            null_p,
            start_p,
        }
    }

    fn len(&self) -> usize {
        self.counts.grams.len()
    }

    fn row(&self, i: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let (a, b) = (self.row_start[i], self.row_start[i + 1]);
        self.cols[a..b]
            .iter()
            .zip(&self.probs[a..b])
            .map(|(&t, &p)| (t as usize, p))
    }

    /// Absorption probabilities into `(conversion)` of every transient state, with the states
    /// flagged in `removed` taken out (their x is 0). `warm` is a starting guess for the
    /// iterative solver, over all transient states.
    fn absorb(
        &self,
        removed: Option<&[bool]>,
        solver: Solver,
        warm: Option<&[f64]>,
        max_sweeps: usize,
        report: &mut SolverReport,
    ) -> Vec<f64> {
        let n = self.len();
        let is_removed = |i: usize| removed.is_some_and(|r| r[i]);
        let mut x = vec![0.0; n];
        // The k-gram block, restricted to the states still present.
        let mut local = vec![u32::MAX; n];
        let mut active = Vec::new();
        for (i, slot) in local.iter_mut().enumerate().skip(self.block) {
            if !is_removed(i) {
                *slot = active.len() as u32;
                active.push(i);
            }
        }
        if !active.is_empty() {
            let mut sys = AbsorbingSystem {
                n: active.len(),
                row_start: Vec::with_capacity(active.len() + 1),
                cols: Vec::new(),
                vals: Vec::new(),
                r: Vec::with_capacity(active.len()),
            };
            for &i in &active {
                sys.row_start.push(sys.cols.len());
                for (t, p) in self.row(i) {
                    // Targets of a k-gram are k-grams; a removed one means "go to null".
                    if let Some(&l) = local.get(t).filter(|&&l| l != u32::MAX) {
                        sys.cols.push(l);
                        sys.vals.push(p);
                    }
                }
                sys.r.push(self.conv_p[i]);
            }
            sys.row_start.push(sys.cols.len());
            let dense = match solver {
                Solver::Dense => true,
                Solver::Iterative => false,
                Solver::Auto => sys.n <= DENSE_MAX_STATES,
            };
            let mut solved = None;
            if dense {
                if let Ok(y) = sys.solve_dense() {
                    report.dense_solves += 1;
                    solved = Some(y);
                }
            }
            let y = match solved {
                Some(y) => y,
                None => {
                    let guess: Option<Vec<f64>> =
                        warm.map(|w| active.iter().map(|&i| w[i]).collect());
                    let run = sys.gauss_seidel(guess.as_deref(), max_sweeps);
                    report.iterative_solves += 1;
                    report.max_sweeps = report.max_sweeps.max(run.sweeps);
                    report.converged &= run.converged;
                    run.x
                }
            };
            let res = sys.relative_residual(&y);
            if res > report.max_residual || res.is_nan() {
                report.max_residual = res;
            }
            for (&i, v) in active.iter().zip(y) {
                x[i] = v;
            }
        }
        // Shorter grams: their targets are longer grams, already known.
        for i in (0..self.block).rev() {
            if is_removed(i) {
                continue;
            }
            let mut v = self.conv_p[i];
            for (t, p) in self.row(i) {
                v += p * x[t];
            }
            x[i] = v;
        }
        x
    }

    fn p_conversion(&self, x: &[f64]) -> f64 {
        let mut p = 0.0;
        for (&(t, _), &q) in self.counts.start.iter().zip(&self.start_p) {
            p += q * x[t as usize];
        }
        p
    }
}

fn compute(
    agg: &PathAggregate,
    order: u8,
    solver: Solver,
    limits: &MarkovLimits,
) -> Result<MarkovCredit, MarkovError> {
    let k = order as usize;
    let width = channel_width(agg);
    let counts = if k == 1 && width <= DENSE_ORDER1_MAX_CHANNELS {
        count_order1_dense(agg, width)
    } else {
        count_general(agg, k)
    };
    solve_counts(agg, counts, width, order, solver, limits)
}

/// The chain of `counts` (made from `agg` at `order`) solved, and the credit.
fn solve_counts(
    agg: &PathAggregate,
    counts: Counts,
    width: usize,
    order: u8,
    solver: Solver,
    limits: &MarkovLimits,
) -> Result<MarkovCredit, MarkovError> {
    let k = order as usize;
    if counts.grams.len() > limits.max_states {
        return Err(MarkovError::TooManyStates {
            order,
            states: counts.grams.len(),
            max: limits.max_states,
        });
    }
    let chain = Chain::new(counts, k);
    let mut report = SolverReport::default();
    let sweeps = limits.max_sweeps;
    let base = chain.absorb(None, solver, None, sweeps, &mut report);
    let p = chain.p_conversion(&base);

    // Which states each channel occurs in.
    let mut occurs: Vec<bool> = vec![false; width];
    for g in &chain.counts.grams {
        for &c in g.channels() {
            occurs[c as usize] = true;
        }
    }
    let mut removal_effects = vec![0.0; width];
    let mut p_without = vec![p; width];
    let mut removed = vec![false; chain.len()];
    for c in 0..width {
        if !occurs[c] || p <= 0.0 {
            continue;
        }
        let mut matters = false;
        for ((flag, g), &xb) in removed.iter_mut().zip(&chain.counts.grams).zip(&base) {
            *flag = g.channels().contains(&(c as ChannelId));
            matters |= *flag && xb != 0.0;
        }
        if !matters {
            // Every state of c already has Pr(conversion) = 0: removing them changes nothing.
            continue;
        }
        let x = chain.absorb(Some(&removed), solver, Some(&base), sweeps, &mut report);
        let pc = chain.p_conversion(&x);
        p_without[c] = pc;
        let re = 1.0 - pc / p;
        removal_effects[c] = if re.is_finite() {
            re.clamp(0.0, 1.0)
        } else {
            0.0
        };
    }

    let total_conv: f64 = agg.paths.iter().map(|p| weight(p.conversions)).sum();
    let total_rev: f64 = agg.paths.iter().map(|p| amount(p.revenue)).sum();
    let re_sum: f64 = removal_effects.iter().sum();
    let mut conversions = vec![0.0; width];
    let mut revenue = vec![0.0; width];
    let credit_rule = if re_sum > 0.0 && re_sum.is_finite() {
        for ((cv, rv), &re) in conversions
            .iter_mut()
            .zip(&mut revenue)
            .zip(&removal_effects)
        {
            let share = re / re_sum;
            *cv = share * total_conv;
            *rv = share * total_rev;
        }
        CreditRule::RemovalEffect
    } else {
        linear_fallback(agg, &mut conversions, &mut revenue);
        CreditRule::LinearFallback
    };

    let details = build_details(&chain, order, p, removal_effects, p_without, report);
    Ok(MarkovCredit {
        conversions,
        revenue,
        details: MarkovDetails {
            credit_rule,
            ..details
        },
    })
}

/// Each path's conversions and revenue split 1/n over its n touches (repeats counted).
fn linear_fallback(agg: &PathAggregate, conversions: &mut [f64], revenue: &mut [f64]) {
    for p in &agg.paths {
        let n = p.channels.len();
        if n == 0 {
            continue;
        }
        let (wc, wr) = (weight(p.conversions), amount(p.revenue));
        if wc == 0.0 && wr == 0.0 {
            continue;
        }
        let share = 1.0 / n as f64;
        for &c in &p.channels {
            if let (Some(cv), Some(rv)) =
                (conversions.get_mut(c as usize), revenue.get_mut(c as usize))
            {
                *cv += wc * share;
                *rv += wr * share;
            }
        }
    }
}

fn build_details(
    chain: &Chain,
    order: u8,
    p: f64,
    removal_effects: Vec<f64>,
    p_conversion_without: Vec<f64>,
    solver: SolverReport,
) -> MarkovDetails {
    let n = chain.len();
    let conv_state = (n + 1) as u32;
    let null_state = (n + 2) as u32;
    let mut states = Vec::with_capacity(n + 3);
    let mut state_channels = Vec::with_capacity(n + 3);
    states.push("(start)".to_owned());
    state_channels.push(Vec::new());
    for g in &chain.counts.grams {
        states.push(gram_label(g.channels(), |c| c.to_string()));
        state_channels.push(g.channels().to_vec());
    }
    states.push("(conversion)".to_owned());
    state_channels.push(Vec::new());
    states.push("(null)".to_owned());
    state_channels.push(Vec::new());

    let c = &chain.counts;
    let mut transitions = Vec::with_capacity(c.start.len() + c.trans.len() + 2 * n);
    for (&(t, cnt), &q) in c.start.iter().zip(&chain.start_p) {
        transitions.push(Transition {
            from: 0,
            to: t + 1,
            probability: q,
            count: cnt,
        });
    }
    let mut at = 0;
    for i in 0..n {
        let from = (i + 1) as u32;
        for (t, q) in chain.row(i) {
            transitions.push(Transition {
                from,
                to: (t + 1) as u32,
                probability: q,
                count: c.trans[at].2,
            });
            at += 1;
        }
        if c.conv[i] > 0.0 {
            transitions.push(Transition {
                from,
                to: conv_state,
                probability: chain.conv_p[i],
                count: c.conv[i],
            });
        }
        if c.null[i] > 0.0 {
            transitions.push(Transition {
                from,
                to: null_state,
                probability: chain.null_p[i],
                count: c.null[i],
            });
        }
    }
    MarkovDetails {
        order,
        transient_states: n,
        p_conversion: p,
        removal_effects,
        p_conversion_without,
        states,
        state_channels,
        transitions,
        solver,
        credit_rule: CreditRule::RemovalEffect,
    }
}

// ---------------------------------------------------------------------------------------------
// Linear solvers
// ---------------------------------------------------------------------------------------------

/// A sparse absorbing-chain system x = Q x + r over `n` transient states: Q is given row by row
/// (transient → transient probabilities), r is the probability of stepping into the target
/// absorbing state. Whatever is missing from a row goes to the other absorbing states.
#[derive(Debug, Clone, PartialEq)]
pub struct AbsorbingSystem {
    n: usize,
    row_start: Vec<usize>,
    cols: Vec<u32>,
    vals: Vec<f64>,
    r: Vec<f64>,
}

/// The outcome of a Gauss–Seidel run.
#[derive(Debug, Clone, PartialEq)]
pub struct IterativeSolution {
    pub x: Vec<f64>,
    pub sweeps: usize,
    /// ‖x − Qx − r‖∞ / ‖x‖∞ at the end (0 when x = 0).
    pub residual: f64,
    pub converged: bool,
}

impl AbsorbingSystem {
    /// Build from (from, to, probability) entries (duplicates are summed) and r.
    /// Every probability must be in [0, 1] and every row of Q plus r must sum to at most 1.
    pub fn from_entries(
        n: usize,
        entries: &[(usize, usize, f64)],
        r: &[f64],
    ) -> Result<Self, MarkovError> {
        if r.len() != n {
            return Err(MarkovError::Length {
                expected: n,
                got: r.len(),
            });
        }
        let mut sorted: Vec<(usize, usize, f64)> = Vec::with_capacity(entries.len());
        for &(f, t, p) in entries {
            if f >= n || t >= n {
                return Err(MarkovError::StateOutOfRange {
                    from: f,
                    to: t,
                    states: n,
                });
            }
            if !(p.is_finite() && (0.0..=1.0).contains(&p)) {
                return Err(MarkovError::Probability { state: f, value: p });
            }
            sorted.push((f, t, p));
        }
        for (i, &v) in r.iter().enumerate() {
            if !(v.is_finite() && (0.0..=1.0).contains(&v)) {
                return Err(MarkovError::Probability { state: i, value: v });
            }
        }
        sorted.sort_by_key(|&(f, t, _)| (f, t));
        let mut sys = AbsorbingSystem {
            n,
            row_start: Vec::with_capacity(n + 1),
            cols: Vec::with_capacity(sorted.len()),
            vals: Vec::with_capacity(sorted.len()),
            r: r.to_vec(),
        };
        let mut row_sum = r.to_vec();
        let mut at = 0;
        for (i, sum) in row_sum.iter_mut().enumerate() {
            sys.row_start.push(sys.cols.len());
            let mut last: Option<usize> = None;
            while at < sorted.len() && sorted[at].0 == i {
                let (_, t, p) = sorted[at];
                *sum += p;
                if last == Some(t) {
                    if let Some(v) = sys.vals.last_mut() {
                        *v += p;
                    }
                } else {
                    sys.cols.push(t as u32);
                    sys.vals.push(p);
                    last = Some(t);
                }
                at += 1;
            }
            if *sum > 1.0 + 1e-9 {
                return Err(MarkovError::RowSum {
                    state: i,
                    sum: *sum,
                });
            }
        }
        sys.row_start.push(sys.cols.len());
        Ok(sys)
    }

    pub fn len(&self) -> usize {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    fn row(&self, i: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let (a, b) = (self.row_start[i], self.row_start[i + 1]);
        self.cols[a..b]
            .iter()
            .zip(&self.vals[a..b])
            .map(|(&t, &p)| (t as usize, p))
    }

    /// ‖x − Qx − r‖∞ / ‖x‖∞ (0 when both are 0).
    pub fn relative_residual(&self, x: &[f64]) -> f64 {
        let mut res: f64 = 0.0;
        let mut norm: f64 = 0.0;
        for i in 0..self.n {
            let mut v = self.r[i];
            for (t, p) in self.row(i) {
                v += p * x[t];
            }
            let d = (x[i] - v).abs();
            if d > res || d.is_nan() {
                res = d;
            }
            norm = norm.max(x[i].abs());
        }
        if res == 0.0 {
            0.0
        } else if norm > 0.0 {
            res / norm
        } else {
            f64::INFINITY
        }
    }

    /// Solve (I − Q) x = r by dense Gaussian elimination with partial pivoting.
    pub fn solve_dense(&self) -> Result<Vec<f64>, MarkovError> {
        let m = self.n;
        let mut a = vec![0.0; m * m];
        for i in 0..m {
            a[i * m + i] = 1.0;
            for (t, p) in self.row(i) {
                a[i * m + t] -= p;
            }
        }
        let mut b = self.r.clone();
        for col in 0..m {
            let mut piv = col;
            let mut best = a[col * m + col].abs();
            for row in col + 1..m {
                let v = a[row * m + col].abs();
                if v > best {
                    best = v;
                    piv = row;
                }
            }
            if best == 0.0 || !best.is_finite() {
                return Err(MarkovError::Singular {
                    column: col,
                    pivot: best,
                });
            }
            if piv != col {
                for j in col..m {
                    a.swap(col * m + j, piv * m + j);
                }
                b.swap(col, piv);
            }
            let d = a[col * m + col];
            let (upper, lower) = a.split_at_mut((col + 1) * m);
            let pivot_row = &upper[col * m..(col + 1) * m];
            for (k, row) in lower.chunks_exact_mut(m).enumerate() {
                let f = row[col] / d;
                if f == 0.0 {
                    continue;
                }
                row[col] = 0.0;
                for (x, &y) in row[col + 1..].iter_mut().zip(&pivot_row[col + 1..]) {
                    *x -= f * y;
                }
                b[col + 1 + k] -= f * b[col];
            }
        }
        let mut x = vec![0.0; m];
        for i in (0..m).rev() {
            let mut s = b[i];
            for j in i + 1..m {
                s -= a[i * m + j] * x[j];
            }
            x[i] = s / a[i * m + i];
        }
        Ok(x)
    }

    /// Solve by Gauss–Seidel from zero; error if the guard is hit.
    pub fn solve_gauss_seidel(&self) -> Result<IterativeSolution, MarkovError> {
        let run = self.gauss_seidel(None, GS_MAX_SWEEPS);
        if run.converged {
            Ok(run)
        } else {
            Err(MarkovError::NotConverged {
                sweeps: run.sweeps,
                residual: run.residual,
            })
        }
    }

    /// Gauss–Seidel in row order from `guess` (or zero) until the relative residual is at most
    /// [`GS_TOLERANCE`], or [`GS_MAX_SWEEPS`] sweeps.
    fn gauss_seidel(&self, guess: Option<&[f64]>, max_sweeps: usize) -> IterativeSolution {
        let n = self.n;
        let mut x = match guess {
            Some(g) if g.len() == n => g.to_vec(),
            _ => vec![0.0; n],
        };
        let mut sweeps = 0;
        let mut residual = self.relative_residual(&x);
        while residual > GS_TOLERANCE && sweeps < max_sweeps {
            let mut delta: f64 = 0.0;
            let mut norm: f64 = 0.0;
            for i in 0..n {
                let mut s = self.r[i];
                let mut diag = 0.0;
                for (t, p) in self.row(i) {
                    if t == i {
                        diag += p;
                    } else {
                        s += p * x[t];
                    }
                }
                let v = if diag < 1.0 { s / (1.0 - diag) } else { 0.0 };
                delta = delta.max((v - x[i]).abs());
                norm = norm.max(v.abs());
                x[i] = v;
            }
            sweeps += 1;
            if !delta.is_finite() {
                residual = f64::INFINITY;
                break;
            }
            // The residual after a sweep is at most the largest update (rows sum to ≤ 1), so
            // only pay for the true residual once the updates are small enough.
            if delta <= GS_TOLERANCE * norm {
                residual = self.relative_residual(&x);
            }
        }
        IterativeSolution {
            converged: residual <= GS_TOLERANCE,
            x,
            sweeps,
            residual,
        }
    }
}
