//! The simulator's configuration: channels, lifts, reach, costs, calendar entries, the demo
//! preset, and the one validation of every field ([`SimConfig::validate`]).

use super::{MAX_TS_MS, MS_PER_DAY};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::io;
use thiserror::Error;

/// At most this many channels (a journey's channel set is a 64-bit mask).
pub const MAX_CHANNELS: usize = 64;
/// Touches per journey are capped here.
pub const MAX_TOUCHES: usize = 100;
/// At most this many users per run.
pub const MAX_JOURNEYS: u64 = 50_000_000;
/// At most this many calendar entries per channel.
pub const MAX_ENTRIES_PER_CHANNEL: u32 = 10_000;
/// Upper bound of `mean_touches`.
pub const MAX_MEAN_TOUCHES: f64 = 10.0;
/// Upper bound of `span_days` (ten years).
pub const MAX_SPAN_DAYS: f64 = 3650.0;
/// At most this many interactions ([`SimInteraction`]) per configuration.
pub const MAX_INTERACTIONS: usize = 16;
/// 2025-01-01T00:00:00Z.
const DEMO_START_MS: i64 = 1_735_689_600_000;

/// One simulated channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SimChannel {
    /// Channel name as it appears in the CSVs (`google-ads`). Must not contain `, ; > "` or line
    /// breaks.
    pub name: String,
    /// Relative weight of the channel among touches (any scale, ≥ 0).
    pub reach: f64,
    /// Additive conversion probability the channel causes for a journey that touches it.
    pub lift: f64,
    /// Cost of one touch, in the account currency.
    pub cost_per_touch: f64,
    /// Number of calendar entries (artifacts); 0 leaves its touches untagged.
    pub entries: u32,
    /// In (−1, 1): > 0 the channel tends to come late in journeys, < 0 early.
    pub position_bias: f64,
    /// Title prefix of its entries (`"LinkedIn post"`); empty uses the channel name.
    pub entry_label: String,
}

impl Default for SimChannel {
    fn default() -> Self {
        SimChannel {
            name: String::new(),
            reach: 1.0,
            lift: 0.0,
            cost_per_touch: 0.0,
            entries: 0,
            position_bias: 0.0,
            entry_label: String::new(),
        }
    }
}

impl SimChannel {
    pub fn new(name: &str, reach: f64, lift: f64, cost_per_touch: f64, entries: u32) -> Self {
        SimChannel {
            name: name.to_owned(),
            reach,
            lift,
            cost_per_touch,
            entries,
            ..SimChannel::default()
        }
    }

    pub fn with_bias(mut self, position_bias: f64) -> Self {
        self.position_bias = position_bias;
        self
    }

    pub fn with_label(mut self, label: &str) -> Self {
        self.entry_label = label.to_owned();
        self
    }

    pub(super) fn label(&self) -> &str {
        if self.entry_label.is_empty() {
            &self.name
        } else {
            &self.entry_label
        }
    }
}

/// Extra conversion probability that only a combination of channels causes: a *synergy*
/// (every channel of `channels` touched, in any order) or, with `ordered`, a *sequence* (the
/// channels touched in this order, e.g. an awareness channel before a retargeting one; other
/// touches may come between). The conversions it causes are credited in equal parts to its
/// channels (each is a but-for cause: without any one of them the lift is not there).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SimInteraction {
    /// Two or more distinct channel names of the configuration.
    pub channels: Vec<String>,
    /// The additive conversion probability the combination causes.
    pub lift: f64,
    /// The channels must be touched in the listed order.
    pub ordered: bool,
}

impl Default for SimInteraction {
    fn default() -> Self {
        SimInteraction {
            channels: Vec::new(),
            lift: 0.0,
            ordered: false,
        }
    }
}

impl SimInteraction {
    /// Channels that only work together, in any order.
    pub fn synergy(channels: &[&str], lift: f64) -> Self {
        SimInteraction {
            channels: channels.iter().map(|&c| c.to_owned()).collect(),
            lift,
            ordered: false,
        }
    }

    /// Channels that only work when touched in this order.
    pub fn sequence(channels: &[&str], lift: f64) -> Self {
        SimInteraction {
            ordered: true,
            ..SimInteraction::synergy(channels, lift)
        }
    }
}

/// The three causal processes the demo can simulate (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum TruthProcess {
    /// Every channel adds its own lift; one true cause per conversion.
    #[default]
    Additive,
    /// Some channels only work together (social with email, LinkedIn with search ads).
    Synergy,
    /// Order matters: retargeting and newsletters only work after an awareness touch.
    Order,
}

impl TruthProcess {
    pub const ALL: [TruthProcess; 3] = [
        TruthProcess::Additive,
        TruthProcess::Synergy,
        TruthProcess::Order,
    ];

    /// The stable kebab-case name (CLI, JSON).
    pub fn key(self) -> &'static str {
        match self {
            TruthProcess::Additive => "additive",
            TruthProcess::Synergy => "synergy",
            TruthProcess::Order => "order",
        }
    }

    pub fn from_key(key: &str) -> Option<TruthProcess> {
        TruthProcess::ALL.into_iter().find(|p| p.key() == key)
    }

    /// A plain-English description for the page.
    pub fn label(self) -> &'static str {
        match self {
            TruthProcess::Additive => "Each channel adds its own lift",
            TruthProcess::Synergy => "Some channels only work together",
            TruthProcess::Order => "Awareness must come before retargeting",
        }
    }
}

/// Everything the simulator needs. Missing JSON fields take their [`SimConfig::demo`] values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SimConfig {
    /// Number of users N; each has one journey (plus possibly a second, see
    /// `second_journey_rate`).
    pub journeys: u64,
    pub seed: u64,
    /// Unix milliseconds of the first possible timestamp (rounded up to a whole second).
    pub start_ms: i64,
    /// Length of the simulated period in days (default 182 ≈ six months).
    pub span_days: f64,
    pub channels: Vec<SimChannel>,
    /// Campaign names, assigned to entries by publish period; may be empty.
    pub campaigns: Vec<String>,
    /// Mean touches per journey (≥ 1).
    pub mean_touches: f64,
    /// Mean revenue of one conversion (log-normal).
    pub revenue_mean: f64,
    /// Log-normal shape σ of the revenue (0 = every conversion is worth `revenue_mean`).
    pub revenue_sigma: f64,
    /// Probability that a user whose journey converted starts a second journey.
    pub second_journey_rate: f64,
    /// Lifts caused only by combinations (or sequences) of channels; empty = purely additive.
    pub interactions: Vec<SimInteraction>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig::demo()
    }
}

impl SimConfig {
    /// Eight realistic channels, 30 calendar entries, 20 000 users over the first half of 2025.
    ///
    /// Designed so that models disagree: `meta-ads` has the most reach but little lift,
    /// `linkedin` little reach but the highest lift, `direct` closes journeys (late bias) while
    /// causing almost nothing, `blog` opens them, and `twitter` is a null player (lift 0).
    pub fn demo() -> Self {
        SimConfig {
            journeys: 20_000,
            seed: 42,
            start_ms: DEMO_START_MS,
            span_days: 182.0,
            channels: vec![
                SimChannel::new("google-ads", 0.20, 0.030, 1.20, 4)
                    .with_bias(0.3)
                    .with_label("Google Ads campaign"),
                SimChannel::new("meta-ads", 0.22, 0.008, 0.60, 5)
                    .with_bias(-0.2)
                    .with_label("Meta ad"),
                SimChannel::new("linkedin", 0.07, 0.060, 2.50, 4)
                    .with_bias(-0.4)
                    .with_label("LinkedIn post"),
                SimChannel::new("email", 0.12, 0.040, 0.05, 6)
                    .with_bias(0.5)
                    .with_label("Newsletter"),
                SimChannel::new("organic-search", 0.14, 0.020, 0.0, 3)
                    .with_label("SEO landing page"),
                SimChannel::new("blog", 0.08, 0.015, 0.10, 5)
                    .with_bias(-0.6)
                    .with_label("Blog article"),
                SimChannel::new("twitter", 0.07, 0.0, 0.30, 3)
                    .with_bias(-0.3)
                    .with_label("Tweet thread"),
                SimChannel::new("direct", 0.10, 0.005, 0.0, 0).with_bias(0.8),
            ],
            campaigns: vec![
                "Q1 Product Launch".to_owned(),
                "Spring Webinar Series".to_owned(),
                "Summer Promo".to_owned(),
            ],
            mean_touches: 3.2,
            revenue_mean: 180.0,
            revenue_sigma: 0.7,
            second_journey_rate: 0.0,
            interactions: Vec::new(),
        }
    }

    /// The demo under one of the three causal processes. `Additive` is [`SimConfig::demo`];
    /// the others move most of some channels' lift into interactions, keeping every other
    /// setting (reach, position bias, costs, calendar):
    ///
    /// - `Synergy`: `meta-ads` and `email` alone cause almost nothing, together +9 points;
    ///   `linkedin` with `google-ads` +8 points (any order);
    /// - `Order`: `google-ads` (retargeting, comes late) adds +10 points only after a
    ///   `meta-ads` touch and +8 after a `blog` touch; `email` adds +10 only after `linkedin`.
    pub fn demo_process(process: TruthProcess) -> Self {
        let mut c = SimConfig::demo();
        let mut set_lift = |name: &str, lift: f64| {
            if let Some(ch) = c.channels.iter_mut().find(|ch| ch.name == name) {
                ch.lift = lift;
            }
        };
        match process {
            TruthProcess::Additive => {}
            TruthProcess::Synergy => {
                set_lift("meta-ads", 0.0);
                set_lift("email", 0.005);
                set_lift("linkedin", 0.01);
                set_lift("google-ads", 0.01);
                c.interactions = vec![
                    SimInteraction::synergy(&["meta-ads", "email"], 0.09),
                    SimInteraction::synergy(&["linkedin", "google-ads"], 0.08),
                ];
            }
            TruthProcess::Order => {
                set_lift("google-ads", 0.005);
                set_lift("email", 0.01);
                c.interactions = vec![
                    SimInteraction::sequence(&["meta-ads", "google-ads"], 0.10),
                    SimInteraction::sequence(&["blog", "google-ads"], 0.08),
                    SimInteraction::sequence(&["linkedin", "email"], 0.10),
                ];
            }
        }
        c
    }

    /// The span in milliseconds.
    pub(super) fn span_ms(&self) -> i64 {
        (self.span_days * MS_PER_DAY as f64).round() as i64
    }

    /// Check every field once.
    pub fn validate(&self) -> Result<(), SimError> {
        if !(1..=MAX_JOURNEYS).contains(&self.journeys) {
            return Err(SimError::Journeys {
                got: self.journeys,
                max: MAX_JOURNEYS,
            });
        }
        if !(self.span_days.is_finite() && (1.0..=MAX_SPAN_DAYS).contains(&self.span_days)) {
            return Err(SimError::Span(self.span_days));
        }
        if self.start_ms < 0 || self.start_ms > MAX_TS_MS - self.span_ms() {
            return Err(SimError::Start(self.start_ms));
        }
        if self.channels.is_empty() {
            return Err(SimError::NoChannels);
        }
        if self.channels.len() > MAX_CHANNELS {
            return Err(SimError::TooManyChannels {
                got: self.channels.len(),
                max: MAX_CHANNELS,
            });
        }
        let mut seen: FxHashMap<&str, ()> = FxHashMap::default();
        let mut lift_sum = 0.0;
        let mut reach_sum = 0.0;
        for (index, c) in self.channels.iter().enumerate() {
            if !plain_name(&c.name) {
                return Err(SimError::ChannelName {
                    index,
                    name: c.name.clone(),
                });
            }
            if seen.insert(c.name.as_str(), ()).is_some() {
                return Err(SimError::DuplicateChannel(c.name.clone()));
            }
            let channel = || c.name.clone();
            if !(c.reach.is_finite() && c.reach >= 0.0) {
                return Err(SimError::Reach {
                    channel: channel(),
                    value: c.reach,
                });
            }
            if !(c.lift.is_finite() && (0.0..=1.0).contains(&c.lift)) {
                return Err(SimError::Lift {
                    channel: channel(),
                    value: c.lift,
                });
            }
            if !(c.cost_per_touch.is_finite() && c.cost_per_touch >= 0.0) {
                return Err(SimError::Cost {
                    channel: channel(),
                    value: c.cost_per_touch,
                });
            }
            if !(c.position_bias.is_finite() && c.position_bias.abs() < 1.0) {
                return Err(SimError::PositionBias {
                    channel: channel(),
                    value: c.position_bias,
                });
            }
            if c.entries > MAX_ENTRIES_PER_CHANNEL {
                return Err(SimError::Entries {
                    channel: channel(),
                    got: c.entries,
                    max: MAX_ENTRIES_PER_CHANNEL,
                });
            }
            if !c.entry_label.is_empty() && !plain_name(&c.entry_label) {
                return Err(SimError::EntryLabel { channel: channel() });
            }
            lift_sum += c.lift;
            reach_sum += c.reach;
        }
        if self.interactions.len() > MAX_INTERACTIONS {
            return Err(SimError::TooManyInteractions {
                got: self.interactions.len(),
                max: MAX_INTERACTIONS,
            });
        }
        for (index, it) in self.interactions.iter().enumerate() {
            let known = it
                .channels
                .iter()
                .all(|n| self.channels.iter().any(|c| &c.name == n));
            let distinct = it
                .channels
                .iter()
                .enumerate()
                .all(|(i, n)| !it.channels[..i].contains(n));
            if it.channels.len() < 2 || !known || !distinct {
                return Err(SimError::InteractionChannels { index });
            }
            if !(it.lift.is_finite() && (0.0..=1.0).contains(&it.lift)) {
                return Err(SimError::InteractionLift {
                    index,
                    value: it.lift,
                });
            }
            lift_sum += it.lift;
        }
        if lift_sum > 1.0 + 1e-12 {
            return Err(SimError::LiftSum(lift_sum));
        }
        if !(reach_sum > 0.0 && reach_sum.is_finite()) {
            return Err(SimError::NoReach);
        }
        if let Some(bad) = self.campaigns.iter().find(|c| !plain_name(c)) {
            return Err(SimError::Campaign(bad.clone()));
        }
        if !(self.mean_touches.is_finite() && (1.0..=MAX_MEAN_TOUCHES).contains(&self.mean_touches))
        {
            return Err(SimError::MeanTouches {
                got: self.mean_touches,
                max: MAX_MEAN_TOUCHES,
            });
        }
        let (mean, sigma) = (self.revenue_mean, self.revenue_sigma);
        if !(mean.is_finite()
            && mean > 0.0
            && mean <= 1e9
            && sigma.is_finite()
            && (0.0..=3.0).contains(&sigma))
        {
            return Err(SimError::Revenue { mean, sigma });
        }
        if !(self.second_journey_rate.is_finite()
            && (0.0..=1.0).contains(&self.second_journey_rate))
        {
            return Err(SimError::SecondJourneyRate(self.second_journey_rate));
        }
        Ok(())
    }
}

/// A name that can go unquoted into both CSVs.
fn plain_name(s: &str) -> bool {
    !s.trim().is_empty()
        && s.trim() == s
        && !s
            .chars()
            .any(|ch| matches!(ch, ',' | ';' | '>' | '"') || ch.is_control())
}

/// A configuration the simulator cannot run.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum SimError {
    #[error("the number of journeys must be between 1 and {max}, got {got}")]
    Journeys { got: u64, max: u64 },
    #[error("the span must be between 1 and 3650 days, got {0}")]
    Span(f64),
    #[error("the start (unix ms {0}) must be at or after 1970-01-01 and the span must end before the year 10000")]
    Start(i64),
    #[error("at least one channel is needed")]
    NoChannels,
    #[error("at most {max} channels are supported, got {got}")]
    TooManyChannels { got: usize, max: usize },
    #[error("channel #{index}: name {name:?} is empty, padded, or contains , ; > \" or a control character")]
    ChannelName { index: usize, name: String },
    #[error("channel name {0:?} appears twice")]
    DuplicateChannel(String),
    #[error("channel {channel:?}: reach weight must be a finite number ≥ 0, got {value}")]
    Reach { channel: String, value: f64 },
    #[error("every channel has reach weight 0: no touch can be drawn")]
    NoReach,
    #[error("channel {channel:?}: lift must be between 0 and 1, got {value}")]
    Lift { channel: String, value: f64 },
    #[error("at most {max} interactions are supported, got {got}")]
    TooManyInteractions { got: usize, max: usize },
    #[error("interaction #{index}: it needs two or more distinct channels of the configuration")]
    InteractionChannels { index: usize },
    #[error("interaction #{index}: lift must be between 0 and 1, got {value}")]
    InteractionLift { index: usize, value: f64 },
    #[error("the lifts sum to {0}, above 1: a journey touching every channel would convert with probability > 1")]
    LiftSum(f64),
    #[error("channel {channel:?}: cost per touch must be a finite number ≥ 0, got {value}")]
    Cost { channel: String, value: f64 },
    #[error("channel {channel:?}: position bias must be strictly between -1 and 1, got {value}")]
    PositionBias { channel: String, value: f64 },
    #[error("channel {channel:?}: at most {max} calendar entries, got {got}")]
    Entries { channel: String, got: u32, max: u32 },
    #[error(
        "channel {channel:?}: entry label is padded or contains , ; > \" or a control character"
    )]
    EntryLabel { channel: String },
    #[error("campaign {0:?} is empty, padded, or contains , ; > \" or a control character")]
    Campaign(String),
    #[error("mean touches per journey must be between 1 and {max}, got {got}")]
    MeanTouches { got: f64, max: f64 },
    #[error(
        "revenue mean must be in (0, 1e9] and sigma in [0, 3], got mean {mean}, sigma {sigma}"
    )]
    Revenue { mean: f64, sigma: f64 },
    #[error("second-journey rate must be between 0 and 1, got {0}")]
    SecondJourneyRate(f64),
}

/// [`simulate_to_csv`](super::simulate_to_csv) failed.
#[derive(Debug, Error)]
pub enum SimWriteError {
    #[error(transparent)]
    Config(#[from] SimError),
    #[error("writing simulated data: {0}")]
    Io(#[from] io::Error),
}
