//! Closing the loop against the artifact simulator's truth: creator reputation recovers planted
//! creator skill (Spearman's ρ), beliefs about types move the way the planted type effects say,
//! and an A/B test on simulated conversions finds the planted winner. Run
//! `cargo test --release -p refleqt-engine --test engine loop_closing -- --nocapture` for the
//! numbers.

use refleqt_engine::abtest::{analyse, AbTest, MetricKind, Variant, Verdict};
use refleqt_engine::artifact::ArtifactRecord;
use refleqt_engine::beliefs::{
    score_belief, Action, Belief, Direction, Expectation, Outcome, Selector,
};
use refleqt_engine::creators::reputation;
use refleqt_engine::simulate::{
    simulate_artifacts, simulate_artifacts_with_creators, ArtifactSimConfig, CREATORS,
};
use refleqt_engine::stats::spearman;

const PLANTED: [(&str, f64); 12] = [
    ("Ana", 0.60),
    ("Ben", 0.68),
    ("Cai", 0.76),
    ("Dee", 0.84),
    ("Eli", 0.92),
    ("Fay", 1.00),
    ("Gus", 1.08),
    ("Hal", 1.16),
    ("Ivy", 1.24),
    ("Jon", 1.32),
    ("Kim", 1.40),
    ("Lou", 1.50),
];

#[test]
fn creator_reputation_recovers_planted_skill() {
    let mut rhos = Vec::new();
    for seed in [1_u64, 2, 3] {
        let h = simulate_artifacts_with_creators(
            &ArtifactSimConfig {
                seed,
                ..ArtifactSimConfig::default()
            },
            &PLANTED,
        )
        .unwrap();
        let rep = reputation(&h.records(), "impressions");
        assert_eq!(rep.creators.len(), PLANTED.len());
        let (truth, est): (Vec<f64>, Vec<f64>) = PLANTED
            .iter()
            .map(|(name, m)| (m.ln(), rep.creator(name).unwrap().skill))
            .unzip();
        let rho = spearman(&truth, &est).unwrap();
        println!(
            "seed {seed}: {} artifacts, Spearman rho {rho:.3}, tau2 {:.4}, sigma2 {:.3}; best {} (x{:.2}), worst {} (x{:.2})",
            h.artifacts.len(),
            rep.tau2,
            rep.sigma2,
            rep.creators[0].creator,
            rep.creators[0].multiplier,
            rep.creators[rep.creators.len() - 1].creator,
            rep.creators[rep.creators.len() - 1].multiplier,
        );
        rhos.push(rho);
    }
    let mean = rhos.iter().sum::<f64>() / rhos.len() as f64;
    assert!(mean > 0.85, "mean Spearman rho {mean}");
    // The four built-in creators come out in their planted order.
    let h = simulate_artifacts(&ArtifactSimConfig::default()).unwrap();
    let rep = reputation(&h.records(), "impressions");
    let order: Vec<&str> = rep.creators.iter().map(|c| c.creator.as_str()).collect();
    let planted: Vec<&str> = CREATORS.iter().map(|c| c.0).collect();
    assert_eq!(order, planted);
}

/// Outcomes of the second and third simulated years, each expected from its channel's
/// artifacts of the year before (the baseline a workspace without predictions uses).
fn baseline_outcomes(records: &[ArtifactRecord], metric: &str) -> Vec<Outcome> {
    let start = records.first().map(|r| r.features.day).unwrap_or(0);
    records
        .iter()
        .enumerate()
        .filter(|(_, r)| r.features.day >= start + 365)
        .filter_map(|(i, r)| {
            let earlier: Vec<f64> = records[..i]
                .iter()
                .filter(|p| {
                    p.features.channel == r.features.channel
                        && p.features.day >= r.features.day - 365
                })
                .filter_map(|p| p.value(metric))
                .collect();
            Some(Outcome {
                artifact: format!("a{i}"),
                title: format!("artifact {i}"),
                day: r.features.day,
                features: r.features.clone(),
                metric: metric.to_owned(),
                actual: r.value(metric)?,
                expectation: Expectation::baseline(&earlier)?,
            })
        })
        .collect()
}

fn kind_belief(id: &str, kind: &str, metric: &str, direction: Direction) -> Belief {
    Belief {
        id: id.to_owned(),
        statement: format!("{kind} {metric} {direction:?} the channel's usual"),
        selector: Selector {
            kinds: vec![kind.to_owned()],
            ..Selector::default()
        },
        metric: metric.to_owned(),
        direction,
    }
}

#[test]
fn beliefs_follow_the_planted_type_effects() {
    // Thirty artifacts a week for three years (≈ 4,700): a ×0.8 effect is about a fifth of a
    // standard deviation of a channel's spread, so it takes a few hundred outcomes to show.
    let h = simulate_artifacts(&ArtifactSimConfig {
        per_week: 30.0,
        ..ArtifactSimConfig::default()
    })
    .unwrap();
    let records = h.records();
    let impressions = baseline_outcomes(&records, "impressions");
    let conversions = baseline_outcomes(&records, "conversions");
    // Planted (see `simulate::artifacts`): a video's reach is ×1.4 times (120 s / length)^±0.3,
    // so short videos (60–180 s) reach ≈ ×1.3 their peers while all videos together are ≈ ×1.0;
    // a case study's reach is ×0.8 but it converts ×1.2·1.6 per impression (≈ ×1.5 conversions);
    // email is its channel's only type, so it is exactly its channel's usual.
    let short_videos = Belief {
        selector: Selector {
            kinds: vec!["Video".to_owned()],
            min_length: Some(60.0),
            max_length: Some(180.0),
            ..Selector::default()
        },
        ..kind_belief(
            "short-video-reach",
            "Video",
            "impressions",
            Direction::Above,
        )
    };
    let cases = [
        (short_videos, &impressions, Action::Reinforce),
        (
            kind_belief("case-reach", "Case study", "impressions", Direction::Above),
            &impressions,
            Action::Weaken,
        ),
        (
            kind_belief(
                "case-reach-low",
                "Case study",
                "impressions",
                Direction::Below,
            ),
            &impressions,
            Action::Reinforce,
        ),
        (
            kind_belief(
                "case-converts",
                "Case study",
                "conversions",
                Direction::Above,
            ),
            &conversions,
            Action::Reinforce,
        ),
        (
            kind_belief("email-reach", "Email", "impressions", Direction::Above),
            &impressions,
            Action::Hold,
        ),
    ];
    for (belief, outcomes, expected) in cases {
        let s = score_belief(&belief, outcomes);
        println!(
            "{}: score {:+.3} (95 % {:+.3} to {:+.3}) from {} outcomes → {:?}",
            belief.id, s.score, s.low, s.high, s.evidence, s.action
        );
        assert!(s.evidence > 20, "{}: {} outcomes", belief.id, s.evidence);
        assert_eq!(s.action, expected, "{}", belief.id);
        let total: f64 = s.movements.iter().map(|m| m.impact).sum();
        assert!((total - s.score).abs() < 1e-9);
    }
}

#[test]
fn ab_test_finds_a_planted_lift() {
    // Two arms of 20,000 exposures each with conversion rates 5 % and 6 % (a 20 % lift),
    // conversions drawn from a seeded binomial: the analysis names B with a CI that holds 20 %.
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
    let mut hits = 0;
    let mut covered = 0;
    let runs = 40;
    for _ in 0..runs {
        let draw = |p: f64, rng: &mut rand_chacha::ChaCha8Rng| {
            (0..20_000).filter(|_| rng.random::<f64>() < p).count() as u64
        };
        let (xa, xb) = (draw(0.05, &mut rng), draw(0.06, &mut rng));
        let test = AbTest {
            id: "t".into(),
            name: "t".into(),
            hypothesis: String::new(),
            attribute: "subject lines".into(),
            metric: "conversion rate".into(),
            kind: MetricKind::Rate,
            variants: vec![
                Variant {
                    name: "A".into(),
                    value: "short".into(),
                    exposures: 20_000,
                    successes: xa,
                    ..Variant::default()
                },
                Variant {
                    name: "B".into(),
                    value: "long".into(),
                    exposures: 20_000,
                    successes: xb,
                    ..Variant::default()
                },
            ],
            planned_per_variant: Some(20_000),
            split: Vec::new(),
            alpha: 0.05,
            min_lift: 0.1,
        };
        let a = analyse(&test, 1).unwrap();
        if a.verdict
            == (Verdict::Winner {
                variant: "B".into(),
            })
        {
            hits += 1;
        }
        let c = &a.comparisons[0];
        if c.low.unwrap() <= 0.2 && 0.2 <= c.high.unwrap() {
            covered += 1;
        }
    }
    println!("planted 20 % lift: B named winner in {hits}/{runs} runs; the 95 % CI held 20 % in {covered}/{runs}");
    // Power is about 99 % at this size; the interval's coverage about 95 %.
    assert!(hits >= 36, "{hits}");
    assert!(covered >= 34, "{covered}");
}
