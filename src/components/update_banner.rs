//! The notice that a new version of the app is ready, with the button that switches to it.

use crate::state::updates::AppUpdate;
use leptos::prelude::*;

/// "A new version is ready — reload to update", in a polite live region.
#[component]
pub fn UpdateBanner(update: AppUpdate) -> impl IntoView {
    view! {
        <div role="status" aria-live="polite" class="notice-region">
            {move || {
                update
                    .ready
                    .get()
                    .then(|| {
                        view! {
                            <div class="banner info" data-testid="update-ready">
                                <span>"A new version is ready — reload to update."</span>
                                <button type="button" on:click=move |_| update.apply()>
                                    "Reload to update"
                                </button>
                            </div>
                        }
                    })
            }}
        </div>
    }
}
