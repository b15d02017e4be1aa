//! The overview page: what Refleqt Attribution does and where the user's data lives.

use leptos::prelude::*;

/// The landing page.
#[component]
pub fn Home() -> impl IntoView {
    view! {
        <section class="page home" data-testid="home">
            <h1>"Refleqt Attribution"</h1>
            <p class="lede">
                "Find out which of your blog posts, emails, ads and social posts bring revenue. "
                "Every calculation runs in this browser tab: your data never leaves your machine."
            </p>
            <ul class="facts">
                <li>
                    "Seven attribution models side by side: first touch, last touch, linear, "
                    "time-decay, position-based, Markov removal effect and Shapley."
                </li>
                <li>"Per-artifact ROI: (revenue − cost) / cost × 100."</li>
                <li>"Works offline once loaded; no account, no server."</li>
            </ul>
        </section>
    }
}
