//! Bootstrap intervals: determinism, coverage of the point estimate, shrinking with more data.

use crate::OnThreads;
use refleqt_engine::bootstrap::{intervals, quantile, BootstrapOptions};
use refleqt_engine::models::attribute;
use refleqt_engine::{Channels, JourneySet, Model, ModelParams, Touch};

/// A path-table-like set: (path, conversions, nulls), revenue 10 per conversion, each weight
/// multiplied by `scale`.
fn set(rows: &[(&str, f64, f64)], scale: f64) -> JourneySet {
    let mut channels = Channels::new();
    let mut s = JourneySet::new(Channels::new(), false);
    let mut parsed = Vec::new();
    for (path, conv, nulls) in rows {
        let touches: Vec<Touch> = path
            .split('>')
            .map(|c| Touch::new(channels.intern(c.trim())))
            .collect();
        parsed.push((touches, *conv * scale, *nulls * scale));
    }
    s.channels = channels;
    for (touches, conv, nulls) in parsed {
        s.push(&touches, conv, conv * 10.0, nulls, None);
    }
    s
}

fn sample() -> JourneySet {
    set(
        &[
            ("a > b", 5.0, 20.0),
            ("a", 3.0, 30.0),
            ("b > c", 4.0, 10.0),
            ("c", 2.0, 25.0),
            ("a > c > b", 6.0, 12.0),
            ("b", 1.0, 40.0),
        ],
        1.0,
    )
}

const RULES: [Model; 4] = [Model::First, Model::Last, Model::Linear, Model::Position];

#[test]
fn quantile_type_7_interpolates() {
    let v = [1.0, 2.0, 3.0, 4.0, 5.0];
    assert_eq!(quantile(&v, 0.0), 1.0);
    assert_eq!(quantile(&v, 1.0), 5.0);
    assert_eq!(quantile(&v, 0.5), 3.0);
    assert!((quantile(&v, 0.1) - 1.4).abs() < 1e-12);
    assert!((quantile(&[7.0], 0.3) - 7.0).abs() < 1e-12);
    assert!(quantile(&[], 0.3).is_nan());
}

#[test]
fn same_seed_same_intervals_other_seed_other_intervals() {
    let s = sample();
    let p = ModelParams::default();
    let o = BootstrapOptions {
        replicates: 50,
        ..Default::default()
    };
    let all: Vec<Model> = RULES
        .iter()
        .copied()
        .chain([Model::Markov, Model::Shapley])
        .collect();
    let a = intervals(&s, &all, &p, &o).expect("runs");
    let b = intervals(&s, &all, &p, &o).expect("runs");
    assert_eq!(a, b);
    let c = intervals(&s, &all, &p, &BootstrapOptions { seed: 99, ..o }).expect("runs");
    assert_ne!(a, c);
    assert_eq!(a.len(), all.len());
}

#[test]
fn intervals_contain_the_point_estimate_and_are_ordered() {
    let s = set(
        &[
            ("a > b", 50.0, 200.0),
            ("a", 30.0, 300.0),
            ("b > c", 40.0, 100.0),
            ("c", 20.0, 250.0),
            ("a > c > b", 60.0, 120.0),
        ],
        1.0,
    );
    let p = ModelParams::default();
    let models = [
        Model::First,
        Model::Last,
        Model::Linear,
        Model::Position,
        Model::Markov,
        Model::Shapley,
    ];
    let ivs = intervals(&s, &models, &p, &BootstrapOptions::default()).expect("runs");
    for iv in &ivs {
        let point = attribute(&s, iv.model, &p).expect("model runs");
        for (ci, ch) in iv.channels.iter().zip(&point.channels) {
            assert!(ci.low <= ci.high, "{:?} {}", iv.model, ch.name);
            assert!(
                ci.low - 1e-9 <= ch.share && ch.share <= ci.high + 1e-9,
                "{:?} channel {}: share {} outside [{}, {}]",
                iv.model,
                ch.name,
                ch.share,
                ci.low,
                ci.high
            );
            assert!((0.0..=1.0).contains(&ci.low) && (0.0..=1.0).contains(&ci.high));
        }
    }
}

#[test]
fn a_channel_with_all_the_credit_has_a_degenerate_interval() {
    let s = set(&[("a", 10.0, 5.0), ("a > a", 3.0, 1.0)], 1.0);
    let ivs = intervals(
        &s,
        &RULES,
        &ModelParams::default(),
        &BootstrapOptions::default(),
    )
    .expect("runs");
    for iv in ivs {
        assert_eq!(iv.channels.len(), 1);
        assert!((iv.channels[0].low - 1.0).abs() < 1e-12);
        assert!((iv.channels[0].high - 1.0).abs() < 1e-12);
    }
}

#[test]
fn hundred_times_more_data_gives_about_ten_times_narrower_intervals() {
    let rows = [
        ("a > b", 5.0, 20.0),
        ("a", 3.0, 30.0),
        ("b > c", 4.0, 10.0),
        ("c", 2.0, 25.0),
    ];
    let p = ModelParams::default();
    let o = BootstrapOptions::default();
    let width = |scale: f64| {
        let ivs =
            intervals(&set(&rows, scale), &[Model::Linear, Model::Markov], &p, &o).expect("runs");
        ivs.iter()
            .map(|iv| iv.channels.iter().map(|c| c.high - c.low).sum::<f64>())
            .collect::<Vec<_>>()
    };
    let (small, big) = (width(1.0), width(100.0));
    for (s, b) in small.iter().zip(&big) {
        assert!(*b < s / 5.0 && *b > s / 20.0, "small {s}, big {b}");
    }
}

#[test]
fn zero_replicates_turns_intervals_off_and_time_decay_needs_timestamps() {
    let s = sample();
    let p = ModelParams::default();
    let none = intervals(
        &s,
        &[Model::Linear],
        &p,
        &BootstrapOptions {
            replicates: 0,
            ..Default::default()
        },
    )
    .expect("runs");
    assert!(none.is_empty());
    let only = intervals(
        &s,
        &[Model::TimeDecay, Model::Linear],
        &p,
        &BootstrapOptions::default(),
    )
    .expect("runs");
    assert_eq!(only.len(), 1, "time-decay is skipped on untimed data");
    assert_eq!(only[0].model, Model::Linear);
}

/// Journeys whose touches carry calendar entries: (touches as (channel, entry), conversions,
/// revenue, nulls).
fn tagged() -> JourneySet {
    let mut channels = Channels::new();
    let (a, b, c) = (
        channels.intern("a"),
        channels.intern("b"),
        channels.intern("c"),
    );
    let mut s = JourneySet::new(channels, false);
    let t = |ch, e: Option<u64>| Touch {
        entry: e,
        ..Touch::new(ch)
    };
    let rows: [(Vec<Touch>, f64, f64, f64); 6] = [
        (vec![t(a, Some(1)), t(b, Some(2))], 40.0, 4_000.0, 100.0),
        (vec![t(a, Some(3)), t(b, None)], 25.0, 1_500.0, 80.0),
        (vec![t(b, Some(2))], 20.0, 2_400.0, 200.0),
        (vec![t(c, Some(4)), t(a, Some(1))], 30.0, 2_100.0, 90.0),
        (vec![t(c, None)], 10.0, 500.0, 300.0),
        (
            vec![t(a, Some(1)), t(c, Some(4)), t(b, Some(2))],
            35.0,
            3_500.0,
            60.0,
        ),
    ];
    for (touches, conv, rev, nulls) in rows {
        s.push(&touches, conv, rev, nulls, None);
    }
    s
}

#[test]
fn entry_intervals_contain_the_estimate_repeat_with_the_seed_and_keep_the_axioms() {
    let s = tagged();
    let p = ModelParams::default();
    let models = [
        Model::First,
        Model::Last,
        Model::Linear,
        Model::Position,
        Model::Markov,
        Model::Shapley,
    ];
    let opts = BootstrapOptions::default();
    let ivs = intervals(&s, &models, &p, &opts).expect("runs");
    assert_eq!(ivs, intervals(&s, &models, &p, &opts).expect("runs again"));
    let other = BootstrapOptions {
        seed: 7,
        ..BootstrapOptions::default()
    };
    assert_ne!(ivs, intervals(&s, &models, &p, &other).expect("other seed"));
    for iv in &ivs {
        let point = attribute(&s, iv.model, &p).expect("model runs");
        // The axioms of the point estimate still hold: channel credit sums to the totals, entry
        // credit never exceeds it.
        let credited: f64 = point.channels.iter().map(|c| c.conversions).sum();
        assert!((credited - s.total_conversions()).abs() < 1e-9);
        let entries: f64 = point.entries.iter().map(|e| e.conversions).sum();
        assert!(entries <= s.total_conversions() + 1e-9);
        assert_eq!(iv.entries.len(), point.entries.len(), "{:?}", iv.model);
        for (ei, e) in iv.entries.iter().zip(&point.entries) {
            assert_eq!(ei.entry, e.entry);
            assert!(
                ei.conversions_low - 1e-9 <= e.conversions
                    && e.conversions <= ei.conversions_high + 1e-9,
                "{:?} entry {}: {} outside [{}, {}]",
                iv.model,
                e.entry,
                e.conversions,
                ei.conversions_low,
                ei.conversions_high
            );
            assert!(
                ei.revenue_low - 1e-9 <= e.revenue && e.revenue <= ei.revenue_high + 1e-9,
                "{:?} entry {}: revenue {} outside [{}, {}]",
                iv.model,
                e.entry,
                e.revenue,
                ei.revenue_low,
                ei.revenue_high
            );
            // Credit that could have gone elsewhere is uncertain; no credit stays none.
            if e.revenue > 0.0 && e.revenue < s.total_revenue() {
                assert!(
                    ei.revenue_low < ei.revenue_high,
                    "{:?} has no spread",
                    iv.model
                );
            }
        }
    }
}

#[test]
fn replicates_shared_out_on_threads_give_the_same_intervals_to_the_bit() {
    use refleqt_engine::assemble::{build_journeys, JourneyOptions};
    use refleqt_engine::bootstrap::intervals_with;
    use refleqt_engine::parse::{parse_event_log, EventLogOptions};
    use refleqt_engine::simulate::{simulate_to_csv, SimConfig};
    let cfg = SimConfig {
        journeys: 4_000,
        seed: 11,
        ..SimConfig::default()
    };
    let mut events = Vec::new();
    simulate_to_csv(&cfg, Some(&mut events), None).unwrap();
    let log = parse_event_log(&events, &EventLogOptions::default()).unwrap();
    let set = build_journeys(&log, &JourneyOptions::default());
    let models = Model::ALL;
    let opts = BootstrapOptions {
        replicates: 23,
        ..Default::default()
    };
    let params = ModelParams::default();
    let one = intervals(&set, &models, &params, &opts).unwrap();
    assert!(one.len() >= 7);
    assert!(one.iter().any(|m| !m.entries.is_empty()));
    for width in [2, 3, 5, 40] {
        let shared = intervals_with(&set, &models, &params, &opts, &OnThreads(width)).unwrap();
        // Bit for bit: compare the serialised numbers, not within a tolerance.
        assert_eq!(
            serde_json::to_string(&shared).unwrap(),
            serde_json::to_string(&one).unwrap(),
            "{width} shards"
        );
    }
}
