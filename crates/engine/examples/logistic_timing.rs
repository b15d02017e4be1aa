//! Timing and truth distance of the data-driven (logistic) model on a large simulated log,
//! under each causal process: simulate, aggregate, fit + Shapley credit, bootstrap; and the
//! customer segments' time.
//!
//! `cargo run -p refleqt-engine --profile fast --example logistic_timing [users]` (default 1,000,000)
// A measurement tool, not product code: a failed set-up stops it loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use refleqt_engine::bootstrap::{intervals, BootstrapOptions};
use refleqt_engine::models::{attribute, logistic, Model, ModelParams};
use refleqt_engine::simulate::{
    l1_distance, model_shares, simulate_journey_set, SimConfig, TruthBasis, TruthProcess,
};
use refleqt_engine::PathAggregate;
use std::time::Instant;

fn main() {
    let users: u64 = std::env::args()
        .nth(1)
        .map(|s| s.parse().expect("a number of users"))
        .unwrap_or(1_000_000);
    let params = ModelParams::default();
    for process in TruthProcess::ALL {
        let cfg = SimConfig {
            journeys: users,
            ..SimConfig::demo_process(process)
        };
        let t = Instant::now();
        let (set, summary) = simulate_journey_set(&cfg).unwrap();
        let sim = t.elapsed();
        let t = Instant::now();
        let agg = PathAggregate::from_set(&set);
        let aggregate = t.elapsed();
        let t = Instant::now();
        let fit = logistic::fit(&agg);
        let fit_time = t.elapsed();
        let t = Instant::now();
        let r = attribute(&set, Model::Logistic, &params).unwrap();
        let whole = t.elapsed();
        let d = l1_distance(&model_shares(&r), &summary.truth, TruthBasis::Realised);
        let shapley = attribute(&set, Model::Shapley, &params).unwrap();
        let ds = l1_distance(
            &model_shares(&shapley),
            &summary.truth,
            TruthBasis::Realised,
        );
        let t = Instant::now();
        let opts = BootstrapOptions {
            replicates: 200,
            ..BootstrapOptions::default()
        };
        intervals(&set, &[Model::Logistic], &params, &opts).unwrap();
        let boot = t.elapsed();
        println!(
            "{:8} users {users} journeys {} conversions {}: simulate {:.2?}, aggregate {:.2?}, \
             fit {:.2?} ({} Newton steps), attribute (aggregate + fit + Shapley + entries) {:.2?}, \
             bootstrap x200 {:.2?}; L1 logistic {:.3}, Shapley {:.3}",
            process.key(),
            summary.truth.journeys,
            summary.truth.conversions,
            sim,
            aggregate,
            fit_time,
            fit.steps,
            whole,
            boot,
            d,
            ds,
        );
        let t = Instant::now();
        let seg = refleqt_engine::segments::segment_journeys(&set, 1).unwrap();
        println!(
            "         segments: k {} (silhouette {:.2}) in {:.2?}",
            seg.k,
            seg.silhouette,
            t.elapsed()
        );
    }
}
