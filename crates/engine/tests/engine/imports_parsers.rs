//! Import parsers against hand-written fixtures: detection, column mapping, exact values,
//! rejected rows with line, column and reason.

use refleqt_engine::assemble::{build_journeys, JourneyOptions};
use refleqt_engine::dates::days_from_civil;
use refleqt_engine::detect::{detect, import};
use refleqt_engine::imports::{
    Container, Import, ImportColumn, ImportError, ImportField, ImportOptions, Layout, MatchKeys,
    Period, Platform,
};
use refleqt_engine::parse::{Field, RowError, RowReason};

const MS_PER_DAY: i64 = 86_400_000;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/imports/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn day(y: i64, m: u32, d: u32) -> i64 {
    days_from_civil(y, m, d) * MS_PER_DAY
}

fn one_day(y: i64, m: u32, d: u32) -> Period {
    Period::day(day(y, m, d))
}

fn run(name: &str) -> Import {
    import(&fixture(name), name, &ImportOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn metrics(pairs: &[(&str, f64)]) -> Vec<(String, f64)> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
}

fn col(field: ImportField, header: &str, index: usize) -> ImportColumn {
    ImportColumn {
        field,
        header: header.to_owned(),
        index,
    }
}

fn m(key: &str) -> ImportField {
    ImportField::metric(key)
}

fn err(line: u64, column: Option<&str>, reason: RowReason) -> RowError {
    RowError {
        line,
        column: column.map(str::to_owned),
        reason,
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn detects_every_format() {
    let cases = [
        ("ga4_bigquery.csv", Layout::Export(Platform::Ga4BigQueryCsv)),
        (
            "ga4_run_report.json",
            Layout::Export(Platform::Ga4DataApiJson),
        ),
        ("google_ads_ui.csv", Layout::Export(Platform::GoogleAdsCsv)),
        ("google_ads_api.csv", Layout::Export(Platform::GoogleAdsCsv)),
        (
            "meta_insights.json",
            Layout::Export(Platform::MetaAdsInsights),
        ),
        (
            "meta_ads_manager.csv",
            Layout::Export(Platform::MetaAdsInsights),
        ),
        (
            "mailchimp_reports.json",
            Layout::Export(Platform::MailchimpReport),
        ),
        (
            "mailchimp_export.csv",
            Layout::Export(Platform::MailchimpReport),
        ),
        ("event_log.csv", Layout::EventLog),
        ("path_table.csv", Layout::PathTable),
    ];
    for (name, want) in cases {
        // The content decides, whatever the file is called.
        assert_eq!(detect(&fixture(name), "export.txt"), Some(want), "{name}");
    }
    assert_eq!(detect(b"a,b,c\n1,2,3\n", "data.csv"), None);
    assert_eq!(
        detect(b"a,b,c\n1,2,3\n", "mailchimp-march.csv"),
        Some(Layout::Export(Platform::MailchimpReport))
    );
    assert_eq!(detect(b"", "x.csv"), None);
    assert_eq!(detect(b"{\"hello\": 1}", "x.json"), None);
    assert_eq!(
        import(b"a,b\n1,2\n", "x.csv", &ImportOptions::default()),
        Err(ImportError::Unrecognised)
    );
    assert_eq!(
        import(b"  \n", "x.csv", &ImportOptions::default()),
        Err(ImportError::Empty)
    );
}

#[test]
fn ga4_bigquery_rows_and_event_log() {
    let imp = run("ga4_bigquery.csv");
    assert_eq!(imp.layout, Layout::Export(Platform::Ga4BigQueryCsv));
    assert_eq!(imp.format, Container::Csv);
    assert_eq!(imp.report.accepted, 9);
    assert_eq!(imp.report.rejected_count, 4);
    assert_eq!(imp.header_line, Some(1));
    let ts_err = imp.report.rejected.first().cloned();
    assert!(matches!(
        ts_err,
        Some(RowError { line: 8, column: Some(ref c), reason: RowReason::Timestamp { ref value, .. } })
            if c == "event_timestamp" && value == "not-a-time"
    ));
    assert_eq!(
        imp.report.rejected.get(1..),
        Some(
            &[
                err(9, Some("event_name"), RowReason::Empty),
                err(
                    12,
                    Some("ecommerce.purchase_revenue"),
                    RowReason::NotANumber {
                        value: "abc".into()
                    }
                ),
                err(
                    13,
                    None,
                    RowReason::FieldCount {
                        expected: 10,
                        found: 3
                    }
                ),
            ][..]
        )
    );
    assert_eq!(
        imp.columns,
        vec![
            col(ImportField::Date, "event_date", 0),
            col(ImportField::EventTimestamp, "event_timestamp", 1),
            col(ImportField::EventName, "event_name", 2),
            col(ImportField::User, "user_pseudo_id", 3),
            col(
                ImportField::Source,
                "collected_traffic_source.manual_source",
                4
            ),
            col(
                ImportField::Medium,
                "collected_traffic_source.manual_medium",
                5
            ),
            col(
                ImportField::Campaign,
                "collected_traffic_source.manual_campaign_name",
                6
            ),
            col(
                ImportField::Content,
                "collected_traffic_source.manual_content",
                7
            ),
            col(ImportField::Url, "page_location", 8),
            col(m("revenue"), "ecommerce.purchase_revenue", 9),
        ]
    );
    let keys = |s: &str, md: &str, c: &str, content: Option<&str>| MatchKeys {
        utm_content: content.map(str::to_owned),
        campaign: Some(c.to_owned()),
        source: Some(s.to_owned()),
        medium: Some(md.to_owned()),
        urls: vec![],
    };
    let rows: Vec<_> = imp
        .rows
        .iter()
        .map(|r| (r.line, r.period, r.keys.clone(), r.metrics.clone()))
        .collect();
    assert_eq!(
        rows,
        vec![
            (
                3,
                one_day(2025, 3, 1),
                keys("linkedin", "social", "Q2-2025-Brand", Some("cal-4782")),
                metrics(&[("pageviews", 2.0), ("purchases", 1.0), ("revenue", 49.9)])
            ),
            (
                6,
                one_day(2025, 3, 1),
                // From page_location's query (decoded), since the event has no manual_* values.
                keys("newsletter", "email", "spring", Some("CAL-12")),
                metrics(&[("pageviews", 1.0), ("signups", 1.0)])
            ),
            (
                10,
                one_day(2025, 3, 2),
                MatchKeys::default(),
                metrics(&[("pageviews", 2.0)])
            ),
            (
                14,
                one_day(2025, 3, 2),
                keys("google", "cpc", "spring", None),
                metrics(&[("form_fills", 1.0)])
            ),
        ]
    );

    // The event log: one touch per visit with a source, purchases as conversions.
    let log = imp.event_log.as_ref().expect("event log");
    assert_eq!(log.users, 3);
    assert_eq!(log.touch_count(), 3);
    assert_eq!(log.conversion_count(), 1);
    let names: Vec<&str> = log.channels.names().iter().map(String::as_str).collect();
    assert_eq!(names, ["LinkedIn", "Email newsletter", "Google Ads"]);
    let entries: Vec<Option<u64>> = log.touch_keys.iter().map(|k| k.entry).collect();
    assert_eq!(entries, [Some(4782), Some(12), None]);
    assert_eq!(
        log.report.column(Field::User).map(|c| c.header.as_str()),
        Some("user_pseudo_id")
    );
    let set = build_journeys(log, &JourneyOptions::default());
    assert_eq!(set.total_conversions(), 1.0);
    assert!(close(set.total_revenue(), 49.9));
    let converting = set.iter().find(|j| j.conversions > 0.0).expect("journey");
    assert_eq!(converting.touches.len(), 1);
    assert_eq!(converting.touches[0].entry, Some(4782));
    assert_eq!(set.channels.name(converting.touches[0].channel), "LinkedIn");
}

#[test]
fn ga4_run_report() {
    let imp = run("ga4_run_report.json");
    assert_eq!(imp.layout, Layout::Export(Platform::Ga4DataApiJson));
    assert_eq!(imp.format, Container::Json);
    assert_eq!(imp.currency.as_deref(), Some("EUR"));
    assert_eq!(imp.report.accepted, 3);
    assert_eq!(imp.report.rejected_count, 3);
    assert!(imp.ignored_columns.is_empty(), "{:?}", imp.ignored_columns);
    assert_eq!(
        imp.columns,
        vec![
            col(ImportField::Date, "date", 0),
            col(ImportField::Campaign, "sessionCampaignName", 3),
            col(ImportField::Source, "sessionSource", 1),
            col(ImportField::Medium, "sessionMedium", 2),
            col(ImportField::Content, "sessionManualAdContent", 4),
            col(ImportField::Url, "landingPagePlusQueryString", 5),
            col(m("pageviews"), "screenPageViews", 6),
            col(m("sessions"), "sessions", 7),
            col(m("bounce_rate"), "bounceRate", 8),
            col(m("time_on_page"), "averageSessionDuration", 9),
            col(m("signups"), "keyEvents", 10),
            col(m("revenue"), "totalRevenue", 11),
        ]
    );
    let r0 = &imp.rows[0];
    assert_eq!(r0.line, 1);
    assert_eq!(r0.period, one_day(2025, 3, 1));
    assert_eq!(
        r0.keys,
        MatchKeys {
            utm_content: Some("cal-4782".into()),
            campaign: Some("q2-2025-brand".into()),
            source: Some("linkedin".into()),
            medium: Some("social".into()),
            urls: vec!["/blog/post?utm_source=linkedin&utm_content=cal-4782".into()],
        }
    );
    assert_eq!(
        r0.metrics,
        metrics(&[
            ("pageviews", 120.0),
            ("sessions", 80.0),
            ("bounce_rate", 25.0),
            ("time_on_page", 73.5),
            ("signups", 3.0),
            ("revenue", 149.7),
        ])
    );
    // (direct) / (none) / (not set) are absent keys.
    let r2 = &imp.rows[2];
    assert_eq!(r2.keys.source, None);
    assert_eq!(r2.keys.medium, None);
    assert_eq!(r2.keys.campaign, None);
    assert_eq!(r2.keys.utm_content, None);
    assert_eq!(r2.metric("bounce_rate"), Some(75.0));
    assert!(matches!(
        &imp.report.rejected[0],
        RowError { line: 4, column: Some(c), reason: RowReason::Timestamp { value, .. } }
            if c == "/rows/3/dimensionValues/0/value" && value == "2025-13-45"
    ));
    assert_eq!(
        imp.report.rejected[1..],
        [
            err(
                5,
                Some("/rows/4/dimensionValues"),
                RowReason::FieldCount {
                    expected: 6,
                    found: 2
                }
            ),
            err(
                6,
                Some("/rows/5/metricValues/0/value"),
                RowReason::NotANumber {
                    value: "12a".into()
                }
            ),
        ]
    );
}

#[test]
fn ga4_run_report_overrides_and_period() {
    let bytes = br#"{"dimensionHeaders":[{"name":"sessionCampaignName"},{"name":"eventName"}],
        "metricHeaders":[{"name":"eventCount"},{"name":"keyEvents"}],
        "rows":[{"dimensionValues":[{"value":"spring"},{"value":"generate_lead"}],"metricValues":[{"value":"4"},{"value":"4"}]},
                {"dimensionValues":[{"value":"spring"},{"value":"page_view"}],"metricValues":[{"value":"90"},{"value":"0"}]},
                {"dimensionValues":[{"value":"spring"},{"value":"scroll"}],"metricValues":[{"value":"7"},{"value":"0"}]}]}"#;
    // No date dimension: a period is required.
    assert_eq!(
        import(bytes, "r.json", &ImportOptions::default()),
        Err(ImportError::NoPeriod {
            platform: Platform::Ga4DataApiJson
        })
    );
    let march = Period::days(day(2025, 3, 1), day(2025, 3, 31));
    let opts = ImportOptions {
        period: Some(march),
        // keyEvents counts the leads here, not sign-ups; and eventCount does it already.
        columns: vec![(m("signups"), String::new())],
        ..ImportOptions::default()
    };
    let imp = import(bytes, "r.json", &opts).expect("import");
    assert_eq!(imp.report.accepted, 3);
    // The `scroll` row has no catalog metric: accepted, no imported row.
    assert_eq!(imp.rows.len(), 2);
    assert_eq!(imp.rows[0].period, march);
    assert_eq!(imp.rows[0].metrics, metrics(&[("form_fills", 4.0)]));
    assert_eq!(imp.rows[1].metrics, metrics(&[("pageviews", 90.0)]));
    assert_eq!(imp.ignored_columns, vec!["keyEvents".to_owned()]);

    let opts = ImportOptions {
        period: Some(march),
        columns: vec![(m("demo_requests"), "keyEvents".into())],
        ..ImportOptions::default()
    };
    let imp = import(bytes, "r.json", &opts).expect("import");
    assert_eq!(
        imp.rows[0].metrics,
        metrics(&[("demo_requests", 4.0), ("form_fills", 4.0)])
    );
    let bad = ImportOptions {
        columns: vec![(m("visits"), "keyEvents".into())],
        ..opts.clone()
    };
    assert_eq!(
        import(bytes, "r.json", &bad),
        Err(ImportError::UnknownMetric {
            key: "visits".into()
        })
    );
    let bad = ImportOptions {
        columns: vec![(m("signups"), "nope".into())],
        ..opts
    };
    assert!(matches!(
        import(bytes, "r.json", &bad),
        Err(ImportError::UnknownColumn { .. })
    ));
}

#[test]
fn google_ads_ui_export() {
    let imp = run("google_ads_ui.csv");
    assert_eq!(imp.layout, Layout::Export(Platform::GoogleAdsCsv));
    assert_eq!(imp.currency.as_deref(), Some("USD"));
    assert_eq!(imp.header_line, Some(3));
    // Two title lines and the total row.
    assert_eq!(imp.skipped_rows, 3);
    assert_eq!(imp.report.accepted, 3);
    assert_eq!(imp.report.rejected_count, 2);
    assert_eq!(
        imp.columns,
        vec![
            col(ImportField::Date, "Day", 1),
            col(ImportField::Campaign, "Campaign", 0),
            col(ImportField::Currency, "Currency code", 2),
            col(m("ad_impressions"), "Impr.", 3),
            col(m("ad_clicks"), "Clicks", 4),
            col(m("cost"), "Cost", 5),
            col(m("ad_conversions"), "Conversions", 6),
            col(m("revenue"), "Conv. value", 7),
        ]
    );
    assert_eq!(imp.rows[0].line, 4);
    assert_eq!(imp.rows[0].period, one_day(2025, 3, 1));
    assert_eq!(imp.rows[0].keys.campaign.as_deref(), Some("Spring Sale"));
    assert_eq!(
        imp.rows[0].metrics,
        metrics(&[
            ("ad_impressions", 1234.0),
            ("ad_clicks", 56.0),
            ("cost", 78.9),
            ("ad_conversions", 3.0),
            ("revenue", 150.0),
        ])
    );
    // `--` leaves the metric out; "1,020.5" is thousands-grouped.
    assert_eq!(
        imp.rows[2].metrics,
        metrics(&[
            ("ad_impressions", 500.0),
            ("ad_clicks", 25.0),
            ("cost", 1020.5),
            ("ad_conversions", 1.0),
        ])
    );
    assert!(matches!(
        &imp.report.rejected[0],
        RowError { line: 7, column: Some(c), reason: RowReason::Timestamp { value, .. } }
            if c == "Day" && value == "yesterday"
    ));
    assert_eq!(
        imp.report.rejected[1],
        err(8, Some("Impr."), RowReason::Negative { value: "-5".into() })
    );
}

#[test]
fn google_ads_api_fields() {
    let imp = run("google_ads_api.csv");
    assert_eq!(imp.currency.as_deref(), Some("EUR"));
    assert_eq!(imp.report.accepted, 2);
    assert_eq!(
        imp.report.rejected,
        vec![err(
            4,
            Some("metrics.clicks"),
            RowReason::NotANumber {
                value: "x25".into()
            }
        )]
    );
    assert_eq!(imp.ignored_columns, vec!["campaign.id".to_owned()]);
    assert!(imp
        .columns
        .contains(&col(m("cost"), "metrics.cost_micros", 6)));
    assert_eq!(
        imp.rows[0].metrics,
        metrics(&[
            ("ad_impressions", 1234.0),
            ("ad_clicks", 56.0),
            ("cost", 78.9),
            ("ad_conversions", 3.0),
            ("revenue", 150.5),
        ])
    );
    assert_eq!(
        imp.rows[0].keys.urls,
        vec![
            "utm_source=google&utm_medium=cpc&utm_campaign=spring-sale&utm_content=cal-77"
                .to_owned()
        ]
    );
    assert!(close(imp.rows[1].metric("cost").unwrap_or(-1.0), 12.345678));
    assert!(imp.rows[1].keys.urls.is_empty());
}

#[test]
fn google_ads_without_day_needs_a_period() {
    let csv = b"Campaign,Impr.,Clicks,Cost\nSpring Sale,100,5,9.50\n";
    assert_eq!(
        import(csv, "x.csv", &ImportOptions::default()),
        Err(ImportError::NoPeriod {
            platform: Platform::GoogleAdsCsv
        })
    );
    let march = Period::days(day(2025, 3, 1), day(2025, 3, 31));
    let imp = import(
        csv,
        "x.csv",
        &ImportOptions {
            period: Some(march),
            ..ImportOptions::default()
        },
    )
    .expect("import");
    assert_eq!(imp.rows[0].period, march);
    assert_eq!(imp.rows[0].metric("cost"), Some(9.5));
    // No campaign column (an account-level report): imported, the rows carry no campaign and
    // are left for assigning by hand.
    let csv = b"Day,Impr.,Clicks,Cost\n2025-03-01,1,1,1\n";
    let imp = import(
        csv,
        "x.csv",
        &ImportOptions {
            layout: Some(Layout::Export(Platform::GoogleAdsCsv)),
            ..ImportOptions::default()
        },
    )
    .expect("import");
    assert_eq!(imp.rows.len(), 1);
    assert_eq!(imp.rows[0].keys.campaign, None);
    assert_eq!(imp.rows[0].metric("cost"), Some(1.0));
}

#[test]
fn meta_insights_json() {
    let imp = run("meta_insights.json");
    assert_eq!(imp.layout, Layout::Export(Platform::MetaAdsInsights));
    assert_eq!(imp.format, Container::Json);
    assert_eq!(imp.currency.as_deref(), Some("EUR"));
    assert_eq!(imp.report.accepted, 2);
    assert_eq!(
        imp.report.rejected,
        vec![
            err(
                3,
                Some("/data/2/spend"),
                RowReason::NotANumber {
                    value: "12,5x".into()
                }
            ),
            err(
                4,
                Some("/data/3/actions[action_type=lead]/value"),
                RowReason::Negative { value: "-2".into() }
            ),
            err(5, Some("/data/4"), RowReason::Empty),
        ]
    );
    let r = &imp.rows[0];
    assert_eq!(r.period, Period::days(day(2025, 3, 1), day(2025, 3, 31)));
    assert_eq!(r.keys.campaign.as_deref(), Some("Spring Sale"));
    assert_eq!(
        r.metrics,
        metrics(&[
            ("ad_impressions", 10500.0),
            ("ad_clicks", 320.0),
            ("cost", 250.75),
            ("ctr", 3.047619),
            ("form_fills", 12.0),
            ("purchases", 4.0),
            ("signups", 7.0),
            ("revenue", 399.6),
        ])
    );
    assert_eq!(
        imp.rows[1].metrics,
        metrics(&[
            ("ad_impressions", 50000.0),
            ("ad_clicks", 800.0),
            ("cost", 410.0)
        ])
    );
    // link_click is not used while `clicks` exists; the pixel purchase is not double counted.
    assert!(imp
        .ignored_columns
        .contains(&"actions:link_click".to_owned()));
    assert!(imp
        .ignored_columns
        .contains(&"actions:offsite_conversion.fb_pixel_purchase".to_owned()));
    assert!(imp
        .columns
        .iter()
        .any(|c| c.field == m("ad_clicks") && c.header == "clicks"));

    // Without `clicks`, link_click counts as ad clicks.
    let json = br#"[{"campaign_name":"X","date_start":"2025-03-01","date_stop":"2025-03-01","impressions":"10","spend":"1.5",
        "actions":[{"action_type":"link_click","value":"3"}]}]"#;
    let imp = import(json, "x.json", &ImportOptions::default()).expect("import");
    assert_eq!(imp.layout, Layout::Export(Platform::MetaAdsInsights));
    assert_eq!(
        imp.rows[0].metrics,
        metrics(&[("ad_impressions", 10.0), ("ad_clicks", 3.0), ("cost", 1.5)])
    );
}

#[test]
fn meta_ads_manager_csv() {
    let imp = run("meta_ads_manager.csv");
    assert_eq!(imp.format, Container::Csv);
    assert_eq!(imp.currency.as_deref(), Some("EUR"));
    assert_eq!(imp.report.accepted, 2);
    assert_eq!(imp.report.rejected_count, 0);
    assert!(imp
        .columns
        .contains(&col(m("cost"), "Amount spent (EUR)", 5)));
    assert!(imp
        .columns
        .contains(&col(ImportField::DateEnd, "Reporting ends", 2)));
    assert_eq!(
        imp.rows[0].metrics,
        metrics(&[
            ("ad_impressions", 10500.0),
            ("ad_clicks", 290.0),
            ("cost", 250.75),
            ("form_fills", 12.0),
            ("purchases", 4.0),
            ("revenue", 399.6),
        ])
    );
    assert_eq!(
        imp.rows[1].metrics,
        metrics(&[("ad_impressions", 50000.0), ("cost", 410.0)])
    );
}

#[test]
fn mailchimp_api_json() {
    let imp = run("mailchimp_reports.json");
    assert_eq!(imp.layout, Layout::Export(Platform::MailchimpReport));
    assert_eq!(imp.report.accepted, 2);
    assert!(matches!(
        &imp.report.rejected[..],
        [RowError { line: 3, column: Some(c), reason: RowReason::Timestamp { value, .. } }]
            if c == "/reports/2/send_time" && value == "sometime"
    ));
    let mapping: Vec<(ImportField, &str)> = imp
        .columns
        .iter()
        .map(|c| (c.field.clone(), c.header.as_str()))
        .collect();
    assert_eq!(
        mapping,
        vec![
            (ImportField::Date, "send_time"),
            (ImportField::Campaign, "campaign_title"),
            (m("opens"), "opens.unique_opens"),
            (m("clicks"), "clicks.unique_clicks"),
            (m("unsubscribes"), "unsubscribed"),
        ]
    );
    assert_eq!(imp.rows[0].period, one_day(2025, 3, 4));
    assert_eq!(
        imp.rows[0].keys.campaign.as_deref(),
        Some("March Newsletter")
    );
    assert_eq!(
        imp.rows[0].metrics,
        metrics(&[("opens", 980.0), ("clicks", 215.0), ("unsubscribes", 6.0)])
    );
    assert_eq!(
        imp.rows[1].metrics,
        metrics(&[("opens", 450.0), ("clicks", 70.0), ("unsubscribes", 2.0)])
    );
    // One report object on its own.
    let one = br#"{"campaign_title":"Solo","send_time":"2025-03-05T08:00:00Z","emails_sent":5,"unsubscribed":0,
        "opens":{"opens_total":4,"unique_opens":3},"clicks":{"clicks_total":2,"unique_clicks":1}}"#;
    let imp = import(one, "report.json", &ImportOptions::default()).expect("import");
    assert_eq!(imp.layout, Layout::Export(Platform::MailchimpReport));
    assert_eq!(
        imp.rows[0].metrics,
        metrics(&[("opens", 3.0), ("clicks", 1.0), ("unsubscribes", 0.0)])
    );
}

#[test]
fn mailchimp_csv_export() {
    let imp = run("mailchimp_export.csv");
    assert_eq!(imp.format, Container::Csv);
    assert_eq!(imp.report.accepted, 2);
    assert_eq!(
        imp.report.rejected,
        vec![err(
            4,
            None,
            RowReason::FieldCount {
                expected: 14,
                found: 15
            }
        )]
    );
    assert_eq!(
        imp.columns,
        vec![
            col(ImportField::Date, "Send Date", 3),
            col(ImportField::Campaign, "Title", 0),
            col(m("opens"), "Unique Opens", 7),
            col(m("clicks"), "Unique Clicks", 10),
            col(m("unsubscribes"), "Unsubscribes", 13),
        ]
    );
    assert_eq!(imp.rows[0].period, one_day(2025, 3, 4));
    assert_eq!(
        imp.rows[0].metrics,
        metrics(&[("opens", 980.0), ("clicks", 215.0), ("unsubscribes", 6.0)])
    );
    assert_eq!(imp.rows[1].period, one_day(2025, 3, 18));
}

#[test]
fn engine_formats_pass_through() {
    let imp = run("event_log.csv");
    assert_eq!(imp.layout, Layout::EventLog);
    let log = imp.event_log.expect("log");
    assert_eq!(log.touch_count(), 1);
    assert_eq!(log.conversion_count(), 1);
    assert_eq!(imp.report.accepted, 2);
    assert!(imp.rows.is_empty());
    let imp = run("path_table.csv");
    assert_eq!(imp.layout, Layout::PathTable);
    assert_eq!(imp.path_table.expect("paths").set.total_conversions(), 3.0);
}

#[test]
fn forced_platform_and_json_errors() {
    let opts = ImportOptions {
        layout: Some(Layout::Export(Platform::Ga4DataApiJson)),
        ..ImportOptions::default()
    };
    assert!(matches!(
        import(b"{\"rows\": ", "x.json", &opts),
        Err(ImportError::Json { line: 1, .. })
    ));
    assert!(matches!(
        import(b"{\"rows\": 3}", "x.json", &opts),
        Err(ImportError::JsonShape { path, .. }) if path == "/rows"
    ));
    let opts = ImportOptions {
        layout: Some(Layout::Export(Platform::MetaAdsInsights)),
        ..ImportOptions::default()
    };
    assert!(matches!(
        import(b"{\"data\": {}}", "x.json", &opts),
        Err(ImportError::JsonShape { path, .. }) if path == "/data"
    ));
}
