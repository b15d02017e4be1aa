//! Refleqt's attribution engine: pure Rust, no IO, no browser. Bytes in, typed results out.
//!
//! The browser app, the `refleqt` CLI and every test call this crate. Layers, inner to outer:
//! - [`journey`]: channels, touches and the flat [`journey::JourneySet`] every model reads;
//! - [`models`]: the seven attribution models and their shared result type;
//! - [`bootstrap`]: seeded Bayesian-bootstrap intervals over journeys;
//! - [`roi`]: artifact ROI and ROAS;
//! - [`dates`]: calendar math, ISO dates and month names, for every parser and the app;
//! - [`number`]: the one number reader (decimal point or comma, explicit), for every parser;
//! - [`parse`]: CSV, timestamps, event logs and path tables (bytes → typed values or typed errors);
//! - [`percent`]: percent-encoding and the one percent-decoder (links, GA4, `utm_content`);
//! - [`utm`]: `utm_content=cal-<id>` extraction;
//! - [`links`]: UTM link building from a calendar entry, and link governance warnings;
//! - [`detect`]: which layout a file holds (event log, path table or a platform export), and
//!   [`detect::import`] that detects then parses;
//! - [`imports`]: GA4, Google Ads, Meta Ads and Mailchimp exports → metric rows matched to entries;
//! - [`simulate`]: a seeded journey generator with known ground truth;
//! - [`truth`]: the ground truth of a simulated data set and a model's distance from it;
//! - [`report`]: the full report of one data set (all models, intervals, ROI) — the CLI's JSON
//!   and the app's context export;
//! - [`recommend`]: the spec's model-selection rules and the data-driven caution;
//! - [`trend`]: least-squares trend lines, predicted-vs-actual errors and accuracy;
//! - [`explore`]: the most common paths with their conversion rates;
//! - [`artifact`]: what an artifact is for the learners (features, measured metrics);
//! - [`predict`]: a planned artifact's 95 % range per metric (nearest neighbours + conformal);
//! - [`posting_time`]: best posting times (weekday and hour effects by least squares, with intervals);
//! - [`clusters`]: k-means clusters of artifacts, k by the silhouette;
//! - [`isolation`]: the isolation forest and artifacts' outlier scores among their peers;
//! - [`stats`]: normal, Student's t and χ² distribution functions, ranks and Spearman's ρ;
//! - [`beliefs`]: planning beliefs, the evidence outcomes give them, their scores and the file;
//! - [`abtest`]: A/B test analysis (lift, tests, probability best, guards) and its insight;
//! - [`creators`]: creator reputation by empirical Bayes, and a planned entry's match score;
//! - [`segments`]: customer segments by channel affinity (k-means over journeys' channel profiles);
//! - [`determinism`]: a fixed computation whose bits every target must reproduce;
//! - [`dataset`]: the binary blob a stored data set is kept in (the app's IndexedDB, the CLI).

pub mod abtest;
pub mod artifact;
pub mod assemble;
pub mod beliefs;
pub mod bootstrap;
pub mod clusters;
pub mod context;
pub mod creators;
pub mod csv_out;
pub mod dataset;
pub mod dates;
pub mod detect;
pub mod determinism;
pub mod explore;
pub mod imports;
pub mod isolation;
pub mod jobs;
pub mod journey;
pub mod journey_graph;
pub mod links;
pub mod models;
pub mod number;
pub mod parse;
pub mod path_table;
pub mod percent;
pub mod posting_time;
pub mod predict;
pub mod recommend;
pub mod report;
pub mod roi;
pub mod segments;
pub mod simulate;
pub mod stats;
pub mod trend;
pub mod truth;
pub mod utm;

pub use journey::{ChannelId, Channels, EntryId, JourneySet, PathAggregate, PathStat, Touch};
pub use models::{AttributionResult, ChannelCredit, EntryCredit, Model, ModelParams};
