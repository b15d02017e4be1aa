//! Browser test of the chart component: it draws a non-blank canvas sized by the device pixel
//! ratio, and its table toggle shows the chart's numbers.

use crate::support::{document, until, wait_for};
use leptos::prelude::*;
use refleqt::charts::series::{BarSeries, ChartSpec, GroupedBars};
use refleqt::components::chart::Chart;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

fn spec() -> ChartSpec {
    ChartSpec::Bars(GroupedBars {
        groups: vec!["email".into(), "search".into()],
        series: vec![
            BarSeries {
                label: "Linear".into(),
                values: vec![(0.6, Some((0.5, 0.7))), (0.4, Some((0.3, 0.5)))],
            },
            BarSeries {
                label: "Last touch".into(),
                values: vec![(0.3, None), (0.7, None)],
            },
        ],
        y_label: "Share".into(),
        percent: true,
    })
}

#[wasm_bindgen_test]
async fn chart_draws_a_non_blank_canvas_and_toggles_its_table() {
    let doc = document();
    let host: web_sys::HtmlElement = doc.create_element("div").expect("div").unchecked_into();
    host.set_attribute("style", "width:600px").expect("style");
    doc.body()
        .expect("body")
        .append_child(&host)
        .expect("append");
    let _handle = leptos::mount::mount_to(host.clone(), || {
        view! { <Chart name="Test chart".to_string() spec=Signal::stored(spec()) testid="test-chart" /> }
    });
    let canvas: web_sys::HtmlCanvasElement = wait_for(&host, "canvas").await.unchecked_into();
    assert_eq!(
        canvas.get_attribute("aria-label").as_deref(),
        Some("Test chart")
    );
    let dpr = web_sys::window().expect("window").device_pixel_ratio();
    let expected_height = (340.0 * dpr).round() as u32;
    // The canvas is in the DOM before the effect sizes and draws it.
    until("the canvas to be sized", || async {
        (canvas.height() == expected_height).then_some(())
    })
    .await;
    let ctx: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .expect("context")
        .expect("2d")
        .unchecked_into();
    let data = ctx
        .get_image_data(
            0.0,
            0.0,
            f64::from(canvas.width()),
            f64::from(canvas.height()),
        )
        .expect("pixels")
        .data();
    let drawn = data
        .chunks(4)
        .filter(|p| p[0] < 240 || p[1] < 240 || p[2] < 240)
        .count();
    assert!(drawn > 500, "only {drawn} non-white pixels");

    let toggle: web_sys::HtmlElement = host
        .query_selector("[data-testid=table-toggle]")
        .expect("query")
        .expect("toggle")
        .unchecked_into();
    toggle.click();
    let table = wait_for(&host, "[data-testid=chart-table]").await;
    let text = table.text_content().unwrap_or_default();
    assert!(text.contains("60.0 % (50.0 % – 70.0 %)"), "{text}");
    assert!(text.contains("70.0 %"), "{text}");
}
