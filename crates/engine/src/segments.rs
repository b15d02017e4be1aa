//! Customer segments by channel affinity: k-means (Lloyd 1982, k-means++ seeding of Arthur &
//! Vassilvitskii 2007) over journeys' channel profiles, k chosen by the mean silhouette
//! (Rousseeuw 1987), each segment with its size, top channels and conversion rate with a 95 %
//! Wilson (1927) score interval.
//!
//! A journey's *profile* is its share of touches per channel (a journey with two email touches
//! and one blog touch is ⅔ email, ⅓ blog). Journeys with the same profile are merged first and
//! weighted by how many journeys they stand for (conversions + non-conversions), so a million
//! journeys cost as much as their distinct profiles; k-means is weighted accordingly. k runs
//! from 2 to [`MAX_K`]; the silhouette is taken over [`SILHOUETTE_SAMPLE`] journeys drawn by
//! weight. Seeded (ChaCha8) and deterministic: the best of [`RESTARTS`] seedings by weighted
//! within-segment sum of squares is kept, profiles are visited in sorted order.
//!
//! The conversion rate of a segment is p̂ = conversions / journeys and its interval the Wilson
//! score interval (p̂ + z²/2n ± z √(p̂(1 − p̂)/n + z²/4n²)) / (1 + z²/n), z = 1.96, which stays
//! inside [0, 1] and behaves at small counts.

use crate::journey::JourneySet;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The largest k tried.
pub const MAX_K: usize = 6;
/// Seedings per k.
pub const RESTARTS: usize = 4;
/// Journeys (drawn by weight) that enter the silhouette.
pub const SILHOUETTE_SAMPLE: usize = 1_000;
/// Fewest journeys to segment.
pub const MIN_JOURNEYS: f64 = 50.0;
const MAX_ITER: usize = 100;

pub use crate::stats::wilson;

/// One segment of journeys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    /// Journeys in the segment (weighted: a path-table row counts as its journeys).
    pub journeys: f64,
    /// Its part of all journeys, 0..=1.
    pub share: f64,
    pub conversions: f64,
    pub conversion_rate: f64,
    /// 95 % Wilson interval on the conversion rate.
    pub rate_low: f64,
    pub rate_high: f64,
    /// The channels with the largest share of the segment's touches (at most three, each
    /// above 5 %), largest first.
    pub top_channels: Vec<(String, f64)>,
    /// The mean share of touches per channel (the segment's centre), by channel id.
    pub profile: Vec<f64>,
}

/// The segments of a journey set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segmentation {
    pub k: usize,
    /// Mean silhouette of the chosen k (−1 … 1; above 0.5 a clear structure).
    pub silhouette: f64,
    /// (k, mean silhouette) for every k tried.
    pub tried: Vec<(usize, f64)>,
    /// Largest segment first.
    pub segments: Vec<Segment>,
    /// The segment of each journey of the set (index into `segments`; `None`: no touches).
    #[serde(skip)]
    pub assignment: Vec<Option<usize>>,
}

fn sq(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// Distinct profiles with their weight and conversions, and each journey's profile index.
struct Profiles {
    points: Vec<Vec<f64>>,
    weight: Vec<f64>,
    conversions: Vec<f64>,
    of_journey: Vec<Option<usize>>,
}

fn profiles(set: &JourneySet) -> Profiles {
    let width = set.channels.len();
    // Key: touch counts per channel (exact), so equal profiles merge without float keys.
    let mut index: BTreeMap<Vec<u32>, usize> = BTreeMap::new();
    let mut keys: Vec<Vec<u32>> = Vec::new();
    let mut acc: Vec<(f64, f64)> = Vec::new();
    let mut of_journey = Vec::with_capacity(set.len());
    let mut counts = vec![0u32; width];
    for j in set.iter() {
        if j.touches.is_empty() {
            of_journey.push(None);
            continue;
        }
        counts.iter_mut().for_each(|c| *c = 0);
        for t in j.touches {
            if let Some(c) = counts.get_mut(t.channel as usize) {
                *c += 1;
            }
        }
        let next = keys.len();
        let i = *index.entry(counts.clone()).or_insert(next);
        if i == next {
            keys.push(counts.clone());
            acc.push((0.0, 0.0));
        }
        let w = crate::models::weight(j.conversions) + crate::models::weight(j.nulls);
        if let Some(a) = acc.get_mut(i) {
            a.0 += w;
            a.1 += crate::models::weight(j.conversions);
        }
        of_journey.push(Some(i));
    }
    // Renumber in sorted key order so the result does not depend on the journeys' order.
    let mut rank = vec![0usize; keys.len()];
    for (r, (_, &i)) in index.iter().enumerate() {
        if let Some(x) = rank.get_mut(i) {
            *x = r;
        }
    }
    let mut points = vec![Vec::new(); keys.len()];
    let mut weight = vec![0.0; keys.len()];
    let mut conversions = vec![0.0; keys.len()];
    for (i, key) in keys.iter().enumerate() {
        let r = rank[i];
        let total: u32 = key.iter().sum();
        points[r] = key
            .iter()
            .map(|&c| f64::from(c) / f64::from(total.max(1)))
            .collect();
        weight[r] = acc[i].0;
        conversions[r] = acc[i].1;
    }
    Profiles {
        points,
        weight,
        conversions,
        of_journey: of_journey.into_iter().map(|o| o.map(|i| rank[i])).collect(),
    }
}

/// A k-means result: assignment, weighted within-segment sum of squares, centres.
type Fit = (Vec<usize>, f64, Vec<Vec<f64>>);

/// Weighted k-means++ then Lloyd.
fn kmeans(data: &[Vec<f64>], weight: &[f64], k: usize, rng: &mut ChaCha8Rng) -> Fit {
    let n = data.len();
    let pick = |rng: &mut ChaCha8Rng, mass: &[f64]| {
        let total: f64 = mass.iter().sum();
        if total.is_nan() || total <= 0.0 {
            return rng.random_range(0..n);
        }
        let mut u = rng.random::<f64>() * total;
        for (i, m) in mass.iter().enumerate() {
            if u < *m {
                return i;
            }
            u -= m;
        }
        n - 1
    };
    let first = pick(rng, weight);
    let mut centres: Vec<Vec<f64>> = vec![data[first].clone()];
    let mut dist: Vec<f64> = data.iter().map(|p| sq(p, &centres[0])).collect();
    while centres.len() < k {
        let mass: Vec<f64> = dist.iter().zip(weight).map(|(d, w)| d * w).collect();
        let next = pick(rng, &mass);
        centres.push(data[next].clone());
        let last = centres.len() - 1;
        for (i, p) in data.iter().enumerate() {
            dist[i] = dist[i].min(sq(p, &centres[last]));
        }
    }
    let mut assign = vec![usize::MAX; n];
    let d = data.first().map_or(0, Vec::len);
    for _ in 0..MAX_ITER {
        let mut changed = false;
        for (i, p) in data.iter().enumerate() {
            let best = (0..k)
                .min_by(|&a, &b| sq(p, &centres[a]).total_cmp(&sq(p, &centres[b])))
                .unwrap_or(0);
            if best != assign[i] {
                assign[i] = best;
                changed = true;
            }
        }
        let mut sums = vec![vec![0.0; d]; k];
        let mut mass = vec![0.0; k];
        for ((p, &a), &w) in data.iter().zip(&assign).zip(weight) {
            mass[a] += w;
            for (s, x) in sums[a].iter_mut().zip(p) {
                *s += w * x;
            }
        }
        for c in 0..k {
            if mass[c] > 0.0 {
                centres[c] = sums[c].iter().map(|s| s / mass[c]).collect();
            }
        }
        if !changed {
            break;
        }
    }
    let wss = data
        .iter()
        .zip(&assign)
        .zip(weight)
        .map(|((p, &a), w)| w * sq(p, &centres[a]))
        .sum();
    (assign, wss, centres)
}

/// Mean silhouette over `sample` (indices into `data`, repeats allowed).
fn silhouette(data: &[Vec<f64>], assign: &[usize], k: usize, sample: &[usize]) -> f64 {
    let mut total = 0.0;
    for (si, &i) in sample.iter().enumerate() {
        let mut sums = vec![0.0; k];
        let mut counts = vec![0usize; k];
        for (sj, &j) in sample.iter().enumerate() {
            if si == sj {
                continue;
            }
            sums[assign[j]] += sq(&data[i], &data[j]).sqrt();
            counts[assign[j]] += 1;
        }
        let own = assign[i];
        if counts[own] == 0 {
            continue;
        }
        let a = sums[own] / counts[own] as f64;
        let b = (0..k)
            .filter(|&c| c != own && counts[c] > 0)
            .map(|c| sums[c] / counts[c] as f64)
            .fold(f64::INFINITY, f64::min);
        if b.is_finite() && a.max(b) > 0.0 {
            total += (b - a) / a.max(b);
        }
    }
    total / sample.len().max(1) as f64
}

/// Segment the journeys of `set` by channel profile; `None` below [`MIN_JOURNEYS`] journeys or
/// fewer than two distinct profiles.
pub fn segment_journeys(set: &JourneySet, seed: u64) -> Option<Segmentation> {
    let pr = profiles(set);
    let total: f64 = pr.weight.iter().sum();
    let m = pr.points.len();
    if total < MIN_JOURNEYS || m < 2 {
        return None;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // The silhouette's journeys, drawn by weight (with replacement).
    let mut cumulative = Vec::with_capacity(m);
    let mut run = 0.0;
    for w in &pr.weight {
        run += w;
        cumulative.push(run);
    }
    let mut sample: Vec<usize> = (0..SILHOUETTE_SAMPLE)
        .map(|_| {
            let u = rng.random::<f64>() * run;
            cumulative.partition_point(|&c| c <= u).min(m - 1)
        })
        .collect();
    sample.sort_unstable();
    let mut best: Option<(usize, f64, Fit)> = None;
    let mut tried = Vec::new();
    for k in 2..=MAX_K.min(m) {
        let mut fit: Option<Fit> = None;
        for _ in 0..RESTARTS {
            let f = kmeans(&pr.points, &pr.weight, k, &mut rng);
            if fit.as_ref().is_none_or(|b| f.1 < b.1) {
                fit = Some(f);
            }
        }
        let Some((assign, _, centres)) = fit else {
            continue;
        };
        let s = silhouette(&pr.points, &assign, k, &sample);
        tried.push((k, s));
        if best.as_ref().is_none_or(|b| s > b.1 + 1e-12) {
            best = Some((k, s, (assign, 0.0, centres)));
        }
    }
    let (k, silhouette, (assign, _, centres)) = best?;
    let mut segments: Vec<(usize, Segment)> = (0..k)
        .map(|c| {
            let (mut journeys, mut conversions) = (0.0, 0.0);
            for ((&a, w), x) in assign.iter().zip(&pr.weight).zip(&pr.conversions) {
                if a == c {
                    journeys += w;
                    conversions += x;
                }
            }
            let profile = centres.get(c).cloned().unwrap_or_default();
            let mut top: Vec<(String, f64)> = profile
                .iter()
                .enumerate()
                .filter(|(_, &s)| s > 0.05)
                .map(|(ch, &s)| (set.channels.name(ch as u32).to_owned(), s))
                .collect();
            top.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            top.truncate(3);
            let (rate_low, rate_high) = wilson(conversions, journeys);
            (
                c,
                Segment {
                    journeys,
                    share: journeys / total,
                    conversions,
                    conversion_rate: if journeys > 0.0 {
                        conversions / journeys
                    } else {
                        0.0
                    },
                    rate_low,
                    rate_high,
                    top_channels: top,
                    profile,
                },
            )
        })
        .collect();
    segments.sort_by(|a, b| b.1.journeys.total_cmp(&a.1.journeys).then(a.0.cmp(&b.0)));
    let mut new_index = vec![0usize; k];
    for (rank, (c, _)) in segments.iter().enumerate() {
        if let Some(x) = new_index.get_mut(*c) {
            *x = rank;
        }
    }
    let assignment = pr
        .of_journey
        .iter()
        .map(|o| {
            o.and_then(|p| assign.get(p))
                .and_then(|&c| new_index.get(c).copied())
        })
        .collect();
    Some(Segmentation {
        k,
        silhouette,
        tried,
        segments: segments.into_iter().map(|(_, s)| s).collect(),
        assignment,
    })
}
