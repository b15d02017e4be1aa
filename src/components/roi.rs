//! An ROI figure: the engine's percent format, or an em dash whose tooltip says why there is no
//! number (never ∞ or NaN).

use crate::model::workspace::RoiStatus;
use leptos::prelude::*;
use refleqt_engine::roi::{format_percent, NOT_A_NUMBER};

/// Shows `status` as `2,700%` or `—` with the reason as tooltip and accessible name.
#[component]
pub fn RoiFigure(
    #[prop(into)] status: Signal<RoiStatus>,
    #[prop(optional)] testid: &'static str,
) -> impl IntoView {
    move || match status.get() {
        Ok(roi) => view! {
            <span class="roi" class:negative=roi < 0.0 data-testid=testid>
                {format_percent(roi)}
            </span>
        }
        .into_any(),
        Err(reason) => {
            let why = reason.to_string();
            view! {
                <span class="roi none" data-testid=testid title=why.clone() aria-label=why.clone()>
                    {NOT_A_NUMBER}
                </span>
            }
            .into_any()
        }
    }
}
