//! Rule-based models: first touch, last touch, linear, time-decay and position-based.
//!
//! Each converting journey's conversions and revenue are split over its touches by a weight
//! vector that sums to 1; a touch's share goes to its channel and, when it carries
//! `utm_content=cal-<id>`, to that calendar entry.
//!
//! - **First touch**: w₁ = 1.
//! - **Last touch**: wₙ = 1. With `last_non_direct`, the last touch whose channel is not direct
//!   (see [`is_direct`]) gets it, as in GA4's "last non-direct click"; an all-direct journey keeps
//!   its last touch.
//! - **Linear**: wᵢ = 1/n. Repeats count: `a > a > b` gives a ⅔ (ChannelAttribution and DP6 do
//!   the same; `mta` splits per unique channel instead).
//! - **Time-decay**: wᵢ ∝ 2^(−Δtᵢ/h), Δtᵢ the time from touch i to the conversion and h the
//!   half-life (default 7 days, Google's definition; DP6 uses 0.5^(hours/168), the same curve;
//!   PostHog uses window ÷ 4). Normalised per journey. 2^x is the pure-Rust `libm` crate's, so
//!   the weights are the same bits natively and in the browser.
//! - **Position-based** (U-shaped): one touch 100 %; two touches split first : last (50/50 by default); n ≥ 3 touches: first
//!   `position_first` (0.4), last `position_last` (0.4), the rest split equally over the n − 2
//!   middle touches (Google's, DP6's and PostHog's definition). Repeated channels collect each
//!   of their shares.
//!
//! Journeys with no touches cannot be credited and are skipped; the journey builder gives
//! touchless conversions a `(direct)` touch so that totals still match.

use super::{AttributionResult, CreditSheet, Details, Model, ModelParams};
use crate::journey::{Channels, JourneySet, Touch};

const SECS_PER_DAY: f64 = 86_400.0;

/// Whether a channel name means direct traffic (`direct`, `(direct)`, `Direct`, `(none)`).
pub fn is_direct(name: &str) -> bool {
    let n = name.trim().trim_start_matches('(').trim_end_matches(')');
    n.eq_ignore_ascii_case("direct") || n.eq_ignore_ascii_case("none")
}

/// Fill `out` with the weights of `model` for `touches`. Weights sum to 1 (none when empty).
pub fn weights(
    model: Model,
    touches: &[Touch],
    channels: &Channels,
    params: &ModelParams,
    out: &mut Vec<f64>,
) {
    let n = touches.len();
    out.clear();
    out.resize(n, 0.0);
    if n == 0 {
        return;
    }
    match model {
        Model::First => out[0] = 1.0,
        Model::Last => {
            let mut pick = n - 1;
            if params.last_non_direct {
                if let Some(i) = touches
                    .iter()
                    .rposition(|t| !is_direct(channels.name(t.channel)))
                {
                    pick = i;
                }
            }
            out[pick] = 1.0;
        }
        Model::Linear => out.iter_mut().for_each(|w| *w = 1.0 / n as f64),
        Model::TimeDecay => {
            let h = params.half_life_days * SECS_PER_DAY;
            let mut sum = 0.0;
            for (w, t) in out.iter_mut().zip(touches) {
                let age = if t.age_secs.is_finite() {
                    t.age_secs.max(0.0)
                } else {
                    0.0
                };
                *w = libm::exp2(-age / h);
                sum += *w;
            }
            if sum > 0.0 && sum.is_finite() {
                out.iter_mut().for_each(|w| *w /= sum);
            } else {
                out.iter_mut().for_each(|w| *w = 1.0 / n as f64);
            }
        }
        Model::Position => match n {
            1 => out[0] = 1.0,
            2 => {
                let (f, l) = (params.position_first, params.position_last);
                let first = if f + l > 0.0 { f / (f + l) } else { 0.5 };
                out[0] = first;
                out[1] = 1.0 - first;
            }
            _ => {
                let middle = (1.0 - params.position_first - params.position_last) / (n - 2) as f64;
                out.iter_mut().for_each(|w| *w = middle);
                out[0] = params.position_first;
                out[n - 1] = params.position_last;
                // Weights that do not reach 1 (first + last < 1 with no middle share lost) are
                // impossible here: n ≥ 3 always has a middle. Renormalise for rounding only.
                let sum: f64 = out.iter().sum();
                if sum > 0.0 {
                    out.iter_mut().for_each(|w| *w /= sum);
                }
            }
        },
        Model::Markov | Model::Shapley | Model::Logistic => {
            out.iter_mut().for_each(|w| *w = 1.0 / n as f64)
        }
    }
}

/// Run a rule-based model over every converting journey.
pub fn attribute(set: &JourneySet, model: Model, params: &ModelParams) -> AttributionResult {
    let mut sheet = CreditSheet::new(set.channels.len());
    let mut w = Vec::new();
    for j in set.iter() {
        if j.conversions == 0.0 || j.touches.is_empty() {
            continue;
        }
        weights(model, j.touches, &set.channels, params, &mut w);
        for (t, &wi) in j.touches.iter().zip(&w) {
            let (c, r) = (wi * j.conversions, wi * j.revenue);
            sheet.add_channel(t.channel, c, r);
            if let Some(e) = t.entry {
                sheet.add_entry(e, c, r);
            }
        }
    }
    sheet.finish(set, model, Details::None)
}
