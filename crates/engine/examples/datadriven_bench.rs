//! Timing of the data-driven models on a synthetic aggregate: ~50 000 distinct paths over 10
//! channels, Markov orders 1–4 and Shapley.
//!
//! `cargo run -p refleqt-engine --profile fast --example datadriven_bench [distinct_paths]`
// A measurement tool, not product code: a failed set-up stops it loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use refleqt_engine::models::{markov, shapley};
use refleqt_engine::{ChannelId, PathAggregate, PathStat};
use rustc_hash::FxHashSet;
use std::time::Instant;

const CHANNELS: usize = 10;

fn synthetic(distinct: usize, seed: u64) -> PathAggregate {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // Skewed channel popularity and per-channel lift.
    let popularity: Vec<f64> = (0..CHANNELS).map(|c| 1.0 / (1.0 + c as f64)).collect();
    let pop_total: f64 = popularity.iter().sum();
    let lift: Vec<f64> = (0..CHANNELS).map(|c| 0.01 + 0.006 * c as f64).collect();
    let mut seen: FxHashSet<Vec<ChannelId>> = FxHashSet::default();
    let mut paths = Vec::with_capacity(distinct);
    let mut guard = 0usize;
    while paths.len() < distinct && guard < distinct * 100 {
        guard += 1;
        let mut len = 1;
        while len < 14 && rng.random::<f64>() < 0.72 {
            len += 1;
        }
        let p: Vec<ChannelId> = (0..len)
            .map(|_| {
                let mut u = rng.random::<f64>() * pop_total;
                let mut c = 0;
                while c + 1 < CHANNELS && u >= popularity[c] {
                    u -= popularity[c];
                    c += 1;
                }
                c as ChannelId
            })
            .collect();
        if !seen.insert(p.clone()) {
            continue;
        }
        let journeys = 1 + (rng.random::<f64>().powi(3) * 40.0) as u32;
        let mut distinct_ch = p.clone();
        distinct_ch.sort_unstable();
        distinct_ch.dedup();
        let rate: f64 = distinct_ch
            .iter()
            .map(|&c| lift[c as usize])
            .sum::<f64>()
            .min(0.9);
        let conv = (0..journeys).filter(|_| rng.random::<f64>() < rate).count() as f64;
        paths.push(PathStat {
            channels: p,
            conversions: conv,
            revenue: conv * 50.0,
            nulls: journeys as f64 - conv,
            journeys: journeys as f64,
        });
    }
    PathAggregate {
        channel_count: CHANNELS,
        paths,
    }
}

fn time<T>(reps: usize, mut f: impl FnMut() -> T) -> (f64, f64, T) {
    let mut best = f64::INFINITY;
    let mut total = 0.0;
    let mut last = None;
    for _ in 0..reps {
        let t = Instant::now();
        let out = f();
        let ms = t.elapsed().as_secs_f64() * 1e3;
        best = best.min(ms);
        total += ms;
        last = Some(out);
    }
    match last {
        Some(out) => (best, total / reps as f64, out),
        None => (0.0, 0.0, f()),
    }
}

fn main() {
    let distinct: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(50_000);
    let t = Instant::now();
    let agg = synthetic(distinct, 20_240_601);
    let touches: usize = agg.paths.iter().map(|p| p.channels.len()).sum();
    println!(
        "synthetic aggregate: {} distinct paths, {} touches, {} channels, {:.0} conversions, {:.0} nulls ({:.0} ms to build)",
        agg.paths.len(),
        touches,
        agg.channel_count,
        agg.total_conversions(),
        agg.paths.iter().map(|p| p.nulls).sum::<f64>(),
        t.elapsed().as_secs_f64() * 1e3
    );
    for order in 1..=4u8 {
        let reps = if order == 1 { 200 } else { 10 };
        let (best, mean, m) = time(reps, || markov::channel_credit(&agg, order));
        let d = &m.details;
        let s = &d.solver;
        println!(
            "markov order {order}: best {best:8.2} ms, mean {mean:8.2} ms over {reps:3} runs | \
             {} states, {} transitions, P(conv) {:.6}, {} dense + {} Gauss-Seidel solves, \
             max {} sweeps, max rel. residual {:.1e}",
            d.transient_states,
            d.transitions.len(),
            d.p_conversion,
            s.dense_solves,
            s.iterative_solves,
            s.max_sweeps,
            s.max_residual,
        );
    }
    let (best, mean, (conv, _)) = time(200, || shapley::channel_credit(&agg));
    println!(
        "shapley:        best {best:8.2} ms, mean {mean:8.2} ms over 200 runs | {} coalitions, credit sum {:.3}",
        shapley::coalitions(&agg).len(),
        conv.iter().sum::<f64>()
    );
}
