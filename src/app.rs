//! The app shell: navigation bar, the page for the current route, and a skip link.

use crate::components::banners::{NoticeBanner, StorageBanner};
use crate::components::update_banner::UpdateBanner;
use crate::pages::ab_tests::AbTestsPage;
use crate::pages::alerts::{AlertCount, AlertsPage};
use crate::pages::attribution::AttributionPage;
use crate::pages::beliefs::BeliefsPage;
use crate::pages::calendar::CalendarPage;
use crate::pages::connections::ConnectionsPage;
use crate::pages::creators::CreatorsPage;
use crate::pages::dashboards::DashboardsPage;
use crate::pages::entry_detail::EntryPage;
use crate::pages::entry_form::{EditEntryPage, NewEntryPage};
use crate::pages::import::ImportPage;
use crate::pages::insights::InsightsPage;
use crate::pages::journeys::JourneysPage;
use crate::pages::settings::SettingsPage;
use crate::pages::{home::Home, not_found::NotFound};
use crate::routing::{Route, NAV};
use crate::state::connections::Connections;
use crate::state::insights::Insights;
use crate::state::learning::Learning;
use crate::state::updates::AppUpdate;
use crate::state::workbench::Workbench;
use crate::state::AppState;
use crate::storage::db::DB_NAME;
use crate::web_tools;
use leptos::prelude::*;

/// The root component, on the production database.
#[component]
pub fn App() -> impl IntoView {
    view! { <AppWith db_name=DB_NAME /> }
}

/// The root component on the IndexedDB database `db_name` (tests use their own).
#[component]
pub fn AppWith(db_name: &'static str) -> impl IntoView {
    let state = AppState::start(db_name);
    let analysis = Workbench::provide(state);
    let update = AppUpdate::start();
    let insights = Insights::provide(state);
    Learning::provide(state);
    // Before the route is read: a sign-in answer on the URL is taken off and lands on #/connections.
    let connections = Connections::provide(state);
    // Memo: pages are rebuilt when loading ends, not on every save.
    let loading = Memo::new(move |_| state.is_loading());
    let (route, set_route) = signal(Route::from_hash(&web_tools::current_hash()));
    let handle = window_event_listener(leptos::ev::hashchange, move |_| {
        set_route.set(Route::from_hash(&web_tools::current_hash()));
    });
    on_cleanup(move || handle.remove());
    Effect::new(move |_| web_tools::set_title(&route.read().title()));

    view! {
        <a
            class="skip"
            href="#main"
            on:click=|ev| {
                ev.prevent_default();
                if let Some(el) = document().get_element_by_id("main") {
                    el.scroll_into_view();
                }
            }
        >
            "Skip to content"
        </a>
        <header class="topbar">
            <span class="brand" aria-label="Refleqt Attribution">
                "Refleqt"
                <span>" Attribution"</span>
            </span>
            <nav aria-label="Main" data-testid="nav">
                <ul>
                    {NAV
                        .iter()
                        .map(|item| {
                            let current = move || Route::from_hash(item.href) == route.get();
                            view! {
                                <li>
                                    <a
                                        href=item.href
                                        aria-current=move || current().then_some("page")
                                    >
                                        {item.label}
                                        {(item.href == "#/alerts")
                                            .then(|| view! { <AlertCount state=state /> })}
                                    </a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </nav>
            {move || {
                state
                    .workspace
                    .with(|ws| ws.is_demo)
                    .then(|| {
                        view! {
                            <a class="demo-tag" href="#/settings" data-testid="demo-tag">
                                "Demo workspace"
                            </a>
                        }
                    })
            }}
        </header>
        <StorageBanner state=state />
        <NoticeBanner state=state />
        <UpdateBanner update=update />
        <main id="main" tabindex="-1">
            {move || {
                let route = route.get();
                if loading.get() && !matches!(route, Route::NotFound(_)) {
                    return view! {
                        <p class="page loading" role="status">
                            "Loading your workspace…"
                        </p>
                    }
                        .into_any();
                }
                match route {
                    Route::Home => view! { <Home state=state analysis=analysis /> }.into_any(),
                    Route::Calendar => view! { <CalendarPage state=state /> }.into_any(),
                    Route::NewEntry => view! { <NewEntryPage state=state /> }.into_any(),
                    Route::Entry(id) => view! { <EntryPage state=state entry_id=id /> }.into_any(),
                    Route::EditEntry(id) => {
                        view! { <EditEntryPage state=state entry_id=id /> }.into_any()
                    }
                    Route::Settings => view! { <SettingsPage state=state /> }.into_any(),
                    Route::Import => view! { <ImportPage state=state /> }.into_any(),
                    Route::Connections => {
                        view! { <ConnectionsPage connections=connections /> }.into_any()
                    }
                    Route::Attribution => {
                        view! { <AttributionPage state=state analysis=analysis /> }.into_any()
                    }
                    Route::Dashboards => {
                        view! { <DashboardsPage state=state analysis=analysis /> }.into_any()
                    }
                    Route::Alerts => view! { <AlertsPage state=state /> }.into_any(),
                    Route::Journeys => {
                        view! { <JourneysPage state=state analysis=analysis /> }.into_any()
                    }
                    Route::Creators => view! { <CreatorsPage state=state /> }.into_any(),
                    Route::Insights => {
                        view! { <InsightsPage state=state analysis=analysis insights=insights /> }
                            .into_any()
                    }
                    Route::Beliefs => view! { <BeliefsPage state=state /> }.into_any(),
                    Route::AbTests => view! { <AbTestsPage state=state /> }.into_any(),
                    Route::NotFound(path) => view! { <NotFound path=path /> }.into_any(),
                }
            }}
        </main>
    }
}
