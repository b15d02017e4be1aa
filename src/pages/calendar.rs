//! The calendar: every entry, sortable by publish date, filterable by channel and campaign.

use crate::components::banners::DemoBanner;
use crate::components::roi::RoiFigure;
use crate::model::metric::MetricKind;
use crate::state::AppState;
use leptos::prelude::*;
use refleqt_engine::roi::format_money;

/// One row as shown.
#[derive(Clone, PartialEq)]
struct Row {
    entry_id: u64,
    title: String,
    channel: String,
    campaign: String,
    date: String,
    cost: String,
    revenue: String,
    roi: crate::model::workspace::RoiStatus,
}

/// The calendar page.
#[component]
pub fn CalendarPage(state: AppState) -> impl IntoView {
    let channel = RwSignal::new(String::new());
    let campaign = RwSignal::new(String::new());
    let newest_first = RwSignal::new(true);
    let rows = Memo::new(move |_| {
        state.workspace.with(|ws| {
            let currency = ws.settings.currency.clone();
            let mut entries: Vec<_> = ws
                .entries
                .iter()
                .filter(|e| channel.with(|c| c.is_empty() || *c == e.channel))
                .filter(|e| campaign.with(|c| c.is_empty() || *c == e.campaign))
                .collect();
            entries.sort_by_key(|e| (e.publish_date, e.entry_id));
            if newest_first.get() {
                entries.reverse();
            }
            entries
                .into_iter()
                .map(|e| Row {
                    entry_id: e.entry_id,
                    title: e.title.clone(),
                    channel: e.channel.clone(),
                    campaign: e.campaign.clone(),
                    date: e.publish_date.to_string(),
                    cost: ws
                        .cost(e.entry_id)
                        .map(|(c, _)| format_money(c, &currency))
                        .unwrap_or_default(),
                    revenue: ws
                        .value(e.entry_id, MetricKind::Revenue)
                        .map(|v| format_money(v.value, &currency))
                        .unwrap_or_default(),
                    roi: ws.roi(e.entry_id),
                })
                .collect::<Vec<_>>()
        })
    });
    let channels = Memo::new(move |_| state.workspace.with(|ws| ws.channels()));
    let campaigns = Memo::new(move |_| state.workspace.with(|ws| ws.campaigns()));
    let total = Memo::new(move |_| state.workspace.with(|ws| ws.entries.len()));

    view! {
        <section class="page calendar" data-testid="calendar">
            <div class="page-head">
                <h1>"Calendar"</h1>
                <a class="button primary" href="#/calendar/new">
                    "New entry"
                </a>
            </div>
            <DemoBanner state=state />
            <div class="filters" role="group" aria-label="Filter and sort">
                <div class="field inline">
                    <label for="filter-channel">"Channel"</label>
                    <select
                        id="filter-channel"
                        prop:value=move || channel.get()
                        on:change=move |ev| channel.set(event_target_value(&ev))
                    >
                        <option value="">"All channels"</option>
                        {move || {
                            channels
                                .get()
                                .into_iter()
                                .map(|c| {
                                    view! {
                                        <option
                                            value=c.clone()
                                            selected=channel.get_untracked() == c
                                        >
                                            {c.clone()}
                                        </option>
                                    }
                                })
                                .collect_view()
                        }}
                    </select>
                </div>
                <div class="field inline">
                    <label for="filter-campaign">"Campaign"</label>
                    <select
                        id="filter-campaign"
                        prop:value=move || campaign.get()
                        on:change=move |ev| campaign.set(event_target_value(&ev))
                    >
                        <option value="">"All campaigns"</option>
                        {move || {
                            campaigns
                                .get()
                                .into_iter()
                                .map(|c| {
                                    view! {
                                        <option
                                            value=c.clone()
                                            selected=campaign.get_untracked() == c
                                        >
                                            {c.clone()}
                                        </option>
                                    }
                                })
                                .collect_view()
                        }}
                    </select>
                </div>
                <p class="count" aria-live="polite">
                    {move || format!("{} of {} entries", rows.with(Vec::len), total.get())}
                </p>
            </div>
            {move || {
                if total.get() == 0 {
                    view! {
                        <p class="empty" data-testid="calendar-empty">
                            "No calendar entries yet. "
                            <a href="#/calendar/new">"Create your first entry"</a>
                            " for a blog post, email, ad or social post you plan to publish."
                        </p>
                    }
                        .into_any()
                } else {
                    view! {
                        <div class="table-wrap">
                            <table class="entries" data-testid="entries">
                                <thead>
                                    <tr>
                                        <th
                                            scope="col"
                                            aria-sort=move || {
                                                if newest_first.get() { "descending" } else { "ascending" }
                                            }
                                        >
                                            <button
                                                type="button"
                                                class="sort"
                                                on:click=move |_| newest_first.update(|n| *n = !*n)
                                            >
                                                "Publish date "
                                                <span aria-hidden="true">
                                                    {move || if newest_first.get() { "↓" } else { "↑" }}
                                                </span>
                                                <span class="visually-hidden">
                                                    {move || {
                                                        if newest_first.get() {
                                                            "(newest first; activate for oldest first)"
                                                        } else {
                                                            "(oldest first; activate for newest first)"
                                                        }
                                                    }}
                                                </span>
                                            </button>
                                        </th>
                                        <th scope="col">"Title"</th>
                                        <th scope="col">"Channel"</th>
                                        <th scope="col">"Campaign"</th>
                                        <th scope="col" class="num">
                                            "Cost"
                                        </th>
                                        <th scope="col" class="num">
                                            "Revenue"
                                        </th>
                                        <th scope="col" class="num">
                                            "ROI"
                                        </th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {move || {
                                        rows.get()
                                            .into_iter()
                                            .map(|row| {
                                                view! {
                                                    <tr data-testid="entry-row">
                                                        <td>{row.date.clone()}</td>
                                                        <td>
                                                            <a href=format!(
                                                                "#/entry/{}",
                                                                row.entry_id,
                                                            )>{row.title.clone()}</a>
                                                        </td>
                                                        <td>{row.channel.clone()}</td>
                                                        <td>{row.campaign.clone()}</td>
                                                        <td class="num">{row.cost.clone()}</td>
                                                        <td class="num">{row.revenue.clone()}</td>
                                                        <td class="num">
                                                            <RoiFigure status=Signal::stored(row.roi) />
                                                        </td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()
                                    }}
                                </tbody>
                            </table>
                        </div>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}
