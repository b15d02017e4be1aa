//! Reusable widgets, one per file.

pub mod banners;
pub mod roi;
