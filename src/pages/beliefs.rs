//! `#/beliefs`: the planning beliefs with their scores (engine `beliefs`, scored on the
//! workspace's outcomes by `model::evidence`): statement, what each speaks about, metric,
//! direction, score with its 95 % interval, evidence count and action in words; per belief its
//! history (score over its interval band, as a chart or a table) and the artifacts that moved it;
//! the A/B tests accepted into it. Write, edit and delete beliefs; import and export the beliefs
//! file.

use crate::charts::series::{belief_history, ChartSpec};
use crate::components::banners::ResultBanner;
use crate::components::chart::Chart;
use crate::components::confirm_delete::ConfirmDelete;
use crate::model::belief_edit::{direction_words, metric_label, BeliefForm};
use crate::model::date::Date;
use crate::model::evidence::belief_scores;
use crate::model::learning::learned_metrics;
use crate::state::AppState;
use crate::web_tools;
use leptos::prelude::*;
use refleqt_engine::beliefs::{
    beliefs_json, parse_beliefs, Action, Belief, BeliefScore, Direction, ExpectationSource,
};

/// Which belief the form edits: a new one, or the one with this id.
#[derive(Debug, Clone, PartialEq)]
enum Editing {
    New,
    Existing(String),
}

/// A signed score with two decimals (`+0.23`, `−0.31`).
pub fn signed(x: f64) -> String {
    let s = format!("{x:+.2}");
    s.replacen('-', "\u{2212}", 1)
}

/// An action in words, for a belief's standing.
fn action_sentence(a: Action, evidence: usize) -> String {
    if evidence == 0 {
        return "Hold: no outcome matches this belief yet.".to_owned();
    }
    match a {
        Action::Reinforce => {
            "Reinforce: the matching artifacts beat what was expected of them (the whole interval is above 0)."
        }
        Action::Weaken => {
            "Weaken: the matching artifacts fell short of what was expected of them (the whole interval is below 0)."
        }
        Action::Hold => {
            "Hold: the evidence does not yet point either way (the interval includes 0)."
        }
    }
    .to_owned()
}

fn day_text(day: i64) -> String {
    Date::from_unix_ms(day * 86_400_000).to_string()
}

fn source_text(s: ExpectationSource) -> String {
    match s {
        ExpectationSource::Prediction => "its prediction".to_owned(),
        ExpectationSource::ChannelBaseline { n } => {
            format!("the channel's baseline ({n} earlier artifacts)")
        }
    }
}

#[component]
pub fn BeliefsPage(state: AppState) -> impl IntoView {
    let scores = Memo::new(move |_| {
        let index = state.values.get();
        state.workspace.with(|ws| belief_scores(ws, &index))
    });
    let editing = RwSignal::new(None::<Editing>);
    // The beliefs whose history is open; kept here, not in each card, because the list is drawn
    // again whenever the workspace changes (the learners' answers arrive at any time).
    let open = RwSignal::new(std::collections::BTreeSet::<String>::new());
    let message = RwSignal::new(None::<(bool, String)>);
    let export = move |_| {
        let text = state
            .workspace
            .with_untracked(|ws| beliefs_json(&ws.beliefs));
        let name = "refleqt-beliefs.json";
        match web_tools::download(name, "application/json", &text) {
            Ok(()) => message.set(Some((true, format!("Exported the beliefs as {name}.")))),
            Err(e) => message.set(Some((false, format!("The export failed: {e}.")))),
        }
    };
    let on_file = move |ev: leptos::ev::Event| {
        message.set(None);
        web_tools::on_text_file_chosen(&ev, move |text| {
            let parsed = text
                .map_err(|e| e.to_string())
                .and_then(|t| parse_beliefs(&t).map_err(|e| e.to_string()));
            match parsed {
                Ok(beliefs) => {
                    let (added, replaced) = state.change(|ws| ws.import_beliefs(beliefs));
                    message.set(Some((
                        true,
                        format!(
                            "Imported the beliefs file: {added} added, {replaced} replaced (same id)."
                        ),
                    )));
                }
                Err(why) => message.set(Some((
                    false,
                    format!("Import refused, nothing was changed: {why}."),
                ))),
            }
        });
    };
    view! {
        <section class="page beliefs" data-testid="beliefs">
            <div class="page-head">
                <h1>"Beliefs"</h1>
                <div class="actions">
                    <button
                        type="button"
                        class="primary"
                        on:click=move |_| {
                            message.set(None);
                            editing.set(Some(Editing::New));
                        }
                    >
                        "Write a belief"
                    </button>
                    <button type="button" on:click=export>
                        "Export beliefs (JSON)"
                    </button>
                </div>
            </div>
            <div class="field">
                <label for="beliefs-file">"Import a beliefs file (JSON)"</label>
                <input
                    id="beliefs-file"
                    type="file"
                    accept=".json,application/json"
                    aria-describedby="beliefs-file-hint"
                    on:change=on_file
                />
                <span class="hint" id="beliefs-file-hint">
                    "The planning tool's side of the loop (format in the README). A belief with a new id is added, one with an id you have replaces it; a file with any bad belief is refused whole."
                </span>
            </div>
            <p class="hint">
                "A belief says which artifacts it is about and whether they land above or below what was expected of them (their prediction, or without one the channel's usual result). Every matching outcome moves its score: how far the actual landed from the expectation, in standard deviations (at most 3), shrunk towards 0 by a prior worth 4 outcomes. Reinforce when the whole 95 % interval is above 0, Weaken when below, otherwise Hold."
            </p>
            <ResultBanner message=message testid="beliefs-message" />
            {move || {
                editing
                    .get()
                    .map(|which| {
                        let (id, form) = state
                            .workspace
                            .with_untracked(|ws| match &which {
                                Editing::New => (ws.new_belief_id(), BeliefForm::default()),
                                Editing::Existing(id) => {
                                    (
                                        id.clone(),
                                        ws
                                            .beliefs
                                            .iter()
                                            .find(|b| b.id == *id)
                                            .map(BeliefForm::from_belief)
                                            .unwrap_or_default(),
                                    )
                                }
                            });
                        view! {
                            <BeliefFormView
                                state=state
                                id=id
                                initial=form
                                is_new=which == Editing::New
                                editing=editing
                                message=message
                            />
                        }
                    })
            }}
            {move || {
                let beliefs = state.workspace.with(|ws| ws.beliefs.clone());
                if beliefs.is_empty() {
                    return view! {
                        <p class="empty" data-testid="no-beliefs">
                            "No beliefs yet. Write one, or import a beliefs file from your planning tool."
                        </p>
                    }
                        .into_any();
                }
                let all = scores.get();
                view! {
                    <ul class="belief-list">
                        {beliefs
                            .into_iter()
                            .map(|b| {
                                let score = all.iter().find(|s| s.belief == b.id).cloned();
                                view! {
                                    <BeliefCard
                                        state=state
                                        belief=b
                                        score=score
                                        editing=editing
                                        message=message
                                        open=open
                                    />
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
    }
}

#[component]
fn BeliefCard(
    state: AppState,
    belief: Belief,
    score: Option<BeliefScore>,
    editing: RwSignal<Option<Editing>>,
    message: RwSignal<Option<(bool, String)>>,
    open: RwSignal<std::collections::BTreeSet<String>>,
) -> impl IntoView {
    let id = belief.id.clone();
    let show_history = {
        let id = id.clone();
        Signal::derive(move || open.with(|o| o.contains(&id)))
    };
    let toggle_id = id.clone();
    let heading_id = format!("belief-{}-heading", web_tools_safe(&id));
    let labelled_by = heading_id.clone();
    let score = score.unwrap_or(BeliefScore {
        belief: id.clone(),
        score: 0.0,
        low: 0.0,
        high: 0.0,
        evidence: 0,
        action: Action::Hold,
        movements: Vec::new(),
        history: Vec::new(),
    });
    let tests: Vec<(String, String)> = state.workspace.with_untracked(|ws| {
        ws.tests_behind(&id)
            .iter()
            .map(|r| {
                let sentence = r
                    .analysis()
                    .ok()
                    .and_then(|a| a.insight)
                    .map(|i| i.sentence)
                    .unwrap_or_default();
                (r.test.name.clone(), sentence)
            })
            .collect()
    });
    let action_class = match score.action {
        Action::Reinforce => "action reinforce",
        Action::Weaken => "action weaken",
        Action::Hold => "action hold",
    };
    let delete_id = id.clone();
    let delete = move || {
        let statement = belief_statement(state, &delete_id);
        if state.change(|ws| ws.delete_belief(&delete_id)) {
            message.set(Some((
                true,
                format!("Deleted the belief \u{201c}{statement}\u{201d}."),
            )));
        }
    };
    let edit_id = id.clone();
    let history = score.history.clone();
    let chart_name = format!("Score over time: {}", belief.statement);
    let movements = score.movements.clone();
    let evidence = score.evidence;
    view! {
        <li class="belief card" data-testid="belief" aria-labelledby=labelled_by>
            <h2 id=heading_id data-testid="belief-statement">
                {belief.statement.clone()}
            </h2>
            <dl class="entry-facts">
                <dt>"Speaks about"</dt>
                <dd>{belief.selector.describe()}</dd>
                <dt>"Metric"</dt>
                <dd>{metric_label(&belief.metric)}</dd>
                <dt>"Expects them"</dt>
                <dd>{direction_words(belief.direction)}</dd>
                <dt>"Score"</dt>
                <dd data-testid="belief-score">
                    <strong>{signed(score.score)}</strong>
                    {format!(" (95 % interval {} to {})", signed(score.low), signed(score.high))}
                </dd>
                <dt>"Evidence"</dt>
                <dd data-testid="belief-evidence">
                    {format!("{evidence} outcome{}", if evidence == 1 { "" } else { "s" })}
                    {(!tests.is_empty())
                        .then(|| {
                            format!(
                                " · {} accepted A/B test{}",
                                tests.len(),
                                if tests.len() == 1 { "" } else { "s" },
                            )
                        })}
                </dd>
                <dt>"Action"</dt>
                <dd class=action_class data-testid="belief-action">
                    {action_sentence(score.action, evidence)}
                </dd>
            </dl>
            {(!tests.is_empty())
                .then(|| {
                    view! {
                        <ul class="belief-tests" aria-label="A/B tests behind this belief">
                            {tests
                                .into_iter()
                                .map(|(name, sentence)| {
                                    view! {
                                        <li>
                                            <a href="#/ab-tests">{name}</a>
                                            {format!(": {sentence}")}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                })}
            <div class="actions">
                <button
                    type="button"
                    aria-expanded=move || show_history.get().to_string()
                    on:click=move |_| {
                        open.update(|o| {
                            if !o.remove(&toggle_id) {
                                o.insert(toggle_id.clone());
                            }
                        })
                    }
                >
                    {move || {
                        if show_history.get() {
                            "Hide history and evidence"
                        } else {
                            "Show history and evidence"
                        }
                    }}
                </button>
                <button
                    type="button"
                    on:click=move |_| {
                        message.set(None);
                        editing.set(Some(Editing::Existing(edit_id.clone())));
                    }
                >
                    "Edit"
                </button>
                <ConfirmDelete
                    label="Delete"
                    confirm="Yes, delete this belief"
                    on_delete=delete.clone()
                />
            </div>
            {move || {
                show_history
                    .get()
                    .then(|| {
                        let spec = ChartSpec::Lines(belief_history(&history));
                        let rows = movements.clone();
                        view! {
                            <div class="belief-history" data-testid="belief-history">
                                {if history.is_empty() {
                                    view! {
                                        <p class="hint">
                                            "No history yet: no outcome has matched this belief."
                                        </p>
                                    }
                                        .into_any()
                                } else {
                                    view! {
                                        <Chart
                                            name=chart_name.clone()
                                            spec=Signal::derive(move || spec.clone())
                                            testid="belief-chart"
                                        />
                                    }
                                        .into_any()
                                }}
                                <MovementTable rows=rows />
                            </div>
                        }
                    })
            }}
        </li>
    }
}

fn belief_statement(state: AppState, id: &str) -> String {
    state.workspace.with_untracked(|ws| {
        ws.beliefs
            .iter()
            .find(|b| b.id == id)
            .map(|b| b.statement.clone())
            .unwrap_or_default()
    })
}

/// An id usable inside an element id.
fn web_tools_safe(id: &str) -> String {
    id.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

#[component]
fn MovementTable(rows: Vec<refleqt_engine::beliefs::Movement>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="hint">"No artifact has moved this belief yet."</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="data" data-testid="belief-movements">
                <caption>"The artifacts that moved it, oldest first"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Published"</th>
                        <th scope="col">"Artifact"</th>
                        <th scope="col">"Against what was expected"</th>
                        <th scope="col">"Expected from"</th>
                        <th scope="col">"Impact"</th>
                        <th scope="col">"Action"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|m| {
                            let surprise = if m.surprise >= 0.0 {
                                format!("{:.1} standard deviations above", m.surprise)
                            } else {
                                format!("{:.1} standard deviations below", -m.surprise)
                            };
                            view! {
                                <tr>
                                    <td>{day_text(m.day)}</td>
                                    <td>
                                        <a href=format!(
                                            "#/entry/{}",
                                            m.artifact,
                                        )>{m.title.clone()}</a>
                                    </td>
                                    <td>{surprise}</td>
                                    <td>{source_text(m.source)}</td>
                                    <td>{signed(m.impact)}</td>
                                    <td>{m.action.label()}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn BeliefFormView(
    state: AppState,
    id: String,
    initial: BeliefForm,
    is_new: bool,
    editing: RwSignal<Option<Editing>>,
    message: RwSignal<Option<(bool, String)>>,
) -> impl IntoView {
    let form = RwSignal::new(initial);
    let error = RwSignal::new(None::<String>);
    let channels = state.workspace.with_untracked(|ws| ws.channels());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mark = state
            .workspace
            .with_untracked(|ws| ws.settings.decimal_mark);
        match form.with_untracked(|f| f.parse(&id, mark)) {
            Ok(belief) => {
                let statement = belief.statement.clone();
                state.change(|ws| ws.save_belief(belief));
                error.set(None);
                editing.set(None);
                message.set(Some((
                    true,
                    if is_new {
                        format!("Saved the new belief \u{201c}{statement}\u{201d}.")
                    } else {
                        format!("Saved your changes to \u{201c}{statement}\u{201d}.")
                    },
                )));
            }
            Err(why) => error.set(Some(why)),
        }
    };
    let text = move |field_id: &'static str,
                     label: &'static str,
                     hint: &'static str,
                     get: fn(&BeliefForm) -> String,
                     set: fn(&mut BeliefForm, String)| {
        let hint_id = format!("{field_id}-hint");
        view! {
            <div class="field">
                <label for=field_id>{label}</label>
                <input
                    id=field_id
                    type="text"
                    aria-describedby=hint_id.clone()
                    list=(field_id == "belief-channels").then_some("belief-channel-list")
                    prop:value=move || form.with(get)
                    on:input=move |ev| form.update(|f| set(f, event_target_value(&ev)))
                />
                <span class="hint" id=hint_id>
                    {hint}
                </span>
            </div>
        }
    };
    view! {
        <form
            class="belief-form card"
            on:submit=submit
            aria-labelledby="belief-form-heading"
            novalidate
        >
            <h2 id="belief-form-heading">
                {if is_new { "Write a belief" } else { "Edit the belief" }}
            </h2>
            {text(
                "belief-statement",
                "Statement",
                "What you believe, in a sentence (\u{201c}Technical content resonates\u{201d}).",
                |f| f.statement.clone(),
                |f, v| f.statement = v,
            )}
            <fieldset>
                <legend>"Which artifacts it speaks about (empty = any)"</legend>
                {text(
                    "belief-channels",
                    "Channels",
                    "Comma-separated, e.g. LinkedIn, Twitter/X.",
                    |f| f.channels.clone(),
                    |f, v| f.channels = v,
                )}
                <datalist id="belief-channel-list">
                    {channels
                        .into_iter()
                        .map(|c| view! { <option value=c.clone()></option> })
                        .collect_view()}
                </datalist>
                {text(
                    "belief-kinds",
                    "Types",
                    "Comma-separated, e.g. Blog post, Case study.",
                    |f| f.kinds.clone(),
                    |f, v| f.kinds = v,
                )}
                {text(
                    "belief-topics",
                    "Topics",
                    "Comma-separated tags; an artifact with any of them matches.",
                    |f| f.topics.clone(),
                    |f, v| f.topics = v,
                )}
                {text(
                    "belief-creators",
                    "Creators",
                    "Comma-separated names.",
                    |f| f.creators.clone(),
                    |f, v| f.creators = v,
                )}
                {text(
                    "belief-min-length",
                    "Shortest length",
                    "Optional, in the artifact's length unit (words, seconds…).",
                    |f| f.min_length.clone(),
                    |f, v| f.min_length = v,
                )}
                {text(
                    "belief-max-length",
                    "Longest length",
                    "Optional.",
                    |f| f.max_length.clone(),
                    |f, v| f.max_length = v,
                )}
            </fieldset>
            <div class="field">
                <label for="belief-metric">"Metric"</label>
                <select
                    id="belief-metric"
                    prop:value=move || form.with(|f| f.metric.clone())
                    on:change=move |ev| form.update(|f| f.metric = event_target_value(&ev))
                >
                    <option value="" selected=move || form.with(|f| f.metric.is_empty())>
                        "Choose a metric…"
                    </option>
                    {learned_metrics()
                        .into_iter()
                        .map(|m| {
                            view! {
                                <option
                                    value=m.key()
                                    selected=move || form.with(|f| f.metric == m.key())
                                >
                                    {m.label()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="belief-direction">"These artifacts land"</label>
                <select
                    id="belief-direction"
                    on:change=move |ev| {
                        let d = if event_target_value(&ev) == "below" {
                            Direction::Below
                        } else {
                            Direction::Above
                        };
                        form.update(|f| f.direction = d);
                    }
                >
                    <option
                        value="above"
                        selected=move || form.with(|f| f.direction == Direction::Above)
                    >
                        "Above what was expected of them"
                    </option>
                    <option
                        value="below"
                        selected=move || form.with(|f| f.direction == Direction::Below)
                    >
                        "Below what was expected of them"
                    </option>
                </select>
            </div>
            <p class="error" role="alert" data-testid="belief-form-error">
                {move || error.get()}
            </p>
            <div class="actions">
                <button type="submit" class="primary">
                    "Save belief"
                </button>
                <button type="button" on:click=move |_| editing.set(None)>
                    "Cancel"
                </button>
            </div>
        </form>
    }
}
