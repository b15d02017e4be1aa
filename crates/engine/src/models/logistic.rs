//! Data-driven attribution from a logistic model of conversion: Shapley values of the fitted
//! conversion probability, trained on the business's own converting *and* non-converting journeys.
//!
//! Sources: Shao & Li (2011), "Data-driven multi-touch attribution models", KDD '11 (a logistic
//! regression of conversion on channel-presence indicators as the attribution model, and the
//! credit read off its predicted probabilities); Shapley (1953), "A value for n-person games";
//! Hastie, Tibshirani & Friedman, *The Elements of Statistical Learning* (2009), §4.4.1, for
//! fitting by Newton–Raphson (iteratively reweighted least squares).
//!
//! # The fitted model
//!
//! Each journey is reduced to its set S of distinct channels, with features x_c = 1 if c ∈ S.
//! The conversion probability is
//!
//! ```text
//! p(S) = σ(β₀ + Σ_{c ∈ S} β_c),   σ(z) = 1 / (1 + e^(−z)),
//! ```
//!
//! fitted by maximising the L2-penalised log-likelihood
//! Σ_S [conv_S ln p(S) + nulls_S ln(1 − p(S))] − λ/2 Σ_c β_c² (λ = [`L2`]; the intercept carries
//! a negligible 1e-6 penalty so it stays finite when every journey converts). Newton steps
//! H δ = g (H = Σ_S n_S p(1 − p) x xᵀ + λI, solved by Cholesky) with step halving until the
//! objective stops improving (|δ|∞ < 1e-10 or 100 steps). Journeys are grouped by channel set
//! first, so a million journeys cost as much as their few hundred distinct sets; the groups are
//! visited in sorted order and `exp` comes from `libm`, so the fit is the same bits everywhere.
//!
//! # The credit
//!
//! The worth of a coalition T is v(T) = p(T) − p(∅): every subset has a value, even one never
//! seen in the data (unlike the plain Shapley model, whose worth is an observed rate). For each
//! converting set C (n = |C|) the Shapley values
//!
//! ```text
//! φᵢ(C) = Σ_{T ⊆ C∖{i}} |T|! (n − |T| − 1)! / n! · (v(T ∪ {i}) − v(T))
//! ```
//!
//! are computed exactly for n ≤ [`EXACT_MAX`] (all 2ⁿ subsets) and from [`PERMUTATIONS`] seeded
//! random orderings above (the permutation estimator of Castro, Gómez & Tejada 2009). By
//! efficiency Σᵢ φᵢ(C) = v(C); each set's φ are scaled to its conversions (and revenue), so the
//! credit sums to the observed totals. When v(C) ≤ 0 (the channels lower the probability) the
//! set's credit is split equally. Calendar entries share their channel's credit as in the
//! other data-driven models ([`super::entry_split`]).
//!
//! # The gate
//!
//! A regression needs data: below [`MIN_CONVERSIONS`] conversions (the product spec's
//! threshold for a data-driven model) the model reports [`super::ModelError::TooFewConversions`]
//! unless [`super::ModelParams::force_logistic`] is set.

use super::entry_split::EntrySplit;
use super::{amount, channel_width, weight, AttributionResult, Details, Model, ModelError};
use crate::journey::{ChannelId, JourneySet, PathAggregate};
use rand::RngCore;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The spec's threshold for a data-driven model.
pub const MIN_CONVERSIONS: f64 = 1000.0;
/// The ridge penalty λ on the channel coefficients.
pub const L2: f64 = 1.0;
/// Channel sets up to this size get exact Shapley values.
pub const EXACT_MAX: usize = 12;
/// Random orderings for larger sets.
pub const PERMUTATIONS: usize = 512;
const INTERCEPT_L2: f64 = 1e-6;
const MAX_STEPS: usize = 100;
const TOLERANCE: f64 = 1e-10;

/// The fitted conversion model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticFit {
    pub intercept: f64,
    /// β_c by channel id (0 for channels never seen).
    pub coefficients: Vec<f64>,
    /// Newton steps taken.
    pub steps: usize,
    pub converged: bool,
}

impl LogisticFit {
    /// p(S) for a set of channel ids.
    pub fn probability(&self, channels: &[ChannelId]) -> f64 {
        let z = self.intercept
            + channels
                .iter()
                .filter_map(|&c| self.coefficients.get(c as usize))
                .sum::<f64>();
        sigmoid(z)
    }
}

/// Whether the model may run on `conversions` conversions.
pub fn gate(conversions: f64, force: bool) -> Result<(), ModelError> {
    if force || conversions >= MIN_CONVERSIONS {
        Ok(())
    } else {
        Err(ModelError::TooFewConversions {
            have: conversions,
            need: MIN_CONVERSIONS,
        })
    }
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + libm::exp(-z))
    } else {
        let e = libm::exp(z);
        e / (1.0 + e)
    }
}

/// ln σ(z) and ln(1 − σ(z)) without overflow.
fn log_sigmoids(z: f64) -> (f64, f64) {
    // ln σ(z) = −ln(1 + e^(−z)); ln(1 − σ(z)) = −ln(1 + e^z).
    let softplus = |x: f64| {
        if x > 0.0 {
            x + libm::log1p(libm::exp(-x))
        } else {
            libm::log1p(libm::exp(x))
        }
    };
    (-softplus(-z), -softplus(z))
}

/// One group of journeys: a distinct channel set with its weights.
struct Group {
    channels: Vec<ChannelId>,
    conversions: f64,
    nulls: f64,
    revenue: f64,
}

/// Journeys grouped by channel set, in sorted order (deterministic whatever the input order).
fn groups(agg: &PathAggregate) -> Vec<Group> {
    let mut by_set: BTreeMap<Vec<ChannelId>, (f64, f64, f64)> = BTreeMap::new();
    for p in &agg.paths {
        let mut key = p.channels.clone();
        key.sort_unstable();
        key.dedup();
        let g = by_set.entry(key).or_insert((0.0, 0.0, 0.0));
        g.0 += weight(p.conversions);
        g.1 += weight(p.nulls);
        g.2 += amount(p.revenue);
    }
    by_set
        .into_iter()
        .map(|(channels, (conversions, nulls, revenue))| Group {
            channels,
            conversions,
            nulls,
            revenue,
        })
        .collect()
}

/// Fit the penalised logistic regression on a path aggregate (journeys as channel sets).
pub fn fit(agg: &PathAggregate) -> LogisticFit {
    fit_groups(&groups(agg), channel_width(agg))
}

fn fit_groups(groups: &[Group], width: usize) -> LogisticFit {
    let d = width + 1;
    // beta[0] is the intercept, beta[1 + c] the coefficient of channel c.
    let (conv, total) = groups.iter().fold((0.0, 0.0), |(c, t), g| {
        (c + g.conversions, t + g.conversions + g.nulls)
    });
    let mut beta = vec![0.0; d];
    if total > 0.0 && conv > 0.0 && conv < total {
        beta[0] = libm::log(conv / (total - conv));
    }
    let penalty = |j: usize| if j == 0 { INTERCEPT_L2 } else { L2 };
    let objective = |b: &[f64]| {
        let mut ll = 0.0;
        for g in groups {
            let z = eta(b, &g.channels);
            let (lp, lq) = log_sigmoids(z);
            ll += g.conversions * lp + g.nulls * lq;
        }
        ll - b
            .iter()
            .enumerate()
            .map(|(j, x)| 0.5 * penalty(j) * x * x)
            .sum::<f64>()
    };
    let mut current = objective(&beta);
    let mut grad = vec![0.0; d];
    let mut hess = vec![0.0; d * d];
    let mut steps = 0;
    let mut converged = false;
    while steps < MAX_STEPS {
        steps += 1;
        for (j, g) in grad.iter_mut().enumerate() {
            *g = -penalty(j) * beta[j];
        }
        hess.iter_mut().for_each(|h| *h = 0.0);
        for (j, _) in beta.iter().enumerate() {
            hess[j * d + j] = penalty(j);
        }
        for g in groups {
            let n = g.conversions + g.nulls;
            if n <= 0.0 {
                continue;
            }
            let p = sigmoid(eta(&beta, &g.channels));
            let r = g.conversions - n * p;
            let w = n * p * (1.0 - p);
            let idx = || std::iter::once(0).chain(g.channels.iter().map(|&c| c as usize + 1));
            for a in idx() {
                grad[a] += r;
                for b in idx() {
                    hess[a * d + b] += w;
                }
            }
        }
        let Some(delta) = cholesky_solve(&hess, &grad, d) else {
            break;
        };
        // Newton step, halved until the penalised likelihood does not fall.
        let mut t = 1.0;
        let mut accepted = false;
        let mut trial = beta.clone();
        for _ in 0..40 {
            for ((x, b), s) in trial.iter_mut().zip(&beta).zip(&delta) {
                *x = b + t * s;
            }
            let value = objective(&trial);
            if value.is_finite() && value >= current - 1e-12 * current.abs() {
                current = value;
                accepted = true;
                break;
            }
            t *= 0.5;
        }
        if !accepted {
            converged = true;
            break;
        }
        let size = delta.iter().fold(0.0f64, |m, s| m.max((t * s).abs()));
        std::mem::swap(&mut beta, &mut trial);
        if size < TOLERANCE {
            converged = true;
            break;
        }
    }
    LogisticFit {
        intercept: beta[0],
        coefficients: beta[1..].to_vec(),
        steps,
        converged,
    }
}

fn eta(beta: &[f64], channels: &[ChannelId]) -> f64 {
    beta[0]
        + channels
            .iter()
            .filter_map(|&c| beta.get(c as usize + 1))
            .sum::<f64>()
}

/// Solve A x = b for a symmetric positive definite `d × d` matrix (row-major); `None` if A is
/// not positive definite to working precision.
fn cholesky_solve(a: &[f64], b: &[f64], d: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..=i {
            let mut s = a[i * d + j];
            for k in 0..j {
                s -= l[i * d + k] * l[j * d + k];
            }
            if i == j {
                if !(s > 0.0 && s.is_finite()) {
                    return None;
                }
                l[i * d + i] = s.sqrt();
            } else {
                l[i * d + j] = s / l[j * d + j];
            }
        }
    }
    let mut y = vec![0.0; d];
    for i in 0..d {
        let s: f64 = (0..i).map(|k| l[i * d + k] * y[k]).sum();
        y[i] = (b[i] - s) / l[i * d + i];
    }
    let mut x = vec![0.0; d];
    for i in (0..d).rev() {
        let s: f64 = (i + 1..d).map(|k| l[k * d + i] * x[k]).sum();
        x[i] = (y[i] - s) / l[i * d + i];
    }
    Some(x)
}

/// Shapley values of v(T) = σ(β₀ + Σ_T β) − σ(β₀) for the players `betas` (their coefficients).
pub fn shapley_values(intercept: f64, betas: &[f64]) -> Vec<f64> {
    let n = betas.len();
    let base = sigmoid(intercept);
    if n == 0 {
        return Vec::new();
    }
    if n <= EXACT_MAX {
        // Worth of every subset (bit i = player i), built from the subset without its lowest bit.
        let size = 1usize << n;
        let mut sum = vec![0.0; size];
        let mut worth = vec![0.0; size];
        for mask in 1..size {
            let low = mask.trailing_zeros() as usize;
            sum[mask] = sum[mask & (mask - 1)] + betas[low];
            worth[mask] = sigmoid(intercept + sum[mask]) - base;
        }
        // w(s) = s! (n − s − 1)! / n!
        let mut w = vec![0.0; n];
        for (s, x) in w.iter_mut().enumerate() {
            *x = 1.0 / (n as f64 * binomial(n - 1, s));
        }
        let mut phi = vec![0.0; n];
        for (i, p) in phi.iter_mut().enumerate() {
            let bit = 1usize << i;
            for mask in 0..size {
                if mask & bit == 0 {
                    *p += w[mask.count_ones() as usize] * (worth[mask | bit] - worth[mask]);
                }
            }
        }
        phi
    } else {
        let mut rng = ChaCha8Rng::seed_from_u64(0x5EED_0000 ^ n as u64);
        let mut order: Vec<usize> = (0..n).collect();
        let mut phi = vec![0.0; n];
        for _ in 0..PERMUTATIONS {
            for i in (1..n).rev() {
                let j = ((u128::from(rng.next_u64()) * (i as u128 + 1)) >> 64) as usize;
                order.swap(i, j);
            }
            let mut z = intercept;
            let mut prev = 0.0;
            for &i in &order {
                z += betas[i];
                let v = sigmoid(z) - base;
                phi[i] += v - prev;
                prev = v;
            }
        }
        phi.iter_mut().for_each(|p| *p /= PERMUTATIONS as f64);
        phi
    }
}

fn binomial(n: usize, k: usize) -> f64 {
    let k = k.min(n - k);
    let mut r = 1.0;
    for i in 0..k {
        r = r * (n - i) as f64 / (i + 1) as f64;
    }
    r
}

/// Credited (conversions, revenue) per channel id, with the fit they come from.
pub fn channel_credit_with_fit(agg: &PathAggregate) -> (Vec<f64>, Vec<f64>, LogisticFit) {
    let width = channel_width(agg);
    let groups = groups(agg);
    let fit = fit_groups(&groups, width);
    let mut conv = vec![0.0; width];
    let mut rev = vec![0.0; width];
    for g in &groups {
        if g.conversions <= 0.0 && g.revenue == 0.0 {
            continue;
        }
        let n = g.channels.len();
        if n == 0 {
            continue;
        }
        let betas: Vec<f64> = g
            .channels
            .iter()
            .map(|&c| fit.coefficients.get(c as usize).copied().unwrap_or(0.0))
            .collect();
        let phi = shapley_values(fit.intercept, &betas);
        let total: f64 = phi.iter().sum();
        let equal = !(total > 1e-12 && total.is_finite());
        for (&c, &p) in g.channels.iter().zip(&phi) {
            let part = if equal { 1.0 / n as f64 } else { p / total };
            if let (Some(x), Some(y)) = (conv.get_mut(c as usize), rev.get_mut(c as usize)) {
                *x += part * g.conversions;
                *y += part * g.revenue;
            }
        }
    }
    (conv, rev, fit)
}

/// Credited (conversions, revenue) per channel id (no gate: see [`gate`]).
pub fn channel_credit(agg: &PathAggregate) -> (Vec<f64>, Vec<f64>) {
    let (conv, rev, _) = channel_credit_with_fit(agg);
    (conv, rev)
}

/// Run the model with the aggregate and entry weights already computed (no gate).
pub fn attribute_prepared(
    set: &JourneySet,
    agg: &PathAggregate,
    split: &EntrySplit,
) -> AttributionResult {
    let (conv, rev, fit) = channel_credit_with_fit(agg);
    let details = LogisticDetails {
        intercept: fit.intercept,
        coefficients: fit
            .coefficients
            .iter()
            .enumerate()
            .map(|(c, &b)| (set.channels.name(c as ChannelId).to_owned(), b))
            .collect(),
        steps: fit.steps,
        converged: fit.converged,
    };
    split
        .apply(set, &conv, &rev)
        .finish(set, Model::Logistic, Details::Logistic(details))
}

/// What the fit found, for the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticDetails {
    pub intercept: f64,
    /// (channel, β_c): the change in log-odds of converting when the channel is in the journey.
    pub coefficients: Vec<(String, f64)>,
    pub steps: usize,
    pub converged: bool,
}
