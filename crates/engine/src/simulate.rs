//! A seeded journey simulator with known ground truth: synthetic users, touches, calendar
//! entries and conversions where each channel's true causal contribution is known, so that
//! attribution models can be scored against it ([`crate::truth`]: [`Truth`], [`l1_distance`]).
//!
//! # Causal model: additive lift
//!
//! Every channel c has a *lift* ℓ_c ≥ 0 with Σ_c ℓ_c ≤ 1 (checked by [`SimConfig::validate`]).
//! A journey whose distinct channel set is S converts with probability
//!
//! ```text
//! p(S) = Σ_{c ∈ S} ℓ_c
//! ```
//!
//! Draw u ~ U[0, 1). Lay the lifts of the channels of S end to end in configuration order
//! (`[0, ℓ_a)`, `[ℓ_a, ℓ_a + ℓ_b)`, …): the journey converts iff u < p(S), and the channel whose
//! interval contains u is the **true cause** of that conversion. Hence, for a journey exposed to
//! c, P(c causes its conversion) = ℓ_c exactly, whatever else the journey touched, so:
//!
//! - **realised true conversions** of c: the conversions c actually caused in this run
//!   (Binomial(E_c, ℓ_c) given the exposures); they sum to the total conversions;
//! - **expected true conversions** of c: ℓ_c × E_c, where E_c is the number of journeys whose
//!   channel set contains c (the *exposed journeys*);
//! - **shares**: each divided by its own total;
//! - **true revenue** of c: the revenue of the conversions c caused.
//!
//! The characteristic function v(S) = p(S) is additive, so the Shapley value of every channel is
//! exactly its lift (φ_c = ℓ_c; Shapley 1953, the "dummy/additivity" axioms). A Shapley model fed
//! with coalition conversion rates therefore recovers the expected truth up to sampling noise,
//! while rule-based models credit by reach and position instead. A channel with ℓ = 0 is a null
//! player: it is touched but never causes a conversion.
//!
//! # How journeys are drawn
//!
//! Per user (ids `u000001`, `u000002`, …), in this order from one `ChaCha8Rng` seeded with
//! `seed` (so the same config gives byte-identical output on every platform):
//!
//! 1. the touch count k = 1 + Geometric(1 / `mean_touches`) failures (mean `mean_touches`),
//!    capped at [`MAX_TOUCHES`];
//! 2. each touch's channel, drawn with weight `reach × (1 + position_bias × (2r − 1))`, r = the
//!    touch's relative position (0 first, 1 last, ½ for a single touch): a positive bias makes a
//!    channel a closer (shows up late), a negative one an opener;
//! 3. gaps between touches: log-normal, median 18 h, σ 1.2, clamped to 10 min … 30 days;
//! 4. the conversion draw above; a conversion comes a log-normal delay after the last touch
//!    (median 20 min, σ 1, clamped to 1 min … 1 day) and its revenue is log-normal with mean
//!    `revenue_mean` and shape `revenue_sigma` (μ = ln mean − σ²/2), rounded to cents, ≥ 0.01;
//! 5. a user whose journey converted starts a second journey with probability
//!    `second_journey_rate` (log-normal gap, median 10 days), drawn the same way;
//! 6. the user's timeline is placed uniformly inside the span (squeezed to fit if longer) and
//!    rounded down to whole seconds; every timestamp lies in `[start, start + span)`;
//! 7. each touch gets a calendar entry of its channel: one of the (up to) three most recent
//!    entries published by the touch's time (a channel with 0 entries gives untagged touches).
//!
//! Transcendental functions come from this module (`exp`: Cody–Waite reduction and a Taylor
//! series; `ln`: the atanh series; normals: Marsaglia's polar method) rather than the platform's
//! `libm`, and everything else is IEEE-754 `+ − × ÷ √`, so native and wasm32 runs agree to the
//! bit (checked: a 100 000-user run hashes the same on x86_64 and on wasm32 under Node).
//!
//! # Calendar entries
//!
//! Entry ids are 1, 2, 3, … in channel order. A channel with n entries publishes them evenly
//! over the span, on whole days counted from the start (the first at the start itself, so every
//! touch has one available), named
//! `"<entry_label> <k>"` (`"LinkedIn post 3"`). A campaign is assigned by publish date: the
//! span is cut into as many equal periods as there are `campaigns`. An entry's **cost** is
//! realised: (touches it received) × (its channel's `cost_per_touch`), the same figure a parser
//! gets by summing the `cost` column of the events CSV per `utm_content`.
//!
//! # Outputs
//!
//! [`simulate_into`] streams journeys to a closure (nothing is kept); [`simulate`] collects
//! [`SimOutput`] rows for small runs; [`simulate_to_csv`] streams the events CSV (and optionally
//! the path table) at any scale; [`simulate_journey_set`] builds a [`JourneySet`] directly.

use crate::journey::{Channels, EntryId, JourneySet, Touch};
use crate::roi;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::io::{self, Write};
use thiserror::Error;

pub use crate::truth::{l1_distance, model_shares, ChannelTruth, Truth, TruthBasis};

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
/// Header of the events CSV.
pub const EVENTS_HEADER: &str = "user_id,timestamp,channel,campaign,utm_content,cost,event,revenue";
/// Header of the path table (ChannelAttribution layout, `;`-separated).
pub const PATHS_HEADER: &str = "path;total_conversions;total_conversion_value;total_null";

const MS_PER_DAY: i64 = 86_400_000;
/// 9999-12-31T23:59:59.999Z: the last instant with a four-digit ISO year.
const MAX_TS_MS: i64 = 253_402_300_799_999;
/// 2025-01-01T00:00:00Z.
const DEMO_START_MS: i64 = 1_735_689_600_000;

const GAP_MEDIAN_S: f64 = 18.0 * 3600.0;
const GAP_SIGMA: f64 = 1.2;
const GAP_RANGE_S: (f64, f64) = (600.0, 30.0 * 86_400.0);
const DELAY_MEDIAN_S: f64 = 20.0 * 60.0;
const DELAY_SIGMA: f64 = 1.0;
const DELAY_RANGE_S: (f64, f64) = (60.0, 86_400.0);
const BETWEEN_MEDIAN_S: f64 = 10.0 * 86_400.0;
const BETWEEN_SIGMA: f64 = 0.8;
const BETWEEN_RANGE_S: (f64, f64) = (3600.0, 90.0 * 86_400.0);
/// A touch picks among this many most recent entries of its channel.
const RECENT_ENTRIES: i64 = 3;

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

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

    fn label(&self) -> &str {
        if self.entry_label.is_empty() {
            &self.name
        } else {
            &self.entry_label
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
        }
    }

    /// The span in milliseconds.
    fn span_ms(&self) -> i64 {
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

/// [`simulate_to_csv`] failed.
#[derive(Debug, Error)]
pub enum SimWriteError {
    #[error(transparent)]
    Config(#[from] SimError),
    #[error("writing simulated data: {0}")]
    Io(#[from] io::Error),
}

// ---------------------------------------------------------------------------------------------
// Output types
// ---------------------------------------------------------------------------------------------

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
    /// Index into [`SimConfig::channels`] (and into the [`Channels`] of the journey sets built
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

/// One journey handed to a [`simulate_into`] sink. Journeys arrive by user, then in time order.
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

/// A whole run kept in memory (meant for small N; use [`simulate_into`] or [`simulate_to_csv`]
/// at scale).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimOutput {
    pub entries: Vec<SimEntry>,
    /// Grouped by user, time-ordered: touches then the conversion that closes them.
    pub events: Vec<SimEvent>,
    pub truth: Truth,
}

// ---------------------------------------------------------------------------------------------
// Portable math (bit-identical on every IEEE-754 target: only + − × ÷ and sqrt)
// ---------------------------------------------------------------------------------------------

const LN2_HI: f64 = 6.931_471_803_691_238e-1;
const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;

/// eˣ: Cody–Waite reduction x = k·ln2 + r, |r| ≤ ln2/2, then a degree-13 Taylor polynomial
/// (truncation < 1e-17). Relative error ≈ 1e-16 for |x| ≤ 700; clamped outside.
fn det_exp(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    let x = x.clamp(-700.0, 700.0);
    let k = (x * std::f64::consts::LOG2_E).round();
    let r = (x - k * LN2_HI) - k * LN2_LO;
    let mut p = 1.0;
    for n in (1..=13).rev() {
        p = 1.0 + p * r / n as f64;
    }
    let bits = ((k as i64 + 1023) as u64) << 52;
    p * f64::from_bits(bits)
}

/// ln x for finite x > 0 (NaN otherwise): x = m·2ᵉ with m in [√½, √2), then
/// ln m = 2·atanh(t), t = (m − 1)/(m + 1), |t| ≤ 0.172, summed to t²¹ (truncation < 1e-17).
fn det_ln(x: f64) -> f64 {
    if !(x > 0.0 && x.is_finite()) {
        return f64::NAN;
    }
    let (mut x, mut e) = (x, 0i64);
    if x < f64::MIN_POSITIVE {
        x *= 18_014_398_509_481_984.0; // 2^54: lift subnormals into the normal range
        e -= 54;
    }
    let bits = x.to_bits();
    e += ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mut m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    if m > std::f64::consts::SQRT_2 {
        m /= 2.0;
        e += 1;
    }
    let t = (m - 1.0) / (m + 1.0);
    let t2 = t * t;
    let mut s = 0.0;
    for n in (0..=10).rev() {
        s = 1.0 / (2 * n + 1) as f64 + t2 * s;
    }
    let ln_m = 2.0 * t * s;
    let e = e as f64;
    e * LN2_HI + (e * LN2_LO + ln_m)
}

/// The seeded random stream.
struct Gen {
    rng: ChaCha8Rng,
    spare: Option<f64>,
}

impl Gen {
    fn new(seed: u64) -> Self {
        Gen {
            rng: ChaCha8Rng::seed_from_u64(seed),
            spare: None,
        }
    }

    /// U[0, 1) with 53 random bits.
    fn uniform(&mut self) -> f64 {
        self.rng.random::<f64>()
    }

    /// Standard normal (Marsaglia's polar method; the second value is kept for the next call).
    fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare.take() {
            return z;
        }
        loop {
            let u = 2.0 * self.uniform() - 1.0;
            let v = 2.0 * self.uniform() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                let f = (-2.0 * det_ln(s) / s).sqrt();
                self.spare = Some(v * f);
                return u * f;
            }
        }
    }

    /// exp(μ + σZ).
    fn lognormal(&mut self, mu: f64, sigma: f64) -> f64 {
        det_exp(mu + sigma * self.normal())
    }
}

// ---------------------------------------------------------------------------------------------
// The generator
// ---------------------------------------------------------------------------------------------

/// One journey before it is placed in time.
#[derive(Debug, Default)]
struct Draft {
    channels: Vec<u32>,
    /// Seconds from the journey's first touch.
    offsets: Vec<f64>,
    mask: u64,
    /// (cause, delay after the last touch in seconds, revenue in cents).
    conversion: Option<(u32, f64, i64)>,
}

impl Draft {
    fn duration(&self) -> f64 {
        self.offsets.last().copied().unwrap_or(0.0) + self.conversion.map_or(0.0, |c| c.1)
    }
}

/// A validated configuration with everything precomputed.
struct Plan<'c> {
    cfg: &'c SimConfig,
    /// Touch weight of channel c at relative position r: a[c] + r·b[c].
    weight_a: Vec<f64>,
    weight_b: Vec<f64>,
    sum_a: f64,
    sum_b: f64,
    /// Picked when rounding runs past the last weight.
    fallback: u32,
    /// Id of each channel's first entry (ids are consecutive per channel).
    first_entry: Vec<EntryId>,
    /// Publish second (offset from `base_ms`) of each channel's entries, ascending.
    publish_s: Vec<Vec<i64>>,
    entries: Vec<SimEntry>,
    /// First possible timestamp (start rounded up to a second).
    base_ms: i64,
    /// Last possible second offset from `base_ms` (timestamps stay before start + span).
    avail_s: i64,
    stop_p: f64,
    rev_mu: f64,
    gap_mu: f64,
    delay_mu: f64,
    between_mu: f64,
}

impl<'c> Plan<'c> {
    fn new(cfg: &'c SimConfig) -> Result<Self, SimError> {
        cfg.validate()?;
        let weight_a: Vec<f64> = cfg
            .channels
            .iter()
            .map(|c| c.reach * (1.0 - c.position_bias))
            .collect();
        let weight_b: Vec<f64> = cfg
            .channels
            .iter()
            .map(|c| 2.0 * c.reach * c.position_bias)
            .collect();
        let fallback = cfg
            .channels
            .iter()
            .rposition(|c| c.reach > 0.0)
            .unwrap_or(0) as u32;
        let base_ms = cfg.start_ms.div_euclid(1000) * 1000
            + if cfg.start_ms.rem_euclid(1000) > 0 {
                1000
            } else {
                0
            };
        let end_ms = cfg.start_ms + cfg.span_ms();
        let avail_s = ((end_ms - base_ms) / 1000 - 1).max(0);

        let mut first_entry = Vec::with_capacity(cfg.channels.len());
        let mut publish_s = Vec::with_capacity(cfg.channels.len());
        let mut entries = Vec::new();
        let campaigns = cfg.campaigns.len() as i64;
        for c in &cfg.channels {
            first_entry.push(entries.len() as EntryId + 1);
            let n = c.entries as i64;
            let mut times = Vec::with_capacity(n as usize);
            for i in 0..n {
                // Evenly spread, on whole days from the start.
                let pub_s = i * avail_s / n / 86_400 * 86_400;
                times.push(pub_s);
                let campaign = if campaigns > 0 {
                    let k = (pub_s * campaigns / (avail_s + 1)).clamp(0, campaigns - 1);
                    cfg.campaigns.get(k as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                };
                entries.push(SimEntry {
                    id: entries.len() as EntryId + 1,
                    channel: c.name.clone(),
                    name: format!("{} {}", c.label(), i + 1),
                    campaign,
                    publish_ms: base_ms + pub_s * 1000,
                    touches: 0,
                    cost: 0.0,
                });
            }
            publish_s.push(times);
        }
        let sigma = cfg.revenue_sigma;
        Ok(Plan {
            cfg,
            sum_a: weight_a.iter().sum(),
            sum_b: weight_b.iter().sum(),
            weight_a,
            weight_b,
            fallback,
            first_entry,
            publish_s,
            entries,
            base_ms,
            avail_s,
            stop_p: 1.0 / cfg.mean_touches,
            rev_mu: det_ln(cfg.revenue_mean) - sigma * sigma / 2.0,
            gap_mu: det_ln(GAP_MEDIAN_S),
            delay_mu: det_ln(DELAY_MEDIAN_S),
            between_mu: det_ln(BETWEEN_MEDIAN_S),
        })
    }

    fn pick_channel(&self, g: &mut Gen, r: f64) -> u32 {
        let x = g.uniform() * (self.sum_a + r * self.sum_b);
        let mut acc = 0.0;
        for (c, (a, b)) in self.weight_a.iter().zip(&self.weight_b).enumerate() {
            let w = a + r * b;
            acc += w;
            if w > 0.0 && x < acc {
                return c as u32;
            }
        }
        self.fallback
    }

    fn draft(&self, g: &mut Gen, d: &mut Draft) {
        d.channels.clear();
        d.offsets.clear();
        d.mask = 0;
        d.conversion = None;
        let mut k = 1;
        while k < MAX_TOUCHES && g.uniform() >= self.stop_p {
            k += 1;
        }
        for i in 0..k {
            let r = if k == 1 {
                0.5
            } else {
                i as f64 / (k - 1) as f64
            };
            let c = self.pick_channel(g, r);
            d.channels.push(c);
            d.mask |= 1u64 << c;
        }
        let mut t = 0.0;
        d.offsets.push(t);
        for _ in 1..k {
            t += g
                .lognormal(self.gap_mu, GAP_SIGMA)
                .clamp(GAP_RANGE_S.0, GAP_RANGE_S.1);
            d.offsets.push(t);
        }
        // The causal draw: lifts of the touched channels laid end to end in config order.
        let u = g.uniform();
        let mut acc = 0.0;
        let mut cause = None;
        for (c, ch) in self.cfg.channels.iter().enumerate() {
            if d.mask & (1u64 << c) != 0 {
                acc += ch.lift;
                if u < acc {
                    cause = Some(c as u32);
                    break;
                }
            }
        }
        if let Some(cause) = cause {
            let delay = g
                .lognormal(self.delay_mu, DELAY_SIGMA)
                .clamp(DELAY_RANGE_S.0, DELAY_RANGE_S.1);
            let revenue = g.lognormal(self.rev_mu, self.cfg.revenue_sigma);
            let cents = ((revenue * 100.0).round() as i64).max(1);
            d.conversion = Some((cause, delay, cents));
        }
    }

    /// Entry of a touch on channel `c` at second offset `t_s`: one of the (up to)
    /// [`RECENT_ENTRIES`] most recent entries published by then.
    fn pick_entry(&self, g: &mut Gen, c: u32, t_s: i64) -> Option<EntryId> {
        let times = self.publish_s.get(c as usize)?;
        if times.is_empty() {
            return None;
        }
        // The first entry is published at second 0, so m ≥ 1.
        let m = (times.partition_point(|&p| p <= t_s) as i64).max(1);
        let lo = (m - RECENT_ENTRIES).max(0);
        let i = (lo + (g.uniform() * (m - lo) as f64) as i64).clamp(lo, m - 1);
        Some(self.first_entry.get(c as usize)? + i as EntryId)
    }

    /// Place a draft at `origin` seconds of the user's timeline.
    fn materialise(
        &self,
        g: &mut Gen,
        d: &Draft,
        origin: f64,
        to_second: &impl Fn(f64) -> i64,
        out: &mut Vec<SimTouch>,
    ) -> Option<SimConversion> {
        out.clear();
        for (&c, &off) in d.channels.iter().zip(&d.offsets) {
            let s = to_second(origin + off);
            let cost = self
                .cfg
                .channels
                .get(c as usize)
                .map_or(0.0, |ch| ch.cost_per_touch);
            out.push(SimTouch {
                channel: c,
                entry: self.pick_entry(g, c, s),
                ts_ms: self.base_ms + s * 1000,
                cost: if cost == 0.0 { 0.0 } else { cost },
            });
        }
        d.conversion.map(|(cause, delay, cents)| {
            let last = d.offsets.last().copied().unwrap_or(0.0);
            SimConversion {
                ts_ms: self.base_ms + to_second(origin + last + delay) * 1000,
                revenue_cents: cents,
                cause,
            }
        })
    }

    /// Generate every journey, calling `sink` on each; stops at the sink's first error.
    fn run<E>(
        &self,
        mut sink: impl FnMut(&SimJourney<'_>) -> Result<(), E>,
    ) -> Result<SimSummary, E> {
        let cfg = self.cfg;
        let nc = cfg.channels.len();
        let mut g = Gen::new(cfg.seed);
        let mut tally = Tally {
            touches: vec![0; nc],
            exposed: vec![0; nc],
            caused: vec![0; nc],
            caused_cents: vec![0; nc],
            entry_touches: vec![0; self.entries.len()],
            journeys: 0,
            touches_total: 0,
            conversions: 0,
            cents: 0,
        };
        let (mut d1, mut d2) = (Draft::default(), Draft::default());
        let (mut t1, mut t2) = (Vec::new(), Vec::new());
        let avail = self.avail_s as f64;
        for user in 1..=cfg.journeys {
            self.draft(&mut g, &mut d1);
            let second = d1.conversion.is_some()
                && cfg.second_journey_rate > 0.0
                && g.uniform() < cfg.second_journey_rate;
            let mut between = 0.0;
            if second {
                self.draft(&mut g, &mut d2);
                between = g
                    .lognormal(self.between_mu, BETWEEN_SIGMA)
                    .clamp(BETWEEN_RANGE_S.0, BETWEEN_RANGE_S.1);
            }
            let dur1 = d1.duration();
            let total = if second {
                dur1 + between + d2.duration()
            } else {
                dur1
            };
            let factor = if total > avail { avail / total } else { 1.0 };
            let start = (g.uniform() * (avail - total * factor).max(0.0)).floor();
            let max_s = self.avail_s;
            let to_second = move |off: f64| ((start + off * factor).floor() as i64).clamp(0, max_s);

            let conv = self.materialise(&mut g, &d1, 0.0, &to_second, &mut t1);
            let j1 = SimJourney {
                user,
                index: 0,
                touches: &t1,
                conversion: conv,
            };
            if second {
                let conv2 = self.materialise(&mut g, &d2, dur1 + between, &to_second, &mut t2);
                tally.add(&j1, d1.mask);
                sink(&j1)?;
                let j2 = SimJourney {
                    user,
                    index: 1,
                    touches: &t2,
                    conversion: conv2,
                };
                tally.add(&j2, d2.mask);
                sink(&j2)?;
            } else {
                tally.add(&j1, d1.mask);
                sink(&j1)?;
            }
        }
        Ok(tally.finish(self))
    }
}

/// Running counts for the truth.
struct Tally {
    touches: Vec<u64>,
    exposed: Vec<u64>,
    caused: Vec<u64>,
    caused_cents: Vec<i64>,
    entry_touches: Vec<u64>,
    journeys: u64,
    touches_total: u64,
    conversions: u64,
    cents: i64,
}

impl Tally {
    fn add(&mut self, j: &SimJourney<'_>, mask: u64) {
        self.journeys += 1;
        self.touches_total += j.touches.len() as u64;
        for t in j.touches {
            if let Some(n) = self.touches.get_mut(t.channel as usize) {
                *n += 1;
            }
            if let Some(n) = t
                .entry
                .and_then(|e| self.entry_touches.get_mut((e as usize).wrapping_sub(1)))
            {
                *n += 1;
            }
        }
        for (c, n) in self.exposed.iter_mut().enumerate() {
            if mask & (1u64 << c) != 0 {
                *n += 1;
            }
        }
        if let Some(conv) = j.conversion {
            self.conversions += 1;
            self.cents += conv.revenue_cents;
            if let (Some(n), Some(r)) = (
                self.caused.get_mut(conv.cause as usize),
                self.caused_cents.get_mut(conv.cause as usize),
            ) {
                *n += 1;
                *r += conv.revenue_cents;
            }
        }
    }

    fn finish(self, plan: &Plan<'_>) -> SimSummary {
        let cfg = plan.cfg;
        let cost_of = |name: &str| {
            cfg.channels
                .iter()
                .find(|c| c.name == name)
                .map_or(0.0, |c| c.cost_per_touch)
        };
        let entries: Vec<SimEntry> = plan
            .entries
            .iter()
            .zip(&self.entry_touches)
            .map(|(e, &n)| SimEntry {
                touches: n,
                cost: n as f64 * cost_of(&e.channel),
                ..e.clone()
            })
            .collect();
        let expected: Vec<f64> = cfg
            .channels
            .iter()
            .zip(&self.exposed)
            .map(|(c, &e)| c.lift * e as f64)
            .collect();
        let expected_total: f64 = expected.iter().sum();
        let share = |x: f64, total: f64| if total > 0.0 { x / total } else { 0.0 };
        let mut total_cost = 0.0;
        let channels = cfg
            .channels
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let touches = self.touches.get(i).copied().unwrap_or(0);
                let caused = self.caused.get(i).copied().unwrap_or(0);
                let cents = self.caused_cents.get(i).copied().unwrap_or(0);
                let exp = expected.get(i).copied().unwrap_or(0.0);
                let cost = touches as f64 * c.cost_per_touch;
                total_cost += cost;
                let true_revenue = cents as f64 / 100.0;
                ChannelTruth {
                    name: c.name.clone(),
                    reach: c.reach,
                    lift: c.lift,
                    touches,
                    exposed_journeys: self.exposed.get(i).copied().unwrap_or(0),
                    expected_conversions: exp,
                    expected_share: share(exp, expected_total),
                    realised_conversions: caused,
                    realised_share: share(caused as f64, self.conversions as f64),
                    true_revenue,
                    revenue_share: share(cents as f64, self.cents as f64),
                    cost,
                    true_roi: roi::roi(true_revenue, Some(cost)).ok(),
                }
            })
            .collect();
        SimSummary {
            entries,
            truth: Truth {
                seed: cfg.seed,
                users: cfg.journeys,
                journeys: self.journeys,
                touches: self.touches_total,
                conversions: self.conversions,
                revenue: self.cents as f64 / 100.0,
                cost: total_cost,
                channels,
            },
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Public entry points
// ---------------------------------------------------------------------------------------------

/// Generate every journey and hand each to `sink` (by user, then time); nothing is kept but
/// per-channel and per-entry counters. Returns the calendar entries and the truth.
pub fn simulate_into(
    config: &SimConfig,
    mut sink: impl FnMut(&SimJourney<'_>),
) -> Result<SimSummary, SimError> {
    let plan = Plan::new(config)?;
    let Ok(summary) = plan.run(|j| {
        sink(j);
        Ok::<(), std::convert::Infallible>(())
    });
    Ok(summary)
}

/// The calendar entries a config produces (touch counts and costs still 0).
pub fn calendar(config: &SimConfig) -> Result<Vec<SimEntry>, SimError> {
    Ok(Plan::new(config)?.entries)
}

/// A whole run as event rows (for small N: every row owns its strings).
pub fn simulate(config: &SimConfig) -> Result<SimOutput, SimError> {
    let plan = Plan::new(config)?;
    let names: Vec<&str> = config.channels.iter().map(|c| c.name.as_str()).collect();
    let tags: Vec<(String, String)> = plan
        .entries
        .iter()
        .map(|e| (e.campaign.clone(), format!("cal-{}", e.id)))
        .collect();
    let mut events = Vec::new();
    let Ok(summary) = plan.run(|j| {
        let uid = user_id(j.user);
        for t in j.touches {
            let (campaign, utm) = t
                .entry
                .and_then(|e| tags.get((e as usize).wrapping_sub(1)))
                .cloned()
                .unwrap_or_default();
            events.push(SimEvent {
                user_id: uid.clone(),
                ts_ms: t.ts_ms,
                channel: names.get(t.channel as usize).copied().unwrap_or("?").into(),
                campaign,
                utm_content: utm,
                cost: t.cost,
                is_conversion: false,
                revenue: 0.0,
            });
        }
        if let Some(c) = j.conversion {
            events.push(SimEvent {
                user_id: uid,
                ts_ms: c.ts_ms,
                channel: String::new(),
                campaign: String::new(),
                utm_content: String::new(),
                cost: 0.0,
                is_conversion: true,
                revenue: c.revenue(),
            });
        }
        Ok::<(), std::convert::Infallible>(())
    });
    Ok(SimOutput {
        entries: summary.entries,
        events,
        truth: summary.truth,
    })
}

/// Build the [`JourneySet`] of a run directly (timed; channel ids follow the config order, so
/// channels that were never touched still have a row).
pub fn simulate_journey_set(config: &SimConfig) -> Result<(JourneySet, SimSummary), SimError> {
    config.validate()?;
    let mut channels = Channels::new();
    for c in &config.channels {
        channels.intern(&c.name);
    }
    let est = config.journeys.min(MAX_JOURNEYS) as usize;
    let mut set = JourneySet::with_capacity(
        channels,
        true,
        est,
        (est as f64 * config.mean_touches.clamp(1.0, MAX_MEAN_TOUCHES)) as usize,
    );
    let mut buf: Vec<Touch> = Vec::new();
    let summary = simulate_into(config, |j| {
        let end = j.end_ms();
        buf.clear();
        buf.extend(j.touches.iter().map(|t| Touch {
            channel: t.channel,
            entry: t.entry,
            age_secs: (end - t.ts_ms) as f64 / 1000.0,
        }));
        let (conv, rev) = j.conversion.map_or((0.0, 0.0), |c| (1.0, c.revenue()));
        set.push(&buf, conv, rev, 1.0 - conv, Some(end));
    })?;
    Ok((set, summary))
}

/// Build the [`JourneySet`] of collected rows: each user's touches up to a conversion form a
/// converting journey, trailing touches a non-converting one (conversions with no touch before
/// them are dropped). Ages are seconds to the journey's end; entry ids come from `cal-<id>`.
pub fn to_journey_set(output: &SimOutput) -> JourneySet {
    let mut channels = Channels::new();
    for c in &output.truth.channels {
        channels.intern(&c.name);
    }
    let mut set = JourneySet::new(channels, true);
    let mut pending: Vec<(Touch, i64)> = Vec::new();
    let mut touches: Vec<Touch> = Vec::new();
    let mut flush =
        |set: &mut JourneySet, pending: &mut Vec<(Touch, i64)>, conv: Option<&SimEvent>| {
            let Some(last) = pending.last() else {
                return;
            };
            let end = conv.map_or(last.1, |c| c.ts_ms);
            touches.clear();
            touches.extend(pending.iter().map(|&(t, ts)| Touch {
                age_secs: (end - ts) as f64 / 1000.0,
                ..t
            }));
            let (c, r) = conv.map_or((0.0, 0.0), |c| (1.0, c.revenue));
            set.push(&touches, c, r, 1.0 - c, Some(end));
            pending.clear();
        };
    let mut user: Option<&str> = None;
    for ev in &output.events {
        if user != Some(ev.user_id.as_str()) {
            flush(&mut set, &mut pending, None);
            user = Some(ev.user_id.as_str());
        }
        if ev.is_conversion {
            flush(&mut set, &mut pending, Some(ev));
        } else {
            let channel = set.channels.intern(&ev.channel);
            let entry = ev
                .utm_content
                .strip_prefix("cal-")
                .and_then(|id| id.parse::<EntryId>().ok());
            pending.push((
                Touch {
                    channel,
                    entry,
                    age_secs: 0.0,
                },
                ev.ts_ms,
            ));
        }
    }
    flush(&mut set, &mut pending, None);
    set
}

// ---------------------------------------------------------------------------------------------
// CSV writers
// ---------------------------------------------------------------------------------------------

fn push_2(buf: &mut Vec<u8>, v: i64) {
    buf.push(b'0' + (v / 10 % 10) as u8);
    buf.push(b'0' + (v % 10) as u8);
}

/// (year, month, day) of a day count since 1970-01-01 (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// ISO 8601 UTC: `2025-01-03T14:05:00Z` (`.mmm` added only when the milliseconds are not 0).
fn push_iso(buf: &mut Vec<u8>, ms: i64) {
    let (y, mo, d) = civil_from_days(ms.div_euclid(MS_PER_DAY));
    let in_day = ms.rem_euclid(MS_PER_DAY);
    let (secs, milli) = (in_day / 1000, in_day % 1000);
    if (0..=9999).contains(&y) {
        push_2(buf, y / 100);
        push_2(buf, y % 100);
    } else {
        let _ = write!(buf, "{y}");
    }
    buf.push(b'-');
    push_2(buf, mo);
    buf.push(b'-');
    push_2(buf, d);
    buf.push(b'T');
    push_2(buf, secs / 3600);
    buf.push(b':');
    push_2(buf, secs / 60 % 60);
    buf.push(b':');
    push_2(buf, secs % 60);
    if milli != 0 {
        let _ = write!(buf, ".{milli:03}");
    }
    buf.push(b'Z');
}

/// Unix milliseconds as ISO 8601 UTC (`2025-01-03T14:05:00Z`).
pub fn format_iso_utc(ms: i64) -> String {
    let mut buf = Vec::with_capacity(24);
    push_iso(&mut buf, ms);
    String::from_utf8_lossy(&buf).into_owned()
}

#[allow(clippy::too_many_arguments)]
fn push_row(
    buf: &mut Vec<u8>,
    user: &str,
    ts_ms: i64,
    channel: &str,
    campaign: &str,
    utm: &str,
    cost: &str,
    event: &str,
    revenue: &str,
) {
    buf.extend_from_slice(user.as_bytes());
    buf.push(b',');
    push_iso(buf, ts_ms);
    for field in [channel, campaign, utm, cost, event, revenue] {
        buf.push(b',');
        buf.extend_from_slice(field.as_bytes());
    }
    buf.push(b'\n');
}

fn cost_text(cost: f64) -> String {
    format!("{}", if cost == 0.0 { 0.0 } else { cost })
}

fn revenue_text(revenue: f64) -> String {
    format!("{revenue:.2}")
}

/// Write the event-log CSV of collected rows: header [`EVENTS_HEADER`], one `touch` row per
/// touch and one `conversion` row (empty channel, campaign, utm_content and cost) per
/// conversion, timestamps ISO 8601 UTC, grouped by user and time-ordered.
pub fn write_events_csv(output: &SimOutput, out: &mut impl Write) -> io::Result<()> {
    let mut buf = Vec::with_capacity(64 * 1024);
    buf.extend_from_slice(EVENTS_HEADER.as_bytes());
    buf.push(b'\n');
    for ev in &output.events {
        if ev.is_conversion {
            let rev = revenue_text(ev.revenue);
            push_row(
                &mut buf,
                &ev.user_id,
                ev.ts_ms,
                "",
                "",
                "",
                "",
                "conversion",
                &rev,
            );
        } else {
            let cost = cost_text(ev.cost);
            push_row(
                &mut buf,
                &ev.user_id,
                ev.ts_ms,
                &ev.channel,
                &ev.campaign,
                &ev.utm_content,
                &cost,
                "touch",
                "",
            );
        }
        if buf.len() >= 60 * 1024 {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    out.write_all(&buf)
}

/// Path-table row being accumulated.
#[derive(Debug, Clone, Copy, Default)]
struct PathRow {
    conversions: u64,
    cents: i64,
    nulls: u64,
}

fn cents_text(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}{}.{:02}", c / 100, c % 100)
}

/// Sort rows (most journeys first, then by path) and write the table.
fn write_path_rows(mut rows: Vec<(String, PathRow)>, out: &mut dyn Write) -> io::Result<()> {
    rows.sort_by(|(pa, a), (pb, b)| {
        (b.conversions + b.nulls)
            .cmp(&(a.conversions + a.nulls))
            .then_with(|| pa.cmp(pb))
    });
    let mut buf = Vec::with_capacity(64 * 1024);
    buf.extend_from_slice(PATHS_HEADER.as_bytes());
    buf.push(b'\n');
    for (path, r) in rows {
        let _ = writeln!(
            buf,
            "{path};{};{};{}",
            r.conversions,
            cents_text(r.cents),
            r.nulls
        );
        if buf.len() >= 60 * 1024 {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    out.write_all(&buf)
}

/// Write the ChannelAttribution path table of collected rows: header [`PATHS_HEADER`], one row
/// per distinct channel sequence (`a > b > c`, repeats kept), conversions, revenue (2
/// decimals) and non-converting journeys, most journeys first then by path.
pub fn write_paths_csv(output: &SimOutput, out: &mut impl Write) -> io::Result<()> {
    let mut rows: FxHashMap<String, PathRow> = FxHashMap::default();
    let mut path = String::new();
    let mut user: Option<&str> = None;
    let mut close = |path: &mut String, conv: Option<&SimEvent>| {
        if path.is_empty() {
            return;
        }
        let row = rows.entry(std::mem::take(path)).or_default();
        match conv {
            Some(c) => {
                row.conversions += 1;
                row.cents += (c.revenue * 100.0).round() as i64;
            }
            None => row.nulls += 1,
        }
    };
    for ev in &output.events {
        if user != Some(ev.user_id.as_str()) {
            close(&mut path, None);
            user = Some(ev.user_id.as_str());
        }
        if ev.is_conversion {
            close(&mut path, Some(ev));
        } else {
            if !path.is_empty() {
                path.push_str(" > ");
            }
            path.push_str(&ev.channel);
        }
    }
    close(&mut path, None);
    write_path_rows(rows.into_iter().collect(), out)
}

/// Streams journeys as events-CSV rows.
struct EventsStream {
    names: Vec<String>,
    costs: Vec<String>,
    /// (campaign, `cal-<id>`) by entry id − 1.
    tags: Vec<(String, String)>,
    buf: Vec<u8>,
    uid: String,
}

impl EventsStream {
    fn new(config: &SimConfig, entries: &[SimEntry]) -> Self {
        EventsStream {
            names: config.channels.iter().map(|c| c.name.clone()).collect(),
            costs: config
                .channels
                .iter()
                .map(|c| cost_text(c.cost_per_touch))
                .collect(),
            tags: entries
                .iter()
                .map(|e| (e.campaign.clone(), format!("cal-{}", e.id)))
                .collect(),
            buf: Vec::with_capacity(128 * 1024),
            uid: String::new(),
        }
    }

    fn push(&mut self, j: &SimJourney<'_>) {
        use std::fmt::Write as _;
        self.uid.clear();
        let _ = write!(self.uid, "u{:06}", j.user);
        for t in j.touches {
            let c = t.channel as usize;
            let (campaign, utm) = t
                .entry
                .and_then(|e| self.tags.get((e as usize).wrapping_sub(1)))
                .map_or(("", ""), |(a, b)| (a.as_str(), b.as_str()));
            push_row(
                &mut self.buf,
                &self.uid,
                t.ts_ms,
                self.names.get(c).map_or("?", String::as_str),
                campaign,
                utm,
                self.costs.get(c).map_or("0", String::as_str),
                "touch",
                "",
            );
        }
        if let Some(conv) = j.conversion {
            let rev = revenue_text(conv.revenue());
            push_row(
                &mut self.buf,
                &self.uid,
                conv.ts_ms,
                "",
                "",
                "",
                "",
                "conversion",
                &rev,
            );
        }
    }
}

/// Streams journeys into path-table rows.
struct PathsStream {
    rows: FxHashMap<Vec<u32>, PathRow>,
    key: Vec<u32>,
}

impl PathsStream {
    fn push(&mut self, j: &SimJourney<'_>) {
        self.key.clear();
        self.key.extend(j.touches.iter().map(|t| t.channel));
        if !self.rows.contains_key(self.key.as_slice()) {
            self.rows.insert(self.key.clone(), PathRow::default());
        }
        if let Some(row) = self.rows.get_mut(self.key.as_slice()) {
            match j.conversion {
                Some(c) => {
                    row.conversions += 1;
                    row.cents += c.revenue_cents;
                }
                None => row.nulls += 1,
            }
        }
    }

    fn write(self, names: &[String], out: &mut dyn Write) -> io::Result<()> {
        let rows = self
            .rows
            .into_iter()
            .map(|(key, r)| {
                let path = key
                    .iter()
                    .map(|&c| names.get(c as usize).map_or("?", String::as_str))
                    .collect::<Vec<_>>()
                    .join(" > ");
                (path, r)
            })
            .collect();
        write_path_rows(rows, out)
    }
}

/// Run the simulator straight into CSV writers at any scale: the events CSV (same bytes as
/// [`write_events_csv`] of [`simulate`]) and, when asked, the path table (same bytes as
/// [`write_paths_csv`]; only one counter per distinct path is kept). Wrap files in a
/// `BufWriter` or not: output is written in 64 KiB blocks.
pub fn simulate_to_csv(
    config: &SimConfig,
    mut events: Option<&mut dyn Write>,
    paths: Option<&mut dyn Write>,
) -> Result<SimSummary, SimWriteError> {
    let plan = Plan::new(config)?;
    let mut ev = EventsStream::new(config, &plan.entries);
    let mut ps = PathsStream {
        rows: FxHashMap::default(),
        key: Vec::new(),
    };
    if let Some(w) = events.as_deref_mut() {
        w.write_all(EVENTS_HEADER.as_bytes())?;
        w.write_all(b"\n")?;
    }
    let summary = plan.run(|j| {
        if let Some(w) = events.as_deref_mut() {
            ev.push(j);
            if ev.buf.len() >= 64 * 1024 {
                w.write_all(&ev.buf)?;
                ev.buf.clear();
            }
        }
        if paths.is_some() {
            ps.push(j);
        }
        Ok::<(), io::Error>(())
    })?;
    if let Some(w) = events {
        w.write_all(&ev.buf)?;
        w.flush()?;
    }
    if let Some(w) = paths {
        ps.write(&ev.names, w)?;
        w.flush()?;
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn portable_exp_and_ln_match_std() {
        for i in -2000..=2000 {
            let x = i as f64 * 0.173;
            let (a, b) = (det_exp(x), x.exp());
            assert!(((a - b) / b).abs() < 4e-16, "exp({x}): {a} vs {b}");
        }
        for i in 1..=4000 {
            let x = (i as f64 * 0.37).powi(3) * 1e-6;
            let (a, b) = (det_ln(x), x.ln());
            assert!(
                (a - b).abs() <= 4e-16 * b.abs().max(1e-300) + 1e-17,
                "ln({x}): {a} vs {b}"
            );
        }
        assert!((det_ln(5e-320) - 5e-320f64.ln()).abs() < 1e-12);
        assert!(det_ln(0.0).is_nan() && det_ln(-1.0).is_nan());
        assert_eq!(det_exp(0.0), 1.0);
        assert_eq!(det_ln(1.0), 0.0);
    }

    #[test]
    fn iso_dates() {
        assert_eq!(format_iso_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_iso_utc(1_735_913_100_000), "2025-01-03T14:05:00Z");
        assert_eq!(format_iso_utc(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(format_iso_utc(MAX_TS_MS), "9999-12-31T23:59:59.999Z");
    }
}
