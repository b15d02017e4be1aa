//! The app's domain model: pure types, validation and rules, tested natively. No IO, no browser,
//! no clock (times come in as arguments).
//!
//! - [`date`]: publish dates and timestamps;
//! - [`metric`]: the spec's metric catalog and parsing of typed values (`2,847`, `3:42`, `$4,200`);
//! - [`entry`]: calendar entries and the entry form → validated draft;
//! - [`performance`]: dated metric rows, manual wins over imported;
//! - [`workspace`]: everything the user has, its changes, ROI and V1 last-touch results;
//! - [`file`]: the versioned JSON file (export, import, storage) and its migrations;
//! - [`mapping`]: the editable channel → utm_source/utm_medium mapping;
//! - [`oauth`]: the OAuth 2.0 code grant with PKCE as pure functions (issue 9);
//! - [`api_key`]: API-key sources (Plausible, PostHog, Matomo, Umami): requests and answers → GA4 rows;
//! - [`connection`]: connections (settings, never tokens), the providers' honest status, pull decisions;
//! - [`import`]: platform exports → preview (matches, hand assignment) → merged metrics;
//! - [`csv`]: CSV export of the calendar;
//! - [`prediction`]: what the learners store: frozen predictions and anomaly alerts;
//! - [`evidence`]: outcomes with what was expected of them, belief scores;
//! - [`ab_record`]: a recorded A/B test with the user's decision on its proposed belief update;
//! - [`context`]: the training-context export (workspace → engine `context` document);
//! - [`learning`]: entries as artifacts, predicted performance, freezing at publication, alerts;
//! - [`demo`]: the demo workspace built from the engine's simulator;
//! - [`month`]: the calendar grid's weeks and months.

pub mod ab_edit;
pub mod ab_record;
pub mod api_key;
pub mod belief_edit;
pub mod connection;
pub mod context;
pub mod csv;
pub mod date;
pub mod demo;
pub mod edit_merge;
pub mod entry;
pub mod evidence;
pub mod file;
pub mod import;
pub mod learning;
pub mod mapping;
pub mod metric;
pub mod month;
pub mod oauth;
pub mod performance;
pub mod prediction;
pub mod reputation;
pub mod workspace;
