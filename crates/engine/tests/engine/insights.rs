//! Model recommendation rules, trend lines, prediction errors and the journey explorer.

use refleqt_engine::explore::{top_paths, Rank};
use refleqt_engine::models::Model;
use refleqt_engine::recommend::{data_driven_caution, recommend, BusinessType, Rule, Situation};
use refleqt_engine::trend::{accuracy, fit, prediction_error, ERROR_THRESHOLD};
use refleqt_engine::{Channels, JourneySet, PathAggregate, Touch};

fn situation(conversions: f64, span_days: f64, cycle: f64, business: BusinessType) -> Situation {
    Situation {
        conversions,
        span_days: Some(span_days),
        sales_cycle_days: cycle,
        business,
    }
}

#[test]
fn rules_apply_in_the_spec_order() {
    use BusinessType::{B2b, B2c};
    let check = |s: Situation, model: Model, rule: Rule| {
        let r = recommend(&s);
        assert_eq!((r.model, r.rule), (model, rule), "{s:?}: {}", r.sentence);
        assert!(r.sentence.ends_with('.') && r.sentence.len() > 40);
    };
    // 99/month is low volume even for a B2B business with a long cycle (rule 1 first).
    check(
        situation(99.0 * 6.0, 6.0 * 30.4375, 90.0, B2b),
        Model::Last,
        Rule::LowVolume,
    );
    check(
        situation(100.0, 30.0, 45.0, B2c),
        Model::TimeDecay,
        Rule::LongCycle,
    );
    check(
        situation(5000.0, 30.0, 14.0, B2b),
        Model::Position,
        Rule::B2b,
    );
    check(
        situation(5000.0, 30.0, 14.0, B2c),
        Model::Markov,
        Rule::HighVolume,
    );
    check(
        situation(1000.0, 30.0, 30.0, B2c),
        Model::Linear,
        Rule::Baseline,
    );
}

#[test]
fn conversions_per_month_from_the_span() {
    let s = situation(600.0, 182.625, 7.0, BusinessType::B2c);
    assert!((s.conversions_per_month() - 100.0).abs() < 1e-9);
    // A week of data is not extrapolated to a month.
    assert_eq!(
        situation(50.0, 7.0, 7.0, BusinessType::B2c).conversions_per_month(),
        50.0
    );
    let unknown = Situation {
        span_days: None,
        ..situation(300.0, 1.0, 7.0, BusinessType::B2c)
    };
    assert_eq!(unknown.conversions_per_month(), 300.0);
    let r = recommend(&situation(52.0 * 6.0, 182.0, 7.0, BusinessType::B2c));
    assert!(
        r.sentence.contains("52 conversions a month"),
        "{}",
        r.sentence
    );
}

#[test]
fn data_driven_caution_below_a_thousand_conversions() {
    assert!(data_driven_caution(999.0).is_some_and(|s| s.contains("999")));
    assert!(data_driven_caution(1000.0).is_none());
}

#[test]
fn least_squares_on_a_known_line() {
    let t = fit(&[(0.0, 1.0), (1.0, 3.0), (2.0, 5.0), (3.0, 7.0)]).expect("fits");
    assert!((t.slope - 2.0).abs() < 1e-12 && (t.intercept - 1.0).abs() < 1e-12);
    assert!((t.r_squared - 1.0).abs() < 1e-12);
    // Hand-computed: x = 1,2,3, y = 2,1,4: mean x 2, mean y 7/3, Sxx 2, Sxy 2 → slope 1,
    // intercept 1/3; residuals 2/3, −4/3, 2/3 → SS_res 8/3, SS_tot 14/3 → R² = 3/7.
    let t = fit(&[(1.0, 2.0), (2.0, 1.0), (3.0, 4.0), (f64::NAN, 9.0)]).expect("fits");
    assert!((t.slope - 1.0).abs() < 1e-12 && (t.intercept - 1.0 / 3.0).abs() < 1e-12);
    assert!((t.r_squared - 3.0 / 7.0).abs() < 1e-12);
    assert_eq!(t.points, 3);
    assert!(fit(&[(1.0, 1.0)]).is_none());
    assert!(fit(&[(1.0, 1.0), (1.0, 2.0)]).is_none());
}

#[test]
fn prediction_errors_flag_beyond_25_percent() {
    let e = prediction_error(100.0, 130.0, ERROR_THRESHOLD);
    assert!((e.relative.expect("defined") - 0.3).abs() < 1e-12 && e.flagged);
    let e = prediction_error(100.0, 80.0, ERROR_THRESHOLD);
    assert!(!e.flagged);
    let z = prediction_error(0.0, 5.0, ERROR_THRESHOLD);
    assert!(z.relative.is_none() && !z.flagged);
    let acc = accuracy(&[
        prediction_error(100.0, 110.0, ERROR_THRESHOLD),
        prediction_error(200.0, 150.0, ERROR_THRESHOLD),
        z,
    ])
    .expect("two predictions");
    assert!((acc - (1.0 - (0.1 + 0.25) / 2.0)).abs() < 1e-12);
    assert!(accuracy(&[z]).is_none());
}

#[test]
fn top_paths_rank_by_journeys_with_rates() {
    let mut ch = Channels::new();
    let (a, b) = (ch.intern("email"), ch.intern("ads"));
    let mut s = JourneySet::new(ch, false);
    s.push(&[Touch::new(a)], 2.0, 20.0, 8.0, None);
    s.push(&[Touch::new(a), Touch::new(b)], 3.0, 30.0, 1.0, None);
    s.push(&[Touch::new(b)], 0.0, 0.0, 20.0, None);
    let agg = PathAggregate::from_set(&s);
    let rows = top_paths(&s, &agg, Rank::Journeys, 2);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].channels, vec!["ads"]);
    assert_eq!(rows[1].channels, vec!["email"]);
    assert!((rows[1].conversion_rate - 0.2).abs() < 1e-12);
    let by_conv = top_paths(&s, &agg, Rank::Conversions, 10);
    assert_eq!(by_conv[0].channels, vec!["email", "ads"]);
    assert!((by_conv[0].conversion_rate - 0.75).abs() < 1e-12);
}
