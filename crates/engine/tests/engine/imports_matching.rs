//! Matching imported rows to calendar entries, and re-import semantics.

use proptest::prelude::*;
use refleqt_engine::dates::days_from_civil;
use refleqt_engine::imports::{
    imported_values, match_rows, reimport, EntryKey, ImportedRow, Match, MatchHow, MatchKeys,
    PerformanceValue, Period, Platform, ReimportError, Unmatched, ValueSource,
};
use refleqt_engine::links::{build_url, default_channel_mapping, UtmParams};

const MS_PER_DAY: i64 = 86_400_000;

fn day(d: u32) -> Period {
    Period::day(days_from_civil(2025, 3, d) * MS_PER_DAY)
}

fn entry(id: u64, campaign: &str, channel: &str) -> EntryKey {
    EntryKey {
        entry: id,
        campaign: campaign.to_owned(),
        channel: channel.to_owned(),
    }
}

fn calendar() -> Vec<EntryKey> {
    vec![
        entry(4782, "Q2-2025-Brand", "LinkedIn"),
        entry(12, "Spring Sale", "Email newsletter"),
        entry(13, "Spring Sale", "Google Ads"),
        entry(14, "Spring Sale", "Meta Ads"),
        entry(15, "Spring Sale", "LinkedIn"),
        entry(16, "Spring Sale", "LinkedIn"),
        entry(20, "Webinar Series", "Webinar"),
    ]
}

fn row(keys: MatchKeys) -> ImportedRow {
    ImportedRow {
        line: 2,
        period: day(1),
        keys,
        metrics: vec![("pageviews".to_owned(), 10.0)],
    }
}

fn keys(
    content: Option<&str>,
    campaign: Option<&str>,
    source: Option<&str>,
    medium: Option<&str>,
    urls: &[&str],
) -> MatchKeys {
    let s = |x: Option<&str>| x.map(str::to_owned);
    MatchKeys {
        utm_content: s(content),
        campaign: s(campaign),
        source: s(source),
        medium: s(medium),
        urls: urls.iter().map(|u| (*u).to_owned()).collect(),
    }
}

fn match_one(platform: Platform, k: MatchKeys) -> Match {
    let report = match_rows(platform, &[row(k)], &calendar(), &default_channel_mapping());
    report.matches.into_iter().next().expect("one match")
}

fn hit(entry: u64, how: MatchHow) -> Match {
    Match::Entry { entry, how }
}

fn miss(reason: Unmatched) -> Match {
    Match::Unmatched { reason }
}

#[test]
fn by_cal_id_in_content_and_urls() {
    let ga = Platform::Ga4DataApiJson;
    assert_eq!(
        match_one(ga, keys(Some(" CAL-4782 "), None, None, None, &[])),
        hit(4782, MatchHow::ContentId)
    );
    // The id wins over a campaign that would point elsewhere.
    assert_eq!(
        match_one(
            ga,
            keys(
                Some("cal%2D12"),
                Some("Spring Sale"),
                Some("google"),
                Some("cpc"),
                &[]
            )
        ),
        hit(12, MatchHow::ContentId)
    );
    // In a URL with other parameters, different case, encoded.
    assert_eq!(
        match_one(
            ga,
            keys(
                None,
                None,
                None,
                None,
                &["https://yoursite.com/blog/post?gclid=x&UTM_CONTENT=Cal%2D4782&utm_source=linkedin#top"]
            )
        ),
        hit(4782, MatchHow::ContentId)
    );
    // A content value that is not a cal id does not hide the URL's.
    assert_eq!(
        match_one(
            ga,
            keys(
                Some("banner"),
                None,
                None,
                None,
                &["/p?utm_content=+cal-20"]
            )
        ),
        hit(20, MatchHow::ContentId)
    );
}

#[test]
fn unknown_id() {
    let ga = Platform::Ga4DataApiJson;
    assert_eq!(
        match_one(ga, keys(Some("cal-999"), None, None, None, &[])),
        miss(Unmatched::UnknownId { id: 999 })
    );
    // An unknown id still lets campaign + source + medium decide.
    assert_eq!(
        match_one(
            ga,
            keys(
                Some("cal-999"),
                Some("spring-sale"),
                Some("Google"),
                Some("CPC"),
                &[]
            )
        ),
        hit(13, MatchHow::CampaignSourceMedium)
    );
}

#[test]
fn by_campaign_source_medium() {
    let ga = Platform::Ga4DataApiJson;
    // Campaign compared by slug, source and medium case-insensitively.
    assert_eq!(
        match_one(
            ga,
            keys(
                None,
                Some("q2 2025 brand"),
                Some("LinkedIn"),
                Some("Social"),
                &[]
            )
        ),
        hit(4782, MatchHow::CampaignSourceMedium)
    );
    assert_eq!(
        match_one(
            ga,
            keys(
                None,
                Some("SPRING_SALE"),
                Some("newsletter"),
                Some("email"),
                &[]
            )
        ),
        hit(12, MatchHow::CampaignSourceMedium)
    );
    // Two LinkedIn entries in Spring Sale.
    assert_eq!(
        match_one(
            ga,
            keys(
                None,
                Some("spring-sale"),
                Some("linkedin"),
                Some("social"),
                &[]
            )
        ),
        miss(Unmatched::Ambiguous {
            candidates: vec![15, 16]
        })
    );
    assert_eq!(
        match_one(
            ga,
            keys(None, Some("spring-sale"), Some("bing"), Some("cpc"), &[])
        ),
        miss(Unmatched::NoCandidate {
            campaign: "spring-sale".into(),
            source: Some("bing".into()),
            medium: Some("cpc".into())
        })
    );
    // A campaign alone is not enough for an analytics row.
    assert_eq!(
        match_one(ga, keys(None, Some("spring-sale"), None, None, &[])),
        miss(Unmatched::NoKey)
    );
    assert_eq!(match_one(ga, MatchKeys::default()), miss(Unmatched::NoKey));
}

#[test]
fn ad_and_email_platforms_use_implied_source_medium() {
    let campaign = || keys(None, Some("Spring Sale"), None, None, &[]);
    assert_eq!(
        match_one(Platform::GoogleAdsCsv, campaign()),
        hit(13, MatchHow::CampaignImplied)
    );
    assert_eq!(
        match_one(Platform::MetaAdsInsights, campaign()),
        hit(14, MatchHow::CampaignImplied)
    );
    assert_eq!(
        match_one(Platform::MailchimpReport, campaign()),
        hit(12, MatchHow::CampaignImplied)
    );
    assert_eq!(
        match_one(
            Platform::GoogleAdsCsv,
            keys(None, Some("Autumn"), None, None, &[])
        ),
        miss(Unmatched::NoCandidate {
            campaign: "Autumn".into(),
            source: Some("google".into()),
            medium: Some("cpc".into())
        })
    );
    // A workspace whose mapping renames Google Ads' source: the channel's medium still decides.
    let mut mapping = default_channel_mapping();
    for m in &mut mapping {
        if m.channel == "Google Ads" {
            m.source = "adwords".into();
        }
    }
    let report = match_rows(
        Platform::GoogleAdsCsv,
        &[row(campaign())],
        &calendar(),
        &mapping,
    );
    assert_eq!(
        report.matches,
        vec![hit(13, MatchHow::CampaignChannelMedium)]
    );
}

#[test]
fn summary() {
    let rows = vec![
        row(keys(Some("cal-4782"), None, None, None, &[])),
        row(keys(None, None, None, None, &[])),
        row(keys(Some("cal-4782"), None, None, None, &[])),
        row(keys(Some("cal-12"), None, None, None, &[])),
    ];
    let r = match_rows(
        Platform::Ga4BigQueryCsv,
        &rows,
        &calendar(),
        &default_channel_mapping(),
    );
    assert_eq!(r.matched_entries, vec![(12, 1), (4782, 2)]);
    assert_eq!(r.unmatched_rows, vec![1]);
    assert_eq!(
        r.assignments(),
        vec![Some(4782), None, Some(4782), Some(12)]
    );
}

fn value(
    entry: u64,
    metric: &str,
    period: Period,
    v: f64,
    source: ValueSource,
) -> PerformanceValue {
    PerformanceValue {
        entry,
        metric: metric.to_owned(),
        period,
        value: v,
        source,
    }
}

#[test]
fn imported_values_sum_counts_and_average_rates() {
    let g = Platform::Ga4DataApiJson;
    let mk = |d: u32, m: &[(&str, f64)]| ImportedRow {
        line: 1,
        period: day(d),
        keys: MatchKeys::default(),
        metrics: m.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect(),
    };
    let rows = vec![
        mk(1, &[("pageviews", 10.0), ("bounce_rate", 40.0)]),
        mk(1, &[("pageviews", 5.0), ("bounce_rate", 60.0)]),
        mk(2, &[("pageviews", 7.0)]),
        mk(1, &[("pageviews", 100.0)]),
    ];
    let vals = imported_values(g, &rows, &[Some(1), Some(1), Some(1), None]);
    let imp = ValueSource::Imported(g);
    assert_eq!(
        vals,
        vec![
            value(1, "bounce_rate", day(1), 50.0, imp),
            value(1, "pageviews", day(1), 15.0, imp),
            value(1, "pageviews", day(2), 7.0, imp),
        ]
    );
}

#[test]
fn reimport_replaces_the_period_and_manual_wins() {
    let g = Platform::Ga4DataApiJson;
    let ads = Platform::GoogleAdsCsv;
    let imp = ValueSource::Imported(g);
    let march = Period::days(day(1).start_ms, day(31).start_ms);
    let existing = vec![
        value(1, "pageviews", day(1), 10.0, imp),
        value(1, "pageviews", day(2), 12.0, imp),
        value(1, "signups", day(2), 3.0, ValueSource::Manual),
        value(1, "revenue", day(2), 99.0, ValueSource::Imported(ads)),
        // February stays.
        value(
            1,
            "pageviews",
            Period::day(days_from_civil(2025, 2, 28) * MS_PER_DAY),
            8.0,
            imp,
        ),
    ];
    let new = vec![
        value(1, "pageviews", day(1), 11.0, imp),
        value(1, "pageviews", day(2), 12.0, imp),
        value(1, "signups", day(2), 4.0, imp),
        value(1, "signups", day(3), 1.0, imp),
    ];
    let out = reimport(&existing, g, march, &new).expect("reimport");
    assert_eq!(out.replaced, existing[..2].to_vec());
    assert_eq!(out.overridden.len(), 1);
    assert_eq!(out.overridden[0].imported, new[2]);
    assert_eq!(out.overridden[0].manual, existing[2]);
    assert_eq!(
        out.values,
        vec![
            existing[2].clone(),
            existing[3].clone(),
            existing[4].clone(),
            new[0].clone(),
            new[1].clone(),
            new[3].clone(),
        ]
    );
    // Importing the same month again changes nothing and never duplicates.
    let again = reimport(&out.values, g, march, &new).expect("reimport");
    assert_eq!(again.values, out.values);
    assert_eq!(again.replaced.len(), 3);
    assert_eq!(again.added.len(), 3);
    // A monthly value replaces the daily ones of the same platform.
    let monthly = vec![value(1, "pageviews", march, 23.0, imp)];
    let m = reimport(&again.values, g, march, &monthly).expect("reimport");
    let pv: Vec<f64> = m
        .values
        .iter()
        .filter(|v| v.metric == "pageviews" && v.source == imp && march.overlaps(&v.period))
        .map(|v| v.value)
        .collect();
    assert_eq!(pv, vec![23.0]);
    // A monthly manual value covers the daily imports of that metric.
    let manual = vec![value(2, "opens", march, 500.0, ValueSource::Manual)];
    let daily = vec![value(2, "opens", day(4), 480.0, imp)];
    let r = reimport(&manual, g, march, &daily).expect("reimport");
    assert_eq!(r.values, manual);
    assert_eq!(r.overridden.len(), 1);
}

#[test]
fn reimport_rejects_inconsistent_input() {
    let g = Platform::Ga4DataApiJson;
    let march = Period::days(day(1).start_ms, day(31).start_ms);
    let other = vec![value(
        1,
        "pageviews",
        day(1),
        1.0,
        ValueSource::Imported(Platform::GoogleAdsCsv),
    )];
    assert!(matches!(
        reimport(&[], g, march, &other),
        Err(ReimportError::WrongSource { .. })
    ));
    let outside = vec![value(
        1,
        "pageviews",
        Period::day(days_from_civil(2025, 4, 1) * MS_PER_DAY),
        1.0,
        ValueSource::Imported(g),
    )];
    assert!(matches!(
        reimport(&[], g, march, &outside),
        Err(ReimportError::OutsidePeriod { .. })
    ));
    let nan = vec![value(
        1,
        "pageviews",
        day(1),
        f64::NAN,
        ValueSource::Imported(g),
    )];
    assert!(matches!(
        reimport(&[], g, march, &nan),
        Err(ReimportError::BadValue { .. })
    ));
}

proptest! {
    /// A link built for an entry and read back from an import matches that entry, whatever the
    /// destination and campaign name.
    #[test]
    fn built_links_match_back(
        id in 0u64..1_000_000_000,
        path in "[a-zA-Z0-9/_.-]{0,20}",
        query in proptest::option::of("[a-z]{1,5}=[a-zA-Z0-9%+]{0,8}"),
        fragment in proptest::option::of("[a-z0-9]{0,6}"),
        campaign in "\\PC{0,20}",
        channel in prop::sample::select(vec!["LinkedIn", "Google Ads", "Meta Ads", "Email newsletter", "Podcast", "Custom Channel"]),
    ) {
        let mapping = default_channel_mapping();
        let mut dest = format!("https://example.com/{path}");
        if let Some(q) = &query { dest.push('?'); dest.push_str(q); }
        if let Some(f) = &fragment { dest.push('#'); dest.push_str(f); }
        let params = UtmParams::for_entry(&mapping, id, channel, &campaign);
        let url = build_url(&dest, &params).expect("url");
        let entries = vec![entry(id, &campaign, channel), entry(id.wrapping_add(1), &campaign, channel)];
        let k = keys(None, None, None, None, &[&url]);
        let r = match_rows(Platform::Ga4DataApiJson, &[row(k)], &entries, &mapping);
        prop_assert_eq!(r.matches, vec![hit(id, MatchHow::ContentId)]);
    }
}
