//! roi (being written).
