//! Property tests: no input makes the parsers panic, every data row is either accepted or
//! rejected, and timestamps survive formatting and parsing.

use proptest::prelude::*;
use refleqt_engine::assemble::{build_journeys, JourneyOptions};
use refleqt_engine::dates::days_from_civil;
use refleqt_engine::parse::csv::{Reader, Record};
use refleqt_engine::parse::timestamp::{
    format_date, format_iso_ms, parse_timestamp, TimestampParser, MICROS_BELOW, MILLIS_BELOW,
    SECONDS_BELOW,
};
use refleqt_engine::parse::{
    parse_event_log, parse_path_table, Delimiter, EventLogOptions, ParseReport, PathTableOptions,
};

/// Non-blank records after the first non-blank one (the header), as the parsers count them.
fn data_rows(bytes: &[u8], delimiter: char) -> usize {
    let Some(d) = Delimiter::from_char(delimiter) else {
        return usize::MAX;
    };
    let mut r = Reader::new(bytes, d);
    let mut rec = Record::new();
    let mut n = 0;
    let mut header = false;
    while r.read(&mut rec) {
        if rec.is_blank() {
            continue;
        }
        if header {
            n += 1;
        }
        header = true;
    }
    n
}

fn check_report(bytes: &[u8], report: &ParseReport, cap: usize) {
    assert_eq!(report.data_rows(), data_rows(bytes, report.delimiter));
    assert_eq!(report.rejected.len(), report.rejected_count.min(cap));
    assert!(report.rejected.windows(2).all(|w| w[0].line < w[1].line));
    let lines = bytes.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    assert!(report
        .rejected
        .iter()
        .all(|r| r.line >= 2 && r.line <= lines));
}

fn check_all(bytes: &[u8]) {
    let cap = 5;
    let opts = EventLogOptions {
        max_stored_rejections: cap,
        ..Default::default()
    };
    if let Ok(log) = parse_event_log(bytes, &opts) {
        check_report(bytes, &log.report, cap);
        assert!(log.events.iter().all(|e| (e.user() as usize) < log.users));
        let set = build_journeys(&log, &JourneyOptions::default());
        assert_eq!(set.total_conversions() as usize, log.conversion_count());
    }
    let popts = PathTableOptions {
        max_stored_rejections: cap,
        ..Default::default()
    };
    if let Ok(t) = parse_path_table(bytes, &popts) {
        check_report(bytes, &t.report, cap);
        assert_eq!(t.set.len(), t.report.accepted);
    }
}

/// Bytes that matter to the parsers, mixed with a few arbitrary ones.
fn interesting_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        8 => prop::sample::select(b",;\t\"\n\r -:.+TZ0123456789>acl%".to_vec()),
        1 => any::<u8>(),
    ]
}

const EVENT_HEADERS: &[&str] = &[
    "user,time,channel\n",
    "user_id;timestamp;channel;event;revenue;utm_content\n",
    "user,time,source,converted,value,cost,landing_url\n",
    "\u{feff}\"user\",\"ts\",\"channel\",\"type\"\r\n",
    "path,total_conversions,total_conversion_value,total_null\n",
    "path;conversions\n",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        check_all(&bytes);
    }

    #[test]
    fn headers_with_noise_never_panic(
        header in prop::sample::select(EVENT_HEADERS),
        body in prop::collection::vec(interesting_byte(), 0..1024),
    ) {
        let mut bytes = header.as_bytes().to_vec();
        bytes.extend_from_slice(&body);
        check_all(&bytes);
    }

    #[test]
    fn structured_rows_are_accepted_or_rejected(
        rows in prop::collection::vec(
            (
                prop::sample::select(vec!["u1", "u2", "", " u3 ", "\"u,4\"", "\"u\"\"5\""]),
                prop::sample::select(vec![
                    "2025-03-01", "2025-03-01T10:00:00Z", "1740823872345", "bad", "",
                    "2025-02-30", "\"2025-03-02 10:00\"",
                ]),
                prop::sample::select(vec!["email", "", "\"a,b\"", "\"multi\nline\"", "cal"]),
                prop::sample::select(vec!["", "purchase", "touch", "Sign-Up"]),
                prop::sample::select(vec!["", "1.5", "-2", "x", "\"3,5\""]),
                prop::sample::select(vec!["", "cal-1", "CAL%2D2", "https://x?utm_content=cal-3"]),
                0usize..3,
            ),
            0..40,
        )
    ) {
        let mut csv = String::from("user,time,channel,event,revenue,utm_content\n");
        for (u, t, c, e, r, content, extra) in &rows {
            let mut fields = vec![*u, *t, *c, *e, *r, *content];
            // Some rows have a wrong number of fields.
            match extra {
                1 => fields.push("extra"),
                2 => {
                    fields.pop();
                }
                _ => {}
            }
            csv.push_str(&fields.join(","));
            csv.push('\n');
        }
        let log = parse_event_log(csv.as_bytes(), &EventLogOptions::default())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(log.report.accepted + log.report.rejected_count, rows.len());
        check_report(csv.as_bytes(), &log.report, 1000);
        let set = build_journeys(&log, &JourneyOptions { lookback_days: 1.0 });
        prop_assert_eq!(set.total_conversions() as usize, log.conversion_count());
    }

    #[test]
    fn iso_round_trip(ms in days_from_civil(0, 1, 1) * 86_400_000
        ..days_from_civil(10_000, 1, 1) * 86_400_000)
    {
        let s = format_iso_ms(ms);
        prop_assert_eq!(parse_timestamp(&s), Ok(ms), "{}", s);
        // The date alone is midnight of that day.
        let day = 86_400_000;
        prop_assume!(ms > days_from_civil(0, 1, 2) * day && ms < days_from_civil(9999, 12, 31) * day);
        let s = format_iso_ms(ms);
        let date = &s[..10];
        prop_assert_eq!(parse_timestamp(date), Ok(ms.div_euclid(day) * day));
        prop_assert_eq!(parse_timestamp(&format_date(ms)), Ok(ms.div_euclid(day) * day));
    }

    #[test]
    fn offset_round_trip(
        ms in days_from_civil(1900, 1, 1) * 86_400_000..days_from_civil(2200, 1, 1) * 86_400_000,
        offset_min in -(23 * 60 + 59)..=(23 * 60 + 59i64),
        colon in any::<bool>(),
        space in any::<bool>(),
    ) {
        let local = format_iso_ms(ms + offset_min * 60_000);
        let sign = if offset_min < 0 { '-' } else { '+' };
        let (h, m) = (offset_min.abs() / 60, offset_min.abs() % 60);
        let mut s = local[..23].to_owned();
        if space {
            s.replace_range(10..11, " ");
        }
        s.push_str(&if colon { format!("{sign}{h:02}:{m:02}") } else { format!("{sign}{h:02}{m:02}") });
        prop_assert_eq!(parse_timestamp(&s), Ok(ms), "{}", s);
    }

    #[test]
    fn epoch_round_trip(secs in -(SECONDS_BELOW as i64 - 1)..SECONDS_BELOW as i64,
                        millis in SECONDS_BELOW..MILLIS_BELOW,
                        micros in MILLIS_BELOW..MICROS_BELOW,
                        nanos in MICROS_BELOW..i64::MAX as u64,
                        frac in 0u32..1000) {
        prop_assert_eq!(parse_timestamp(&secs.to_string()), Ok(secs * 1000));
        let with_frac = format!("{secs}.{frac:03}");
        let want = if secs < 0 || with_frac.starts_with('-') {
            secs * 1000 - i64::from(frac)
        } else {
            secs * 1000 + i64::from(frac)
        };
        prop_assert_eq!(parse_timestamp(&with_frac), Ok(want), "{}", with_frac);
        prop_assert_eq!(parse_timestamp(&millis.to_string()), Ok(millis as i64));
        prop_assert_eq!(parse_timestamp(&micros.to_string()), Ok((micros / 1000) as i64));
        prop_assert_eq!(parse_timestamp(&nanos.to_string()), Ok((nanos / 1_000_000) as i64));
    }

    #[test]
    fn cached_parser_matches_stateless(
        values in prop::collection::vec(
            (
                prop::sample::select(vec![
                    "2025-03-01", "2025-03-02", "2024-02-29", "2025-02-29", "2025-3-01",
                    "2025/03/01", "2025-03-0x",
                ]),
                prop::sample::select(vec![
                    "", "T10:11:12", " 10:11:12", "T10:11:12Z", "T10:11:12.5+02:00", "T25:00:00",
                    "T10:11", "t10:11:12 UTC", "X10:11:12",
                ]),
            ),
            1..30,
        )
    ) {
        let mut p = TimestampParser::new();
        for (date, time) in &values {
            let s = format!("{date}{time}");
            prop_assert_eq!(p.parse(s.as_bytes()), parse_timestamp(&s), "{}", s);
        }
    }
}
