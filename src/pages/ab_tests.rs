//! `#/ab-tests`: record an A/B test (typed in, or its variants read from a small CSV) and read
//! engine `abtest::analyse`: each variant's estimate with its interval and probability of being
//! best, the lift over the control with its interval and p-value, the sample-ratio check, the
//! planned and minimum sample, the verdict in words. A conclusive test's insight proposes a
//! belief update, accepted (`Workspace::accept_proposal`) or rejected; the decision is stored.

use crate::components::banners::ResultBanner;
use crate::components::confirm_delete::ConfirmDelete;
use crate::model::ab_edit::{parse_variants_csv, AbForm, Accepted, VariantForm};
use crate::model::ab_record::{AbTestRecord, ProposalDecision};
use crate::model::metric::MetricKind;
use crate::state::AppState;
use crate::web_tools;
use leptos::prelude::*;
use refleqt_engine::abtest::{Analysis, MetricKind as TestKind, Verdict};

fn pct(x: f64) -> String {
    let p = x * 100.0;
    if p.abs() >= 10.0 {
        format!("{p:.1} %")
    } else {
        format!("{p:.2} %")
    }
}

fn lift_text(x: f64) -> String {
    format!("{:+.1} %", x * 100.0).replacen('-', "\u{2212}", 1)
}

fn p_text(p: f64) -> String {
    if p < 0.0001 {
        "below 0.0001".to_owned()
    } else {
        format!("{p:.4}")
    }
}

#[component]
pub fn AbTestsPage(state: AppState) -> impl IntoView {
    let show_form = RwSignal::new(false);
    let message = RwSignal::new(None::<(bool, String)>);
    view! {
        <section class="page ab-tests" data-testid="ab-tests">
            <div class="page-head">
                <h1>"A/B tests"</h1>
                <div class="actions">
                    <button
                        type="button"
                        class="primary"
                        aria-expanded=move || show_form.get().to_string()
                        on:click=move |_| {
                            message.set(None);
                            show_form.update(|s| *s = !*s);
                        }
                    >
                        "Record a test"
                    </button>
                </div>
            </div>
            <p class="hint">
                "Each variant's rate (or mean) with its 95 % interval and the probability that it is the best; the lift over the first variant (the control) with its interval and p-value. A test is only read at its planned sample (given, or the sample that detects a 10 % lift with 80 % power), each variant needs enough data, and exposures that do not follow the planned split block every result. A conclusive test proposes a belief, which you accept or reject."
            </p>
            <ResultBanner message=message testid="ab-message" />
            {move || {
                show_form
                    .get()
                    .then(|| view! { <AbFormView state=state show=show_form message=message /> })
            }}
            {move || {
                let tests = state.workspace.with(|ws| ws.ab_tests.clone());
                if tests.is_empty() {
                    return view! { <p class="empty">"No A/B tests recorded yet."</p> }.into_any();
                }
                view! {
                    <ul class="ab-list">
                        {tests
                            .into_iter()
                            .map(|r| view! { <AbCard state=state record=r message=message /> })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
    }
}

#[component]
fn AbCard(
    state: AppState,
    record: AbTestRecord,
    message: RwSignal<Option<(bool, String)>>,
) -> impl IntoView {
    let id = record.test.id.clone();
    let heading_id = format!(
        "ab-{}-heading",
        id.chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect::<String>()
    );
    let labelled_by = heading_id.clone();
    let t = record.test.clone();
    let analysis = record.analysis();
    let delete_id = id.clone();
    let name = t.name.clone();
    let delete = move || {
        if state.change(|ws| ws.delete_ab_test(&delete_id)) {
            message.set(Some((
                true,
                format!("Deleted the test \u{201c}{name}\u{201d}."),
            )));
        }
    };
    let kind_text = match t.kind {
        TestKind::Rate => "a rate (conversions per exposure)",
        TestKind::Mean => "a mean per observation",
    };
    view! {
        <li class="ab-test card" data-testid="ab-test" aria-labelledby=labelled_by>
            <h2 id=heading_id>{t.name.clone()}</h2>
            <dl class="entry-facts">
                {(!t.hypothesis.is_empty())
                    .then(|| {
                        view! {
                            <dt>"Hypothesis"</dt>
                            <dd>{t.hypothesis.clone()}</dd>
                        }
                    })} <dt>"Attribute that differs"</dt>
                <dd>
                    {if t.attribute.is_empty() { "—".to_owned() } else { t.attribute.clone() }}
                </dd> <dt>"Metric"</dt> <dd>{format!("{}, {kind_text}", t.metric)}</dd>
            </dl>
            {match analysis {
                Err(e) => {
                    view! {
                        <p class="error" role="alert">
                            {format!("This test cannot be analysed: {e}.")}
                        </p>
                    }
                        .into_any()
                }
                Ok(a) => {
                    view! {
                        <AnalysisView
                            state=state
                            record=record.clone()
                            analysis=a
                            message=message
                        />
                    }
                        .into_any()
                }
            }}
            <div class="actions">
                <ConfirmDelete
                    label="Delete test"
                    confirm="Yes, delete this test"
                    on_delete=delete.clone()
                />
            </div>
        </li>
    }
}

#[component]
fn AnalysisView(
    state: AppState,
    record: AbTestRecord,
    analysis: Analysis,
    message: RwSignal<Option<(bool, String)>>,
) -> impl IntoView {
    let t = record.test.clone();
    let rate = t.kind == TestKind::Rate;
    let estimate = move |x: f64| if rate { pct(x) } else { format!("{x:.2}") };
    let smallest = t.variants.iter().map(|v| v.exposures).min().unwrap_or(0);
    let k = t.variants.len().max(2);
    let planned_line = format!(
        "Planned sample: {} per variant ({}); the smallest variant has {} — {}.",
        analysis.planned_per_variant,
        if analysis.planned_computed {
            format!(
                "computed to detect a {:.0} % lift with 80 % power",
                t.min_lift * 100.0
            )
        } else {
            "as planned".to_owned()
        },
        smallest,
        if smallest >= analysis.planned_per_variant {
            "reached"
        } else {
            "not reached yet, so no verdict"
        },
    );
    let srm_line = if analysis.verdict == Verdict::SampleRatioMismatch {
        format!(
            "Sample ratio: the exposures do not follow the planned split (p = {}): the assignment is broken.",
            p_text(analysis.srm_p_value),
        )
    } else {
        format!(
            "Sample ratio: the exposures follow the planned split (p = {}).",
            p_text(analysis.srm_p_value),
        )
    };
    let min_line = if analysis.verdict == Verdict::NotEnoughData {
        "Minimum sample: not met (see the verdict).".to_owned()
    } else {
        "Minimum sample: met by every variant.".to_owned()
    };
    let verdict_word = match &analysis.verdict {
        Verdict::Winner { variant } => format!("Conclusive: \u{201c}{variant}\u{201d} wins."),
        Verdict::NoDifference => "Inconclusive: no difference larger than chance.".to_owned(),
        Verdict::NotEnoughData => "Inconclusive: too little data.".to_owned(),
        Verdict::PlannedSampleNotReached => {
            "Inconclusive: the planned sample is not reached.".to_owned()
        }
        Verdict::SampleRatioMismatch => "Not trustworthy: sample-ratio mismatch.".to_owned(),
    };
    let test_id = t.id.clone();
    let decision = record.decision.clone();
    let insight = analysis.insight.clone();
    let proposal_block = insight.map(|i| {
        let p = i.proposal.clone();
        let accept_id = test_id.clone();
        let reject_id = test_id.clone();
        let accept = move |_| {
            let id = accept_id.clone();
            match state.change(|ws| ws.accept_proposal(&id)) {
                Ok(Accepted::Created(b)) => message.set(Some((
                    true,
                    format!("Accepted: created the belief {b} (see Beliefs)."),
                ))),
                Ok(Accepted::Recorded(b)) => message.set(Some((
                    true,
                    format!("Accepted: the evidence is recorded on the existing belief {b} (same artifacts, metric and direction)."),
                ))),
                Err(e) => message.set(Some((false, format!("Not accepted: {e}.")))),
            }
        };
        let reject = move |_| {
            let id = reject_id.clone();
            match state.change(|ws| ws.reject_proposal(&id)) {
                Ok(()) => message.set(Some((true, "Rejected: no belief was changed.".to_owned()))),
                Err(e) => message.set(Some((false, format!("Not rejected: {e}.")))),
            }
        };
        let tag = if p.winner.trim().is_empty() { "the winner".to_owned() } else { p.winner.clone() };
        view! {
            <div class="insight" data-testid="ab-insight">
                <p class="insight-sentence">
                    <strong>{i.sentence.clone()}</strong>
                </p>
                <p>
                    {format!(
                        "Proposed belief: \u{201c}{}\u{201d} — about artifacts tagged \u{201c}{tag}\u{201d}, on {}, above what is expected of them. Accepting creates it, or records this test on the belief you already have about the same artifacts, metric and direction.",
                        p.statement,
                        p.metric,
                    )}
                </p>
                {match decision.clone() {
                    None => {
                        view! {
                            <div class="actions">
                                <button type="button" class="primary" on:click=accept>
                                    "Accept the belief update"
                                </button>
                                <button type="button" on:click=reject>
                                    "Reject"
                                </button>
                            </div>
                        }
                            .into_any()
                    }
                    Some(ProposalDecision::Accepted { belief }) => {
                        let statement = state
                            .workspace
                            .with_untracked(|ws| {
                                ws.beliefs
                                    .iter()
                                    .find(|b| b.id == belief)
                                    .map(|b| b.statement.clone())
                            });
                        view! {
                            <p data-testid="ab-decision">
                                {match statement {
                                    Some(s) => {
                                        format!(
                                            "Accepted: recorded on the belief \u{201c}{s}\u{201d}. ",
                                        )
                                    }
                                    None => {
                                        "Accepted; that belief has since been deleted. ".to_owned()
                                    }
                                }} <a href="#/beliefs">"See Beliefs"</a>
                            </p>
                        }
                            .into_any()
                    }
                    Some(ProposalDecision::Rejected) => {
                        view! {
                            <p data-testid="ab-decision">"Rejected: no belief was changed."</p>
                        }
                            .into_any()
                    }
                }}
            </div>
        }
    });
    view! {
        <div class="table-wrap">
            <table class="data" data-testid="ab-variants">
                <caption>"Variants (the first is the control)"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Variant"</th>
                        <th scope="col">"Value"</th>
                        <th scope="col">{if rate { "Exposures" } else { "Observations" }}</th>
                        <th scope="col">
                            {if rate { "Rate (95 % interval)" } else { "Mean (95 % interval)" }}
                        </th>
                        <th scope="col">"Probability best"</th>
                    </tr>
                </thead>
                <tbody>
                    {analysis
                        .variants
                        .iter()
                        .map(|v| {
                            view! {
                                <tr>
                                    <td>{v.name.clone()}</td>
                                    <td>{v.value.clone()}</td>
                                    <td>{v.exposures}</td>
                                    <td>
                                        {format!(
                                            "{} ({} – {})",
                                            estimate(v.estimate),
                                            estimate(v.low),
                                            estimate(v.high),
                                        )}
                                    </td>
                                    <td>{format!("{:.1} %", v.prob_best * 100.0)}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        <div class="table-wrap">
            <table class="data" data-testid="ab-comparisons">
                <caption>
                    {format!(
                        "Against the control (significant below p = {:.4})",
                        t.alpha / (k - 1) as f64,
                    )}
                </caption>
                <thead>
                    <tr>
                        <th scope="col">"Variant"</th>
                        <th scope="col">"Lift (95 % interval)"</th>
                        <th scope="col">"p-value"</th>
                        <th scope="col">"Significant"</th>
                    </tr>
                </thead>
                <tbody>
                    {analysis
                        .comparisons
                        .iter()
                        .map(|c| {
                            let lift = match (c.lift, c.low, c.high) {
                                (Some(l), Some(lo), Some(hi)) => {
                                    format!(
                                        "{} ({} to {})",
                                        lift_text(l),
                                        lift_text(lo),
                                        lift_text(hi),
                                    )
                                }
                                _ => "— (the control has none)".to_owned(),
                            };
                            view! {
                                <tr>
                                    <td>{c.name.clone()}</td>
                                    <td>{lift}</td>
                                    <td>{p_text(c.p_value)}</td>
                                    <td>{if c.significant { "Yes" } else { "No" }}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        <ul class="guards" aria-label="Checks">
            <li>{srm_line}</li>
            <li>{min_line}</li>
            <li data-testid="ab-planned">{planned_line}</li>
        </ul>
        <p class="verdict" data-testid="ab-verdict">
            <strong>{verdict_word}</strong>
            " "
            <span data-testid="ab-summary">{analysis.summary.clone()}</span>
        </p>
        {proposal_block}
    }
}

#[component]
fn AbFormView(
    state: AppState,
    show: RwSignal<bool>,
    message: RwSignal<Option<(bool, String)>>,
) -> impl IntoView {
    let form = RwSignal::new(AbForm::default());
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (id, ids, mark) = state.workspace.with_untracked(|ws| {
            (
                ws.new_ab_test_id(),
                ws.entries.iter().map(|e| e.entry_id).collect::<Vec<_>>(),
                ws.settings.decimal_mark,
            )
        });
        match form.with_untracked(|f| f.parse(&id, &ids, mark)) {
            Ok(test) => {
                let name = test.name.clone();
                state.change(|ws| ws.save_ab_test(test));
                error.set(None);
                show.set(false);
                message.set(Some((
                    true,
                    format!("Recorded the test \u{201c}{name}\u{201d}."),
                )));
            }
            Err(why) => error.set(Some(why)),
        }
    };
    let on_csv = move |ev: leptos::ev::Event| {
        web_tools::on_text_file_chosen(&ev, move |text| match text {
            Ok(text) => match parse_variants_csv(&text) {
                Ok((kind, variants)) => {
                    let n = variants.len();
                    form.update(|f| {
                        f.kind = kind;
                        f.variants = variants;
                    });
                    error.set(None);
                    message.set(Some((
                        true,
                        format!("Read {n} variants from the CSV; check them and save."),
                    )));
                }
                Err(e) => error.set(Some(format!(
                    "The CSV was not read, nothing was changed: {e}."
                ))),
            },
            Err(e) => error.set(Some(format!("The CSV was not read: {e}."))),
        });
    };
    let text = move |field_id: &'static str,
                     label: &'static str,
                     get: fn(&AbForm) -> String,
                     set: fn(&mut AbForm, String)| {
        view! {
            <div class="field">
                <label for=field_id>{label}</label>
                <input
                    id=field_id
                    type="text"
                    list=(field_id == "ab-metric").then_some("ab-metric-list")
                    prop:value=move || form.with(get)
                    on:input=move |ev| form.update(|f| set(f, event_target_value(&ev)))
                />
            </div>
        }
    };
    let is_rate = move || form.with(|f| f.kind == TestKind::Rate);
    // Only the number of variants rebuilds their fields (typing must keep the focus).
    let variant_count = Memo::new(move |_| form.with(|f| f.variants.len()));
    view! {
        <form class="ab-form card" on:submit=submit aria-labelledby="ab-form-heading" novalidate>
            <h2 id="ab-form-heading">"Record a test"</h2>
            {text("ab-name", "Test name", |f| f.name.clone(), |f, v| f.name = v)}
            {text("ab-hypothesis", "Hypothesis", |f| f.hypothesis.clone(), |f, v| f.hypothesis = v)}
            {text(
                "ab-attribute",
                "Attribute that differs (e.g. headlines)",
                |f| f.attribute.clone(),
                |f, v| f.attribute = v,
            )}
            {text("ab-metric", "Metric", |f| f.metric.clone(), |f, v| f.metric = v)}
            <datalist id="ab-metric-list">
                {MetricKind::ALL
                    .into_iter()
                    .map(|m| view! { <option value=m.label()></option> })
                    .collect_view()}
            </datalist>
            <div class="field">
                <label for="ab-kind">"The metric is"</label>
                <select
                    id="ab-kind"
                    on:change=move |ev| {
                        let k = if event_target_value(&ev) == "mean" {
                            TestKind::Mean
                        } else {
                            TestKind::Rate
                        };
                        form.update(|f| f.kind = k);
                    }
                >
                    <option value="rate" selected=is_rate>
                        "A rate: exposures and conversions"
                    </option>
                    <option value="mean" selected=move || !is_rate()>
                        "A mean: observations, mean and standard deviation"
                    </option>
                </select>
            </div>
            {text(
                "ab-planned",
                "Planned sample per variant (optional)",
                |f| f.planned.clone(),
                |f, v| f.planned = v,
            )}
            <div class="field">
                <label for="ab-csv">"Fill the variants from a CSV (optional)"</label>
                <input
                    id="ab-csv"
                    type="file"
                    accept=".csv,text/csv"
                    aria-describedby="ab-csv-hint"
                    on:change=on_csv
                />
                <span class="hint" id="ab-csv-hint">
                    "Header variant,value,exposures,successes — and mean,sd for a mean — then one variant a line."
                </span>
            </div>
            {move || {
                (0..variant_count.get())
                    .map(|i| {
                        view! {
                            <VariantFields form=form index=i is_rate=Signal::derive(is_rate) />
                        }
                    })
                    .collect_view()
            }}
            <div class="actions">
                <button
                    type="button"
                    on:click=move |_| form.update(|f| f.variants.push(VariantForm::default()))
                >
                    "Add a variant"
                </button>
            </div>
            <p class="error" role="alert" data-testid="ab-form-error">
                {move || error.get()}
            </p>
            <div class="actions">
                <button type="submit" class="primary">
                    "Save test"
                </button>
                <button type="button" on:click=move |_| show.set(false)>
                    "Cancel"
                </button>
            </div>
        </form>
    }
}

#[component]
fn VariantFields(form: RwSignal<AbForm>, index: usize, is_rate: Signal<bool>) -> impl IntoView {
    let field = move |key: &'static str,
                      label: &'static str,
                      get: fn(&VariantForm) -> String,
                      set: fn(&mut VariantForm, String)| {
        let id = format!("ab-v{index}-{key}");
        view! {
            <div class="field">
                <label for=id.clone()>{label}</label>
                <input
                    id=id
                    type="text"
                    prop:value=move || {
                        form.with(|f| f.variants.get(index).map(get).unwrap_or_default())
                    }
                    on:input=move |ev| {
                        let v = event_target_value(&ev);
                        form.update(|f| {
                            if let Some(x) = f.variants.get_mut(index) {
                                set(x, v);
                            }
                        })
                    }
                />
            </div>
        }
    };
    let legend = if index == 0 {
        "Variant 1 (the control)".to_owned()
    } else {
        format!("Variant {}", index + 1)
    };
    view! {
        <fieldset class="variant" data-testid="ab-variant">
            <legend>{legend}</legend>
            <div class="metric-grid">
                {field("name", "Name", |v| v.name.clone(), |v, s| v.name = s)}
                {field("value", "Attribute value", |v| v.value.clone(), |v, s| v.value = s)}
                {move || {
                    if is_rate.get() {
                        view! {
                            {field(
                                "exposures",
                                "Exposures",
                                |v| v.exposures.clone(),
                                |v, s| v.exposures = s,
                            )}
                            {field(
                                "successes",
                                "Conversions",
                                |v| v.successes.clone(),
                                |v, s| v.successes = s,
                            )}
                        }
                            .into_any()
                    } else {
                        view! {
                            {field(
                                "exposures",
                                "Observations",
                                |v| v.exposures.clone(),
                                |v, s| v.exposures = s,
                            )}
                            {field("mean", "Mean", |v| v.mean.clone(), |v, s| v.mean = s)}
                            {field("sd", "Standard deviation", |v| v.sd.clone(), |v, s| v.sd = s)}
                        }
                            .into_any()
                    }
                }}
                {field(
                    "entries",
                    "Linked entry ids (optional, comma-separated)",
                    |v| v.entries.clone(),
                    |v, s| v.entries = s,
                )}
            </div>
            {(index >= 2)
                .then(|| {
                    view! {
                        <button
                            type="button"
                            on:click=move |_| {
                                form.update(|f| {
                                    if index < f.variants.len() {
                                        f.variants.remove(index);
                                    }
                                })
                            }
                        >
                            "Remove this variant"
                        </button>
                    }
                })}
        </fieldset>
    }
}
