//! Ground truth of a simulated data set and the score of a model against it: per-channel true
//! conversions, shares and revenue ([`Truth`], produced by [`crate::simulate`]) and the L1
//! distance of a model's channel shares from the true shares ([`l1_distance`]).
//!
//! Kept apart from the simulator so that [`crate::report`] (which scores every model when a truth
//! is given, e.g. a `refleqt simulate --truth` file) depends on the truth's shape only, not on
//! the generator.

use crate::models::AttributionResult;
use serde::{Deserialize, Serialize};

/// Ground truth of one channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelTruth {
    pub name: String,
    pub reach: f64,
    pub lift: f64,
    pub touches: u64,
    /// Journeys whose channel set contains this channel (E_c).
    pub exposed_journeys: u64,
    /// ℓ_c × E_c.
    pub expected_conversions: f64,
    pub expected_share: f64,
    /// Conversions this channel actually caused.
    pub realised_conversions: u64,
    pub realised_share: f64,
    /// Revenue of the conversions it caused.
    pub true_revenue: f64,
    pub revenue_share: f64,
    /// touches × cost per touch.
    pub cost: f64,
    /// (true revenue − cost) / cost × 100; `None` when the cost is 0.
    pub true_roi: Option<f64>,
}

/// Ground truth of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Truth {
    pub seed: u64,
    pub users: u64,
    pub journeys: u64,
    pub touches: u64,
    pub conversions: u64,
    pub revenue: f64,
    pub cost: f64,
    /// In configuration order.
    pub channels: Vec<ChannelTruth>,
}

/// Which true shares to compare against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TruthBasis {
    /// Who actually caused this run's conversions.
    Realised,
    /// ℓ_c × E_c: what an unbiased causal estimate converges to.
    Expected,
}

impl Truth {
    /// `(channel, true share)` in configuration order.
    pub fn shares(&self, basis: TruthBasis) -> Vec<(String, f64)> {
        self.channels
            .iter()
            .map(|c| {
                let s = match basis {
                    TruthBasis::Realised => c.realised_share,
                    TruthBasis::Expected => c.expected_share,
                };
                (c.name.clone(), s)
            })
            .collect()
    }
}

/// L1 distance Σ_c |share_c − true_share_c| between a model's channel shares and the truth, in
/// [0, 2] when both sum to 1. Channels missing on either side count with share 0; repeated
/// names are summed. NaN shares give NaN.
pub fn l1_distance(shares: &[(String, f64)], truth: &Truth, basis: TruthBasis) -> f64 {
    let mut merged: Vec<(&str, f64, f64)> = truth
        .shares(basis)
        .into_iter()
        .zip(&truth.channels)
        .map(|((_, t), c)| (c.name.as_str(), 0.0, t))
        .collect();
    for (name, s) in shares {
        match merged.iter_mut().find(|(n, _, _)| *n == name.as_str()) {
            Some(row) => row.1 += s,
            None => merged.push((name.as_str(), *s, 0.0)),
        }
    }
    merged.iter().map(|(_, s, t)| (s - t).abs()).sum()
}

/// `(channel, share of credited conversions)` of a model result, for [`l1_distance`].
pub fn model_shares(result: &AttributionResult) -> Vec<(String, f64)> {
    result
        .channels
        .iter()
        .map(|c| (c.name.clone(), c.share))
        .collect()
}
