//! The calendar: a month grid (default), a week grid or the table of every entry (sortable by
//! publish date), all filtered by channel and campaign. `#/calendar?view=month|week|table` opens
//! a view; otherwise the one chosen last time (remembered in the browser) opens. The grids start at the month of today when it has entries, else at the entry nearest to
//! today.

use crate::components::banners::DemoBanner;
use crate::components::calendar_grid::{CalendarGrid, Span};
use crate::components::roi::RoiFigure;
use crate::model::date::Date;
use crate::model::metric::MetricKind;
use crate::model::month::Month;
use crate::state::AppState;
use crate::web_tools;
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

/// How the calendar is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum View {
    Month,
    Week,
    Table,
}

/// Where the chosen view is remembered.
const VIEW_KEY: &str = "refleqt.calendar-view";

impl View {
    fn key(self) -> &'static str {
        match self {
            View::Month => "month",
            View::Week => "week",
            View::Table => "table",
        }
    }

    fn from_key(key: &str) -> View {
        match key {
            "table" => View::Table,
            "week" => View::Week,
            _ => View::Month,
        }
    }
}

/// The day the grids open at: today when its month has entries, else the entry nearest today.
fn opening_day(dates: &[Date], today: Date) -> Date {
    if dates.iter().any(|d| Month::of(*d) == Month::of(today)) {
        return today;
    }
    dates
        .iter()
        .copied()
        .min_by_key(|d| (d.unix_ms() - today.unix_ms()).abs())
        .unwrap_or(today)
}

/// The calendar page.
#[component]
pub fn CalendarPage(state: AppState) -> impl IntoView {
    let channel = RwSignal::new(String::new());
    let campaign = RwSignal::new(String::new());
    let today = Date::from_unix_ms(web_tools::now_ms());
    // `?view=` first, else the view chosen last time (kept in the browser), else the month.
    let view_mode = RwSignal::new(
        crate::routing::query_param(&web_tools::current_hash(), "view")
            .or_else(|| web_tools::preference(VIEW_KEY))
            .map_or(View::Month, |v| View::from_key(&v)),
    );
    Effect::new(move |_| web_tools::set_preference(VIEW_KEY, view_mode.get().key()));
    let anchor = RwSignal::new(state.workspace.with_untracked(|ws| {
        let dates: Vec<Date> = ws.entries.iter().map(|e| e.publish_date).collect();
        opening_day(&dates, today)
    }));
    let keep = Callback::new(move |e: crate::model::entry::CalendarEntry| {
        channel.with_untracked(|c| c.is_empty() || *c == e.channel)
            && campaign.with_untracked(|c| c.is_empty() || *c == e.campaign)
    });
    let view_button = move |mode: View, label: &'static str| {
        view! {
            <button
                type="button"
                aria-pressed=move || (view_mode.get() == mode).to_string()
                on:click=move |_| view_mode.set(mode)
            >
                {label}
            </button>
        }
    };
    let newest_first = RwSignal::new(true);
    let rows = Memo::new(move |_| {
        let vals = state.values.get();
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
                    cost: vals
                        .cost(ws, e.entry_id)
                        .map(|(c, _)| format_money(c, &currency))
                        .unwrap_or_default(),
                    revenue: vals
                        .value(e.entry_id, MetricKind::Revenue)
                        .map(|v| format_money(v.value, &currency))
                        .unwrap_or_default(),
                    roi: vals.roi(ws, e.entry_id),
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
            <div class="view-switch" role="group" aria-label="Calendar view">
                {view_button(View::Month, "Month")}
                {view_button(View::Week, "Week")}
                {view_button(View::Table, "Table")}
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
                } else if view_mode.get() != View::Table {
                    channel.track();
                    campaign.track();
                    let span = if view_mode.get() == View::Week { Span::Week } else { Span::Month };
                    // Re-render when a filter changes (the grid reads them untracked).
                    view! {
                        <CalendarGrid state=state span=span anchor=anchor today=today keep=keep />
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grid_opens_at_today_or_at_the_nearest_entry() {
        let day = |s: &str| Date::parse(s).unwrap_or_else(|e| panic!("{e}"));
        let today = day("2026-12-03");
        assert_eq!(opening_day(&[day("2026-12-20")], today), today);
        assert_eq!(
            opening_day(&[day("2025-03-01"), day("2025-06-30")], today),
            day("2025-06-30")
        );
        assert_eq!(opening_day(&[], today), today);
    }
}
