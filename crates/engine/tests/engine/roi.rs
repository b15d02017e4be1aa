//! ROI, ROAS and their formatters.

use proptest::prelude::*;
use refleqt_engine::roi::{format_money, format_percent, roas, roi, NoRoi, RoiFigures};

#[test]
fn spec_example_is_exactly_2700_percent() {
    assert_eq!(roi(4200.0, Some(150.0)), Ok(2700.0));
    assert_eq!(roas(4200.0, Some(150.0)), Ok(28.0));
    assert_eq!(format_percent(2700.0), "2,700%");
    assert_eq!(format_money(4200.0, "USD"), "$4,200.00");
}

#[test]
fn roi_signs() {
    assert_eq!(roi(55.0, Some(100.0)), Ok(-45.0));
    assert_eq!(roi(0.0, Some(100.0)), Ok(-100.0));
    assert_eq!(roi(100.0, Some(100.0)), Ok(0.0));
    // Refunds: negative revenue is allowed.
    assert_eq!(roi(-50.0, Some(100.0)), Ok(-150.0));
    assert_eq!(roas(-50.0, Some(100.0)), Ok(-0.5));
    assert_eq!(roas(0.0, Some(3.0)), Ok(0.0));
}

#[test]
fn no_roi_reasons() {
    for f in [roi, roas] {
        assert_eq!(f(10.0, None), Err(NoRoi::NoCost));
        assert_eq!(f(10.0, Some(0.0)), Err(NoRoi::ZeroCost));
        assert_eq!(f(10.0, Some(-0.0)), Err(NoRoi::ZeroCost));
        assert_eq!(f(10.0, Some(-5.0)), Err(NoRoi::NegativeCost));
        assert_eq!(f(10.0, Some(f64::NAN)), Err(NoRoi::NonFiniteCost));
        assert_eq!(f(10.0, Some(f64::INFINITY)), Err(NoRoi::NonFiniteCost));
        assert_eq!(f(10.0, Some(f64::NEG_INFINITY)), Err(NoRoi::NonFiniteCost));
        assert_eq!(f(f64::NAN, Some(5.0)), Err(NoRoi::NonFiniteRevenue));
        assert_eq!(f(f64::INFINITY, Some(5.0)), Err(NoRoi::NonFiniteRevenue));
        // A huge revenue over a subnormal cost overflows: reported, never ∞.
        assert_eq!(f(1e308, Some(1e-300)), Err(NoRoi::Overflow));
    }
    // A missing cost wins over a bad revenue (the cost is what the user must fix first).
    assert_eq!(roi(f64::NAN, None), Err(NoRoi::NoCost));
}

#[test]
fn figures_bundle() {
    let f = RoiFigures::new(4200.0, Some(150.0));
    assert_eq!(f.roi, Some(2700.0));
    assert_eq!(f.roas, Some(28.0));
    assert_eq!(f.no_roi, None);
    let g = RoiFigures::new(4200.0, Some(0.0));
    assert_eq!(
        (g.roi, g.roas, g.no_roi),
        (None, None, Some(NoRoi::ZeroCost))
    );
    let json = serde_json::to_string(&g).unwrap();
    assert!(json.contains("\"no_roi\":\"zero-cost\""), "{json}");
}

#[test]
fn percent_formatting() {
    assert_eq!(format_percent(-45.0), "-45%");
    assert_eq!(format_percent(-45.4), "-45%");
    assert_eq!(format_percent(0.0), "0%");
    assert_eq!(format_percent(-0.0), "0%");
    assert_eq!(format_percent(999.0), "999%");
    assert_eq!(format_percent(1000.0), "1,000%");
    assert_eq!(format_percent(999.5), "1,000%");
    assert_eq!(format_percent(1_234_567.5), "1,234,568%");
    assert_eq!(format_percent(-1_234_567.0), "-1,234,567%");
    assert_eq!(format_percent(100.0), "100%");
    assert_eq!(format_percent(f64::NAN), "—");
    assert_eq!(format_percent(f64::INFINITY), "—");
}

#[test]
fn percent_rounds_half_away_from_zero() {
    assert_eq!(format_percent(0.5), "1%");
    assert_eq!(format_percent(1.5), "2%");
    assert_eq!(format_percent(2.5), "3%");
    assert_eq!(format_percent(-0.5), "-1%");
    assert_eq!(format_percent(-2.5), "-3%");
    assert_eq!(format_percent(0.49999999999999994), "0%");
    assert_eq!(format_percent(-0.4), "0%", "no negative zero");
    assert_eq!(format_percent(2699.5), "2,700%");
    assert_eq!(format_percent(2700.499), "2,700%");
}

#[test]
fn percent_huge_values() {
    assert_eq!(format_percent(1e20), "100,000,000,000,000,000,000%");
    assert_eq!(format_percent(-1e15), "-1,000,000,000,000,000%");
    let max = format_percent(f64::MAX);
    assert!(max.starts_with("179,769,313,486,231,570,000,"), "{max}");
    assert!(max.ends_with(",000%"));
    // 309 digits → 102 separators.
    assert_eq!(max.matches(',').count(), 102);
    assert_eq!(format_percent(f64::MIN).chars().next(), Some('-'));
    // Tiny values round to zero.
    assert_eq!(format_percent(1e-300), "0%");
}

#[test]
fn money_symbols_and_codes() {
    assert_eq!(format_money(1234.5, "EUR"), "€1,234.50");
    assert_eq!(format_money(0.99, "GBP"), "£0.99");
    assert_eq!(format_money(1234.5, "JPY"), "¥1,235");
    assert_eq!(format_money(1234.4, "JPY"), "¥1,234");
    assert_eq!(format_money(1234.5, "CHF"), "1,234.50 CHF");
    assert_eq!(format_money(1234.5, "chf"), "1,234.50 CHF");
    assert_eq!(format_money(4200.0, " usd "), "$4,200.00");
    assert_eq!(format_money(1234.5, ""), "1,234.50");
    assert_eq!(format_money(1.2345, "KWD"), "1.235 KWD");
    assert_eq!(format_money(1500.0, "KRW"), "1,500 KRW");
    assert_eq!(format_money(0.0, "USD"), "$0.00");
    assert_eq!(format_money(7.0, "USD"), "$7.00");
}

#[test]
fn money_negative_and_rounding() {
    assert_eq!(format_money(-1234.5, "USD"), "-$1,234.50");
    assert_eq!(format_money(-1234.5, "CHF"), "-1,234.50 CHF");
    assert_eq!(format_money(-0.001, "USD"), "$0.00", "no negative zero");
    assert_eq!(format_money(-0.005, "USD"), "-$0.01");
    // Half away from zero on the typed decimal, not on the binary expansion.
    assert_eq!(format_money(1.005, "USD"), "$1.01");
    assert_eq!(format_money(0.125, "USD"), "$0.13");
    assert_eq!(format_money(2.675, "EUR"), "€2.68");
    assert_eq!(format_money(1.004999, "USD"), "$1.00");
    // Carries through every digit and into a new thousands group.
    assert_eq!(format_money(999.995, "USD"), "$1,000.00");
    assert_eq!(format_money(999_999.995, "USD"), "$1,000,000.00");
    assert_eq!(format_money(0.5, "JPY"), "¥1");
    assert_eq!(format_money(-0.5, "JPY"), "-¥1");
}

#[test]
fn money_huge_and_non_finite() {
    assert_eq!(format_money(1e15, "USD"), "$1,000,000,000,000,000.00");
    assert_eq!(
        format_money(123_456_789_012.34, "EUR"),
        "€123,456,789,012.34"
    );
    let max = format_money(f64::MAX, "USD");
    assert!(max.starts_with("$179,769,313,"), "{max}");
    assert!(max.ends_with(",000.00"));
    assert_eq!(format_money(f64::NAN, "USD"), "—");
    assert_eq!(format_money(f64::NEG_INFINITY, "EUR"), "—");
}

proptest! {
    #[test]
    fn percent_of_an_integer_is_its_digits(i in -10_000_000_000i64..10_000_000_000i64) {
        let s = format_percent(i as f64);
        prop_assert_eq!(s.replace(',', ""), format!("{i}%"));
        // Groups of three after the first.
        let body = s.trim_start_matches('-').trim_end_matches('%');
        let groups: Vec<&str> = body.split(',').collect();
        prop_assert!(groups[0].len() <= 3 && !groups[0].is_empty());
        prop_assert!(groups[1..].iter().all(|g| g.len() == 3));
    }

    #[test]
    fn money_matches_cents(cents in -1_000_000_000_000i64..1_000_000_000_000i64) {
        let s = format_money(cents as f64 / 100.0, "CHF");
        let sign = if cents < 0 { "-" } else { "" };
        let c = cents.unsigned_abs();
        prop_assert_eq!(s.replace(',', ""), format!("{sign}{}.{:02} CHF", c / 100, c % 100));
    }

    #[test]
    fn roi_is_finite_or_typed(rev in proptest::num::f64::ANY, cost in proptest::num::f64::ANY) {
        if let Ok(r) = roi(rev, Some(cost)) {
            prop_assert!(r.is_finite());
        }
        if let Ok(r) = roas(rev, Some(cost)) {
            prop_assert!(r.is_finite());
        }
    }

    #[test]
    fn roi_and_roas_agree(rev in -1e9f64..1e9, cost in 0.01f64..1e9) {
        let r = roi(rev, Some(cost)).unwrap();
        let s = roas(rev, Some(cost)).unwrap();
        prop_assert!((r - (s - 1.0) * 100.0).abs() <= 1e-9 * r.abs().max(1.0));
    }
}

#[test]
fn counts_are_grouped_and_rounded() {
    use refleqt_engine::roi::format_count;
    assert_eq!(format_count(1234.6), "1,235");
    assert_eq!(format_count(52.0), "52");
    assert_eq!(format_count(-1_000_000.0), "-1,000,000");
    assert_eq!(format_count(f64::NAN), "—");
}
