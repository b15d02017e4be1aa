//! utm (being written).
