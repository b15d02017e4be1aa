//! Reusable widgets, one per file.

pub mod banners;
pub mod chart;
pub mod entry_trends;
pub mod roi;
