//! `parse_event_log_split` gives exactly what `parse_event_log` gives — events, ids, names,
//! touch keys, report, rejected lines — for any number of pieces, run on threads or in any
//! order, including cuts that fall inside quoted fields holding newlines (native tier).

use crate::OnThreads;
use proptest::prelude::*;
use refleqt_engine::jobs::{Jobs, OneByOne};
use refleqt_engine::parse::{parse_event_log, parse_event_log_split, EventLogOptions};
use refleqt_engine::simulate::{simulate_to_csv, SimConfig};

/// Runs the jobs last first, one at a time, `width` pieces.
struct Backwards(usize);

impl Jobs for Backwards {
    fn run<'a>(&self, jobs: Vec<Box<dyn FnOnce() + Send + 'a>>) {
        for job in jobs.into_iter().rev() {
            job();
        }
    }

    fn width(&self) -> usize {
        self.0
    }
}

fn assert_same(bytes: &[u8], opts: &EventLogOptions) {
    let whole = parse_event_log(bytes, opts);
    for width in 1..=7 {
        assert_eq!(
            parse_event_log_split(bytes, opts, &OnThreads(width)),
            whole,
            "{width} pieces on threads"
        );
        assert_eq!(
            parse_event_log_split(bytes, opts, &Backwards(width)),
            whole,
            "{width} pieces backwards"
        );
    }
    assert_eq!(parse_event_log_split(bytes, opts, &OneByOne), whole);
}

#[test]
fn a_simulated_log_parses_the_same_in_pieces() {
    let cfg = SimConfig {
        journeys: 3_000,
        seed: 7,
        ..SimConfig::default()
    };
    let mut events = Vec::new();
    simulate_to_csv(&cfg, Some(&mut events), None).unwrap();
    let log = parse_event_log(&events, &EventLogOptions::default()).unwrap();
    assert!(log.users > 1_000 && log.report.rejected_count == 0);
    assert_same(&events, &EventLogOptions::default());
}

#[test]
fn a_cut_inside_a_quoted_newline_field_is_read_on() {
    // One campaign name holds hundreds of newlines around the middle of the file: every cut of
    // a few pieces lands inside it.
    let mut csv = String::from("user_id,timestamp,channel,campaign,event,revenue\n");
    for i in 0..50 {
        csv += &format!("u{i},2025-01-0{}T10:00:00Z,email,plain,touch,\n", 1 + i % 9);
    }
    csv += "u7,2025-01-05T11:00:00Z,social,\"long\n";
    for _ in 0..400 {
        csv += "still the same campaign, with a comma\n";
    }
    csv += "end\",touch,\n";
    for i in 0..50 {
        csv += &format!(
            "u{i},2025-01-0{}T12:00:00Z,search,plain,purchase,12.5\n",
            1 + i % 9
        );
    }
    csv += "bad row,not a time,email,x,touch,\n";
    let opts = EventLogOptions::default();
    let log = parse_event_log(csv.as_bytes(), &opts).unwrap();
    assert_eq!(log.report.rejected_count, 1);
    assert_eq!(log.report.rejected[0].line, 504);
    assert_eq!(log.campaigns.len(), 2);
    assert_same(csv.as_bytes(), &opts);
}

#[test]
fn fatal_errors_are_the_same() {
    let opts = EventLogOptions::default();
    assert_same(b"", &opts);
    assert_same(b"a,b,c\n1,2,3\n4,5,6\n", &opts);
    let too_many = EventLogOptions {
        max_channels: 3,
        ..Default::default()
    };
    let mut csv = String::from("user,timestamp,channel\n");
    for i in 0..40 {
        csv += &format!("u{},2025-02-01,c{}\n", i % 7, i % 5);
    }
    assert!(parse_event_log(csv.as_bytes(), &too_many).is_err());
    assert_same(csv.as_bytes(), &too_many);
}

/// One field from a small pool that exercises the reader and the interners: quotes with
/// delimiters, newlines and doubled quotes, long user ids (past the inline 27 bytes), spaces.
fn field(pool: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::sample::select(pool).prop_map(str::to_owned)
}

const USERS: &[&str] = &[
    "u1",
    "u2",
    " u1 ",
    "u3",
    "a-user-id-that-is-much-longer-than-27-bytes",
    "\"u,4\"",
    "\"u\n5\"",
    "\"u\"\"6\"",
    "",
];
const TIMES: &[&str] = &[
    "2025-01-01T10:00:00Z",
    "2025-01-02",
    "2025-01-01T09:00:00+02:00",
    "1735725600",
    "not a time",
    "",
];
const CHANNELS: &[&str] = &["email", "search", " email", "\"so,cial\"", "\"x\ny\"", ""];
const CONTENT: &[&str] = &["", "cal-1", "cal-22", "\"cal-3\"", "other"];
const EVENTS: &[&str] = &["touch", "purchase", "Sign Up", "", "lead"];
const AMOUNTS: &[&str] = &["", "1.5", "12", "-3", "abc"];

fn row() -> impl Strategy<Value = String> {
    (
        field(USERS),
        field(TIMES),
        field(CHANNELS),
        field(CONTENT),
        field(EVENTS),
        field(AMOUNTS),
        0u8..20,
    )
        .prop_map(|(u, t, c, k, e, a, shape)| match shape {
            0 => String::new(),                        // a blank line
            1 => format!("{u},{t},{c}"),               // too few fields
            2 => format!("{u},{t},{c},{k},{e},{a}\r"), // CRLF
            _ => format!("{u},{t},{c},{k},{e},{a}"),
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_logs_parse_the_same_in_pieces(rows in prop::collection::vec(row(), 0..120)) {
        let mut csv = String::from("user_id,timestamp,channel,utm_content,event,revenue\n");
        for r in &rows {
            csv += r;
            csv.push('\n');
        }
        let opts = EventLogOptions {
            max_stored_rejections: 7,
            ..Default::default()
        };
        let whole = parse_event_log(csv.as_bytes(), &opts);
        for width in [2, 3, 5] {
            prop_assert_eq!(&parse_event_log_split(csv.as_bytes(), &opts, &OnThreads(width)), &whole);
            prop_assert_eq!(&parse_event_log_split(csv.as_bytes(), &opts, &Backwards(width)), &whole);
        }
    }
}
