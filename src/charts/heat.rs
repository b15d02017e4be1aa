//! The Insights page's chart series, pure: the weekday × hour heat map of a channel's posting
//! times ([`posting_heat`], each cell's factor against the channel's usual with its 95 %
//! interval) and the clusters' median metrics against the typical artifact's
//! ([`cluster_bars`]).

use super::series::{BarSeries, GroupedBars, HeatCell, HeatMap};
use crate::analysis::insights::ClusterFinding;
use crate::model::metric::MetricKind;
use refleqt_engine::artifact::WEEKDAYS;
use refleqt_engine::posting_time::PostingTimes;

/// A metric key's label ("pageviews" → "Pageviews"); unknown keys as they are.
pub fn metric_label(key: &str) -> String {
    MetricKind::ALL
        .iter()
        .find(|m| m.key() == key)
        .map_or_else(|| key.to_owned(), |m| m.label().to_owned())
}

/// A channel's posting times as a heat map: weekdays (Monday first) × the hours that occur.
pub fn posting_heat(p: &PostingTimes) -> HeatMap {
    let mut hours: Vec<u8> = p.cells.iter().map(|c| c.hour).collect();
    hours.sort_unstable();
    hours.dedup();
    let col = |h: u8| hours.iter().position(|x| *x == h).unwrap_or(0);
    HeatMap {
        rows: WEEKDAYS.iter().map(|d| d[..3].to_owned()).collect(),
        cols: hours.iter().map(|h| format!("{h:02}:00")).collect(),
        cells: p
            .cells
            .iter()
            .map(|c| HeatCell {
                row: usize::from(c.weekday),
                col: col(c.hour),
                value: c.effect.exp(),
                low: c.low.exp(),
                high: c.high.exp(),
                n: c.n,
            })
            .collect(),
        best: Some((usize::from(p.best.weekday), col(p.best.hour))),
        value_label: format!("× the usual {}", metric_label(&p.metric).to_lowercase()),
    }
}

/// Each cluster's median of each metric as a factor of the typical artifact's median (1 =
/// typical), so groups that do better stand out whatever the metrics' scales. Groups are named
/// by their number, most common type and size.
pub fn cluster_bars(finding: &ClusterFinding) -> GroupedBars {
    let ClusterFinding::Found {
        metrics,
        clustering,
        overall,
    } = finding
    else {
        return GroupedBars {
            groups: Vec::new(),
            series: Vec::new(),
            y_label: String::new(),
            percent: false,
        };
    };
    let groups = clustering
        .clusters
        .iter()
        .enumerate()
        .map(|(i, c)| {
            format!(
                "{}: {} ({})",
                i + 1,
                kind_or_channel(&c.kind, &c.channel),
                c.size
            )
        })
        .collect();
    let series = metrics
        .iter()
        .enumerate()
        .map(|(m, key)| {
            let typical = overall.get(m).map_or(0.0, |o| o.1);
            BarSeries {
                label: metric_label(key),
                values: clustering
                    .clusters
                    .iter()
                    .map(|c| {
                        let v = c.medians.get(m).map_or(0.0, |x| x.1);
                        // Against a typical 0, anything above is "infinitely" better: show 1 + v.
                        let f = if typical > 0.0 { v / typical } else { 1.0 + v };
                        (f, None)
                    })
                    .collect(),
            }
        })
        .collect();
    GroupedBars {
        groups,
        series,
        y_label: "× the typical artifact's median".into(),
        percent: false,
    }
}

/// A cluster's name: its most common type, or its channel when types are not recorded.
pub fn kind_or_channel(kind: &str, channel: &str) -> String {
    if kind.is_empty() {
        channel.to_owned()
    } else {
        kind.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use refleqt_engine::clusters::{Cluster, Clustering};
    use refleqt_engine::posting_time::Cell;

    fn cell(weekday: u8, hour: u8, effect: f64) -> Cell {
        Cell {
            weekday,
            hour,
            effect,
            low: effect - 0.5,
            high: effect + 0.5,
            n: 3,
        }
    }

    #[test]
    fn a_heat_map_has_every_weekday_and_the_hours_seen_with_the_best_marked() {
        let best = cell(1, 9, std::f64::consts::LN_2);
        let p = PostingTimes {
            channel: "Blog".into(),
            metric: "pageviews".into(),
            artifacts: 40,
            cells: vec![cell(0, 14, -0.2), best.clone(), cell(6, 9, 0.0)],
            best,
            sentence: String::new(),
        };
        let h = posting_heat(&p);
        assert_eq!(h.rows.len(), 7);
        assert_eq!(h.rows[1], "Tue");
        assert_eq!(h.cols, ["09:00", "14:00"]);
        assert_eq!(h.best, Some((1, 0)));
        assert_eq!(h.value_label, "× the usual pageviews");
        let t = h.table();
        assert_eq!(t.rows.len(), 3);
        assert_eq!(t.rows[0], ["Mon", "14:00", "0.82×", "0.50× – 1.35×", "3"]);
        assert_eq!(t.rows[1][2], "2.00× (best)");
        assert!(!h.is_empty());
    }

    #[test]
    fn cluster_bars_are_factors_of_the_typical_median() {
        let c = |kind: &str, pv: f64, rev: f64| Cluster {
            size: 5,
            kind: kind.into(),
            kind_share: 1.0,
            channel: "Blog".into(),
            channel_share: 1.0,
            medians: vec![("pageviews".into(), pv), ("revenue".into(), rev)],
        };
        let finding = ClusterFinding::Found {
            metrics: vec!["pageviews".into(), "revenue".into()],
            clustering: Clustering {
                k: 2,
                silhouette: 0.5,
                tried: vec![(2, 0.5)],
                clusters: vec![c("Case study", 300.0, 50.0), c("", 100.0, 0.0)],
                assignment: Vec::new(),
            },
            overall: vec![("pageviews".into(), 100.0), ("revenue".into(), 25.0)],
        };
        let b = cluster_bars(&finding);
        assert_eq!(b.groups, ["1: Case study (5)", "2: Blog (5)"]);
        assert_eq!(b.series[0].label, "Pageviews");
        assert_eq!(b.series[0].values[0].0, 3.0);
        assert_eq!(b.series[1].values, [(2.0, None), (0.0, None)]);
        let none = cluster_bars(&ClusterFinding::NotEnough { have: 3, need: 10 });
        assert!(none.groups.is_empty());
    }
}
