//! Which model to read first: the spec's model-selection rules, applied in their order.
//!
//! From the product spec ("Model Selection Logic"):
//!
//! ```text
//! conversions per month < 100   → last touch      (simplest, most actionable)
//! sales cycle > 30 days         → time-decay      (recency matters)
//! business type B2B             → position-based  (discovery and closing both matter)
//! conversions per month > 1,000 → data-driven     (enough data for a learned model)
//! otherwise                     → linear          (a fair baseline)
//! ```
//!
//! Conversions per month come from the data: total conversions ÷ the months the data spans
//! (span in days ÷ 30.4375, at least one month, so a week of data is not extrapolated to a
//! month). Sales cycle and business type are the user's settings. The data-driven choice is the
//! Markov removal effect; Shapley is named as its companion in the sentence. The recommendation
//! never hides the other models — it only says which to read first and why.
//!
//! Separately, [`data_driven_caution`] says when the data is too thin for the data-driven models
//! (fewer than [`DATA_DRIVEN_MIN_CONVERSIONS`] conversions, the spec's threshold for statistical
//! significance), so the app can show a note instead of presenting noise as fact.

use crate::models::Model;
use crate::roi::format_count as count;
use serde::{Deserialize, Serialize};

/// The spec's threshold for data-driven attribution: 1,000 conversions.
pub const DATA_DRIVEN_MIN_CONVERSIONS: f64 = 1000.0;

const DAYS_PER_MONTH: f64 = 30.4375;

/// The kind of business, a user setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum BusinessType {
    #[default]
    B2c,
    B2b,
}

/// What the recommendation is based on.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Situation {
    /// Conversions in the data.
    pub conversions: f64,
    /// Days the data spans (first to last conversion or touch); `None` when unknown (path
    /// tables have no dates), in which case `conversions` are taken as one month's.
    pub span_days: Option<f64>,
    /// Typical days from first touch to purchase, a user setting.
    pub sales_cycle_days: f64,
    pub business: BusinessType,
}

/// Which rule decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    LowVolume,
    LongCycle,
    B2b,
    HighVolume,
    Baseline,
}

/// A model to read first, with the reason in one sentence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recommendation {
    pub model: Model,
    pub rule: Rule,
    pub conversions_per_month: f64,
    pub sentence: String,
}

impl Situation {
    /// Conversions per month (see the module documentation).
    pub fn conversions_per_month(&self) -> f64 {
        let months = self
            .span_days
            .filter(|d| d.is_finite())
            .map(|d| (d / DAYS_PER_MONTH).max(1.0))
            .unwrap_or(1.0);
        if self.conversions.is_finite() {
            self.conversions.max(0.0) / months
        } else {
            0.0
        }
    }
}

/// Apply the spec's rules in order.
pub fn recommend(s: &Situation) -> Recommendation {
    let per_month = s.conversions_per_month();
    let volume = format!("{} conversions a month", count(per_month));
    let (model, rule, sentence) = if per_month < 100.0 {
        (
            Model::Last,
            Rule::LowVolume,
            format!("Read last touch first: with {volume} (fewer than 100), the simplest model is the most actionable."),
        )
    } else if s.sales_cycle_days > 30.0 {
        (
            Model::TimeDecay,
            Rule::LongCycle,
            format!(
                "Read time-decay first: your sales cycle of {} days (longer than 30) means recent touches matter most.",
                count(s.sales_cycle_days)
            ),
        )
    } else if s.business == BusinessType::B2b {
        (
            Model::Position,
            Rule::B2b,
            "Read position-based first: in B2B both the touch that found you and the one that closed matter.".to_owned(),
        )
    } else if per_month > 1000.0 {
        (
            Model::Markov,
            Rule::HighVolume,
            format!("Read the data-driven models first (Markov, then Shapley): with {volume} (more than 1,000) they can learn what works for you."),
        )
    } else {
        (
            Model::Linear,
            Rule::Baseline,
            format!("Read linear first: with {volume} and a short cycle, equal credit is a fair baseline."),
        )
    };
    Recommendation {
        model,
        rule,
        conversions_per_month: per_month,
        sentence,
    }
}

/// A note for data-driven models on thin data, or `None` when there is enough.
pub fn data_driven_caution(conversions: f64) -> Option<String> {
    (conversions < DATA_DRIVEN_MIN_CONVERSIONS).then(|| {
        format!(
            "Only {} conversions: data-driven models need about 1,000 before their weights mean more than noise. Read their intervals, and prefer the rule-based models for decisions.",
            count(conversions)
        )
    })
}
