//! Markov removal-effect model: hand-computed fixtures, solver cross-checks, brute force and
//! invariants.

use proptest::prelude::*;
use refleqt_engine::models::markov::{
    self, channel_credit, channel_credit_with, AbsorbingSystem, CreditRule, MarkovCredit,
    MarkovError, Solver,
};
use refleqt_engine::models::{attribute, Details, Model, ModelParams};
use refleqt_engine::{ChannelId, Channels, JourneySet, PathAggregate, PathStat, Touch};

const EPS: f64 = 1e-12;

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + a.abs().max(b.abs()))
}

#[track_caller]
fn assert_close(a: f64, b: f64, tol: f64) {
    assert!(close(a, b, tol), "{a} != {b} (tol {tol})");
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

/// Paths: a > b (1 conv, revenue 10), a (1 null), b (1 conv, revenue 20).
///
/// Counts: start→a 2, start→b 1; a→b 1, a→null 1; b→conv 2.
/// x_b = 1, x_a = ½ · x_b = ½. P = ⅔ · ½ + ⅓ · 1 = ⅔.
/// Remove a: start→a goes to null, P = ⅓ · 1 = ⅓, RE_a = 1 − (⅓)/(⅔) = ½.
/// Remove b: x_a = 0, start→b lost, P = 0, RE_b = 1.
/// Σ RE = 3/2: a gets ⅓ of 2 conversions = ⅔ and ⅓ of 30 revenue = 10; b gets 4/3 and 20.
fn fixture_simple() -> PathAggregate {
    agg(
        2,
        &[
            (&[A, B], 1.0, 10.0, 0.0),
            (&[A], 0.0, 0.0, 1.0),
            (&[B], 1.0, 20.0, 0.0),
        ],
    )
}

#[test]
fn order1_hand_computed() {
    let m = channel_credit(&fixture_simple(), 1);
    let d = &m.details;
    assert_eq!(d.order, 1);
    assert_eq!(d.transient_states, 2);
    assert_close(d.p_conversion, 2.0 / 3.0, EPS);
    assert_close(d.removal_effects[A as usize], 0.5, EPS);
    assert_close(d.removal_effects[B as usize], 1.0, EPS);
    assert_close(d.p_conversion_without[A as usize], 1.0 / 3.0, EPS);
    assert_close(d.p_conversion_without[B as usize], 0.0, EPS);
    assert_close(m.conversions[A as usize], 2.0 / 3.0, EPS);
    assert_close(m.conversions[B as usize], 4.0 / 3.0, EPS);
    assert_close(m.revenue[A as usize], 10.0, EPS);
    assert_close(m.revenue[B as usize], 20.0, EPS);
    assert_eq!(d.credit_rule, CreditRule::RemovalEffect);

    // The exported matrix: states and sorted sparse entries.
    assert_eq!(
        d.states,
        vec!["(start)", "0", "1", "(conversion)", "(null)"]
    );
    let t: Vec<(u32, u32, f64, f64)> = d
        .transitions
        .iter()
        .map(|t| (t.from, t.to, t.probability, t.count))
        .collect();
    let want = [
        (0, 1, 2.0 / 3.0, 2.0),
        (0, 2, 1.0 / 3.0, 1.0),
        (1, 2, 0.5, 1.0),
        (1, 4, 0.5, 1.0),
        (2, 3, 1.0, 2.0),
    ];
    assert_eq!(t.len(), want.len(), "{t:?}");
    for (got, want) in t.iter().zip(want) {
        assert_eq!((got.0, got.1), (want.0, want.1));
        assert_close(got.2, want.2, EPS);
        assert_close(got.3, want.3, EPS);
    }
}

/// Paths: a > b > a (1 conv), b > a (1 conv), b (1 null), a > b (1 null).
///
/// Counts: start→a 2, start→b 2; a→b 2, a→conv 2; b→a 2, b→null 2.
/// x_a = ½ + ½ x_b, x_b = ½ x_a  ⇒  x_a = ½ + ¼ x_a  ⇒  x_a = ⅔, x_b = ⅓ (a cycle: a real solve).
/// P = ½ · ⅔ + ½ · ⅓ = ½.
/// Remove a: x_b = ½ · 0 = 0, P = 0, RE_a = 1.
/// Remove b: x_a = ½, P = ½ · ½ = ¼, RE_b = ½.
/// Σ RE = 3/2: a gets ⅔ · 2 = 4/3, b gets ⅓ · 2 = ⅔.
#[test]
fn order1_cyclic_needs_a_solve() {
    let data = agg(
        2,
        &[
            (&[A, B, A], 1.0, 0.0, 0.0),
            (&[B, A], 1.0, 0.0, 0.0),
            (&[B], 0.0, 0.0, 1.0),
            (&[A, B], 0.0, 0.0, 1.0),
        ],
    );
    for solver in [Solver::Auto, Solver::Dense, Solver::Iterative] {
        let m = channel_credit_with(&data, 1, solver).expect("solves");
        let d = &m.details;
        assert_close(d.p_conversion, 0.5, EPS);
        assert_close(d.removal_effects[A as usize], 1.0, EPS);
        assert_close(d.removal_effects[B as usize], 0.5, EPS);
        assert_close(d.p_conversion_without[B as usize], 0.25, EPS);
        assert_close(m.conversions[A as usize], 4.0 / 3.0, EPS);
        assert_close(m.conversions[B as usize], 2.0 / 3.0, EPS);
    }
    let it = channel_credit_with(&data, 1, Solver::Iterative).expect("solves");
    assert!(it.details.solver.iterative_solves > 0);
    assert!(it.details.solver.max_sweeps > 1);
    assert!(it.details.solver.converged);
}

/// Paths: a > c (1 conv), b > c (1 null), c (1 conv).
///
/// Order 1 (memoryless): start→a, b, c ⅓ each; a→c 1, b→c 1; c→conv ⅔, c→null ⅓.
///   x_c = ⅔ = x_a = x_b, P = ⅔. Remove a: P = ⅔ · ⅔ = 4/9, RE_a = ⅓; likewise RE_b = ⅓;
///   remove c: P = 0, RE_c = 1. Σ RE = 5/3: a 0.4, b 0.4, c 1.2 of 2 conversions.
/// Order 2: states a, b, c, a>c, b>c. a→a>c→conv, b→b>c→null, c→conv. P = ⅔.
///   Remove a (a, a>c): P = ⅓, RE_a = ½. Remove b: P unchanged, RE_b = 0.
///   Remove c (c, a>c, b>c): P = 0, RE_c = 1. Σ RE = 3/2: a ⅔, b 0, c 4/3.
#[test]
fn order2_remembers_where_it_came_from() {
    let data = agg(
        3,
        &[
            (&[A, C], 1.0, 0.0, 0.0),
            (&[B, C], 0.0, 0.0, 1.0),
            (&[C], 1.0, 0.0, 0.0),
        ],
    );
    let m1 = channel_credit(&data, 1);
    assert_close(m1.details.p_conversion, 2.0 / 3.0, EPS);
    assert_close(m1.details.removal_effects[A as usize], 1.0 / 3.0, EPS);
    assert_close(m1.details.removal_effects[B as usize], 1.0 / 3.0, EPS);
    assert_close(m1.details.removal_effects[C as usize], 1.0, EPS);
    assert_close(m1.conversions[A as usize], 0.4, EPS);
    assert_close(m1.conversions[B as usize], 0.4, EPS);
    assert_close(m1.conversions[C as usize], 1.2, EPS);

    let m2 = channel_credit(&data, 2);
    let d = &m2.details;
    assert_eq!(d.order, 2);
    assert_eq!(d.transient_states, 5);
    assert_eq!(
        d.states,
        vec![
            "(start)",
            "0",
            "1",
            "2",
            "0>2",
            "1>2",
            "(conversion)",
            "(null)"
        ]
    );
    assert_eq!(d.state_channels[4], vec![A, C]);
    assert_close(d.p_conversion, 2.0 / 3.0, EPS);
    assert_close(d.removal_effects[A as usize], 0.5, EPS);
    assert_close(d.removal_effects[B as usize], 0.0, EPS);
    assert_close(d.removal_effects[C as usize], 1.0, EPS);
    assert_close(m2.conversions[A as usize], 2.0 / 3.0, EPS);
    assert_close(m2.conversions[B as usize], 0.0, EPS);
    assert_close(m2.conversions[C as usize], 4.0 / 3.0, EPS);
    // a → a>c with probability 1, a>c → conversion with probability 1.
    let has = |f: u32, t: u32, p: f64| {
        d.transitions
            .iter()
            .any(|x| x.from == f && x.to == t && close(x.probability, p, EPS))
    };
    assert!(has(1, 4, 1.0));
    assert!(has(4, 6, 1.0));
    assert!(has(5, 7, 1.0));
}

#[test]
fn order3_and_4_state_convention() {
    // a > b > c > a > b at order 3: a, a>b, a>b>c, b>c>a, c>a>b.
    let data = agg(3, &[(&[A, B, C, A, B], 1.0, 0.0, 1.0)]);
    let d = channel_credit(&data, 3).details;
    assert_eq!(
        d.states,
        vec![
            "(start)",
            "0",
            "0>1",
            "0>1>2",
            "1>2>0",
            "2>0>1",
            "(conversion)",
            "(null)"
        ]
    );
    let d4 = channel_credit(&data, 4).details;
    assert_eq!(
        &d4.states[1..6],
        &["0", "0>1", "0>1>2", "0>1>2>0", "1>2>0>1"]
    );
    // A single path: every channel is necessary.
    for c in 0..3 {
        assert_close(d.removal_effects[c], 1.0, EPS);
        assert_close(d4.removal_effects[c], 1.0, EPS);
    }
}

#[test]
fn repeats_are_collapsed() {
    let collapsed = agg(2, &[(&[A, B], 2.0, 5.0, 1.0), (&[B], 1.0, 1.0, 3.0)]);
    let repeated = agg(
        2,
        &[(&[A, A, B, B, B], 2.0, 5.0, 1.0), (&[B, B], 1.0, 1.0, 3.0)],
    );
    for order in 1..=4 {
        let x = channel_credit(&collapsed, order);
        let y = channel_credit(&repeated, order);
        assert_eq!(x, y, "order {order}");
        assert!(y.details.transitions.iter().all(|t| t.from != t.to));
    }
}

#[test]
fn channels_that_cannot_lead_to_conversion_get_nothing() {
    // c only ends non-converting journeys and d never appears: both get RE 0 and no credit.
    let data = agg(
        4,
        &[
            (&[A, B], 3.0, 30.0, 1.0),
            (&[A, C], 0.0, 0.0, 2.0),
            (&[C], 0.0, 0.0, 4.0),
            (&[B, C], 0.0, 0.0, 1.0),
        ],
    );
    for order in 1..=4 {
        let m = channel_credit(&data, order);
        assert_eq!(m.details.removal_effects[C as usize], 0.0, "order {order}");
        assert_eq!(m.details.removal_effects[3], 0.0);
        assert_eq!(m.conversions[C as usize], 0.0);
        assert_eq!(m.conversions[3], 0.0);
        assert_eq!(m.revenue[3], 0.0);
        assert_eq!(m.conversions.len(), 4);
    }
}

/// The chain is memoryless: c never appears in a converting journey, yet it leads into b,
/// which converts. start→c ½, start→b ½, c→b 1, b→conv ½, b→null ½: P = ½;
/// without c P = ¼, so RE_c = ½. This is the model's definition (documented), not a bug.
#[test]
fn memoryless_chain_credits_feeders_of_converting_states() {
    // Channel 0 plays "c" here.
    let data = agg(2, &[(&[A, B], 0.0, 0.0, 1.0), (&[B], 1.0, 0.0, 0.0)]);
    let m = channel_credit(&data, 1);
    assert_close(m.details.p_conversion, 0.5, EPS);
    assert_close(m.details.removal_effects[0], 0.5, EPS);
    // At order 2 the state b after 0 is the 2-gram 0>1 which never converts: RE_0 = 0.
    let m2 = channel_credit(&data, 2);
    assert_close(m2.details.removal_effects[0], 0.0, EPS);
}

#[test]
fn degenerate_inputs_fall_back_without_nan() {
    // No conversions at all.
    let none = agg(2, &[(&[A, B], 0.0, 0.0, 5.0), (&[B], 0.0, 0.0, 1.0)]);
    let m = channel_credit(&none, 1);
    assert_eq!(m.details.p_conversion, 0.0);
    assert_eq!(m.details.credit_rule, CreditRule::LinearFallback);
    assert!(m.conversions.iter().all(|&x| x == 0.0));
    // Revenue without conversions (malformed) is split linearly so totals still match.
    let odd = agg(2, &[(&[A, B, B], 0.0, 9.0, 1.0)]);
    let m = channel_credit(&odd, 2);
    assert_eq!(m.details.credit_rule, CreditRule::LinearFallback);
    assert_close(m.revenue[A as usize], 3.0, EPS);
    assert_close(m.revenue[B as usize], 6.0, EPS);
    // Empty aggregate, garbage weights.
    let empty = PathAggregate::default();
    let m = channel_credit(&empty, 3);
    assert!(m.conversions.is_empty());
    assert_eq!(m.details.transient_states, 0);
    let bad = agg(
        2,
        &[
            (&[A], f64::NAN, f64::INFINITY, -1.0),
            (&[B], 1.0, 2.0, f64::NAN),
        ],
    );
    let m = channel_credit(&bad, 1);
    assert!(m
        .conversions
        .iter()
        .chain(&m.revenue)
        .all(|x| x.is_finite()));
    assert_close(m.conversions[B as usize], 1.0, EPS);
    assert_close(m.revenue[B as usize], 2.0, EPS);
}

#[test]
fn bad_order_is_a_typed_error() {
    let data = fixture_simple();
    assert_eq!(
        markov::try_channel_credit(&data, 5).err(),
        Some(MarkovError::Order(5))
    );
    assert_eq!(
        markov::try_channel_credit(&data, 0).err(),
        Some(MarkovError::Order(0))
    );
    // The infallible entry point clamps.
    assert_eq!(channel_credit(&data, 9).details.order, 4);
}

#[test]
fn absorbing_system_validates_input() {
    assert!(matches!(
        AbsorbingSystem::from_entries(2, &[(0, 2, 0.5)], &[0.0, 0.0]),
        Err(MarkovError::StateOutOfRange { .. })
    ));
    assert!(matches!(
        AbsorbingSystem::from_entries(2, &[(0, 1, 1.5)], &[0.0, 0.0]),
        Err(MarkovError::Probability { .. })
    ));
    assert!(matches!(
        AbsorbingSystem::from_entries(2, &[(0, 1, 0.7)], &[0.5, 0.0]),
        Err(MarkovError::RowSum { state: 0, .. })
    ));
    assert!(matches!(
        AbsorbingSystem::from_entries(2, &[], &[0.0]),
        Err(MarkovError::Length {
            expected: 2,
            got: 1
        })
    ));
    // A nearly closed loop: exact for elimination, beyond the Gauss–Seidel sweep guard.
    let slow =
        AbsorbingSystem::from_entries(2, &[(0, 1, 1.0 - 1e-7), (1, 0, 1.0 - 1e-7)], &[1e-7, 0.0])
            .expect("valid");
    let x = slow.solve_dense().expect("nonsingular");
    // x0 = r0 + q x1, x1 = q x0 ⇒ x0 = r0 / (1 − q²).
    let q = 1.0 - 1e-7;
    assert_close(x[0], 1e-7 / (1.0 - q * q), 1e-8);
    assert!(matches!(
        slow.solve_gauss_seidel(),
        Err(MarkovError::NotConverged { sweeps, .. }) if sweeps == markov::GS_MAX_SWEEPS
    ));
    // A closed loop never absorbs: singular.
    let sys =
        AbsorbingSystem::from_entries(2, &[(0, 1, 1.0), (1, 0, 1.0)], &[0.0, 0.0]).expect("valid");
    assert!(matches!(
        sys.solve_dense(),
        Err(MarkovError::Singular { .. })
    ));
}

// ---------------------------------------------------------------------------------------------
// Journey-set entry point and calendar entries
// ---------------------------------------------------------------------------------------------

fn touch(channel: ChannelId, entry: Option<u64>) -> Touch {
    Touch {
        channel,
        entry,
        age_secs: f64::NAN,
    }
}

/// Same paths as [`fixture_simple`], with entries: a(e1) > b(e2) converts (revenue 10), a
/// does not, b (untagged) converts (revenue 20).
/// Channel credit: a ⅔ conv / 10 rev, b 4/3 conv / 20 rev.
/// Entries: a's only converting touch carries e1 → e1 gets ⅔ and 10.
/// b's converting touches: e2 (weight 1 conv, 10 rev) and untagged (1 conv, 20 rev):
/// e2 gets 4/3 · ½ = ⅔ conversions and 20 · 10/30 = 20/3 revenue.
#[test]
fn attribute_splits_credit_over_calendar_entries() {
    let mut ch = Channels::new();
    let a = ch.intern("email");
    let b = ch.intern("search");
    let mut set = JourneySet::new(ch, false);
    set.push(
        &[touch(a, Some(1)), touch(b, Some(2))],
        1.0,
        10.0,
        0.0,
        None,
    );
    set.push(&[touch(a, Some(7))], 0.0, 0.0, 1.0, None);
    set.push(&[touch(b, None)], 1.0, 20.0, 0.0, None);
    let params = ModelParams::default();
    let r = attribute(&set, Model::Markov, &params).expect("valid params");
    assert_eq!(r.model, Model::Markov);
    assert_close(r.channels[0].conversions, 2.0 / 3.0, EPS);
    assert_close(r.channels[1].conversions, 4.0 / 3.0, EPS);
    assert_close(r.channels[0].share, 1.0 / 3.0, EPS);
    assert_eq!(r.entries.len(), 2, "{:?}", r.entries);
    assert_eq!(r.entries[0].entry, 1);
    assert_close(r.entries[0].conversions, 2.0 / 3.0, EPS);
    assert_close(r.entries[0].revenue, 10.0, EPS);
    assert_eq!(r.entries[1].entry, 2);
    assert_close(r.entries[1].conversions, 2.0 / 3.0, EPS);
    assert_close(r.entries[1].revenue, 20.0 / 3.0, EPS);
    let Details::Markov(d) = &r.details else {
        panic!("Markov details expected");
    };
    assert_eq!(
        d.states,
        vec!["(start)", "email", "search", "(conversion)", "(null)"]
    );
    // Serialises and comes back.
    let json = serde_json::to_string(&r).expect("serialise");
    let back: refleqt_engine::AttributionResult = serde_json::from_str(&json).expect("parse");
    assert_eq!(back, r);
}

// ---------------------------------------------------------------------------------------------
// Brute force, solver agreement, invariants
// ---------------------------------------------------------------------------------------------

/// Pr(conversion) by enumerating every start → … → absorbing path of an acyclic exported chain,
/// skipping states whose gram contains `removed`.
fn enumerate_p(m: &MarkovCredit, removed: Option<ChannelId>) -> f64 {
    let d = &m.details;
    let conv = d.conversion_state();
    fn walk(
        d: &markov::MarkovDetails,
        state: u32,
        prob: f64,
        conv: u32,
        removed: Option<ChannelId>,
        depth: usize,
    ) -> f64 {
        assert!(depth < 64, "chain is not acyclic");
        if state == conv {
            return prob;
        }
        let mut total = 0.0;
        for t in d.transitions.iter().filter(|t| t.from == state) {
            if let Some(c) = removed {
                if d.state_channels[t.to as usize].contains(&c) {
                    continue;
                }
            }
            total += walk(d, t.to, prob * t.probability, conv, removed, depth + 1);
        }
        total
    }
    walk(d, 0, 1.0, conv, removed, 0)
}

/// Paths whose channels strictly increase: every order-k chain built from them is acyclic.
fn increasing_paths() -> impl Strategy<Value = PathAggregate> {
    prop::collection::vec(
        (prop::collection::btree_set(0u32..6, 1..5), 0u32..4, 0u32..4),
        1..25,
    )
    .prop_map(|rows| PathAggregate {
        channel_count: 6,
        paths: rows
            .into_iter()
            .map(|(set, c, n)| PathStat {
                channels: set.into_iter().collect(),
                conversions: c as f64,
                revenue: c as f64 * 7.5,
                nulls: n as f64,
                journeys: (c + n) as f64,
            })
            .collect(),
    })
}

/// Arbitrary paths (repeats and cycles allowed) with integer weights.
fn any_paths(channels: u32) -> impl Strategy<Value = PathAggregate> {
    prop::collection::vec(
        (
            prop::collection::vec(0u32..channels, 1..9),
            0u32..4,
            0u32..50,
            0u32..4,
        ),
        1..40,
    )
    .prop_map(move |rows| PathAggregate {
        channel_count: channels as usize,
        paths: rows
            .into_iter()
            .map(|(p, c, r, n)| PathStat {
                channels: p,
                conversions: c as f64,
                revenue: if c > 0 { r as f64 } else { 0.0 },
                nulls: n as f64,
                journeys: (c + n) as f64,
            })
            .collect(),
    })
}

fn rel_err(a: f64, b: f64) -> f64 {
    (a - b).abs() / a.abs().max(b.abs()).max(1.0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn p_conversion_matches_path_enumeration(data in increasing_paths(), order in 1u8..=2) {
        let m = channel_credit(&data, order);
        let p = enumerate_p(&m, None);
        prop_assert!((p - m.details.p_conversion).abs() <= 1e-12, "{p} vs {}", m.details.p_conversion);
        for c in 0..6u32 {
            let pc = enumerate_p(&m, Some(c));
            prop_assert!((pc - m.details.p_conversion_without[c as usize]).abs() <= 1e-12);
        }
    }

    #[test]
    fn credit_sums_to_totals(data in any_paths(6), order in 1u8..=4) {
        let m = channel_credit(&data, order);
        let conv: f64 = m.conversions.iter().sum();
        let rev: f64 = m.revenue.iter().sum();
        prop_assert!(rel_err(conv, data.total_conversions()) <= 1e-9);
        prop_assert!(rel_err(rev, data.total_revenue()) <= 1e-9);
        prop_assert!(m.conversions.iter().all(|&x| x >= 0.0 && x.is_finite()));
        for &re in &m.details.removal_effects {
            prop_assert!((0.0..=1.0).contains(&re));
        }
        prop_assert!(m.details.solver.converged);
        // The fitted chain reproduces the observed flows, so P(conversion) from the start is the
        // observed conversion rate at every order.
        let nulls: f64 = data.paths.iter().map(|p| p.nulls).sum();
        let total = data.total_conversions() + nulls;
        if total > 0.0 {
            let rate = data.total_conversions() / total;
            prop_assert!((m.details.p_conversion - rate).abs() <= 1e-12);
        }
        // Every row of the exported matrix is a probability distribution.
        let mut sums = vec![0.0; m.details.states.len()];
        for t in &m.details.transitions {
            sums[t.from as usize] += t.probability;
        }
        let empty = m.details.transient_states == 0;
        for (i, s) in sums.iter().enumerate() {
            let absorbing = i as u32 >= m.details.conversion_state();
            if !absorbing && !empty {
                prop_assert!((s - 1.0).abs() <= 1e-12, "row {i} sums to {s}");
            }
        }
    }

    #[test]
    fn dense_and_iterative_agree_on_models(data in any_paths(5), order in 1u8..=4) {
        let d = channel_credit_with(&data, order, Solver::Dense).expect("dense");
        let g = channel_credit_with(&data, order, Solver::Iterative).expect("gauss-seidel");
        prop_assert!((d.details.p_conversion - g.details.p_conversion).abs() <= 1e-12);
        for (x, y) in d.details.removal_effects.iter().zip(&g.details.removal_effects) {
            prop_assert!((x - y).abs() <= 1e-10, "{x} vs {y}");
        }
        for (x, y) in d.conversions.iter().zip(&g.conversions) {
            prop_assert!(rel_err(*x, *y) <= 1e-9);
        }
    }

    #[test]
    fn deterministic_and_order_invariant(data in any_paths(7), order in 1u8..=4) {
        let x = channel_credit(&data, order);
        let y = channel_credit(&data, order);
        prop_assert_eq!(
            serde_json::to_string(&x).expect("json"),
            serde_json::to_string(&y).expect("json")
        );
        let bits = |v: &[f64]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
        prop_assert_eq!(bits(&x.conversions), bits(&y.conversions));
        // Integer weights sum exactly, so the row order of the aggregate cannot matter either.
        let mut rev = data.clone();
        rev.paths.reverse();
        let z = channel_credit(&rev, order);
        prop_assert_eq!(bits(&x.conversions), bits(&z.conversions));
        prop_assert_eq!(bits(&x.revenue), bits(&z.revenue));
        prop_assert_eq!(&x.details, &z.details);
    }

    #[test]
    fn gaussian_elimination_and_gauss_seidel_agree(
        n in 1usize..60,
        seed in prop::collection::vec((0usize..60, 0usize..60, 0.01f64..1.0), 0..300),
        r in prop::collection::vec(0.0f64..1.0, 60),
        leak in 0.02f64..0.5,
    ) {
        // Random sparse substochastic rows: entries and r scaled so each row sums to 1 − leak
        // at most (some rows lose everything to the other absorbing states).
        let mut entries: Vec<(usize, usize, f64)> = seed
            .into_iter()
            .map(|(f, t, p)| (f % n, t % n, p))
            .collect();
        let mut sums = vec![0.0; n];
        for &(f, _, p) in &entries {
            sums[f] += p;
        }
        let mut rr: Vec<f64> = r[..n].to_vec();
        for i in 0..n {
            let total = sums[i] + rr[i];
            if total > 1.0 - leak {
                let s = (1.0 - leak) / total;
                rr[i] *= s;
                sums[i] = s;
            } else {
                sums[i] = 1.0;
            }
        }
        for e in &mut entries {
            e.2 *= sums[e.0];
        }
        let sys = AbsorbingSystem::from_entries(n, &entries, &rr).expect("valid");
        let x = sys.solve_dense().expect("nonsingular");
        let g = sys.solve_gauss_seidel().expect("converges");
        prop_assert!(g.residual <= 1e-14);
        prop_assert!(sys.relative_residual(&x) <= 1e-12);
        for (a, b) in x.iter().zip(&g.x) {
            prop_assert!((a - b).abs() <= 1e-12, "{a} vs {b}");
        }
    }
}

#[test]
fn larger_blocks_use_the_iterative_solver() {
    // 9 channels, order 3: up to 9 · 8 · 8 = 576 3-grams, more than DENSE_MAX_STATES once most
    // are seen, so Auto goes iterative.
    let mut paths = Vec::new();
    let mut x: u64 = 12345;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for _ in 0..4000 {
        let len = 2 + (next() % 7) as usize;
        let p: Vec<ChannelId> = (0..len).map(|_| (next() % 9) as ChannelId).collect();
        let conv = next().is_multiple_of(3) as u32 as f64;
        paths.push(PathStat {
            channels: p,
            conversions: conv,
            revenue: conv * 3.0,
            nulls: 1.0 - conv,
            journeys: 1.0,
        });
    }
    let data = PathAggregate {
        channel_count: 9,
        paths,
    };
    let auto = channel_credit(&data, 3);
    let trigrams = auto
        .details
        .state_channels
        .iter()
        .filter(|g| g.len() == 3)
        .count();
    assert!(trigrams > markov::DENSE_MAX_STATES, "{trigrams}");
    assert!(auto.details.solver.iterative_solves > 0);
    assert!(auto.details.solver.converged);
    assert!(auto.details.solver.max_residual <= markov::GS_TOLERANCE);
    let dense = channel_credit_with(&data, 3, Solver::Dense).expect("dense");
    for (a, b) in auto
        .details
        .removal_effects
        .iter()
        .zip(&dense.details.removal_effects)
    {
        assert!((a - b).abs() <= 1e-11, "{a} vs {b}");
    }
    let total: f64 = auto.conversions.iter().sum();
    assert!(rel_err(total, data.total_conversions()) <= 1e-12);
}
