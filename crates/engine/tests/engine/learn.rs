//! The learners against the artifact simulator's truth: prediction coverage (vs the channel's
//! quantiles), isolation-forest precision and recall on injected anomalies, determinism. Run
//! `cargo test --release -p refleqt-engine --test engine learn -- --nocapture --include-ignored`
//! for the numbers and timings.

use refleqt_engine::artifact::ArtifactRecord;
use refleqt_engine::clusters::cluster_artifacts;
use refleqt_engine::isolation::peer_scores;
use refleqt_engine::posting_time::posting_times;
use refleqt_engine::predict::{
    channel_quantile_range, MetricPrediction, Predictor, DEFAULT_COVERAGE, DEFAULT_K, USEFUL_WIDTH,
};
use refleqt_engine::simulate::{
    simulate_artifacts, AnomalyKind, ArtifactSimConfig, ArtifactSimError, ARTIFACT_METRICS,
};
use std::time::Instant;

fn history(
    seed: u64,
    per_week: f64,
    anomaly_rate: f64,
) -> Vec<refleqt_engine::simulate::SimArtifact> {
    simulate_artifacts(&ArtifactSimConfig {
        seed,
        per_week,
        anomaly_rate,
        ..ArtifactSimConfig::default()
    })
    .unwrap()
    .artifacts
}

#[test]
fn artifact_simulator_is_deterministic_and_over_dispersed() {
    let cfg = ArtifactSimConfig::default();
    let a = simulate_artifacts(&cfg).unwrap();
    let b = simulate_artifacts(&cfg).unwrap();
    assert_eq!(a, b);
    let n = a.artifacts.len();
    assert!((1700..2100).contains(&n), "{n} artifacts");
    assert_eq!(a.best_times.len(), 7);
    // Over-dispersion: within one channel, type and topic the clicks vary more than Poisson.
    let clicks: Vec<f64> = a
        .artifacts
        .iter()
        .map(|x| &x.record)
        .filter(|r| r.features.channel == "email" && r.features.topics == ["how-to"])
        .filter_map(|r| r.value("clicks"))
        .collect();
    assert!(clicks.len() > 10, "{}", clicks.len());
    let mean = clicks.iter().sum::<f64>() / clicks.len() as f64;
    let var = clicks.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / clicks.len() as f64;
    assert!(var > 3.0 * mean, "mean {mean}, variance {var}");
    assert!(a.artifacts.iter().all(|x| x.anomaly.is_none()));
    let other = simulate_artifacts(&ArtifactSimConfig {
        seed: 12,
        ..cfg.clone()
    })
    .unwrap();
    assert_ne!(a, other);
    assert_eq!(
        simulate_artifacts(&ArtifactSimConfig {
            anomaly_rate: 0.9,
            ..cfg
        }),
        Err(ArtifactSimError::AnomalyRate(0.9))
    );
}

struct Scores {
    coverage: f64,
    median_width_ratio: f64,
    n: usize,
}

/// Coverage of the ranges and the median of high/low (in log(1 + x)) over held-out artifacts.
fn score(
    test: &[ArtifactRecord],
    metric: &str,
    ranges: impl Fn(usize, &ArtifactRecord) -> Option<(f64, f64)>,
) -> Scores {
    let mut inside = 0usize;
    let mut widths = Vec::new();
    for (i, r) in test.iter().enumerate() {
        let (Some(actual), Some((lo, hi))) = (r.value(metric), ranges(i, r)) else {
            continue;
        };
        if actual >= lo && actual <= hi {
            inside += 1;
        }
        widths.push((hi + 1.0) / (lo + 1.0));
    }
    widths.sort_by(f64::total_cmp);
    Scores {
        coverage: inside as f64 / widths.len().max(1) as f64,
        median_width_ratio: widths.get(widths.len() / 2).copied().unwrap_or(f64::NAN),
        n: widths.len(),
    }
}

#[test]
fn prediction_ranges_cover_95_percent_of_held_out_artifacts() {
    let all: Vec<ArtifactRecord> = history(11, 12.0, 0.0)
        .into_iter()
        .map(|a| a.record)
        .collect();
    // Time-ordered split: the first 70 % is the history, the last 30 % are "new" artifacts.
    let cut = all.len() * 7 / 10;
    let (train, test) = all.split_at(cut);
    let started = Instant::now();
    let predictor = Predictor::fit(train, &ARTIFACT_METRICS, DEFAULT_K, DEFAULT_COVERAGE);
    let fit_time = started.elapsed();
    let predictions: Vec<Vec<MetricPrediction>> = test
        .iter()
        .map(|r| predictor.predict(&r.features))
        .collect();
    for (m, metric) in ARTIFACT_METRICS.iter().enumerate() {
        let ours = score(test, metric, |i, _| {
            predictions[i][m].range().map(|x| (x.low, x.high))
        });
        let naive = score(test, metric, |_, r| {
            channel_quantile_range(train, metric, &r.features.channel, DEFAULT_COVERAGE)
        });
        // The ranges narrow enough to show (the rest are put in words as too uncertain).
        let useful = score(test, metric, |i, _| {
            predictions[i][m]
                .range()
                .filter(|x| !x.too_uncertain())
                .map(|x| (x.low, x.high))
        });
        println!(
            "{metric:12} shown as a range: {} of {} (coverage {:.1} %, width ×{:.2}); too uncertain: {}",
            useful.n,
            test.len(),
            useful.coverage * 100.0,
            useful.median_width_ratio,
            predictions
                .iter()
                .filter(|p| p[m].range().is_some_and(|x| x.too_uncertain()))
                .count()
        );
        for p in &predictions {
            if let Some(x) = p[m].range() {
                assert!(
                    x.similar_low <= x.point && x.point <= x.similar_high,
                    "{x:?}"
                );
                assert_eq!(x.too_uncertain(), x.width() > USEFUL_WIDTH);
            }
        }
        println!(
            "{metric:12} kNN+conformal: coverage {:.1} % over {} (width ×{:.2}); channel quantiles: coverage {:.1} % (width ×{:.2})",
            ours.coverage * 100.0,
            ours.n,
            ours.median_width_ratio,
            naive.coverage * 100.0,
            naive.median_width_ratio
        );
        assert!(ours.n > 500, "{metric}: {} predicted", ours.n);
        assert!(
            (0.90..=0.98).contains(&ours.coverage),
            "{metric}: coverage {}",
            ours.coverage
        );
        // Sharper than the naive baseline: the features explain part of the spread.
        assert!(
            ours.median_width_ratio < naive.median_width_ratio,
            "{metric}: ×{} vs ×{}",
            ours.median_width_ratio,
            naive.median_width_ratio
        );
    }
    println!("fit on {} artifacts: {fit_time:?}", train.len());
    // Determinism: a second fit predicts the same bits.
    let again = Predictor::fit(train, &ARTIFACT_METRICS, DEFAULT_K, DEFAULT_COVERAGE);
    assert_eq!(again.predict(&test[0].features), predictions[0]);
}

#[test]
fn isolation_forest_finds_injected_anomalies() {
    let artifacts = history(5, 12.0, 0.03);
    let records: Vec<ArtifactRecord> = artifacts.iter().map(|a| a.record.clone()).collect();
    let truth: Vec<bool> = artifacts.iter().map(|a| a.anomaly.is_some()).collect();
    let planted = truth.iter().filter(|t| **t).count();
    assert!(planted > 30, "{planted} anomalies");
    let scores = peer_scores(&records, &ARTIFACT_METRICS, 42);
    assert_eq!(scores, peer_scores(&records, &ARTIFACT_METRICS, 42));
    // Flag the highest-scoring 3 % (the planted rate) and, separately, s > 0.6.
    let mut ranked: Vec<(f64, usize)> = scores
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.map(|s| (s, i)))
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let top: Vec<usize> = ranked.iter().take(planted).map(|x| x.1).collect();
    let hits = top.iter().filter(|&&i| truth[i]).count();
    let precision_at_k = hits as f64 / top.len() as f64;
    let flagged: Vec<usize> = ranked.iter().filter(|x| x.0 > 0.6).map(|x| x.1).collect();
    let tp = flagged.iter().filter(|&&i| truth[i]).count();
    let precision = tp as f64 / flagged.len().max(1) as f64;
    let recall = tp as f64 / planted as f64;
    let by_kind = |k: AnomalyKind| {
        let of_kind: Vec<usize> = (0..artifacts.len())
            .filter(|&i| artifacts[i].anomaly.is_some_and(|a| a.kind == k))
            .collect();
        let found = of_kind.iter().filter(|i| flagged.contains(i)).count();
        (found, of_kind.len())
    };
    println!(
        "isolation forest: {planted} planted in {}; top-{planted}: precision = recall = {:.1} %; s > 0.6: precision {:.1} %, recall {:.1} % (spikes {:?}, slumps {:?}, click bursts {:?})",
        records.len(),
        precision_at_k * 100.0,
        precision * 100.0,
        recall * 100.0,
        by_kind(AnomalyKind::Spike),
        by_kind(AnomalyKind::Slump),
        by_kind(AnomalyKind::ClickBurst),
    );
    assert!(precision_at_k >= 0.5, "precision at k {precision_at_k}");
    assert!(recall >= 0.6, "recall {recall}");
    assert!(precision >= 0.4, "precision {precision}");
}

#[test]
fn posting_time_regression_recovers_the_planted_best_times() {
    // Thirty artifacts a week for three years (≈ 4,700): enough per channel for 7 + 16 effects.
    let h = simulate_artifacts(&ArtifactSimConfig {
        per_week: 30.0,
        ..ArtifactSimConfig::default()
    })
    .unwrap();
    let records = h.records();
    let found = posting_times(&records, "impressions");
    assert_eq!(found.len(), 7, "one analysis per channel");
    let mut exact = 0;
    for planted in &h.best_times {
        let f = found.iter().find(|f| f.channel == planted.channel).unwrap();
        let hour_off = (f.best.hour as i32 - planted.hour as i32).abs();
        println!(
            "{:11} planted {} {:02}:00, found {} {:02}:00 ({} artifacts): {}",
            planted.channel,
            planted.weekday,
            planted.hour,
            f.best.weekday,
            f.best.hour,
            f.artifacts,
            f.sentence
        );
        assert_eq!(f.best.weekday, planted.weekday, "{}", planted.channel);
        assert!(hour_off <= 1, "{}: hour off by {hour_off}", planted.channel);
        if hour_off == 0 {
            exact += 1;
        }
        assert!(
            f.best.low > 0.0,
            "{}: the best cell is surely above average",
            planted.channel
        );
    }
    println!("planted best time recovered: weekday 7/7, hour exact {exact}/7, within ±1 h 7/7");
    assert_eq!(found, posting_times(&records, "impressions"));
}

/// Purity of a clustering against a labelling: Σ over clusters of its largest label count, / n.
fn purity(assignment: &[(usize, usize)], label: impl Fn(usize) -> String) -> f64 {
    let mut counts: std::collections::BTreeMap<(usize, String), usize> = Default::default();
    for (i, c) in assignment {
        *counts.entry((*c, label(*i))).or_default() += 1;
    }
    let mut best: std::collections::BTreeMap<usize, usize> = Default::default();
    for ((c, _), n) in counts {
        let b = best.entry(c).or_default();
        *b = (*b).max(n);
    }
    best.values().sum::<usize>() as f64 / assignment.len() as f64
}

#[test]
fn clusters_group_artifacts_by_what_they_are() {
    let records = simulate_artifacts(&ArtifactSimConfig::default())
        .unwrap()
        .records();
    // With the type among the features (purity by type is then near 1 by construction; on the
    // metrics alone the silhouette picks k = 2, converting or not, and channel purity is 27 %):
    // purity by channel says whether the clusters also recover where the artifacts ran.
    let c = cluster_artifacts(&records, &ARTIFACT_METRICS, true, 7).unwrap();
    let by_channel = purity(&c.assignment, |i| records[i].features.channel.clone());
    let by_kind = purity(&c.assignment, |i| records[i].features.kind.clone());
    println!(
        "k-means: k = {} (silhouette {:.3}; tried {:?}); purity by channel {:.1} %, by type {:.1} %",
        c.k,
        c.silhouette,
        c.tried,
        by_channel * 100.0,
        by_kind * 100.0
    );
    for cl in &c.clusters {
        println!(
            "  {} artifacts, {} {:.0} %, {} {:.0} %, medians {:?}",
            cl.size,
            cl.kind,
            cl.kind_share * 100.0,
            cl.channel,
            cl.channel_share * 100.0,
            cl.medians
        );
    }
    // The largest channel is 20 % and the largest type about 25 % of artifacts.
    assert!(by_channel > 0.5, "purity by channel {by_channel}");
    assert_eq!(
        Some(c),
        cluster_artifacts(&records, &ARTIFACT_METRICS, true, 7)
    );
}

/// Timings of each learner on a demo-sized history (≈ 30 artifacts), ten times it and a hundred times.
#[test]
#[ignore = "timings: run in release with --nocapture"]
fn learner_timings() {
    for per_week in [0.2, 2.0, 20.0] {
        let records: Vec<ArtifactRecord> = history(3, per_week, 0.02)
            .into_iter()
            .map(|a| a.record)
            .collect();
        let t = Instant::now();
        let p = Predictor::fit(&records, &ARTIFACT_METRICS, DEFAULT_K, DEFAULT_COVERAGE);
        let fit = t.elapsed();
        let t = Instant::now();
        for r in records.iter().take(100) {
            assert_eq!(p.predict(&r.features).len(), 4);
        }
        let predict = t.elapsed() / 100;
        let t = Instant::now();
        let scores = peer_scores(&records, &ARTIFACT_METRICS, 1);
        let forest = t.elapsed();
        assert_eq!(scores.len(), records.len());
        let t = Instant::now();
        let clustering = cluster_artifacts(&records, &ARTIFACT_METRICS, true, 1);
        let clusters = t.elapsed();
        assert!(clustering.is_some());
        let t = Instant::now();
        let times = posting_times(&records, "impressions");
        let posting = t.elapsed();
        assert!(!times.is_empty() || records.len() < 400);
        println!(
            "{} artifacts: prediction fit {fit:?}, one prediction {predict:?}, isolation forest {forest:?}, clusters {clusters:?}, posting times {posting:?}",
            records.len()
        );
    }
}
