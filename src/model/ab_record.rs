//! A recorded A/B test (engine `abtest::AbTest`) with the user's decision on the belief update
//! its insight proposes; stored in `Workspace.ab_tests`. The form, the variants CSV and the
//! decisions live in `model::ab_edit`.

use refleqt_engine::abtest::{analyse_default, AbTest, Analysis, MetricKind as TestKind, Variant};
use serde::{Deserialize, Serialize};

/// An A/B test the user recorded, with their answer to its insight's proposed belief update.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AbTestRecord {
    pub test: AbTest,
    /// Unset until the user accepts or rejects the proposal of a conclusive test.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<ProposalDecision>,
}

/// What the user did with an A/B insight's proposed belief update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ProposalDecision {
    /// Accepted: the belief (new or updated) has this id.
    Accepted {
        belief: String,
    },
    Rejected,
}

impl AbTestRecord {
    /// The engine's analysis of the test, with the seed the training-context export uses too.
    pub fn analysis(&self) -> Result<Analysis, refleqt_engine::abtest::AbError> {
        analyse_default(&self.test)
    }
}

/// The demo workspace's test: a newsletter subject line written as a question against a
/// statement, at its planned sample, conclusive.
pub fn demo_ab_test() -> AbTestRecord {
    let variant = |name: &str, value: &str, successes: u64| Variant {
        name: name.to_owned(),
        value: value.to_owned(),
        entries: Vec::new(),
        exposures: 4_000,
        successes,
        ..Variant::default()
    };
    AbTestRecord {
        test: AbTest {
            id: "test-1".to_owned(),
            name: "Newsletter subject lines".to_owned(),
            hypothesis: "A question in the subject line makes more readers click".to_owned(),
            attribute: "subject lines".to_owned(),
            metric: "Email clicks".to_owned(),
            kind: TestKind::Rate,
            variants: vec![
                variant("A", "statement", 320),
                variant("B", "question", 400),
            ],
            planned_per_variant: Some(4_000),
            split: Vec::new(),
            alpha: 0.05,
            min_lift: 0.10,
        },
        decision: None,
    }
}
