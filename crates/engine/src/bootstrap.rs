//! bootstrap (being written).
