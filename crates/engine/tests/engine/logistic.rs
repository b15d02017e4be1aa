//! The data-driven (logistic) model: the fit, its Shapley values by hand, credit bookkeeping,
//! symmetry, null channels, determinism, the 1,000-conversion gate, and the simulator's truth.

use refleqt_engine::journey::{Channels, JourneySet, PathAggregate, PathStat, Touch};
use refleqt_engine::models::logistic::{self, shapley_values, MIN_CONVERSIONS};
use refleqt_engine::models::{attribute, attribute_all, Model, ModelError, ModelParams};
use refleqt_engine::simulate::{
    l1_distance, model_shares, simulate_journey_set, SimConfig, TruthBasis, TruthProcess,
};

fn forced() -> ModelParams {
    ModelParams {
        force_logistic: true,
        ..ModelParams::default()
    }
}

fn path(channels: &[u32], conversions: f64, nulls: f64) -> PathStat {
    PathStat {
        channels: channels.to_vec(),
        conversions,
        revenue: conversions * 10.0,
        nulls,
        journeys: conversions + nulls,
    }
}

/// Journeys from (channel names, conversions, nulls) rows; revenue 10 per conversion.
fn journeys(names: &[&str], rows: &[(&[usize], f64, f64)]) -> JourneySet {
    let mut channels = Channels::new();
    for n in names {
        channels.intern(n);
    }
    let mut set = JourneySet::new(channels, false);
    for (chs, conv, nulls) in rows {
        let touches: Vec<Touch> = chs
            .iter()
            .map(|&c| Touch {
                channel: c as u32,
                entry: None,
                age_secs: 0.0,
            })
            .collect();
        set.push(&touches, *conv, conv * 10.0, *nulls, None);
    }
    set
}

fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

#[test]
fn shapley_values_of_the_fitted_probability_by_hand() {
    // β₀ = 0, β = (ln 3, ln 2): v(a) = 3/4 − 1/2, v(b) = 2/3 − 1/2, v(ab) = 6/7 − 1/2.
    // φ_a = ½ (v(a) + v(ab) − v(b)) = 37/168, φ_b = 23/168.
    let phi = shapley_values(0.0, &[3f64.ln(), 2f64.ln()]);
    assert!((phi[0] - 37.0 / 168.0).abs() < 1e-12, "{phi:?}");
    assert!((phi[1] - 23.0 / 168.0).abs() < 1e-12, "{phi:?}");
    // One player gets all of v; none gives nothing.
    let one = shapley_values(-1.0, &[0.7]);
    let v = 1.0 / (1.0 + (0.3f64).exp()) - 1.0 / (1.0 + 1f64.exp());
    assert!((one[0] - v).abs() < 1e-12);
    assert!(shapley_values(0.0, &[]).is_empty());
}

#[test]
fn sampled_shapley_values_of_large_sets_are_close_and_efficient() {
    // 14 players (above the exact limit): efficiency holds exactly for the permutation
    // estimator; symmetric players get near-equal values.
    let betas = vec![0.3; 14];
    let phi = shapley_values(-3.0, &betas);
    let sigmoid = |z: f64| 1.0 / (1.0 + (-z).exp());
    let v = sigmoid(-3.0 + 0.3 * 14.0) - sigmoid(-3.0);
    assert!((phi.iter().sum::<f64>() - v).abs() < 1e-9);
    for p in &phi {
        assert!((p - v / 14.0).abs() < 0.2 * v / 14.0, "{phi:?}");
    }
}

#[test]
fn a_saturated_fit_reproduces_the_observed_rates() {
    // Three sets, three parameters: the fitted probabilities are the observed rates (up to the
    // tiny ridge at a million journeys per set).
    let n = 1e6;
    let agg = PathAggregate {
        channel_count: 2,
        paths: vec![
            path(&[0], 0.2 * n, 0.8 * n),
            path(&[1], 0.1 * n, 0.9 * n),
            path(&[1, 0, 1], 0.3 * n, 0.7 * n),
        ],
    };
    let fit = logistic::fit(&agg);
    assert!(fit.converged);
    let b0 = logit(0.2) + logit(0.1) - logit(0.3);
    assert!((fit.intercept - b0).abs() < 1e-4, "{fit:?}");
    assert!((fit.coefficients[0] - (logit(0.3) - logit(0.1))).abs() < 1e-4);
    assert!((fit.coefficients[1] - (logit(0.3) - logit(0.2))).abs() < 1e-4);
    assert!((fit.probability(&[0, 1]) - 0.3).abs() < 1e-5);
}

#[test]
fn credit_sums_to_the_totals_and_symmetric_channels_get_equal_credit() {
    // a and b play the same role (same rates alone and together); c converts less.
    let set = journeys(
        &["a", "b", "c"],
        &[
            (&[0], 30.0, 270.0),
            (&[1], 30.0, 270.0),
            (&[0, 1], 60.0, 140.0),
            (&[2], 5.0, 295.0),
            (&[0, 2], 35.0, 265.0),
            (&[2, 1], 35.0, 265.0),
        ],
    );
    let r = attribute(&set, Model::Logistic, &forced()).unwrap();
    let conv: f64 = r.channels.iter().map(|c| c.conversions).sum();
    let rev: f64 = r.channels.iter().map(|c| c.revenue).sum();
    assert!((conv - set.total_conversions()).abs() < 1e-9);
    assert!((rev - set.total_revenue()).abs() < 1e-9);
    let (a, b, c) = (&r.channels[0], &r.channels[1], &r.channels[2]);
    assert!((a.conversions - b.conversions).abs() < 1e-9, "{a:?} {b:?}");
    assert!(c.conversions < a.conversions / 2.0);
}

#[test]
fn a_null_channel_gets_almost_nothing() {
    // Channel "noise" is in half the journeys at the same conversion rate as without it.
    let set = journeys(
        &["a", "b", "noise"],
        &[
            (&[0], 100.0, 900.0),
            (&[0, 2], 100.0, 900.0),
            (&[1], 50.0, 950.0),
            (&[2, 1], 50.0, 950.0),
            (&[0, 1], 150.0, 850.0),
            (&[0, 1, 2], 150.0, 850.0),
        ],
    );
    let r = attribute(&set, Model::Logistic, &forced()).unwrap();
    assert!(r.channels[2].share.abs() < 0.01, "{:?}", r.channels[2]);
    assert!(r.channels[0].share > 0.5);
}

#[test]
fn the_fit_is_deterministic_and_ignores_journey_order() {
    let cfg = SimConfig {
        journeys: 5_000,
        seed: 9,
        ..SimConfig::demo()
    };
    let (set, _) = simulate_journey_set(&cfg).unwrap();
    let a = attribute(&set, Model::Logistic, &forced()).unwrap();
    let b = attribute(&set, Model::Logistic, &forced()).unwrap();
    assert_eq!(a, b);
    let mut agg = PathAggregate::from_set(&set);
    let forward = logistic::channel_credit(&agg);
    agg.paths.reverse();
    let backward = logistic::channel_credit(&agg);
    for (x, y) in forward.0.iter().zip(&backward.0) {
        assert_eq!(x.to_bits(), y.to_bits());
    }
}

#[test]
fn below_a_thousand_conversions_it_is_gated_unless_forced() {
    let cfg = SimConfig {
        journeys: 2_000,
        seed: 3,
        ..SimConfig::demo()
    };
    let (set, _) = simulate_journey_set(&cfg).unwrap();
    assert!(set.total_conversions() < MIN_CONVERSIONS);
    let err = attribute(&set, Model::Logistic, &ModelParams::default()).unwrap_err();
    assert!(matches!(err, ModelError::TooFewConversions { need, .. } if need == MIN_CONVERSIONS));
    assert!(err.to_string().contains("1000"), "{err}");
    let all = attribute_all(&set, &Model::ALL, &ModelParams::default());
    assert!(all
        .iter()
        .all(|(m, r)| r.is_ok() == (*m != Model::Logistic)));
    assert!(attribute(&set, Model::Logistic, &forced()).is_ok());
}

#[test]
fn it_recovers_the_simulated_truth_under_additive_lift() {
    // 20,000 demo users (≈1,600 conversions: the gate is open without forcing).
    let (set, summary) = simulate_journey_set(&SimConfig::demo()).unwrap();
    assert!(set.total_conversions() >= MIN_CONVERSIONS);
    let truth = &summary.truth;
    let dist = |m: Model| {
        let r = attribute(&set, m, &ModelParams::default()).unwrap();
        l1_distance(&model_shares(&r), truth, TruthBasis::Realised)
    };
    let logistic = dist(Model::Logistic);
    // Measured 0.17 (seed 42): the log-odds model is multiplicative, the truth additive.
    assert!(logistic < 0.2, "logistic L1 {logistic}");
    assert!(logistic < dist(Model::Last), "closer than last touch");
    assert!(logistic < dist(Model::First), "closer than first touch");
    // The null channel (twitter, lift 0) gets little.
    let r = attribute(&set, Model::Logistic, &ModelParams::default()).unwrap();
    let twitter = r.channels.iter().find(|c| c.name == "twitter").unwrap();
    assert!(twitter.share < 0.03, "{twitter:?}");
}

#[test]
fn it_sees_synergy_better_than_the_rules() {
    let cfg = SimConfig {
        journeys: 40_000,
        ..SimConfig::demo_process(TruthProcess::Synergy)
    };
    let (set, summary) = simulate_journey_set(&cfg).unwrap();
    let dist = |m: Model| {
        let r = attribute(&set, m, &forced()).unwrap();
        l1_distance(&model_shares(&r), &summary.truth, TruthBasis::Realised)
    };
    let logistic = dist(Model::Logistic);
    assert!(logistic < dist(Model::Last), "{logistic}");
    assert!(logistic < dist(Model::First), "{logistic}");
}

/// In the report: intervals from the bootstrap (the model is refitted per replicate), its
/// truth distance, its fit in the JSON, its rows in both CSV exports.
#[test]
fn it_joins_the_report_with_intervals_truth_and_exports() {
    use refleqt_engine::bootstrap::BootstrapOptions;
    use refleqt_engine::report::{entries_csv, run, to_csv, InputSummary, ReportParams};
    let cfg = SimConfig {
        journeys: 3_000,
        ..SimConfig::demo()
    };
    let (set, summary) = simulate_journey_set(&cfg).unwrap();
    let parse = refleqt_engine::parse::ParseReport::default();
    let params = |force| ReportParams {
        models: &Model::ALL,
        params: ModelParams {
            force_logistic: force,
            ..ModelParams::default()
        },
        bootstrap: BootstrapOptions {
            replicates: 30,
            ..BootstrapOptions::default()
        },
        lookback_days: None,
        costs: None,
        truth: Some(&summary.truth),
    };
    let input = InputSummary::describe("sim", "events", &parse, &set);
    let gated = run(&set, input.clone(), &params(false)).unwrap();
    assert_eq!(gated.models.len(), 7);
    assert!(gated.skipped.iter().any(|s| s.model == Model::Logistic));
    assert!(!gated.parameters.force_logistic);

    let report = run(&set, input, &params(true)).unwrap();
    assert!(report.parameters.force_logistic);
    let m = report
        .models
        .iter()
        .find(|m| m.model == Model::Logistic)
        .expect("the logistic model ran");
    assert!(m.truth_l1.is_some_and(|d| d < 0.5));
    for c in &m.channels {
        let (lo, hi) = (c.share_low.unwrap(), c.share_high.unwrap());
        assert!(
            lo <= hi && lo - 1e-9 <= c.share && c.share <= hi + 1e-9,
            "{c:?}"
        );
    }
    let fit = m.logistic.as_ref().expect("fit details");
    assert_eq!(fit.coefficients.len(), set.channels.len());
    assert!(fit.converged);
    let json = serde_json::to_value(&report).unwrap();
    assert!(json["models"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["model"] == "logistic" && m["logistic"]["intercept"].is_number()));
    assert!(to_csv(&report).lines().any(|l| l.starts_with("logistic,")));
    assert!(entries_csv(&report)
        .lines()
        .any(|l| l.starts_with("logistic,")));
}
