//! `MeasuredCanvas`: plotters-canvas's backend with text measured by the canvas itself.
//!
//! Plotters lays out axis labels and legends by measuring text. Its default measure (the
//! `web` font backend) appends a `<span>` with a `style` attribute to the page and reads its
//! size; the Content-Security-Policy (`style-src 'self'`, no inline styles) blocks that attribute,
//! so every chart raised a violation and measured text in the wrong font. This wrapper answers
//! `estimate_text_size` with the 2D context's `measureText` in the very font the text is drawn
//! with, touching no DOM, and hands everything else to [`CanvasBackend`] unchanged.

use plotters::prelude::DrawingBackend;
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// The canvas refused to measure text (it has no 2D context or `measureText` threw).
#[derive(Debug, thiserror::Error)]
#[error("the canvas could not measure text: {0}")]
pub struct MeasureError(String);

/// A [`CanvasBackend`] whose text measure is the canvas's own `measureText`.
pub struct MeasuredCanvas {
    inner: CanvasBackend,
    context: CanvasRenderingContext2d,
}

impl MeasuredCanvas {
    /// The backend for `canvas`; `None` when the browser gives no 2D context.
    pub fn new(canvas: &HtmlCanvasElement) -> Option<Self> {
        let context = canvas
            .get_context("2d")
            .ok()
            .flatten()?
            .dyn_into::<CanvasRenderingContext2d>()
            .ok()?;
        let inner = CanvasBackend::with_canvas_object(canvas.clone())?;
        Some(Self { inner, context })
    }
}

type BackendResult<T = ()> =
    Result<T, DrawingErrorKind<<CanvasBackend as DrawingBackend>::ErrorType>>;

fn measure_failed(
    e: &wasm_bindgen::JsValue,
) -> DrawingErrorKind<<CanvasBackend as DrawingBackend>::ErrorType> {
    DrawingErrorKind::FontError(Box::new(MeasureError(format!("{e:?}"))))
}

impl DrawingBackend for MeasuredCanvas {
    type ErrorType = <CanvasBackend as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> BackendResult {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> BackendResult {
        self.inner.present()
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> BackendResult {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> BackendResult {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> BackendResult {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> BackendResult {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> BackendResult {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> BackendResult {
        self.inner.fill_polygon(vert, style)
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> BackendResult {
        self.inner.draw_text(text, style, pos)
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> BackendResult<(u32, u32)> {
        // The same font string plotters-canvas draws with.
        let font = format!(
            "{} {}px {}",
            style.style().as_str(),
            style.size(),
            style.family().as_str()
        );
        self.context.save();
        self.context.set_font(&font);
        let metrics = self.context.measure_text(text);
        self.context.restore();
        let metrics = metrics.map_err(|e| measure_failed(&e))?;
        let height = metrics.font_bounding_box_ascent() + metrics.font_bounding_box_descent();
        let height = if height.is_finite() && height > 0.0 {
            height
        } else {
            style.size()
        };
        Ok((metrics.width().ceil().max(0.0) as u32, height.ceil() as u32))
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        (iw, ih): (u32, u32),
        src: &[u8],
    ) -> BackendResult {
        self.inner.blit_bitmap(pos, (iw, ih), src)
    }
}
