//! The calendar as a month or a week grid: entries on their publish dates as links coloured by
//! channel (the shared [`crate::charts::palette`]), each with its cost and ROI; previous and next
//! month (or week), back to today; a day's "+" link opens the new-entry form at that date. Plain
//! links and buttons only, so the keyboard reaches everything in reading order.

use crate::charts::palette;
use crate::model::date::Date;
use crate::model::entry::CalendarEntry;
use crate::model::month::{week_from, week_start, Month, WEEKDAYS};
use crate::state::AppState;
use leptos::prelude::*;
use refleqt_engine::roi::{format_money, format_percent};

/// Month or week.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    Month,
    Week,
}

/// One entry as a chip in a day cell.
#[derive(Clone, PartialEq)]
struct Chip {
    entry_id: u64,
    title: String,
    channel: String,
    color: String,
    facts: String,
}

/// The grid of `span` around `anchor` (any day of the month or week shown), with the entries
/// `keep` lets through.
#[component]
pub fn CalendarGrid(
    state: AppState,
    span: Span,
    anchor: RwSignal<Date>,
    today: Date,
    #[prop(into)] keep: Callback<CalendarEntry, bool>,
) -> impl IntoView {
    let weeks = move || match span {
        Span::Month => Month::of(anchor.get()).weeks(),
        Span::Week => vec![week_from(week_start(anchor.get()))],
    };
    let title = move || match span {
        Span::Month => Month::of(anchor.get()).name(),
        Span::Week => {
            let days = week_from(week_start(anchor.get()));
            format!("Week of {} to {}", days[0], days[6])
        }
    };
    let step = move |delta: i64| {
        anchor.update(|a| {
            *a = match span {
                Span::Month => Month::of(*a).plus(delta).first_day().unwrap_or(*a),
                Span::Week => a.plus_days(7 * delta),
            }
        })
    };
    let (prev_label, next_label) = match span {
        Span::Month => ("Previous month", "Next month"),
        Span::Week => ("Previous week", "Next week"),
    };
    let chips_on = move |day: Date| -> Vec<Chip> {
        let vals = state.values.get();
        state.workspace.with(|ws| {
            let channels = ws.channels();
            let currency = ws.settings.currency.clone();
            let mut on: Vec<&CalendarEntry> = ws
                .entries
                .iter()
                .filter(|e| e.publish_date == day && keep.run((*e).clone()))
                .collect();
            on.sort_by_key(|e| e.entry_id);
            on.into_iter()
                .map(|e| {
                    let cost = vals
                        .cost(ws, e.entry_id)
                        .map(|(c, _)| format_money(c, &currency));
                    let roi = vals
                        .roi(ws, e.entry_id)
                        .ok()
                        .map(|r| format!("ROI {}", format_percent(r)));
                    let facts = [cost, roi]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" · ");
                    Chip {
                        entry_id: e.entry_id,
                        title: e.title.clone(),
                        channel: e.channel.clone(),
                        color: palette::css(palette::channel_index(&channels, &e.channel)),
                        facts,
                    }
                })
                .collect()
        })
    };
    let legend = move || {
        state.workspace.with(|ws| {
            ws.channels()
                .into_iter()
                .enumerate()
                .map(|(i, c)| (palette::css(i), c))
                .collect::<Vec<_>>()
        })
    };
    let shown_month = move || Month::of(anchor.get());
    view! {
        <div class="calendar-grid" data-testid="calendar-grid">
            <div class="grid-nav">
                <button type="button" on:click=move |_| step(-1) data-testid="grid-prev">
                    <span aria-hidden="true">"← "</span>
                    {prev_label}
                </button>
                <h2 aria-live="polite" data-testid="grid-title">
                    {title}
                </h2>
                <button type="button" on:click=move |_| step(1) data-testid="grid-next">
                    {next_label}
                    <span aria-hidden="true">" →"</span>
                </button>
                <button type="button" on:click=move |_| anchor.set(today)>
                    "Today"
                </button>
            </div>
            <div class="table-wrap">
                <table class="month" class:week=span == Span::Week>
                    <caption class="visually-hidden">
                        {move || format!("Calendar entries, {}", title())}
                    </caption>
                    <thead>
                        <tr>
                            {WEEKDAYS
                                .iter()
                                .map(|d| {
                                    view! {
                                        <th scope="col">
                                            <abbr title=*d>
                                                {d.chars().take(3).collect::<String>()}
                                            </abbr>
                                        </th>
                                    }
                                })
                                .collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            weeks()
                                .into_iter()
                                .map(|week| {
                                    view! {
                                        <tr>
                                            {week
                                                .into_iter()
                                                .map(|day| {
                                                    let (_, _, d) = day.ymd();
                                                    let outside = span == Span::Month
                                                        && Month::of(day) != shown_month();
                                                    let iso = day.to_string();
                                                    view! {
                                                        <td
                                                            class:outside=outside
                                                            class:today=day == today
                                                            data-date=iso.clone()
                                                        >
                                                            <div class="day-head">
                                                                <span class="day-number">{d}</span>
                                                                <a
                                                                    class="add-on-day"
                                                                    href=format!("#/calendar/new?date={iso}")
                                                                    aria-label=format!("New entry on {iso}")
                                                                    title=format!("New entry on {iso}")
                                                                >
                                                                    "+"
                                                                </a>
                                                            </div>
                                                            <ul class="chips">
                                                                {chips_on(day)
                                                                    .into_iter()
                                                                    .map(|c| {
                                                                        view! {
                                                                            <li>
                                                                                <a
                                                                                    class="chip"
                                                                                    href=format!("#/entry/{}", c.entry_id)
                                                                                    style:border-left-color=c.color.clone()
                                                                                    data-entry=c.entry_id.to_string()
                                                                                >
                                                                                    <span class="chip-title">{c.title}</span>
                                                                                    <span class="chip-facts">
                                                                                        {c.channel}
                                                                                        {(!c.facts.is_empty()).then(|| format!(" · {}", c.facts))}
                                                                                    </span>
                                                                                </a>
                                                                            </li>
                                                                        }
                                                                    })
                                                                    .collect_view()}
                                                            </ul>
                                                        </td>
                                                    }
                                                })
                                                .collect_view()}
                                        </tr>
                                    }
                                })
                                .collect_view()
                        }}
                    </tbody>
                </table>
            </div>
            <ul class="legend" aria-label="Channel colours">
                {move || {
                    legend()
                        .into_iter()
                        .map(|(color, name)| {
                            view! {
                                <li>
                                    <span class="swatch" style:background-color=color></span>
                                    {name}
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </div>
    }
}
