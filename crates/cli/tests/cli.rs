//! The `refleqt` binary end to end: exit codes, messages naming file/line/column, the JSON layout.
// Test code: a failed assumption is a failed test, so unwrap, expect and panic are the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::{Command, Output};

fn refleqt(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_refleqt"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("refleqt-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn version_and_help() {
    let out = refleqt(&["--version"]);
    assert!(out.status.success());
    assert!(text(&out.stdout).starts_with("refleqt "));
    let out = refleqt(&["--help"]);
    assert!(text(&out.stdout).contains("refleqt attribute FILE"));
}

#[test]
fn bad_arguments_exit_2_with_usage() {
    let out = refleqt(&["attribute", "x.csv", "--model", "magic"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("--model") && err.contains("USAGE"), "{err}");
}

#[test]
fn missing_file_exits_2_naming_it() {
    let out = refleqt(&["attribute", "/nonexistent/refleqt.csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("/nonexistent/refleqt.csv"));
}

#[test]
fn bad_rows_name_file_line_and_column_and_strict_exits_2() {
    let f = scratch("bad.csv");
    std::fs::write(
        &f,
        "user_id,timestamp,channel,event,revenue\n\
         u1,2025-01-01T10:00:00Z,email,touch,\n\
         u1,not-a-time,email,touch,\n\
         u1,2025-01-02T10:00:00Z,,conversion,30\n",
    )
    .expect("write");
    let path = f.display().to_string();
    let out = refleqt(&["attribute", &path, "--bootstrap", "0"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains(&format!("{path}:3:timestamp:")), "{err}");
    let out = refleqt(&["attribute", &path, "--bootstrap", "0", "--strict"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains(&path) && err.contains("line 3") && err.contains("timestamp"),
        "{err}"
    );
}

#[test]
fn missing_columns_exit_2() {
    let f = scratch("nocols.csv");
    std::fs::write(&f, "a,b\n1,2\n").expect("write");
    let out = refleqt(&["attribute", &f.display().to_string(), "--format", "events"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("missing column"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn simulate_then_attribute_round_trip_is_deterministic_and_scores_truth() {
    let (events, paths, truth) = (
        scratch("ev.csv"),
        scratch("paths.csv"),
        scratch("truth.json"),
    );
    let out = refleqt(&[
        "simulate",
        "--journeys",
        "3000",
        "--seed",
        "7",
        "--events",
        &events.display().to_string(),
        "--paths",
        &paths.display().to_string(),
        "--truth",
        &truth.display().to_string(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let args = [
        "attribute",
        events.to_str().expect("utf-8 path"),
        "--bootstrap",
        "20",
        "--truth",
        truth.to_str().expect("utf-8 path"),
    ];
    let a = refleqt(&args);
    let b = refleqt(&args);
    assert!(a.status.success(), "{}", text(&a.stderr));
    assert_eq!(a.stdout, b.stdout, "same input, same output");
    let json: serde_json::Value = serde_json::from_slice(&a.stdout).expect("JSON");
    assert_eq!(json["input"]["format"], "events");
    let models = json["models"].as_array().expect("models");
    assert_eq!(models.len(), 7);
    let total = json["totals"]["conversions"].as_f64().expect("total");
    for m in models {
        let sum: f64 = m["channels"]
            .as_array()
            .expect("channels")
            .iter()
            .map(|c| c["conversions"].as_f64().expect("number"))
            .sum();
        assert!(
            (sum - total).abs() <= 1e-9 * total,
            "{} credits {sum} of {total}",
            m["model"]
        );
        assert!(m["truth_l1"].as_f64().is_some());
        assert!(m["channels"][0]["share_low"].as_f64().is_some());
    }
    assert!(models
        .iter()
        .any(|m| m["model"] == "markov" && m["markov"]["p_conversion"].is_number()));
    // The simulated log has a cost column: entries carry cost and ROI.
    assert!(json["totals"]["cost"].as_f64().is_some_and(|c| c > 0.0));
    let entry = &models[0]["entries"][0];
    match (
        entry["revenue"].as_f64(),
        entry["cost"].as_f64(),
        entry["roi"].as_f64(),
    ) {
        (Some(rev), Some(cost), Some(roi)) => {
            assert!((roi - (rev - cost) / cost * 100.0).abs() < 1e-9)
        }
        _ => panic!("entry without revenue, cost or ROI: {entry}"),
    }

    // The path table of the same data: detected, time-decay skipped with a reason.
    let p = refleqt(&[
        "attribute",
        paths.to_str().expect("utf-8"),
        "--bootstrap",
        "0",
        "--output",
        "csv",
    ]);
    assert!(p.status.success(), "{}", text(&p.stderr));
    let csv = text(&p.stdout);
    assert!(csv.starts_with(
        "model,channel,conversions,revenue,share,share_low,share_high,cost,roi,roas\n"
    ));
    assert!(csv.contains("\nmarkov,") && !csv.contains("\ntime-decay,"));
    let pj = refleqt(&[
        "attribute",
        paths.to_str().expect("utf-8"),
        "--bootstrap",
        "0",
    ]);
    let pj: serde_json::Value = serde_json::from_slice(&pj.stdout).expect("JSON");
    assert_eq!(pj["input"]["format"], "paths");
    assert_eq!(pj["skipped"][0]["model"], "time-decay");
    assert_eq!(pj["totals"]["conversions"], json["totals"]["conversions"]);
}

#[test]
fn a_data_set_stored_by_the_app_attributes_like_its_csv() {
    use refleqt_engine::assemble::{build_journeys, JourneyOptions};
    use refleqt_engine::parse::{parse_event_log, EventLogOptions};
    let (events, blob) = (scratch("stored-ev.csv"), scratch("stored.rqjs"));
    let out = refleqt(&[
        "simulate",
        "--journeys",
        "1500",
        "--seed",
        "11",
        "--events",
        &events.display().to_string(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // What the Import page stores: the parsed log cut into journeys (30-day lookback), encoded.
    let csv = std::fs::read(&events).expect("read events");
    let log = parse_event_log(&csv, &EventLogOptions::default()).expect("parses");
    let set = build_journeys(&log, &JourneyOptions::default());
    std::fs::write(&blob, refleqt_engine::dataset::encode(&set)).expect("write blob");

    let run = |file: &PathBuf| {
        let out = refleqt(&[
            "attribute",
            file.to_str().expect("utf-8"),
            "--bootstrap",
            "0",
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).expect("JSON")
    };
    let (from_blob, from_csv) = (run(&blob), run(&events));
    assert_eq!(from_blob["input"]["format"], "dataset");
    assert_eq!(from_blob["input"]["rows_accepted"], set.len());
    assert_eq!(
        from_blob["totals"]["conversions"],
        from_csv["totals"]["conversions"]
    );
    let credits = |j: &serde_json::Value| {
        j["models"]
            .as_array()
            .expect("models")
            .iter()
            .map(|m| (m["model"].clone(), m["channels"].clone()))
            .collect::<Vec<_>>()
    };
    // Costs live in the CSV only; the credits are the same, bit for bit.
    let strip = |v: Vec<(serde_json::Value, serde_json::Value)>| {
        v.into_iter()
            .map(|(m, cs)| {
                let cs: Vec<_> = cs
                    .as_array()
                    .expect("channels")
                    .iter()
                    .map(|c| {
                        (
                            c["channel"].clone(),
                            c["conversions"].clone(),
                            c["revenue"].clone(),
                        )
                    })
                    .collect();
                (m, cs)
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(credits(&from_blob)), strip(credits(&from_csv)));

    // A damaged blob is refused naming the file, never a panic.
    let mut bytes = std::fs::read(&blob).expect("read blob");
    bytes.truncate(bytes.len() - 3);
    std::fs::write(&blob, bytes).expect("write blob");
    let out = refleqt(&["attribute", blob.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("stored.rqjs") && err.contains("data set"),
        "{err}"
    );
}

/// A small valid event log in the scratch folder.
fn small_log(name: &str, channel: &str) -> String {
    let f = scratch(name);
    std::fs::write(
        &f,
        format!(
            "user_id,timestamp,channel,event,revenue\n\
             u1,2025-01-01T10:00:00Z,{channel},touch,\n\
             u1,2025-01-02T10:00:00Z,,conversion,30\n\
             u2,2025-01-01T10:00:00Z,Email,touch,\n\
             u2,2025-01-03T10:00:00Z,,conversion,10\n"
        ),
    )
    .expect("write");
    f.display().to_string()
}

#[test]
fn a_non_utf8_argument_exits_2_with_a_message() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    for args in [
        vec![
            OsStr::from_bytes(b"attribute"),
            OsStr::from_bytes(b"bad\xFF.csv"),
        ],
        vec![OsStr::from_bytes(b"\xC3\x28")],
        vec![
            OsStr::from_bytes(b"attribute"),
            OsStr::from_bytes(b"x.csv"),
            OsStr::from_bytes(b"--model"),
            OsStr::from_bytes(b"mark\x80ov"),
        ],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_refleqt"))
            .args(&args)
            .output()
            .expect("the binary runs");
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("not valid UTF-8"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn absurd_option_values_exit_2_naming_the_option() {
    let log = small_log("absurd.csv", "Search");
    for (option, value) in [
        ("--bootstrap", "99999999999"),
        ("--bootstrap", "10001"),
        ("--bootstrap", "-1"),
        ("--bootstrap", "99999999999999999999999"),
        ("--markov-order", "0"),
        ("--markov-order", "9"),
        ("--markov-order", "256"),
        ("--lookback-days", "-1"),
        ("--lookback-days", "0"),
        ("--lookback-days", "NaN"),
        ("--lookback-days", "inf"),
        ("--lookback-days", "1e400"),
        ("--half-life-days", "-inf"),
        ("--position-first", "NaN"),
        ("--position-last", "2"),
        ("--delimiter", ",;"),
        ("--delimiter", "comma,"),
        ("--delimiter", ""),
        ("--seed", "-5"),
        ("--output", "xlsx"),
    ] {
        let out = refleqt(&["attribute", &log, option, value]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{option} {value}: {err}");
        assert!(err.contains(option), "{option} {value}: {err}");
        assert!(!err.contains("panicked"), "{option} {value}: {err}");
    }
    for args in [
        vec!["attribute", &log, "--frobnicate"],
        vec!["attribute", &log, "-x"],
        vec!["attribute", &log, "--bootstrap"],
        vec![
            "simulate",
            "--journeys",
            "99999999999999",
            "--events",
            "/dev/null",
        ],
        vec!["simulate", "--journeys", "-3", "--events", "/dev/null"],
        vec![
            "attribute",
            &log,
            "--format",
            "paths",
            "--path-separator",
            "",
        ],
    ] {
        let out = refleqt(&args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            !err.is_empty() && !err.contains("panicked"),
            "{args:?}: {err}"
        );
    }
    // At the limits: accepted.
    let out = refleqt(&[
        "attribute",
        &log,
        "--bootstrap",
        "3",
        "--markov-order",
        "4",
        "--lookback-days",
        "36500",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn csv_output_is_safe_to_open_in_a_spreadsheet() {
    let log = small_log("formula.csv", "\"=HYPERLINK(\"\"http://x\"\")\"");
    let out = refleqt(&[
        "attribute",
        &log,
        "--model",
        "linear",
        "--bootstrap",
        "0",
        "--output",
        "csv",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    assert!(csv.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{csv}");
    assert!(
        !csv.lines()
            .any(|l| l.split(',').nth(1).is_some_and(|c| c.starts_with('='))),
        "{csv}"
    );
}

#[test]
fn paths_writes_the_journeys_as_a_path_table_with_entries() {
    let log = scratch("paths-events.csv");
    std::fs::write(
        &log,
        "user_id,timestamp,channel,utm_content,event,revenue\n\
         u1,2025-01-01T10:00:00Z,Email,cal-12,touch,\n\
         u1,2025-01-01T10:00:00Z,Search,,touch,\n\
         u1,2025-01-01T10:00:00Z,,,conversion,30.10\n\
         u1,2025-01-01T10:00:00Z,,,conversion,5\n\
         u2,2024-11-01T10:00:00Z,Email,,touch,\n\
         u2,2025-01-03T10:00:00Z,Search,CAL-0007,touch,\n\
         u3,2025-01-03T10:00:00Z,Email,cal-12,touch,\n\
         u3,2025-01-04T10:00:00Z,Search,,touch,\n\
         u3,2025-01-05T10:00:00Z,,,purchase,0.2\n",
    )
    .unwrap();
    let log = log.display().to_string();
    let out = refleqt(&["paths", &log]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Equal times: touches first, then file order; the second conversion has no touch left
    // (direct); u2's old touch is outside the 30-day window of the tail's last touch.
    assert_eq!(
        text(&out.stdout),
        "path,total_conversions,total_conversion_value,total_null,path_entries\n\
         Email>Search,2,30.3,0,12>\n\
         (direct),1,5,0,\n\
         Search,0,0,1,7\n"
    );
    // --out writes the same bytes; a shorter lookback cuts u3's journey.
    let file = scratch("paths-out.csv");
    let out = refleqt(&[
        "paths",
        &log,
        "--lookback-days",
        "1.5",
        "--out",
        &file.display().to_string(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(written.contains("\nSearch,1,0.2,0,\n"), "{written}");
    // The table attributes like any path table, with calendar-entry credit.
    let out = refleqt(&[
        "attribute",
        &file.display().to_string(),
        "--model",
        "linear",
        "--bootstrap",
        "0",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["input"]["format"], "paths", "{json}");
    let s = json.to_string();
    assert!(s.contains("\"entry\":12"), "{s}");
}

#[test]
fn paths_refuses_what_it_cannot_write_and_exits_2() {
    let log = scratch("paths-bad-channel.csv");
    std::fs::write(
        &log,
        "user_id,timestamp,channel,event\nu1,2025-01-01T10:00:00Z,a>b,touch\n",
    )
    .unwrap();
    let out = refleqt(&["paths", &log.display().to_string()]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("\"a>b\"") && err.contains("separator"),
        "{err}"
    );
    let out = refleqt(&["paths"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("FILE is required"));
}

#[test]
fn a_workspace_file_gives_tagged_entries_their_cost() {
    let log = scratch("ws-log.csv");
    std::fs::write(
        &log,
        "user_id,timestamp,channel,utm_content,cost,event,revenue\n\
         u1,2025-01-01T10:00:00Z,email,cal-1,2,touch,\n\
         u1,2025-01-02T10:00:00Z,ads,cal-2,10,touch,\n\
         u1,2025-01-02T11:00:00Z,,,,conversion,100\n\
         u2,2025-01-03T10:00:00Z,ads,cal-2,10,touch,\n\
         u2,2025-01-03T10:05:00Z,,,,conversion,50\n",
    )
    .expect("write log");
    let ws = scratch("ws.json");
    std::fs::write(
        &ws,
        r#"{"format":"refleqt-workspace","schema_version":3,"saved_at":0,"workspace":{"next_entry_id":3,
        "entries":[{"entry_id":2,"title":"Ad","channel":"Google Ads","publish_date":"2025-01-01","cost":60.0}],
        "performance_entries":[]}}"#,
    )
    .expect("write workspace");
    let (log, ws) = (log.to_str().expect("utf-8"), ws.to_str().expect("utf-8"));
    let out = refleqt(&[
        "attribute",
        log,
        "--model",
        "last",
        "--workspace",
        ws,
        "--bootstrap",
        "50",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let entries = json["models"][0]["entries"].as_array().expect("entries");
    let e2 = entries.iter().find(|e| e["entry"] == 2).expect("entry 2");
    assert_eq!(e2["cost"], 60.0);
    assert_eq!(e2["cost_source"], "workspace");
    assert_eq!(e2["roi"], 150.0);
    assert!(e2["roi_low"].as_f64().is_some() && e2["roi_high"].as_f64().is_some());
    let e1 = entries.iter().find(|e| e["entry"] == 1);
    assert!(e1.is_none_or(|e| e["cost_source"] == "data"));
    let csv = refleqt(&[
        "attribute",
        log,
        "--model",
        "last",
        "--workspace",
        ws,
        "--output",
        "entries-csv",
    ]);
    assert!(csv.status.success());
    let csv = text(&csv.stdout);
    assert!(csv.starts_with("model,entry,utm_content,"), "{csv}");
    assert!(csv.contains("last,2,cal-2,"), "{csv}");
    assert!(csv.contains(",workspace,"), "{csv}");
    let bad = scratch("bad-ws.json");
    std::fs::write(&bad, "{}").expect("write");
    let out = refleqt(&[
        "attribute",
        log,
        "--workspace",
        bad.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("workspace"),
        "{}",
        text(&out.stderr)
    );
}
