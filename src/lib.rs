//! Refleqt Attribution, the browser app: a Leptos single-page app over `refleqt-engine`.
//!
//! Module map (dependencies point inward: pages → state → engine):
//! - [`app`]: the shell — navigation bar, hash router outlet, crash boundary;
//! - [`routing`]: pure route parsing (`#/path` → [`routing::Route`]), tested natively;
//! - [`pages`]: one module per route;
//! - [`web_tools`]: the one place for `window`/`document` glue.

pub mod app;
pub mod pages;
pub mod routing;
pub mod web_tools;

/// Install the panic hook and mount the app on `<body>`, replacing the loading placeholder.
pub fn start() {
    web_tools::install_panic_hook();
    web_tools::remove_boot_placeholder();
    leptos::mount::mount_to_body(app::App);
}
