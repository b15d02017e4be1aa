//! Times the stages of the data-driven models on simulated journeys:
//! `cargo run -p refleqt-engine --profile fast --example model_timing [journeys]`.
// A measurement tool, not product code: a failed set-up stops it loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use refleqt_engine::models::{entry_split, markov, shapley};
use refleqt_engine::simulate::{simulate_journey_set, SimConfig};
use refleqt_engine::PathAggregate;
use std::time::Instant;

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let config = SimConfig {
        journeys: n,
        seed: 1,
        ..SimConfig::demo()
    };
    let Ok((set, _)) = simulate_journey_set(&config) else {
        eprintln!("invalid config");
        return;
    };
    let t = Instant::now();
    let agg = PathAggregate::from_set(&set);
    println!("aggregate: {:?} ({} paths)", t.elapsed(), agg.paths.len());
    let t = Instant::now();
    let m = markov::channel_credit(&agg, 1);
    println!("markov credit: {:?}", t.elapsed());
    let t = Instant::now();
    let s = shapley::channel_credit(&agg);
    println!("shapley credit: {:?}", t.elapsed());
    let t = Instant::now();
    let _ = entry_split::split_by_entries(&set, &m.conversions, &m.revenue);
    println!("entry split: {:?}", t.elapsed());
    let _ = s;
}
