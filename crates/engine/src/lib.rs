//! Refleqt's attribution engine: pure Rust, no IO, no browser. Bytes in, typed results out.
//!
//! The browser app, the `refleqt` CLI and every test call this crate. Layers, inner to outer:
//! - [`journey`]: channels, touches and the flat [`journey::JourneySet`] every model reads;
//! - [`models`]: the seven attribution models and their shared result type;
//! - [`bootstrap`]: seeded Bayesian-bootstrap intervals over journeys;
//! - [`roi`]: artifact ROI and ROAS;
//! - [`parse`]: CSV, timestamps, event logs and path tables (bytes → typed values or typed errors);
//! - [`utm`]: `utm_content=cal-<id>` extraction;
//! - [`links`]: UTM link building from a calendar entry, and link governance warnings;
//! - [`imports`]: GA4, Google Ads, Meta Ads and Mailchimp exports → metric rows matched to entries;
//! - [`simulate`]: a seeded journey generator with known ground truth;
//! - [`report`]: the full report of one data set (all models, intervals, ROI) — the CLI's JSON
//!   and the app's context export;
//! - [`recommend`]: the spec's model-selection rules and the data-driven caution;
//! - [`trend`]: least-squares trend lines, predicted-vs-actual errors and accuracy;
//! - [`explore`]: the most common paths with their conversion rates;
//! - [`dataset`]: the binary blob a stored data set is kept in (the app's IndexedDB, the CLI).

pub mod assemble;
pub mod bootstrap;
pub mod dataset;
pub mod explore;
pub mod imports;
pub mod journey;
pub mod links;
pub mod models;
pub mod parse;
pub mod recommend;
pub mod report;
pub mod roi;
pub mod simulate;
pub mod trend;
pub mod utm;

pub use journey::{ChannelId, Channels, EntryId, JourneySet, PathAggregate, PathStat, Touch};
pub use models::{AttributionResult, ChannelCredit, EntryCredit, Model, ModelParams};
