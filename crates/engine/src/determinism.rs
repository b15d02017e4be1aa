//! A fixed computation whose every bit must be the same on every target: the golden value shared
//! by the native test (here) and the browser test (`tests/browser/determinism.rs` of the app).
//!
//! [`probe`] simulates a small data set with a fixed seed, runs the seven classic models
//! ([`Model::CLASSIC`]; the logistic model is gated off on so few conversions) on it and
//! bootstraps their intervals, and reduces every resulting `f64` (the simulator's truth, each
//! model's channel shares, conversions and revenue, each interval's ends) to one FNV-1a hash of
//! their bit patterns. The simulator uses only IEEE-754 basic operations and its own `exp`/`ln`
//! ([`crate::simulate`]); the bootstrap and the time-decay weights use the pure-Rust `libm`
//! ([`crate::bootstrap`]); so the CLI (native) and the browser (wasm32) must both give
//! [`PROBE_HASH`]. A deliberate change to the simulator, a model or the bootstrap updates it.

use crate::bootstrap::{intervals, BootstrapOptions};
use crate::models::{attribute_all, Model, ModelParams};
use crate::simulate::{simulate_journey_set, SimConfig, SimError};
use thiserror::Error;

/// What [`probe`] returns on every target.
pub const PROBE_HASH: u64 = 0x25d9_f0ef_4a06_7913;

/// The probe could not run (a bug: its input is fixed and valid).
#[derive(Debug, Error)]
pub enum ProbeError {
    #[error("simulating the probe's data: {0}")]
    Simulate(#[from] SimError),
    #[error("running the probe's models: {0}")]
    Model(#[from] crate::models::ModelError),
}

/// FNV-1a over the little-endian bytes of 64-bit words.
struct BitHash(u64);

impl BitHash {
    fn new() -> Self {
        BitHash(0xcbf2_9ce4_8422_2325)
    }

    fn word(&mut self, w: u64) {
        for b in w.to_le_bytes() {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn float(&mut self, x: f64) {
        self.word(x.to_bits());
    }
}

/// Simulate 500 users of the demo configuration (seed 2026), run all seven models and their
/// bootstrap intervals (60 replicates, seed 0x5EED), and hash the bits of every number.
pub fn probe() -> Result<u64, ProbeError> {
    let config = SimConfig {
        journeys: 500,
        seed: 2026,
        ..SimConfig::demo()
    };
    let (set, summary) = simulate_journey_set(&config)?;
    let mut h = BitHash::new();
    let truth = &summary.truth;
    h.word(truth.conversions);
    h.float(truth.revenue);
    for c in &truth.channels {
        h.float(c.expected_share);
        h.float(c.realised_share);
        h.float(c.true_revenue);
    }
    for j in set.iter() {
        h.float(j.conversions);
        h.float(j.revenue);
        for t in j.touches {
            h.word(u64::from(t.channel));
            h.float(t.age_secs);
        }
    }
    let params = ModelParams::default();
    for (_, result) in attribute_all(&set, &Model::CLASSIC, &params) {
        for c in &result?.channels {
            h.float(c.share);
            h.float(c.conversions);
            h.float(c.revenue);
        }
    }
    let opts = BootstrapOptions {
        replicates: 60,
        ..BootstrapOptions::default()
    };
    for iv in intervals(&set, &Model::CLASSIC, &params, &opts)? {
        for c in &iv.channels {
            h.float(c.low);
            h.float(c.high);
        }
    }
    Ok(h.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_probe_gives_the_golden_hash() {
        let got = probe().expect("the probe runs");
        assert_eq!(got, PROBE_HASH, "probe hash {got:#018x}");
    }
}
