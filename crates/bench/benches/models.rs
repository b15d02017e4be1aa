//! Criterion benchmarks: each model, the bootstrap, and parsing, on fixed-seed simulated data.
//!
//! `cargo bench -p refleqt-bench` (numbers for the README come from here and from the CLI on
//! 1M journeys; see README "Benchmarks").
// A measurement tool, not product code: a failed set-up stops it loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use refleqt_engine::assemble::{build_journeys, JourneyOptions};
use refleqt_engine::bootstrap::{intervals, BootstrapOptions};
use refleqt_engine::models::{attribute, Model, ModelParams};
use refleqt_engine::parse::{parse_event_log, EventLogOptions};
use std::hint::black_box;

const JOURNEYS: u64 = 100_000;

fn models(c: &mut Criterion) {
    let set = refleqt_bench::journeys(JOURNEYS);
    let mut g = c.benchmark_group("models_100k_journeys");
    g.throughput(Throughput::Elements(JOURNEYS));
    for model in Model::ALL {
        let params = ModelParams::default();
        g.bench_function(model.key(), |b| {
            b.iter(|| attribute(black_box(&set), model, &params))
        });
    }
    for order in 2..=4u8 {
        let params = ModelParams {
            markov_order: order,
            ..Default::default()
        };
        g.bench_function(format!("markov-order-{order}"), |b| {
            b.iter(|| attribute(black_box(&set), Model::Markov, &params))
        });
    }
    g.finish();
}

fn bootstrap(c: &mut Criterion) {
    let set = refleqt_bench::journeys(JOURNEYS);
    let mut g = c.benchmark_group("bootstrap_100k_journeys");
    g.sample_size(10);
    let opts = BootstrapOptions {
        replicates: 50,
        ..Default::default()
    };
    g.bench_function("all-models-x50", |b| {
        b.iter(|| intervals(black_box(&set), &Model::ALL, &ModelParams::default(), &opts))
    });
    g.finish();
}

fn parsing(c: &mut Criterion) {
    let csv = refleqt_bench::events_csv(JOURNEYS);
    let mut g = c.benchmark_group("parse_100k_journeys");
    g.throughput(Throughput::Bytes(csv.len() as u64));
    g.sample_size(20);
    g.bench_function("parse-event-log", |b| {
        b.iter(|| parse_event_log(black_box(&csv), &EventLogOptions::default()))
    });
    g.bench_function("parse-and-build-journeys", |b| {
        b.iter_batched(
            || (),
            |()| {
                parse_event_log(&csv, &EventLogOptions::default())
                    .map(|log| build_journeys(&log, &JourneyOptions::default()))
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

criterion_group!(benches, models, bootstrap, parsing);
criterion_main!(benches);
