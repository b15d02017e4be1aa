//! One module per route.

pub mod ab_tests;
pub mod alerts;
pub mod attribution;
pub mod beliefs;
pub mod calendar;
pub mod connections;
pub mod creators;
pub mod dashboards;
pub mod entry_detail;
pub mod entry_form;
pub mod home;
pub mod import;
pub mod insights;
pub mod journeys;
pub mod not_found;
pub mod settings;
