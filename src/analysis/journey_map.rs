//! The journey map (`#/journeys`): real journeys of the analysed data as timelines, each touch's
//! credit under the data-driven model and under any chosen model, filters, and the channel graph
//! (the engine's [`refleqt_engine::journey_graph`]).
//!
//! # What travels from the worker
//!
//! A data set can hold a million journeys; the page gets a *sample* of at most [`SAMPLE`]
//! journeys drawn evenly through the data (every k-th), topped up so that every channel appears
//! in at least [`PER_CHANNEL`] of them when the data has that many, plus what the credit needs:
//! the Shapley shares of each sampled journey's channel set, the logistic fit when that model is
//! active, and the Markov removal effects. Filtering and paging run on the sample in the page
//! (instant); the page says it is a sample and of how many journeys.
//!
//! # A touch's credit
//!
//! A converting journey's conversions are split over its touches:
//!
//! - **First, last, linear, time-decay, position-based**: the engine's per-journey weights
//!   ([`refleqt_engine::models::heuristic::weights`]), exactly as the models credit.
//! - **Shapley** (the data-driven default): the journey's set C of distinct channels gets the
//!   exact Shapley values φᵢ(C) of the conversion-rate game, each channel the share
//!   φᵢ(C) / Σⱼ φⱼ(C) — the same shares the model sums over journeys (Zhao et al. 2018).
//! - **Data-driven (logistic)**: the Shapley values of the fitted probability
//!   p(S) = σ(β₀ + Σ β) over C, shares φᵢ / Σ φ, as the model sums them (Shao & Li 2011).
//! - **Markov**: the model has no per-journey credit (its credit is global); the map shows the
//!   usual per-journey reading, each channel of C the share RE_c / Σ_{c'∈C} RE_c' of its
//!   removal effect.
//!
//! A channel's share is split equally over its touches in the journey (as the engine splits a
//! channel's credit over calendar entries by touches). When the shares are not positive and
//! finite, the journey is split equally over its touches. Non-converting journeys get no credit.

use refleqt_engine::journey::Channels;
use refleqt_engine::journey_graph::{from_markov, ChannelGraph, PathSearch};
use refleqt_engine::models::markov::MarkovDetails;
use refleqt_engine::models::{heuristic, logistic, shapley, Model, ModelParams};
use refleqt_engine::{ChannelId, EntryId, JourneySet, PathAggregate, Touch};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// At most this many journeys travel to the page (before the per-channel top-up).
pub const SAMPLE: usize = 1_500;
/// The sample holds at least this many journeys with each channel, when the data has them.
pub const PER_CHANNEL: usize = 30;
/// Journeys per page of the list.
pub const PAGE: usize = 10;
const DAY_SECS: f64 = 86_400.0;

/// One touch of a sampled journey.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapTouch {
    pub channel: ChannelId,
    /// Day of the journey, 1 = the day of its first touch; `None` without timestamps.
    pub day: Option<u32>,
    /// Days from this touch to the journey's end (for time-decay); `None` without timestamps.
    pub age_days: Option<f64>,
    pub entry: Option<EntryId>,
}

/// One sampled journey.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapJourney {
    /// Its position in the analysed data (1-based, as shown).
    pub number: usize,
    pub touches: Vec<MapTouch>,
    pub conversions: f64,
    pub revenue: f64,
    /// The day of the conversion (or of the last touch), 1-based; `None` without timestamps.
    pub end_day: Option<u32>,
}

impl MapJourney {
    pub fn converted(&self) -> bool {
        self.conversions > 0.0
    }

    /// The distinct channels, ascending.
    pub fn channel_set(&self) -> Vec<ChannelId> {
        self.touches
            .iter()
            .map(|t| t.channel)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    }
}

/// What the journey map shows.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct JourneyMap {
    pub channels: Vec<String>,
    /// Journeys in the analysed data.
    pub total: usize,
    pub journeys: Vec<MapJourney>,
    /// Shapley shares per channel set (ascending ids) seen in the sample.
    pub shapley: Vec<(Vec<ChannelId>, Vec<f64>)>,
    /// The logistic fit (intercept, β by channel id) when that model is active.
    pub logistic: Option<(f64, Vec<f64>)>,
    /// The Markov model's removal effect per channel id.
    pub removal_effects: Vec<f64>,
    /// The order-1 channel graph: groups, layers, most probable paths.
    pub graph: ChannelGraph,
}

/// The sampled indices: evenly spaced, topped up per channel; ascending.
fn sample_indices(set: &JourneySet) -> Vec<usize> {
    let n = set.len();
    let step = n.div_ceil(SAMPLE).max(1);
    let mut picked: BTreeSet<usize> = (0..n).step_by(step).collect();
    let mut count = vec![0usize; set.channels.len()];
    for &i in &picked {
        if let Some(j) = set.get(i) {
            for c in j.touches.iter().map(|t| t.channel).collect::<BTreeSet<_>>() {
                if let Some(x) = count.get_mut(c as usize) {
                    *x += 1;
                }
            }
        }
    }
    if count.iter().any(|&c| c < PER_CHANNEL) {
        for (i, j) in set.iter().enumerate() {
            if !count.iter().any(|&c| c < PER_CHANNEL) {
                break;
            }
            let chans: BTreeSet<ChannelId> = j.touches.iter().map(|t| t.channel).collect();
            let wanted = chans
                .iter()
                .any(|&c| count.get(c as usize).is_some_and(|&x| x < PER_CHANNEL));
            if wanted && picked.insert(i) {
                for c in chans {
                    if let Some(x) = count.get_mut(c as usize) {
                        *x += 1;
                    }
                }
            }
        }
    }
    picked.into_iter().collect()
}

/// The journey map of `set` (the analysed journeys, `agg` their aggregate): `logistic_active`
/// when the report ran the logistic model, `markov` the report's Markov fit (any order) and
/// `chain` the order-1 chain of the graph (also the removal effects when `markov` is `None`).
pub fn build(
    set: &JourneySet,
    agg: &PathAggregate,
    logistic_active: bool,
    markov: Option<&MarkovDetails>,
    chain: Option<&MarkovDetails>,
) -> JourneyMap {
    let journeys: Vec<MapJourney> = sample_indices(set)
        .into_iter()
        .filter_map(|i| {
            let j = set.get(i)?;
            let first_age = j.touches.first().map(|t| t.age_secs)?;
            let timed = first_age.is_finite();
            let day_of = |age: f64| ((first_age - age).max(0.0) / DAY_SECS).floor() as u32 + 1;
            Some(MapJourney {
                number: i + 1,
                touches: j
                    .touches
                    .iter()
                    .map(|t| MapTouch {
                        channel: t.channel,
                        day: (timed && t.age_secs.is_finite()).then(|| day_of(t.age_secs)),
                        age_days: t.age_secs.is_finite().then(|| t.age_secs / DAY_SECS),
                        entry: t.entry,
                    })
                    .collect(),
                conversions: j.conversions,
                revenue: j.revenue,
                end_day: timed.then(|| day_of(0.0)),
            })
        })
        .collect();
    let sets: BTreeSet<Vec<ChannelId>> = journeys
        .iter()
        .filter(|j| j.converted())
        .map(MapJourney::channel_set)
        .collect();
    let shapley = shapley::coalitions(agg)
        .into_iter()
        .filter(|c| sets.contains(&c.channels))
        .map(|c| {
            let total: f64 = c.phi.iter().sum();
            let n = c.phi.len().max(1) as f64;
            // Σφ = v(C) > 0 for a coalition; anything else is split equally (and never NaN,
            // which JSON cannot carry to the page).
            let ok = total > 1e-12 && total.is_finite() && c.phi.iter().all(|p| p.is_finite());
            let shares = c
                .phi
                .iter()
                .map(|p| if ok { p / total } else { 1.0 / n })
                .collect();
            (c.channels, shares)
        })
        .collect();
    let logistic = logistic_active.then(|| {
        let fit = logistic::fit(agg);
        (fit.intercept, fit.coefficients)
    });
    let removal_effects = markov
        .or(chain)
        .map(|d| d.removal_effects.clone())
        .unwrap_or_default();
    let graph = chain
        .and_then(|d| from_markov(d, PathSearch::default()).ok())
        .unwrap_or_default();
    JourneyMap {
        channels: set.channels.names().to_vec(),
        total: set.len(),
        journeys,
        shapley,
        logistic,
        removal_effects,
        graph,
    }
}

impl JourneyMap {
    /// The data-driven model of the map: the logistic model when active, else Shapley.
    pub fn data_driven(&self) -> Model {
        if self.logistic.is_some() {
            Model::Logistic
        } else {
            Model::Shapley
        }
    }

    pub fn channel_name(&self, c: ChannelId) -> &str {
        self.channels.get(c as usize).map_or("?", String::as_str)
    }

    /// Each touch's credited conversions under `model` (see the module docs); `None` when the
    /// journey did not convert or the model is not active on this data.
    pub fn touch_credit(
        &self,
        j: &MapJourney,
        model: Model,
        params: &ModelParams,
    ) -> Option<Vec<f64>> {
        if !j.converted() || j.touches.is_empty() {
            return None;
        }

        let weights = match model {
            Model::First | Model::Last | Model::Linear | Model::TimeDecay | Model::Position => {
                let mut channels = Channels::new();
                for name in &self.channels {
                    channels.intern(name);
                }
                let touches: Vec<Touch> = j
                    .touches
                    .iter()
                    .map(|t| Touch {
                        channel: t.channel,
                        entry: t.entry,
                        age_secs: t.age_days.map_or(f64::NAN, |d| d * DAY_SECS),
                    })
                    .collect();
                let mut w = Vec::new();
                heuristic::weights(model, &touches, &channels, params, &mut w);
                w
            }
            Model::Shapley | Model::Logistic | Model::Markov => {
                let set = j.channel_set();
                let shares: Vec<f64> = match model {
                    Model::Shapley => self
                        .shapley
                        .iter()
                        .find(|(s, _)| *s == set)
                        .map(|(_, v)| v.clone())?,
                    Model::Logistic => {
                        let (b0, betas) = self.logistic.as_ref()?;
                        let b: Vec<f64> = set
                            .iter()
                            .map(|&c| betas.get(c as usize).copied().unwrap_or(0.0))
                            .collect();
                        logistic::shapley_values(*b0, &b)
                    }
                    _ => set
                        .iter()
                        .map(|&c| self.removal_effects.get(c as usize).copied().unwrap_or(0.0))
                        .collect(),
                };
                spread(j, &set, &shares)
            }
        };
        Some(weights.into_iter().map(|w| w * j.conversions).collect())
    }

    /// The sampled journeys that pass `filter`, in order (indices into `journeys`).
    pub fn filtered(&self, filter: &Filter) -> Vec<usize> {
        let needle = filter.search.trim().to_lowercase();
        self.journeys
            .iter()
            .enumerate()
            .filter(|(_, j)| {
                let outcome_ok = match filter.outcome {
                    OutcomeFilter::Any => true,
                    OutcomeFilter::Converted => j.converted(),
                    OutcomeFilter::NotConverted => !j.converted(),
                };
                let len = j.touches.len();
                let len_ok = filter.min_touches.is_none_or(|m| len >= m)
                    && filter.max_touches.is_none_or(|m| len <= m);
                let channel_ok = filter
                    .channel
                    .is_none_or(|c| j.touches.iter().any(|t| t.channel == c));
                let search_ok =
                    needle.is_empty() || self.path_text(j).to_lowercase().contains(&needle);
                outcome_ok && len_ok && channel_ok && search_ok
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// The journey's channels as "email → search → display".
    pub fn path_text(&self, j: &MapJourney) -> String {
        j.touches
            .iter()
            .map(|t| self.channel_name(t.channel))
            .collect::<Vec<_>>()
            .join(" → ")
    }
}

/// Per-channel shares (over `set`) → per-touch weights summing to 1.
fn spread(j: &MapJourney, set: &[ChannelId], shares: &[f64]) -> Vec<f64> {
    let n = j.touches.len();
    let total: f64 = shares.iter().sum();
    if !(total > 1e-12 && total.is_finite()) || shares.len() != set.len() {
        return vec![1.0 / n as f64; n];
    }
    let mut touches_of: BTreeMap<ChannelId, usize> = BTreeMap::new();
    for t in &j.touches {
        *touches_of.entry(t.channel).or_default() += 1;
    }
    j.touches
        .iter()
        .map(|t| {
            let k = set.iter().position(|&c| c == t.channel);
            let share = k.and_then(|k| shares.get(k)).copied().unwrap_or(0.0) / total;
            share / touches_of.get(&t.channel).copied().unwrap_or(1) as f64
        })
        .collect()
}

/// Which journeys to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutcomeFilter {
    #[default]
    Any,
    Converted,
    NotConverted,
}

/// The list's filters.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Filter {
    pub channel: Option<ChannelId>,
    pub min_touches: Option<usize>,
    pub max_touches: Option<usize>,
    pub outcome: OutcomeFilter,
    /// Text found in the path ("email → search").
    pub search: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{compute, load_demo, RunOptions};

    fn demo_map() -> JourneyMap {
        let loaded = load_demo().unwrap_or_else(|e| panic!("{e}"));
        compute(&loaded, &RunOptions::default(), &Default::default(), 0)
            .unwrap_or_else(|e| panic!("{e}"))
            .journey_map
    }

    #[test]
    fn touch_credit_sums_to_the_journey_conversions_under_every_model() {
        let map = demo_map();
        assert!(map.total > map.journeys.len());
        assert!(map.journeys.len() >= SAMPLE / 2);
        let params = ModelParams::default();
        let converted: Vec<&MapJourney> = map.journeys.iter().filter(|j| j.converted()).collect();
        assert!(!converted.is_empty());
        for j in converted.iter().take(200) {
            for m in [
                Model::First,
                Model::Last,
                Model::Linear,
                Model::TimeDecay,
                Model::Position,
                Model::Markov,
                Model::Shapley,
            ] {
                let c = map
                    .touch_credit(j, m, &params)
                    .unwrap_or_else(|| panic!("{m:?} gives no credit for {j:?}"));
                assert_eq!(c.len(), j.touches.len());
                let sum: f64 = c.iter().sum();
                assert!((sum - j.conversions).abs() < 1e-9, "{m:?}: {sum}");
            }
            let first = map
                .touch_credit(j, Model::First, &params)
                .unwrap_or_default();
            assert_eq!(first[0], j.conversions);
        }
        let not = map.journeys.iter().find(|j| !j.converted());
        assert!(not.is_some_and(|j| map.touch_credit(j, Model::Shapley, &params).is_none()));
    }

    #[test]
    fn the_map_survives_the_trip_from_the_worker() {
        let map = demo_map();
        let text = serde_json::to_string(&map).unwrap_or_else(|e| panic!("{e}"));
        let back: JourneyMap = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, map);
        assert!(!map.graph.paths.is_empty() && !map.removal_effects.is_empty());
    }

    #[test]
    fn days_start_at_one_and_never_go_back() {
        let map = demo_map();
        for j in &map.journeys {
            let days: Vec<u32> = j.touches.iter().filter_map(|t| t.day).collect();
            assert_eq!(days.len(), j.touches.len(), "the demo has timestamps");
            assert_eq!(days[0], 1);
            assert!(days.windows(2).all(|w| w[0] <= w[1]), "{days:?}");
            assert!(j.end_day.is_some_and(|e| e >= *days.last().unwrap_or(&1)));
        }
    }

    #[test]
    fn the_sample_holds_every_channel_and_filters_narrow_it() {
        let map = demo_map();
        for c in 0..map.channels.len() as ChannelId {
            let f = Filter {
                channel: Some(c),
                ..Filter::default()
            };
            let hits = map.filtered(&f);
            assert!(hits.len() >= PER_CHANNEL.min(map.total), "channel {c}");
            assert!(hits
                .iter()
                .all(|&i| map.journeys[i].touches.iter().any(|t| t.channel == c)));
        }
        let all = map.filtered(&Filter::default()).len();
        assert_eq!(all, map.journeys.len());
        let converted = map.filtered(&Filter {
            outcome: OutcomeFilter::Converted,
            ..Filter::default()
        });
        let not = map.filtered(&Filter {
            outcome: OutcomeFilter::NotConverted,
            ..Filter::default()
        });
        assert_eq!(converted.len() + not.len(), all);
        let long = map.filtered(&Filter {
            min_touches: Some(3),
            max_touches: Some(4),
            ..Filter::default()
        });
        assert!(long.len() < all);
        assert!(long
            .iter()
            .all(|&i| (3..=4).contains(&map.journeys[i].touches.len())));
        let name = map.channels[0].to_uppercase();
        let found = map.filtered(&Filter {
            search: name,
            ..Filter::default()
        });
        assert!(!found.is_empty() && found.len() < all);
    }

    #[test]
    fn shapley_shares_by_hand() {
        // Paths: a (conv 1, null 1) → v(a) = ½; a,b (conv 1) → v(ab) = 1; b (null 1) → v(b) = 0.
        // φ_a(ab) = ½(v(a) − 0) + ½(v(ab) − v(b)) = ¾, φ_b = ¼.
        let mut channels = Channels::new();
        let a = channels.intern("a");
        let b = channels.intern("b");
        let mut set = JourneySet::new(channels, false);
        set.push(&[Touch::new(a)], 1.0, 10.0, 0.0, None);
        set.push(&[Touch::new(a)], 0.0, 0.0, 1.0, None);
        set.push(
            &[Touch::new(a), Touch::new(b), Touch::new(a)],
            1.0,
            10.0,
            0.0,
            None,
        );
        set.push(&[Touch::new(b)], 0.0, 0.0, 1.0, None);
        let map = build(&set, &PathAggregate::from_set(&set), false, None, None);
        let j = &map.journeys[2];
        let c = map
            .touch_credit(j, Model::Shapley, &ModelParams::default())
            .unwrap_or_default();
        // a's ¾ over its two touches.
        assert_eq!(c.len(), 3);
        assert!((c[0] - 0.375).abs() < 1e-12 && (c[2] - 0.375).abs() < 1e-12);
        assert!((c[1] - 0.25).abs() < 1e-12);
        assert!(j.end_day.is_none() && j.touches[0].day.is_none());
        assert_eq!(map.data_driven(), Model::Shapley);
    }
}
