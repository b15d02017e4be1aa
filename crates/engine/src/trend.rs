//! Time-series helpers for dashboards: least-squares trend lines and predicted-vs-actual errors.
//!
//! - **Trend**: ordinary least squares y = a + b·x over the finite points (Gauss/Legendre; any
//!   statistics text), with R² = 1 − SS_res / SS_tot (1 when every y is equal and fitted).
//! - **Prediction error**: (actual − predicted) / predicted; flagged when |error| exceeds the
//!   threshold (25 % by default, the rule). A prediction of 0 has no relative error.
//! - **Accuracy** of a set of predictions: 1 − mean |relative error| (MAPE), floored at 0.

use serde::{Deserialize, Serialize};

/// A fitted line.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Trend {
    pub intercept: f64,
    pub slope: f64,
    pub r_squared: f64,
    pub points: usize,
}

impl Trend {
    pub fn at(&self, x: f64) -> f64 {
        self.intercept + self.slope * x
    }
}

/// Least-squares line through the finite `(x, y)` points; `None` with fewer than two distinct x.
pub fn fit(points: &[(f64, f64)]) -> Option<Trend> {
    let pts: Vec<(f64, f64)> = points
        .iter()
        .copied()
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .collect();
    let n = pts.len() as f64;
    if pts.len() < 2 {
        return None;
    }
    let mx = pts.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pts.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = pts.iter().map(|p| (p.0 - mx) * (p.0 - mx)).sum();
    let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    if sxx <= 0.0 {
        return None;
    }
    let slope = sxy / sxx;
    let intercept = my - slope * mx;
    let ss_tot: f64 = pts.iter().map(|p| (p.1 - my) * (p.1 - my)).sum();
    let ss_res: f64 = pts
        .iter()
        .map(|p| {
            let e = p.1 - (intercept + slope * p.0);
            e * e
        })
        .sum();
    let r_squared = if ss_tot > 0.0 {
        1.0 - ss_res / ss_tot
    } else {
        1.0
    };
    Some(Trend {
        intercept,
        slope,
        r_squared,
        points: pts.len(),
    })
}

/// The threshold for highlighting a prediction error: 25 %.
pub const ERROR_THRESHOLD: f64 = 0.25;

/// How far an actual value landed from its prediction.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PredictionError {
    pub predicted: f64,
    pub actual: f64,
    /// (actual − predicted) / predicted; `None` when the prediction is 0 or not finite.
    pub relative: Option<f64>,
    /// |relative| > the threshold.
    pub flagged: bool,
}

pub fn prediction_error(predicted: f64, actual: f64, threshold: f64) -> PredictionError {
    let relative = (predicted.is_finite() && actual.is_finite() && predicted != 0.0)
        .then(|| (actual - predicted) / predicted.abs());
    PredictionError {
        predicted,
        actual,
        relative,
        flagged: relative.is_some_and(|r| r.abs() > threshold),
    }
}

/// 1 − mean |relative error| over the predictions that have one, floored at 0; `None` if none.
pub fn accuracy(errors: &[PredictionError]) -> Option<f64> {
    let rel: Vec<f64> = errors.iter().filter_map(|e| e.relative).collect();
    if rel.is_empty() {
        return None;
    }
    let mape = rel.iter().map(|r| r.abs()).sum::<f64>() / rel.len() as f64;
    Some((1.0 - mape).max(0.0))
}
