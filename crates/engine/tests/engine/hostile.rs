//! The adversarial suite: every parser on every hostile file (markup, bidi overrides, huge and
//! non-finite numbers, NUL bytes, a BOM in the middle, a 2 MB line, 50,000 channels, deeply
//! nested JSON), and each input-controlled limit at its value and one past it.
//!
//! Small hostile files live in `tests/fixtures/hostile/`; large ones are generated here, so no
//! multi-megabyte file is committed.

use proptest::prelude::*;
use refleqt_engine::assemble::{build_journeys, JourneyOptions};
use refleqt_engine::bootstrap::{self, BootstrapOptions, MAX_REPLICATES};
use refleqt_engine::csv_out;
use refleqt_engine::imports::{import_as, ImportError, ImportOptions, Layout};
use refleqt_engine::journey::{JourneySet, PathAggregate};
use refleqt_engine::models::entry_split::EntrySplit;
use refleqt_engine::models::markov::{self, MarkovError, MarkovLimits, Solver};
use refleqt_engine::models::{attribute_all, Model, ModelError, ModelParams};
use refleqt_engine::parse::csv::{Reader, Record};
use refleqt_engine::parse::{
    parse_event_log, parse_path_table, Delimiter, EventLogOptions, ParseError, PathTableOptions,
    RowReason, DEFAULT_MAX_CHANNELS, DEFAULT_MAX_PATH_STEPS, MAX_RECORD_BYTES,
};

const CAP: usize = 3;

fn hostile_files() -> Vec<(String, Vec<u8>)> {
    let dir = format!("{}/tests/fixtures/hostile", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .expect("the hostile fixtures folder")
        .map(|e| {
            let path = e.expect("entry").path();
            let name = path
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            (name, std::fs::read(&path).expect("readable"))
        })
        .collect();
    files.sort();
    assert!(files.len() >= 9, "hostile fixtures missing: {files:?}");
    files
}

/// Hostile inputs too large to commit.
fn generated() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    // A 2 MB single line, after each CSV layout's header.
    let long = "x".repeat(2 << 20);
    for header in [
        "user_id,timestamp,channel",
        "path,total_conversions",
        "Campaign,Day,Currency code,Impr.,Clicks,Cost",
    ] {
        out.push((
            format!("2 MB line after {header}"),
            format!("{header}\n{long},1,1\nu,2025-01-01,Email\n").into_bytes(),
        ));
    }
    out.push(("2 MB line, no newline at all".into(), long.into_bytes()));
    // 50,000 distinct channels (referral spam).
    let mut spam = String::from("user_id,timestamp,source\n");
    let mut spam_paths = String::from("path,total_conversions\n");
    for i in 0..50_000 {
        spam.push_str(&format!("u{i},2025-01-01T00:00:00Z,spam-{i}.example\n"));
        spam_paths.push_str(&format!("spam-{i}.example,1\n"));
    }
    out.push(("50,000 sources".into(), spam.into_bytes()));
    out.push(("50,000 path channels".into(), spam_paths.into_bytes()));
    // Deeply nested JSON.
    out.push(("[[[[…".into(), "[".repeat(100_000).into_bytes()));
    out.push((
        "{\"data\":{\"data\":…".into(),
        "{\"data\":".repeat(50_000).into_bytes(),
    ));
    out.push((
        "rows of nested arrays".into(),
        format!("{{\"rows\":{}1{}}}", "[".repeat(5000), "]".repeat(5000)).into_bytes(),
    ));
    // NUL bytes everywhere, a BOM in the middle of every line.
    out.push(("NUL bytes".into(), vec![0u8; 100_000]));
    out.push((
        "BOM mid-line".into(),
        "user_id,timestamp,channel\n"
            .bytes()
            .chain(
                "u\u{feff}1,2025-01-01\u{feff},Em\u{feff}ail\n"
                    .repeat(100)
                    .bytes(),
            )
            .collect(),
    ));
    out
}

/// Everything a parse may give back on hostile input: bounded, finite, worded.
fn check_import(
    what: &str,
    layout: Layout,
    result: Result<refleqt_engine::imports::Import, ImportError>,
) {
    match result {
        Ok(imp) => {
            let r = &imp.report;
            assert!(
                r.rejected.len() <= CAP,
                "{what} as {layout:?}: {} stored",
                r.rejected.len()
            );
            assert!(r.rejected.len() <= r.rejected_count);
            for e in &r.rejected {
                let msg = e.to_string();
                assert!(!msg.is_empty() && msg.len() < 2000, "{what}: {msg}");
            }
            for row in &imp.rows {
                for (k, v) in &row.metrics {
                    assert!(
                        v.is_finite() && *v >= 0.0,
                        "{what} as {layout:?}: {k} = {v}"
                    );
                }
            }
            if let Some(log) = &imp.event_log {
                assert!(log.channels.len() <= DEFAULT_MAX_CHANNELS, "{what}");
                run_models(what, &build_journeys(log, &JourneyOptions::default()));
            }
            if let Some(t) = &imp.path_table {
                assert!(t.set.channels.len() <= DEFAULT_MAX_CHANNELS, "{what}");
                run_models(what, &t.set);
            }
        }
        Err(e) => {
            let msg = e.to_string();
            assert!(
                !msg.is_empty() && msg.len() < 10_000,
                "{what} as {layout:?}: {msg}"
            );
        }
    }
}

/// Every model on a hostile data set: finite credit, names safe in a CSV.
fn run_models(what: &str, set: &JourneySet) {
    for (model, result) in attribute_all(set, &Model::ALL, &ModelParams::default()) {
        let Ok(r) = result else { continue };
        for c in &r.channels {
            assert!(
                c.conversions.is_finite() && c.revenue.is_finite(),
                "{what} {model:?}"
            );
            let cell = csv_out::cell(&c.name);
            assert!(!csv_out::is_formula_like(&cell), "{what}: {cell}");
        }
    }
}

#[test]
fn every_parser_on_every_hostile_file() {
    let opts = ImportOptions {
        max_stored_rejections: CAP,
        ..ImportOptions::default()
    };
    for (name, bytes) in hostile_files().into_iter().chain(generated()) {
        for layout in Layout::ALL {
            check_import(&name, layout, import_as(layout, &bytes, &opts));
        }
        check_import(
            &name,
            Layout::EventLog,
            refleqt_engine::detect::import(&bytes, &name, &opts),
        );
        // The engine's own parsers directly, with their defaults.
        let _events: Result<_, ParseError> = parse_event_log(&bytes, &EventLogOptions::default());
        let _paths: Result<_, ParseError> = parse_path_table(&bytes, &PathTableOptions::default());
    }
}

#[test]
fn hostile_names_survive_as_text() {
    let files = hostile_files();
    let events = &files
        .iter()
        .find(|(n, _)| n == "event_log.csv")
        .expect("file")
        .1;
    let log = parse_event_log(events, &EventLogOptions::default()).expect("parses");
    let names = log.channels.names();
    assert!(
        names.iter().any(|n| n == "<script>alert(1)</script>"),
        "{names:?}"
    );
    assert!(names.iter().any(|n| n.starts_with('\u{202E}')), "{names:?}");
    // 1e400, NaN, ±inf revenue and out-of-range timestamps reject their rows, with reasons.
    let reasons: Vec<&RowReason> = log.report.rejected.iter().map(|e| &e.reason).collect();
    assert!(
        reasons
            .iter()
            .filter(|r| matches!(r, RowReason::NotANumber { .. } | RowReason::Negative { .. }))
            .count()
            >= 4,
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| matches!(r, RowReason::Timestamp { .. })),
        "{reasons:?}"
    );
    // 1e308 is finite and read.
    assert!(log.report.accepted >= 5);
}

#[test]
fn deeply_nested_json_is_a_typed_error() {
    let opts = ImportOptions::default();
    for bytes in ["[".repeat(100_000), "{\"data\":".repeat(50_000)] {
        for layout in [
            Layout::Export(refleqt_engine::imports::Platform::Ga4DataApiJson),
            Layout::Export(refleqt_engine::imports::Platform::MetaAdsInsights),
            Layout::Export(refleqt_engine::imports::Platform::MailchimpReport),
        ] {
            let err = import_as(layout, bytes.as_bytes(), &opts).expect_err("refused");
            assert!(matches!(err, ImportError::Json { .. }), "{layout:?}: {err}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Limits: at the limit accepted, one past it refused with a worded error.
// ---------------------------------------------------------------------------------------------

fn events_with_channels(n: usize) -> String {
    let mut s = String::from("user_id,timestamp,channel\n");
    for i in 0..n {
        s.push_str(&format!("u{},2025-01-01T00:00:00Z,ch{i}\n", i % 7));
    }
    s
}

fn paths_with_channels(n: usize) -> String {
    let mut s = String::from("path,total_conversions\n");
    for i in 0..n {
        s.push_str(&format!("ch{i},1\n"));
    }
    s
}

#[test]
fn distinct_channels_limit() {
    let at = events_with_channels(DEFAULT_MAX_CHANNELS);
    let log = parse_event_log(at.as_bytes(), &EventLogOptions::default()).expect("at the limit");
    assert_eq!(log.channels.len(), DEFAULT_MAX_CHANNELS);
    let past = events_with_channels(DEFAULT_MAX_CHANNELS + 1);
    let err = parse_event_log(past.as_bytes(), &EventLogOptions::default()).expect_err("past");
    assert_eq!(
        err,
        ParseError::TooManyChannels {
            found: 1001,
            max: 1000
        }
    );
    let msg = err.to_string();
    assert!(
        msg.contains("1001") && msg.contains("1000 by 1") && msg.contains("referral spam"),
        "{msg}"
    );

    let at = paths_with_channels(DEFAULT_MAX_CHANNELS);
    assert!(parse_path_table(at.as_bytes(), &PathTableOptions::default()).is_ok());
    let past = paths_with_channels(DEFAULT_MAX_CHANNELS + 1);
    assert!(matches!(
        parse_path_table(past.as_bytes(), &PathTableOptions::default()),
        Err(ParseError::TooManyChannels {
            found: 1001,
            max: 1000
        })
    ));

    // Configurable, through the import options too.
    let opts = EventLogOptions {
        max_channels: 5,
        ..EventLogOptions::default()
    };
    assert!(parse_event_log(events_with_channels(5).as_bytes(), &opts).is_ok());
    assert!(parse_event_log(events_with_channels(6).as_bytes(), &opts).is_err());
    let mut io = ImportOptions::default();
    io.event_log.max_channels = 5;
    io.path_table.max_channels = 5;
    assert!(matches!(
        import_as(Layout::EventLog, events_with_channels(6).as_bytes(), &io),
        Err(ImportError::Parse(ParseError::TooManyChannels {
            found: 6,
            max: 5
        }))
    ));
    assert!(matches!(
        import_as(Layout::PathTable, paths_with_channels(6).as_bytes(), &io),
        Err(ImportError::Parse(ParseError::TooManyChannels {
            found: 6,
            max: 5
        }))
    ));
}

#[test]
fn path_steps_limit() {
    let path = |n: usize| {
        let steps: Vec<String> = (0..n).map(|i| format!("c{}", i % 10)).collect();
        format!("path,total_conversions\n{},1\nEmail,1\n", steps.join(" > "))
    };
    let t = parse_path_table(
        path(DEFAULT_MAX_PATH_STEPS).as_bytes(),
        &PathTableOptions::default(),
    )
    .expect("parses");
    assert_eq!((t.report.accepted, t.report.rejected_count), (2, 0));
    let t = parse_path_table(
        path(DEFAULT_MAX_PATH_STEPS + 1).as_bytes(),
        &PathTableOptions::default(),
    )
    .expect("parses");
    assert_eq!((t.report.accepted, t.report.rejected_count), (1, 1));
    let e = &t.report.rejected[0];
    assert_eq!(
        e.reason,
        RowReason::PathTooLong {
            steps: 1001,
            max: 1000
        }
    );
    assert!(
        e.to_string().contains("line 2") && e.to_string().contains("by 1"),
        "{e}"
    );
    // The rejected row added no channel.
    assert_eq!(t.set.channels.names(), ["Email"]);
}

#[test]
fn record_bytes_limit() {
    // `u,2025-01-01T00:00:00Z,<name>`: pad the name so the record is exactly `len` bytes.
    let fixed = "u,2025-01-01T00:00:00Z,".len();
    let row = |len: usize| format!("u,2025-01-01T00:00:00Z,{}", "a".repeat(len - fixed));
    for (len, ok) in [(MAX_RECORD_BYTES, true), (MAX_RECORD_BYTES + 1, false)] {
        let text = format!(
            "user_id,timestamp,channel\n{}\nu,2025-01-01,Email\n",
            row(len)
        );
        let log = parse_event_log(text.as_bytes(), &EventLogOptions::default()).expect("parses");
        assert_eq!(log.report.accepted, if ok { 2 } else { 1 }, "{len}");
        if !ok {
            assert_eq!(
                log.report.rejected[0].reason,
                RowReason::RecordTooLong {
                    bytes: MAX_RECORD_BYTES + 1,
                    max: MAX_RECORD_BYTES
                }
            );
        }
    }
    let fixed = ",1".len();
    for (len, ok) in [(MAX_RECORD_BYTES, true), (MAX_RECORD_BYTES + 1, false)] {
        let text = format!("path,total_conversions\n{},1\n", "a".repeat(len - fixed));
        let t = parse_path_table(text.as_bytes(), &PathTableOptions::default()).expect("parses");
        assert_eq!(t.report.rejected_count, usize::from(!ok), "{len}");
    }
    // The platform importers' reader too.
    let text = format!(
        "Campaign,Day,Currency code,Impr.,Clicks,Cost\n{},2025-03-01,EUR,1,1,1\nA,2025-03-01,EUR,1,1,1\n",
        "a".repeat(MAX_RECORD_BYTES)
    );
    let imp = import_as(
        Layout::Export(refleqt_engine::imports::Platform::GoogleAdsCsv),
        text.as_bytes(),
        &ImportOptions::default(),
    )
    .expect("parses");
    assert_eq!((imp.report.accepted, imp.report.rejected_count), (1, 1));
    assert!(matches!(
        imp.report.rejected[0].reason,
        RowReason::RecordTooLong { .. }
    ));
}

fn path_set(text: &str) -> JourneySet {
    parse_path_table(text.as_bytes(), &PathTableOptions::default())
        .expect("parses")
        .set
}

#[test]
fn markov_states_limit() {
    // Order 1: one state per channel (a, b, c).
    let set = path_set("path,total_conversions,total_null\na > b,3,1\nb > c,1,2\nc,2,0\n");
    let (agg, split) = (PathAggregate::from_set(&set), EntrySplit::new(&set));
    let limits = |max_states| MarkovLimits {
        max_states,
        ..MarkovLimits::default()
    };
    let at = markov::attribute_checked(&set, &agg, &split, 1, &limits(3)).expect("at the limit");
    // The same numbers as the unchecked model.
    assert_eq!(at, markov::attribute(&set, 1));
    let err = markov::attribute_checked(&set, &agg, &split, 1, &limits(2)).expect_err("past");
    assert_eq!(
        err,
        MarkovError::TooManyStates {
            order: 1,
            states: 3,
            max: 2
        }
    );
    assert!(
        err.to_string().contains("over the limit of 2 by 1"),
        "{err}"
    );
    assert_eq!(MarkovLimits::default().max_states, markov::MAX_STATES);
}

#[test]
fn markov_non_convergence_is_an_error_never_numbers() {
    // A long a/b alternation: the chain is a near-closed loop that Gauss–Seidel crawls along.
    let steps: Vec<&str> = (0..20_000)
        .map(|i| if i % 2 == 0 { "a" } else { "b" })
        .collect();
    let set = path_set(&format!(
        "path,total_conversions\n{},1\n",
        steps
            .chunks(DEFAULT_MAX_PATH_STEPS)
            .next()
            .map(|c| c.join(">"))
            .unwrap_or_default()
    ));
    let agg = PathAggregate::from_set(&set);
    let err = markov::checked(
        &agg,
        1,
        Solver::Iterative,
        &MarkovLimits {
            max_sweeps: 3,
            ..MarkovLimits::default()
        },
    )
    .expect_err("3 sweeps are not enough");
    match &err {
        MarkovError::NotConverged { sweeps, residual } => {
            assert_eq!(*sweeps, 3);
            assert!(*residual > markov::GS_TOLERANCE, "{residual}");
        }
        e => panic!("{e}"),
    }
    assert!(err.to_string().contains("did not converge"), "{err}");

    // Through the checked model: above DENSE_MAX_STATES states Auto iterates; one sweep fails.
    let n = markov::DENSE_MAX_STATES + 20;
    let mut text = String::from("path,total_conversions,total_null\n");
    for i in 0..n {
        text.push_str(&format!("c{i} > c{} > c{i},1,1\n", (i + 1) % n));
    }
    let set = path_set(&text);
    let (agg, split) = (PathAggregate::from_set(&set), EntrySplit::new(&set));
    let one = MarkovLimits {
        max_sweeps: 1,
        ..MarkovLimits::default()
    };
    assert!(matches!(
        markov::attribute_checked(&set, &agg, &split, 1, &one),
        Err(MarkovError::NotConverged { sweeps: 1, .. })
    ));
    // With the default cap it converges, and models::attribute_all gives the same result.
    let ok = markov::attribute_checked(&set, &agg, &split, 1, &MarkovLimits::default())
        .expect("converges");
    let all = attribute_all(&set, &[Model::Markov], &ModelParams::default());
    assert_eq!(all[0].1.as_ref().ok(), Some(&ok));
}

#[test]
fn bootstrap_replicates_limit() {
    let set = path_set("path,total_conversions,total_null\na > b,3,1\nb,1,2\n");
    let opts = |replicates| BootstrapOptions {
        replicates,
        ..BootstrapOptions::default()
    };
    let ok = bootstrap::intervals(
        &set,
        &[Model::Linear],
        &ModelParams::default(),
        &opts(MAX_REPLICATES),
    )
    .expect("at the limit");
    assert_eq!(ok[0].replicates, MAX_REPLICATES);
    let err = bootstrap::intervals(
        &set,
        &[Model::Linear],
        &ModelParams::default(),
        &opts(MAX_REPLICATES + 1),
    )
    .expect_err("past");
    assert_eq!(
        err,
        ModelError::TooManyReplicates {
            requested: 10_001,
            max: 10_000
        }
    );
    assert!(err.to_string().contains("by 1"), "{err}");
    // An absurd count is refused before anything is allocated.
    assert!(bootstrap::intervals(
        &set,
        &[Model::Linear],
        &ModelParams::default(),
        &opts(usize::MAX)
    )
    .is_err());

    // Kept shares: replicates × channels × models.
    let set = path_set(&paths_with_channels(1000));
    let models = [Model::First, Model::Last, Model::Linear];
    let samples = |b| b * 1000 * models.len();
    let b = bootstrap::MAX_BOOTSTRAP_SAMPLES / samples(1) + 1;
    let err = bootstrap::intervals(&set, &models, &ModelParams::default(), &opts(b))
        .expect_err("too large");
    assert_eq!(
        err,
        ModelError::BootstrapTooLarge {
            samples: samples(b),
            max: bootstrap::MAX_BOOTSTRAP_SAMPLES
        }
    );
}

// ---------------------------------------------------------------------------------------------
// Property tests over large inputs.
// ---------------------------------------------------------------------------------------------

/// A large event log: `rows` rows from a small alphabet of users, channels and hostile cells.
fn large_log(rows: usize, seed: u64, long_cell: usize) -> String {
    let cells = [
        "Email",
        "\"a,b\"",
        "\"q\"\"uote\"",
        "<script>",
        "\u{202E}x",
        "=1+1",
        "",
        "NaN",
        "\"multi\nline\"",
        "\u{feff}bom",
    ];
    let mut s = String::from("user_id,timestamp,channel,revenue,event\n");
    let mut x = seed | 1;
    for i in 0..rows {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let c = cells[(x % cells.len() as u64) as usize];
        let rev = ["", "1.5", "1e400", "-1", "inf"][((x >> 8) % 5) as usize];
        let ev = ["touch", "conversion", ""][((x >> 16) % 3) as usize];
        if i == rows / 2 && long_cell > 0 {
            s.push_str(&format!(
                "u{},2025-01-01T00:00:00Z,{},,touch\n",
                x % 50,
                "z".repeat(long_cell)
            ));
        }
        s.push_str(&format!(
            "u{},2025-01-{:02}T00:00:00Z,{c},{rev},{ev}\n",
            x % 500,
            1 + (x >> 24) % 28
        ));
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    #[test]
    fn large_event_logs_account_for_every_row(
        rows in 5_000usize..25_000,
        seed in any::<u64>(),
        long_cell in prop::sample::select(vec![0usize, 70_000, MAX_RECORD_BYTES + 10]),
    ) {
        let text = large_log(rows, seed, long_cell);
        let opts = EventLogOptions { max_stored_rejections: CAP, ..EventLogOptions::default() };
        let log = parse_event_log(text.as_bytes(), &opts).expect("a header is there");
        let mut reader = Reader::new(text.as_bytes(), Delimiter::COMMA);
        let mut rec = Record::new();
        let mut records = 0usize;
        while reader.read(&mut rec) {
            if !rec.is_blank() {
                records += 1;
            }
        }
        prop_assert_eq!(log.report.accepted + log.report.rejected_count, records - 1);
        prop_assert!(log.report.rejected.len() <= CAP);
        prop_assert!(log.events.len() <= 2 * log.report.accepted);
        prop_assert!(log.channels.len() <= 12);
    }

    #[test]
    fn the_csv_reader_on_large_inputs(
        bytes in proptest::collection::vec(
            prop::sample::select(b",;\"\n\r ab\x00\xef\xbb\xbf".to_vec()), 100_000..300_000),
    ) {
        let mut reader = Reader::new(&bytes, Delimiter::COMMA);
        let mut rec = Record::new();
        let mut last_line = 0u64;
        let newlines = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
        while reader.read(&mut rec) {
            prop_assert!(rec.line() > last_line);
            last_line = rec.line();
            prop_assert!(rec.line() <= newlines + 1);
            for s in rec.spans() {
                prop_assert!(s.start <= s.end && s.end <= bytes.len());
            }
            prop_assert!(rec.byte_len() <= bytes.len());
        }
        prop_assert_eq!(reader.position(), bytes.len());
    }
}
