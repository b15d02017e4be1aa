//! What a run produces: calendar entries, streamed journeys (touches and their conversion), event
//! rows for small runs, and the summary that carries the ground truth.

use super::Truth;
use crate::journey::EntryId;
use serde::{Deserialize, Serialize};

/// One calendar entry (artifact).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimEntry {
    /// 1, 2, 3, … (`utm_content=cal-<id>`).
    pub id: EntryId,
    pub channel: String,
    /// `"LinkedIn post 3"`.
    pub name: String,
    /// Empty when the config has no campaigns.
    pub campaign: String,
    pub publish_ms: i64,
    /// Touches tagged with this entry.
    pub touches: u64,
    /// touches × the channel's cost per touch.
    pub cost: f64,
}

/// One touch of a streamed journey.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SimTouch {
    /// Index into [`SimConfig::channels`](super::SimConfig::channels) (and into the [`Channels`](crate::Channels) of the journey sets built
    /// here).
    pub channel: u32,
    pub entry: Option<EntryId>,
    pub ts_ms: i64,
    pub cost: f64,
}

/// The conversion closing a streamed journey.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SimConversion {
    pub ts_ms: i64,
    /// Revenue in cents (exact).
    pub revenue_cents: i64,
    /// Index of the channel that truly caused it.
    pub cause: u32,
}

impl SimConversion {
    pub fn revenue(&self) -> f64 {
        self.revenue_cents as f64 / 100.0
    }
}

/// One journey handed to a [`simulate_into`](super::simulate_into) sink. Journeys arrive by user, then in time order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimJourney<'a> {
    /// 1-based user number (`u000001` is 1).
    pub user: u64,
    /// 0 for a user's first journey, 1 for the second.
    pub index: u32,
    /// Oldest first; never empty.
    pub touches: &'a [SimTouch],
    pub conversion: Option<SimConversion>,
}

impl SimJourney<'_> {
    /// Unix ms of the conversion, or of the last touch when none.
    pub fn end_ms(&self) -> i64 {
        match (self.conversion, self.touches.last()) {
            (Some(c), _) => c.ts_ms,
            (None, Some(t)) => t.ts_ms,
            (None, None) => 0,
        }
    }
}

/// `u000001` for user 1.
pub fn user_id(user: u64) -> String {
    format!("u{user:06}")
}

/// One row of the events CSV.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimEvent {
    pub user_id: String,
    pub ts_ms: i64,
    /// Empty on conversions.
    pub channel: String,
    /// Empty on conversions and untagged touches.
    pub campaign: String,
    /// `cal-<id>`; empty on conversions and untagged touches.
    pub utm_content: String,
    /// 0 on conversions.
    pub cost: f64,
    pub is_conversion: bool,
    /// 0 on touches.
    pub revenue: f64,
}

/// Calendar entries and ground truth of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimSummary {
    pub entries: Vec<SimEntry>,
    pub truth: Truth,
}

/// A whole run kept in memory (meant for small N; use [`simulate_into`](super::simulate_into) or [`simulate_to_csv`](super::simulate_to_csv)
/// at scale).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimOutput {
    pub entries: Vec<SimEntry>,
    /// Grouped by user, time-ordered: touches then the conversion that closes them.
    pub events: Vec<SimEvent>,
    pub truth: Truth,
}
