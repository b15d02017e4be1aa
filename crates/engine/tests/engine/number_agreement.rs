//! Issue 14: every importer reads the same number text to the same value under the same
//! convention — the event log, the path table, and each platform importer (GA4 BigQuery CSV,
//! GA4 Data API JSON, Google Ads, Meta Ads Insights, Mailchimp). The app's manual metric entry
//! is checked against the same table in `src/model/metric.rs`.

use refleqt_engine::detect::import;
use refleqt_engine::imports::{ImportOptions, Platform};
use refleqt_engine::number::{parse_decimal, parse_quantity, DecimalMark, NumberConvention};
use refleqt_engine::parse::{parse_event_log, parse_path_table, EventLogOptions, PathTableOptions};

/// The strings of the issue and a few neighbours.
const TEXTS: [&str; 14] = [
    "1,234",
    "1.234",
    "1.234,50",
    "1,234.50",
    "1 234,5",
    "-3",
    "$4,200",
    "45.89",
    "12,5",
    "0.5",
    "1,234,567",
    "€ 99",
    "7",
    "abc",
];

const CONVENTIONS: [NumberConvention; 4] = [
    NumberConvention::Fixed(DecimalMark::Point),
    NumberConvention::Fixed(DecimalMark::Comma),
    NumberConvention::Auto {
        ambiguous: Some(DecimalMark::Point),
    },
    NumberConvention::Auto {
        ambiguous: Some(DecimalMark::Comma),
    },
];

/// What every platform importer (and manual money entry) must read: a non-negative amount,
/// or a rejection (`None`).
fn expected(text: &str, convention: NumberConvention) -> Option<f64> {
    parse_quantity(text, convention)
        .ok()
        .filter(|q| q.value >= 0.0 && !q.percent)
        .map(|q| q.value)
}

/// What the engine's own formats must read: the same number, but bare — an event log's `$5`
/// is refused (`tests/parse_events.rs`), so a currency sign is the one difference.
fn expected_bare(text: &str, convention: NumberConvention) -> Option<f64> {
    parse_decimal(text, convention)
        .ok()
        .filter(|v| *v >= 0.0)
        .map(f64::abs)
}

/// A CSV cell: quoted, so commas stay inside.
fn cell(text: &str) -> String {
    format!("\"{text}\"")
}

fn options(platform: Platform, convention: NumberConvention) -> ImportOptions {
    ImportOptions {
        layout: Some(platform.into()),
        number: Some(convention),
        ..ImportOptions::default()
    }
}

fn via_event_log(text: &str, convention: NumberConvention) -> Option<f64> {
    let csv = format!(
        "user_id,timestamp,channel,conversion,revenue\na,2025-03-02T10:00:00Z,Email,1,{}\n",
        cell(text)
    );
    let opts = EventLogOptions {
        number: Some(convention),
        ..EventLogOptions::default()
    };
    let log = parse_event_log(csv.as_bytes(), &opts).expect("header");
    (log.report.accepted == 1).then(|| log.events.iter().map(|e| e.revenue()).sum())
}

fn via_path_table(text: &str, convention: NumberConvention) -> Option<f64> {
    let csv = format!(
        "path,total_conversions,total_conversion_value\nEmail > Search,1,{}\n",
        cell(text)
    );
    let opts = PathTableOptions {
        number: Some(convention),
        ..PathTableOptions::default()
    };
    let table = parse_path_table(csv.as_bytes(), &opts).expect("header");
    (table.report.accepted == 1).then(|| table.set.total_revenue())
}

/// The one metric of a one-row platform import, or `None` when the row was rejected.
fn via_import(
    bytes: &[u8],
    name: &str,
    platform: Platform,
    metric: &str,
    convention: NumberConvention,
) -> Option<f64> {
    let imp = import(bytes, name, &options(platform, convention))
        .unwrap_or_else(|e| panic!("{platform}: {e}"));
    if imp.report.rejected_count > 0 {
        return None;
    }
    let row = imp.rows.first().expect("one row");
    row.metric(metric)
}

fn via_ga4_bigquery(text: &str, c: NumberConvention) -> Option<f64> {
    let csv = format!(
        "event_date,event_timestamp,event_name,user_pseudo_id,collected_traffic_source.manual_source,ecommerce.purchase_revenue\n\
         20250301,1740823200000000,purchase,u1,linkedin,{}\n",
        cell(text)
    );
    via_import(
        csv.as_bytes(),
        "x.csv",
        Platform::Ga4BigQueryCsv,
        "revenue",
        c,
    )
}

fn via_ga4_run_report(text: &str, c: NumberConvention) -> Option<f64> {
    let json = format!(
        r#"{{"dimensionHeaders":[{{"name":"date"}}],"metricHeaders":[{{"name":"totalRevenue"}}],
            "rows":[{{"dimensionValues":[{{"value":"20250301"}}],"metricValues":[{{"value":"{text}"}}]}}]}}"#
    );
    via_import(
        json.as_bytes(),
        "x.json",
        Platform::Ga4DataApiJson,
        "revenue",
        c,
    )
}

fn via_google_ads(text: &str, c: NumberConvention) -> Option<f64> {
    let csv = format!(
        "Day,Campaign,Impr.,Cost\n2025-03-01,Spring,1,{}\n",
        cell(text)
    );
    via_import(csv.as_bytes(), "x.csv", Platform::GoogleAdsCsv, "cost", c)
}

fn via_meta(text: &str, c: NumberConvention) -> Option<f64> {
    let json = format!(
        r#"[{{"campaign_name":"X","date_start":"2025-03-01","date_stop":"2025-03-01","impressions":"1","spend":"{text}"}}]"#
    );
    via_import(
        json.as_bytes(),
        "x.json",
        Platform::MetaAdsInsights,
        "cost",
        c,
    )
}

fn via_mailchimp(text: &str, c: NumberConvention) -> Option<f64> {
    let csv = format!(
        "Title,Send Date,Unique Opens,Unique Clicks\nMarch,2025-03-04,{},1\n",
        cell(text)
    );
    via_import(
        csv.as_bytes(),
        "x.csv",
        Platform::MailchimpReport,
        "opens",
        c,
    )
}

type Reader = fn(&str, NumberConvention) -> Option<f64>;

/// `(name, reader, reads bare numbers only)`.
const IMPORTERS: [(&str, Reader, bool); 7] = [
    ("event log", via_event_log, true),
    ("path table", via_path_table, true),
    ("GA4 BigQuery", via_ga4_bigquery, false),
    ("GA4 Data API", via_ga4_run_report, false),
    ("Google Ads", via_google_ads, false),
    ("Meta Ads", via_meta, false),
    ("Mailchimp", via_mailchimp, false),
];

#[test]
fn every_importer_reads_the_same_numbers() {
    for convention in CONVENTIONS {
        for text in TEXTS {
            for (name, read, bare) in IMPORTERS {
                let want = if bare {
                    expected_bare(text, convention)
                } else {
                    expected(text, convention)
                };
                let got = read(text, convention);
                assert_eq!(
                    got.map(f64::to_bits),
                    want.map(f64::to_bits),
                    "{name} read {text:?} under {convention:?} as {got:?}, expected {want:?}"
                );
            }
        }
    }
}

fn check(text: &str, convention: NumberConvention, value: Option<f64>) {
    assert_eq!(expected(text, convention), value, "{text:?} {convention:?}");
}

#[test]
fn the_shared_reading_is_the_one_documented() {
    let point = NumberConvention::Fixed(DecimalMark::Point);
    let comma = NumberConvention::Fixed(DecimalMark::Comma);
    let auto_point = NumberConvention::auto_or(DecimalMark::Point);
    let auto_comma = NumberConvention::auto_or(DecimalMark::Comma);
    check("1,234", point, Some(1234.0));
    check("1,234", comma, Some(1.234));
    check("1,234", auto_point, Some(1234.0));
    check("1,234", auto_comma, Some(1.234));
    check("1.234,50", point, None);
    check("1.234,50", comma, Some(1234.5));
    check("1.234,50", auto_point, Some(1234.5));
    check("1 234,5", auto_point, Some(1234.5));
    check("1 234,5", comma, Some(1234.5));
    check("-3", auto_point, None);
    check("$4,200", auto_point, Some(4200.0));
    check("$4,200", auto_comma, Some(4.2));
    check("45.89", auto_comma, Some(45.89));
    check("45.89", comma, None);
    check("12,5", auto_point, Some(12.5));
    check("12,5", point, None);
    // A currency sign is the only difference of the engine's own formats, and only there.
    for text in TEXTS {
        let sign = text.starts_with(['$', '€']);
        for c in CONVENTIONS {
            if !sign {
                assert_eq!(expected_bare(text, c), expected(text, c), "{text:?} {c:?}");
            } else {
                assert_eq!(expected_bare(text, c), None, "{text:?}");
            }
        }
    }
}
