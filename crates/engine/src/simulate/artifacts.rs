//! Artifact histories from a known process, the ground truth the learners are scored against:
//! a few years of published artifacts (channel, type, topics, length, creator, cost, day and
//! hour) with their impressions, clicks, conversions and revenue, optionally with injected
//! anomalies whose labels are kept.
//!
//! # The process
//!
//! Each day, Poisson(`per_week` / 7) artifacts are published; each picks a channel by its share,
//! a type among the channel's types, one or two topics, a creator, a weekday-dependent hour and,
//! for paid channels, a budget. The expected impressions are the channel's base (paid channels:
//! 45·budget^0.9) times the effects of type, topics, creator, length and **weekday × hour**: a
//! bump of ×e^0.7 at the channel's planted best time (Gaussian in the hour, σ = 2 h; on other
//! weekdays a third of it), ×e^−0.3 at weekends. Clicks = impressions × the channel's click rate
//! × the type's; conversions = clicks × the conversion rate × the type's and the topic's;
//! revenue = conversions × order value with Gamma(2) noise per conversion.
//!
//! Counts are over-dispersed as real counts are: each is Gamma–Poisson (negative binomial)
//! around its mean (impressions shape 6, clicks 12, conversions 10), so variance = μ + μ²/shape.
//!
//! With `anomaly_rate` > 0, that share of artifacts gets one injected anomaly, labelled in
//! [`SimArtifact::anomaly`]: a spike (every metric × 4–8), a slump (every metric ÷ 4–8) or a
//! click burst (clicks alone × 4–8, so the click rate is out of line with its peers).
//!
//! Everything comes from one seeded ChaCha8 stream and the simulator's portable `exp`/`ln`, so
//! a configuration gives the same history bit for bit on every target.

use super::maths::{det_exp, det_ln, Gen};
use crate::artifact::{weekday_of_day, ArtifactFeatures, ArtifactRecord};
use serde::{Deserialize, Serialize};

/// The metrics every simulated artifact has.
pub const ARTIFACT_METRICS: [&str; 4] = ["impressions", "clicks", "conversions", "revenue"];

/// At most this many days of history.
pub const MAX_ARTIFACT_DAYS: u32 = 3650;
/// At most this many artifacts a week.
pub const MAX_ARTIFACTS_PER_WEEK: f64 = 1000.0;

/// How to simulate an artifact history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArtifactSimConfig {
    pub seed: u64,
    /// First day (days since 1970-01-01).
    pub start_day: i64,
    /// Days of history (≤ [`MAX_ARTIFACT_DAYS`]).
    pub days: u32,
    /// Artifacts published per week, all channels together (≤ [`MAX_ARTIFACTS_PER_WEEK`]).
    pub per_week: f64,
    /// Share of artifacts with an injected anomaly, in [0, 0.5].
    pub anomaly_rate: f64,
}

impl Default for ArtifactSimConfig {
    /// Three years from 2022-01-03, twelve artifacts a week (≈ 1,900), no anomalies.
    fn default() -> Self {
        ArtifactSimConfig {
            seed: 11,
            start_day: 18_995,
            days: 3 * 364,
            per_week: 12.0,
            anomaly_rate: 0.0,
        }
    }
}

/// The kind of an injected anomaly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AnomalyKind {
    /// Every metric multiplied by the factor.
    Spike,
    /// Every metric divided by the factor.
    Slump,
    /// Clicks alone multiplied by the factor.
    ClickBurst,
}

/// An injected anomaly and its size (factor 4–8).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct InjectedAnomaly {
    pub kind: AnomalyKind,
    pub factor: f64,
}

/// One simulated artifact with its truth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimArtifact {
    pub record: ArtifactRecord,
    pub anomaly: Option<InjectedAnomaly>,
}

/// A channel's planted best posting time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlantedTime {
    pub channel: String,
    /// 0 = Monday.
    pub weekday: u8,
    pub hour: u8,
}

/// A simulated history, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArtifactHistory {
    pub artifacts: Vec<SimArtifact>,
    pub best_times: Vec<PlantedTime>,
}

impl ArtifactHistory {
    /// The records alone (what a learner sees).
    pub fn records(&self) -> Vec<ArtifactRecord> {
        self.artifacts.iter().map(|a| a.record.clone()).collect()
    }
}

/// Why a configuration was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ArtifactSimError {
    #[error("days must be 1 to {MAX_ARTIFACT_DAYS}, got {0}")]
    Days(u32),
    #[error("artifacts per week must be above 0 and at most {MAX_ARTIFACTS_PER_WEEK}, got {0}")]
    PerWeek(f64),
    #[error("the anomaly rate must be between 0 and 0.5, got {0}")]
    AnomalyRate(f64),
    #[error("give at least one creator, each with a positive finite effect")]
    Creators,
}

struct ChannelProfile {
    name: &'static str,
    share: f64,
    kinds: &'static [&'static str],
    /// Expected impressions of an organic artifact; 0 for paid (from the budget).
    base: f64,
    paid: bool,
    click_rate: f64,
    conversion_rate: f64,
    order_value: f64,
    best_weekday: u8,
    best_hour: u8,
}

static CHANNELS: [ChannelProfile; 7] = [
    ChannelProfile {
        name: "blog",
        share: 0.2,
        kinds: &["Blog post", "Case study", "Landing page"],
        base: 1500.0,
        paid: false,
        click_rate: 0.05,
        conversion_rate: 0.03,
        order_value: 120.0,
        best_weekday: 1,
        best_hour: 9,
    },
    ChannelProfile {
        name: "email",
        share: 0.12,
        kinds: &["Email"],
        base: 8000.0,
        paid: false,
        click_rate: 0.03,
        conversion_rate: 0.05,
        order_value: 90.0,
        best_weekday: 3,
        best_hour: 10,
    },
    ChannelProfile {
        name: "linkedin",
        share: 0.2,
        kinds: &["Social post", "Video", "Case study"],
        base: 5000.0,
        paid: false,
        click_rate: 0.012,
        conversion_rate: 0.03,
        order_value: 150.0,
        best_weekday: 2,
        best_hour: 8,
    },
    ChannelProfile {
        name: "twitter",
        share: 0.16,
        kinds: &["Social post", "Video"],
        base: 3000.0,
        paid: false,
        click_rate: 0.008,
        conversion_rate: 0.015,
        order_value: 80.0,
        best_weekday: 0,
        best_hour: 12,
    },
    ChannelProfile {
        name: "google-ads",
        share: 0.12,
        kinds: &["Ad", "Landing page"],
        base: 0.0,
        paid: true,
        click_rate: 0.035,
        conversion_rate: 0.04,
        order_value: 110.0,
        best_weekday: 1,
        best_hour: 14,
    },
    ChannelProfile {
        name: "meta-ads",
        share: 0.12,
        kinds: &["Ad", "Video"],
        base: 0.0,
        paid: true,
        click_rate: 0.012,
        conversion_rate: 0.025,
        order_value: 70.0,
        best_weekday: 4,
        best_hour: 19,
    },
    ChannelProfile {
        name: "webinar",
        share: 0.08,
        kinds: &["Webinar"],
        base: 900.0,
        paid: false,
        click_rate: 0.3,
        conversion_rate: 0.08,
        order_value: 400.0,
        best_weekday: 3,
        best_hour: 16,
    },
];

/// Topic tags and their effect on reach and on conversion.
static TOPICS: [(&str, f64, f64); 6] = [
    ("pricing", 0.9, 1.5),
    ("product", 1.1, 1.2),
    ("how-to", 1.35, 1.0),
    ("industry", 1.0, 0.8),
    ("customer-story", 1.15, 1.3),
    ("hiring", 0.7, 0.3),
];

/// Creators and their effect on reach (what [`simulate_artifacts`] uses).
pub static CREATORS: [(&str, f64); 4] = [
    ("Alex", 1.25),
    ("Blake", 1.0),
    ("Casey", 0.9),
    ("Drew", 0.75),
];

/// Type effects: (impressions, click rate, conversion rate).
fn kind_effect(kind: &str) -> (f64, f64, f64) {
    match kind {
        "Video" => (1.4, 0.8, 0.9),
        "Case study" => (0.8, 1.2, 1.6),
        "Landing page" => (0.9, 1.3, 1.4),
        "Webinar" => (1.0, 1.0, 1.2),
        "Ad" => (1.0, 1.0, 1.0),
        "Email" => (1.0, 1.0, 1.0),
        _ => (1.0, 1.0, 1.0),
    }
}

/// The planted weekday × hour effect (a multiplier of the expected impressions).
pub fn time_effect(best_weekday: u8, best_hour: u8, weekday: u8, hour: u8) -> f64 {
    let dh = hour as f64 - best_hour as f64;
    let bump = det_exp(-dh * dh / 8.0);
    let day = if weekday == best_weekday {
        1.0
    } else {
        1.0 / 3.0
    };
    let weekend = if weekday >= 5 { -0.3 } else { 0.0 };
    det_exp(0.7 * bump * day + weekend)
}

fn pick<'a, T>(gen: &mut Gen, items: &'a [T]) -> &'a T {
    let i = ((gen.uniform() * items.len() as f64) as usize).min(items.len() - 1);
    &items[i]
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Simulate an artifact history (see the module docs for the process) with the four built-in
/// [`CREATORS`].
pub fn simulate_artifacts(cfg: &ArtifactSimConfig) -> Result<ArtifactHistory, ArtifactSimError> {
    simulate_artifacts_with_creators(cfg, &CREATORS)
}

/// Simulate an artifact history whose creators and their true effect on reach (a positive
/// multiplier) are given: the ground truth a creator-reputation estimate is scored against. Each
/// artifact's creator is drawn uniformly from the list.
pub fn simulate_artifacts_with_creators(
    cfg: &ArtifactSimConfig,
    creators: &[(&str, f64)],
) -> Result<ArtifactHistory, ArtifactSimError> {
    if creators.is_empty() || creators.iter().any(|(_, m)| !(*m > 0.0 && m.is_finite())) {
        return Err(ArtifactSimError::Creators);
    }
    if cfg.days == 0 || cfg.days > MAX_ARTIFACT_DAYS {
        return Err(ArtifactSimError::Days(cfg.days));
    }
    if !(cfg.per_week > 0.0 && cfg.per_week <= MAX_ARTIFACTS_PER_WEEK) {
        return Err(ArtifactSimError::PerWeek(cfg.per_week));
    }
    if !(0.0..=0.5).contains(&cfg.anomaly_rate) {
        return Err(ArtifactSimError::AnomalyRate(cfg.anomaly_rate));
    }
    let mut gen = Gen::new(cfg.seed);
    let total_share: f64 = CHANNELS.iter().map(|c| c.share).sum();
    let mut artifacts = Vec::new();
    for d in 0..cfg.days as i64 {
        let day = cfg.start_day + d;
        let weekday = weekday_of_day(day);
        let n = gen.poisson(cfg.per_week / 7.0) as usize;
        for _ in 0..n {
            let mut u = gen.uniform() * total_share;
            let mut ch = &CHANNELS[CHANNELS.len() - 1];
            for c in &CHANNELS {
                if u < c.share {
                    ch = c;
                    break;
                }
                u -= c.share;
            }
            artifacts.push(one_artifact(&mut gen, cfg, ch, creators, day, weekday));
        }
    }
    let best_times = CHANNELS
        .iter()
        .map(|c| PlantedTime {
            channel: c.name.to_owned(),
            weekday: c.best_weekday,
            hour: c.best_hour,
        })
        .collect();
    Ok(ArtifactHistory {
        artifacts,
        best_times,
    })
}

fn one_artifact(
    gen: &mut Gen,
    cfg: &ArtifactSimConfig,
    ch: &ChannelProfile,
    creators: &[(&str, f64)],
    day: i64,
    weekday: u8,
) -> SimArtifact {
    let kind = *pick(gen, ch.kinds);
    let first = pick(gen, &TOPICS);
    let mut topics = vec![first];
    if gen.uniform() < 0.4 {
        let second = pick(gen, &TOPICS);
        if second.0 != first.0 {
            topics.push(second);
        }
    }
    let creator = pick(gen, creators);
    // Posting hours 6–21, most in office hours.
    let hour = (6.0 + 15.0 * (0.5 * gen.uniform() + 0.5 * gen.uniform())).floor() as u8;
    let length = match kind {
        "Blog post" | "Case study" | "Landing page" => {
            Some((400.0 + 2000.0 * gen.uniform()).round())
        }
        "Video" => Some((30.0 + 570.0 * gen.uniform()).round()),
        _ => None,
    };
    let cost = if ch.paid {
        round2(gen.lognormal(det_ln(800.0) - 0.125, 0.5))
    } else {
        round2(gen.lognormal(det_ln(250.0) - 0.045, 0.3))
    };
    let (k_imp, k_click, k_conv) = kind_effect(kind);
    let topic_reach: f64 = topics.iter().map(|t| t.1).product();
    let topic_conv: f64 = topics.iter().map(|t| t.2).product();
    let length_effect = match (kind, length) {
        ("Video", Some(s)) => det_exp(-0.3 * det_ln(s / 120.0).abs()),
        (_, Some(w)) => det_exp(0.2 * det_ln(w / 1200.0)),
        _ => 1.0,
    };
    let base = if ch.paid {
        45.0 * det_exp(0.9 * det_ln(cost.max(1.0)))
    } else {
        ch.base
    };
    let mean_imp = base
        * k_imp
        * topic_reach
        * creator.1
        * length_effect
        * time_effect(ch.best_weekday, ch.best_hour, weekday, hour);
    let impressions = gen.neg_binomial(mean_imp, 6.0);
    let clicks = gen.neg_binomial(impressions * ch.click_rate * k_click, 12.0);
    let conversions = gen.neg_binomial(clicks * ch.conversion_rate * k_conv * topic_conv, 10.0);
    let revenue = if conversions > 0.0 {
        round2(gen.gamma(2.0 * conversions) / 2.0 * ch.order_value)
    } else {
        0.0
    };
    let mut values = [impressions, clicks, conversions, revenue];
    let anomaly = if cfg.anomaly_rate > 0.0 && gen.uniform() < cfg.anomaly_rate {
        let factor = 4.0 + 4.0 * gen.uniform();
        let kind = *pick(
            gen,
            &[
                AnomalyKind::Spike,
                AnomalyKind::Slump,
                AnomalyKind::ClickBurst,
            ],
        );
        match kind {
            AnomalyKind::Spike => values.iter_mut().for_each(|v| *v = (*v * factor).round()),
            AnomalyKind::Slump => values.iter_mut().for_each(|v| *v = (*v / factor).round()),
            AnomalyKind::ClickBurst => values[1] = (values[1] * factor).round(),
        }
        Some(InjectedAnomaly { kind, factor })
    } else {
        None
    };
    let mut topic_names: Vec<String> = topics.iter().map(|t| t.0.to_owned()).collect();
    topic_names.sort();
    SimArtifact {
        record: ArtifactRecord {
            features: ArtifactFeatures {
                channel: ch.name.to_owned(),
                kind: kind.to_owned(),
                topics: topic_names,
                length,
                creator: creator.0.to_owned(),
                cost: Some(cost),
                day,
                hour: Some(hour),
            },
            values: ARTIFACT_METRICS
                .iter()
                .zip(values)
                .map(|(m, v)| ((*m).to_owned(), v))
                .collect(),
        },
        anomaly,
    }
}
