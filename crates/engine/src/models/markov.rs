//! Markov chain removal effect (placeholder while the exact solver is written).

use super::AttributionResult;
use crate::journey::JourneySet;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct MarkovDetails {}

pub fn attribute(_set: &JourneySet, _order: u8) -> AttributionResult {
    todo!()
}
