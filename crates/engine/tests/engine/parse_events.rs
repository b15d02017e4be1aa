//! Event-log parsing: timestamps, header synonyms, dialects, conversion styles, rejections.

use refleqt_engine::dates::days_from_civil;
use refleqt_engine::parse::timestamp::{
    format_date, format_iso_ms, parse_timestamp, TimePart, TimestampError,
};
use refleqt_engine::parse::{
    parse_event_log, Delimiter, Event, EventKind, EventLog, EventLogOptions, Field, ParseError,
    RowError, RowReason,
};

const DAY: i64 = 86_400_000;

fn parse(csv: &str) -> EventLog {
    parse_with(csv, &EventLogOptions::default())
}

fn parse_with(csv: &str, opts: &EventLogOptions) -> EventLog {
    match parse_event_log(csv.as_bytes(), opts) {
        Ok(log) => log,
        Err(e) => panic!("parse failed: {e}"),
    }
}

/// (user, ts, kind, channel name or "", amount)
fn rows(log: &EventLog) -> Vec<(u32, i64, EventKind, String, f64)> {
    log.events
        .iter()
        .map(|e| {
            let channel = log
                .touch_key(e)
                .map(|k| log.channels.name(k.channel).to_owned())
                .unwrap_or_default();
            let amount = if e.is_conversion() {
                e.revenue()
            } else {
                e.cost()
            };
            (e.user(), e.ts_ms(), e.kind(), channel, amount)
        })
        .collect()
}

fn reject(line: u64, column: Option<&str>, reason: RowReason) -> RowError {
    RowError {
        line,
        column: column.map(str::to_owned),
        reason,
    }
}

fn ts(s: &str) -> i64 {
    match parse_timestamp(s) {
        Ok(t) => t,
        Err(e) => panic!("{s}: {e}"),
    }
}

// ---------------------------------------------------------------- timestamps

#[test]
fn timestamp_forms() {
    let base = days_from_civil(2025, 3, 1) * DAY; // 2025-03-01T00:00:00Z
    let t = base + (10 * 3600 + 11 * 60 + 12) * 1000; // 10:11:12
    assert_eq!(base, 1_740_787_200_000);
    for (s, want) in [
        ("2025-03-01T10:11:12Z", t),
        ("2025-03-01T10:11:12z", t),
        ("2025-03-01 10:11:12", t),
        ("2025-03-01t10:11:12", t),
        ("  2025-03-01T10:11:12Z  ", t),
        ("2025-03-01T10:11:12", t),
        ("2025-03-01T12:11:12+02:00", t),
        ("2025-03-01T12:11:12+0200", t),
        ("2025-03-01T12:11:12+02", t),
        ("2025-03-01T05:11:12-05:00", t),
        ("2025-03-01T15:41:12+05:30", t),
        ("2025-03-01 10:11:12 UTC", t),
        ("2025-03-01 10:11:12 gmt", t),
        ("2025-03-01 10:11:12 Z", t),
        ("2025-03-01T10:11:12.345Z", t + 345),
        ("2025-03-01T10:11:12.3Z", t + 300),
        ("2025-03-01T10:11:12.345678Z", t + 345),
        ("2025-03-01T10:11:12.999999999+00:00", t + 999),
        ("2025-03-01T10:11:12,5", t + 500),
        ("2025-03-01T10:11Z", t - 12_000),
        ("2025-03-01T10:11", t - 12_000),
        ("2025-3-1 9:05:00", base + (9 * 3600 + 5 * 60) * 1000),
        ("2025/03/01 10:11:12", t),
        ("2025-03-01", base),
        ("2025/03/01", base),
        ("20250301", base),
        ("2024-02-29", days_from_civil(2024, 2, 29) * DAY),
        ("2016-12-31T23:59:60Z", days_from_civil(2017, 1, 1) * DAY),
        ("1970-01-01T00:00:00Z", 0),
        ("1969-12-31T23:59:59.999Z", -1),
        ("0000-01-01", days_from_civil(0, 1, 1) * DAY),
        (
            "9999-12-31T23:59:59.999Z",
            days_from_civil(10_000, 1, 1) * DAY - 1,
        ),
        // Epoch numbers: the unit follows the magnitude.
        ("1740823872", t),
        ("1740823872.345", t + 345),
        ("1740823872345", t + 345),
        ("1740823872345.9", t + 345),
        ("1740823872345678", t + 345),
        ("1740823872345678912", t + 345),
        ("0", 0),
        ("99999999999", 99_999_999_999_000),
        ("100000000000", 100_000_000_000),
        ("99999999999999", 99_999_999_999_999),
        ("100000000000000", 100_000_000_000),
        ("-86400", -DAY),
        ("-0.5", -500),
        ("+1740823872", t),
    ] {
        assert_eq!(parse_timestamp(s), Ok(want), "{s}");
    }
}

#[test]
fn timestamp_errors() {
    use TimestampError::*;
    let range = |part, value| OutOfRange { part, value };
    for (s, want) in [
        ("", Empty),
        ("   ", Empty),
        ("yesterday", Unrecognised),
        ("2025-03-01T", Unrecognised),
        ("2025-03-01X10:11:12", Unrecognised),
        ("2025-03-01T10", Unrecognised),
        ("2025-03-01T10:11:12.", Unrecognised),
        ("2025-03-01T10:11:12+2", Unrecognised),
        ("2025-03-01T10:11:12+02:", Unrecognised),
        ("2025-03-01T10:11:12 PST", Unrecognised),
        ("2025-03-01T10:11:12Zjunk", Unrecognised),
        ("2025-03/01", Unrecognised),
        ("01/03/2025", Unrecognised),
        ("12.5.2025", Unrecognised),
        ("1740823872.", Unrecognised),
        ("17408e3", Unrecognised),
        ("-", Unrecognised),
        ("2025-13-01", range(TimePart::Month, 13)),
        ("2025-00-01", range(TimePart::Month, 0)),
        ("2025-02-29", range(TimePart::Day, 29)),
        ("2025-04-31", range(TimePart::Day, 31)),
        ("2025-03-00", range(TimePart::Day, 0)),
        ("2025-03-01T24:00:00", range(TimePart::Hour, 24)),
        ("2025-03-01T10:60:00", range(TimePart::Minute, 60)),
        ("2025-03-01T10:11:61", range(TimePart::Second, 61)),
        ("2025-03-01T10:11:12+24:00", range(TimePart::Offset, 24)),
        ("2025-03-01T10:11:12+02:75", range(TimePart::Offset, 75)),
        ("123456789012345678901", Overflow),
    ] {
        assert_eq!(parse_timestamp(s), Err(want), "{s:?}");
    }
    // An 8-digit number that is not a date stays an epoch (seconds in 1970).
    assert_eq!(parse_timestamp("20251399"), Ok(20_251_399_000));
    assert_eq!(parse_timestamp("18991231"), Ok(18_991_231_000));
}

#[test]
fn formatting() {
    assert_eq!(format_iso_ms(0), "1970-01-01T00:00:00.000Z");
    assert_eq!(format_iso_ms(-1), "1969-12-31T23:59:59.999Z");
    assert_eq!(format_iso_ms(1_740_823_872_345), "2025-03-01T10:11:12.345Z");
    assert_eq!(format_date(1_740_823_872_345), "2025-03-01");
    assert_eq!(ts(&format_iso_ms(1_740_823_872_345)), 1_740_823_872_345);
}

// ---------------------------------------------------------------- columns

#[test]
fn header_synonyms_and_mapping() {
    let log = parse(
        "Client ID,Event Timestamp,Marketing-Channel,UTM_Campaign,utm_medium,Revenue_USD,Event_Name\n\
         c1,1740823872345678,email,spring,newsletter,,page_view\n\
         c1,1740823900000000,,,,19.90,purchase\n",
    );
    let cols: Vec<(Field, &str, usize)> = log
        .report
        .columns
        .iter()
        .map(|c| (c.field, c.header.as_str(), c.index))
        .collect();
    assert_eq!(
        cols,
        vec![
            (Field::User, "Client ID", 0),
            (Field::Timestamp, "Event Timestamp", 1),
            (Field::Channel, "Marketing-Channel", 2),
            (Field::Medium, "utm_medium", 4),
            (Field::Campaign, "UTM_Campaign", 3),
            (Field::Revenue, "Revenue_USD", 5),
            (Field::EventType, "Event_Name", 6),
        ]
    );
    assert_eq!(log.report.column(Field::Source), None);
    assert_eq!(
        rows(&log),
        vec![
            (0, 1_740_823_872_345, EventKind::Touch, "email".into(), 0.0),
            (0, 1_740_823_900_000, EventKind::Conversion, "".into(), 19.9),
        ]
    );
    let key = log.touch_key(&log.events[0]).unwrap();
    assert_eq!(log.campaigns.name(key.campaign.unwrap()), "spring");
    assert_eq!(log.mediums.name(key.medium.unwrap()), "newsletter");
    assert_eq!(key.source, None);
    assert_eq!(key.entry, None);
}

#[test]
fn channel_and_source_both_present() {
    let log = parse(
        "user,time,source,channel\n\
         u1,2025-03-01,google,Paid Search\n",
    );
    let key = log.touch_key(&log.events[0]).unwrap();
    assert_eq!(log.channels.name(key.channel), "Paid Search");
    assert_eq!(log.sources.name(key.source.unwrap()), "google");
    assert_eq!(log.report.column(Field::Channel).unwrap().header, "channel");
    assert_eq!(log.report.column(Field::Source).unwrap().header, "source");
}

#[test]
fn source_serves_as_channel_when_there_is_no_channel() {
    let log = parse(
        "visitor_id,datetime,utm_source,utm_medium\n\
         v1,2025-03-01 08:00:00,newsletter,email\n",
    );
    let key = log.touch_key(&log.events[0]).unwrap();
    assert_eq!(log.channels.name(key.channel), "newsletter");
    assert_eq!(log.sources.name(key.source.unwrap()), "newsletter");
    assert_eq!(log.mediums.name(key.medium.unwrap()), "email");
    assert_eq!(
        log.report.column(Field::Channel).unwrap().header,
        "utm_source"
    );
}

#[test]
fn timestamp_synonym_priority() {
    // `event_timestamp` wins over `event_date` (GA4 exports have both).
    let log = parse(
        "user_pseudo_id,event_date,event_timestamp,channel\n\
         123.456,20250301,1740823872345678,organic\n",
    );
    assert_eq!(log.events[0].ts_ms(), 1_740_823_872_345);
    assert_eq!(
        log.report.column(Field::Timestamp).unwrap().header,
        "event_timestamp"
    );
}

#[test]
fn missing_columns_are_fatal_and_named() {
    let err = parse_event_log(b"id,when,campaign\n1,2025-03-01,x\n", &Default::default());
    let Err(ParseError::MissingColumns { missing, found }) = err else {
        panic!("expected MissingColumns, got {err:?}");
    };
    assert_eq!(missing, vec![Field::User, Field::Timestamp, Field::Channel]);
    assert_eq!(found, vec!["id", "when", "campaign"]);
    let msg = ParseError::MissingColumns { missing, found }.to_string();
    assert!(
        msg.starts_with(
            "missing columns: user (one of: user_pseudo_id, client_id, clientid, user_id,"
        ),
        "{msg}"
    );
    assert!(msg.contains("channel (a channel column: channel"), "{msg}");
    assert!(
        msg.ends_with("headers found: \"id\", \"when\", \"campaign\""),
        "{msg}"
    );

    let err = parse_event_log(b"user,timestamp\nu,2025-03-01\n", &Default::default());
    assert!(
        matches!(&err, Err(ParseError::MissingColumns { missing, .. }) if missing == &[Field::Channel]),
        "{err:?}"
    );
    assert_eq!(
        parse_event_log(b"", &Default::default()),
        Err(ParseError::NoHeader)
    );
    assert_eq!(
        parse_event_log(b"\n \r\n\n", &Default::default()),
        Err(ParseError::NoHeader)
    );
}

#[test]
fn column_overrides() {
    let opts = EventLogOptions {
        columns: vec![
            (Field::User, "Email".into()),
            (Field::Channel, "Referrer Type".into()),
        ],
        ..Default::default()
    };
    let log = parse_with(
        "email,user_id,time,referrer type,channel\n\
         a@x.io,ignored,2025-03-01,social,ignored\n",
        &opts,
    );
    let key = log.touch_key(&log.events[0]).unwrap();
    assert_eq!(log.channels.name(key.channel), "social");
    assert_eq!(log.report.column(Field::User).unwrap().header, "email");
    let bad = EventLogOptions {
        columns: vec![(Field::User, "nope".into())],
        ..Default::default()
    };
    assert_eq!(
        parse_event_log(b"user,time,channel\n", &bad),
        Err(ParseError::UnknownColumn {
            field: Field::User,
            header: "nope".into()
        })
    );
}

// ---------------------------------------------------------------- dialect

#[test]
fn delimiter_sniffing_and_explicit() {
    let semi = parse(
        "user;time;channel;revenue;event\nu1;2025-03-01;email;;\nu1;2025-03-02;;12,50;purchase\n",
    );
    assert_eq!(semi.report.delimiter, ';');
    assert_eq!(semi.events[1].revenue(), 12.5);

    let tab = parse("user\ttime\tchannel\nu1\t2025-03-01\temail, newsletter\n");
    assert_eq!(tab.report.delimiter, '\t');
    assert_eq!(tab.channels.name(0), "email, newsletter");

    // Given explicitly: a pipe.
    let opts = EventLogOptions {
        delimiter: Delimiter::from_char('|'),
        ..Default::default()
    };
    let pipe = parse_with("user|time|channel\nu1|2025-03-01|a,b\n", &opts);
    assert_eq!(pipe.report.delimiter, '|');
    assert_eq!(pipe.channels.name(0), "a,b");
    assert_eq!(Delimiter::from_char('"'), None);
    assert_eq!(Delimiter::new(b'\n'), None);
    assert_eq!(Delimiter::from_char('é'), None);
}

#[test]
fn quoting_bom_crlf_and_line_numbers() {
    let csv = "\u{feff}\"user\",\"time\",\"channel\"\r\n\
               \"u,1\",2025-03-01,\"Email \"\"VIP\"\"\"\r\n\
               u2,2025-03-02,\"multi\r\nline\nchannel\"\r\n\
               \r\n\
               u3,not a time,x\r\n\
               u4,2025-03-03,\"a;b\"\r\n";
    let log = parse(csv);
    assert_eq!(log.report.delimiter, ',');
    assert_eq!(log.report.accepted, 3);
    assert_eq!(
        log.channels.names(),
        ["Email \"VIP\"", "multi\r\nline\nchannel", "a;b"]
    );
    assert_eq!(log.users, 3);
    assert_eq!(
        log.report.rejected,
        vec![reject(
            7,
            Some("time"),
            RowReason::Timestamp {
                value: "not a time".into(),
                error: TimestampError::Unrecognised
            }
        )]
    );
}

#[test]
fn blank_lines_and_whitespace_are_not_rows() {
    let log = parse("\n\nuser,time,channel\n\n  \nu1,2025-03-01, email \n\n");
    assert_eq!(log.report.accepted, 1);
    assert_eq!(log.report.rejected_count, 0);
    assert_eq!(log.channels.names(), ["email"]);
}

#[test]
fn latin1_names_are_decoded() {
    let mut csv = b"user,time,channel\nu1,2025-03-01,Caf".to_vec();
    csv.push(0xE9); // é in Latin-1, invalid UTF-8
    csv.push(b'\n');
    let log = parse_event_log(&csv, &Default::default()).unwrap();
    assert_eq!(log.channels.names(), ["Café"]);
}

// ---------------------------------------------------------------- conversions

#[test]
fn conversion_rows_by_event_type() {
    let log = parse(
        "user,time,channel,event,value\n\
         u1,2025-03-01T10:00:00Z,email,click,\n\
         u1,2025-03-01T11:00:00Z,,Purchase,30\n\
         u2,2025-03-01T12:00:00Z,social,page_view,\n\
         u2,2025-03-01T13:00:00Z,social,Sign Up,\n\
         u3,2025-03-01T14:00:00Z,,SIGN-UP,1.5\n\
         u3,2025-03-01T15:00:00Z,ads,touch,99\n",
    );
    let t = |h: i64| days_from_civil(2025, 3, 1) * DAY + h * 3_600_000;
    assert_eq!(
        rows(&log),
        vec![
            (0, t(10), EventKind::Touch, "email".into(), 0.0),
            (0, t(11), EventKind::Conversion, "".into(), 30.0),
            (1, t(12), EventKind::Touch, "social".into(), 0.0),
            // A conversion event's channel is not a touch.
            (1, t(13), EventKind::Conversion, "".into(), 0.0),
            (2, t(14), EventKind::Conversion, "".into(), 1.5),
            // Revenue on a touch is ignored.
            (2, t(15), EventKind::Touch, "ads".into(), 0.0),
        ]
    );
    assert_eq!(log.touch_count(), 3);
    assert_eq!(log.conversion_count(), 3);
}

#[test]
fn extra_conversion_event_names() {
    let opts = EventLogOptions {
        conversion_events: vec!["Book Demo".into()],
        ..Default::default()
    };
    let log = parse_with(
        "user,time,channel,event_type\nu,2025-03-01,x,view\nu,2025-03-02,,book-demo\n",
        &opts,
    );
    assert_eq!(log.events[1].kind(), EventKind::Conversion);
}

#[test]
fn conversion_flags() {
    let log = parse(
        "user,time,channel,converted,revenue\n\
         u1,2025-03-01,email,0,\n\
         u1,2025-03-02,search,TRUE,25.5\n\
         u2,2025-03-03,,yes,10\n\
         u2,2025-03-04,social,no,\n\
         u2,2025-03-05,social,,\n\
         u3,2025-03-06,ads,1.0,\n\
         u3,2025-03-07,ads,maybe,\n\
         u3,2025-03-08,,0,\n",
    );
    let d = |day: i64| days_from_civil(2025, 3, 1) * DAY + (day - 1) * DAY;
    assert_eq!(
        rows(&log),
        vec![
            (0, d(1), EventKind::Touch, "email".into(), 0.0),
            (0, d(2), EventKind::Touch, "search".into(), 0.0),
            (0, d(2), EventKind::FlaggedConversion, "".into(), 25.5),
            (1, d(3), EventKind::Conversion, "".into(), 10.0),
            (1, d(4), EventKind::Touch, "social".into(), 0.0),
            (1, d(5), EventKind::Touch, "social".into(), 0.0),
            (2, d(6), EventKind::Touch, "ads".into(), 0.0),
            (2, d(6), EventKind::FlaggedConversion, "".into(), 0.0),
        ]
    );
    assert_eq!(log.report.accepted, 6);
    assert_eq!(
        log.report.rejected,
        vec![
            reject(
                8,
                Some("converted"),
                RowReason::BadFlag {
                    value: "maybe".into()
                }
            ),
            reject(9, Some("channel"), RowReason::Empty),
        ]
    );
}

#[test]
fn costs_and_amount_errors() {
    let log = parse(
        "user,time,channel,cost,event,revenue\n\
         u1,2025-03-01,ads,0.35,click,\n\
         u1,2025-03-02,ads,-1,click,\n\
         u1,2025-03-03,ads,abc,click,\n\
         u1,2025-03-04,,,purchase,-5\n\
         u1,2025-03-05,,,purchase,1e2\n\
         u1,2025-03-06,,,purchase,$5\n\
         u1,2025-03-07,ads,12,click,\n",
    );
    assert_eq!(log.events[0].cost(), 0.35);
    assert_eq!(log.events[1].revenue(), 100.0);
    assert_eq!(log.events[2].cost(), 12.0);
    assert_eq!(log.events[1].cost(), 0.0);
    assert_eq!(log.events[0].revenue(), 0.0);
    assert_eq!(
        log.report.rejected,
        vec![
            reject(3, Some("cost"), RowReason::Negative { value: "-1".into() }),
            reject(
                4,
                Some("cost"),
                RowReason::NotANumber {
                    value: "abc".into()
                }
            ),
            reject(
                5,
                Some("revenue"),
                RowReason::Negative { value: "-5".into() }
            ),
            reject(
                7,
                Some("revenue"),
                RowReason::NotANumber { value: "$5".into() }
            ),
        ]
    );
}

// ---------------------------------------------------------------- rejections

#[test]
fn rejections_have_line_column_and_reason() {
    let csv = "user_id,timestamp,channel\n\
               u1,2025-03-01,email\n\
               u2,2025-03-01\n\
               ,2025-03-01,email\n\
               u3,2025-02-30,email\n\
               u4,2025-03-01,,\n\
               u5,,email\n\
               u6,2025-03-01,   \n\
               u7,2025-03-01,\"never closed\n\
               u8,2025-03-01,email\n";
    let log = parse(csv);
    assert_eq!(log.report.accepted, 1);
    assert_eq!(log.report.rejected_count, 7);
    assert_eq!(log.report.data_rows(), 8);
    assert_eq!(
        log.report.rejected,
        vec![
            reject(
                3,
                None,
                RowReason::FieldCount {
                    expected: 3,
                    found: 2
                }
            ),
            reject(4, Some("user_id"), RowReason::Empty),
            reject(
                5,
                Some("timestamp"),
                RowReason::Timestamp {
                    value: "2025-02-30".into(),
                    error: TimestampError::OutOfRange {
                        part: TimePart::Day,
                        value: 30
                    }
                }
            ),
            reject(
                6,
                None,
                RowReason::FieldCount {
                    expected: 3,
                    found: 4
                }
            ),
            reject(
                7,
                Some("timestamp"),
                RowReason::Timestamp {
                    value: "".into(),
                    error: TimestampError::Empty
                }
            ),
            reject(8, Some("channel"), RowReason::Empty),
            // The open quote swallows the rest of the file: one rejected row.
            reject(9, None, RowReason::UnterminatedQuote),
        ]
    );
    assert_eq!(
        log.report.rejected[0].to_string(),
        "line 3: expected 3 fields like the header, found 2"
    );
    assert_eq!(
        log.report.rejected[1].to_string(),
        "line 4, column \"user_id\": empty value"
    );
    // Rejected rows create no users.
    assert_eq!(log.users, 1);
}

#[test]
fn rejection_list_is_capped_but_counted() {
    let mut csv = String::from("user,time,channel\n");
    for i in 0..10 {
        csv.push_str(&format!("u{i},bad,email\n"));
    }
    let opts = EventLogOptions {
        max_stored_rejections: 3,
        ..Default::default()
    };
    let log = parse_with(&csv, &opts);
    assert_eq!(log.report.rejected_count, 10);
    assert_eq!(log.report.rejected.len(), 3);
    assert_eq!(
        log.report
            .rejected
            .iter()
            .map(|r| r.line)
            .collect::<Vec<_>>(),
        [2, 3, 4]
    );
}

#[test]
fn long_value_snippets_are_truncated() {
    let long = "x".repeat(100);
    let log = parse(&format!("user,time,channel\nu,{long},c\n"));
    let RowReason::Timestamp { value, .. } = &log.report.rejected[0].reason else {
        panic!("{:?}", log.report.rejected);
    };
    assert_eq!(value.chars().count(), 61);
    assert!(value.ends_with('…'));
}

// ---------------------------------------------------------------- users and entries

#[test]
fn users_are_numbered_in_first_seen_order() {
    let long_a = "a".repeat(40);
    let long_b = "b".repeat(40);
    let csv = format!(
        "user,time,channel\n\
         zed,2025-03-01,x\n\
         {long_a},2025-03-01,x\n\
         \"ann\",2025-03-01,x\n\
         \" zed \",2025-03-01,x\n\
         \"q\"\"uote\",2025-03-01,x\n\
         {long_b},2025-03-01,x\n\
         ann,2025-03-01,x\n\
         {long_a},2025-03-01,x\n\
         \"q\"\"uote\",2025-03-01,x\n"
    );
    let log = parse(&csv);
    let users: Vec<u32> = log.events.iter().map(Event::user).collect();
    assert_eq!(users, [0, 1, 2, 0, 3, 4, 2, 1, 3]);
    assert_eq!(log.users, 5);
}

#[test]
fn many_users_survive_table_growth() {
    let mut csv = String::from("user,time,channel\n");
    for i in 0..20_000 {
        csv.push_str(&format!("user-{i},2025-03-01,c\n"));
    }
    for i in (0..20_000).rev() {
        csv.push_str(&format!("user-{i},2025-03-02,c\n"));
    }
    let log = parse(&csv);
    assert_eq!(log.users, 20_000);
    for (i, e) in log.events.iter().enumerate() {
        let want = if i < 20_000 { i } else { 39_999 - i };
        assert_eq!(e.user() as usize, want);
    }
}

#[test]
fn calendar_entries_from_content_and_url() {
    let log = parse(
        "user,time,channel,utm_content,landing_page\n\
         u,2025-03-01,email,cal-42,\n\
         u,2025-03-01,email,CAL%2D7,https://x.io/?utm_content=cal-9\n\
         u,2025-03-01,email,banner,https://x.io/p?utm_source=nl&utm_content=cal-9\n\
         u,2025-03-01,email,,https://x.io/p?UTM_CONTENT=cal%2d10#top\n\
         u,2025-03-01,email,,https://x.io/p\n",
    );
    let entries: Vec<Option<u64>> = log
        .events
        .iter()
        .map(|e| log.touch_key(e).and_then(|k| k.entry))
        .collect();
    assert_eq!(entries, [Some(42), Some(7), Some(9), Some(10), None]);
    assert_eq!(log.touch_keys.len(), 5);
}
