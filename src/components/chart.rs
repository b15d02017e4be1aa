//! A chart on a `<canvas>`: sized to its box × device pixel ratio (sharp on high-DPI screens),
//! redrawn when the data or the window size changes, with a "show as table" toggle (the same
//! numbers as text) and a PNG download. The canvas carries the chart's accessible name.
//!
//! No `style` attribute (the Content-Security-Policy has no `'unsafe-inline'` for styles): the
//! width comes from the stylesheet, the height from a `style:height` binding, which Leptos sets
//! through the CSSOM (`style.setProperty`), which the policy allows.

use crate::charts::draw::draw;
use crate::charts::series::ChartSpec;
use crate::web_tools;
use leptos::html::Canvas;
use leptos::prelude::*;

/// Height of every chart box in CSS pixels (the width follows the page).
const HEIGHT_PX: f64 = 340.0;

#[component]
pub fn Chart(
    /// Accessible name, heading of the table and base of the PNG file name.
    name: String,
    spec: Signal<ChartSpec>,
    /// `data-testid` of the figure.
    testid: &'static str,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let show_table = RwSignal::new(false);
    let (resized, set_resized) = signal(0u32);
    let error = RwSignal::new(None::<String>);
    let handle = window_event_listener(leptos::ev::resize, move |_| {
        set_resized.update(|n| *n = n.wrapping_add(1));
    });
    on_cleanup(move || handle.remove());
    Effect::new(move |_| {
        resized.track();
        let spec = spec.get();
        let Some(el) = canvas.get() else { return };
        let dpr = web_tools::device_pixel_ratio();
        let css_w = f64::from(el.client_width()).max(280.0);
        el.set_width((css_w * dpr).round() as u32);
        el.set_height((HEIGHT_PX * dpr).round() as u32);
        error.set(draw(&el, &spec, dpr).err().map(|e| e.to_string()));
    });
    let file = format!("{}.png", slug(&name));
    let png = move |_| {
        if let Some(el) = canvas.get_untracked() {
            if let Err(e) = web_tools::download_canvas_png(&el, &file) {
                error.set(Some(e.to_string()));
            }
        }
    };
    let label = name.clone();
    view! {
        <figure class="chart" data-testid=testid>
            <figcaption>
                <span class="chart-name">{name.clone()}</span>
                <span class="chart-tools">
                    <button
                        type="button"
                        aria-pressed=move || show_table.get().to_string()
                        data-testid="table-toggle"
                        on:click=move |_| show_table.update(|s| *s = !*s)
                    >
                        {move || if show_table.get() { "Hide table" } else { "Show as table" }}
                    </button>
                    <button type="button" on:click=png>
                        "Download PNG"
                    </button>
                </span>
            </figcaption>
            <canvas
                node_ref=canvas
                role="img"
                aria-label=label.clone()
                style:height=format!("{HEIGHT_PX}px")
            ></canvas>
            {move || {
                error
                    .get()
                    .map(|e| {
                        view! {
                            <p class="error" role="alert">
                                {format!(
                                    "The chart could not be drawn ({e}); use the table instead.",
                                )}
                            </p>
                        }
                    })
            }}
            {move || {
                show_table
                    .get()
                    .then(|| {
                        let t = spec.get().table();
                        let caption = label.clone();
                        let aria = caption.clone();
                        view! {
                            <table
                                class="data chart-table"
                                aria-label=aria
                                data-testid="chart-table"
                            >
                                <caption>{caption}</caption>
                                <thead>
                                    <tr>
                                        {t
                                            .head
                                            .into_iter()
                                            .map(|h| view! { <th scope="col">{h}</th> })
                                            .collect_view()}
                                    </tr>
                                </thead>
                                <tbody>
                                    {t
                                        .rows
                                        .into_iter()
                                        .map(|r| {
                                            view! {
                                                <tr>
                                                    {r
                                                        .into_iter()
                                                        .map(|c| view! { <td>{c}</td> })
                                                        .collect_view()}
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                        }
                    })
            }}
        </figure>
    }
}

/// A file-name-safe version of a chart name.
fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    s.split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}
