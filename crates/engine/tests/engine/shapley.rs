//! Shapley model: hand-computed fixtures, brute force over all subsets, the axioms per
//! coalition, and totals.

use proptest::prelude::*;
use refleqt_engine::models::shapley::{
    self, channel_credit, coalitions, shapley_from_seen, try_channel_credit, ShapleyError,
};
use refleqt_engine::models::{attribute, Model, ModelParams};
use refleqt_engine::{ChannelId, Channels, JourneySet, PathAggregate, PathStat, Touch};
use std::collections::BTreeMap;

const EPS: f64 = 1e-12;

#[track_caller]
fn assert_close(a: f64, b: f64, tol: f64) {
    assert!(
        (a - b).abs() <= tol * (1.0 + a.abs().max(b.abs())),
        "{a} != {b} (tol {tol})"
    );
}

/// (path, conversions, revenue, nulls)
fn agg(channel_count: usize, rows: &[(&[ChannelId], f64, f64, f64)]) -> PathAggregate {
    PathAggregate {
        channel_count,
        paths: rows
            .iter()
            .map(|&(p, c, r, n)| PathStat {
                channels: p.to_vec(),
                conversions: c,
                revenue: r,
                nulls: n,
                journeys: c + n,
            })
            .collect(),
    }
}

const A: ChannelId = 0;
const B: ChannelId = 1;
const C: ChannelId = 2;

/// v(a) = 1/4 (1 conv, 3 nulls, revenue 10), v(b) = 1/2 (1, 1, revenue 20),
/// v(ab) = 3/4 (3, 1, revenue 60).
/// {a}: a gets its 1 conversion; {b}: b gets 1.
/// {a,b}: φ_a = ½ v(a) + ½ (v(ab) − v(b)) = ⅛ + ⅛ = ¼, φ_b = ½ · ½ + ½ (¾ − ¼) = ½; Σ = ¾.
///   Scaled to 3 conversions: a 1, b 2; to revenue 60: a 20, b 40.
/// Totals: a 2 conv / 30 revenue, b 3 / 60.
#[test]
fn two_channels_by_hand() {
    let data = agg(
        2,
        &[
            (&[A], 1.0, 10.0, 3.0),
            (&[B], 1.0, 20.0, 1.0),
            (&[A, B], 2.0, 40.0, 0.0),
            // Same set {a, b}, other order and a repeat: merged by set.
            (&[B, A, B], 1.0, 20.0, 1.0),
        ],
    );
    let (conv, rev) = channel_credit(&data);
    assert_close(conv[A as usize], 2.0, EPS);
    assert_close(conv[B as usize], 3.0, EPS);
    assert_close(rev[A as usize], 30.0, EPS);
    assert_close(rev[B as usize], 60.0, EPS);
    let co = coalitions(&data);
    let ab = co.iter().find(|c| c.channels == [A, B]).expect("{a, b}");
    assert_close(ab.worth, 0.75, EPS);
    assert_close(ab.phi[0], 0.25, EPS);
    assert_close(ab.phi[1], 0.5, EPS);
}

/// Seen sets (conversions, nulls): a (1, 9) v = 0.1; b (1, 4) v = 0.2; ab (1, 1) v = 0.5;
/// ac (3, 7) v = 0.3; abc (3, 2) v = 0.6; c and bc unseen (v = 0).
/// {a,b,c}, n = 3, weights w(0) = ⅓, w(1) = ⅙, w(2) = ⅓:
///   φ_a = ⅓·0.1 + ⅙(0.5 − 0.2) + ⅙(0.3 − 0) + ⅓(0.6 − 0) = 1/30 + 1/20 + 1/20 + 1/5 = 1/3
///   φ_b = ⅓·0.2 + ⅙(0.5 − 0.1) + ⅙(0 − 0) + ⅓(0.6 − 0.3) = 1/15 + 1/15 + 1/10 = 7/30
///   φ_c = ⅓·0 + ⅙(0.3 − 0.1) + ⅙(0 − 0.2) + ⅓(0.6 − 0.5) = 1/30 − 1/30 + 1/30 = 1/30
///   Σ = 18/30 = 0.6 = v(abc). Scaled to 3 conversions: a 5/3, b 7/6, c 1/6.
/// {a,b}: φ_a = ½·0.1 + ½(0.5 − 0.2) = 0.2, φ_b = ½·0.2 + ½(0.5 − 0.1) = 0.3 → a 0.4, b 0.6.
/// {a,c}: φ_a = ½·0.1 + ½·0.3 = 0.2, φ_c = ½·0 + ½(0.3 − 0.1) = 0.1 → a 2, c 1.
/// {a}: a 1. {b}: b 1.
/// Totals: a = 1 + 0.4 + 2 + 5/3 = 76/15, b = 1 + 0.6 + 7/6 = 83/30, c = 1 + 1/6 = 7/6 (Σ 9).
#[test]
fn three_channels_by_hand() {
    let data = agg(
        3,
        &[
            (&[A], 1.0, 0.0, 9.0),
            (&[B], 1.0, 0.0, 4.0),
            (&[A, B], 1.0, 0.0, 1.0),
            (&[C, A], 3.0, 0.0, 7.0),
            (&[B, C, A], 3.0, 0.0, 2.0),
        ],
    );
    let co = coalitions(&data);
    assert_eq!(co.len(), 5);
    let abc = co
        .iter()
        .find(|c| c.channels == [A, B, C])
        .expect("{a,b,c}");
    assert_close(abc.phi[0], 1.0 / 3.0, EPS);
    assert_close(abc.phi[1], 7.0 / 30.0, EPS);
    assert_close(abc.phi[2], 1.0 / 30.0, EPS);
    let (conv, _) = channel_credit(&data);
    assert_close(conv[A as usize], 76.0 / 15.0, EPS);
    assert_close(conv[B as usize], 83.0 / 30.0, EPS);
    assert_close(conv[C as usize], 7.0 / 6.0, EPS);
    // The stand-alone game API gives the same φ for {a,b,c}.
    let worths = vec![
        (vec![A], 0.1),
        (vec![B], 0.2),
        (vec![A, B], 0.5),
        (vec![A, C], 0.3),
        (vec![A, B, C], 0.6),
    ];
    let phi = shapley_from_seen(&[C, A, B], &worths);
    assert_close(phi[0], 1.0 / 30.0, EPS);
    assert_close(phi[1], 1.0 / 3.0, EPS);
    assert_close(phi[2], 7.0 / 30.0, EPS);
}

/// All-subsets reference: φᵢ = Σ_{S ⊆ N∖{i}} |S|!(n−|S|−1)!/n! (v(S ∪ i) − v(S)).
fn brute_force(n: usize, v: &dyn Fn(u32) -> f64) -> Vec<f64> {
    let fact = |k: usize| (1..=k).map(|x| x as f64).product::<f64>();
    (0..n)
        .map(|i| {
            let mut phi = 0.0;
            for s in 0u32..(1 << n) {
                if s & (1 << i) != 0 {
                    continue;
                }
                let k = s.count_ones() as usize;
                let w = fact(k) * fact(n - k - 1) / fact(n);
                phi += w * (v(s | (1 << i)) - v(s));
            }
            phi
        })
        .collect()
}

fn mask_of(channels: &[ChannelId]) -> u32 {
    channels.iter().fold(0, |m, &c| m | (1 << c))
}

/// Random aggregates over `n` channels with integer weights.
fn random_agg(n: u32) -> impl Strategy<Value = PathAggregate> {
    prop::collection::vec(
        (
            prop::collection::vec(0u32..n, 1..7),
            0u32..5,
            0u32..100,
            0u32..5,
        ),
        1..60,
    )
    .prop_map(move |rows| PathAggregate {
        channel_count: n as usize,
        paths: rows
            .into_iter()
            .map(|(p, c, r, nl)| PathStat {
                channels: p,
                conversions: c as f64,
                revenue: if c > 0 { r as f64 } else { 0.0 },
                nulls: nl as f64,
                journeys: (c + nl) as f64,
            })
            .collect(),
    })
}

/// v(S) = conv_S / (conv_S + nulls_S) by exact channel set, as a mask → worth map.
fn worth_table(data: &PathAggregate) -> BTreeMap<u32, f64> {
    let mut sums: BTreeMap<u32, (f64, f64)> = BTreeMap::new();
    for p in &data.paths {
        let e = sums.entry(mask_of(&p.channels)).or_default();
        e.0 += p.conversions;
        e.1 += p.nulls;
    }
    sums.into_iter()
        .map(|(m, (c, n))| (m, if c > 0.0 { c / (c + n) } else { 0.0 }))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// The seen-subsets formula equals the 2ⁿ-subset definition on random sparse games.
    #[test]
    fn seen_subsets_formula_matches_brute_force(
        n in 1usize..=8,
        sets in prop::collection::vec((1u32..256, 0.0f64..1.0), 0..40),
    ) {
        let full = (1u32 << n) - 1;
        let mut table: BTreeMap<u32, f64> = BTreeMap::new();
        for (m, v) in sets {
            let m = m & full;
            if m != 0 {
                table.insert(m, v);
            }
        }
        let players: Vec<ChannelId> = (0..n as u32).collect();
        let worths: Vec<(Vec<ChannelId>, f64)> = table
            .iter()
            .map(|(&m, &v)| ((0..n as u32).filter(|i| m & (1 << i) != 0).collect(), v))
            .collect();
        let fast = shapley_from_seen(&players, &worths);
        let slow = brute_force(n, &|s| table.get(&s).copied().unwrap_or(0.0));
        for (f, s) in fast.iter().zip(&slow) {
            prop_assert!((f - s).abs() <= 1e-12, "{f} vs {s}");
        }
    }

    /// Per coalition: φ equal brute force of the restricted game; efficiency; totals.
    #[test]
    fn coalitions_match_brute_force_and_totals(data in random_agg(7)) {
        let table = worth_table(&data);
        for co in coalitions(&data) {
            let cm = mask_of(&co.channels);
            // Brute force over the coalition's own players (positions in co.channels).
            let to_global = |s: u32| {
                co.channels
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| s & (1 << i) != 0)
                    .fold(0u32, |m, (_, &c)| m | (1 << c))
            };
            let slow = brute_force(co.channels.len(), &|s| {
                table.get(&to_global(s)).copied().unwrap_or(0.0)
            });
            for (f, s) in co.phi.iter().zip(&slow) {
                prop_assert!((f - s).abs() <= 1e-12, "{f} vs {s}");
            }
            // Efficiency: Σφ = v(C).
            let sum: f64 = co.phi.iter().sum();
            prop_assert!((sum - table[&cm]).abs() <= 1e-12);
            prop_assert!((co.worth - table[&cm]).abs() <= 1e-15);
            prop_assert!(co.conversions > 0.0);
        }
        let (conv, rev) = channel_credit(&data);
        let tc: f64 = conv.iter().sum();
        let tr: f64 = rev.iter().sum();
        prop_assert!((tc - data.total_conversions()).abs() <= 1e-9 * data.total_conversions().max(1.0));
        prop_assert!((tr - data.total_revenue()).abs() <= 1e-9 * data.total_revenue().max(1.0));
        prop_assert_eq!(conv.len(), 7);
    }

    /// Symmetry: mirror every path with channels 0 and 1 swapped; 0 and 1 then play identical
    /// roles in every coalition and get identical credit.
    #[test]
    fn symmetric_channels_get_equal_credit(data in random_agg(5)) {
        let swap = |c: ChannelId| match c { 0 => 1, 1 => 0, x => x };
        let mut sym = data.clone();
        for p in &data.paths {
            let mut q = p.clone();
            q.channels = p.channels.iter().map(|&c| swap(c)).collect();
            sym.paths.push(q);
        }
        for co in coalitions(&sym) {
            if let (Some(i), Some(j)) = (
                co.channels.iter().position(|&c| c == 0),
                co.channels.iter().position(|&c| c == 1),
            ) {
                prop_assert!((co.phi[i] - co.phi[j]).abs() <= 1e-12);
            }
        }
        let (conv, rev) = channel_credit(&sym);
        prop_assert!((conv[0] - conv[1]).abs() <= 1e-9 * conv[0].abs().max(1.0));
        prop_assert!((rev[0] - rev[1]).abs() <= 1e-9 * rev[0].abs().max(1.0));
    }

    /// Null player: channel 5 is added to copies of every path with the same conversion rate,
    /// and alone it never converts, so v(S ∪ {5}) = v(S) for all S: φ₅ = 0 in every coalition.
    #[test]
    fn null_player_gets_nothing(data in random_agg(5), scale in 1u32..4) {
        let mut with_null = data.clone();
        with_null.channel_count = 6;
        for p in &data.paths {
            let mut q = p.clone();
            q.channels.push(5);
            q.conversions *= scale as f64;
            q.nulls *= scale as f64;
            q.revenue *= scale as f64;
            with_null.paths.push(q);
        }
        with_null.paths.push(PathStat {
            channels: vec![5, 5],
            conversions: 0.0,
            revenue: 0.0,
            nulls: 3.0,
            journeys: 3.0,
        });
        for co in coalitions(&with_null) {
            if let Some(i) = co.channels.iter().position(|&c| c == 5) {
                prop_assert!(co.phi[i].abs() <= 1e-12, "φ = {}", co.phi[i]);
            }
        }
        let (conv, _) = channel_credit(&with_null);
        prop_assert!(conv[5].abs() <= 1e-9);
    }

    #[test]
    fn deterministic(data in random_agg(9)) {
        let x = channel_credit(&data);
        let y = channel_credit(&data);
        let bits = |v: &[f64]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
        prop_assert_eq!(bits(&x.0), bits(&y.0));
        prop_assert_eq!(bits(&x.1), bits(&y.1));
    }
}

/// 100 channels (two bitset words, log-domain weights): seen sets {0} (v = 1) and the full set
/// (v = ½). n = 100, w(0) = 1/100, w(1) = 1/(100 · 99), w(99) = 1/100:
///   φ₀ = w(0) · 1 + w(99) · ½ = 0.01 + 0.005
///   φᵢ = −w(1) · 1 + w(99) · ½ = −1/9900 + 0.005 (i ≠ 0). Σ = 0.01 − 99/9900 + 0.5 = 0.5.
#[test]
fn many_channels_are_exact() {
    let all: Vec<ChannelId> = (0..100).collect();
    let data = agg(100, &[(&[0], 1.0, 0.0, 0.0), (&all, 1.0, 10.0, 1.0)]);
    let co = coalitions(&data);
    let big = co
        .iter()
        .find(|c| c.channels.len() == 100)
        .expect("full set");
    assert_close(big.phi[0], 0.015, EPS);
    for &p in &big.phi[1..] {
        assert_close(p, 0.005 - 1.0 / 9900.0, EPS);
    }
    let (conv, rev) = channel_credit(&data);
    assert_close(conv.iter().sum::<f64>(), 2.0, EPS);
    assert_close(rev.iter().sum::<f64>(), 10.0, EPS);
    assert_close(conv[0], 1.0 + 0.015 / 0.5, EPS);
    // Around the switch from exact-integer to log-domain binomials (n = 60 → 61) and across a
    // bitset word boundary: full set worth 0.3 and {1} worth 0.2 give Σφ = 0.3 and
    // φ₁ − φ₀ = 0.2 · (w(0) + w(1)) = 0.2 · (1/n + 1/(n(n − 1))).
    for n in [60u32, 61, 64, 65] {
        let set: Vec<ChannelId> = (0..n).collect();
        let phi = shapley_from_seen(&set, &[(set.clone(), 0.3), (vec![1], 0.2)]);
        let sum: f64 = phi.iter().sum();
        assert_close(sum, 0.3, EPS);
        assert_close(
            phi[1] - phi[0],
            0.2 * (1.0 / n as f64 + 1.0 / (n as f64 * (n - 1) as f64)),
            EPS,
        );
    }
}

#[test]
fn work_budget_is_a_typed_error() {
    let all: Vec<ChannelId> = (0..30).collect();
    let data = agg(30, &[(&all, 1.0, 0.0, 1.0), (&[3], 1.0, 0.0, 0.0)]);
    let work = shapley::work_estimate(&data);
    assert!(work > 0.0);
    assert!(matches!(
        try_channel_credit(&data, 0.5),
        Err(ShapleyError::TooExpensive { .. })
    ));
    let (conv, _) = try_channel_credit(&data, shapley::DEFAULT_MAX_WORK).expect("cheap");
    assert_close(conv.iter().sum::<f64>(), 2.0, EPS);
}

#[test]
fn degenerate_inputs() {
    // No conversions: nothing to credit. Revenue without conversions: equal split.
    let data = agg(
        2,
        &[
            (&[A, B], 0.0, 0.0, 4.0),
            (&[A, B, A], 0.0, 8.0, 1.0),
            (&[B], f64::NAN, f64::INFINITY, -2.0),
        ],
    );
    let (conv, rev) = channel_credit(&data);
    assert!(conv.iter().all(|&x| x == 0.0));
    assert_close(rev[0], 4.0, EPS);
    assert_close(rev[1], 4.0, EPS);
    let (conv, rev) = channel_credit(&PathAggregate::default());
    assert!(conv.is_empty() && rev.is_empty());
}

fn touch(channel: ChannelId, entry: Option<u64>) -> Touch {
    Touch {
        channel,
        entry,
        age_secs: f64::NAN,
    }
}

/// The two-channel fixture as journeys with entries: a(e1) converts alone 1 of 4 times
/// (revenue 10); b(e2) 1 of 2 (revenue 20); a(e1) > b converts 3 of 4 (revenue 60 total).
/// Channel credit (see `two_channels_by_hand`): a 2 conv / 30 rev, b 3 / 60.
/// a's converting touches all carry e1 → e1 gets 2 and 30.
/// b's converting touches: b(e2) in 1 journey (conv 1, revenue 20), untagged b in 3 (conv 3,
/// revenue 60): e2 gets 3 · ¼ = ¾ conversions and 60 · 20/80 = 15 revenue.
#[test]
fn attribute_with_entries() {
    let mut ch = Channels::new();
    let a = ch.intern("a");
    let b = ch.intern("b");
    let mut set = JourneySet::new(ch, false);
    set.push(&[touch(a, Some(1))], 1.0, 10.0, 0.0, None);
    for _ in 0..3 {
        set.push(&[touch(a, Some(1))], 0.0, 0.0, 1.0, None);
    }
    set.push(&[touch(b, Some(2))], 1.0, 20.0, 0.0, None);
    set.push(&[touch(b, Some(2))], 0.0, 0.0, 1.0, None);
    for _ in 0..3 {
        set.push(&[touch(a, Some(1)), touch(b, None)], 1.0, 20.0, 0.0, None);
    }
    set.push(&[touch(a, Some(1)), touch(b, None)], 0.0, 0.0, 1.0, None);
    let r = attribute(&set, Model::Shapley, &ModelParams::default()).expect("params");
    assert_close(r.channels[0].conversions, 2.0, EPS);
    assert_close(r.channels[1].conversions, 3.0, EPS);
    assert_close(r.channels[0].revenue, 30.0, EPS);
    assert_close(r.channels[1].revenue, 60.0, EPS);
    assert_close(r.total_conversions, 5.0, EPS);
    assert_eq!(r.entries.len(), 2);
    assert_close(r.entries[0].conversions, 2.0, EPS);
    assert_close(r.entries[0].revenue, 30.0, EPS);
    assert_close(r.entries[1].conversions, 0.75, EPS);
    assert_close(r.entries[1].revenue, 15.0, EPS);
}
