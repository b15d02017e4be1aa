//! `#/insights`: the patterns in the history. Artifact clusters (groups that perform alike, the
//! high performers standing out), the best posting times per channel (a weekday × hour heat map
//! and a sentence with its interval), and customer segments by channel affinity from the
//! journeys of the data chosen for attribution (size, top channels, conversion rate with its
//! 95 % Wilson interval). The artifact learners run in their own worker (`state::insights`), the
//! segments with the attribution run (`state::workbench`); the page only shows them.

use crate::analysis::insights::{ArtifactInsights, ChannelTimes, ClusterFinding};
use crate::charts::heat::{cluster_bars, kind_or_channel, metric_label, posting_heat};
use crate::charts::series::{factor, pct, BarSeries, ChartSpec, GroupedBars};
use crate::components::chart::Chart;
use crate::pages::attribution::{DataPicker, Progress};
use crate::state::insights::Insights;
use crate::state::workbench::{RunStatus, Workbench};
use crate::state::AppState;
use leptos::prelude::*;
use refleqt_engine::roi::format_count;
use refleqt_engine::segments::{Segmentation, MIN_JOURNEYS};
use std::sync::Arc;

/// `#/insights`.
#[component]
pub fn InsightsPage(state: AppState, analysis: Workbench, insights: Insights) -> impl IntoView {
    analysis.ensure_started();
    // Learn again after every change of the workspace (new results, new entries).
    Effect::new(move |_| {
        state.workspace.track();
        insights.request();
    });
    let findings = insights.findings;
    view! {
        <section class="page insights" data-testid="insights">
            <h1>"Insights"</h1>
            <p class="lede">
                "What your history says: groups of artifacts that perform alike, the best times to publish, and your customers' segments by the channels they use. Computed in the background on this device."
            </p>
            {move || {
                insights
                    .computing
                    .get()
                    .then(|| {
                        view! {
                            <p role="status" data-testid="insights-computing">
                                "Computing…"
                            </p>
                        }
                    })
            }}
            {move || {
                insights
                    .error
                    .get()
                    .map(|m| {
                        view! {
                            <p class="error" role="alert">
                                {m}
                            </p>
                        }
                    })
            }}
            <section aria-labelledby="clusters-title" data-testid="clusters">
                <h2 id="clusters-title">"Artifact clusters"</h2>
                {move || findings.get().map(|f| view! { <Clusters found=f /> })}
            </section>
            <section aria-labelledby="posting-title" data-testid="posting-times">
                <h2 id="posting-title">"Best posting times"</h2>
                {move || findings.get().map(|f| view! { <PostingTimes found=f /> })}
            </section>
            <section aria-labelledby="segments-title" data-testid="segments">
                <h2 id="segments-title">"Customer segments"</h2>
                <p class="hint">
                    "Journeys grouped by the mix of channels they touch (k-means on each journey's share of touches per channel, the number of segments chosen by the silhouette), each with its conversion rate and 95 % interval."
                </p>
                <DataPicker analysis=analysis />
                <Progress analysis=analysis />
                <Segments analysis=analysis />
            </section>
            {move || {
                findings
                    .get()
                    .map(|f| {
                        let place = if insights.in_worker.get() {
                            "in the background worker"
                        } else {
                            "on this page (no worker available)"
                        };
                        let times = f
                            .timings
                            .iter()
                            .map(|(name, ms)| format!("{name} {ms:.0} ms"))
                            .collect::<Vec<_>>()
                            .join(", ");
                        view! {
                            <p class="hint" data-testid="insights-timings">
                                {format!(
                                    "Learned from {} artifacts {place}: {times}.",
                                    format_count(f.artifacts as f64),
                                )}
                            </p>
                        }
                    })
            }}
        </section>
    }
}

/// "Not enough artifacts: 4 of 10 needed …".
fn not_enough(testid: &'static str, text: String) -> AnyView {
    view! {
        <p class="empty" data-testid=testid>
            {text}
        </p>
    }
    .into_any()
}

#[component]
fn Clusters(found: Arc<ArtifactInsights>) -> impl IntoView {
    let finding = found.clusters.clone();
    let ClusterFinding::Found {
        metrics,
        clustering,
        overall,
    } = &finding
    else {
        let (have, need) = match finding {
            ClusterFinding::NotEnough { have, need } => (have, need),
            ClusterFinding::Found { .. } => (0, 0),
        };
        return not_enough(
            "clusters-empty",
            format!(
                "Not enough artifacts: {have} of {need} needed. Clusters need artifacts that measure the same metrics; record results on more entries or import them."
            ),
        );
    };
    // The best group: the highest mean factor over the metrics.
    let bars = cluster_bars(&finding);
    let best = (0..bars.groups.len()).max_by(|a, b| {
        let mean = |g: usize| {
            bars.series
                .iter()
                .map(|s| s.values.get(g).map_or(0.0, |v| v.0))
                .sum::<f64>()
        };
        mean(*a).total_cmp(&mean(*b))
    });
    let summary = best.and_then(|g| {
        let c = clustering.clusters.get(g)?;
        let parts: Vec<String> = bars
            .series
            .iter()
            .map(|s| {
                format!(
                    "{} {}",
                    s.label.to_lowercase(),
                    factor(s.values.get(g).map_or(0.0, |v| v.0))
                )
            })
            .collect();
        Some(format!(
            "{} groups (chosen from 2 to {} by the highest mean silhouette, {:.2}). The strongest is group {}: {} artifacts, {} % {} — {} the typical artifact's median.",
            clustering.k,
            refleqt_engine::clusters::MAX_K,
            clustering.silhouette,
            g + 1,
            c.size,
            (c.kind_share * 100.0).round(),
            kind_or_channel(&c.kind, &c.channel),
            parts.join(", "),
        ))
    });
    let spec = Signal::derive(move || ChartSpec::Bars(bars.clone()));
    let heads: Vec<String> = metrics.iter().map(|m| metric_label(m)).collect();
    let typical: Vec<String> = overall.iter().map(|(_, v)| format_count(*v)).collect();
    let rows = clustering
        .clusters
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let medians = c
                .medians
                .iter()
                .map(|(_, v)| view! { <td>{format_count(*v)}</td> })
                .collect_view();
            let strongest = best == Some(i);
            view! {
                <tr class:best=strongest>
                    <th scope="row">
                        {format!("{}{}", i + 1, if strongest { " (strongest)" } else { "" })}
                    </th>
                    <td>{c.size}</td>
                    <td>
                        {format!(
                            "{} ({} %)",
                            kind_or_channel(&c.kind, ""),
                            (c.kind_share * 100.0).round(),
                        )}
                    </td>
                    <td>{format!("{} ({} %)", c.channel, (c.channel_share * 100.0).round())}</td>
                    {medians}
                </tr>
            }
        })
        .collect_view();
    view! {
        <p data-testid="clusters-summary">{summary}</p>
        <Chart
            name="Artifact clusters: median results against the typical artifact".to_owned()
            spec=spec
            testid="clusters-chart"
        />
        <table class="data" aria-label="Artifact clusters" data-testid="clusters-table">
            <thead>
                <tr>
                    <th scope="col">"Group"</th>
                    <th scope="col">"Artifacts"</th>
                    <th scope="col">"Most common type"</th>
                    <th scope="col">"Most common channel"</th>
                    {heads
                        .into_iter()
                        .map(|h| {
                            view! { <th scope="col">{format!("Median {}", h.to_lowercase())}</th> }
                        })
                        .collect_view()}
                </tr>
            </thead>
            <tbody>
                {rows} <tr>
                    <th scope="row">"Typical artifact"</th>
                    <td>{clustering.assignment.len()}</td>
                    <td></td>
                    <td></td>
                    {typical.into_iter().map(|v| view! { <td>{v}</td> }).collect_view()}
                </tr>
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn PostingTimes(found: Arc<ArtifactInsights>) -> impl IntoView {
    let channels: Vec<String> = found
        .posting
        .iter()
        .map(|p| p.channel().to_owned())
        .collect();
    if channels.is_empty() {
        return not_enough(
            "posting-empty",
            "No artifact has a channel yet: plan entries with a publish time and record their results.".to_owned(),
        );
    }
    let chosen = RwSignal::new(channels.first().cloned().unwrap_or_default());
    let all = found.clone();
    let current = Memo::new(move |_| {
        let c = chosen.get();
        all.posting.iter().find(|p| p.channel() == c).cloned()
    });
    let spec = Signal::derive(move || match current.get() {
        Some(ChannelTimes::Found(p)) => ChartSpec::Heat(posting_heat(&p)),
        _ => ChartSpec::Graph(Default::default()),
    });
    view! {
        <div class="inline">
            <label for="posting-channel">"Channel"</label>
            <select
                id="posting-channel"
                data-testid="posting-channel"
                on:change=move |ev| chosen.set(event_target_value(&ev))
            >
                {channels
                    .into_iter()
                    .map(|c| {
                        let selected = c == chosen.get_untracked();
                        view! {
                            <option value=c.clone() selected=selected>
                                {c.clone()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
        {move || match current.get() {
            Some(ChannelTimes::Found(p)) => {
                let name = format!("Best posting times: {}", p.channel);
                view! {
                    <p data-testid="posting-sentence">{p.sentence.clone()}</p>
                    <p class="hint">
                        {format!(
                            "From {} artifacts with a publish hour, on {}: each weekday's and each hour's effect estimated together (least squares on log results, controlling for type, topics and creator), with 95 % intervals in the table.",
                            p.artifacts,
                            metric_label(&p.metric).to_lowercase(),
                        )}
                    </p>
                    <Chart name=name spec=spec testid="posting-chart" />
                }
                    .into_any()
            }
            Some(ChannelTimes::NotEnough { channel, have, need }) => {
                not_enough(
                    "posting-empty",
                    format!(
                        "Not enough artifacts for {channel}: {have} of {need} needed (artifacts with a publish hour and a result). Try \"All channels\".",
                    ),
                )
            }
            None => ().into_any(),
        }}
    }
    .into_any()
}

/// The segments' conversion rates with their intervals, as bars.
fn segment_bars(s: &Segmentation) -> GroupedBars {
    GroupedBars {
        groups: (1..=s.segments.len())
            .map(|i| format!("Segment {i}"))
            .collect(),
        series: vec![BarSeries {
            label: "Conversion rate".into(),
            values: s
                .segments
                .iter()
                .map(|g| (g.conversion_rate, Some((g.rate_low, g.rate_high))))
                .collect(),
        }],
        y_label: "Conversion rate".into(),
        percent: true,
    }
}

fn channels_text(top: &[(String, f64)]) -> String {
    top.iter()
        .map(|(c, share)| format!("{c} {}", pct(*share)))
        .collect::<Vec<_>>()
        .join(", ")
}

#[component]
fn Segments(analysis: Workbench) -> impl IntoView {
    move || {
        let failed = matches!(analysis.status.get(), RunStatus::Failed(_));
        analysis.outcome.with(|o| {
            let o = o.as_ref()?;
            let journeys = o.report.input.journeys;
            let Some(seg) = o.segments.clone() else {
                let text = if journeys < MIN_JOURNEYS {
                    format!(
                        "Not enough journeys: {} of {} needed.",
                        format_count(journeys),
                        format_count(MIN_JOURNEYS),
                    )
                } else {
                    "Every journey touches the same mix of channels: there is only one segment."
                        .to_owned()
                };
                return Some(not_enough("segments-empty", text));
            };
            if failed {
                return None;
            }
            let bars = segment_bars(&seg);
            let spec = Signal::derive(move || ChartSpec::Bars(bars.clone()));
            let rows = seg
                .segments
                .iter()
                .enumerate()
                .map(|(i, g)| {
                    view! {
                        <tr data-testid="segment-row">
                            <th scope="row">{format!("Segment {}", i + 1)}</th>
                            <td>{format!("{} ({})", format_count(g.journeys), pct(g.share))}</td>
                            <td>{channels_text(&g.top_channels)}</td>
                            <td>{format_count(g.conversions)}</td>
                            <td data-testid="segment-rate">{pct(g.conversion_rate)}</td>
                            <td data-testid="segment-interval">
                                {format!("{} – {}", pct(g.rate_low), pct(g.rate_high))}
                            </td>
                        </tr>
                    }
                })
                .collect_view();
            Some(
                view! {
                    <p data-testid="segments-summary">
                        {format!(
                            "{} segments of {} journeys (chosen from 2 to {} by the highest mean silhouette, {:.2}).",
                            seg.k,
                            format_count(journeys),
                            refleqt_engine::segments::MAX_K,
                            seg.silhouette,
                        )}
                    </p>
                    <Chart
                        name="Customer segments: conversion rate with 95 % interval".to_owned()
                        spec=spec
                        testid="segments-chart"
                    />
                    <table class="data" aria-label="Customer segments" data-testid="segments-table">
                        <thead>
                            <tr>
                                <th scope="col">"Segment"</th>
                                <th scope="col">"Journeys (share)"</th>
                                <th scope="col">"Top channels (share of touches)"</th>
                                <th scope="col">"Conversions"</th>
                                <th scope="col">"Conversion rate"</th>
                                <th scope="col">"95 % interval"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                }
                    .into_any(),
            )
        })
    }
}
