//! Creator reputation on the workspace: the engine's `creators::reputation` (residuals against
//! channel × type peers, empirical-Bayes shrinkage, 95 % intervals, rank, trend) run on the
//! learning history (`learning::history`: measured entries, then past artifacts), the metrics
//! it can be run on, and a planned entry's creator match in words.

use super::entry::CalendarEntry;
use super::learning::{learned_metrics, History};
use super::metric::MetricKind;
use refleqt_engine::creators::{reputation, MatchScore, Reputation};

/// Fewer artifacts with a creator than this on a metric and the metric is not offered.
pub const MIN_ARTIFACTS: usize = 10;

/// Metrics with at least [`MIN_ARTIFACTS`] artifacts that name a creator, reach-like first
/// (pageviews, then the catalog's order).
pub fn metrics(h: &History) -> Vec<MetricKind> {
    let mut out: Vec<MetricKind> = learned_metrics()
        .into_iter()
        .filter(|m| {
            h.records
                .iter()
                .filter(|r| !r.features.creator.trim().is_empty() && r.value(m.key()).is_some())
                .count()
                >= MIN_ARTIFACTS
        })
        .collect();
    out.sort_by_key(|m| *m != MetricKind::Pageviews);
    out
}

/// Every creator's reputation on `metric`.
pub fn creators(h: &History, metric: MetricKind) -> Reputation {
    reputation(&h.records, metric.key())
}

/// "× 1.22 the usual" as words: "22 % above", "8 % below", "about the same as".
pub fn relative(multiplier: f64) -> String {
    let pct = (multiplier - 1.0) * 100.0;
    if pct.abs() < 1.0 {
        "about the same as".to_owned()
    } else if pct > 0.0 {
        format!("{pct:.0} % above")
    } else {
        format!("{:.0} % below", -pct)
    }
}

/// A creator's match for a planned entry on `metric`, with the sentence saying it.
pub fn match_sentence(
    h: &History,
    entry: &CalendarEntry,
    metric: MetricKind,
) -> Option<(MatchScore, String)> {
    let creator = entry.creator.trim();
    if creator.is_empty() {
        return None;
    }
    let rep = creators(h, metric);
    let m = rep.match_score(creator, &entry.kind, &entry.channel)?;
    let kind = if entry.kind.trim().is_empty() {
        "artifacts".to_owned()
    } else {
        format!("{} artifacts", entry.kind.trim().to_lowercase())
    };
    let basis = match m.based_on {
        0 => format!(
            "{} has no past {kind} on {}: this is their overall score",
            m.creator, entry.channel
        ),
        1 => format!("based on 1 past {} {kind} on {}", m.creator, entry.channel),
        n => format!(
            "based on {n} of {}'s past {kind} on {}",
            m.creator, entry.channel
        ),
    };
    let text = format!(
        "Creator match: {}'s {kind} on {} usually get {} the {} their channel and type get (95 %: {} to {}); {basis}.",
        m.creator,
        entry.channel,
        relative(m.multiplier),
        metric.label().to_lowercase(),
        relative(m.low.exp()),
        relative(m.high.exp()),
    );
    Some((m, text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::demo::{demo_workspace, DEMO_CREATORS};
    use crate::model::learning::history;
    use refleqt_engine::stats::spearman;

    #[test]
    fn the_demo_ranks_its_creators_by_their_planted_skill() {
        let ws = demo_workspace().unwrap_or_else(|e| panic!("{e}"));
        let h = history(&ws);
        let ms = metrics(&h);
        assert_eq!(ms.first(), Some(&MetricKind::Pageviews), "{ms:?}");
        let rep = creators(&h, MetricKind::Pageviews);
        assert_eq!(rep.creators.len(), DEMO_CREATORS.len());
        let order: Vec<&str> = rep.creators.iter().map(|c| c.creator.as_str()).collect();
        let planted: Vec<&str> = DEMO_CREATORS.iter().map(|c| c.0).collect();
        assert_eq!(order, planted);
        let truth: Vec<f64> = rep
            .creators
            .iter()
            .filter_map(|c| DEMO_CREATORS.iter().find(|d| d.0 == c.creator))
            .map(|d| d.1)
            .collect();
        let est: Vec<f64> = rep.creators.iter().map(|c| c.skill).collect();
        let rho = spearman(&truth, &est).unwrap_or(0.0);
        assert!(rho > 0.99, "{rho}");
        for c in &rep.creators {
            assert!(c.low <= c.skill && c.skill <= c.high);
            assert!(c.artifacts >= MIN_ARTIFACTS);
        }
        assert!(rep.creators.windows(2).all(|w| w[0].skill >= w[1].skill));
    }

    #[test]
    fn a_planned_entry_gets_its_creator_match_in_words() {
        let ws = demo_workspace().unwrap_or_else(|e| panic!("{e}"));
        let Some(entry) = ws.entries.iter().find(|e| e.creator == DEMO_CREATORS[0].0) else {
            panic!("no entry by the best creator");
        };
        let (m, text) = match_sentence(&history(&ws), entry, MetricKind::Pageviews)
            .unwrap_or_else(|| panic!("no match for {}", entry.creator));
        assert!(m.multiplier > 1.0, "{m:?}");
        assert!(text.starts_with("Creator match: Alex Morgan's"), "{text}");
        assert!(text.contains("% above"), "{text}");
        let mut nobody = entry.clone();
        nobody.creator = "  ".into();
        assert!(match_sentence(&history(&ws), &nobody, MetricKind::Pageviews).is_none());
        nobody.creator = "Someone New".into();
        assert!(match_sentence(&history(&ws), &nobody, MetricKind::Pageviews).is_none());
        assert_eq!(relative(1.224), "22 % above");
        assert_eq!(relative(0.92), "8 % below");
        assert_eq!(relative(1.004), "about the same as");
    }
}
