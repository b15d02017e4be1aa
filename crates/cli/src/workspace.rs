//! `--workspace FILE.json`: the calendar entries' costs from a workspace file exported by the app
//! (`{"format": "refleqt-workspace", "schema_version", "workspace": {"entries", "performance_entries"}}`).
//!
//! An entry's cost follows the app's rule (`Workspace::cost`): its recorded `cost` metric when it
//! has one — the latest manual row, else the imported value (the rows of the platform imported
//! most recently added up, or the latest row when it has no platform) — otherwise its planned
//! `cost`. Only the fields needed are read, so any schema the app writes is accepted.

use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct File {
    format: String,
    workspace: Workspace,
}

#[derive(Deserialize)]
struct Workspace {
    #[serde(default)]
    entries: Vec<Entry>,
    #[serde(default)]
    performance_entries: Vec<Row>,
}

#[derive(Deserialize)]
struct Entry {
    entry_id: u64,
    #[serde(default)]
    cost: Option<f64>,
}

#[derive(Deserialize)]
struct Row {
    calendar_entry_id: u64,
    metric_type: String,
    metric_value: f64,
    recorded_at: i64,
    source: String,
    #[serde(default)]
    platform: Option<serde_json::Value>,
}

/// The cost of every entry that has one, or why the file cannot be read.
pub fn entry_costs(bytes: &[u8]) -> Result<BTreeMap<u64, f64>, String> {
    let file: File = serde_json::from_slice(bytes)
        .map_err(|e| format!("not a workspace file exported by the app: {e}"))?;
    if file.format != "refleqt-workspace" {
        return Err(format!(
            "not a workspace file exported by the app (format {:?})",
            file.format
        ));
    }
    let ws = file.workspace;
    let mut out = BTreeMap::new();
    for e in &ws.entries {
        if let Some(c) = recorded(&ws.performance_entries, e.entry_id).or(e.cost) {
            out.insert(e.entry_id, c);
        }
    }
    Ok(out)
}

/// The recorded cost of an entry: the latest manual row, else the imported value.
fn recorded(rows: &[Row], entry: u64) -> Option<f64> {
    let of = |source: &'static str| {
        rows.iter().enumerate().filter(move |(_, r)| {
            r.calendar_entry_id == entry && r.metric_type == "cost" && r.source == source
        })
    };
    let latest = |source: &'static str| of(source).max_by_key(|(i, r)| (r.recorded_at, *i));
    if let Some((_, r)) = latest("manual") {
        return Some(r.metric_value);
    }
    let (_, last) = latest("imported")?;
    match &last.platform {
        None => Some(last.metric_value),
        Some(p) => Some(
            of("imported")
                .filter(|(_, r)| r.platform.as_ref() == Some(p))
                .map(|(_, r)| r.metric_value)
                .sum(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_cost_wins_over_planned_and_manual_over_imported() {
        let text = br#"{"format":"refleqt-workspace","schema_version":3,"workspace":{
            "next_entry_id":4,
            "entries":[{"entry_id":1,"cost":100.0},{"entry_id":2,"cost":50.0},{"entry_id":3}],
            "performance_entries":[
              {"calendar_entry_id":1,"metric_type":"cost","metric_value":80.0,"recorded_at":1,"source":"imported"},
              {"calendar_entry_id":1,"metric_type":"cost","metric_value":70.0,"recorded_at":0,"source":"manual"},
              {"calendar_entry_id":2,"metric_type":"cost","metric_value":5.0,"recorded_at":1,"source":"imported","platform":"google_ads"},
              {"calendar_entry_id":2,"metric_type":"cost","metric_value":6.0,"recorded_at":2,"source":"imported","platform":"google_ads"}
            ]}}"#;
        let costs = entry_costs(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(costs.get(&1), Some(&70.0));
        assert_eq!(costs.get(&2), Some(&11.0));
        assert_eq!(costs.get(&3), None);
        assert!(entry_costs(b"{\"format\":\"x\",\"workspace\":{}}").is_err());
        assert!(entry_costs(b"not json").is_err());
    }
}
