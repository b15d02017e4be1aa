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
//!
//! Without the default feature `web` only [`model`] is built (the CLI's `refleqt context`).

#[cfg(feature = "web")]
pub mod analysis;
#[cfg(feature = "web")]
pub mod app;
#[cfg(feature = "web")]
pub mod charts;
#[cfg(feature = "web")]
pub mod components;
#[cfg(feature = "web")]
pub mod connectors;
pub mod model;
#[cfg(feature = "web")]
pub mod pages;
#[cfg(feature = "web")]
pub mod routing;
#[cfg(feature = "web")]
pub mod service_worker;
#[cfg(feature = "web")]
pub mod state;
#[cfg(feature = "web")]
pub mod storage;
#[cfg(feature = "web")]
pub mod web_tools;
#[cfg(feature = "web")]
pub mod worker;

#[cfg(feature = "web")]
/// Install the panic hook and mount the app on `<body>`, replacing the loading placeholder.
pub fn start() {
    web_tools::install_panic_hook();
    web_tools::remove_boot_placeholder();
    leptos::mount::mount_to_body(app::App);
}
