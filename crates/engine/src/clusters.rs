//! Artifact clusters: k-means (Lloyd 1982) with k-means++ seeding (Arthur & Vassilvitskii 2007)
//! on standardised artifact vectors (log(1 + metric) of each metric, the log ratio of each metric
//! to the one before it, and optionally one-hot type), with k chosen from 2 to [`MAX_K`] by the highest mean
//! silhouette (Rousseeuw 1987). Each cluster is described by its size, its most common type and
//! channel and its median metrics, so the high-performing groups stand out.
//!
//! Seeded (ChaCha8) and deterministic; the best of [`RESTARTS`] seedings by within-cluster sum of
//! squares is kept.

use crate::artifact::ArtifactRecord;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The largest k tried.
pub const MAX_K: usize = 8;
/// Seedings per k.
pub const RESTARTS: usize = 4;
/// Lloyd iterations at most.
const MAX_ITER: usize = 100;
/// At most this many points enter the silhouette (O(n²)); a seeded sample above it.
const SILHOUETTE_SAMPLE: usize = 800;
/// Fewest artifacts to cluster.
pub const MIN_ARTIFACTS: usize = 10;

/// One cluster, described.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cluster {
    pub size: usize,
    /// Most common type and its share of the cluster.
    pub kind: String,
    pub kind_share: f64,
    /// Most common channel and its share.
    pub channel: String,
    pub channel_share: f64,
    /// Median of each metric, in the order asked for.
    pub medians: Vec<(String, f64)>,
}

/// The clustering of a history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Clustering {
    pub k: usize,
    /// Mean silhouette of the chosen k (−1 … 1; above 0.5 a clear structure).
    pub silhouette: f64,
    /// (k, mean silhouette) for every k tried.
    pub tried: Vec<(usize, f64)>,
    pub clusters: Vec<Cluster>,
    /// The cluster of each clustered artifact (index into `records`, cluster).
    pub assignment: Vec<(usize, usize)>,
}

fn sq(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// Standardised vectors of the artifacts that have every metric.
fn vectors(
    records: &[ArtifactRecord],
    metrics: &[&str],
    with_kind: bool,
) -> (Vec<usize>, Vec<Vec<f64>>) {
    let mut kinds: Vec<&str> = records.iter().map(|r| r.features.kind.as_str()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    let mut idx = Vec::new();
    let mut raw = Vec::new();
    for (i, r) in records.iter().enumerate() {
        let Some(logs) = metrics
            .iter()
            .map(|m| r.value(m).map(libm::log1p))
            .collect::<Option<Vec<f64>>>()
        else {
            continue;
        };
        let ratios: Vec<f64> = logs.windows(2).map(|w| w[1] - w[0]).collect();
        let mut v: Vec<f64> = logs.into_iter().chain(ratios).collect();
        if with_kind {
            v.extend(
                kinds
                    .iter()
                    .map(|k| f64::from(u8::from(*k == r.features.kind))),
            );
        }
        idx.push(i);
        raw.push(v);
    }
    if raw.is_empty() {
        return (idx, raw);
    }
    let d = raw[0].len();
    let n = raw.len() as f64;
    for j in 0..d {
        let mean = raw.iter().map(|v| v[j]).sum::<f64>() / n;
        let sd = (raw.iter().map(|v| (v[j] - mean).powi(2)).sum::<f64>() / n).sqrt();
        for v in &mut raw {
            v[j] = if sd > 0.0 { (v[j] - mean) / sd } else { 0.0 };
        }
    }
    (idx, raw)
}

/// k-means++ then Lloyd; returns (assignment, within-cluster sum of squares).
fn kmeans(data: &[Vec<f64>], k: usize, rng: &mut ChaCha8Rng) -> (Vec<usize>, f64) {
    let n = data.len();
    let mut centres: Vec<Vec<f64>> = vec![data[rng.random_range(0..n)].clone()];
    let mut dist: Vec<f64> = data.iter().map(|p| sq(p, &centres[0])).collect();
    while centres.len() < k {
        let total: f64 = dist.iter().sum();
        let next = if total > 0.0 {
            let mut u = rng.random::<f64>() * total;
            let mut pick = n - 1;
            for (i, d) in dist.iter().enumerate() {
                if u < *d {
                    pick = i;
                    break;
                }
                u -= d;
            }
            pick
        } else {
            rng.random_range(0..n)
        };
        centres.push(data[next].clone());
        for (i, p) in data.iter().enumerate() {
            dist[i] = dist[i].min(sq(p, &centres[centres.len() - 1]));
        }
    }
    let mut assign = vec![0usize; n];
    for _ in 0..MAX_ITER {
        let mut changed = false;
        for (i, p) in data.iter().enumerate() {
            let best = centres
                .iter()
                .map(|c| sq(p, c))
                .enumerate()
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .map_or(0, |(c, _)| c);
            if best != assign[i] {
                assign[i] = best;
                changed = true;
            }
        }
        let d = data[0].len();
        let mut sums = vec![vec![0.0; d]; k];
        let mut counts = vec![0usize; k];
        for (p, &a) in data.iter().zip(&assign) {
            counts[a] += 1;
            for (s, x) in sums[a].iter_mut().zip(p) {
                *s += x;
            }
        }
        for c in 0..k {
            if counts[c] > 0 {
                centres[c] = sums[c].iter().map(|s| s / counts[c] as f64).collect();
            }
        }
        if !changed {
            break;
        }
    }
    let wss = data
        .iter()
        .zip(&assign)
        .map(|(p, &a)| sq(p, &centres[a]))
        .sum();
    (assign, wss)
}

/// Mean silhouette over `sample` (indices into `data`).
fn silhouette(data: &[Vec<f64>], assign: &[usize], k: usize, sample: &[usize]) -> f64 {
    let mut total = 0.0;
    for &i in sample {
        let mut sums = vec![0.0; k];
        let mut counts = vec![0usize; k];
        for &j in sample {
            if i == j {
                continue;
            }
            sums[assign[j]] += sq(&data[i], &data[j]).sqrt();
            counts[assign[j]] += 1;
        }
        let own = assign[i];
        if counts[own] == 0 {
            continue; // a singleton scores 0
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

/// Cluster `records` on `metrics` (and, with `with_kind`, their type); `None` below [`MIN_ARTIFACTS`] fully measured artifacts.
pub fn cluster_artifacts(
    records: &[ArtifactRecord],
    metrics: &[&str],
    with_kind: bool,
    seed: u64,
) -> Option<Clustering> {
    let (idx, data) = vectors(records, metrics, with_kind);
    if data.len() < MIN_ARTIFACTS {
        return None;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let sample: Vec<usize> = if data.len() <= SILHOUETTE_SAMPLE {
        (0..data.len()).collect()
    } else {
        let mut all: Vec<usize> = (0..data.len()).collect();
        for i in 0..SILHOUETTE_SAMPLE {
            let j = rng.random_range(i..all.len());
            all.swap(i, j);
        }
        all.truncate(SILHOUETTE_SAMPLE);
        all.sort_unstable();
        all
    };
    let mut best: Option<(usize, f64, Vec<usize>)> = None;
    let mut tried = Vec::new();
    for k in 2..=MAX_K.min(data.len() - 1) {
        let mut run: Option<(Vec<usize>, f64)> = None;
        for _ in 0..RESTARTS {
            let (a, wss) = kmeans(&data, k, &mut rng);
            if run.as_ref().is_none_or(|r| wss < r.1) {
                run = Some((a, wss));
            }
        }
        let Some((assign, _)) = run else { continue };
        let s = silhouette(&data, &assign, k, &sample);
        tried.push((k, s));
        if best.as_ref().is_none_or(|b| s > b.1) {
            best = Some((k, s, assign));
        }
    }
    let (k, s, assign) = best?;
    let clusters = (0..k)
        .map(|c| {
            describe(
                records,
                metrics,
                idx.iter()
                    .zip(&assign)
                    .filter(|(_, a)| **a == c)
                    .map(|(i, _)| *i),
            )
        })
        .collect();
    Some(Clustering {
        k,
        silhouette: s,
        tried,
        clusters,
        assignment: idx.into_iter().zip(assign).collect(),
    })
}

fn describe(
    records: &[ArtifactRecord],
    metrics: &[&str],
    members: impl Iterator<Item = usize>,
) -> Cluster {
    let members: Vec<usize> = members.collect();
    let size = members.len();
    let most = |f: &dyn Fn(&ArtifactRecord) -> &str| {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for &i in &members {
            *counts.entry(f(&records[i])).or_default() += 1;
        }
        counts
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
            .map(|(name, n)| (name.to_owned(), n as f64 / size.max(1) as f64))
            .unwrap_or_default()
    };
    let (kind, kind_share) = most(&|r| r.features.kind.as_str());
    let (channel, channel_share) = most(&|r| r.features.channel.as_str());
    let medians = metrics
        .iter()
        .map(|m| {
            let mut v: Vec<f64> = members
                .iter()
                .filter_map(|&i| records[i].value(m))
                .collect();
            v.sort_unstable_by(f64::total_cmp);
            let med = if v.is_empty() {
                0.0
            } else if v.len() % 2 == 1 {
                v[v.len() / 2]
            } else {
                (v[v.len() / 2 - 1] + v[v.len() / 2]) / 2.0
            };
            ((*m).to_owned(), med)
        })
        .collect();
    Cluster {
        size,
        kind,
        kind_share,
        channel,
        channel_share,
        medians,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifact::ArtifactFeatures;

    #[test]
    fn two_obvious_groups_are_found() {
        let rec = |kind: &str, v: f64| ArtifactRecord {
            features: ArtifactFeatures {
                kind: kind.into(),
                channel: "blog".into(),
                ..ArtifactFeatures::default()
            },
            values: vec![("a".into(), v), ("b".into(), v / 10.0)],
        };
        let mut rs: Vec<ArtifactRecord> = (0..20).map(|i| rec("Email", 100.0 + i as f64)).collect();
        rs.extend((0..20).map(|i| rec("Video", 10_000.0 + 10.0 * i as f64)));
        let c = cluster_artifacts(&rs, &["a", "b"], false, 1).unwrap_or_else(|| panic!());
        assert_eq!(c.k, 2);
        assert!(c.silhouette > 0.8, "{}", c.silhouette);
        let mut kinds: Vec<(String, f64)> = c
            .clusters
            .iter()
            .map(|x| (x.kind.clone(), x.kind_share))
            .collect();
        kinds.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(
            kinds,
            [("Email".to_owned(), 1.0), ("Video".to_owned(), 1.0)]
        );
        assert_eq!(
            Some(c.clone()),
            cluster_artifacts(&rs, &["a", "b"], false, 1)
        );
        assert!(cluster_artifacts(&rs[..5], &["a"], false, 1).is_none());
    }
}
