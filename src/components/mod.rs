//! Reusable widgets, one per file.

pub mod banners;
pub mod belief_rows;
pub mod calendar_grid;
pub mod channel_mapping;
pub mod chart;
pub mod confirm_delete;
pub mod dataset_list;
pub mod entry_trends;
pub mod import_preview;
pub mod predicted;
pub mod roi;
pub mod storage_panel;
pub mod update_banner;
pub mod utm_builder;
