//! Journey assembly: lookback, repeat conversions, the (direct) fallback, non-converting tails.

use refleqt_engine::assemble::{
    build_journeys, try_build_journeys, JourneyError, JourneyOptions, DIRECT_CHANNEL,
};
use refleqt_engine::parse::{parse_event_log, Event, EventLog, EventLogOptions, TouchKey};
use refleqt_engine::JourneySet;

const DAY_S: f64 = 86_400.0;
const T0: i64 = 1_740_787_200_000; // 2025-03-01T00:00:00Z

fn log(csv: &str) -> EventLog {
    match parse_event_log(csv.as_bytes(), &EventLogOptions::default()) {
        Ok(l) => {
            assert_eq!(l.report.rejected, vec![], "fixture rows must all parse");
            l
        }
        Err(e) => panic!("{e}"),
    }
}

fn build(csv: &str, lookback_days: f64) -> JourneySet {
    build_journeys(&log(csv), &JourneyOptions { lookback_days })
}

/// One journey as (channel:age_in_days … , conversions, revenue, nulls, end_ms).
fn show(set: &JourneySet) -> Vec<(String, f64, f64, f64, Option<i64>)> {
    set.iter()
        .map(|j| {
            let path = j
                .touches
                .iter()
                .map(|t| {
                    let e = t.entry.map(|e| format!("#{e}")).unwrap_or_default();
                    format!("{}{e}:{}", set.channels.name(t.channel), t.age_secs / DAY_S)
                })
                .collect::<Vec<_>>()
                .join(" > ");
            (path, j.conversions, j.revenue, j.nulls, j.end_ms)
        })
        .collect()
}

fn day(d: f64) -> Option<i64> {
    Some(T0 + (d * 86_400_000.0) as i64)
}

const HEADER: &str = "user,time,channel,event,revenue\n";

fn csv(rows: &[&str]) -> String {
    let mut s = HEADER.to_owned();
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s
}

#[test]
fn options() {
    let d = JourneyOptions::default();
    assert_eq!(d.lookback_days, 30.0);
    assert_eq!(d.validate(), Ok(()));
    assert_eq!(d.lookback_ms(), 30 * 86_400_000);
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let o = JourneyOptions { lookback_days: bad };
        assert!(
            matches!(o.validate(), Err(JourneyError::Lookback(_))),
            "{bad}"
        );
        assert!(try_build_journeys(&EventLog::default(), &o).is_err());
    }
    assert_eq!(
        JourneyOptions {
            lookback_days: f64::NAN
        }
        .lookback_ms(),
        0
    );
    assert_eq!(
        JourneyOptions {
            lookback_days: f64::INFINITY
        }
        .lookback_ms(),
        i64::MAX
    );
    let e = JourneyOptions { lookback_days: 0.0 }
        .validate()
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "the lookback window must be a finite number of days greater than 0, got 0"
    );
}

#[test]
fn lookback_window_trims_old_touches() {
    let set = build(
        &csv(&[
            "u,2025-01-29T00:00:00Z,display,touch,", // 31 days before: out
            "u,2025-01-30T00:00:00Z,social,touch,",  // exactly 30 days: in
            "u,2025-02-27T12:00:00Z,email,touch,",   // 1.5 days
            "u,2025-03-01T00:00:00Z,,purchase,50",
        ]),
        30.0,
    );
    assert_eq!(
        show(&set),
        vec![("social:30 > email:1.5".into(), 1.0, 50.0, 0.0, day(0.0))]
    );
    assert!(set.timed);
    // A shorter window keeps less; the dropped touches do not come back later.
    let set = build(
        &csv(&[
            "u,2025-02-20T00:00:00Z,display,touch,",
            "u,2025-02-28T00:00:00Z,email,touch,",
            "u,2025-03-01T00:00:00Z,,purchase,5",
            "u,2025-03-02T00:00:00Z,,purchase,7",
        ]),
        2.0,
    );
    assert_eq!(
        show(&set),
        vec![
            ("email:1".into(), 1.0, 5.0, 0.0, day(0.0)),
            ("(direct):0".into(), 1.0, 7.0, 0.0, day(1.0)),
        ]
    );
}

#[test]
fn repeat_conversions_split_touches() {
    let set = build(
        &csv(&[
            "u,2025-03-01T00:00:00Z,search,touch,",
            "u,2025-03-02T00:00:00Z,email,touch,",
            "u,2025-03-03T00:00:00Z,,purchase,10",
            "u,2025-03-04T00:00:00Z,social,touch,",
            "u,2025-03-06T00:00:00Z,,purchase,20",
            "u,2025-03-07T00:00:00Z,,purchase,30",
        ]),
        30.0,
    );
    assert_eq!(
        show(&set),
        vec![
            ("search:2 > email:1".into(), 1.0, 10.0, 0.0, day(2.0)),
            ("social:2".into(), 1.0, 20.0, 0.0, day(5.0)),
            ("(direct):0".into(), 1.0, 30.0, 0.0, day(6.0)),
        ]
    );
    assert_eq!(set.total_conversions(), 3.0);
    assert_eq!(set.total_revenue(), 60.0);
    // "(direct)" is interned once, after the log's own channels.
    assert_eq!(
        set.channels.names(),
        ["search", "email", "social", DIRECT_CHANNEL]
    );
}

#[test]
fn direct_fallback_is_only_added_when_needed() {
    let set = build(
        &csv(&["u,2025-03-01,email,touch,", "u,2025-03-02,,purchase,1"]),
        30.0,
    );
    assert_eq!(set.channels.names(), ["email"]);
    // A log that already has "(direct)" reuses it.
    let set = build(
        &csv(&[
            "a,2025-03-01,(direct),touch,",
            "a,2025-03-01,,purchase,1",
            "b,2025-03-01,,purchase,2",
        ]),
        30.0,
    );
    assert_eq!(set.channels.names(), ["(direct)"]);
    assert_eq!(
        show(&set),
        vec![
            ("(direct):0".into(), 1.0, 1.0, 0.0, day(0.0)),
            ("(direct):0".into(), 1.0, 2.0, 0.0, day(0.0)),
        ]
    );
}

#[test]
fn non_converting_tail() {
    let set = build(
        &csv(&[
            "u,2025-03-01,search,touch,",
            "u,2025-03-02,,purchase,10",
            "u,2025-03-03,email,touch,",
            "u,2025-04-10,social,touch,", // 38 days after email: email falls out
            "u,2025-04-12,display,touch,",
            "v,2025-03-05,email,touch,",
        ]),
        30.0,
    );
    assert_eq!(
        show(&set),
        vec![
            ("search:1".into(), 1.0, 10.0, 0.0, day(1.0)),
            ("social:2 > display:0".into(), 0.0, 0.0, 1.0, day(42.0)),
            ("email:0".into(), 0.0, 0.0, 1.0, day(4.0)),
        ]
    );
    assert_eq!(set.total_nulls(), 2.0);
}

#[test]
fn flagged_conversions_include_their_touch() {
    let set = build(
        "user,time,channel,converted,revenue\n\
         u,2025-03-01,email,0,\n\
         u,2025-03-03,search,1,40\n\
         u,2025-03-03,social,0,\n\
         u,2025-03-04,,1,5\n",
        30.0,
    );
    assert_eq!(
        show(&set),
        vec![
            ("email:2 > search:0".into(), 1.0, 40.0, 0.0, day(2.0)),
            // The same-time touch after the converting row belongs to the next journey.
            ("social:1".into(), 1.0, 5.0, 0.0, day(3.0)),
        ]
    );
}

#[test]
fn equal_times_touches_before_conversion_rows() {
    // The conversion row comes first in the file, the touch at the same instant second: the
    // touch still counts (touches sort before conversion rows at equal times).
    let set = build(
        &csv(&[
            "u,2025-03-01T10:00:00Z,,purchase,9",
            "u,2025-03-01T10:00:00Z,email,touch,",
        ]),
        30.0,
    );
    assert_eq!(
        show(&set),
        vec![("email:0".into(), 1.0, 9.0, 0.0, day(10.0 / 24.0))]
    );
}

#[test]
fn unsorted_files_and_user_order() {
    // Users interleaved, times out of order: journeys come out per user (first-seen order),
    // then by time.
    let set = build(
        &csv(&[
            "b,2025-03-05,,purchase,2",
            "a,2025-03-03,,purchase,1",
            "b,2025-03-01,email,touch,",
            "a,2025-03-02,search,touch,",
            "b,2025-03-03,social,touch,",
            "a,2025-03-01,display,touch,",
            "c,2025-03-09,email,touch,",
        ]),
        30.0,
    );
    assert_eq!(
        show(&set),
        vec![
            ("email:4 > social:2".into(), 1.0, 2.0, 0.0, day(4.0)),
            ("display:2 > search:1".into(), 1.0, 1.0, 0.0, day(2.0)),
            ("email:0".into(), 0.0, 0.0, 1.0, day(8.0)),
        ]
    );
}

#[test]
fn entries_reach_the_touches() {
    let set = build(
        "user,time,channel,utm_content,event\n\
         u,2025-03-01,email,cal-5,\n\
         u,2025-03-02,email,,\n\
         u,2025-03-03,,,purchase\n",
        30.0,
    );
    assert_eq!(
        show(&set),
        vec![("email#5:2 > email:1".into(), 1.0, 0.0, 0.0, day(2.0))]
    );
}

#[test]
fn ga4_fixture_end_to_end() {
    let l = parse_event_log(
        include_bytes!("../fixtures/ga4_events.csv"),
        &EventLogOptions::default(),
    )
    .unwrap();
    assert_eq!(l.report.accepted, 7);
    assert_eq!(l.users, 3);
    let set = build_journeys(&l, &JourneyOptions::default());
    let d = |secs: f64| secs / DAY_S;
    assert_eq!(
        show(&set),
        vec![
            (
                format!(
                    "Paid Search#12:{} > Paid Search:{}",
                    d(97_200.0),
                    d(97_140.0)
                ),
                1.0,
                59.9,
                0.0,
                Some(1_740_913_200_000)
            ),
            (
                format!("Email#7:{} > Direct:{}", d(86_700.0), d(300.0)),
                1.0,
                120.0,
                0.0,
                Some(1_740_996_300_000)
            ),
            (
                "Paid Social:0".into(),
                0.0,
                0.0,
                1.0,
                Some(1_741_082_400_000)
            ),
        ]
    );
}

#[test]
fn hand_built_logs() {
    // Events built by hand, out of order and with a user number beyond `users`.
    let mut l = EventLog::default();
    l.channels.intern("x");
    l.touch_keys.push(TouchKey {
        channel: 0,
        campaign: None,
        source: None,
        medium: None,
        entry: Some(3),
    });
    l.users = 1;
    l.events = vec![
        Event::conversion(5, T0 + 2000, 4.0, false),
        Event::touch(5, T0, 0, 0.5),
        Event::touch(0, T0, 0, 0.0),
    ];
    assert_eq!(l.touch_count(), 2);
    assert_eq!(l.conversion_count(), 1);
    let set = build_journeys(&l, &JourneyOptions::default());
    assert_eq!(
        show(&set),
        vec![
            ("x#3:0".into(), 0.0, 0.0, 1.0, Some(T0)),
            (
                format!("x#3:{}", 2.0 / DAY_S),
                1.0,
                4.0,
                0.0,
                Some(T0 + 2000)
            ),
        ]
    );
    assert!(build_journeys(&EventLog::default(), &JourneyOptions::default()).is_empty());
    // Sizes never come from `users`, and sparse user numbers take the sorting path.
    let mut odd = l.clone();
    odd.users = usize::MAX;
    odd.events.push(Event::touch(u32::MAX - 7, T0, 0, 0.0));
    let set = build_journeys(&odd, &JourneyOptions::default());
    assert_eq!(set.len(), 3);
    assert_eq!(set.get(2).map(|j| j.nulls), Some(1.0));
}

#[test]
fn totals_match_the_log() {
    let mut s = HEADER.to_owned();
    for u in 0..50 {
        for k in 0..(u % 7) {
            s.push_str(&format!(
                "u{u},2025-03-{:02},c{},touch,\n",
                1 + (k * 5 + u) % 28,
                k % 3
            ));
        }
        if u % 3 != 0 {
            s.push_str(&format!("u{u},2025-03-{:02},,purchase,{u}\n", 1 + (u % 28)));
        }
    }
    let l = log(&s);
    let set = build_journeys(&l, &JourneyOptions { lookback_days: 7.0 });
    assert_eq!(set.total_conversions() as usize, l.conversion_count());
    let revenue: f64 = l.events.iter().map(Event::revenue).sum();
    assert_eq!(set.total_revenue(), revenue);
    assert!(set.touch_count() <= l.touch_count() + l.conversion_count());
    for j in set.iter() {
        assert!(!j.touches.is_empty());
        assert!(j.touches.windows(2).all(|w| w[0].age_secs >= w[1].age_secs));
        assert!(j
            .touches
            .iter()
            .all(|t| t.age_secs >= 0.0 && t.age_secs <= 7.0 * DAY_S));
    }
}
