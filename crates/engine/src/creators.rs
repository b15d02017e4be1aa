//! Creator reputation: how each creator's artifacts perform against what their channel and type
//! lead one to expect, shrunk towards the average for creators with few artifacts (empirical
//! Bayes), with an interval, a rank and a trend; and a match score for a planned entry.
//!
//! # The method
//!
//! 1. Residuals: rᵢ = log(1 + yᵢ) − b(channel, type), b the mean of log(1 + y) over the *other*
//!    artifacts of the same channel and type (the channel's, when fewer than two share the type).
//!    A residual of +0.2 is about 22 % above the peers.
//! 2. Per creator c with n_c artifacts: the mean residual m_c; the pooled within-creator
//!    variance σ² of the residuals.
//! 3. Between-creator variance by the method of moments (DerSimonian & Laird 1986):
//!    τ² = max(0, Var(m_c) − mean(σ²/n_c)).
//! 4. Shrinkage (James & Stein 1961; Efron & Morris 1975): w_c = τ² / (τ² + σ²/n_c),
//!    skill_c = w_c·m_c + (1 − w_c)·m̄ (m̄ the mean of the m_c), posterior variance w_c·σ²/n_c,
//!    95 % interval skill ± 1.96·√(w_c·σ²/n_c). The multiplier e^skill reads "× 1.22 the usual".
//! 5. Trend: the least-squares slope of a creator's residuals on time (per year), with five or
//!    more artifacts.
//! 6. Match score for a planned entry (creator × type × channel): the creator's mean residual in
//!    that cell shrunk towards their overall skill with the same τ²; with no artifact in the
//!    cell, the overall skill.

use crate::artifact::ArtifactRecord;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

const Z95: f64 = 1.959_963_984_540_054;
/// A trend needs this many artifacts.
pub const MIN_TREND: usize = 5;

/// One creator's standing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatorScore {
    pub creator: String,
    pub artifacts: usize,
    /// The raw mean residual (log scale).
    pub raw: f64,
    /// The shrunk skill (log scale) and its 95 % interval.
    pub skill: f64,
    pub low: f64,
    pub high: f64,
    /// e^skill: "× 1.22 the usual".
    pub multiplier: f64,
    /// 1 = best.
    pub rank: usize,
    /// Residual change per year, when there are enough artifacts.
    pub trend_per_year: Option<f64>,
}

/// The reputation of every creator on one metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reputation {
    pub metric: String,
    pub creators: Vec<CreatorScore>,
    /// Between-creator variance τ² and pooled within-creator variance σ².
    pub tau2: f64,
    pub sigma2: f64,
    /// Residuals kept for match scores: (creator, type, channel, residual).
    #[serde(skip)]
    cells: Vec<(String, String, String, f64)>,
}

/// A planned entry's match: how its creator tends to do with this type on this channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchScore {
    pub creator: String,
    pub skill: f64,
    pub low: f64,
    pub high: f64,
    pub multiplier: f64,
    /// Past artifacts of this creator with this type on this channel.
    pub based_on: usize,
}

fn mean(xs: &[f64]) -> f64 {
    if xs.is_empty() {
        0.0
    } else {
        xs.iter().sum::<f64>() / xs.len() as f64
    }
}

/// Each record's residual against its channel × type peers (leave-one-out), `None` when it has
/// no value or no peers.
fn residuals(history: &[ArtifactRecord], metric: &str) -> Vec<Option<f64>> {
    let mut by_cell: BTreeMap<(&str, &str), (f64, usize)> = BTreeMap::new();
    let mut by_channel: BTreeMap<&str, (f64, usize)> = BTreeMap::new();
    let logs: Vec<Option<f64>> = history
        .iter()
        .map(|r| r.value(metric).map(libm::log1p))
        .collect();
    for (r, l) in history.iter().zip(&logs) {
        if let Some(l) = l {
            let c = by_cell
                .entry((r.features.channel.as_str(), r.features.kind.as_str()))
                .or_insert((0.0, 0));
            c.0 += l;
            c.1 += 1;
            let ch = by_channel
                .entry(r.features.channel.as_str())
                .or_insert((0.0, 0));
            ch.0 += l;
            ch.1 += 1;
        }
    }
    history
        .iter()
        .zip(&logs)
        .map(|(r, l)| {
            let l = (*l)?;
            let cell = by_cell.get(&(r.features.channel.as_str(), r.features.kind.as_str()));
            if let Some(&(sum, n)) = cell.filter(|c| c.1 >= 3) {
                return Some(l - (sum - l) / (n - 1) as f64);
            }
            let &(sum, n) = by_channel.get(r.features.channel.as_str())?;
            (n >= 2).then(|| l - (sum - l) / (n - 1) as f64)
        })
        .collect()
}

fn slope(points: &[(f64, f64)]) -> Option<f64> {
    if points.len() < MIN_TREND {
        return None;
    }
    let mx = mean(&points.iter().map(|p| p.0).collect::<Vec<_>>());
    let my = mean(&points.iter().map(|p| p.1).collect::<Vec<_>>());
    let sxx: f64 = points.iter().map(|p| (p.0 - mx) * (p.0 - mx)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    (sxx > 0.0).then(|| sxy / sxx)
}

/// Every creator's reputation on `metric` (see the module docs). Artifacts without a creator
/// or without the metric are left out.
pub fn reputation(history: &[ArtifactRecord], metric: &str) -> Reputation {
    let res = residuals(history, metric);
    let mut groups: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
    let mut cells = Vec::new();
    for (r, e) in history.iter().zip(&res) {
        let (Some(e), creator) = (e, r.features.creator.trim()) else {
            continue;
        };
        if creator.is_empty() {
            continue;
        }
        groups
            .entry(creator.to_owned())
            .or_default()
            .push((r.features.day as f64 / 365.25, *e));
        cells.push((
            creator.to_owned(),
            r.features.kind.clone(),
            r.features.channel.clone(),
            *e,
        ));
    }
    // Pooled within-creator variance.
    let (mut ss, mut dof) = (0.0, 0usize);
    let means: Vec<(String, f64, usize)> = groups
        .iter()
        .map(|(c, pts)| {
            let m = mean(&pts.iter().map(|p| p.1).collect::<Vec<_>>());
            ss += pts.iter().map(|p| (p.1 - m) * (p.1 - m)).sum::<f64>();
            dof += pts.len().saturating_sub(1);
            (c.clone(), m, pts.len())
        })
        .collect();
    let sigma2 = if dof > 0 { ss / dof as f64 } else { 0.0 };
    let grand = mean(&means.iter().map(|m| m.1).collect::<Vec<_>>());
    let tau2 = if means.len() >= 2 {
        let k = means.len() as f64;
        let var_between = means
            .iter()
            .map(|m| (m.1 - grand) * (m.1 - grand))
            .sum::<f64>()
            / (k - 1.0);
        let noise = mean(
            &means
                .iter()
                .map(|m| sigma2 / m.2 as f64)
                .collect::<Vec<_>>(),
        );
        (var_between - noise).max(0.0)
    } else {
        0.0
    };
    let mut creators: Vec<CreatorScore> = means
        .iter()
        .map(|(c, m, n)| {
            let se2 = sigma2 / *n as f64;
            let w = if tau2 + se2 > 0.0 {
                tau2 / (tau2 + se2)
            } else {
                0.0
            };
            let skill = w * m + (1.0 - w) * grand;
            let half = Z95 * libm::sqrt(w * se2);
            CreatorScore {
                creator: c.clone(),
                artifacts: *n,
                raw: *m,
                skill,
                low: skill - half,
                high: skill + half,
                multiplier: libm::exp(skill),
                rank: 0,
                trend_per_year: groups.get(c).and_then(|pts| slope(pts)),
            }
        })
        .collect();
    creators.sort_by(|a, b| b.skill.total_cmp(&a.skill).then(a.creator.cmp(&b.creator)));
    for (i, c) in creators.iter_mut().enumerate() {
        c.rank = i + 1;
    }
    Reputation {
        metric: metric.to_owned(),
        creators,
        tau2,
        sigma2,
        cells,
    }
}

impl Reputation {
    /// One creator's score, if they have artifacts.
    pub fn creator(&self, name: &str) -> Option<&CreatorScore> {
        self.creators
            .iter()
            .find(|c| c.creator.eq_ignore_ascii_case(name.trim()))
    }

    /// The match score of a planned entry (see the module docs).
    pub fn match_score(&self, creator: &str, kind: &str, channel: &str) -> Option<MatchScore> {
        let overall = self.creator(creator)?;
        let cell: Vec<f64> = self
            .cells
            .iter()
            .filter(|(c, k, ch, _)| {
                c.eq_ignore_ascii_case(creator.trim())
                    && k.eq_ignore_ascii_case(kind)
                    && ch.eq_ignore_ascii_case(channel)
            })
            .map(|x| x.3)
            .collect();
        let n = cell.len();
        if n == 0 {
            return Some(MatchScore {
                creator: overall.creator.clone(),
                skill: overall.skill,
                low: overall.low,
                high: overall.high,
                multiplier: overall.multiplier,
                based_on: 0,
            });
        }
        let se2 = self.sigma2 / n as f64;
        let w = if self.tau2 + se2 > 0.0 {
            self.tau2 / (self.tau2 + se2)
        } else {
            0.0
        };
        let skill = w * mean(&cell) + (1.0 - w) * overall.skill;
        let half = Z95
            * libm::sqrt(
                w * se2
                    + (1.0 - w) * (1.0 - w) * ((overall.high - overall.low) / (2.0 * Z95)).powi(2),
            );
        Some(MatchScore {
            creator: overall.creator.clone(),
            skill,
            low: skill - half,
            high: skill + half,
            multiplier: libm::exp(skill),
            based_on: n,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifact::ArtifactFeatures;

    fn record(creator: &str, channel: &str, kind: &str, day: i64, value: f64) -> ArtifactRecord {
        ArtifactRecord {
            features: ArtifactFeatures {
                channel: channel.to_owned(),
                kind: kind.to_owned(),
                creator: creator.to_owned(),
                day,
                ..ArtifactFeatures::default()
            },
            values: vec![("impressions".to_owned(), value)],
        }
    }

    #[test]
    fn hand_checked_residuals_and_order() {
        // One cell; A's artifacts are e^1 − 1 above… in log(1 + y): A = {3, 3}, B = {1, 1}, C = {2, 2}.
        let v = |l: f64| libm::expm1(l);
        let h = vec![
            record("A", "blog", "Blog post", 0, v(3.0)),
            record("A", "blog", "Blog post", 1, v(3.0)),
            record("B", "blog", "Blog post", 2, v(1.0)),
            record("B", "blog", "Blog post", 3, v(1.0)),
            record("C", "blog", "Blog post", 4, v(2.0)),
            record("C", "blog", "Blog post", 5, v(2.0)),
        ];
        let rep = reputation(&h, "impressions");
        // A's residual: 3 − mean(3, 1, 1, 2, 2) = 3 − 1.8 = 1.2.
        let a = rep.creator("a").unwrap_or_else(|| unreachable!());
        assert!((a.raw - 1.2).abs() < 1e-12, "{}", a.raw);
        assert_eq!(
            rep.creators
                .iter()
                .map(|c| c.creator.as_str())
                .collect::<Vec<_>>(),
            ["A", "C", "B"]
        );
        assert_eq!(a.rank, 1);
        // No within-creator noise: no shrinkage, zero-width intervals.
        assert_eq!(rep.sigma2, 0.0);
        assert!((a.skill - a.raw).abs() < 1e-12);
    }

    #[test]
    fn few_artifacts_are_shrunk_more() {
        // Same raw advantage, one creator with 2 artifacts and one with 20, plus noise.
        let mut h = Vec::new();
        let mut day = 0;
        let noise = [0.3, -0.3, 0.2, -0.2, 0.1, -0.1, 0.25, -0.25, 0.15, -0.15];
        for i in 0..20 {
            h.push(record(
                "Many",
                "blog",
                "Blog post",
                day,
                libm::expm1(5.5 + noise[i % 10]),
            ));
            day += 1;
        }
        for n in &noise[..2] {
            h.push(record(
                "Few",
                "blog",
                "Blog post",
                day,
                libm::expm1(5.5 + n),
            ));
            day += 1;
        }
        for i in 0..30 {
            h.push(record(
                "Base",
                "blog",
                "Blog post",
                day,
                libm::expm1(5.0 + noise[i % 10]),
            ));
            day += 1;
        }
        let rep = reputation(&h, "impressions");
        let many = rep.creator("Many").unwrap_or_else(|| unreachable!());
        let few = rep.creator("Few").unwrap_or_else(|| unreachable!());
        let pull_many = (many.raw - many.skill).abs();
        let pull_few = (few.raw - few.skill).abs();
        assert!(pull_few > pull_many, "few {pull_few} many {pull_many}");
        assert!(few.high - few.low > many.high - many.low);
        assert!(rep.tau2 > 0.0);
    }

    #[test]
    fn trend_and_match_score() {
        let mut h = Vec::new();
        for i in 0..10 {
            // Improves by 0.1 log units every 36.5 days = 1.0 per year.
            h.push(record(
                "Riser",
                "blog",
                "Blog post",
                i * 36,
                libm::expm1(4.0 + 0.1 * i as f64),
            ));
            h.push(record(
                "Flat",
                "blog",
                "Blog post",
                i * 36 + 1,
                libm::expm1(4.3),
            ));
        }
        h.push(record("Riser", "email", "Email", 400, 100.0));
        h.push(record("Flat", "email", "Email", 401, 100.0));
        h.push(record("Flat", "email", "Email", 402, 100.0));
        let rep = reputation(&h, "impressions");
        let riser = rep.creator("Riser").unwrap_or_else(|| unreachable!());
        let t = riser.trend_per_year.unwrap_or(0.0);
        assert!(t > 0.5, "{t}");
        let m = rep
            .match_score("Riser", "Blog post", "blog")
            .unwrap_or_else(|| unreachable!());
        assert_eq!(m.based_on, 10);
        let none = rep
            .match_score("Riser", "Video", "youtube")
            .unwrap_or_else(|| unreachable!());
        assert_eq!(none.based_on, 0);
        assert_eq!(none.skill, riser.skill);
        assert!(rep.match_score("Nobody", "Email", "email").is_none());
    }
}
