//! Fixed-seed inputs shared by the engine benchmarks (`cargo bench -p refleqt-bench`).
// A measurement tool, not product code: a failed set-up stops it loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use refleqt_engine::simulate::{simulate, simulate_journey_set, write_events_csv, SimConfig};
use refleqt_engine::JourneySet;

/// The demo simulator's configuration with `journeys` users and a fixed seed.
pub fn config(journeys: u64) -> SimConfig {
    SimConfig {
        journeys,
        seed: 20261127,
        ..SimConfig::demo()
    }
}

/// Simulated journeys, built directly (no CSV).
pub fn journeys(journeys: u64) -> JourneySet {
    match simulate_journey_set(&config(journeys)) {
        Ok((set, _)) => set,
        Err(e) => panic!("the demo configuration is valid: {e}"),
    }
}

/// The event-log CSV of `journeys` simulated users.
pub fn events_csv(journeys: u64) -> Vec<u8> {
    let mut out = Vec::new();
    match simulate(&config(journeys)) {
        Ok(sim) => {
            if let Err(e) = write_events_csv(&sim, &mut out) {
                panic!("writing to memory cannot fail: {e}");
            }
        }
        Err(e) => panic!("the demo configuration is valid: {e}"),
    }
    out
}
