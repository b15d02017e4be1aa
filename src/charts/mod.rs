//! Charts: results turned into series ([`series`], pure and natively tested) and drawn on a
//! `<canvas>` with plotters ([`draw`], thin, on [`backend::MeasuredCanvas`], which measures text
//! without touching the DOM so the Content-Security-Policy has nothing to block). The `Chart`
//! component (`components::chart`) adds the device-pixel-ratio sizing, redraw on resize, the
//! "show as table" toggle and the PNG download. [`palette`] is the one colour-blind-safe palette
//! of every chart, swatch and calendar chip. [`heat`]: the Insights page's heat map and cluster
//! bars.

pub mod backend;
pub mod draw;
pub mod heat;
pub mod palette;
pub mod series;

pub use series::ChartSpec;
