//! Recording A/B tests and deciding on their insights: the test form (`AbForm` → engine
//! `abtest::AbTest`, errors in words), the variants CSV (`variant,value,exposures,successes`
//! and, for means, `mean,sd`), and accepting or rejecting a conclusive test's proposed belief
//! update. Accepting records the test on the belief that already speaks about the same artifacts
//! (equal selector), metric and direction, or creates a belief about artifacts tagged with the
//! winning value as a topic; the decision is stored in `AbTestRecord.decision`.

use super::ab_record::{AbTestRecord, ProposalDecision};
use super::belief_edit::same_selector;
use super::metric::{parse_number_in, MetricKind};
use super::workspace::Workspace;
use refleqt_engine::abtest::{analyse, AbTest, MetricKind as TestKind, Variant};
use refleqt_engine::beliefs::{Belief, Selector};
use refleqt_engine::number::DecimalMark;

/// One variant as the form holds it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VariantForm {
    pub name: String,
    pub value: String,
    pub exposures: String,
    pub successes: String,
    pub mean: String,
    pub sd: String,
    /// Calendar entry ids, comma-separated.
    pub entries: String,
}

/// A test as the form holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct AbForm {
    pub name: String,
    pub hypothesis: String,
    pub attribute: String,
    pub metric: String,
    pub kind: TestKind,
    pub planned: String,
    pub variants: Vec<VariantForm>,
}

impl Default for AbForm {
    fn default() -> Self {
        AbForm {
            name: String::new(),
            hypothesis: String::new(),
            attribute: String::new(),
            metric: String::new(),
            kind: TestKind::Rate,
            planned: String::new(),
            variants: vec![VariantForm::default(), VariantForm::default()],
        }
    }
}

fn count(text: &str, what: &str, variant: &str, mark: DecimalMark) -> Result<u64, String> {
    let x = parse_number_in(text, mark)
        .map_err(|e| format!("Variant \u{201c}{variant}\u{201d}: {what} is not a number ({e})."))?;
    if !(x >= 0.0 && x.fract() == 0.0 && x < 1e15) {
        return Err(format!(
            "Variant \u{201c}{variant}\u{201d}: {what} must be a whole number, 0 or more."
        ));
    }
    Ok(x as u64)
}

fn real(text: &str, what: &str, variant: &str, mark: DecimalMark) -> Result<f64, String> {
    parse_number_in(text, mark)
        .map_err(|e| format!("Variant \u{201c}{variant}\u{201d}: {what} is not a number ({e})."))
}

impl AbForm {
    /// The test with id `id`; linked entries must be among `entry_ids`. Errors in a sentence.
    pub fn parse(&self, id: &str, entry_ids: &[u64], mark: DecimalMark) -> Result<AbTest, String> {
        if self.name.trim().is_empty() {
            return Err("Give the test a name.".into());
        }
        if self.metric.trim().is_empty() {
            return Err("Name the metric the test measures (for example Email clicks).".into());
        }
        if self.variants.len() < 2 {
            return Err("A test needs at least two variants.".into());
        }
        let planned = if self.planned.trim().is_empty() {
            None
        } else {
            Some(
                count(&self.planned, "the planned sample", "all", mark).map_err(|_| {
                    "The planned sample per variant must be a whole number (or left empty)."
                        .to_owned()
                })?,
            )
        };
        let mut variants = Vec::with_capacity(self.variants.len());
        for (i, v) in self.variants.iter().enumerate() {
            let name = if v.name.trim().is_empty() {
                return Err(format!("Variant {} has no name.", i + 1));
            } else {
                v.name.trim().to_owned()
            };
            if variants.iter().any(|w: &Variant| w.name == name) {
                return Err(format!("Two variants are called \u{201c}{name}\u{201d}."));
            }
            let mut entries = Vec::new();
            for part in v
                .entries
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
            {
                let known = part.parse::<u64>().ok().filter(|n| entry_ids.contains(n));
                match known {
                    Some(n) => entries.push(n.to_string()),
                    None => {
                        return Err(format!(
                            "Variant \u{201c}{name}\u{201d}: there is no calendar entry {part}."
                        ))
                    }
                }
            }
            let exposures_word = match self.kind {
                TestKind::Rate => "exposures",
                TestKind::Mean => "the number of observations",
            };
            let mut out = Variant {
                name: name.clone(),
                value: v.value.trim().to_owned(),
                entries,
                exposures: count(&v.exposures, exposures_word, &name, mark)?,
                ..Variant::default()
            };
            match self.kind {
                TestKind::Rate => {
                    out.successes = count(&v.successes, "conversions", &name, mark)?;
                    if out.successes > out.exposures {
                        return Err(format!(
                            "Variant \u{201c}{name}\u{201d} has more conversions than exposures."
                        ));
                    }
                }
                TestKind::Mean => {
                    out.mean = real(&v.mean, "the mean", &name, mark)?;
                    out.sd = real(&v.sd, "the standard deviation", &name, mark)?;
                    if out.sd < 0.0 {
                        return Err(format!(
                            "Variant \u{201c}{name}\u{201d}: the standard deviation cannot be negative."
                        ));
                    }
                }
            }
            variants.push(out);
        }
        let test = AbTest {
            id: id.to_owned(),
            name: self.name.trim().to_owned(),
            hypothesis: self.hypothesis.trim().to_owned(),
            attribute: self.attribute.trim().to_owned(),
            metric: self.metric.trim().to_owned(),
            kind: self.kind,
            variants,
            planned_per_variant: planned,
            split: Vec::new(),
            alpha: 0.05,
            min_lift: 0.10,
        };
        analyse(&test, 1).map_err(|e| format!("This test cannot be analysed: {e}."))?;
        Ok(test)
    }
}

/// Why a variants CSV was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum VariantCsvError {
    #[error("the file is empty")]
    Empty,
    #[error("the header must start variant,value,exposures,successes (then mean,sd for means); it is \u{201c}{0}\u{201d}")]
    Header(String),
    #[error("line {0}: {1}")]
    Line(usize, String),
    #[error("a test needs at least two variants; the file has {0}")]
    TooFew(usize),
}

/// Read a small variants CSV — `variant,value,exposures,successes[,mean,sd]`, one variant a line,
/// the header first — into the form's variants (text as written, checked as numbers here).
/// A file with `mean` and `sd` columns is a test of means (`exposures` is then the number of
/// observations and `successes` may be empty).
pub fn parse_variants_csv(text: &str) -> Result<(TestKind, Vec<VariantForm>), VariantCsvError> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines.next().ok_or(VariantCsvError::Empty)?;
    let head: Vec<String> = header
        .trim_start_matches('\u{feff}')
        .split(',')
        .map(|h| h.trim().to_lowercase())
        .collect();
    let base = ["variant", "value", "exposures", "successes"];
    let ok_base = head.len() >= 4 && head[..4] == base;
    let kind = match head.len() {
        4 if ok_base => TestKind::Rate,
        6 if ok_base && head[4] == "mean" && head[5] == "sd" => TestKind::Mean,
        _ => return Err(VariantCsvError::Header(header.trim().to_owned())),
    };
    let mut out = Vec::new();
    for (i, line) in lines {
        let n = i + 1;
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        if cells.len() != head.len() {
            return Err(VariantCsvError::Line(
                n,
                format!("{} cells where the header has {}", cells.len(), head.len()),
            ));
        }
        if cells[0].is_empty() {
            return Err(VariantCsvError::Line(n, "the variant has no name".into()));
        }
        let whole = |c: &str, what: &str, required: bool| -> Result<(), VariantCsvError> {
            if c.is_empty() && !required {
                return Ok(());
            }
            c.parse::<u64>().map(|_| ()).map_err(|_| {
                VariantCsvError::Line(
                    n,
                    format!("{what} \u{201c}{c}\u{201d} is not a whole number"),
                )
            })
        };
        whole(cells[2], "exposures", true)?;
        whole(cells[3], "successes", kind == TestKind::Rate)?;
        if kind == TestKind::Mean {
            for (c, what) in [(cells[4], "mean"), (cells[5], "sd")] {
                if c.parse::<f64>().map_or(true, |x| !x.is_finite()) {
                    return Err(VariantCsvError::Line(
                        n,
                        format!("{what} \u{201c}{c}\u{201d} is not a number"),
                    ));
                }
            }
        }
        out.push(VariantForm {
            name: cells[0].to_owned(),
            value: cells[1].to_owned(),
            exposures: cells[2].to_owned(),
            successes: cells[3].to_owned(),
            mean: cells.get(4).map(|c| (*c).to_owned()).unwrap_or_default(),
            sd: cells.get(5).map(|c| (*c).to_owned()).unwrap_or_default(),
            entries: String::new(),
        });
    }
    if out.len() < 2 {
        return Err(VariantCsvError::TooFew(out.len()));
    }
    Ok((kind, out))
}

/// What accepting a proposal did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accepted {
    /// A new belief with this id.
    Created(String),
    /// The evidence was recorded on the existing belief with this id (same selector, metric and
    /// direction).
    Recorded(String),
}

/// Why a proposal could not be accepted or rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DecisionError {
    #[error("there is no such test")]
    NoTest,
    #[error("this test has no conclusive insight to accept")]
    NotConclusive,
    #[error("this test's proposal was already decided")]
    AlreadyDecided,
}

/// The catalog key for a test's metric name when it names a catalog metric (by key or label,
/// case-insensitively), else the name as written.
pub fn belief_metric(name: &str) -> String {
    let t = name.trim();
    MetricKind::ALL
        .into_iter()
        .find(|m| m.key().eq_ignore_ascii_case(t) || m.label().eq_ignore_ascii_case(t))
        .map(|m| m.key().to_owned())
        .unwrap_or_else(|| t.to_owned())
}

/// The belief a conclusive test proposes: it speaks about artifacts tagged with the winning
/// value as a topic (the variant's name when it has no value).
pub fn proposed_belief(record: &AbTestRecord, id: &str) -> Option<Belief> {
    let analysis = record.analysis().ok()?;
    let insight = analysis.insight?;
    let p = insight.proposal;
    let tag = if p.winner.trim().is_empty() {
        match analysis.verdict {
            refleqt_engine::abtest::Verdict::Winner { variant } => variant,
            _ => return None,
        }
    } else {
        p.winner.trim().to_owned()
    };
    Some(Belief {
        id: id.to_owned(),
        statement: p.statement,
        selector: Selector {
            topics: vec![tag],
            ..Selector::default()
        },
        metric: belief_metric(&p.metric),
        direction: p.direction,
    })
}

impl Workspace {
    /// An id no test of the workspace has (`test-1`, …).
    pub fn new_ab_test_id(&self) -> String {
        (1..)
            .map(|n: u64| format!("test-{n}"))
            .find(|id| self.ab_tests.iter().all(|t| t.test.id != *id))
            .unwrap_or_default()
    }

    /// Record a test, or replace the one with its id (its decision is kept only if unchanged).
    pub fn save_ab_test(&mut self, test: AbTest) {
        match self.ab_tests.iter_mut().find(|r| r.test.id == test.id) {
            Some(r) => {
                if r.test != test {
                    r.decision = None;
                }
                r.test = test;
            }
            None => self.ab_tests.push(AbTestRecord {
                test,
                decision: None,
            }),
        }
    }

    /// Delete a test; whether it was there. A belief it created stays.
    pub fn delete_ab_test(&mut self, id: &str) -> bool {
        let before = self.ab_tests.len();
        self.ab_tests.retain(|r| r.test.id != id);
        self.ab_tests.len() != before
    }

    /// Accept a conclusive test's proposed belief update: the evidence is recorded on the
    /// existing belief with the same selector, metric and direction, or a new belief is created.
    pub fn accept_proposal(&mut self, test_id: &str) -> Result<Accepted, DecisionError> {
        let new_id = self.new_belief_id();
        let record = self
            .ab_tests
            .iter()
            .find(|r| r.test.id == test_id)
            .ok_or(DecisionError::NoTest)?;
        if record.decision.is_some() {
            return Err(DecisionError::AlreadyDecided);
        }
        let proposed = proposed_belief(record, &new_id).ok_or(DecisionError::NotConclusive)?;
        let existing = self.beliefs.iter().find(|b| {
            same_selector(&b.selector, &proposed.selector)
                && b.metric.eq_ignore_ascii_case(&proposed.metric)
                && b.direction == proposed.direction
        });
        let outcome = match existing {
            Some(b) => Accepted::Recorded(b.id.clone()),
            None => {
                self.beliefs.push(proposed);
                Accepted::Created(new_id)
            }
        };
        let belief = match &outcome {
            Accepted::Created(id) | Accepted::Recorded(id) => id.clone(),
        };
        if let Some(r) = self.ab_tests.iter_mut().find(|r| r.test.id == test_id) {
            r.decision = Some(ProposalDecision::Accepted { belief });
        }
        Ok(outcome)
    }

    /// Reject a test's proposed belief update (nothing else changes).
    pub fn reject_proposal(&mut self, test_id: &str) -> Result<(), DecisionError> {
        let r = self
            .ab_tests
            .iter_mut()
            .find(|r| r.test.id == test_id)
            .ok_or(DecisionError::NoTest)?;
        if r.decision.is_some() {
            return Err(DecisionError::AlreadyDecided);
        }
        r.decision = Some(ProposalDecision::Rejected);
        Ok(())
    }

    /// The tests whose accepted proposal was recorded on (or created) this belief.
    pub fn tests_behind(&self, belief: &str) -> Vec<&AbTestRecord> {
        self.ab_tests
            .iter()
            .filter(|r| {
                matches!(&r.decision, Some(ProposalDecision::Accepted { belief: b }) if b == belief)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ab_record::demo_ab_test;
    use refleqt_engine::abtest::Verdict;
    use refleqt_engine::beliefs::Direction;

    fn rate_form(a: (&str, &str), b: (&str, &str)) -> AbForm {
        AbForm {
            name: "Headlines".into(),
            attribute: "headlines".into(),
            metric: "Email clicks".into(),
            planned: "1000".into(),
            variants: vec![
                VariantForm {
                    name: "A".into(),
                    value: "statement".into(),
                    exposures: a.0.into(),
                    successes: a.1.into(),
                    ..VariantForm::default()
                },
                VariantForm {
                    name: "B".into(),
                    value: "question".into(),
                    exposures: b.0.into(),
                    successes: b.1.into(),
                    entries: "3".into(),
                    ..VariantForm::default()
                },
            ],
            ..AbForm::default()
        }
    }

    #[test]
    fn the_form_makes_a_test_or_says_why_not() {
        let t = rate_form(("1,000", "100"), ("1000", "130"))
            .parse("test-1", &[3], DecimalMark::Point)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.variants[0].exposures, 1000);
        assert_eq!(t.variants[1].entries, vec!["3"]);
        assert_eq!(t.planned_per_variant, Some(1000));
        let bad = rate_form(("1000", "100"), ("100", "130")).parse("t", &[3], DecimalMark::Point);
        assert!(bad.is_err_and(|e| e.contains("more conversions than exposures")));
        let bad = rate_form(("1000", "1.5"), ("1000", "130")).parse("t", &[3], DecimalMark::Point);
        assert!(bad.is_err_and(|e| e.contains("whole number")));
        let bad = rate_form(("1000", "100"), ("1000", "130")).parse("t", &[], DecimalMark::Point);
        assert!(bad.is_err_and(|e| e.contains("no calendar entry 3")));
    }

    #[test]
    fn variants_csv_is_read_or_refused_with_the_line() {
        let (kind, v) = parse_variants_csv(
            "variant,value,exposures,successes\nA,statement,1000,100\nB,question,1000,130\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(kind, TestKind::Rate);
        assert_eq!(v.len(), 2);
        assert_eq!(v[1].successes, "130");
        let (kind, v) = parse_variants_csv(
            "variant,value,exposures,successes,mean,sd\nA,short,50,,12.5,4\nB,long,48,,14,4.2",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(kind, TestKind::Mean);
        assert_eq!(v[1].mean, "14");
        assert_eq!(parse_variants_csv(" \n"), Err(VariantCsvError::Empty));
        assert!(matches!(
            parse_variants_csv("name,exposures\nA,1"),
            Err(VariantCsvError::Header(_))
        ));
        assert_eq!(
            parse_variants_csv("variant,value,exposures,successes\nA,x,100,5\nB,y,lots,5"),
            Err(VariantCsvError::Line(
                3,
                "exposures \u{201c}lots\u{201d} is not a whole number".into()
            ))
        );
        assert!(matches!(
            parse_variants_csv("variant,value,exposures,successes\nA,x,100"),
            Err(VariantCsvError::Line(2, _))
        ));
        assert_eq!(
            parse_variants_csv("variant,value,exposures,successes\nA,x,100,5"),
            Err(VariantCsvError::TooFew(1))
        );
        let means = "variant,value,exposures,successes,mean,sd\nA,x,50,,abc,1\nB,y,50,,1,1";
        assert!(matches!(
            parse_variants_csv(means),
            Err(VariantCsvError::Line(2, _))
        ));
    }

    #[test]
    fn accepting_creates_a_belief_then_records_on_it() {
        let mut ws = Workspace::empty();
        ws.save_ab_test(demo_ab_test().test);
        let verdict = ws.ab_tests[0].analysis().map(|a| a.verdict);
        assert_eq!(
            verdict,
            Ok(Verdict::Winner {
                variant: "B".into()
            })
        );
        assert_eq!(
            ws.accept_proposal("test-1"),
            Ok(Accepted::Created("belief-1".into()))
        );
        let b = &ws.beliefs[0];
        assert_eq!(b.selector.topics, vec!["question"]);
        assert_eq!(b.metric, "clicks");
        assert_eq!(b.direction, Direction::Above);
        assert!(
            b.statement.contains("Question subject lines outperform"),
            "{}",
            b.statement
        );
        assert_eq!(
            ws.ab_tests[0].decision,
            Some(ProposalDecision::Accepted {
                belief: "belief-1".into()
            })
        );
        assert_eq!(
            ws.accept_proposal("test-1"),
            Err(DecisionError::AlreadyDecided)
        );
        // A second test with the same winner is recorded on the same belief.
        let mut again = demo_ab_test().test;
        again.id = "test-2".into();
        ws.save_ab_test(again);
        assert_eq!(
            ws.accept_proposal("test-2"),
            Ok(Accepted::Recorded("belief-1".into()))
        );
        assert_eq!(ws.beliefs.len(), 1);
        assert_eq!(ws.tests_behind("belief-1").len(), 2);
        // The decision survives the file.
        let text = serde_json::to_string(&ws.ab_tests).unwrap_or_default();
        let back: Vec<AbTestRecord> = serde_json::from_str(&text).unwrap_or_default();
        assert_eq!(back, ws.ab_tests);
    }

    #[test]
    fn inconclusive_tests_cannot_be_accepted_and_rejecting_is_kept() {
        let mut ws = Workspace::empty();
        let mut t = demo_ab_test().test;
        t.variants[1].successes = 321;
        ws.save_ab_test(t);
        assert_eq!(
            ws.accept_proposal("test-1"),
            Err(DecisionError::NotConclusive)
        );
        assert!(ws.beliefs.is_empty());
        assert_eq!(ws.reject_proposal("test-1"), Ok(()));
        assert_eq!(ws.ab_tests[0].decision, Some(ProposalDecision::Rejected));
        assert_eq!(ws.reject_proposal("nope"), Err(DecisionError::NoTest));
        // Editing the numbers clears the decision.
        let mut edited = ws.ab_tests[0].test.clone();
        edited.variants[1].successes = 400;
        ws.save_ab_test(edited);
        assert_eq!(ws.ab_tests[0].decision, None);
    }
}
