//! The page for a fragment that names no page.

use leptos::prelude::*;

/// Says which address was not found and leads back home.
#[component]
pub fn NotFound(path: String) -> impl IntoView {
    view! {
        <section class="page not-found" data-testid="not-found">
            <h1>"Page not found"</h1>
            <p>"There is no page at " <code>{format!("#/{path}")}</code> "."</p>
            <p>
                <a href="#/">"Go to the overview"</a>
            </p>
        </section>
    }
}
