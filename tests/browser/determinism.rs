//! Browser test of determinism: the engine's probe (a seeded simulation, all seven models and
//! their bootstrap intervals, hashed bit for bit) gives in wasm32 the same hash as natively
//! (`refleqt_engine::determinism`'s own test asserts the same constant).

use refleqt_engine::determinism::{probe, PROBE_HASH};
use wasm_bindgen_test::*;

#[wasm_bindgen_test]
fn the_probe_gives_the_native_golden_hash() {
    let got = probe().expect("the probe runs");
    assert_eq!(got, PROBE_HASH, "probe hash {got:#018x}");
}
