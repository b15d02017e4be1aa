//! The training-context export against its JSON Schema (`schemas/training-context.v1.schema.json`),
//! and `refleqt context` end to end: the same document as the app's `model::context` for the
//! same workspace file, exit 2 on bad input.
// Test code: a failed assumption is a failed test, so unwrap, expect and panic are the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use refleqt::model::ab_record::{AbTestRecord, ProposalDecision};
use refleqt::model::context::document;
use refleqt::model::demo::demo_workspace;
use refleqt::model::entry::EntryForm;
use refleqt::model::file;
use refleqt::model::metric::MetricKind;
use refleqt::model::workspace::Workspace;
use refleqt_engine::abtest::{AbTest, MetricKind as AbKind, Variant};
use refleqt_engine::beliefs::{Belief, Direction, Selector};
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};

const NOW: i64 = 1_764_720_000_000; // 2025-12-03T00:00:00Z

fn schema() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../schemas/training-context.v1.schema.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("the schema file")).expect("JSON")
}

/// The schema with `additionalProperties: false` on every object that lists properties: a
/// document field the schema does not describe fails (the shipped schema allows additions, for
/// later additive changes).
fn strict(mut v: Value) -> Value {
    fn walk(v: &mut Value) {
        match v {
            Value::Object(map) => {
                if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                    map.insert("additionalProperties".into(), Value::Bool(false));
                }
                for (_, child) in map.iter_mut() {
                    walk(child);
                }
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut v);
    v
}

fn errors(schema: &Value, doc: &Value) -> Vec<String> {
    let validator = jsonschema::draft202012::new(schema).expect("the schema compiles");
    validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// The document validates against the shipped schema and its strict form.
fn assert_valid(doc: &Value) {
    let shipped = schema();
    let e = errors(&shipped, doc);
    assert!(e.is_empty(), "{e:#?}");
    let e = errors(&strict(shipped), doc);
    assert!(e.is_empty(), "a field the schema does not describe: {e:#?}");
}

fn export(ws: &Workspace) -> Value {
    serde_json::from_str(&document(ws, NOW, None).to_json()).expect("the export is JSON")
}

fn entry(ws: &mut Workspace, title: &str, channel: &str, day: u32, creator: &str) -> u64 {
    let draft = EntryForm {
        title: title.into(),
        channel_choice: channel.into(),
        publish_date: format!("2025-03-{day:02}"),
        creator: creator.into(),
        topics: "ünïcödé, <b>tag</b>".into(),
        ..EntryForm::default()
    }
    .parse()
    .unwrap_or_else(|e| panic!("{e:?}"));
    ws.add_entry(draft)
}

/// Entries with non-ASCII and hostile names, values that beat the channel's baseline, two
/// beliefs, a conclusive A/B test (accepted), an inconclusive one and one that cannot be analysed.
fn hostile_workspace() -> Workspace {
    let mut ws = Workspace::empty();
    let names = [
        "Ünïcödé — 数据 🚀",
        "\"quoted\" <script>alert(1)</script>",
        "=HYPERLINK(\"x\")",
        "tab\tand\nnewline",
        "plain",
        "émoji 👩‍💻",
        "Ω",
        "last",
    ];
    let values = [100.0, 120.0, 80.0, 110.0, 400.0, 420.0, 390.0, 450.0];
    for (i, (name, v)) in names.iter().zip(values).enumerate() {
        let creator = if i % 2 == 0 {
            "Zoë \"Z\" Ørsted"
        } else {
            "李雷"
        };
        let id = entry(&mut ws, name, "LinkedIn", i as u32 + 1, creator);
        assert_eq!(
            ws.record_manual(id, &[(MetricKind::Pageviews, Some(v))], NOW),
            Ok(1)
        );
    }
    ws.beliefs.push(Belief {
        id: "b1".into(),
        statement: "LinkedIn posts by «Zoë» reach more — 数据".into(),
        selector: Selector {
            channels: vec!["linkedin".into()],
            ..Selector::default()
        },
        metric: "pageviews".into(),
        direction: Direction::Above,
    });
    ws.beliefs.push(Belief {
        id: "b2".into(),
        statement: "Long reads underperform".into(),
        selector: Selector {
            min_length: Some(2000.0),
            ..Selector::default()
        },
        metric: "pageviews".into(),
        direction: Direction::Below,
    });
    let variant = |name: &str, value: &str, n: u64, x: u64| Variant {
        name: name.into(),
        value: value.into(),
        exposures: n,
        successes: x,
        ..Variant::default()
    };
    let test = |id: &str, variants: Vec<Variant>| AbTest {
        id: id.into(),
        name: format!("Headline test {id} — «é»"),
        hypothesis: "Questions make people click".into(),
        attribute: "headline".into(),
        metric: "click rate".into(),
        kind: AbKind::Rate,
        variants,
        planned_per_variant: Some(2000),
        split: Vec::new(),
        alpha: 0.05,
        min_lift: 0.1,
    };
    ws.ab_tests.push(AbTestRecord {
        test: test(
            "t1",
            vec![
                variant("A", "statement", 2000, 100),
                variant("B \"?\"", "question", 2000, 160),
            ],
        ),
        decision: Some(ProposalDecision::Accepted {
            belief: "b3".into(),
        }),
    });
    ws.ab_tests.push(AbTestRecord {
        test: test(
            "t2",
            vec![
                variant("A", "statement", 2000, 100),
                variant("B", "question", 2000, 101),
            ],
        ),
        decision: Some(ProposalDecision::Rejected),
    });
    ws.ab_tests.push(AbTestRecord {
        test: test("t3", vec![variant("only", "one", 10, 1)]),
        decision: None,
    });
    ws
}

#[test]
fn the_demo_export_validates() {
    let ws = demo_workspace().expect("the demo");
    let doc = export(&ws);
    assert_valid(&doc);
    assert_eq!(doc["format"], "refleqt-training-context");
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["generated_at"], "2025-12-03T00:00:00Z");
    assert_eq!(doc["artifacts"].as_array().unwrap().len(), ws.entries.len());
    assert!(!doc["outcomes"].as_array().unwrap().is_empty());
    assert!(doc["date_range"]["first_publish_date"].is_string());
}

#[test]
fn the_empty_export_validates() {
    let doc = export(&Workspace::empty());
    assert_valid(&doc);
    assert_eq!(doc["artifacts"], Value::Array(Vec::new()));
    assert_eq!(doc["date_range"]["first_publish_date"], Value::Null);
}

#[test]
fn beliefs_ab_tests_and_hostile_names_validate() {
    let ws = hostile_workspace();
    let doc = export(&ws);
    assert_valid(&doc);
    let beliefs = doc["beliefs"].as_array().unwrap();
    assert_eq!(beliefs.len(), 2);
    assert_eq!(
        beliefs[0]["statement"],
        "LinkedIn posts by «Zoë» reach more — 数据"
    );
    assert_eq!(beliefs[0]["action"], "Reinforce", "{}", beliefs[0]);
    assert!(!beliefs[0]["movements"].as_array().unwrap().is_empty());
    assert_eq!(beliefs[1]["evidence_count"], 0);
    let tests = doc["ab_tests"].as_array().unwrap();
    assert_eq!(tests[0]["analysis"]["verdict"], "winner", "{}", tests[0]);
    assert!(tests[0]["insight"]["sentence"].is_string());
    assert_eq!(
        (&tests[0]["decision"], &tests[0]["decision_belief"]),
        (&Value::from("accepted"), &Value::from("b3"))
    );
    assert_eq!(tests[1]["insight"], Value::Null);
    assert_eq!(tests[1]["decision"], "rejected");
    assert_eq!(tests[2]["analysis"], Value::Null);
    assert!(tests[2]["error"].is_string());
    let creators = &doc["creators"][0];
    assert_eq!(creators["metric"], "pageviews");
    let names: Vec<&str> = creators["creators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["creator"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"李雷") && names.contains(&"Zoë \"Z\" Ørsted"));
    assert_eq!(
        doc["artifacts"][1]["title"],
        "\"quoted\" <script>alert(1)</script>"
    );
    // Some outcomes carry their channel-baseline expectation.
    assert!(doc["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o["expectation"]["source"] == "channel_baseline"));
}

#[test]
fn a_broken_document_fails_validation() {
    let shipped = schema();
    let good = export(&hostile_workspace());
    assert!(errors(&shipped, &good).is_empty());
    type Change = Box<dyn Fn(&mut Value)>;
    let broken: Vec<(&str, Change)> = vec![
        (
            "no version",
            Box::new(|d| {
                d.as_object_mut().unwrap().remove("version");
            }),
        ),
        ("version 2", Box::new(|d| d["version"] = 2.into())),
        (
            "another format",
            Box::new(|d| d["format"] = "refleqt-workspace".into()),
        ),
        (
            "a number as text",
            Box::new(|d| d["outcomes"][0]["value"] = "150".into()),
        ),
        (
            "an artifact without id",
            Box::new(|d| {
                d["artifacts"][0].as_object_mut().unwrap().remove("id");
            }),
        ),
        (
            "an unknown action",
            Box::new(|d| d["beliefs"][0]["action"] = "Maybe".into()),
        ),
        (
            "a bad date",
            Box::new(|d| d["artifacts"][0]["publish_date"] = "03/05/2025".into()),
        ),
        (
            "an hour of 24",
            Box::new(|d| d["artifacts"][0]["publish_hour"] = 24.into()),
        ),
    ];
    for (what, change) in broken {
        let mut doc = good.clone();
        change(&mut doc);
        assert!(
            !errors(&shipped, &doc).is_empty(),
            "{what} passed validation"
        );
    }
    // A field the schema does not describe passes the shipped schema (additive changes) and
    // fails the strict one the tests use.
    let mut extra = good.clone();
    extra["artifacts"][0]["surprise_field"] = 1.into();
    assert!(errors(&shipped, &extra).is_empty());
    assert!(!errors(&strict(shipped), &extra).is_empty());
}

fn refleqt(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_refleqt"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("refleqt-context-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

/// `generated_at` aside, the CLI writes what the app writes.
fn without_time(mut v: Value) -> Value {
    v["generated_at"] = Value::Null;
    v
}

#[test]
fn the_cli_writes_the_apps_document_for_the_same_workspace_file() {
    for (name, ws) in [
        ("demo.json", demo_workspace().expect("the demo")),
        ("hostile.json", hostile_workspace()),
    ] {
        let path = scratch(name);
        let text = file::encode(&ws, NOW, None);
        std::fs::write(&path, &text).expect("write");
        let out_path = scratch(&format!("out-{name}"));
        let out = refleqt(&[
            "context",
            path.to_str().unwrap(),
            "-o",
            out_path.to_str().unwrap(),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let cli: Value =
            serde_json::from_str(&std::fs::read_to_string(&out_path).expect("output")).unwrap();
        assert_valid(&cli);
        // The app's document of the workspace as read back from the same file.
        let app_ws = file::decode(&text, NOW).expect("decodes").workspace;
        assert_eq!(
            without_time(cli.clone()),
            without_time(export(&app_ws)),
            "{name}"
        );
        // On stdout without -o.
        let out = refleqt(&["context", path.to_str().unwrap()]);
        assert!(out.status.success());
        let stdout: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
        assert_eq!(without_time(stdout), without_time(cli));
    }
}

#[test]
fn bad_input_exits_2_with_a_message() {
    let cases = [
        ("not-json.json", "this is not JSON"),
        (
            "foreign.json",
            "{\"format\": \"something-else\", \"version\": 1}",
        ),
        (
            "too-new.json",
            "{\"format\": \"refleqt-workspace\", \"schema_version\": 999}",
        ),
    ];
    for (name, body) in cases {
        let path = scratch(name);
        std::fs::write(&path, body).expect("write");
        let out = refleqt(&["context", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(name) && err.contains("workspace"),
            "{name}: {err}"
        );
        assert!(out.stdout.is_empty());
    }
    let path = scratch("binary.json");
    std::fs::write(&path, [0xff, 0xfe, 0x00]).expect("write");
    assert_eq!(
        refleqt(&["context", path.to_str().unwrap()]).status.code(),
        Some(2)
    );
    let out = refleqt(&["context", "/nonexistent/ws.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/ws.json"));
    assert_eq!(refleqt(&["context"]).status.code(), Some(2));
}

/// The export's size and time on the demo and on a large workspace (5,000 entries, 4 metrics
/// each, 20 beliefs, 10 A/B tests, the demo's past artifacts): numbers for the README, run with
/// `cargo test --release -p refleqt-cli --test context export_sizes -- --ignored --nocapture`.
#[test]
#[ignore]
fn export_sizes() {
    let demo = demo_workspace().expect("the demo");
    let mut large = hostile_workspace();
    large.past_artifacts = demo.past_artifacts.clone();
    let channels = [
        "LinkedIn",
        "Email",
        "Blog / organic",
        "YouTube",
        "Instagram",
    ];
    let creators = ["Ana", "Ben", "Chloé", "Dev", "Eun-ji", "Femi"];
    for i in 0..5_000u32 {
        let draft = EntryForm {
            title: format!("Entry {i}"),
            channel_choice: channels[i as usize % channels.len()].into(),
            publish_date: format!("{}-{:02}-{:02}", 2023 + i % 3, 1 + i % 12, 1 + i % 28),
            creator: creators[i as usize % creators.len()].into(),
            topics: "launch, pricing".into(),
            cost: "100".into(),
            ..EntryForm::default()
        }
        .parse()
        .unwrap_or_else(|e| panic!("{e:?}"));
        let id = large.add_entry(draft);
        let k = f64::from(i % 97);
        let values = [
            (MetricKind::Pageviews, Some(500.0 + 13.0 * k)),
            (MetricKind::Impressions, Some(5_000.0 + 101.0 * k)),
            (MetricKind::Signups, Some(3.0 + k % 7.0)),
            (MetricKind::Revenue, Some(150.0 + 11.0 * k)),
        ];
        assert_eq!(large.record_manual(id, &values, NOW), Ok(4));
    }
    for b in 0..20 {
        let mut belief = large.beliefs[b % 2].clone();
        belief.id = format!("b{b}");
        large.beliefs.push(belief);
    }
    for t in 0..10 {
        let mut test = large.ab_tests[t % 3].clone();
        test.test.id = format!("t{t}");
        large.ab_tests.push(test);
    }
    for (name, ws) in [("demo", &demo), ("large", &large)] {
        let start = std::time::Instant::now();
        let json = document(ws, NOW, None).to_json();
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        let doc: Value = serde_json::from_str(&json).unwrap();
        assert_valid(&doc);
        println!(
            "{name}: {} entries, {} past artifacts, {} rows → {} bytes ({:.1} KiB) in {ms:.0} ms",
            ws.entries.len(),
            ws.past_artifacts.len(),
            ws.performance_entries.len(),
            json.len(),
            json.len() as f64 / 1024.0
        );
    }
}

/// The app's other attribution source: the workbench's report, every model with bootstrap
/// intervals per entry, validates too.
#[test]
fn a_workbench_report_with_intervals_validates() {
    use refleqt::model::context::WorkbenchReport;
    use refleqt_engine::assemble::{build_journeys, JourneyOptions};
    use refleqt_engine::bootstrap::BootstrapOptions;
    use refleqt_engine::models::{Model, ModelParams};
    use refleqt_engine::parse::{parse_event_log, EventLogOptions};
    use refleqt_engine::report::{costs_of, run, InputSummary, ReportParams};
    let log_text = "user_id,timestamp,channel,utm_content,cost,event,revenue
u1,2025-03-01T10:00:00Z,linkedin,cal-1,2.5,touch,
u1,2025-03-02T10:00:00Z,email,cal-2,10,touch,
u1,2025-03-02T11:00:00Z,,,,conversion,100
u2,2025-03-03T10:00:00Z,email,cal-2,10,touch,
u2,2025-03-03T10:05:00Z,,,,conversion,50
u3,2025-03-04T10:00:00Z,linkedin,cal-1,2.5,touch,
u3,2025-03-04T11:00:00Z,,,,conversion,70
";
    let log = parse_event_log(log_text.as_bytes(), &EventLogOptions::default()).expect("parses");
    let costs = costs_of(&log);
    let set = build_journeys(&log, &JourneyOptions::default());
    let input = InputSummary::describe("log.csv", "events", &log.report, &set);
    let params = ReportParams {
        models: &[Model::Last, Model::Linear],
        params: ModelParams::default(),
        bootstrap: BootstrapOptions {
            replicates: 50,
            ..Default::default()
        },
        lookback_days: Some(30.0),
        costs: Some(&costs),
        truth: None,
    };
    let report = run(&set, input, &params).expect("runs");
    let ws = hostile_workspace();
    let doc = document(
        &ws,
        NOW,
        Some(WorkbenchReport {
            report: &report,
            data: "log.csv — «é»".into(),
        }),
    );
    let doc: Value = serde_json::from_str(&doc.to_json()).unwrap();
    assert_valid(&doc);
    let a = &doc["attribution"];
    assert_eq!(a["source"], "workbench_report");
    assert_eq!(a["data"], "log.csv — «é»");
    assert_eq!(a["models"][0]["model"], "last");
    assert_eq!(a["models"][1]["model"], "linear");
    let e = &a["models"][1]["entries"][0];
    let (low, mid, high) = (
        e["revenue_low"].as_f64().expect("an interval"),
        e["revenue"].as_f64().unwrap(),
        e["revenue_high"].as_f64().expect("an interval"),
    );
    assert!(low <= mid && mid <= high, "{e}");
}
