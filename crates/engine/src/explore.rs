//! Journey explorer: the most common paths with their conversions, non-conversions and
//! conversion rate, read from the distinct-path aggregate.

use crate::journey::{JourneySet, PathAggregate};
use serde::{Deserialize, Serialize};

/// One path as shown to a user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathRow {
    /// Channel names, first touch first.
    pub channels: Vec<String>,
    pub journeys: f64,
    pub conversions: f64,
    pub nulls: f64,
    pub revenue: f64,
    /// conversions ÷ (conversions + nulls); 0 for an empty row.
    pub conversion_rate: f64,
}

/// Order in which [`top_paths`] ranks paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Rank {
    #[default]
    Journeys,
    Conversions,
}

/// The `limit` most common paths (ties broken by the channel names, so the order is stable).
pub fn top_paths(set: &JourneySet, agg: &PathAggregate, rank: Rank, limit: usize) -> Vec<PathRow> {
    let mut rows: Vec<PathRow> = agg
        .paths
        .iter()
        .map(|p| {
            let total = p.conversions + p.nulls;
            PathRow {
                channels: p
                    .channels
                    .iter()
                    .map(|&c| set.channels.name(c).to_owned())
                    .collect(),
                journeys: p.journeys,
                conversions: p.conversions,
                nulls: p.nulls,
                revenue: p.revenue,
                conversion_rate: if total > 0.0 {
                    p.conversions / total
                } else {
                    0.0
                },
            }
        })
        .collect();
    let key = |r: &PathRow| match rank {
        Rank::Journeys => r.journeys,
        Rank::Conversions => r.conversions,
    };
    rows.sort_by(|a, b| {
        key(b)
            .total_cmp(&key(a))
            .then_with(|| a.channels.cmp(&b.channels))
    });
    rows.truncate(limit);
    rows
}
