//! `#/connections` (issue 9): Connect → Pull → Disconnect. Add a connection (an OAuth 2.0 /
//! OpenID Connect server by issuer or typed endpoints, client id, scopes, a data endpoint that
//! answers in the GA4 runReport shape), Connect (the server's own sign-in and consent pages),
//! Pull a period (the last full month by default) with progress and Cancel into the Import
//! preview — matching by `cal-<id>`, hand assignment, nothing written before Confirm —, and
//! Disconnect (the server revokes the tokens). The providers' honest status is listed. All state
//! and requests are `state::connections`; this page wires inputs to it.

use crate::components::import_preview::ImportPreview;
use crate::model::connection::{last_full_month, Connection, Status, PROVIDERS};
use crate::model::date::Date;
use crate::model::import::{Choices, Phase};
use crate::model::oauth::Endpoints;
use crate::state::connections::{Connections, PullPhase};
use crate::state::import::ImportSession;
use crate::web_tools;
use leptos::prelude::*;
use refleqt_engine::dates::format_iso_date;

const DAY_MS: i64 = 86_400_000;

fn status_label(s: Status) -> &'static str {
    match s {
        Status::Works => "Works from the browser",
        Status::ApiKeyPlanned => "Not built yet (API key)",
        Status::RefusesBrowsers => "Refuses browsers",
    }
}

/// `#/connections`.
#[component]
pub fn ConnectionsPage(connections: Connections) -> impl IntoView {
    let state = connections.state;
    let session = ImportSession::new(state);
    let Connections {
        notice,
        pull,
        requests,
        ..
    } = connections;
    let ImportSession {
        flow,
        preview,
        journeys,
        keep_dataset,
        dataset_name,
        ..
    } = session;
    let list = Memo::new(move |_| state.workspace.with(|ws| ws.settings.connections.clone()));
    let currency = Memo::new(move |_| state.workspace.with(|ws| ws.settings.currency.clone()));
    let reparse = move |choices: Choices| session.reparse(choices);

    // The pulled period is recorded on the connection once its preview is confirmed.
    Effect::new(move |_| {
        if matches!(flow.read().phase, Phase::Done(_)) {
            connections.confirmed();
        }
    });

    view! {
        <section class="page connections" data-testid="connections">
            <h1>"Connections"</h1>
            <p>
                "Pull your reports straight from a provider instead of exporting files. The sign-in happens on the provider's own page; the app then holds the access in this tab's memory only (never stored, gone on reload) and reads the reports from this browser — no server of ours is involved. Pulled rows go through the same preview as an import: nothing is written until you confirm, pulling the same period again replaces the earlier values, and values you typed by hand still win."
            </p>
            <div role="status" aria-live="polite" data-testid="connections-status">
                {move || {
                    notice
                        .get()
                        .filter(|n| !n.error)
                        .map(|n| view! { <p class="banner info">{n.text}</p> })
                }}
            </div>
            <div role="alert" data-testid="connections-error">
                {move || {
                    notice
                        .get()
                        .filter(|n| n.error)
                        .map(|n| view! { <p class="banner danger">{n.text}</p> })
                }}
            </div>
            <For
                each=move || list.get()
                key=|c| (c.id, c.last_pulled.clone(), c.name.clone())
                children=move |c| {
                    view! {
                        <ConnectionCard connections=connections session=session connection=c />
                    }
                }
            />
            {move || {
                match pull.get() {
                    PullPhase::Idle => ().into_any(),
                    PullPhase::Running { pages, rows, expected, waiting, .. } => {
                        let text = match (waiting, expected) {
                            (Some(s), _) => {
                                format!(
                                    "The provider asked to slow down: waiting {s} s, then asking again…",
                                )
                            }
                            (None, Some(e)) => {
                                format!("Pulling: {pages} page(s), {rows} of {e} rows…")
                            }
                            (None, None) => format!("Pulling: {pages} page(s), {rows} rows…"),
                        };
                        let value = expected
                            .filter(|e| *e > 0)
                            .map_or(0, |e| (rows as u64 * 100 / e).min(100));
                        view! {
                            <div class="import-progress" data-testid="pull-progress">
                                <label for="pull-bar">{text}</label>
                                <progress id="pull-bar" max="100" value=value.to_string()>
                                    {format!("{value}%")}
                                </progress>
                                <button type="button" on:click=move |_| connections.cancel_pull()>
                                    "Cancel pull"
                                </button>
                            </div>
                        }
                            .into_any()
                    }
                }
            }}
            {move || match flow.get().phase {
                Phase::Idle => ().into_any(),
                Phase::Working { stage, file_name } => {
                    view! {
                        <p role="status" class="import-progress">
                            {format!("{file_name}: {}", stage.label())}
                        </p>
                    }
                        .into_any()
                }
                Phase::Failed(message) => {
                    view! {
                        <p class="banner danger" role="alert" data-testid="pull-import-error">
                            {message}
                        </p>
                    }
                        .into_any()
                }
                Phase::Done(message) => {
                    view! {
                        <p class="banner info" role="status" data-testid="import-summary">
                            {message}
                        </p>
                    }
                        .into_any()
                }
                Phase::Preview => {
                    view! {
                        <p data-testid="pull-requests">
                            {move || {
                                format!(
                                    "Pulled with {} request(s) to the provider.",
                                    requests.get(),
                                )
                            }}
                        </p>
                        <ImportPreview
                            state=state
                            preview=preview
                            journeys=journeys
                            keep_dataset=keep_dataset
                            dataset_name=dataset_name
                            currency=currency
                            reparse=reparse
                        />
                        <div class="actions">
                            <button
                                type="button"
                                class="primary"
                                on:click=move |_| session.confirm_preview()
                                data-testid="import-confirm"
                            >
                                "Confirm import"
                            </button>
                            <button
                                type="button"
                                on:click=move |_| session.cancel()
                                data-testid="import-cancel"
                            >
                                "Cancel"
                            </button>
                        </div>
                    }
                        .into_any()
                }
            }}
            <AddConnection connections=connections />
            <table class="providers" data-testid="providers">
                <caption>"Providers and what a browser can do with them"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Provider"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Set-up, or why not and what to do instead"</th>
                    </tr>
                </thead>
                <tbody>
                    {PROVIDERS
                        .iter()
                        .map(|p| {
                            view! {
                                <tr>
                                    <th scope="row">{p.name}</th>
                                    <td>{status_label(p.status)}</td>
                                    <td>{p.note}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
    }
}

/// One connection: its status, Connect / Disconnect / Remove, and the pull form.
#[component]
fn ConnectionCard(
    connections: Connections,
    session: ImportSession,
    connection: Connection,
) -> impl IntoView {
    let id = connection.id;
    let Connections {
        connected,
        busy,
        pull,
        ..
    } = connections;
    let is_connected = Memo::new(move |_| connected.with(|c| c.contains(&id)));
    let today = web_tools::now_ms().div_euclid(DAY_MS);
    let (a, b) = last_full_month(today);
    let first = RwSignal::new(format_iso_date(a));
    let last = RwSignal::new(format_iso_date(b));
    let form_error = RwSignal::new(None::<String>);
    let heading = format!("connection-{id}");
    let labelled_by = heading.clone();
    let (first_id, last_id) = (format!("pull-first-{id}"), format!("pull-last-{id}"));
    let do_pull = move |_| match (
        Date::parse(&first.get_untracked()),
        Date::parse(&last.get_untracked()),
    ) {
        (Ok(x), Ok(y)) if x <= y => {
            form_error.set(None);
            connections.pull(
                id,
                x.unix_ms().div_euclid(DAY_MS),
                y.unix_ms().div_euclid(DAY_MS),
                session,
            );
        }
        (Ok(_), Ok(_)) => form_error.set(Some(
            "The last day is before the first day: swap them.".into(),
        )),
        _ => form_error.set(Some(
            "Enter both days as YYYY-MM-DD, e.g. 2025-03-01.".into(),
        )),
    };
    let pulling =
        move || matches!(pull.get(), PullPhase::Running { connection, .. } if connection == id);
    let last_pulled = connection
        .last_pulled
        .clone()
        .map(|(a, b)| format!("Last period pulled: {a} to {b}."))
        .unwrap_or_else(|| "Not pulled yet.".to_owned());
    view! {
        <article class="connection card" aria-labelledby=labelled_by data-testid="connection">
            <h2 id=heading>{connection.name.clone()}</h2>
            <p data-testid="connection-state">
                {move || {
                    if busy.get() == Some(id) {
                        "Working…"
                    } else if is_connected.get() {
                        "Connected"
                    } else {
                        "Not connected"
                    }
                }}
            </p>
            <p class="hint">{last_pulled}</p>
            <div class="actions">
                {move || {
                    if is_connected.get() {
                        view! {
                            <button type="button" on:click=move |_| connections.disconnect(id)>
                                "Disconnect"
                            </button>
                        }
                            .into_any()
                    } else {
                        view! {
                            <button
                                type="button"
                                class="primary"
                                disabled=move || busy.get() == Some(id)
                                on:click=move |_| connections.connect(id)
                            >
                                "Connect"
                            </button>
                        }
                            .into_any()
                    }
                }} <button type="button" on:click=move |_| connections.remove(id)>
                    "Remove"
                </button>
            </div>
            <div class="pull-form">
                <div class="field inline">
                    <label for=first_id.clone()>"First day"</label>
                    <input
                        id=first_id
                        type="date"
                        prop:value=move || first.get()
                        on:input=move |ev| first.set(event_target_value(&ev))
                    />
                </div>
                <div class="field inline">
                    <label for=last_id.clone()>"Last day"</label>
                    <input
                        id=last_id
                        type="date"
                        prop:value=move || last.get()
                        on:input=move |ev| last.set(event_target_value(&ev))
                    />
                </div>
                <button
                    type="button"
                    disabled=move || !is_connected.get() || pulling()
                    on:click=do_pull
                >
                    "Pull"
                </button>
                <p class="error" aria-live="polite">
                    {move || form_error.get()}
                </p>
            </div>
        </article>
    }
}

/// The form that adds a connection.
#[component]
fn AddConnection(connections: Connections) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let issuer = RwSignal::new(String::new());
    let authorization = RwSignal::new(String::new());
    let token = RwSignal::new(String::new());
    let revocation = RwSignal::new(String::new());
    let client_id = RwSignal::new(String::new());
    let scopes = RwSignal::new("openid offline_access".to_owned());
    let data = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let field = move |id: &'static str,
                      label: &'static str,
                      value: RwSignal<String>,
                      hint: &'static str| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <input
                    id=id
                    type="text"
                    autocomplete="off"
                    spellcheck="false"
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))
                />
                <p class="hint">{hint}</p>
            </div>
        }
    };
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let c = Connection {
            id: 0,
            name: name.get_untracked().trim().to_owned(),
            issuer: issuer.get_untracked().trim().to_owned(),
            endpoints: Endpoints {
                issuer: String::new(),
                authorization: authorization.get_untracked().trim().to_owned(),
                token: token.get_untracked().trim().to_owned(),
                revocation: revocation.get_untracked().trim().to_owned(),
                openid: scopes
                    .get_untracked()
                    .split_whitespace()
                    .any(|s| s == "openid"),
            },
            client_id: client_id.get_untracked().trim().to_owned(),
            scopes: scopes.get_untracked().trim().to_owned(),
            data_endpoint: data.get_untracked().trim().to_owned(),
            ..Connection::default()
        };
        match connections.add_connection(c) {
            Ok(_) => {
                error.set(None);
                for s in [
                    name,
                    issuer,
                    authorization,
                    token,
                    revocation,
                    client_id,
                    data,
                ] {
                    s.set(String::new());
                }
            }
            Err(e) => error.set(Some(e)),
        }
    };
    view! {
        <form class="add-connection card" on:submit=add aria-labelledby="add-connection">
            <h2 id="add-connection">"Add a connection"</h2>
            <p class="hint">
                "Register this app at the provider as a public client (no secret) with PKCE, and enter this page's address without the # part as its redirect URI. The provider's addresses must be allowed by this build's security policy (README, Connections)."
            </p>
            {field(
                "conn-name",
                "Name",
                name,
                "What to call it here, e.g. \u{201c}Analytics\u{201d}.",
            )}
            {field(
                "conn-issuer",
                "Issuer address",
                issuer,
                "The server's address; its endpoints are read from its discovery document. Leave empty to type the endpoints below.",
            )}
            <details>
                <summary>"Type the endpoints instead"</summary>
                {field("conn-auth", "Authorization endpoint", authorization, "")}
                {field("conn-token", "Token endpoint", token, "")}
                {field(
                    "conn-revocation",
                    "Revocation endpoint",
                    revocation,
                    "Optional; without it Disconnect only forgets the sign-in.",
                )}
            </details>
            {field("conn-client", "Client id", client_id, "The id the provider gave this app.")}
            {field(
                "conn-scopes",
                "Scopes",
                scopes,
                "Separated by spaces; offline_access asks for a refresh token so a pull survives an expired access token.",
            )}
            {field(
                "conn-data",
                "Data endpoint (GA4 runReport shape)",
                data,
                "The address the report rows are read from, e.g. https://…/v1beta/properties/123:runReport.",
            )}
            <p class="error" role="alert">
                {move || error.get()}
            </p>
            <button type="submit" class="primary">
                "Add connection"
            </button>
        </form>
    }
}
