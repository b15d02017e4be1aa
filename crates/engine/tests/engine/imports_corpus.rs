//! The import corpus: real public export files (`tests/fixtures/real/`, sources and licences in
//! its README) and files shaped after the platforms' documented layouts (`shaped_*`). Each test
//! states what a user gets: the detected layout, accepted / rejected / skipped counts, the
//! period and the values that land on rows.

use refleqt_engine::assemble::{build_journeys, JourneyOptions};
use refleqt_engine::dates::days_from_civil;
use refleqt_engine::detect::{detect, import};
use refleqt_engine::imports::{
    Container, Import, ImportField, ImportOptions, Layout, Period, Platform,
};
use refleqt_engine::parse::{Field, RowReason};

const MS_PER_DAY: i64 = 86_400_000;

fn real(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/real/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn run(name: &str) -> Import {
    import(&real(name), name, &ImportOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn day(y: i64, m: u32, d: u32) -> i64 {
    days_from_civil(y, m, d) * MS_PER_DAY
}

fn period(a: (i64, u32, u32), b: (i64, u32, u32)) -> Period {
    Period::days(day(a.0, a.1, a.2), day(b.0, b.1, b.2))
}

/// `(accepted, rejected, skipped, metric rows)`.
fn counts(i: &Import) -> (usize, usize, usize, usize) {
    (
        i.report.accepted,
        i.report.rejected_count,
        i.skipped_rows,
        i.rows.len(),
    )
}

fn total(i: &Import, metric: &str) -> f64 {
    i.rows.iter().filter_map(|r| r.metric(metric)).sum()
}

fn header_of(i: &Import, field: &ImportField) -> Option<String> {
    i.columns
        .iter()
        .find(|c| c.field == *field)
        .map(|c| c.header.clone())
}

#[test]
fn every_corpus_file_is_detected() {
    use Platform::*;
    let expected = [
        ("dp6_test_dataset.csv", Layout::EventLog),
        (
            "dp6_test_dataset_multiple_conversions.csv",
            Layout::EventLog,
        ),
        (
            "fivetran_google_ads_ad_stats.csv",
            Layout::Export(GoogleAdsCsv),
        ),
        (
            "ga4_runreport_active_users_eur.json",
            Layout::Export(Ga4DataApiJson),
        ),
        (
            "google_ads_searchstream_clicks_costmicros.json",
            Layout::Export(GoogleAdsCsv),
        ),
        (
            "meta_insights_account_level.json",
            Layout::Export(MetaAdsInsights),
        ),
        (
            "shaped_ga4_bigquery_events.ndjson",
            Layout::Export(Ga4BigQueryCsv),
        ),
        (
            "shaped_ga4_bigquery_flat.csv",
            Layout::Export(Ga4BigQueryCsv),
        ),
        (
            "shaped_google_ads_searchstream_campaigns.json",
            Layout::Export(GoogleAdsCsv),
        ),
        (
            "shaped_google_ads_ui_campaigns.csv",
            Layout::Export(GoogleAdsCsv),
        ),
        (
            "shaped_mailchimp_campaign_list.csv",
            Layout::Export(MailchimpReport),
        ),
    ];
    for (name, layout) in expected {
        // By content alone: a neutral file name.
        assert_eq!(detect(&real(name), "export"), Some(layout), "{name}");
    }
}

#[test]
fn dp6_event_log_with_a_combined_source_medium_column() {
    let i = run("dp6_test_dataset.csv");
    assert_eq!(i.layout, Layout::EventLog);
    let log = i.event_log.unwrap_or_else(|| panic!("an event log"));
    assert_eq!((log.report.accepted, log.report.rejected_count), (16, 0));
    let header = |f: Field| {
        log.report
            .columns
            .iter()
            .find(|c| c.field == f)
            .map(|c| c.header.clone())
    };
    // Keyed on the pseudo id every row has, not the sparse user_id (set on 4 of 16 rows).
    assert_eq!(header(Field::User).as_deref(), Some("user_pseudo_id"));
    assert_eq!(header(Field::Channel).as_deref(), Some("source_medium"));
    assert_eq!(
        header(Field::ConversionFlag).as_deref(),
        Some("is_conversion_purchase")
    );
    assert_eq!(log.users, 4);
    let set = build_journeys(&log, &JourneyOptions::default());
    assert_eq!(set.total_conversions(), 4.0);
    let mut names: Vec<&str> = log.channels.names().iter().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(names, ["crm", "direct", "google_ads", "seo"]);

    let multi = run("dp6_test_dataset_multiple_conversions.csv");
    let log = multi.event_log.unwrap_or_else(|| panic!("an event log"));
    // Three more rows than the first file (user E), the last without a final newline; its
    // `n_purchases` of 2 is not read (the flag counts one conversion).
    assert_eq!((log.report.accepted, log.report.rejected_count), (19, 0));
    assert_eq!(log.users, 5);
    let set = build_journeys(&log, &JourneyOptions::default());
    assert_eq!(set.total_conversions(), 5.0);
}

#[test]
fn fivetran_google_ads_stats_with_campaign_ids_and_cost_micros() {
    let i = run("fivetran_google_ads_ad_stats.csv");
    assert_eq!(i.layout, Layout::Export(Platform::GoogleAdsCsv));
    // Rows 3–10 lack the unused `_fivetran_synced` cell: read, not rejected.
    assert_eq!(counts(&i), (10, 0, 0, 10));
    assert_eq!(
        header_of(&i, &ImportField::Campaign).as_deref(),
        Some("campaign_id")
    );
    assert_eq!(
        header_of(&i, &ImportField::metric("cost")).as_deref(),
        Some("cost_micros")
    );
    assert_eq!(i.period(), Some(period((2021, 4, 21), (2021, 5, 27))));
    assert_eq!(
        i.rows
            .first()
            .and_then(|r| r.keys.campaign.clone())
            .as_deref(),
        Some("10059986060")
    );
    // One impression per row, no clicks, no cost (the seed as published).
    assert_eq!(
        (
            total(&i, "ad_impressions"),
            total(&i, "ad_clicks"),
            total(&i, "cost")
        ),
        (10.0, 0.0, 0.0)
    );
}

#[test]
fn a_short_row_is_still_rejected_when_a_used_cell_is_missing() {
    let text = "campaign_id,date,clicks,cost_micros\n1,2021-05-01,3,1000000\n1,2021-05-02,4\n";
    let i = import(text.as_bytes(), "x.csv", &ImportOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(counts(&i), (1, 1, 0, 1));
    assert!(matches!(
        i.report.rejected.first().map(|e| &e.reason),
        Some(RowReason::FieldCount {
            expected: 4,
            found: 3
        })
    ));
}

#[test]
fn ga4_report_with_only_active_users() {
    let i = run("ga4_runreport_active_users_eur.json");
    assert_eq!(i.layout, Layout::Export(Platform::Ga4DataApiJson));
    assert_eq!(counts(&i), (15, 0, 0, 15));
    assert_eq!(i.currency.as_deref(), Some("EUR"));
    assert_eq!(
        header_of(&i, &ImportField::metric("users")).as_deref(),
        Some("activeUsers")
    );
    assert_eq!(i.rows.first().and_then(|r| r.metric("users")), Some(421.0));
    assert_eq!(i.period(), Some(period((2024, 6, 7), (2024, 7, 7))));
}

#[test]
fn google_ads_search_stream_at_account_level() {
    let i = run("google_ads_searchstream_clicks_costmicros.json");
    assert_eq!(i.layout, Layout::Export(Platform::GoogleAdsCsv));
    assert_eq!(i.format, Container::Json);
    assert_eq!(counts(&i), (16, 0, 0, 16));
    assert_eq!(
        header_of(&i, &ImportField::metric("cost")).as_deref(),
        Some("metrics.cost_micros")
    );
    let first = i.rows.first().unwrap_or_else(|| panic!("a row"));
    assert_eq!(first.metric("ad_clicks"), Some(20432.0));
    assert_eq!(first.metric("cost"), Some(8961.08672));
    assert_eq!(first.period, Period::day(day(2024, 5, 21)));
    // No campaign at all: imported, to be assigned by hand.
    assert!(i.rows.iter().all(|r| r.keys.is_empty()));
}

#[test]
fn google_ads_search_stream_with_campaigns_and_fractional_conversions() {
    let i = run("shaped_google_ads_searchstream_campaigns.json");
    assert_eq!(counts(&i), (3, 0, 0, 3));
    assert_eq!(i.period(), Some(period((2026, 3, 1), (2026, 3, 2))));
    let first = i.rows.first().unwrap_or_else(|| panic!("a row"));
    assert_eq!(first.keys.campaign.as_deref(), Some("Spring Sale"));
    assert_eq!(first.metric("cost"), Some(25.5));
    assert_eq!(first.metric("ad_conversions"), Some(45.89));
    assert_eq!(first.metric("revenue"), Some(1234.5));
    // The row with only a campaign id (no name) is imported all the same.
    let second = i.rows.get(1).unwrap_or_else(|| panic!("a row"));
    assert_eq!(second.keys.campaign, None);
    assert_eq!(second.metric("ad_conversions"), Some(0.5));
    // The second batch continues the numbering.
    assert_eq!(i.rows.get(2).map(|r| r.line), Some(3));
}

#[test]
fn meta_insights_at_account_level() {
    let i = run("meta_insights_account_level.json");
    assert_eq!(counts(&i), (1, 0, 0, 1));
    let row = i.rows.first().unwrap_or_else(|| panic!("a row"));
    assert_eq!(row.period, period((2024, 6, 21), (2024, 6, 24)));
    assert_eq!(row.metric("ad_clicks"), Some(120.0));
    assert_eq!(row.metric("cost"), Some(4961.0));
    assert!(row.keys.is_empty());
}

#[test]
fn ga4_bigquery_as_newline_delimited_json() {
    let i = run("shaped_ga4_bigquery_events.ndjson");
    assert_eq!(i.format, Container::Json);
    // Five events (one blank line between them); the last has an unreadable timestamp.
    assert_eq!((i.report.accepted, i.report.rejected_count), (4, 1));
    let bad = i
        .report
        .rejected
        .first()
        .unwrap_or_else(|| panic!("a rejection"));
    assert_eq!(bad.line, 6);
    assert_eq!(bad.column.as_deref(), Some("event_timestamp"));
    assert_eq!(
        header_of(&i, &ImportField::Url).as_deref(),
        Some("event_params.page_location")
    );
    assert_eq!(i.currency.as_deref(), Some("EUR"));
    assert_eq!(i.period(), Some(period((2025, 3, 1), (2025, 3, 2))));
    let first = i.rows.first().unwrap_or_else(|| panic!("a row"));
    assert_eq!(first.line, 2);
    assert_eq!(first.keys.utm_content.as_deref(), Some("cal-1"));
    assert_eq!(first.metric("pageviews"), Some(1.0));
    assert_eq!(total(&i, "revenue"), 49.5);
    let log = i.event_log.unwrap_or_else(|| panic!("an event log"));
    assert_eq!(log.users, 2);
    // The same events as an array read the same.
    let bytes = real("shaped_ga4_bigquery_events.ndjson");
    let lines: Vec<&str> = std::str::from_utf8(&bytes)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    let array = format!("[{}]", lines.join(",\n"));
    let a = import(array.as_bytes(), "events.json", &ImportOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.layout, Layout::Export(Platform::Ga4BigQueryCsv));
    assert_eq!((a.report.accepted, a.report.rejected_count), (4, 1));
    assert_eq!(total(&a, "revenue"), 49.5);
}

#[test]
fn flattened_ga4_bigquery_csv_is_keyed_on_the_pseudo_id() {
    let i = run("shaped_ga4_bigquery_flat.csv");
    assert_eq!(i.layout, Layout::Export(Platform::Ga4BigQueryCsv));
    assert_eq!((i.report.accepted, i.report.rejected_count), (5, 0));
    assert_eq!(
        header_of(&i, &ImportField::User).as_deref(),
        Some("user_pseudo_id")
    );
    // The period is known before confirming (the preview shows it).
    assert_eq!(i.period(), Some(period((2025, 3, 1), (2025, 3, 2))));
    let log = i.event_log.unwrap_or_else(|| panic!("an event log"));
    assert_eq!(log.users, 2);
    let set = build_journeys(&log, &JourneyOptions::default());
    assert_eq!((set.total_conversions(), set.total_revenue()), (1.0, 120.0));
}

#[test]
fn google_ads_ui_export_states_its_period_in_a_title_line() {
    let i = run("shaped_google_ads_ui_campaigns.csv");
    // Title and date-range lines above, `Total: Account` below: skipped, not rejected.
    assert_eq!(counts(&i), (2, 0, 3, 2));
    let stated = period((2026, 1, 1), (2026, 5, 29));
    assert_eq!(i.stated_period, Some(stated));
    assert_eq!(i.period(), Some(stated));
    assert_eq!(i.currency.as_deref(), Some("GBP"));
    let first = i.rows.first().unwrap_or_else(|| panic!("a row"));
    assert_eq!(first.metric("ad_conversions"), Some(45.89));
    assert_eq!(first.metric("ad_impressions"), Some(12340.0));
    // A period chosen in the preview wins over the stated one.
    let chosen = period((2026, 2, 1), (2026, 2, 28));
    let opts = ImportOptions {
        period: Some(chosen),
        ..ImportOptions::default()
    };
    let again = import(&real("shaped_google_ads_ui_campaigns.csv"), "x.csv", &opts)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.period(), Some(chosen));
}

#[test]
fn mailchimp_campaign_list_with_twelve_hour_send_dates() {
    let i = run("shaped_mailchimp_campaign_list.csv");
    assert_eq!(counts(&i), (2, 0, 0, 2));
    let first = i.rows.first().unwrap_or_else(|| panic!("a row"));
    assert_eq!(first.period, Period::day(day(2023, 6, 1)));
    assert_eq!(first.keys.campaign.as_deref(), Some("June Newsletter"));
    assert_eq!(
        (
            first.metric("opens"),
            first.metric("clicks"),
            first.metric("unsubscribes")
        ),
        (Some(980.0), Some(215.0), Some(6.0))
    );
    // `12:05 am` is the first minute of the day, not noon of the day before.
    assert_eq!(
        i.rows.get(1).map(|r| r.period),
        Some(Period::day(day(2023, 6, 15)))
    );
}
