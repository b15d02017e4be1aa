//! Refleqt Attribution, the browser app: a Leptos single-page app over `refleqt-engine`.
//!
//! Module map (dependencies point inward: pages → state → storage → model → engine):
//! - [`app`]: the shell — navigation bar, storage banners, hash router outlet;
//! - [`routing`]: pure route parsing (`#/path` → [`routing::Route`]), tested natively;
//! - [`pages`]: one module per route; [`components`]: reusable widgets;
//! - [`state`]: the workspace signal in context and the effect that saves it;
//! - [`storage`]: persistence behind a trait (IndexedDB, memory), revisions against lost writes;
//! - [`model`]: pure domain types, validation, ROI, file format and migrations, demo data;
//! - [`analysis`]: the attribution workbench's runs and views (pure); [`charts`]: series (pure)
//!   and canvas drawing; [`worker`]: the Web Worker that runs the models off the page's thread;
//! - [`service_worker`]: registering the offline service worker, a new version that waits;
//! - [`web_tools`]: the one place for `window`/`document` glue.

pub mod analysis;
pub mod app;
pub mod charts;
pub mod components;
pub mod connectors;
pub mod model;
pub mod pages;
pub mod routing;
pub mod service_worker;
pub mod state;
pub mod storage;
pub mod web_tools;
pub mod worker;

/// Install the panic hook and mount the app on `<body>`, replacing the loading placeholder.
pub fn start() {
    web_tools::install_panic_hook();
    web_tools::remove_boot_placeholder();
    leptos::mount::mount_to_body(app::App);
}
