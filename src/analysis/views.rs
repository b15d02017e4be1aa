//! The report turned into what the pages show: the channel × model grid, per-artifact rows, the
//! recommendation for the workspace's settings, per-campaign rollups. Pure and natively tested.

use super::Outcome;
use crate::model::workspace::{ValueIndex, Workspace};
use refleqt_engine::models::Model;
use refleqt_engine::recommend::{
    data_driven_caution, recommend, BusinessType, Recommendation, Situation,
};
use refleqt_engine::report::{ChannelRow, EntryRow, ModelReport, Report};
use refleqt_engine::roi::{roas, roi};
use std::collections::BTreeMap;

/// One channel's row of the side-by-side grid: a cell per model in [`Model::ALL`] order (`None`
/// when the model was skipped on this data).
#[derive(Debug, Clone, PartialEq)]
pub struct GridRow {
    pub channel: String,
    pub cells: Vec<Option<ChannelRow>>,
}

/// Every channel of the data with each model's credit.
pub fn channel_grid(report: &Report) -> Vec<GridRow> {
    report
        .input
        .channels
        .iter()
        .map(|channel| GridRow {
            channel: channel.clone(),
            cells: Model::ALL
                .iter()
                .map(|m| {
                    model(report, *m)
                        .and_then(|r| r.channels.iter().find(|c| &c.channel == channel))
                        .cloned()
                })
                .collect(),
        })
        .collect()
}

/// The report of one model, if it ran.
pub fn model(report: &Report, model: Model) -> Option<&ModelReport> {
    report.models.iter().find(|m| m.model == model)
}

/// One calendar entry under one model, with the workspace's title when it has one.
#[derive(Debug, Clone, PartialEq)]
pub struct ArtifactRow {
    pub entry_id: u64,
    pub title: String,
    pub campaign: String,
    pub row: EntryRow,
}

/// Per-artifact credit under `m`, titled from the workspace, most revenue first.
pub fn artifacts(report: &Report, m: Model, ws: &Workspace) -> Vec<ArtifactRow> {
    let Some(r) = model(report, m) else {
        return Vec::new();
    };
    let mut rows: Vec<ArtifactRow> = r
        .entries
        .iter()
        .map(|e| {
            let entry = ws.entry(e.entry);
            ArtifactRow {
                entry_id: e.entry,
                title: entry.map_or_else(|| e.utm_content.clone(), |x| x.title.clone()),
                campaign: entry.map(|x| x.campaign.clone()).unwrap_or_default(),
                row: e.clone(),
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.row
            .revenue
            .total_cmp(&a.row.revenue)
            .then(a.entry_id.cmp(&b.entry_id))
    });
    rows
}

/// The spec's recommendation for this data and the workspace's business type and sales cycle.
pub fn recommendation(
    outcome: &Outcome,
    business: BusinessType,
    cycle_days: u32,
) -> Recommendation {
    recommend(&Situation {
        conversions: outcome.report.totals.conversions,
        span_days: outcome.span_days,
        sales_cycle_days: f64::from(cycle_days),
        business,
    })
}

/// The note for Markov and Shapley on thin data.
pub fn caution(report: &Report) -> Option<String> {
    data_driven_caution(report.totals.conversions)
}

/// Whether any channel has negative Shapley credit (worth explaining).
pub fn has_negative_shapley(report: &Report) -> bool {
    model(report, Model::Shapley).is_some_and(|r| r.channels.iter().any(|c| c.conversions < 0.0))
}

/// A campaign's artifacts added up under one model.
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignRollup {
    pub campaign: String,
    pub entries: usize,
    pub cost: f64,
    pub conversions: f64,
    pub revenue: f64,
    pub roi: Option<f64>,
    pub roas: Option<f64>,
}

/// Per campaign of the workspace: its entries' cost (as the report used it, else the workspace's
/// recorded or planned cost) and the credit they earned under `m`.
pub fn campaign_rollups(
    report: &Report,
    m: Model,
    ws: &Workspace,
    values: &ValueIndex,
) -> Vec<CampaignRollup> {
    let credit: BTreeMap<u64, &EntryRow> = model(report, m)
        .map(|r| r.entries.iter().map(|e| (e.entry, e)).collect())
        .unwrap_or_default();
    let mut by: BTreeMap<String, CampaignRollup> = BTreeMap::new();
    for e in &ws.entries {
        let name = if e.campaign.is_empty() {
            "(no campaign)".to_owned()
        } else {
            e.campaign.clone()
        };
        let r = by.entry(name.clone()).or_insert(CampaignRollup {
            campaign: name,
            entries: 0,
            cost: 0.0,
            conversions: 0.0,
            revenue: 0.0,
            roi: None,
            roas: None,
        });
        r.entries += 1;
        // The cost the report used (workspace or data file), else the workspace's.
        r.cost += credit
            .get(&e.entry_id)
            .and_then(|c| c.cost)
            .or_else(|| values.cost(ws, e.entry_id).map(|(c, _)| c))
            .unwrap_or(0.0);
        if let Some(c) = credit.get(&e.entry_id) {
            r.conversions += c.conversions;
            r.revenue += c.revenue;
        }
    }
    by.into_values()
        .map(|mut r| {
            let cost = (r.cost > 0.0).then_some(r.cost);
            r.roi = roi(r.revenue, cost).ok();
            r.roas = roas(r.revenue, cost).ok();
            r
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{compute, load_demo, RunOptions};
    use refleqt_engine::recommend::Rule;

    fn demo_outcome() -> Outcome {
        let loaded = load_demo().unwrap_or_else(|e| panic!("{e}"));
        compute(&loaded, &RunOptions::default(), &BTreeMap::new(), 0)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn grid_has_every_model_for_every_channel_of_the_demo() {
        let out = demo_outcome();
        let grid = channel_grid(&out.report);
        assert_eq!(grid.len(), out.report.input.channels.len());
        assert!(grid.len() >= 6);
        // The demo has a few hundred conversions: the data-driven (logistic) model is gated off
        // (its cell empty, the reason under `skipped`) and every other model fills its cell.
        for row in &grid {
            assert_eq!(row.cells.len(), 8);
            for (cell, m) in row.cells.iter().zip(Model::ALL) {
                assert_eq!(
                    cell.is_some(),
                    m != Model::Logistic,
                    "{} {m:?}",
                    row.channel
                );
            }
        }
        assert!(out
            .report
            .skipped
            .iter()
            .any(|s| s.model == Model::Logistic && s.reason.contains("1000")));
        // Asking for it anyway (the Parameters checkbox) fills the column.
        let loaded = load_demo().unwrap_or_else(|e| panic!("{e}"));
        let mut options = RunOptions::default();
        options.params.force_logistic = true;
        let forced =
            compute(&loaded, &options, &BTreeMap::new(), 0).unwrap_or_else(|e| panic!("{e}"));
        for row in channel_grid(&forced.report) {
            assert!(row.cells.iter().all(Option::is_some), "{}", row.channel);
        }
    }

    #[test]
    fn recommendation_follows_the_rules_for_the_settings() {
        let out = demo_outcome();
        let per_month = recommendation(&out, BusinessType::B2c, 14).conversions_per_month;
        let b2c = recommendation(&out, BusinessType::B2c, 14);
        let b2b = recommendation(&out, BusinessType::B2b, 14);
        let long = recommendation(&out, BusinessType::B2b, 60);
        if per_month < 100.0 {
            assert_eq!(b2c.rule, Rule::LowVolume);
        } else {
            assert_eq!(long.rule, Rule::LongCycle);
            assert_eq!(long.model, Model::TimeDecay);
            assert_eq!(b2b.rule, Rule::B2b);
            assert_eq!(b2b.model, Model::Position);
            assert_ne!(b2c.sentence, b2b.sentence);
        }
    }

    #[test]
    fn campaign_rollups_add_up_the_entries() {
        let out = demo_outcome();
        let ws = crate::model::demo::demo_workspace().unwrap_or_else(|e| panic!("{e}"));
        let rolls = campaign_rollups(&out.report, Model::Linear, &ws, &ValueIndex::of(&ws));
        assert_eq!(rolls.len(), 3);
        assert_eq!(rolls.iter().map(|r| r.entries).sum::<usize>(), 30);
        let credited: f64 = model(&out.report, Model::Linear)
            .map(|m| m.entries.iter().map(|e| e.revenue).sum())
            .unwrap_or_default();
        let rolled: f64 = rolls.iter().map(|r| r.revenue).sum();
        assert!((credited - rolled).abs() < 1e-6 * credited.max(1.0));
        let arts = artifacts(&out.report, Model::Linear, &ws);
        assert_eq!(arts.len(), 30);
        assert!(arts
            .windows(2)
            .all(|w| w[0].row.revenue >= w[1].row.revenue));
    }

    #[test]
    fn demo_is_below_the_data_driven_minimum_or_not_flagged() {
        let out = demo_outcome();
        assert_eq!(
            caution(&out.report).is_some(),
            out.report.totals.conversions < 1000.0
        );
    }

    #[test]
    fn stored_settings_without_the_recommendation_fields_load_with_defaults() {
        use crate::model::workspace::{Settings, DEFAULT_SALES_CYCLE_DAYS};
        let s: Settings =
            serde_json::from_str(r#"{"currency":"EUR"}"#).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.currency, "EUR");
        assert_eq!(s.business_type, BusinessType::B2c);
        assert_eq!(s.sales_cycle_days, DEFAULT_SALES_CYCLE_DAYS);
        let back: Settings = serde_json::from_str(
            &serde_json::to_string(&Settings {
                business_type: BusinessType::B2b,
                sales_cycle_days: 45,
                ..s
            })
            .unwrap_or_default(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (back.business_type, back.sales_cycle_days),
            (BusinessType::B2b, 45)
        );
    }
}
