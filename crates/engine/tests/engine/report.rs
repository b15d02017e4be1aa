//! The full report: costs from the log, ROI per entry and channel, skipped models, CSV rows.

use crate::OnThreads;
use refleqt_engine::assemble::{build_journeys, JourneyOptions};
use refleqt_engine::bootstrap::BootstrapOptions;
use refleqt_engine::models::{Model, ModelParams};
use refleqt_engine::parse::{parse_event_log, parse_path_table, EventLogOptions, PathTableOptions};
use refleqt_engine::report::{
    costs_of, entries_csv, run, to_csv, with_workspace_costs, CostSource, InputSummary,
    ReportParams,
};

const LOG: &str = "user_id,timestamp,channel,utm_content,cost,event,revenue
u1,2025-01-01T10:00:00Z,email,cal-1,2.5,touch,
u1,2025-01-02T10:00:00Z,ads,cal-2,10,touch,
u1,2025-01-02T11:00:00Z,,,,conversion,100
u2,2025-01-03T10:00:00Z,ads,cal-2,10,touch,
u2,2025-01-03T10:05:00Z,,,,conversion,50
u3,2025-01-04T10:00:00Z,email,cal-1,2.5,touch,
";

fn report_params<'a>(
    models: &'a [Model],
    costs: Option<&'a refleqt_engine::report::Costs>,
) -> ReportParams<'a> {
    ReportParams {
        models,
        params: ModelParams::default(),
        bootstrap: BootstrapOptions {
            replicates: 20,
            ..Default::default()
        },
        lookback_days: Some(30.0),
        costs,
        truth: None,
    }
}

#[test]
fn costs_roi_and_roas_per_entry_and_channel() {
    let log = parse_event_log(LOG.as_bytes(), &EventLogOptions::default()).expect("parses");
    let costs = costs_of(&log);
    assert_eq!(costs.by_entry.get(&1), Some(&5.0));
    assert_eq!(costs.by_entry.get(&2), Some(&20.0));
    let set = build_journeys(&log, &JourneyOptions::default());
    let input = InputSummary::describe("log.csv", "events", &log.report, &set);
    assert_eq!(input.journeys, 3.0);
    let report = run(
        &set,
        input,
        &report_params(&[Model::Last, Model::First], Some(&costs)),
    )
    .expect("runs");
    assert_eq!(report.totals.cost, Some(25.0));
    let last = &report.models[0];
    assert_eq!(last.model, Model::Last);
    // Last touch: ads (cal-2) closes both conversions: revenue 150 on cost 20 → ROI 650 %.
    let ads = last
        .channels
        .iter()
        .find(|c| c.channel == "ads")
        .expect("ads");
    assert_eq!(ads.revenue, 150.0);
    assert_eq!(ads.roi, Some(650.0));
    assert_eq!(ads.roas, Some(7.5));
    let e2 = last.entries.iter().find(|e| e.entry == 2).expect("entry 2");
    assert_eq!((e2.cost, e2.roi), (Some(20.0), Some(650.0)));
    assert!(ads.share_low.is_some() && ads.share_high.is_some());
    // First touch: email (cal-1) opens u1's journey: revenue 100 on cost 5 → 1,900 %.
    let e1 = report.models[1]
        .entries
        .iter()
        .find(|e| e.entry == 1)
        .expect("entry 1");
    assert_eq!((e1.revenue, e1.roi), (100.0, Some(1900.0)));
    let csv = to_csv(&report);
    assert_eq!(csv.lines().count(), 1 + 2 * report.input.channels.len());
    assert!(csv.contains("\nlast,ads,2,150,"));
}

#[test]
fn path_tables_skip_time_decay_with_a_reason() {
    let table = parse_path_table(
        b"path;total_conversions;total_conversion_value;total_null\na > b;3;30;7\nb;1;5;9\n",
        &PathTableOptions::default(),
    )
    .expect("parses");
    let input = InputSummary::describe("p.csv", "paths", &table.report, &table.set);
    assert_eq!(input.journeys, 20.0);
    assert_eq!(input.distinct_rows, 2);
    let report = run(&table.set, input, &report_params(&Model::ALL, None)).expect("runs");
    // Time-decay needs timestamps; the data-driven model needs 1,000 conversions (4 here).
    assert_eq!(report.models.len(), 6);
    assert_eq!(report.skipped.len(), 2);
    assert_eq!(report.skipped[0].model, Model::TimeDecay);
    assert!(report.skipped[0].reason.contains("timestamps"));
    assert_eq!(report.skipped[1].model, Model::Logistic);
    assert!(
        report.skipped[1].reason.contains("at least 1000"),
        "{}",
        report.skipped[1].reason
    );
    assert!(report.totals.cost.is_none());
    let json = serde_json::to_value(&report).expect("serialises");
    assert_eq!(json["models"][0]["model"], "first");
    assert!(json["models"][0]["channels"][0].get("roi").is_none());
}

#[test]
fn workspace_costs_replace_the_log_column_for_tagged_entries() {
    let log = parse_event_log(LOG.as_bytes(), &EventLogOptions::default()).expect("parses");
    let set = build_journeys(&log, &JourneyOptions::default());
    let data = Some(costs_of(&log));
    // Entry 2 is in the workspace (cost 40 instead of the log's 20); entry 9 is not in the data.
    let workspace: std::collections::BTreeMap<u64, f64> = [(2, 40.0), (9, 1_000.0)].into();
    let costs = with_workspace_costs(&set, data, &workspace).expect("costs");
    assert_eq!(costs.by_entry.get(&2), Some(&40.0));
    assert_eq!(costs.by_entry.get(&1), Some(&5.0));
    assert!(!costs.by_entry.contains_key(&9));
    assert_eq!(costs.entry_source.get(&2), Some(&CostSource::Workspace));
    assert_eq!(costs.entry_source.get(&1), Some(&CostSource::Data));
    let input = InputSummary::describe("log.csv", "events", &log.report, &set);
    let report = run(&set, input, &report_params(&[Model::Last], Some(&costs))).expect("runs");
    // Spend: 5 (email, log) + 40 (ads, workspace), the log's 20 for ads taken out.
    assert_eq!(report.totals.cost, Some(45.0));
    let e2 = report.models[0]
        .entries
        .iter()
        .find(|e| e.entry == 2)
        .expect("entry 2");
    // Last touch: revenue 150 on the workspace's 40 → ROI 275 %.
    assert_eq!((e2.cost, e2.roi), (Some(40.0), Some(275.0)));
    assert_eq!(e2.cost_source, Some(CostSource::Workspace));
    // No cost in the data, only the workspace's: still costs, marked as the workspace's.
    let only = with_workspace_costs(&set, None, &workspace).expect("costs");
    assert_eq!(only.by_channel.iter().sum::<f64>(), 40.0);
    assert!(with_workspace_costs(&set, None, &Default::default()).is_none());
}

#[test]
fn entry_rows_carry_intervals_that_contain_the_estimate_and_export_as_csv() {
    let log = parse_event_log(LOG.as_bytes(), &EventLogOptions::default()).expect("parses");
    let set = build_journeys(&log, &JourneyOptions::default());
    let costs = costs_of(&log);
    let input = InputSummary::describe("log.csv", "events", &log.report, &set);
    let report = run(&set, input, &report_params(&Model::ALL, Some(&costs))).expect("runs");
    for m in &report.models {
        for e in &m.entries {
            let (lo, hi) = (e.revenue_low.expect("low"), e.revenue_high.expect("high"));
            assert!(lo <= e.revenue + 1e-9 && e.revenue <= hi + 1e-9, "{m:?}");
            let (lo, hi) = (e.roi_low.expect("roi low"), e.roi_high.expect("roi high"));
            let roi = e.roi.expect("roi");
            assert!(lo <= roi + 1e-9 && roi <= hi + 1e-9, "{lo} {roi} {hi}");
            assert_eq!(e.cost_source, Some(CostSource::Data));
        }
    }
    let csv = entries_csv(&report);
    let entries: usize = report.models.iter().map(|m| m.entries.len()).sum();
    assert_eq!(csv.lines().count(), 1 + entries);
    assert!(csv.starts_with("model,entry,utm_content,conversions,conversions_low"));
    assert!(csv.contains(",data file,"));
}

#[test]
fn costs_are_the_event_order_sums_per_channel_and_entry_to_the_bit() {
    use refleqt_engine::simulate::{simulate_to_csv, SimConfig};
    use std::collections::BTreeMap;
    let cfg = SimConfig {
        journeys: 3_000,
        seed: 5,
        ..SimConfig::default()
    };
    let mut events = Vec::new();
    simulate_to_csv(&cfg, Some(&mut events), None).unwrap();
    let log = parse_event_log(&events, &EventLogOptions::default()).unwrap();
    // The reference: one pass in event order, straight into maps.
    let lo = log.events.iter().map(|e| e.ts_ms()).min().unwrap();
    let hi = log.events.iter().map(|e| e.ts_ms()).max().unwrap();
    let (from, to) = (lo + (hi - lo) / 4, hi - (hi - lo) / 4);
    let mut by_channel = vec![0.0; log.channels.len()];
    let mut by_entry: BTreeMap<u64, f64> = BTreeMap::new();
    for e in &log.events {
        let cost = e.cost();
        if cost == 0.0 || e.ts_ms() < from || e.ts_ms() >= to {
            continue;
        }
        let key = log.touch_key(e).unwrap();
        by_channel[key.channel as usize] += cost;
        if let Some(entry) = key.entry {
            *by_entry.entry(entry).or_insert(0.0) += cost;
        }
    }
    let got = refleqt_engine::report::costs_in(&log, from, to);
    assert!(!by_entry.is_empty());
    assert_eq!(got.by_channel, by_channel);
    assert_eq!(got.by_entry, by_entry);
    assert!(got.entry_source.keys().eq(by_entry.keys()));
    assert!(got.entry_source.values().all(|s| *s == CostSource::Data));
}

#[test]
fn models_and_replicates_on_threads_give_the_same_report_to_the_bit() {
    use refleqt_engine::simulate::{simulate_to_csv, SimConfig};
    let cfg = SimConfig {
        journeys: 30_000,
        seed: 3,
        ..SimConfig::default()
    };
    let mut events = Vec::new();
    simulate_to_csv(&cfg, Some(&mut events), None).unwrap();
    let log = parse_event_log(&events, &EventLogOptions::default()).unwrap();
    let set = build_journeys(&log, &JourneyOptions::default());
    let costs = costs_of(&log);
    let models = Model::ALL;
    let params = report_params(&models, Some(&costs));
    let input = || InputSummary::describe("sim.csv", "events", &log.report, &set);
    let one = run(&set, input(), &params).unwrap();
    // The data-driven model ran too (over 1,000 conversions), so every model is compared.
    assert_eq!(one.models.len(), models.len(), "skipped: {:?}", one.skipped);
    let one = serde_json::to_string(&one).unwrap();
    for width in [2, 3, 8] {
        let shared = refleqt_engine::report::run_with(&set, input(), &params, &OnThreads(width));
        assert_eq!(
            serde_json::to_string(&shared.unwrap()).unwrap(),
            one,
            "{width} threads"
        );
    }
}
