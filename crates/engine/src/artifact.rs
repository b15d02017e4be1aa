//! What an artifact is, as the learners see it: channel, type, topic tags, length, creator,
//! cost and publish day and hour ([`ArtifactFeatures`]), and a past artifact with its measured
//! metrics ([`ArtifactRecord`]). Pure data; the learners (`predict`, `isolation`) read it.

use serde::{Deserialize, Serialize};

/// The artifact types the app offers; any other non-empty name is a custom type.
pub const BUILTIN_KINDS: [&str; 8] = [
    "Blog post",
    "Email",
    "Ad",
    "Social post",
    "Video",
    "Case study",
    "Webinar",
    "Landing page",
];

/// Days since 1970-01-01 → weekday, 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday).
pub fn weekday_of_day(days: i64) -> u8 {
    ((days + 3).rem_euclid(7)) as u8
}

/// Weekday names, Monday first (index by [`weekday_of_day`]).
pub const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// The features of one artifact (planned or published).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ArtifactFeatures {
    pub channel: String,
    /// Artifact type ("Blog post", "Email", …); empty when unknown.
    pub kind: String,
    /// Topic tags, lower case.
    pub topics: Vec<String>,
    /// Length in the unit of its type (words, seconds, …) when known.
    pub length: Option<f64>,
    pub creator: String,
    /// Planned or realised cost when known.
    pub cost: Option<f64>,
    /// Publish day (days since 1970-01-01, UTC).
    pub day: i64,
    /// Publish hour 0–23 when known.
    pub hour: Option<u8>,
}

impl ArtifactFeatures {
    pub fn weekday(&self) -> u8 {
        weekday_of_day(self.day)
    }
}

/// A past artifact and what it achieved: `(metric name, value)` pairs, each value ≥ 0.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ArtifactRecord {
    pub features: ArtifactFeatures,
    pub values: Vec<(String, f64)>,
}

impl ArtifactRecord {
    /// The value of `metric`, if measured (finite and ≥ 0).
    pub fn value(&self, metric: &str) -> Option<f64> {
        self.values
            .iter()
            .find(|(m, _)| m == metric)
            .map(|(_, v)| *v)
            .filter(|v| v.is_finite() && *v >= 0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekdays_from_days() {
        assert_eq!(WEEKDAYS[weekday_of_day(0) as usize], "Thursday");
        // 2025-01-06 was a Monday: 20_094 days after 1970-01-01.
        assert_eq!(weekday_of_day(20_094), 0);
        assert_eq!(weekday_of_day(-1), 2);
    }
}
