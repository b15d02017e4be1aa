//! Tier 2: the browser tests, wasm-bindgen-test in headless Chromium, in one test binary (one
//! link and one browser start instead of one per file): the shell, charts, storage, imports and
//! the engine's determinism probe in wasm32. Run with
//! `cargo test --target wasm32-unknown-unknown -p refleqt --test browser`.
#![cfg(target_arch = "wasm32")]
// Test code: a failed assumption is a failed test, so unwrap, expect and panic are the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod app;
mod chart;
mod determinism;
mod import;
mod storage;
mod support;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
