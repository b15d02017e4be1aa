//! The path table the engine writes (`path_table`, what `refleqt paths` and the warehouse SQL
//! produce) reads back as the same journeys merged by path and entries, so every model —
//! calendar-entry credit included — gives the same answer as on the event log.

use refleqt_engine::assemble::{build_journeys, JourneyOptions};
use refleqt_engine::models::{attribute, Model, ModelParams};
use refleqt_engine::parse::{parse_event_log, parse_path_table, EventLogOptions, PathTableOptions};
use refleqt_engine::path_table::{path_rows, to_csv};
use refleqt_engine::simulate::{simulate_to_csv, SimConfig};
use refleqt_engine::JourneySet;

fn simulated(n: u64, seed: u64) -> JourneySet {
    let cfg = SimConfig {
        journeys: n,
        seed,
        ..SimConfig::demo()
    };
    let mut events = Vec::new();
    simulate_to_csv(&cfg, Some(&mut events), None).unwrap();
    let log = parse_event_log(&events, &EventLogOptions::default()).unwrap();
    build_journeys(&log, &JourneyOptions::default())
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn written_table_reads_back_with_entries_and_the_same_totals() {
    let set = simulated(3000, 11);
    let csv = to_csv(&set).unwrap();
    let table = parse_path_table(csv.as_bytes(), &PathTableOptions::default()).unwrap();
    assert_eq!(table.report.rejected_count, 0);
    let back = table.set;
    assert_eq!(back.len(), path_rows(&set).unwrap().len());
    assert!(back.len() < set.len(), "journeys are merged");
    assert_eq!(back.total_conversions(), set.total_conversions());
    assert_eq!(back.total_nulls(), set.total_nulls());
    assert!(close(back.total_revenue(), set.total_revenue()));
    let with_entries = |s: &JourneySet| {
        s.iter()
            .map(|j| {
                j.touches.iter().filter(|t| t.entry.is_some()).count() as f64
                    * (j.conversions + j.nulls)
            })
            .sum::<f64>()
    };
    assert!(with_entries(&set) > 0.0, "the simulator tags touches");
    assert_eq!(with_entries(&back), with_entries(&set));
}

#[test]
fn every_untimed_model_credits_channels_and_entries_alike_on_the_table() {
    let set = simulated(3000, 5);
    let csv = to_csv(&set).unwrap();
    let back = parse_path_table(csv.as_bytes(), &PathTableOptions::default())
        .unwrap()
        .set;
    let params = ModelParams::default();
    for model in [
        Model::First,
        Model::Last,
        Model::Linear,
        Model::Position,
        Model::Markov,
        Model::Shapley,
    ] {
        let a = attribute(&set, model, &params).unwrap();
        let b = attribute(&back, model, &params).unwrap();
        assert!(!a.entries.is_empty(), "{model:?}: entries credited");
        assert_eq!(a.entries.len(), b.entries.len(), "{model:?}");
        for (x, y) in a.entries.iter().zip(&b.entries) {
            assert_eq!(x.entry, y.entry, "{model:?}");
            assert!(
                close(x.conversions, y.conversions),
                "{model:?} entry {}: {} vs {}",
                x.entry,
                x.conversions,
                y.conversions
            );
            assert!(
                close(x.revenue, y.revenue),
                "{model:?} entry {}: {} vs {}",
                x.entry,
                x.revenue,
                y.revenue
            );
        }
        // Channel ids differ (the table interns channels in its own row order): by name.
        assert_eq!(a.channels.len(), b.channels.len(), "{model:?}");
        for x in &a.channels {
            let y = b.channels.iter().find(|y| y.name == x.name).unwrap();
            assert!(close(x.conversions, y.conversions), "{model:?} {}", x.name);
            assert!(close(x.revenue, y.revenue), "{model:?} {}", x.name);
        }
    }
}
