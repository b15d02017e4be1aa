//! The Overview page's figures, pure and natively tested: the headline (spend on calendar
//! entries, the revenue the chosen model credits to them with its 95 % interval, their ROI =
//! (revenue − cost) / cost × 100 with its interval, and the change against the period before),
//! the best and worst artifacts by ROI, what needs attention, and the next planned entries.
//!
//! The headline is the report's [`refleqt_engine::report::ArtifactTotals`] of the chosen model —
//! the same numbers the Attribution page shows above its per-artifact table — so the two pages
//! agree for the same data, period and model. [`attention`] returns a list that later modules
//! (alerts) extend with their own [`Attention`] items.

use super::views::{artifacts, model, ArtifactRow};
use super::Outcome;
use crate::model::date::Date;
use crate::model::entry::CalendarEntry;
use crate::model::performance::Source;
use crate::model::workspace::{ValueIndex, Workspace};
use refleqt_engine::models::Model;
use refleqt_engine::report::ArtifactTotals;
use refleqt_engine::EntryId;
use std::collections::BTreeSet;

/// Days after which the latest import counts as stale.
pub const STALE_IMPORT_DAYS: i64 = 30;

/// How many artifacts the best and the worst lists hold.
pub const BEST_WORST: usize = 3;

/// The headline figures of one model, now and in the period before.
#[derive(Debug, Clone, PartialEq)]
pub struct Headline {
    pub now: ArtifactTotals,
    /// The same model's figures in the period before (when a period was chosen and it has data).
    pub before: Option<ArtifactTotals>,
}

/// The headline under `m`; `None` when the data tags no calendar entry (nothing to credit).
pub fn headline(outcome: &Outcome, m: Model) -> Option<Headline> {
    let now = model(&outcome.report, m)?.artifacts.clone()?;
    let before = outcome.previous.as_ref().and_then(|p| {
        p.artifacts
            .iter()
            .find(|(pm, _)| *pm == m)
            .and_then(|(_, a)| a.clone())
    });
    Some(Headline { now, before })
}

/// The change from `before` to `now` in percent of `before`; `None` when `before` is not positive.
pub fn change(now: f64, before: f64) -> Option<f64> {
    (before > 0.0 && now.is_finite()).then(|| (now - before) / before * 100.0)
}

/// The artifacts with an ROI under `m`: the best (highest ROI first) and the worst (lowest
/// first), at most [`BEST_WORST`] each and never the same entry in both.
pub fn best_and_worst(
    outcome: &Outcome,
    m: Model,
    ws: &Workspace,
) -> (Vec<ArtifactRow>, Vec<ArtifactRow>) {
    let mut rows: Vec<ArtifactRow> = artifacts(&outcome.report, m, ws)
        .into_iter()
        .filter(|a| a.row.roi.is_some())
        .collect();
    rows.sort_by(|a, b| {
        b.row
            .roi
            .unwrap_or_default()
            .total_cmp(&a.row.roi.unwrap_or_default())
            .then(a.entry_id.cmp(&b.entry_id))
    });
    let best: Vec<ArtifactRow> = rows.iter().take(BEST_WORST).cloned().collect();
    let worst: Vec<ArtifactRow> = rows
        .iter()
        .rev()
        .take(BEST_WORST.min(rows.len().saturating_sub(best.len())))
        .cloned()
        .collect();
    (best, worst)
}

/// A stored import as the overview needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportInfo {
    pub name: String,
    /// Unix milliseconds.
    pub imported_at: i64,
}

/// Something the marketer should look at.
#[derive(Debug, Clone, PartialEq)]
pub enum Attention {
    /// A published entry with no recorded result and no credit in the analysed data.
    NoResults {
        entry_id: EntryId,
        title: String,
        published: Date,
    },
    /// The latest import (a data set or platform export) is this many days old.
    StaleImport { name: String, days: i64 },
    /// Nothing was ever imported into a workspace that is not the demo.
    NoImport,
}

impl Attention {
    /// What to tell the marketer.
    pub fn message(&self) -> String {
        match self {
            Attention::NoResults {
                title, published, ..
            } => format!(
                "“{title}” (published {published}) has no results yet: record them on its page or import your platform exports."
            ),
            Attention::StaleImport { name, days } => format!(
                "Your latest import ({name}) is {days} days old: import fresh exports to keep the figures current."
            ),
            Attention::NoImport => {
                "Nothing imported yet: import an analytics or ad platform export to see what your artifacts earned."
                    .to_owned()
            }
        }
    }

    /// Where to act on it (a `#/` route).
    pub fn href(&self) -> String {
        match self {
            Attention::NoResults { entry_id, .. } => format!("#/entry/{entry_id}"),
            Attention::StaleImport { .. } | Attention::NoImport => "#/import".to_owned(),
        }
    }
}

/// What needs attention on `today`: published entries without results (no recorded metric and
/// no credit in `credited`), oldest first; then a stale or missing import. Later modules append
/// their own items to the list.
pub fn attention(
    ws: &Workspace,
    values: &ValueIndex,
    today: Date,
    credited: &BTreeSet<EntryId>,
    imports: &[ImportInfo],
) -> Vec<Attention> {
    let mut items: Vec<(Date, Attention)> = ws
        .entries
        .iter()
        .filter(|e| e.publish_date < today)
        .filter(|e| !credited.contains(&e.entry_id))
        .filter(|e| values.recorded_metrics(e.entry_id).is_empty())
        .map(|e| {
            (
                e.publish_date,
                Attention::NoResults {
                    entry_id: e.entry_id,
                    title: e.title.clone(),
                    published: e.publish_date,
                },
            )
        })
        .collect();
    items.sort_by_key(|(d, _)| *d);
    let mut out: Vec<Attention> = items.into_iter().map(|(_, a)| a).collect();
    let platform = ws
        .performance_entries
        .iter()
        .filter(|r| r.source == Source::Imported && r.platform.is_some())
        .map(|r| ImportInfo {
            name: "platform export".to_owned(),
            imported_at: r.recorded_at,
        });
    let latest = imports
        .iter()
        .cloned()
        .chain(platform)
        .max_by_key(|i| i.imported_at);
    match latest {
        Some(i) => {
            let days = today.unix_ms().saturating_sub(i.imported_at) / 86_400_000;
            if days >= STALE_IMPORT_DAYS {
                out.push(Attention::StaleImport { name: i.name, days });
            }
        }
        None if !ws.is_demo => out.push(Attention::NoImport),
        None => {}
    }
    out
}

/// The next `n` entries planned for `today` or later, soonest first.
pub fn upcoming(ws: &Workspace, today: Date, n: usize) -> Vec<CalendarEntry> {
    let mut next: Vec<CalendarEntry> = ws
        .entries
        .iter()
        .filter(|e| e.publish_date >= today)
        .cloned()
        .collect();
    next.sort_by_key(|e| (e.publish_date, e.entry_id));
    next.truncate(n);
    next
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{compute, entry_costs, load_demo, RunOptions};

    fn day(s: &str) -> Date {
        Date::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_headline_is_the_reports_artifact_totals_and_compares_with_the_period_before() {
        let ws = crate::model::demo::demo_workspace().unwrap_or_else(|e| panic!("{e}"));
        let loaded = load_demo().unwrap_or_else(|e| panic!("{e}"));
        let options = RunOptions {
            period_days: Some(90),
            ..RunOptions::default()
        };
        let out =
            compute(&loaded, &options, &entry_costs(&ws), 30).unwrap_or_else(|e| panic!("{e}"));
        assert!(out.window.is_some());
        assert!(out.report.truth.is_none(), "no truth for a period");
        let h = headline(&out, Model::Linear).unwrap_or_else(|| panic!("headline"));
        let rows = artifacts(&out.report, Model::Linear, &ws);
        let revenue: f64 = rows.iter().map(|a| a.row.revenue).sum();
        assert!((h.now.revenue - revenue).abs() < 1e-6 * revenue.max(1.0));
        let (lo, hi) = (
            h.now.revenue_low.unwrap_or(f64::NAN),
            h.now.revenue_high.unwrap_or(f64::NAN),
        );
        assert!(
            lo <= h.now.revenue && h.now.revenue <= hi,
            "{lo} {} {hi}",
            h.now.revenue
        );
        assert!(h.now.roi.is_some() && h.now.roi_low.is_some());
        // The demo spans more than 180 days, so the 90 days before have data too.
        assert!(h.before.is_some());
        let all = compute(&loaded, &RunOptions::default(), &entry_costs(&ws), 0)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(all.report.totals.conversions > out.report.totals.conversions);
        assert!(all.previous.is_none());
        assert_eq!(change(150.0, 100.0), Some(50.0));
        assert_eq!(change(1.0, 0.0), None);
    }

    #[test]
    fn best_and_worst_are_ordered_by_roi_and_disjoint() {
        let ws = crate::model::demo::demo_workspace().unwrap_or_else(|e| panic!("{e}"));
        let loaded = load_demo().unwrap_or_else(|e| panic!("{e}"));
        let out = compute(&loaded, &RunOptions::default(), &entry_costs(&ws), 0)
            .unwrap_or_else(|e| panic!("{e}"));
        let (best, worst) = best_and_worst(&out, Model::Linear, &ws);
        assert_eq!(best.len(), BEST_WORST);
        assert_eq!(worst.len(), BEST_WORST);
        let roi = |a: &ArtifactRow| a.row.roi.unwrap_or_default();
        assert!(best.windows(2).all(|w| roi(&w[0]) >= roi(&w[1])));
        assert!(worst.windows(2).all(|w| roi(&w[0]) <= roi(&w[1])));
        assert!(roi(&best[0]) >= roi(&worst[0]));
        assert!(best
            .iter()
            .all(|b| worst.iter().all(|w| w.entry_id != b.entry_id)));
    }

    #[test]
    fn attention_lists_silent_entries_and_stale_imports() {
        let mut ws = Workspace::empty();
        let draft = |title: &str, date: &str| crate::model::entry::EntryDraft {
            title: title.to_owned(),
            channel: "LinkedIn".to_owned(),
            campaign: String::new(),
            publish_date: day(date),
            destination_url: String::new(),
            cost: Some(10.0),
            creator: String::new(),
            notes: String::new(),
            predicted: Vec::new(),
            kind: String::new(),
            topics: Vec::new(),
            length: None,
            publish_hour: None,
        };
        let old = ws.add_entry(draft("Old post", "2025-01-05"));
        let credited_one = ws.add_entry(draft("Credited", "2025-01-06"));
        let _future = ws.add_entry(draft("Future", "2025-03-01"));
        let today = day("2025-02-01");
        let credited: BTreeSet<EntryId> = [credited_one].into();
        let items = attention(&ws, &ValueIndex::of(&ws), today, &credited, &[]);
        assert_eq!(items.len(), 2, "{items:?}");
        assert!(matches!(items[0], Attention::NoResults { entry_id, .. } if entry_id == old));
        assert_eq!(items[0].href(), format!("#/entry/{old}"));
        assert_eq!(items[1], Attention::NoImport);
        let fresh = ImportInfo {
            name: "march.csv".into(),
            imported_at: day("2025-01-30").unix_ms(),
        };
        let stale = ImportInfo {
            name: "old.csv".into(),
            imported_at: day("2024-11-01").unix_ms(),
        };
        let items = attention(
            &ws,
            &ValueIndex::of(&ws),
            today,
            &credited,
            std::slice::from_ref(&stale),
        );
        assert!(
            matches!(&items[1], Attention::StaleImport { name, days } if name == "old.csv" && *days == 92)
        );
        assert!(items[1].message().contains("92 days"));
        let items = attention(&ws, &ValueIndex::of(&ws), today, &credited, &[stale, fresh]);
        assert_eq!(items.len(), 1);
        let next = upcoming(&ws, today, 5);
        assert_eq!(next.len(), 1);
        assert_eq!(next[0].title, "Future");
    }
}
