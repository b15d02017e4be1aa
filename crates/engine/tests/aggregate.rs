//! The distinct-path aggregate and the shared multi-model run agree with naive computations.

use proptest::prelude::*;
use refleqt_engine::models::{attribute, attribute_all, Model, ModelParams};
use refleqt_engine::{Channels, JourneySet, PathAggregate, Touch};
use std::collections::BTreeMap;

fn build(rows: &[(Vec<u8>, bool)]) -> JourneySet {
    let mut channels = Channels::new();
    for c in 0..8 {
        channels.intern(&format!("ch{c}"));
    }
    let mut s = JourneySet::new(channels, true);
    for (i, (path, conv)) in rows.iter().enumerate() {
        let t: Vec<Touch> = path
            .iter()
            .enumerate()
            .map(|(k, &c)| Touch {
                channel: u32::from(c),
                entry: Some(u64::from(c) * 10 + (i % 3) as u64),
                age_secs: (path.len() - k) as f64 * 3600.0,
            })
            .collect();
        let (c, r, n) = if *conv {
            (1.0, 10.0 + i as f64, 0.0)
        } else {
            (0.0, 0.0, 1.0)
        };
        s.push(&t, c, r, n, Some(i as i64));
    }
    s
}

fn rows() -> impl Strategy<Value = Vec<(Vec<u8>, bool)>> {
    prop::collection::vec((prop::collection::vec(0u8..8, 0..6), any::<bool>()), 0..80)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn aggregate_matches_a_naive_grouping(rows in rows()) {
        let set = build(&rows);
        let (agg, of_journey) = PathAggregate::from_set_indexed(&set);
        let mut naive: BTreeMap<Vec<u32>, (f64, f64, f64)> = BTreeMap::new();
        for j in set.iter().filter(|j| !j.touches.is_empty()) {
            let e = naive.entry(j.touches.iter().map(|t| t.channel).collect()).or_default();
            e.0 += j.conversions;
            e.1 += j.revenue;
            e.2 += j.nulls;
        }
        prop_assert_eq!(agg.paths.len(), naive.len());
        for p in &agg.paths {
            let want = naive.get(&p.channels).copied().unwrap_or_default();
            prop_assert_eq!((p.conversions, p.revenue, p.nulls), want);
        }
        for (j, row) in set.iter().zip(&of_journey) {
            match row {
                None => prop_assert!(j.touches.is_empty()),
                Some(r) => {
                    let channels: Vec<u32> = j.touches.iter().map(|t| t.channel).collect();
                    prop_assert_eq!(&agg.paths[*r as usize].channels, &channels);
                }
            }
        }
    }

    #[test]
    fn attribute_all_equals_each_model_alone(rows in rows(), order in 1u8..=4) {
        let set = build(&rows);
        let params = ModelParams { markov_order: order, ..Default::default() };
        for (m, shared) in attribute_all(&set, &Model::ALL, &params) {
            let alone = attribute(&set, m, &params);
            prop_assert_eq!(shared, alone, "{:?}", m);
        }
    }
}
