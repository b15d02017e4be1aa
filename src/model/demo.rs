//! The demo workspace shown on first run, built from the engine's seeded simulator
//! (`refleqt_engine::simulate`, `SimConfig::demo()`: 30 calendar entries over the first half of
//! 2025 across seven channels and three campaigns).
//!
//! Per entry, from the simulated journeys: **visits** = touches tagged with the entry;
//! **signups** and **revenue** = the conversions whose last touch was the entry (V1 is last touch);
//! **cost** = the simulator's realised cost (touches × cost per touch), kept as the planned cost.
//! Channel-specific figures are fixed multiples of the visits (email opens = 4 × clicks, social
//! impressions = 30 × visits, ad impressions = 40 × clicks), so the demo looks like real exports
//! while every number traces back to the simulation. Counts and money come with a history (twice
//! a week over the entry's first 30 days, growing to the final value, see `history`), rates and
//! averages with their final value. All values are marked `imported`: a value the user types
//! over them wins, which the demo makes visible.

use super::date::Date;
use super::entry::{CalendarEntry, Predicted};
use super::metric::MetricKind;
use super::performance::{PerformanceEntry, Source};
use super::workspace::Workspace;
use refleqt_engine::artifact::{ArtifactFeatures, ArtifactRecord};
use refleqt_engine::simulate::{simulate_into, SimConfig, SimError};
use refleqt_engine::EntryId;
use std::collections::HashMap;

/// Users simulated for the demo (enough for stable per-entry figures, quick in the browser).
pub const DEMO_USERS: u64 = 6_000;
/// The year before the calendar has this many times the calendar's entries per channel (and
/// users), published over twice the span, so each channel has 15–30 past artifacts to learn from.
pub const PAST_ENTRY_FACTOR: u32 = 5;
/// 2024-01-01, the start of the past year.
const PAST_START_MS: i64 = 1_704_067_200_000;
/// Metrics are dated this many days after publication.
const RECORDED_AFTER_DAYS: i64 = 30;

fn channel_label(sim_name: &str) -> &str {
    match sim_name {
        "google-ads" => "Google Ads",
        "meta-ads" => "Meta Ads",
        "linkedin" => "LinkedIn",
        "email" => "Email newsletter",
        "organic-search" => "SEO / organic search",
        "blog" => "Blog / organic",
        "twitter" => "Twitter/X",
        other => other,
    }
}

/// The artifact type of a demo entry, by channel.
fn demo_kind(sim_name: &str) -> &'static str {
    match sim_name {
        "google-ads" | "meta-ads" => "Ad",
        "email" => "Email",
        "linkedin" | "twitter" => "Social post",
        "blog" | "organic-search" => "Blog post",
        _ => "",
    }
}

/// Topic tags the demo entries cycle through.
const DEMO_TOPICS: [&str; 4] = ["product", "how-to", "pricing", "customer-story"];

fn cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Days after publication at which the demo records a metric (twice a week up to
/// [`RECORDED_AFTER_DAYS`]), so trend charts have a history to draw.
const HISTORY_DAYS: [i64; 9] = [2, 5, 9, 12, 16, 19, 23, 26, RECORDED_AFTER_DAYS];

/// A metric's recorded history ending at `total` on the last day: counts and money grow along
/// the saturating curve g(d) = d·(T + k) / (T·(d + k)), T = [`RECORDED_AFTER_DAYS`], k = 6 (a
/// third of the total by day 2, g(T) = 1, plain arithmetic so every target agrees); rates and
/// averages are recorded once, at the end.
fn history(metric: MetricKind, total: f64) -> Vec<(i64, f64)> {
    if refleqt_engine::imports::AVERAGED_METRICS.contains(&metric.key()) {
        return vec![(RECORDED_AFTER_DAYS, total)];
    }
    let t = RECORDED_AFTER_DAYS as f64;
    let k = 6.0;
    let money = matches!(metric.unit(), super::metric::Unit::Money);
    HISTORY_DAYS
        .iter()
        .map(|&d| {
            let g = d as f64 * (t + k) / (t * (d as f64 + k));
            let v = if d == RECORDED_AFTER_DAYS {
                total
            } else if money {
                cents(total * g)
            } else {
                (total * g).round()
            };
            (d, v)
        })
        .collect()
}

fn demo_topics(id: EntryId) -> Vec<String> {
    vec![DEMO_TOPICS[(id % 4) as usize].to_owned()]
}

fn demo_hour(id: EntryId) -> u8 {
    8 + (id * 5 % 9) as u8
}

/// The planning tool's pageviews prediction for a demo entry: 10 % above what came, and for
/// social posts (planned cautiously) and ads (planned optimistically) a 95 % range that holds
/// the actual near one end — 45–105 % and 95–220 % of it — so the demo's beliefs
/// (`belief_edit::demo_beliefs`) have a pattern to find and no alert is raised.
fn demo_plan(channel: &str, visits: f64) -> Predicted {
    let (value, range) = match channel {
        "linkedin" | "twitter" => (visits * 0.7, Some((visits * 0.45, visits * 1.05))),
        "google-ads" | "meta-ads" => (visits * 1.5, Some((visits * 0.95, visits * 2.2))),
        _ => (visits * 1.1, None),
    };
    Predicted {
        metric: MetricKind::Pageviews,
        value: (value / 10.0).round() * 10.0,
        range: range.map(|(lo, hi): (f64, f64)| (lo.floor(), hi.ceil())),
    }
}

/// An entry's final figures by channel (see the module docs), in the order they are recorded.
fn entry_metrics(
    channel: &str,
    id: EntryId,
    visits: f64,
    conversions: u64,
    revenue: f64,
    cost: f64,
) -> Vec<(MetricKind, f64)> {
    let mut out = vec![(MetricKind::Pageviews, visits)];
    match channel {
        "blog" | "organic-search" => {
            out.push((MetricKind::TimeOnPage, (60 + (id * 37) % 180) as f64));
            out.push((MetricKind::BounceRate, (35 + (id * 7) % 30) as f64));
        }
        "email" => {
            out.push((MetricKind::Opens, visits * 4.0));
            out.push((MetricKind::Clicks, visits));
            out.push((MetricKind::Unsubscribes, (visits / 200.0).floor()));
        }
        "linkedin" | "twitter" => {
            out.push((MetricKind::Impressions, visits * 30.0));
            out.push((MetricKind::Engagement, visits * 2.0));
            out.push((MetricKind::Shares, (visits / 10.0).floor()));
        }
        "google-ads" | "meta-ads" => {
            out.push((MetricKind::AdImpressions, visits * 40.0));
            out.push((MetricKind::AdClicks, visits));
            out.push((MetricKind::Ctr, 2.5));
            if visits > 0.0 {
                out.push((MetricKind::Cpc, cents(cost / visits)));
            }
            out.push((MetricKind::AdConversions, conversions as f64));
        }
        _ => {}
    }
    out.push((MetricKind::Signups, conversions as f64));
    out.push((MetricKind::Revenue, cents(revenue)));
    out
}

/// Run the journey simulator; per entry, the conversions whose last touch it was and their
/// revenue.
type LastTouch = HashMap<EntryId, (u64, f64)>;

fn simulate_last_touch(
    config: &SimConfig,
) -> Result<(refleqt_engine::simulate::SimSummary, LastTouch), SimError> {
    let mut last_touch: LastTouch = HashMap::new();
    let summary = simulate_into(config, |journey| {
        let (Some(conversion), Some(last)) = (journey.conversion, journey.touches.last()) else {
            return;
        };
        if let Some(entry) = last.entry {
            let slot = last_touch.entry(entry).or_insert((0, 0.0));
            slot.0 += 1;
            slot.1 += conversion.revenue();
        }
    })?;
    Ok((summary, last_touch))
}

/// The demo's creators and their planted skill: a multiplier on the reach of their artifacts
/// (visits, and with them pageviews, opens, impressions, …; not conversions or revenue, which
/// come from the journeys). The creators page must rank them in this order.
pub const DEMO_CREATORS: [(&str, f64); 4] = [
    ("Alex Morgan", 1.3),
    ("Blake Chen", 1.1),
    ("Casey Rivera", 0.9),
    ("Drew Patel", 0.7),
];

/// An entry's creator, by a fixed mix of its id (so each channel gets every creator).
fn demo_creator(id: EntryId) -> (&'static str, f64) {
    let mixed = id.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 61;
    DEMO_CREATORS[(mixed % 4) as usize]
}

/// The year before the calendar (2024), from the same process with [`PAST_ENTRY_FACTOR`] times
/// the entries and users over twice the span: the past artifacts the predictions learn from.
pub fn demo_past_artifacts() -> Result<Vec<ArtifactRecord>, SimError> {
    let demo = SimConfig::demo();
    let config = SimConfig {
        journeys: DEMO_USERS * PAST_ENTRY_FACTOR as u64,
        seed: demo.seed + 1_000,
        start_ms: PAST_START_MS,
        span_days: 2.0 * demo.span_days,
        channels: demo
            .channels
            .iter()
            .map(|c| {
                let mut c = c.clone();
                c.entries *= PAST_ENTRY_FACTOR;
                c
            })
            .collect(),
        ..demo
    };
    let (summary, last_touch) = simulate_last_touch(&config)?;
    Ok(summary
        .entries
        .iter()
        .map(|sim| {
            let (conversions, revenue) = last_touch.get(&sim.id).copied().unwrap_or((0, 0.0));
            let (creator, skill) = demo_creator(sim.id);
            ArtifactRecord {
                features: ArtifactFeatures {
                    channel: channel_label(&sim.channel).to_owned(),
                    kind: demo_kind(&sim.channel).to_owned(),
                    topics: demo_topics(sim.id),
                    length: None,
                    creator: creator.to_owned(),
                    cost: Some(cents(sim.cost)),
                    day: sim.publish_ms.div_euclid(86_400_000),
                    hour: Some(demo_hour(sim.id)),
                },
                values: entry_metrics(
                    &sim.channel,
                    sim.id,
                    (sim.touches as f64 * skill).round(),
                    conversions,
                    revenue,
                    sim.cost,
                )
                .into_iter()
                .map(|(m, v)| (m.key().to_owned(), v))
                .collect(),
            }
        })
        .collect())
}

/// Build the demo workspace (deterministic: the same every time).
pub fn demo_workspace() -> Result<Workspace, SimError> {
    let config = SimConfig {
        journeys: DEMO_USERS,
        ..SimConfig::demo()
    };
    let (summary, last_touch) = simulate_last_touch(&config)?;
    let mut ws = Workspace::empty();
    ws.past_artifacts = demo_past_artifacts()?;
    ws.is_demo = true;
    for sim in &summary.entries {
        let id = sim.id;
        let publish_date = Date::from_unix_ms(sim.publish_ms);
        let (creator, skill) = demo_creator(id);
        let visits = (sim.touches as f64 * skill).round();
        let (conversions, revenue) = last_touch.get(&id).copied().unwrap_or((0, 0.0));
        let slug = sim.name.to_ascii_lowercase().replace(' ', "-");
        ws.entries.push(CalendarEntry {
            entry_id: id,
            title: sim.name.clone(),
            channel: channel_label(&sim.channel).to_owned(),
            campaign: sim.campaign.clone(),
            publish_date,
            destination_url: format!("https://www.example.com/{slug}"),
            cost: Some(cents(sim.cost)),
            creator: creator.to_owned(),
            notes: "Demo entry generated by the simulator.".to_owned(),
            predicted: vec![demo_plan(&sim.channel, visits)],
            kind: demo_kind(&sim.channel).to_owned(),
            topics: demo_topics(id),
            length: None,
            publish_hour: Some(demo_hour(id)),
            frozen_prediction: None,
        });
        for (metric, value) in
            entry_metrics(&sim.channel, id, visits, conversions, revenue, sim.cost)
        {
            for (day, v) in history(metric, value) {
                ws.performance_entries.push(PerformanceEntry::new(
                    id,
                    metric,
                    v,
                    publish_date.plus_days(day).unix_ms(),
                    Source::Imported,
                ));
            }
        }
        ws.next_entry_id = ws.next_entry_id.max(id + 1);
    }
    let calculated_at = summary
        .entries
        .iter()
        .map(|e| {
            Date::from_unix_ms(e.publish_ms)
                .plus_days(RECORDED_AFTER_DAYS)
                .unix_ms()
        })
        .max()
        .unwrap_or(0);
    ws.beliefs = super::belief_edit::demo_beliefs();
    ws.ab_tests = vec![super::ab_record::demo_ab_test()];
    ws.recalculate_attribution(calculated_at);
    // Published entries get their predictions frozen, as a change in the app would.
    ws.refresh_learning(calculated_at);
    Ok(ws)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_is_a_realistic_valid_workspace() {
        let ws = demo_workspace().unwrap_or_else(|e| panic!("{e}"));
        assert!(ws.is_demo);
        assert_eq!(ws.validate(), Ok(()));
        assert_eq!(ws.entries.len(), 30);
        assert_eq!(ws.next_entry_id, 31);
        assert!(ws.channels().len() >= 6, "{:?}", ws.channels());
        assert_eq!(ws.campaigns().len(), 3);
        let first = ws.entries.iter().map(|e| e.publish_date).min();
        let last = ws.entries.iter().map(|e| e.publish_date).max();
        let span = last
            .zip(first)
            .map(|(l, f)| (l.unix_ms() - f.unix_ms()) / 86_400_000);
        assert!(span.is_some_and(|d| (150..=182).contains(&d)), "{span:?}");
        let revenue: f64 = ws
            .entries
            .iter()
            .filter_map(|e| ws.value(e.entry_id, MetricKind::Revenue))
            .map(|v| v.value)
            .sum();
        assert!(revenue > 1000.0, "{revenue}");
        let with_roi = ws
            .entries
            .iter()
            .filter(|e| ws.roi(e.entry_id).is_ok())
            .count();
        assert!(with_roi >= 20, "{with_roi}");
        assert!(ws.attribution_results.len() >= 20);
    }

    #[test]
    fn demo_metrics_have_a_history_that_ends_at_the_current_value() {
        let ws = demo_workspace().unwrap_or_else(|e| panic!("{e}"));
        let e = &ws.entries[0];
        let mut rows: Vec<_> = ws
            .performance_entries
            .iter()
            .filter(|r| r.calendar_entry_id == e.entry_id && r.metric_type == MetricKind::Pageviews)
            .collect();
        rows.sort_by_key(|r| r.recorded_at);
        assert_eq!(rows.len(), HISTORY_DAYS.len());
        assert!(rows
            .windows(2)
            .all(|w| w[0].metric_value <= w[1].metric_value));
        let current = ws.value(e.entry_id, MetricKind::Pageviews).map(|v| v.value);
        assert_eq!(current, rows.last().map(|r| r.metric_value));
        let averaged = ws
            .performance_entries
            .iter()
            .filter(|r| r.metric_type == MetricKind::Ctr)
            .count();
        let ads = ws
            .entries
            .iter()
            .filter(|e| e.channel.ends_with("Ads"))
            .count();
        assert_eq!(averaged, ads, "rates are recorded once");
    }

    #[test]
    fn demo_is_deterministic() {
        assert_eq!(demo_workspace().ok(), demo_workspace().ok());
    }
}
