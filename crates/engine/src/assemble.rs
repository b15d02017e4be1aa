//! Journey assembly (being written).
