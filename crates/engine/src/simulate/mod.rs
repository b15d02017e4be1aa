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
//! # Other causal processes: synergy and order
//!
//! Additive lift makes v(S) additive, so Shapley of the conversion rate is right almost by
//! construction. [`SimConfig::interactions`] adds lifts that only a combination of channels
//! causes ([`SimInteraction`]): a *synergy* (all its channels touched, any order) or a *sequence*
//! (touched in the listed order, e.g. awareness before retargeting). A journey converts with
//! probability
//!
//! ```text
//! p(S, order) = Σ_{c ∈ S} ℓ_c + Σ_{I present} ℓ_I
//! ```
//!
//! with the interactions' intervals laid after the channels'. A conversion whose u falls in an
//! interaction's interval is caused jointly by its m channels; the interval is cut into m equal
//! parts and the member whose part holds u is recorded as the cause, so each member realises 1/m
//! of the interaction's conversions (no extra random draw: an additive run is unchanged to the
//! bit). Expected conversions of c add ℓ_I × E_I / m for each interaction I containing c, E_I
//! being the journeys where I was present. [`SimConfig::demo_process`] gives the demo under each
//! [`TruthProcess`]. Under `Order`, set-based models (Shapley, the logistic model) cannot see
//! the order; under `Synergy`, rules that credit single touches cannot see the pairing.
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
//! [`SimOutput`] rows for small runs; [`simulate_artifacts`] writes an artifact history (see
//! `artifacts`); [`simulate_to_csv`] streams the events CSV (and optionally
//! the path table) at any scale; [`simulate_journey_set`] builds a [`JourneySet`](crate::JourneySet) directly.

mod artifacts;
mod config;
mod csv;
mod generate;
mod maths;
mod output;
mod tally;

pub use crate::truth::{l1_distance, model_shares, ChannelTruth, Truth, TruthBasis};
pub use artifacts::{
    simulate_artifacts, simulate_artifacts_with_creators, time_effect, AnomalyKind,
    ArtifactHistory, ArtifactSimConfig, ArtifactSimError, InjectedAnomaly, PlantedTime,
    SimArtifact, ARTIFACT_METRICS, CREATORS, MAX_ARTIFACTS_PER_WEEK, MAX_ARTIFACT_DAYS,
};
pub use config::{
    SimChannel, SimConfig, SimError, SimInteraction, SimWriteError, TruthProcess, MAX_CHANNELS,
    MAX_ENTRIES_PER_CHANNEL, MAX_INTERACTIONS, MAX_JOURNEYS, MAX_MEAN_TOUCHES, MAX_SPAN_DAYS,
    MAX_TOUCHES,
};
pub use csv::{
    format_iso_utc, simulate_to_csv, write_events_csv, write_paths_csv, EVENTS_HEADER, PATHS_HEADER,
};
pub use generate::{calendar, simulate, simulate_into, simulate_journey_set, to_journey_set};
pub use output::{
    user_id, SimConversion, SimEntry, SimEvent, SimJourney, SimOutput, SimSummary, SimTouch,
};

const MS_PER_DAY: i64 = 86_400_000;
/// 9999-12-31T23:59:59.999Z: the last instant with a four-digit ISO year.
const MAX_TS_MS: i64 = 253_402_300_799_999;
