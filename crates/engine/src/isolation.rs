//! Isolation forest (Liu, Ting & Zhou, "Isolation Forest", ICDM 2008): multivariate outliers
//! without labels. Each tree splits a random subsample of ψ points on a random feature at a
//! uniform random value between that feature's minimum and maximum, until a point stands alone
//! or the height limit ⌈log₂ ψ⌉ is reached. Outliers are isolated in few splits, so the
//! anomaly score of x is s(x, ψ) = 2^(−E[h(x)] / c(ψ)), with h(x) the path length (plus
//! c(size) at an unsplit leaf) and c(n) = 2H(n − 1) − 2(n − 1)/n the average path length of an
//! unsuccessful binary-search-tree search (H the harmonic number, H(i) ≈ ln i + 0.5772…).
//! s near 1: anomaly; well below 0.5: normal.
//!
//! Seeded (ChaCha8) and deterministic: the same data and seed give the same scores bit for bit.

use crate::artifact::ArtifactRecord;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

/// (channel, type or "") → the members' (index, feature vector).
type PeerGroups<'a> = BTreeMap<(&'a str, &'a str), Vec<(usize, Vec<f64>)>>;

/// Fewest peers (same channel, every metric measured) for a peer score.
pub const MIN_PEERS: usize = 16;

/// The feature vector of an artifact among its peers: log(1 + m) of each metric, then the log
/// ratio of each metric to the one before it (so a click rate out of line stands out even when
/// each count alone looks ordinary); `None` when a metric is missing.
pub fn peer_features(record: &ArtifactRecord, metrics: &[&str]) -> Option<Vec<f64>> {
    let logs: Vec<f64> = metrics
        .iter()
        .map(|m| record.value(m).map(libm::log1p))
        .collect::<Option<_>>()?;
    let ratios: Vec<f64> = logs.windows(2).map(|w| w[1] - w[0]).collect();
    Some(logs.into_iter().chain(ratios).collect())
}

/// Each artifact's isolation score among its peers (the artifacts of its channel and type, or of
/// its channel when its type has fewer than [`MIN_PEERS`]), one forest per peer group with at
/// least [`MIN_PEERS`] fully measured artifacts; `None` for the others.
pub fn peer_scores(records: &[ArtifactRecord], metrics: &[&str], seed: u64) -> Vec<Option<f64>> {
    let mut scores = vec![None; records.len()];
    // Peers: the same channel and type when there are enough of them, else the same channel.
    let mut per_kind: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for r in records {
        *per_kind
            .entry((r.features.channel.as_str(), r.features.kind.as_str()))
            .or_default() += 1;
    }
    let mut by_channel: PeerGroups<'_> = BTreeMap::new();
    for (i, r) in records.iter().enumerate() {
        if let Some(f) = peer_features(r, metrics) {
            let key = (r.features.channel.as_str(), r.features.kind.as_str());
            let key = if per_kind.get(&key).copied().unwrap_or(0) >= MIN_PEERS {
                key
            } else {
                (key.0, "")
            };
            by_channel.entry(key).or_default().push((i, f));
        }
    }
    for (n, (_, peers)) in by_channel.into_iter().enumerate() {
        if peers.len() < MIN_PEERS {
            continue;
        }
        let data: Vec<Vec<f64>> = peers.iter().map(|p| p.1.clone()).collect();
        let Ok(forest) = IsolationForest::fit(
            &data,
            DEFAULT_TREES,
            DEFAULT_SUBSAMPLE,
            seed.wrapping_add(n as u64),
        ) else {
            continue;
        };
        for (i, f) in &peers {
            scores[*i] = Some(forest.score(f));
        }
    }
    scores
}

/// Trees per forest (the paper's default).
pub const DEFAULT_TREES: usize = 100;
/// Subsample size ψ (the paper's default).
pub const DEFAULT_SUBSAMPLE: usize = 256;
/// At most this many trees.
pub const MAX_TREES: usize = 10_000;
const EULER_GAMMA: f64 = 0.577_215_664_901_532_9;

#[derive(Debug, Clone)]
enum Node {
    Leaf {
        size: usize,
    },
    Split {
        feature: usize,
        value: f64,
        left: usize,
        right: usize,
    },
}

#[derive(Debug, Clone)]
struct Tree {
    nodes: Vec<Node>,
}

/// A fitted forest.
#[derive(Debug, Clone)]
pub struct IsolationForest {
    trees: Vec<Tree>,
    dims: usize,
    /// c(ψ) for the subsample size used.
    norm: f64,
}

/// Why a forest could not be fitted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IsolationError {
    #[error("an isolation forest needs at least 2 points, got {0}")]
    TooFewPoints(usize),
    #[error("point {row} has {got} features, the others have {expected}")]
    Ragged {
        row: usize,
        got: usize,
        expected: usize,
    },
    #[error("point {row} has a value that is not a finite number")]
    NotFinite { row: usize },
    #[error("at most {MAX_TREES} trees")]
    TooManyTrees,
}

/// c(n): the average path length of an unsuccessful search in a binary search tree of n points.
pub fn average_path(n: usize) -> f64 {
    match n {
        0 | 1 => 0.0,
        2 => 1.0,
        _ => {
            let m = (n - 1) as f64;
            2.0 * (libm::log(m) + EULER_GAMMA) - 2.0 * m / n as f64
        }
    }
}

impl IsolationForest {
    /// Fit `trees` trees on subsamples of `subsample` points (capped at the data size).
    pub fn fit(
        data: &[Vec<f64>],
        trees: usize,
        subsample: usize,
        seed: u64,
    ) -> Result<Self, IsolationError> {
        if data.len() < 2 {
            return Err(IsolationError::TooFewPoints(data.len()));
        }
        if trees > MAX_TREES {
            return Err(IsolationError::TooManyTrees);
        }
        let dims = data[0].len();
        for (row, p) in data.iter().enumerate() {
            if p.len() != dims {
                return Err(IsolationError::Ragged {
                    row,
                    got: p.len(),
                    expected: dims,
                });
            }
            if p.iter().any(|v| !v.is_finite()) {
                return Err(IsolationError::NotFinite { row });
            }
        }
        let psi = subsample.clamp(2, data.len());
        let height_limit = (psi as f64).log2().ceil() as usize;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut forest = Vec::with_capacity(trees.max(1));
        let mut all: Vec<usize> = (0..data.len()).collect();
        for _ in 0..trees.max(1) {
            // Subsample without replacement: a partial Fisher–Yates shuffle.
            for i in 0..psi {
                let j = rng.random_range(i..all.len());
                all.swap(i, j);
            }
            let mut sample = all[..psi].to_vec();
            let mut nodes = Vec::new();
            build(
                data,
                &mut sample,
                0,
                height_limit,
                dims,
                &mut rng,
                &mut nodes,
            );
            forest.push(Tree { nodes });
        }
        Ok(IsolationForest {
            trees: forest,
            dims,
            norm: average_path(psi),
        })
    }

    /// The anomaly score s(x) in (0, 1]; a point of the wrong length scores 0.
    pub fn score(&self, x: &[f64]) -> f64 {
        if x.len() != self.dims || self.norm <= 0.0 {
            return 0.0;
        }
        let mean =
            self.trees.iter().map(|t| path_length(t, x)).sum::<f64>() / self.trees.len() as f64;
        libm::exp2(-mean / self.norm)
    }
}

/// Build the subtree of `sample` and return its node index.
fn build(
    data: &[Vec<f64>],
    sample: &mut [usize],
    depth: usize,
    limit: usize,
    dims: usize,
    rng: &mut ChaCha8Rng,
    nodes: &mut Vec<Node>,
) -> usize {
    let here = nodes.len();
    nodes.push(Node::Leaf { size: sample.len() });
    if depth >= limit || sample.len() <= 1 || dims == 0 {
        return here;
    }
    // Features that still vary in this sample; a sample of identical points is a leaf.
    let ranges: Vec<(usize, f64, f64)> = (0..dims)
        .filter_map(|f| {
            let (lo, hi) = sample
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |a, &i| {
                    (a.0.min(data[i][f]), a.1.max(data[i][f]))
                });
            (hi > lo).then_some((f, lo, hi))
        })
        .collect();
    if ranges.is_empty() {
        return here;
    }
    let (feature, lo, hi) = ranges[rng.random_range(0..ranges.len())];
    let value = lo + (hi - lo) * rng.random::<f64>();
    // Partition in place: < value to the left.
    let mut split = 0;
    for i in 0..sample.len() {
        if data[sample[i]][feature] < value {
            sample.swap(i, split);
            split += 1;
        }
    }
    let (left_s, right_s) = sample.split_at_mut(split);
    let left = build(data, left_s, depth + 1, limit, dims, rng, nodes);
    let right = build(data, right_s, depth + 1, limit, dims, rng, nodes);
    nodes[here] = Node::Split {
        feature,
        value,
        left,
        right,
    };
    here
}

fn path_length(tree: &Tree, x: &[f64]) -> f64 {
    let mut at = 0;
    let mut depth = 0.0;
    loop {
        match tree.nodes.get(at) {
            Some(Node::Split {
                feature,
                value,
                left,
                right,
            }) => {
                at = if x[*feature] < *value { *left } else { *right };
                depth += 1.0;
            }
            Some(Node::Leaf { size }) => return depth + average_path(*size),
            None => return depth,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn average_path_matches_the_formula() {
        assert_eq!(average_path(1), 0.0);
        assert_eq!(average_path(2), 1.0);
        // c(256) ≈ 10.24 (2(ln 255 + γ) − 2·255/256).
        assert!(
            (average_path(256) - 10.244).abs() < 1e-3,
            "{}",
            average_path(256)
        );
    }

    #[test]
    fn a_far_point_scores_high_and_a_central_one_low() {
        let mut data: Vec<Vec<f64>> = (0..200)
            .map(|i| vec![(i % 20) as f64 / 20.0, (i / 20) as f64 / 10.0])
            .collect();
        data.push(vec![8.0, 8.0]);
        let f = IsolationForest::fit(&data, 100, 256, 7).unwrap_or_else(|e| panic!("{e}"));
        let far = f.score(&[8.0, 8.0]);
        let mid = f.score(&[0.5, 0.5]);
        assert!(far > 0.7, "{far}");
        assert!(mid < 0.6 && far > mid + 0.2, "{mid}");
        let again = IsolationForest::fit(&data, 100, 256, 7).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(far.to_bits(), again.score(&[8.0, 8.0]).to_bits());
    }

    #[test]
    fn bad_input_is_refused() {
        assert_eq!(
            IsolationForest::fit(&[vec![1.0]], 10, 8, 1).err(),
            Some(IsolationError::TooFewPoints(1))
        );
        assert!(matches!(
            IsolationForest::fit(&[vec![1.0], vec![1.0, 2.0]], 10, 8, 1),
            Err(IsolationError::Ragged { row: 1, .. })
        ));
        assert!(matches!(
            IsolationForest::fit(&[vec![1.0], vec![f64::NAN]], 10, 8, 1),
            Err(IsolationError::NotFinite { row: 1 })
        ));
    }
}
