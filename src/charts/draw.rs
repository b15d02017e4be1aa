//! Drawing a [`ChartSpec`] on a `<canvas>` with plotters-canvas. Thin on purpose: the numbers are
//! decided in [`super::series`]; here they only get pixels. Sizes scale with the device pixel
//! ratio so text and lines stay sharp on high-DPI screens.

use super::backend::MeasuredCanvas;
use super::series::HeatMap;
use super::series::{
    circle_layout, day_ticks, pct, ChartSpec, Graph, GroupedBars, LinePlot, MAX_DAY_TICKS,
};
use plotters::prelude::*;
use thiserror::Error;
use web_sys::HtmlCanvasElement;

/// Why a chart could not be drawn.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ChartError {
    #[error("this browser gave no 2D canvas")]
    NoCanvas,
    #[error("drawing failed: {0}")]
    Draw(String),
}

fn err<E: std::fmt::Display>(e: E) -> ChartError {
    ChartError::Draw(e.to_string())
}

/// The one light grid line and the axis colour of every chart.
const GRID: RGBColor = RGBColor(226, 230, 236);
const AXIS: RGBColor = RGBColor(120, 128, 140);

fn color(i: usize) -> RGBColor {
    let (r, g, b) = super::palette::rgb(i);
    RGBColor(r, g, b)
}

/// Draw `spec` on `canvas`, whose pixel size the caller has set (CSS size × `dpr`).
pub fn draw(canvas: &HtmlCanvasElement, spec: &ChartSpec, dpr: f64) -> Result<(), ChartError> {
    let backend = MeasuredCanvas::new(canvas).ok_or(ChartError::NoCanvas)?;
    let root = backend.into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let s = |px: f64| (px * dpr).round().max(1.0) as u32;
    match spec {
        ChartSpec::Bars(b) => bars(&root, b, dpr, &s)?,
        ChartSpec::Lines(l) => lines(&root, l, dpr, &s)?,
        ChartSpec::Graph(g) => graph(&root, g, dpr)?,
        ChartSpec::Heat(h) => heat(&root, h, dpr, &s)?,
    }
    root.present().map_err(err)
}

type Area = DrawingArea<MeasuredCanvas, plotters::coord::Shift>;

fn font(dpr: f64, px: f64) -> TextStyle<'static> {
    ("sans-serif", px * dpr).into_font().color(&BLACK)
}

fn bars(root: &Area, b: &GroupedBars, dpr: f64, s: &dyn Fn(f64) -> u32) -> Result<(), ChartError> {
    let n = b.groups.len().max(1) as f64;
    let k = b.series.len().max(1) as f64;
    let all = b.series.iter().flat_map(|x| x.values.iter());
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for (v, iv) in all {
        let (l, h) = iv.unwrap_or((*v, *v));
        lo = lo.min(l.min(*v));
        hi = hi.max(h.max(*v));
    }
    if hi <= lo {
        hi = lo + 1.0;
    }
    let pad = (hi - lo) * 0.08;
    let y0 = if lo < 0.0 { lo - pad } else { 0.0 };
    let percent = b.percent;
    let mut chart = ChartBuilder::on(root)
        .margin(s(10.0))
        .x_label_area_size(s(36.0))
        .y_label_area_size(s(64.0))
        .build_cartesian_2d(0.0..n, y0..hi + pad)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_labels(6)
        .bold_line_style(GRID.stroke_width(s(1.0)))
        .light_line_style(WHITE)
        .axis_style(AXIS.stroke_width(s(1.0)))
        .y_desc(b.y_label.as_str())
        .y_label_formatter(&|y| if percent { pct(*y) } else { format!("{y:.0}") })
        .label_style(font(dpr, 12.0))
        .axis_desc_style(font(dpr, 12.0))
        .draw()
        .map_err(err)?;
    let width = 0.8 / k;
    for (si, series) in b.series.iter().enumerate() {
        let c = color(si);
        let rects = series.values.iter().enumerate().map(move |(g, (v, _))| {
            let x0 = g as f64 + 0.1 + si as f64 * width;
            Rectangle::new([(x0, 0.0), (x0 + width * 0.9, *v)], c.filled())
        });
        chart.draw_series(rects).map_err(err)?;
        let whiskers = series
            .values
            .iter()
            .enumerate()
            .filter_map(move |(g, (v, iv))| {
                let (l, h) = (*iv)?;
                let x = g as f64 + 0.1 + (si as f64 + 0.45) * width;
                Some(ErrorBar::new_vertical(
                    x,
                    l,
                    *v,
                    h,
                    BLACK.stroke_width(s(1.0)),
                    s(4.0),
                ))
            });
        chart.draw_series(whiskers).map_err(err)?;
    }
    let labels = b.groups.iter().enumerate().map(|(g, name)| {
        EmptyElement::at((g as f64 + 0.5, y0))
            + Text::new(
                name.clone(),
                (0, s(6.0) as i32),
                font(dpr, 12.0).pos(plotters::style::text_anchor::Pos::new(
                    plotters::style::text_anchor::HPos::Center,
                    plotters::style::text_anchor::VPos::Top,
                )),
            )
    });
    chart.draw_series(labels).map_err(err)?;
    let entries: Vec<(&str, Swatch)> = b
        .series
        .iter()
        .enumerate()
        .map(|(si, series)| (series.label.as_str(), Swatch::Box(color(si))))
        .collect();
    legend(
        root,
        chart.plotting_area().get_pixel_range(),
        &entries,
        Corner::UpperRight,
        dpr,
    )
}

fn lines(root: &Area, l: &LinePlot, dpr: f64, s: &dyn Fn(f64) -> u32) -> Result<(), ChartError> {
    let band_pts = l.bands.iter().flat_map(|b| {
        b.points
            .iter()
            .flat_map(|(x, lo, hi)| [(*x, *lo), (*x, *hi)])
    });
    let pts = l
        .lines
        .iter()
        .flat_map(|x| x.points.iter().copied())
        .chain(band_pts);
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for (x, y) in pts {
        let (x, y) = (&x, &y);
        x0 = x0.min(*x);
        x1 = x1.max(*x);
        y0 = y0.min(*y);
        y1 = y1.max(*y);
    }
    if x0 > x1 {
        (x0, x1, y0, y1) = (0.0, 1.0, 0.0, 1.0);
    }
    if x1 - x0 < 1.0 {
        x0 -= 1.0;
        x1 += 1.0;
    }
    let pad = ((y1 - y0).abs() * 0.1).max(y1.abs() * 0.1).max(1.0);
    let origin = l.origin;
    let mut chart = ChartBuilder::on(root)
        .margin(s(10.0))
        .x_label_area_size(s(36.0))
        .y_label_area_size(s(64.0))
        .build_cartesian_2d(x0..x1, (y0 - pad).min(0.0f64.max(y0 - pad))..y1 + pad)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_labels(5)
        .bold_line_style(GRID.stroke_width(s(1.0)))
        .light_line_style(WHITE)
        .axis_style(AXIS.stroke_width(s(1.0)))
        .y_desc(l.y_label.as_str())
        .label_style(font(dpr, 12.0))
        .axis_desc_style(font(dpr, 12.0))
        .draw()
        .map_err(err)?;
    // Date labels: few, on whole days, never repeated (series::day_ticks).
    let y_floor = chart.y_range().start;
    let ticks = day_ticks(origin, x0, x1, MAX_DAY_TICKS);
    let tick_labels = ticks.iter().map(|(x, label)| {
        EmptyElement::at((*x, y_floor))
            + Text::new(
                label.clone(),
                (0, s(6.0) as i32),
                font(dpr, 12.0).pos(plotters::style::text_anchor::Pos::new(
                    plotters::style::text_anchor::HPos::Center,
                    plotters::style::text_anchor::VPos::Top,
                )),
            )
    });
    chart.draw_series(tick_labels).map_err(err)?;
    for (i, band) in l.bands.iter().enumerate() {
        // The band in the colour of the line it goes with, light: the upper edge left to right,
        // then the lower edge back.
        let outline: Vec<(f64, f64)> = band
            .points
            .iter()
            .map(|(x, _, hi)| (*x, *hi))
            .chain(band.points.iter().rev().map(|(x, lo, _)| (*x, *lo)))
            .collect();
        let fill = color(i).mix(0.18).filled();
        if band.points.len() == 1 {
            let (x, lo, hi) = band.points[0];
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x - 0.3, lo), (x + 0.3, hi)],
                    fill,
                )))
                .map_err(err)?;
        } else {
            chart
                .draw_series(std::iter::once(Polygon::new(outline, fill)))
                .map_err(err)?;
        }
    }
    for (i, line) in l.lines.iter().enumerate() {
        let c = color(i);
        let style = c.stroke_width(s(2.0));
        if line.dashed {
            chart
                .draw_series(DashedLineSeries::new(
                    line.points.iter().copied(),
                    s(6.0),
                    s(4.0),
                    style,
                ))
                .map_err(err)?;
        } else {
            chart
                .draw_series(LineSeries::new(line.points.iter().copied(), style))
                .map_err(err)?;
            chart
                .draw_series(
                    line.points
                        .iter()
                        .map(|p| Circle::new(*p, s(3.0), c.filled())),
                )
                .map_err(err)?;
        }
    }
    let entries: Vec<(&str, Swatch)> = l
        .lines
        .iter()
        .enumerate()
        .map(|(i, line)| (line.label.as_str(), Swatch::Line(color(i))))
        .collect();
    legend(
        root,
        chart.plotting_area().get_pixel_range(),
        &entries,
        Corner::UpperLeft,
        dpr,
    )
}

/// How a series is shown in the legend.
#[derive(Clone, Copy)]
enum Swatch {
    /// A filled square (bars).
    Box(RGBColor),
    /// A short line (line plots).
    Line(RGBColor),
}

/// Which corner of the plotting area the legend sits in.
#[derive(Clone, Copy, PartialEq)]
enum Corner {
    UpperLeft,
    UpperRight,
}

/// The legend, drawn by hand in a corner of the plotting area (`plot`: its pixel ranges).
/// Plotters' own legend (`configure_series_labels`) measures its text with an inline-styled
/// `<span>`, which the Content-Security-Policy blocks; here text is measured by the backend
/// ([`MeasuredCanvas`]: the canvas's `measureText`).
fn legend(
    root: &Area,
    plot: (std::ops::Range<i32>, std::ops::Range<i32>),
    entries: &[(&str, Swatch)],
    corner: Corner,
    dpr: f64,
) -> Result<(), ChartError> {
    if entries.is_empty() {
        return Ok(());
    }
    let px = |v: f64| (v * dpr).round().max(1.0) as i32;
    let style = font(dpr, 11.0);
    let (margin, swatch, gap) = (px(6.0), px(14.0), px(6.0));
    let (mut text_w, mut line_h) = (0i32, px(16.0));
    for (label, _) in entries {
        let (w, h) = root.estimate_text_size(label, &style).map_err(err)?;
        text_w = text_w.max(i32::try_from(w).unwrap_or(i32::MAX / 4));
        line_h = line_h.max(i32::try_from(h).unwrap_or(0) + px(2.0));
    }
    let rows = i32::try_from(entries.len()).unwrap_or(i32::MAX / 4);
    let (box_w, box_h) = (
        margin * 2 + swatch + gap + text_w,
        margin * 2 + line_h * rows,
    );
    let (xs, ys) = plot;
    let x0 = match corner {
        Corner::UpperLeft => xs.start + margin,
        Corner::UpperRight => xs.end - margin - box_w,
    };
    let y0 = ys.start + margin;
    let corners = [(x0, y0), (x0 + box_w, y0 + box_h)];
    root.draw(&Rectangle::new(corners, WHITE.mix(0.85).filled()))
        .map_err(err)?;
    root.draw(&Rectangle::new(corners, BLACK.mix(0.3)))
        .map_err(err)?;
    let anchor = plotters::style::text_anchor::Pos::new(
        plotters::style::text_anchor::HPos::Left,
        plotters::style::text_anchor::VPos::Center,
    );
    for (row, (label, mark)) in (0i32..).zip(entries) {
        let (x, y) = (x0 + margin, y0 + margin + line_h * row + line_h / 2);
        match mark {
            Swatch::Box(c) => root.draw(&Rectangle::new(
                [(x, y - swatch / 2), (x + swatch, y + swatch / 2)],
                c.filled(),
            )),
            Swatch::Line(c) => root.draw(&PathElement::new(
                vec![(x, y), (x + swatch, y)],
                c.stroke_width(px(2.0).unsigned_abs()),
            )),
        }
        .map_err(err)?;
        root.draw(&Text::new(
            label.to_string(),
            (x + swatch + gap, y),
            style.clone().pos(anchor),
        ))
        .map_err(err)?;
    }
    Ok(())
}

fn graph(root: &Area, g: &Graph, dpr: f64) -> Result<(), ChartError> {
    let (w, h) = root.dim_in_pixel();
    let layout = if g.positions.len() == g.nodes.len() {
        g.positions.clone()
    } else {
        circle_layout(g.nodes.len())
    };
    let pos: Vec<(i32, i32)> = layout
        .into_iter()
        .map(|(x, y)| ((x * w as f64) as i32, (y * h as f64) as i32))
        .collect();
    let max_p = g.edges.iter().map(|e| e.2).fold(0.0, f64::max).max(1e-9);
    for (a, b, p, _) in &g.edges {
        let (Some(&pa), Some(&pb)) = (pos.get(*a), pos.get(*b)) else {
            continue;
        };
        if a == b {
            continue;
        }
        let width = (1.0 + 6.0 * p / max_p) * dpr;
        let style = RGBColor(0, 114, 178)
            .mix(0.25 + 0.6 * p / max_p)
            .stroke_width(width as u32);
        // Bend each direction to its own side so a→b and b→a do not overlap.
        let mid = ((pa.0 + pb.0) / 2, (pa.1 + pb.1) / 2);
        let (dx, dy) = ((pb.0 - pa.0) as f64, (pb.1 - pa.1) as f64);
        let len = (dx * dx + dy * dy).sqrt().max(1.0);
        let off = 10.0 * dpr;
        let bend = (
            mid.0 + (-dy / len * off) as i32,
            mid.1 + (dx / len * off) as i32,
        );
        root.draw(&PathElement::new(vec![pa, bend, pb], style))
            .map_err(err)?;
        // The arrow tip: a dot near the target.
        let tip = (
            pb.0 - (dx / len * 22.0 * dpr) as i32,
            pb.1 - (dy / len * 22.0 * dpr) as i32,
        );
        root.draw(&Circle::new(
            tip,
            (3.0 * dpr) as u32,
            RGBColor(0, 114, 178).filled(),
        ))
        .map_err(err)?;
    }
    for (i, name) in g.nodes.iter().enumerate() {
        let Some(&p) = pos.get(i) else { continue };
        let fill = match name.as_str() {
            "(conversion)" | "conversion" => RGBColor(0, 158, 115),
            "(null)" | "null" => RGBColor(160, 160, 160),
            "(start)" | "start" => RGBColor(90, 90, 90),
            _ => RGBColor(230, 159, 0),
        };
        root.draw(&Circle::new(p, (14.0 * dpr) as u32, fill.filled()))
            .map_err(err)?;
        root.draw(&Text::new(
            name.clone(),
            (p.0 + (16.0 * dpr) as i32, p.1 - (6.0 * dpr) as i32),
            font(dpr, 12.0),
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// A diverging colour for a factor: blue below 1 (less than usual), orange above (more),
/// white at 1; `strength` (0..=1) is |ln factor| against the largest in the map. Blue and
/// orange stay apart for every common colour-vision deficiency.
fn diverging(value: f64, strength: f64) -> RGBColor {
    let (r, g, b) = if value >= 1.0 {
        (230.0, 97.0, 1.0)
    } else {
        (33.0, 102.0, 172.0)
    };
    let t = strength.clamp(0.0, 1.0);
    let mix = |c: f64| (255.0 + (c - 255.0) * t).round() as u8;
    RGBColor(mix(r), mix(g), mix(b))
}

fn heat(root: &Area, h: &HeatMap, dpr: f64, s: &dyn Fn(f64) -> u32) -> Result<(), ChartError> {
    let (cols, rows) = (h.cols.len().max(1) as f64, h.rows.len().max(1) as f64);
    let mut chart = ChartBuilder::on(root)
        .margin(s(10.0))
        .margin_top(s(28.0))
        .x_label_area_size(s(28.0))
        .y_label_area_size(s(44.0))
        .build_cartesian_2d(0.0..cols, 0.0..rows)
        .map_err(err)?;
    let biggest = h
        .cells
        .iter()
        .map(|c| c.value.max(1e-9).ln().abs())
        .fold(0.0, f64::max)
        .max(1e-9);
    // Row 0 (Monday) at the top.
    let y = |row: usize| rows - 1.0 - row as f64;
    chart
        .draw_series(h.rows.iter().enumerate().flat_map(|(r, _)| {
            (0..h.cols.len()).map(move |c| {
                Rectangle::new(
                    [(c as f64, y(r)), (c as f64 + 1.0, y(r) + 1.0)],
                    GRID.mix(0.5).filled(),
                )
            })
        }))
        .map_err(err)?;
    chart
        .draw_series(h.cells.iter().map(|c| {
            let fill = diverging(c.value, c.value.max(1e-9).ln().abs() / biggest);
            Rectangle::new(
                [
                    (c.col as f64, y(c.row)),
                    (c.col as f64 + 1.0, y(c.row) + 1.0),
                ],
                fill.filled(),
            )
        }))
        .map_err(err)?;
    // White gaps between cells, and the best cell outlined.
    chart
        .draw_series(h.rows.iter().enumerate().flat_map(|(r, _)| {
            (0..h.cols.len()).map(move |c| {
                Rectangle::new(
                    [(c as f64, y(r)), (c as f64 + 1.0, y(r) + 1.0)],
                    WHITE.stroke_width(s(2.0)),
                )
            })
        }))
        .map_err(err)?;
    if let Some((r, c)) = h.best {
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [
                    (c as f64 + 0.04, y(r) + 0.04),
                    (c as f64 + 0.96, y(r) + 0.96),
                ],
                BLACK.stroke_width(s(3.0)),
            )))
            .map_err(err)?;
    }
    let centre = |hp, vp| font(dpr, 12.0).pos(plotters::style::text_anchor::Pos::new(hp, vp));
    use plotters::style::text_anchor::{HPos, VPos};
    chart
        .draw_series(h.cols.iter().enumerate().map(|(c, label)| {
            EmptyElement::at((c as f64 + 0.5, 0.0))
                + Text::new(
                    label.clone(),
                    (0, s(6.0) as i32),
                    centre(HPos::Center, VPos::Top),
                )
        }))
        .map_err(err)?;
    chart
        .draw_series(h.rows.iter().enumerate().map(|(r, label)| {
            EmptyElement::at((0.0, y(r) + 0.5))
                + Text::new(
                    label.clone(),
                    (-(s(6.0) as i32), 0),
                    centre(HPos::Right, VPos::Center),
                )
        }))
        .map_err(err)?;
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    root.draw(&Text::new(
        format!(
            "Orange: more {}; blue: less; outlined: the best time",
            h.value_label.trim_start_matches("× ")
        ),
        (xs.start, ys.start - s(20.0) as i32),
        font(dpr, 12.0),
    ))
    .map_err(err)?;
    Ok(())
}
