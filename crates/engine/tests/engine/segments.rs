//! Customer segments by channel affinity: planted segments recovered, conversion-rate
//! intervals, determinism, small inputs.

use refleqt_engine::journey::{Channels, JourneySet, Touch};
use refleqt_engine::segments::{segment_journeys, wilson};
use refleqt_engine::simulate::{simulate_journey_set, SimConfig};

const NAMES: [&str; 6] = [
    "email",
    "blog",
    "google-ads",
    "meta-ads",
    "linkedin",
    "direct",
];

/// Three planted groups of 1,000 journeys each: email/blog readers (rate 10 %), paid-ads
/// clickers (2 %), LinkedIn people (6 %). Each journey mixes its group's channels at random
/// (seeded LCG) and one in ten carries a stray `direct` touch.
fn planted() -> (JourneySet, Vec<usize>) {
    let mut channels = Channels::new();
    for n in NAMES {
        channels.intern(n);
    }
    let mut set = JourneySet::new(channels, false);
    let groups: [(&[u32], f64); 3] = [(&[0, 1], 0.10), (&[2, 3], 0.02), (&[4], 0.06)];
    let mut state: u64 = 12345;
    let mut next = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as f64 / (1u64 << 31) as f64
    };
    let mut truth = Vec::new();
    for (g, (chs, rate)) in groups.iter().enumerate() {
        for i in 0..1000 {
            let len = 2 + (next() * 4.0) as usize;
            let mut touches: Vec<Touch> = (0..len)
                .map(|_| Touch {
                    channel: chs[(next() * chs.len() as f64) as usize % chs.len()],
                    entry: None,
                    age_secs: 0.0,
                })
                .collect();
            if i % 10 == 0 {
                touches.push(Touch {
                    channel: 5,
                    entry: None,
                    age_secs: 0.0,
                });
            }
            // Exactly rate × 1000 conversions per group.
            let converts = (i as f64) < rate * 1000.0;
            let c = if converts { 1.0 } else { 0.0 };
            set.push(&touches, c, c * 50.0, 1.0 - c, None);
            truth.push(g);
        }
    }
    (set, truth)
}

#[test]
fn planted_segments_are_recovered_with_their_conversion_rates() {
    let (set, truth) = planted();
    let s = segment_journeys(&set, 7).expect("segments");
    assert_eq!(s.k, 3, "tried {:?}", s.tried);
    assert!(s.silhouette > 0.5, "{}", s.silhouette);
    // Purity: each planted group lands in one segment.
    let mut purity = 0.0;
    for g in 0..3 {
        let mut counts = [0usize; 3];
        for (a, t) in s.assignment.iter().zip(&truth) {
            if *t == g {
                counts[a.expect("assigned")] += 1;
            }
        }
        purity += *counts.iter().max().unwrap() as f64;
    }
    purity /= truth.len() as f64;
    assert!(purity > 0.98, "purity {purity}");
    // Each planted rate is inside its segment's 95 % interval; top channels name the group.
    for (top, rate) in [("email", 0.10), ("google-ads", 0.02), ("linkedin", 0.06)] {
        let seg = s
            .segments
            .iter()
            .find(|x| x.top_channels.iter().any(|(c, _)| c == top))
            .unwrap_or_else(|| panic!("a segment led by {top}: {:?}", s.segments));
        assert!((seg.journeys - 1000.0).abs() < 30.0, "{seg:?}");
        assert!(
            seg.rate_low <= rate && rate <= seg.rate_high,
            "{top}: {seg:?}"
        );
        assert!(seg.rate_high - seg.rate_low < 0.06);
    }
    let shares: f64 = s.segments.iter().map(|x| x.share).sum();
    assert!((shares - 1.0).abs() < 1e-12);
}

#[test]
fn segments_are_deterministic_and_ignore_journey_order() {
    let cfg = SimConfig {
        journeys: 3_000,
        ..SimConfig::demo()
    };
    let (set, _) = simulate_journey_set(&cfg).unwrap();
    let a = segment_journeys(&set, 1).expect("segments");
    let b = segment_journeys(&set, 1).expect("segments");
    assert_eq!(a, b);
    assert!((2..=6).contains(&a.k));
    let total: f64 = a.segments.iter().map(|s| s.journeys).sum();
    assert_eq!(total, set.total_conversions() + set.total_nulls());
    // The same journeys in reverse order give the same segments.
    let mut rev = JourneySet::new(set.channels.clone(), true);
    let all: Vec<_> = set.iter().collect();
    for j in all.iter().rev() {
        rev.push(j.touches, j.conversions, j.revenue, j.nulls, j.end_ms);
    }
    let c = segment_journeys(&rev, 1).expect("segments");
    assert_eq!(a.segments, c.segments);
}

#[test]
fn too_few_journeys_give_no_segments_and_wilson_is_right() {
    let (set, _) = planted();
    let mut small = JourneySet::new(set.channels.clone(), false);
    for j in set.iter().take(20) {
        small.push(j.touches, j.conversions, j.revenue, j.nulls, None);
    }
    assert!(segment_journeys(&small, 1).is_none());
    // Wilson (1927) for 10 of 100: 0.0552 … 0.1744 (standard tables).
    let (lo, hi) = wilson(10.0, 100.0);
    assert!(
        (lo - 0.0552).abs() < 5e-4 && (hi - 0.1744).abs() < 5e-4,
        "{lo} {hi}"
    );
    assert_eq!(wilson(0.0, 0.0), (0.0, 1.0));
    let (lo, _) = wilson(0.0, 50.0);
    assert_eq!(lo, 0.0);
}
