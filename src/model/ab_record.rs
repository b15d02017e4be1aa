//! A recorded A/B test (engine `abtest::AbTest`) with the user's decision on the belief update
//! its insight proposes; stored in `Workspace.ab_tests`.

use refleqt_engine::abtest::AbTest;
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
