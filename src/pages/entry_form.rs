//! Create and edit a calendar entry. The form keeps the text as typed; saving parses it into a
//! validated draft, or shows every refusal next to its field and saves nothing.

use crate::model::date::Date;
use crate::model::edit_merge::{merge_edit, EditMerge};
use crate::model::entry::{
    CalendarEntry, EntryDraft, EntryErrors, EntryForm, Field, BUILTIN_CHANNELS, BUILTIN_KINDS,
    CUSTOM_CHANNEL, PREDICTED_METRICS,
};
use crate::model::metric::MetricKind;
use crate::state::AppState;
use crate::web_tools;
use leptos::prelude::*;

/// One labelled text input bound to a part of the form.
#[component]
fn TextField(
    id: &'static str,
    label: String,
    #[prop(optional)] hint: &'static str,
    #[prop(optional)] kind: &'static str,
    #[prop(optional)] required: bool,
    form: RwSignal<EntryForm>,
    field: Field,
    get: fn(&EntryForm) -> String,
    set: fn(&mut EntryForm, String),
    errors: RwSignal<EntryErrors>,
) -> impl IntoView {
    let error = move || errors.with(|e| e.get(field).map(ToString::to_string));
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described = {
        let error_id = error_id.clone();
        let hint_id = hint_id.clone();
        move || {
            let mut ids = Vec::new();
            if !hint.is_empty() {
                ids.push(hint_id.clone());
            }
            if error().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field" class:invalid=move || error().is_some()>
            <label for=id>
                {label}
                {required
                    .then_some(
                        view! {
                            <span class="req" aria-hidden="true">
                                " *"
                            </span>
                        },
                    )}
            </label>
            {(!hint.is_empty())
                .then(|| {
                    view! {
                        <span class="hint" id=hint_id.clone()>
                            {hint}
                        </span>
                    }
                })}
            <input
                id=id
                name=id
                type=if kind.is_empty() { "text" } else { kind }
                required=required
                aria-invalid=move || error().is_some().then_some("true")
                aria-describedby=described
                prop:value=move || form.with(get)
                on:input=move |ev| form.update(|f| set(f, event_target_value(&ev)))
            />
            <p class="error" id=error_id aria-live="polite">
                {error}
            </p>
        </div>
    }
}

/// The entry form; `on_save` gets the validated draft.
#[component]
fn EntryFormView(
    initial: EntryForm,
    submit_label: &'static str,
    cancel_href: String,
    on_save: Callback<crate::model::entry::EntryDraft>,
) -> impl IntoView {
    let form = RwSignal::new(initial);
    let errors = RwSignal::new(EntryErrors::default());
    let submitted = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        match form.with_untracked(EntryForm::parse) {
            Ok(draft) => {
                errors.set(EntryErrors::default());
                on_save.run(draft);
            }
            Err(e) => errors.set(e),
        }
    };
    let channel_error = move || errors.with(|e| e.get(Field::Channel).map(ToString::to_string));
    let is_custom = move || form.with(|f| f.channel_choice == CUSTOM_CHANNEL);
    let count = move || errors.with(|e| e.0.len());
    view! {
        <form class="entry-form" novalidate on:submit=submit data-testid="entry-form">
            {move || {
                (submitted.get() && count() > 0)
                    .then(|| {
                        view! {
                            <p class="banner danger" role="alert">
                                {format!(
                                    "Nothing was saved: fix the {} marked below.",
                                    if count() == 1 {
                                        "field".to_owned()
                                    } else {
                                        format!("{} fields", count())
                                    },
                                )}
                            </p>
                        }
                    })
            }}
            <TextField
                id="entry-title"
                label="Title".into()
                required=true
                form=form
                field=Field::Title
                get=|f| f.title.clone()
                set=|f, v| f.title = v
                errors=errors
            />
            <div class="field" class:invalid=move || channel_error().is_some()>
                <label for="entry-channel">
                    "Channel"<span class="req" aria-hidden="true">
                        " *"
                    </span>
                </label>
                <select
                    id="entry-channel"
                    required
                    aria-invalid=move || channel_error().is_some().then_some("true")
                    aria-describedby=move || channel_error().map(|_| "entry-channel-error")
                    prop:value=move || form.with(|f| f.channel_choice.clone())
                    on:change=move |ev| form.update(|f| f.channel_choice = event_target_value(&ev))
                >
                    <option value="" selected=move || form.with(|f| f.channel_choice.is_empty())>
                        "Choose a channel…"
                    </option>
                    {BUILTIN_CHANNELS
                        .iter()
                        .map(|c| {
                            view! {
                                <option
                                    value=*c
                                    selected=move || form.with(|f| f.channel_choice == *c)
                                >
                                    {*c}
                                </option>
                            }
                        })
                        .collect_view()}
                    <option value=CUSTOM_CHANNEL selected=is_custom>
                        "Custom channel…"
                    </option>
                </select>
                <p class="error" id="entry-channel-error" aria-live="polite">
                    {channel_error}
                </p>
            </div>
            {move || {
                is_custom()
                    .then(|| {
                        view! {
                            <TextField
                                id="entry-custom-channel"
                                label="Custom channel name".into()
                                required=true
                                form=form
                                field=Field::Channel
                                get=|f| f.custom_channel.clone()
                                set=|f, v| f.custom_channel = v
                                errors=RwSignal::new(EntryErrors::default())
                            />
                        }
                    })
            }}
            <TextField
                id="entry-campaign"
                label="Campaign".into()
                form=form
                field=Field::Campaign
                get=|f| f.campaign.clone()
                set=|f, v| f.campaign = v
                errors=errors
            />
            <TextField
                id="entry-date"
                label="Publish date".into()
                kind="date"
                required=true
                form=form
                field=Field::PublishDate
                get=|f| f.publish_date.clone()
                set=|f, v| f.publish_date = v
                errors=errors
            />
            <TextField
                id="entry-url"
                label="Destination URL".into()
                kind="url"
                form=form
                field=Field::DestinationUrl
                hint="the page the artifact links to, e.g. https://example.com/blog/launch"
                get=|f| f.destination_url.clone()
                set=|f, v| f.destination_url = v
                errors=errors
            />
            <TextField
                id="entry-cost"
                label="Planned cost".into()
                form=form
                field=Field::Cost
                hint="what publishing it costs, e.g. 150"
                get=|f| f.cost.clone()
                set=|f, v| f.cost = v
                errors=errors
            />
            <TextField
                id="entry-creator"
                label="Creator".into()
                form=form
                field=Field::Creator
                get=|f| f.creator.clone()
                set=|f, v| f.creator = v
                errors=errors
            />
            <div class="field">
                <label for="entry-kind">"Type"</label>
                <select
                    id="entry-kind"
                    on:change=move |ev| form.update(|f| f.kind = event_target_value(&ev))
                >
                    <option value="" selected=move || form.with(|f| f.kind.is_empty())>
                        "Not set"
                    </option>
                    {move || {
                        let current = form.with(|f| f.kind.clone());
                        let mut kinds: Vec<String> = BUILTIN_KINDS
                            .iter()
                            .map(|k| (*k).to_owned())
                            .collect();
                        if !current.is_empty() && !kinds.contains(&current) {
                            kinds.push(current.clone());
                        }
                        kinds
                            .into_iter()
                            .map(|k| {
                                let selected = k == current;
                                view! {
                                    <option value=k.clone() selected=selected>
                                        {k.clone()}
                                    </option>
                                }
                            })
                            .collect_view()
                    }}
                </select>
            </div>
            <TextField
                id="entry-topics"
                label="Topics".into()
                form=form
                field=Field::Topics
                hint="tags separated by commas, e.g. pricing, how-to"
                get=|f| f.topics.clone()
                set=|f, v| f.topics = v
                errors=errors
            />
            <TextField
                id="entry-length"
                label="Length".into()
                form=form
                field=Field::Length
                hint="words for text, seconds for a video"
                get=|f| f.length.clone()
                set=|f, v| f.length = v
                errors=errors
            />
            <TextField
                id="entry-time"
                label="Publish time".into()
                kind="time"
                form=form
                field=Field::PublishHour
                hint="the hour matters for the prediction, e.g. 09:30"
                get=|f| f.publish_time.clone()
                set=|f, v| f.publish_time = v
                errors=errors
            />
            <div class="field">
                <label for="entry-notes">"Notes"</label>
                <textarea
                    id="entry-notes"
                    rows="3"
                    prop:value=move || form.with(|f| f.notes.clone())
                    on:input=move |ev| form.update(|f| f.notes = event_target_value(&ev))
                ></textarea>
                <p class="error" aria-live="polite">
                    {move || errors.with(|e| e.get(Field::Notes).map(ToString::to_string))}
                </p>
            </div>
            <fieldset class="predicted">
                <legend>"Predicted performance (optional)"</legend>
                <p class="hint">
                    "The forecast the plan was made with, to compare with what happens."
                </p>
                <PredictedField index=0 form=form errors=errors />
                <PredictedField index=1 form=form errors=errors />
                <PredictedField index=2 form=form errors=errors />
            </fieldset>
            <div class="actions">
                <button type="submit" class="primary">
                    {submit_label}
                </button>
                <a class="button" href=cancel_href>
                    "Cancel"
                </a>
            </div>
        </form>
    }
}

/// The predicted value of [`PREDICTED_METRICS`]`[index]`.
#[component]
fn PredictedField(
    index: usize,
    form: RwSignal<EntryForm>,
    errors: RwSignal<EntryErrors>,
) -> impl IntoView {
    let metric = PREDICTED_METRICS
        .get(index)
        .copied()
        .unwrap_or(MetricKind::Pageviews);
    let id = match index {
        0 => "predicted-0",
        1 => "predicted-1",
        _ => "predicted-2",
    };
    let error = move || errors.with(|e| e.get(Field::Predicted(metric)).map(ToString::to_string));
    view! {
        <div class="field" class:invalid=move || error().is_some()>
            <label for=id>{format!("Predicted {}", metric.label().to_lowercase())}</label>
            <input
                id=id
                type="text"
                inputmode="decimal"
                aria-invalid=move || error().is_some().then_some("true")
                prop:value=move || {
                    form.with(|f| f.predicted.get(index).cloned().unwrap_or_default())
                }
                on:input=move |ev| {
                    form.update(|f| {
                        if let Some(slot) = f.predicted.get_mut(index) {
                            *slot = event_target_value(&ev);
                        }
                    })
                }
            />
            <p class="error" aria-live="polite">
                {error}
            </p>
        </div>
    }
}

/// `#/calendar/new`.
#[component]
pub fn NewEntryPage(state: AppState) -> impl IntoView {
    let on_save = Callback::new(move |draft| {
        let id = state.change(|ws| ws.add_entry(draft));
        web_tools::go(&format!("#/entry/{id}"));
    });
    // The publish date starts at the day clicked in the calendar grid (`?date=`), else today.
    let publish_date = crate::routing::query_param(&web_tools::current_hash(), "date")
        .and_then(|d| Date::parse(&d).ok())
        .unwrap_or_else(|| Date::from_unix_ms(web_tools::now_ms()))
        .to_string();
    view! {
        <section class="page entry-edit" data-testid="new-entry">
            <h1>"New calendar entry"</h1>
            <EntryFormView
                initial=EntryForm {
                    decimal_mark: state.workspace.with_untracked(|ws| ws.settings.decimal_mark),
                    publish_date,
                    ..EntryForm::default()
                }
                submit_label="Create entry"
                cancel_href="#/calendar".into()
                on_save=on_save
            />
        </section>
    }
}

/// `#/entry/<id>/edit`.
#[component]
pub fn EditEntryPage(state: AppState, entry_id: u64) -> impl IntoView {
    let initial = state.workspace.with_untracked(|ws| {
        ws.entry(entry_id)
            .map(|e| EntryForm::from_entry(e, ws.settings.decimal_mark))
    });
    let Some(initial) = initial else {
        return view! { <MissingEntry entry_id=entry_id /> }.into_any();
    };
    // The entry as the form opened it: another tab may change it meanwhile (this tab then reloads
    // it), and saving the form must not silently undo that change.
    let base = state
        .workspace
        .with_untracked(|ws| ws.entry(entry_id).cloned());
    let conflict = RwSignal::new(None::<(Vec<String>, EntryDraft)>);
    let save = move |entry: CalendarEntry| {
        let result = state.change(|ws| ws.put_entry(entry));
        match result {
            Ok(()) => web_tools::go(&format!("#/entry/{entry_id}")),
            Err(e) => state.notice.set(Some(format!("Not saved: {e}."))),
        }
    };
    let on_save = Callback::new(move |draft: EntryDraft| {
        let now = state
            .workspace
            .with_untracked(|ws| ws.entry(entry_id).cloned());
        let (Some(base), Some(now)) = (base.as_ref(), now) else {
            state.notice.set(Some(format!(
                "Not saved: entry {entry_id} was deleted (in another tab) after this form was opened."
            )));
            return;
        };
        let mine = base.edited(draft.clone());
        match merge_edit(base, &now, mine) {
            EditMerge::Clean { entry, merged } => {
                if !merged.is_empty() {
                    state.notice.set(Some(format!(
                        "Saved, keeping what another tab changed meanwhile: {}.",
                        merged.join(", ")
                    )));
                }
                save(*entry);
            }
            EditMerge::Conflict(fields) => conflict.set(Some((fields, draft))),
        }
    });
    view! {
        <section class="page entry-edit" data-testid="edit-entry">
            <h1>{format!("Edit entry {entry_id}")}</h1>
            {move || {
                conflict
                    .get()
                    .map(|(fields, draft)| {
                        let current = state
                            .workspace
                            .with_untracked(|ws| ws.entry(entry_id).cloned());
                        let mine = current
                            .map(|e| e.edited(draft.clone()))
                            .unwrap_or_else(|| CalendarEntry::from_draft(entry_id, draft));
                        view! {
                            <div class="banner warn" role="alert" data-testid="edit-conflict">
                                <p>
                                    {format!(
                                        "Not saved yet: another tab changed this entry after you opened the form ({}). Saving your values replaces those changes.",
                                        fields.join(", "),
                                    )}
                                </p>
                                <div class="actions">
                                    <button
                                        type="button"
                                        class="danger"
                                        on:click=move |_| save(mine.clone())
                                    >
                                        "Save my values anyway"
                                    </button>
                                    <a href=format!(
                                        "#/entry/{entry_id}",
                                    )>"Discard my edits and see the entry"</a>
                                </div>
                            </div>
                        }
                    })
            }}
            <EntryFormView
                initial=initial
                submit_label="Save changes"
                cancel_href=format!("#/entry/{entry_id}")
                on_save=on_save
            />
        </section>
    }
    .into_any()
}

/// Shown for an entry id that does not exist (never did, or was deleted).
#[component]
pub fn MissingEntry(entry_id: u64) -> impl IntoView {
    view! {
        <section class="page not-found" data-testid="missing-entry">
            <h1>"Entry not found"</h1>
            <p>{format!("There is no calendar entry {entry_id}. It may have been deleted.")}</p>
            <p>
                <a href="#/calendar">"Go to the calendar"</a>
            </p>
        </section>
    }
}
