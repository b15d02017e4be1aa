//! The two-step delete every page uses: "Delete …" asks, then "Yes, delete this …" deletes or
//! "Keep it" backs out — nothing is deleted by one click.

use leptos::prelude::*;

/// A delete button that asks first. `on_delete` runs only after the second click.
#[component]
pub fn ConfirmDelete<F>(
    /// The first button's text ("Delete entry").
    label: &'static str,
    /// The confirming button's text ("Yes, delete this entry").
    confirm: &'static str,
    on_delete: F,
) -> impl IntoView
where
    F: Fn() + Clone + Send + Sync + 'static,
{
    let asking = RwSignal::new(false);
    move || {
        if asking.get() {
            let on_delete = on_delete.clone();
            view! {
                <span class="confirm" role="group" aria-label="Confirm delete">
                    <button type="button" class="danger" on:click=move |_| on_delete()>
                        {confirm}
                    </button>
                    <button type="button" on:click=move |_| asking.set(false)>
                        "Keep it"
                    </button>
                </span>
            }
            .into_any()
        } else {
            view! {
                <button type="button" class="danger" on:click=move |_| asking.set(true)>
                    {label}
                </button>
            }
            .into_any()
        }
    }
}
