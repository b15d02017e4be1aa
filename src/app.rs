//! The app shell: navigation bar, the page for the current route, and a skip link.

use crate::pages::{home::Home, not_found::NotFound};
use crate::routing::{Route, NAV};
use crate::web_tools;
use leptos::prelude::*;

/// The root component.
#[component]
pub fn App() -> impl IntoView {
    let (route, set_route) = signal(Route::from_hash(&web_tools::current_hash()));
    let handle = window_event_listener(leptos::ev::hashchange, move |_| {
        set_route.set(Route::from_hash(&web_tools::current_hash()));
    });
    on_cleanup(move || handle.remove());
    Effect::new(move |_| web_tools::set_title(&route.read().title()));

    view! {
        <a class="skip" href="#main" on:click=|ev| {
            ev.prevent_default();
            if let Some(el) = document().get_element_by_id("main") {
                el.scroll_into_view();
            }
        }>"Skip to content"</a>
        <header class="topbar">
            <span class="brand" aria-label="Refleqt Attribution">"Refleqt"<span>" Attribution"</span></span>
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
                                    </a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </nav>
        </header>
        <main id="main" tabindex="-1">
            {move || match route.get() {
                Route::Home => view! { <Home /> }.into_any(),
                Route::NotFound(path) => view! { <NotFound path=path /> }.into_any(),
            }}
        </main>
    }
}
