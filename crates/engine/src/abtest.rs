//! A/B tests: the lift of each variant over the control with its 95 % interval, a frequentist
//! test, the Bayesian probability that each variant is best, the classic guards, and the
//! insight a conclusive test yields.
//!
//! # Methods
//!
//! - **Rates** (conversions / exposures): each variant's rate with Wilson's score interval
//!   (Wilson 1927); the relative lift p_B/p_A − 1 with the delta-method interval on its logarithm,
//!   Var(log p̂) = (1 − p̂)/x (Katz et al. 1978); the pooled two-proportion z-test.
//! - **Means** (revenue per visitor, time on page): the relative lift of the means with the
//!   delta-method interval, Var(log m̂) = s²/(n·m̂²); Welch's t-test with the Welch–Satterthwaite
//!   degrees of freedom (Welch 1947).
//! - **Probability best**: Monte Carlo over the posteriors, seeded — Beta(1 + x, 1 + n − x) for
//!   rates (a uniform prior), Normal(m̂, s²/n) for means — the share of [`DRAWS`] draws in which
//!   each variant is highest.
//! - **Several variants** are each compared with the control at α/(k − 1) (Bonferroni).
//!
//! # Guards (Kohavi, Tang & Xu, *Trustworthy Online Controlled Experiments*, 2020)
//!
//! - **Sample-ratio mismatch**: a χ² goodness-of-fit test of the exposures against the planned
//!   split; p < [`SRM_ALPHA`] means the assignment is broken and no result is trusted.
//! - **Minimum sample**: rates need [`MIN_EXPOSURES`] exposures and [`MIN_SUCCESSES`]
//!   conversions (and as many non-conversions) per variant; means need [`MIN_MEAN_SAMPLE`].
//! - **Peeking**: a fixed-horizon test is only read at its planned sample. Without a plan, the
//!   plan is the sample that detects the minimum lift (10 % by default) with 80 % power:
//!   n = (z₁₋α/₂·√(2p̄(1 − p̄)) + z₀.₈·√(p₁(1 − p₁) + p₂(1 − p₂)))² / (p₂ − p₁)² for rates
//!   (Fleiss, Levin & Paik 2003), n = 2(z₁₋α/₂ + z₀.₈)²·s²/(δ·m)² for means. Before it is
//!   reached the verdict says so, even when a difference shows.

use crate::beliefs::Direction;
use crate::bootstrap::WeightStream;
use crate::stats::{chi_square_survival, normal_quantile, normal_two_sided, t_two_sided, wilson};
use serde::{Deserialize, Serialize};

/// Monte Carlo draws for the probability that each variant is best.
pub const DRAWS: usize = 20_000;
/// A sample-ratio mismatch is declared below this p-value.
pub const SRM_ALPHA: f64 = 0.001;
/// Rates: at least this many exposures per variant.
pub const MIN_EXPOSURES: u64 = 100;
/// Rates: at least this many conversions (and non-conversions) per variant.
pub const MIN_SUCCESSES: u64 = 5;
/// Means: at least this many observations per variant.
pub const MIN_MEAN_SAMPLE: u64 = 30;
/// At most this many variants.
pub const MAX_VARIANTS: usize = 20;
/// Power for the planned sample.
pub const POWER: f64 = 0.8;

/// What the test measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MetricKind {
    /// Conversions per exposure.
    #[default]
    Rate,
    /// A mean per exposure (revenue per visitor, …).
    Mean,
}

/// One arm of a test.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Variant {
    /// What the user calls it ("A", "Question headline").
    pub name: String,
    /// The value of the attribute that differs ("question").
    pub value: String,
    /// Calendar entry ids behind it, if any.
    pub entries: Vec<String>,
    /// Exposures (visitors, recipients); for means the number of observations.
    pub exposures: u64,
    /// Rates: conversions.
    pub successes: u64,
    /// Means: the sample mean and standard deviation.
    pub mean: f64,
    pub sd: f64,
}

/// A recorded test. The first variant is the control.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AbTest {
    pub id: String,
    pub name: String,
    pub hypothesis: String,
    /// The attribute that differs between the variants ("headline").
    pub attribute: String,
    /// The metric's name for sentences ("click rate").
    pub metric: String,
    #[serde(default)]
    pub kind: MetricKind,
    pub variants: Vec<Variant>,
    /// The planned exposures per variant, if the test was planned.
    #[serde(default)]
    pub planned_per_variant: Option<u64>,
    /// The planned share of exposures per variant; empty for an equal split.
    #[serde(default)]
    pub split: Vec<f64>,
    /// Significance level (default 0.05).
    #[serde(default = "default_alpha")]
    pub alpha: f64,
    /// The smallest relative lift worth detecting (default 0.10), for the planned sample.
    #[serde(default = "default_mde")]
    pub min_lift: f64,
}

fn default_alpha() -> f64 {
    0.05
}

fn default_mde() -> f64 {
    0.10
}

/// Why a test cannot be analysed at all.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AbError {
    #[error("a test needs at least two variants")]
    TooFewVariants,
    #[error("a test has at most {MAX_VARIANTS} variants")]
    TooManyVariants,
    #[error("variant \"{0}\": {1}")]
    Variant(String, String),
    #[error("the planned split needs one positive share per variant")]
    Split,
    #[error("the significance level must be between 0 and 0.5, and the minimum lift above 0")]
    Parameters,
}

/// One variant's estimate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariantResult {
    pub name: String,
    pub value: String,
    pub exposures: u64,
    /// The rate or the mean.
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
    /// Probability that this variant is the best.
    pub prob_best: f64,
}

/// A variant against the control.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub name: String,
    /// Relative lift over the control (0.23 = +23 %); `None` when the control's estimate is 0.
    pub lift: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub p_value: f64,
    /// Below α/(k − 1).
    pub significant: bool,
}

/// What the test says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Verdict {
    /// A variant (by name) is better than the others, at the planned sample.
    Winner { variant: String },
    /// The planned sample is reached and no difference is significant.
    NoDifference,
    /// Too little data for the test's approximations.
    NotEnoughData,
    /// The planned sample is not reached yet.
    PlannedSampleNotReached,
    /// The exposures do not follow the planned split.
    SampleRatioMismatch,
}

/// A belief update an insight proposes (the user accepts or rejects it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BeliefProposal {
    pub statement: String,
    pub metric: String,
    pub direction: Direction,
    /// The attribute and the winning and losing values, for a selector.
    pub attribute: String,
    pub winner: String,
    pub loser: String,
}

/// What a conclusive test teaches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Insight {
    pub sentence: String,
    pub lift: f64,
    pub low: f64,
    pub high: f64,
    pub proposal: BeliefProposal,
}

/// The analysis of a test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    pub variants: Vec<VariantResult>,
    pub comparisons: Vec<Comparison>,
    /// The sample-ratio check's p-value.
    pub srm_p_value: f64,
    /// The planned exposures per variant (given, or computed for the minimum lift).
    pub planned_per_variant: u64,
    /// Whether `planned_per_variant` was computed rather than given.
    pub planned_computed: bool,
    pub verdict: Verdict,
    /// The verdict in a sentence.
    pub summary: String,
    pub insight: Option<Insight>,
}

fn check(test: &AbTest) -> Result<(), AbError> {
    if test.variants.len() < 2 {
        return Err(AbError::TooFewVariants);
    }
    if test.variants.len() > MAX_VARIANTS {
        return Err(AbError::TooManyVariants);
    }
    if !(test.alpha > 0.0 && test.alpha <= 0.5 && test.min_lift > 0.0 && test.min_lift.is_finite())
    {
        return Err(AbError::Parameters);
    }
    if !test.split.is_empty()
        && (test.split.len() != test.variants.len()
            || test.split.iter().any(|s| !(*s > 0.0 && s.is_finite())))
    {
        return Err(AbError::Split);
    }
    for v in &test.variants {
        let bad = |why: &str| Err(AbError::Variant(v.name.clone(), why.to_owned()));
        match test.kind {
            MetricKind::Rate if v.successes > v.exposures => {
                return bad("it has more conversions than exposures")
            }
            MetricKind::Mean if !(v.mean.is_finite() && v.sd.is_finite() && v.sd >= 0.0) => {
                return bad("its mean and standard deviation must be numbers (the deviation ≥ 0)")
            }
            _ => {}
        }
    }
    Ok(())
}

fn estimate(test: &AbTest, v: &Variant) -> (f64, f64, f64) {
    match test.kind {
        MetricKind::Rate => {
            let p = if v.exposures == 0 {
                0.0
            } else {
                v.successes as f64 / v.exposures as f64
            };
            let (lo, hi) = wilson(v.successes as f64, v.exposures as f64);
            (p, lo, hi)
        }
        MetricKind::Mean => {
            let se = if v.exposures > 0 {
                v.sd / libm::sqrt(v.exposures as f64)
            } else {
                f64::INFINITY
            };
            let z = 1.959_963_984_540_054;
            (v.mean, v.mean - z * se, v.mean + z * se)
        }
    }
}

/// Lift of `b` over the control `a` with its 95 % interval, and the test's p-value.
fn compare(test: &AbTest, a: &Variant, b: &Variant) -> (Option<(f64, f64, f64)>, f64) {
    let z = 1.959_963_984_540_054;
    match test.kind {
        MetricKind::Rate => {
            let (na, nb) = (a.exposures as f64, b.exposures as f64);
            let (xa, xb) = (a.successes as f64, b.successes as f64);
            let p_value = if na > 0.0 && nb > 0.0 {
                let pooled = (xa + xb) / (na + nb);
                let se = libm::sqrt(pooled * (1.0 - pooled) * (1.0 / na + 1.0 / nb));
                if se > 0.0 {
                    normal_two_sided((xb / nb - xa / na) / se)
                } else {
                    1.0
                }
            } else {
                1.0
            };
            let lift = (xa > 0.0 && xb > 0.0).then(|| {
                let (pa, pb) = (xa / na, xb / nb);
                let log_ratio = libm::log(pb / pa);
                let se = libm::sqrt((1.0 - pa) / xa + (1.0 - pb) / xb);
                (
                    pb / pa - 1.0,
                    libm::exp(log_ratio - z * se) - 1.0,
                    libm::exp(log_ratio + z * se) - 1.0,
                )
            });
            (lift, p_value)
        }
        MetricKind::Mean => {
            let (na, nb) = (a.exposures as f64, b.exposures as f64);
            let (va, vb) = (a.sd * a.sd / na, b.sd * b.sd / nb);
            let p_value = if na > 1.0 && nb > 1.0 && va + vb > 0.0 {
                let t = (b.mean - a.mean) / libm::sqrt(va + vb);
                let df = (va + vb) * (va + vb) / (va * va / (na - 1.0) + vb * vb / (nb - 1.0));
                t_two_sided(t, df)
            } else {
                1.0
            };
            let lift = (a.mean > 0.0 && b.mean > 0.0 && na > 0.0 && nb > 0.0).then(|| {
                let log_ratio = libm::log(b.mean / a.mean);
                let se = libm::sqrt(va / (a.mean * a.mean) + vb / (b.mean * b.mean));
                (
                    b.mean / a.mean - 1.0,
                    libm::exp(log_ratio - z * se) - 1.0,
                    libm::exp(log_ratio + z * se) - 1.0,
                )
            });
            (lift, p_value)
        }
    }
}

fn prob_best(test: &AbTest, seed: u64) -> Vec<f64> {
    let k = test.variants.len();
    let mut wins = vec![0usize; k];
    let mut stream = WeightStream::new(seed);
    let mut draw = vec![0.0; k];
    for _ in 0..DRAWS {
        for (d, v) in draw.iter_mut().zip(&test.variants) {
            *d = match test.kind {
                MetricKind::Rate => {
                    let a = stream.gamma(1.0 + v.successes as f64);
                    let b = stream.gamma(1.0 + (v.exposures - v.successes.min(v.exposures)) as f64);
                    if a + b > 0.0 {
                        a / (a + b)
                    } else {
                        0.0
                    }
                }
                MetricKind::Mean => {
                    let se = if v.exposures > 0 {
                        v.sd / libm::sqrt(v.exposures as f64)
                    } else {
                        0.0
                    };
                    v.mean + se * stream.normal()
                }
            };
        }
        let best = draw
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(i, _)| i)
            .unwrap_or(0);
        if let Some(w) = wins.get_mut(best) {
            *w += 1;
        }
    }
    wins.iter().map(|w| *w as f64 / DRAWS as f64).collect()
}

fn srm_p_value(test: &AbTest) -> f64 {
    let total: f64 = test.variants.iter().map(|v| v.exposures as f64).sum();
    if total == 0.0 {
        return 1.0;
    }
    let k = test.variants.len();
    let shares: Vec<f64> = if test.split.is_empty() {
        vec![1.0; k]
    } else {
        test.split.clone()
    };
    let share_sum: f64 = shares.iter().sum();
    let chi2: f64 = test
        .variants
        .iter()
        .zip(&shares)
        .map(|(v, s)| {
            let expected = total * s / share_sum;
            let d = v.exposures as f64 - expected;
            d * d / expected
        })
        .sum();
    chi_square_survival(chi2, (k - 1) as f64)
}

fn needed_per_variant(test: &AbTest, control: &Variant) -> Option<u64> {
    let za = normal_quantile(1.0 - test.alpha / 2.0);
    let zb = normal_quantile(POWER);
    let n = match test.kind {
        MetricKind::Rate => {
            if control.exposures == 0 {
                return None;
            }
            let p1 = control.successes as f64 / control.exposures as f64;
            let p2 = p1 * (1.0 + test.min_lift);
            if !(p1 > 0.0 && p2 < 1.0) {
                return None;
            }
            let pbar = 0.5 * (p1 + p2);
            let num = za * libm::sqrt(2.0 * pbar * (1.0 - pbar))
                + zb * libm::sqrt(p1 * (1.0 - p1) + p2 * (1.0 - p2));
            num * num / ((p2 - p1) * (p2 - p1))
        }
        MetricKind::Mean => {
            let delta = test.min_lift * control.mean;
            if !(delta.abs() > 0.0 && control.sd > 0.0) {
                return None;
            }
            2.0 * (za + zb) * (za + zb) * control.sd * control.sd / (delta * delta)
        }
    };
    (n.is_finite() && n > 0.0).then(|| libm::ceil(n) as u64)
}

fn too_little(test: &AbTest) -> Option<String> {
    for v in &test.variants {
        match test.kind {
            MetricKind::Rate => {
                let failures = v.exposures.saturating_sub(v.successes);
                if v.exposures < MIN_EXPOSURES
                    || v.successes < MIN_SUCCESSES
                    || failures < MIN_SUCCESSES
                {
                    return Some(format!(
                        "\"{}\" has {} exposures and {} conversions; each variant needs at least \
                         {MIN_EXPOSURES} exposures and {MIN_SUCCESSES} conversions (and as many \
                         without) before the test can say anything",
                        v.name, v.exposures, v.successes
                    ));
                }
            }
            MetricKind::Mean => {
                if v.exposures < MIN_MEAN_SAMPLE {
                    return Some(format!(
                        "\"{}\" has {} observations; each variant needs at least \
                         {MIN_MEAN_SAMPLE}",
                        v.name, v.exposures
                    ));
                }
            }
        }
    }
    None
}

fn pct(x: f64) -> String {
    let p = x * 100.0;
    if p.abs() >= 10.0 {
        format!("{p:.0} %")
    } else {
        format!("{p:.1} %")
    }
}

fn label(test: &AbTest, v: &Variant) -> String {
    let value = if v.value.trim().is_empty() {
        v.name.trim()
    } else {
        v.value.trim()
    };
    if test.attribute.trim().is_empty() {
        value.to_owned()
    } else {
        format!("{value} {}", test.attribute.trim())
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// The seed of the probability-best draws wherever a test is shown or exported (the Beliefs and
/// A/B tests pages, the training-context export), so each reads the same numbers on every run.
pub const SEED: u64 = 12;

/// Analyse a test with the house seed [`SEED`]: what the app and the export show.
pub fn analyse_default(test: &AbTest) -> Result<Analysis, AbError> {
    analyse(test, SEED)
}

/// Analyse a test (see the module docs); `seed` drives the probability-best draws.
pub fn analyse(test: &AbTest, seed: u64) -> Result<Analysis, AbError> {
    check(test)?;
    let control = &test.variants[0];
    let probs = prob_best(test, seed);
    let variants: Vec<VariantResult> = test
        .variants
        .iter()
        .zip(&probs)
        .map(|(v, p)| {
            let (e, lo, hi) = estimate(test, v);
            VariantResult {
                name: v.name.clone(),
                value: v.value.clone(),
                exposures: v.exposures,
                estimate: e,
                low: lo,
                high: hi,
                prob_best: *p,
            }
        })
        .collect();
    let threshold = test.alpha / (test.variants.len() - 1) as f64;
    let comparisons: Vec<Comparison> = test.variants[1..]
        .iter()
        .map(|v| {
            let (lift, p) = compare(test, control, v);
            Comparison {
                name: v.name.clone(),
                lift: lift.map(|l| l.0),
                low: lift.map(|l| l.1),
                high: lift.map(|l| l.2),
                p_value: p,
                significant: p < threshold,
            }
        })
        .collect();
    let srm = srm_p_value(test);
    let computed = needed_per_variant(test, control);
    let (planned, planned_computed) = match (test.planned_per_variant, computed) {
        (Some(p), _) => (p, false),
        (None, Some(n)) => (n, true),
        (None, None) => (0, true),
    };
    let smallest = test.variants.iter().map(|v| v.exposures).min().unwrap_or(0);
    let mut insight = None;
    let (verdict, summary) = if srm < SRM_ALPHA {
        (
            Verdict::SampleRatioMismatch,
            format!(
                "The exposures do not follow the planned split (sample-ratio check p = {srm:.1e}): \
                 the assignment is broken somewhere, so no result of this test can be trusted. \
                 Check how visitors are split before reading it."
            ),
        )
    } else if let Some(why) = too_little(test) {
        (
            Verdict::NotEnoughData,
            format!("Not enough data yet: {why}."),
        )
    } else if planned == 0 || smallest < planned {
        let showing = comparisons.iter().any(|c| c.significant);
        let plan = if planned == 0 {
            "a planned sample (the control has no conversions to plan from)".to_owned()
        } else if planned_computed {
            format!(
                "{planned} exposures per variant (what it takes to detect a {} lift with 80 % power)",
                pct(test.min_lift)
            )
        } else {
            format!("the planned {planned} exposures per variant")
        };
        let lead = if showing {
            "A difference is showing, but stopping a test early inflates false positives."
        } else {
            "No clear difference yet."
        };
        (
            Verdict::PlannedSampleNotReached,
            format!("{lead} Keep it running until every variant reaches {plan}; the smallest has {smallest}."),
        )
    } else {
        // Winner: the significant variant with the highest probability of being best; or the
        // control, when it beats every other variant significantly.
        let best_alt = comparisons
            .iter()
            .zip(&variants[1..])
            .filter(|(c, _)| c.significant && c.lift.is_some_and(|l| l > 0.0))
            .max_by(|a, b| a.1.prob_best.total_cmp(&b.1.prob_best));
        let control_wins = comparisons
            .iter()
            .all(|c| c.significant && c.lift.is_some_and(|l| l < 0.0));
        let pick = if let Some((c, vr)) = best_alt {
            let winner = test.variants.iter().find(|v| v.name == vr.name);
            winner.map(|w| (w, control, c.lift, c.low, c.high))
        } else if control_wins {
            // Against the strongest alternative: the smallest loss.
            comparisons
                .iter()
                .zip(&test.variants[1..])
                .max_by(|a, b| {
                    a.0.lift
                        .unwrap_or(f64::NEG_INFINITY)
                        .total_cmp(&b.0.lift.unwrap_or(f64::NEG_INFINITY))
                })
                .map(|(c, v)| {
                    // Control over v: 1/(1 + lift) − 1, interval inverted.
                    let inv = |x: Option<f64>| x.map(|l| 1.0 / (1.0 + l) - 1.0);
                    (control, v, inv(c.lift), inv(c.high), inv(c.low))
                })
        } else {
            None
        };
        match pick {
            Some((winner, loser, Some(lift), Some(low), Some(high))) => {
                let verb = if test.attribute.trim().is_empty() {
                    "outperforms"
                } else {
                    "outperform"
                };
                let sentence = capitalise(&format!(
                    "{} {verb} {} by {} (95 % CI {} to {}) on {}.",
                    label(test, winner),
                    label(test, loser),
                    pct(lift),
                    pct(low),
                    pct(high),
                    if test.metric.trim().is_empty() {
                        "the test's metric"
                    } else {
                        test.metric.trim()
                    }
                ));
                insight = Some(Insight {
                    sentence: sentence.clone(),
                    lift,
                    low,
                    high,
                    proposal: BeliefProposal {
                        statement: capitalise(&format!(
                            "{} {verb} {}",
                            label(test, winner),
                            label(test, loser)
                        )),
                        metric: test.metric.clone(),
                        direction: Direction::Above,
                        attribute: test.attribute.clone(),
                        winner: winner.value.clone(),
                        loser: loser.value.clone(),
                    },
                });
                (
                    Verdict::Winner {
                        variant: winner.name.clone(),
                    },
                    sentence,
                )
            }
            _ => (
                Verdict::NoDifference,
                format!(
                    "No difference larger than chance at the planned sample (α = {}); this test \
                     could detect a {} lift, so any real difference is probably smaller.",
                    test.alpha,
                    pct(test.min_lift)
                ),
            ),
        }
    };
    Ok(Analysis {
        variants,
        comparisons,
        srm_p_value: srm,
        planned_per_variant: planned,
        planned_computed,
        verdict,
        summary,
        insight,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate_test(a: (u64, u64), b: (u64, u64), planned: Option<u64>) -> AbTest {
        AbTest {
            id: "t1".to_owned(),
            name: "Headline test".to_owned(),
            hypothesis: "Questions make people click".to_owned(),
            attribute: "headlines".to_owned(),
            metric: "click rate".to_owned(),
            kind: MetricKind::Rate,
            variants: vec![
                Variant {
                    name: "A".to_owned(),
                    value: "statement".to_owned(),
                    exposures: a.0,
                    successes: a.1,
                    ..Variant::default()
                },
                Variant {
                    name: "B".to_owned(),
                    value: "question".to_owned(),
                    exposures: b.0,
                    successes: b.1,
                    ..Variant::default()
                },
            ],
            planned_per_variant: planned,
            split: Vec::new(),
            alpha: 0.05,
            min_lift: 0.1,
        }
    }

    #[test]
    fn hand_checked_rates() {
        // 100/1000 vs 130/1000: pooled p = 0.115, se = √(0.115·0.885·0.002) = 0.014267,
        // z = 0.03 / 0.014267 = 2.1028, two-sided p = 0.03548.
        let a = analyse(&rate_test((1000, 100), (1000, 130), Some(1000)), 1)
            .unwrap_or_else(|e| unreachable!("{e}"));
        let c = &a.comparisons[0];
        assert!((c.p_value - 0.035_48).abs() < 2e-4, "{}", c.p_value);
        assert!((c.lift.unwrap_or(0.0) - 0.3).abs() < 1e-12);
        // log-ratio interval: ln 1.3 ± 1.96·√(0.9/100 + 0.87/130) = 0.26236 ± 0.24549.
        assert!((c.low.unwrap_or(0.0) - (0.016_99_f64.exp() - 1.0)).abs() < 1e-3);
        assert!(c.significant);
        assert_eq!(
            a.verdict,
            Verdict::Winner {
                variant: "B".to_owned()
            }
        );
        let insight = a.insight.unwrap_or_else(|| unreachable!());
        assert_eq!(
            insight.sentence,
            "Question headlines outperform statement headlines by 30 % (95 % CI 1.7 % to 66 %) \
             on click rate."
        );
        assert_eq!(insight.proposal.winner, "question");
        assert!(a.variants[1].prob_best > 0.95 && a.variants[1].prob_best < 1.0);
        let total: f64 = a.variants.iter().map(|v| v.prob_best).sum();
        assert!((total - 1.0).abs() < 1e-12);
    }

    #[test]
    fn peeking_is_refused_before_the_plan() {
        let a = analyse(&rate_test((1000, 100), (1000, 130), Some(5000)), 1)
            .unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(a.verdict, Verdict::PlannedSampleNotReached);
        assert!(a.summary.contains("stopping a test early"), "{}", a.summary);
        assert!(a.insight.is_none());
        // Without a plan, the needed sample for a 10 % lift on a 10 % rate is about 14,750.
        let b = analyse(&rate_test((1000, 100), (1000, 130), None), 1)
            .unwrap_or_else(|e| unreachable!("{e}"));
        assert!(b.planned_computed);
        assert!(
            (14_000..15_500).contains(&b.planned_per_variant),
            "{}",
            b.planned_per_variant
        );
        assert_eq!(b.verdict, Verdict::PlannedSampleNotReached);
    }

    #[test]
    fn sample_ratio_mismatch_blocks_everything() {
        let a = analyse(&rate_test((1000, 100), (1200, 160), Some(1000)), 1)
            .unwrap_or_else(|e| unreachable!("{e}"));
        // χ² = 2·100²/1100 = 18.2, p ≈ 2e-5.
        assert!(a.srm_p_value < SRM_ALPHA);
        assert_eq!(a.verdict, Verdict::SampleRatioMismatch);
        // A planned 1:1.2 split is no mismatch.
        let mut t = rate_test((1000, 100), (1200, 160), Some(1000));
        t.split = vec![1.0, 1.2];
        let b = analyse(&t, 1).unwrap_or_else(|e| unreachable!("{e}"));
        assert!(b.srm_p_value > 0.5);
    }

    #[test]
    fn too_little_data_and_no_difference() {
        let a =
            analyse(&rate_test((50, 2), (50, 6), None), 1).unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(a.verdict, Verdict::NotEnoughData);
        let b = analyse(&rate_test((20_000, 2000), (20_000, 2010), Some(20_000)), 1)
            .unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(b.verdict, Verdict::NoDifference);
        assert!(b.insight.is_none());
    }

    #[test]
    fn means_use_welch() {
        let mut t = rate_test((0, 0), (0, 0), Some(200));
        t.kind = MetricKind::Mean;
        t.metric = "revenue per visitor".to_owned();
        t.variants[0].exposures = 400;
        t.variants[0].mean = 10.0;
        t.variants[0].sd = 4.0;
        t.variants[1].exposures = 400;
        t.variants[1].mean = 11.0;
        t.variants[1].sd = 4.0;
        let a = analyse(&t, 3).unwrap_or_else(|e| unreachable!("{e}"));
        // t = 1 / √(16/400·2) = 3.5355, df = 798: p ≈ 0.00043.
        let p = a.comparisons[0].p_value;
        assert!((p - 0.000_43).abs() < 5e-5, "{p}");
        assert!(matches!(a.verdict, Verdict::Winner { .. }));
    }

    #[test]
    fn control_can_win_and_determinism() {
        let a = analyse(&rate_test((3000, 390), (3000, 300), Some(3000)), 7)
            .unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(
            a.verdict,
            Verdict::Winner {
                variant: "A".to_owned()
            }
        );
        let s = &a.insight.unwrap_or_else(|| unreachable!()).sentence;
        assert!(
            s.starts_with("Statement headlines outperform question headlines by 30 %"),
            "{s}"
        );
        let again = analyse(&rate_test((3000, 390), (3000, 300), Some(3000)), 7)
            .unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(again.variants[0].prob_best, a.variants[0].prob_best);
    }

    #[test]
    fn refusals() {
        let mut t = rate_test((10, 20), (10, 1), None);
        assert!(matches!(analyse(&t, 1), Err(AbError::Variant(..))));
        t.variants.truncate(1);
        assert_eq!(analyse(&t, 1), Err(AbError::TooFewVariants));
    }
}
