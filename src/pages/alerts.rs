//! `#/alerts`: actuals outside their predicted range by more than the Settings threshold, each
//! with its direction and size, a suggested action and a link to the entry; entries unusual
//! among their peers (`model::learning::peer_outliers`) with what stands out; dismissable. Also
//! the count shown next to "Alerts" in the navigation. The alerts are raised in the worker
//! (`state::learning`); while a check runs the page says so, and afterwards how long each
//! learner took.

use crate::model::date::format_timestamp;
use crate::model::prediction::Alert;
use crate::state::learning::Learning;
use crate::state::AppState;
use leptos::prelude::*;

/// The number of open alerts, for the navigation (nothing when there are none).
#[component]
pub fn AlertCount(state: AppState) -> impl IntoView {
    let count = Memo::new(move |_| state.workspace.with(|ws| ws.open_alerts().len()));
    move || {
        let n = count.get();
        (n > 0).then(|| {
            view! {
                " "
                <span class="nav-count" data-testid="alert-count">
                    {n}
                </span>
            }
        })
    }
}

#[component]
pub fn AlertsPage(state: AppState) -> impl IntoView {
    let alerts = Memo::new(move |_| {
        state.workspace.with(|ws| {
            let mut all: Vec<(Alert, String, String)> = ws
                .alerts
                .iter()
                .map(|a| {
                    let title = ws
                        .entry(a.entry_id)
                        .map(|e| e.title.clone())
                        .unwrap_or_else(|| format!("Entry {}", a.entry_id));
                    let cur = &ws.settings.currency;
                    let detail = match (&a.peer, a.range) {
                        (Some(p), _) => format!(
                            "Actual {} · median of {} peers on its channel {}. Stands out: {}. Isolation score {:.2} (0.5 is ordinary).",
                            a.metric.format_display(a.actual, cur),
                            p.peers,
                            a.metric.format_display(a.predicted, cur),
                            p.standouts.join("; "),
                            p.score,
                        ),
                        (None, Some((lo, hi))) => format!(
                            "Actual {} · predicted {} (95 % range {} – {})",
                            a.metric.format_display(a.actual, cur),
                            a.metric.format_display(a.predicted, cur),
                            a.metric.format_display(lo, cur),
                            a.metric.format_display(hi, cur),
                        ),
                        (None, None) => format!(
                            "Actual {} · typed-in prediction {}",
                            a.metric.format_display(a.actual, cur),
                            a.metric.format_display(a.predicted, cur),
                        ),
                    };
                    (a.clone(), title, detail)
                })
                .collect();
            all.sort_by(|x, y| y.0.raised_at.cmp(&x.0.raised_at).then(y.0.id.cmp(&x.0.id)));
            all
        })
    });
    let threshold = Memo::new(move |_| {
        state
            .workspace
            .with(|ws| ws.settings.alert_threshold_percent)
    });
    let item = move |(a, title, detail): (Alert, String, String)| {
        let id = a.id;
        let testid = if a.dismissed {
            "alert-dismissed"
        } else {
            "alert"
        };
        view! {
            <li class="alert-item" class:up=a.above class:down=!a.above data-testid=testid>
                <p class="alert-headline">
                    <strong>{a.headline()}</strong>
                    " — "
                    <a href=format!("#/entry/{}", a.entry_id)>{title}</a>
                </p>
                <p class="hint">{detail}</p>
                <p>{a.suggested_action()}</p>
                <p class="hint">{format!("Raised {}", format_timestamp(a.raised_at))}</p>
                {(!a.dismissed)
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                on:click=move |_| state.change(|ws| ws.dismiss_alert(id))
                            >
                                "Dismiss"
                            </button>
                        }
                    })}
            </li>
        }
    };
    let learning = Learning::get();
    let progress = move || {
        let l = learning?;
        if l.running.get() {
            return Some("Checking the latest results for alerts in the background…".to_owned());
        }
        if let Some(e) = l.error.get() {
            return Some(format!("The alerts could not be updated: {e}"));
        }
        let o = l.outcome.get()?;
        let times: Vec<String> = o
            .timings
            .iter()
            .map(|(name, ms)| format!("{} {ms:.0} ms", name.to_lowercase()))
            .collect();
        Some(format!(
            "Checked {}: {}.",
            if l.in_worker.get() {
                "in the background"
            } else {
                "on this page"
            },
            times.join(", ")
        ))
    };
    view! {
        <section class="page alerts" data-testid="alerts">
            <h1>"Alerts"</h1>
            <p class="hint">
                {move || {
                    format!(
                        "An alert is raised when a published entry's result lies outside its predicted 95 % range by more than {} % (change this in Settings), or differs by that much from a typed-in prediction; and when an entry's pageviews, signups and revenue, and their ratios, are unusual among its channel's other artifacts (an isolation forest).",
                        threshold.get(),
                    )
                }}
            </p>
            <p class="hint" role="status" data-testid="alerts-learning">
                {progress}
            </p>
            {move || {
                let (open, dismissed): (Vec<_>, Vec<_>) = alerts
                    .get()
                    .into_iter()
                    .partition(|(a, _, _)| !a.dismissed);
                view! {
                    {if open.is_empty() {
                        view! {
                            <p data-testid="no-alerts">
                                "No open alerts: every recorded result is within its prediction."
                            </p>
                        }
                            .into_any()
                    } else {
                        view! {
                            <ul class="alert-list">{open.into_iter().map(item).collect_view()}</ul>
                        }
                            .into_any()
                    }}
                    {(!dismissed.is_empty())
                        .then(|| {
                            view! {
                                <details>
                                    <summary>{format!("Dismissed ({})", dismissed.len())}</summary>
                                    <ul class="alert-list">
                                        {dismissed.into_iter().map(item).collect_view()}
                                    </ul>
                                </details>
                            }
                        })}
                }
            }}
        </section>
    }
}
