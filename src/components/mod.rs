//! Reusable widgets, one per file.

pub mod banners;
pub mod channel_mapping;
pub mod chart;
pub mod entry_trends;
pub mod roi;
pub mod utm_builder;
