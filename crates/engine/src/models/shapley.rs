//! Shapley value attribution (placeholder while the exact solver is written).

use super::AttributionResult;
use crate::journey::JourneySet;

pub fn attribute(_set: &JourneySet) -> AttributionResult {
    todo!()
}
