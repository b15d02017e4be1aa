//! `#/connections` (issue 9): Connect → Pull → Disconnect. Add a connection (an OAuth 2.0 /
//! OpenID Connect server by issuer or typed endpoints, client id, scopes, a data endpoint that
//! answers in the GA4 runReport shape), Connect (the server's own sign-in and consent pages),
//! Pull a period (the last full month by default) with progress and Cancel into the Import
//! preview — matching by `cal-<id>`, hand assignment, nothing written before Confirm —, and
//! Disconnect (the server revokes the tokens). API-key sources (Plausible, PostHog, Matomo,
//! Umami) get a key form instead of Connect: the key stays in memory unless "Remember this key on
//! this device" is ticked, next to a warning of what that means; Forget key deletes it. The
//! providers' honest status is listed. All state and requests are `state::connections`; this
//! page wires inputs to it.

use crate::components::import_preview::{ConfirmBar, ImportPreview};
use crate::model::api_key::KeyProvider;
use crate::model::connection::{last_full_month, Connection, DataShape, Status, PROVIDERS};
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
        Status::ApiKey => "Works with an API key (the provider must allow this app: CORS)",
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
                        <ConfirmBar session=session />
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
    let provider = connection.shape.key_provider();
    if provider.is_some() {
        connections.load_remembered(id);
    }
    let remembered = connections.remembered;
    let state_text = move || {
        if busy.get() == Some(id) {
            "Working…"
        } else if provider.is_some() {
            if !is_connected.get() {
                "No key"
            } else if remembered.with(|r| r.contains(&id)) {
                "Key remembered on this device"
            } else {
                "Key in this tab's memory"
            }
        } else if is_connected.get() {
            "Connected"
        } else {
            "Not connected"
        }
    };
    let actions = move || match provider {
        Some(p) => {
            if is_connected.get() {
                view! {
                    <button type="button" on:click=move |_| connections.forget_key(id)>
                        "Forget key"
                    </button>
                }
                .into_any()
            } else {
                view! { <KeyForm connections=connections id=id provider=p /> }.into_any()
            }
        }
        None => {
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
        }
    };
    let kind = provider.map_or("OAuth 2.0 / OpenID Connect", KeyProvider::label);
    view! {
        <article class="connection card" aria-labelledby=labelled_by data-testid="connection">
            <h2 id=heading>{connection.name.clone()}</h2>
            <p class="hint">{kind}</p>
            <p data-testid="connection-state">{state_text}</p>
            <p class="hint">{last_pulled}</p>
            <div class="actions">
                {actions} <button type="button" on:click=move |_| connections.remove(id)>
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

/// The form that adds a connection: an OAuth 2.0 / OpenID Connect server, or an API-key source.
#[component]
fn AddConnection(connections: Connections) -> impl IntoView {
    let kind = RwSignal::new(String::from("oauth"));
    let name = RwSignal::new(String::new());
    let issuer = RwSignal::new(String::new());
    let authorization = RwSignal::new(String::new());
    let token = RwSignal::new(String::new());
    let revocation = RwSignal::new(String::new());
    let client_id = RwSignal::new(String::new());
    let scopes = RwSignal::new("openid offline_access".to_owned());
    let data = RwSignal::new(String::new());
    let site = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let provider = move || {
        KeyProvider::ALL
            .into_iter()
            .find(|p| key_value(*p) == kind.get())
    };
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
        let shape = provider().map_or(DataShape::Ga4RunReport, DataShape::Key);
        let keyed = shape.key_provider().is_some();
        let c = if keyed {
            Connection {
                name: name.get_untracked().trim().to_owned(),
                data_endpoint: data.get_untracked().trim().to_owned(),
                site: site.get_untracked().trim().to_owned(),
                shape,
                ..Connection::default()
            }
        } else {
            Connection {
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
            }
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
                    site,
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
            <div class="field">
                <label for="conn-kind">"Source"</label>
                <select
                    id="conn-kind"
                    prop:value=move || kind.get()
                    on:change=move |ev| kind.set(event_target_value(&ev))
                >
                    <option value="oauth">"OAuth 2.0 / OpenID Connect server (sign in)"</option>
                    {KeyProvider::ALL
                        .into_iter()
                        .map(|p| {
                            view! {
                                <option value=key_value(
                                    p,
                                )>{format!("{} (API key)", p.label())}</option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            {field(
                "conn-name",
                "Name",
                name,
                "What to call it here, e.g. \u{201c}Analytics\u{201d}.",
            )}
            {move || match provider() {
                Some(p) => {
                    view! {
                        <p class="hint">
                            "The key is pasted on the connection's card after adding it, and is not part of the connection's settings."
                        </p>
                        <div class="field">
                            <label for="conn-address">"API address"</label>
                            <input
                                id="conn-address"
                                type="text"
                                autocomplete="off"
                                spellcheck="false"
                                prop:value=move || data.get()
                                on:input=move |ev| data.set(event_target_value(&ev))
                            />
                            <p class="hint">{p.address_hint()}</p>
                        </div>
                        <div class="field">
                            <label for="conn-site">"Site id"</label>
                            <input
                                id="conn-site"
                                type="text"
                                autocomplete="off"
                                spellcheck="false"
                                prop:value=move || site.get()
                                on:input=move |ev| site.set(event_target_value(&ev))
                            />
                            <p class="hint">{p.site_hint()}</p>
                        </div>
                    }
                        .into_any()
                }
                None => {
                    view! {
                        <p class="hint">
                            "Register this app at the provider as a public client (no secret) with PKCE, and enter this page's address without the # part as its redirect URI. The provider's addresses must be allowed by this build's security policy (README, Connections)."
                        </p>
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
                        {field(
                            "conn-client",
                            "Client id",
                            client_id,
                            "The id the provider gave this app.",
                        )}
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
                    }
                        .into_any()
                }
            }}
            <p class="error" role="alert">
                {move || error.get()}
            </p>
            <button type="submit" class="primary">
                "Add connection"
            </button>
        </form>
    }
}

/// The `<select>` value of a key provider.
fn key_value(p: KeyProvider) -> &'static str {
    match p {
        KeyProvider::Plausible => "plausible",
        KeyProvider::PostHog => "posthog",
        KeyProvider::Matomo => "matomo",
        KeyProvider::Umami => "umami",
    }
}

/// What remembering a key means, shown next to the choice.
pub const REMEMBER_WARNING: &str = "Remembering stores the key in this browser's localStorage, unencrypted: anyone who uses this browser profile (and any script that runs on this app's address) can read it and read your reports with it. Without it the key stays in this tab's memory only and is gone when you reload. Forget key deletes it from both.";

/// Paste a key (and choose whether to remember it), for a key source's card.
#[component]
fn KeyForm(connections: Connections, id: u64, provider: KeyProvider) -> impl IntoView {
    let key = RwSignal::new(String::new());
    let remember = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let (key_id, remember_id, warn_id) = (
        format!("key-{id}"),
        format!("remember-{id}"),
        format!("remember-warning-{id}"),
    );
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match connections.use_key(id, &key.get_untracked(), remember.get_untracked()) {
            Ok(()) => {
                error.set(None);
                key.set(String::new());
            }
            Err(e) => error.set(Some(e)),
        }
    };
    view! {
        <form class="key-form" on:submit=submit aria-label="Key for this connection">
            <div class="field">
                <label for=key_id.clone()>"API key"</label>
                <input
                    id=key_id
                    type="password"
                    autocomplete="off"
                    spellcheck="false"
                    prop:value=move || key.get()
                    on:input=move |ev| key.set(event_target_value(&ev))
                />
                <p class="hint">{provider.key_hint()}</p>
            </div>
            <div class="field checkbox">
                <input
                    id=remember_id.clone()
                    type="checkbox"
                    aria-describedby=warn_id.clone()
                    prop:checked=move || remember.get()
                    on:change=move |ev| remember.set(event_target_checked(&ev))
                />
                <label for=remember_id>"Remember this key on this device"</label>
            </div>
            <p class="hint warning" id=warn_id>
                {REMEMBER_WARNING}
            </p>
            <p class="error" aria-live="polite">
                {move || error.get()}
            </p>
            <button type="submit" class="primary">
                "Use key"
            </button>
        </form>
    }
}
