//! Google Ads campaign reports (CSV): API field names (`segments.date`, `metrics.cost_micros`,
//! as written by the Google Ads API, scripts and the BigQuery Data Transfer) and the UI export
//! (`Campaign`, `Day`, `Impr.`, `Cost`, `Conv. value`, with title lines above the header and
//! `Total: …` rows below the data).
//!
//! Recognised by a header with a `metrics.*` or `segments.date` column, or with `Campaign`,
//! `Impr.`/`Impressions` and `Cost`.
//!
//! | field | headers (normalised, in order of preference) | unit |
//! |---|---|---|
//! | date | `segments_date`, `day`, `date` | day |
//! | month (when no day) | `segments_month`, `month` | whole month |
//! | campaign | `campaign_name`, `campaign` | |
//! | currency | `customer_currency_code`, `currency_code`, `currency` | |
//! | URL | `ad_group_ad_ad_final_urls`, `final_url`, `final_urls`, `campaign_final_url_suffix`, `final_url_suffix`, `landing_page` | |
//! | `ad_impressions` | `metrics_impressions`, `impressions`, `impr` | count |
//! | `ad_clicks` | `metrics_clicks`, `clicks` | count |
//! | `cost` | `metrics_cost_micros` (÷ 1,000,000), `cost`, `metrics_cost` | currency |
//! | `ad_conversions` | `metrics_conversions`, `conversions` | count |
//! | `revenue` | `metrics_conversions_value`, `conversions_value`, `conv_value`, `total_conv_value` | currency |
//! | `ctr` | `metrics_ctr` (a fraction, ×100), `ctr` (`5.12%`) | percent |
//! | `cpc` | `metrics_average_cpc` (micros), `avg_cpc` | currency |
//!
//! Any header ending in `micros` is divided by 1,000,000. A row whose first non-empty cell
//! starts with `Total` (`Total: Account`, `Total: Campaigns`) is a summary row and skipped.
//! Rows carry only a campaign: matching uses the implied `google` / `cpc`
//! ([`Platform::implied_source_medium`]).

use super::table::{build_import, csv_table, no_event_metrics, norm, Reading, Scale, Spec, F};
use super::{Container, Import, ImportError, ImportOptions, Platform};

pub(crate) const SPECS: &[Spec] = &[
    (F::Date, &["segments_date", "day", "date"]),
    (F::Month, &["segments_month", "month"]),
    (F::Campaign, &["campaign_name", "campaign"]),
    (
        F::Currency,
        &["customer_currency_code", "currency_code", "currency"],
    ),
    (
        F::Url,
        &[
            "ad_group_ad_ad_final_urls",
            "final_url",
            "final_urls",
            "campaign_final_url_suffix",
            "final_url_suffix",
            "landing_page",
        ],
    ),
    (
        F::Metric("ad_impressions"),
        &["metrics_impressions", "impressions", "impr"],
    ),
    (F::Metric("ad_clicks"), &["metrics_clicks", "clicks"]),
    (
        F::Metric("cost"),
        &["metrics_cost_micros", "cost", "metrics_cost"],
    ),
    (
        F::Metric("ad_conversions"),
        &["metrics_conversions", "conversions"],
    ),
    (
        F::Metric("revenue"),
        &[
            "metrics_conversions_value",
            "conversions_value",
            "conv_value",
            "total_conv_value",
        ],
    ),
    (F::Metric("ctr"), &["metrics_ctr", "ctr"]),
    (F::Metric("cpc"), &["metrics_average_cpc", "avg_cpc"]),
];

pub(crate) fn scale(header: &str) -> Scale {
    if header.ends_with("micros") || header == "metrics_average_cpc" {
        Scale::Micros
    } else if header == "metrics_ctr" {
        Scale::FractionToPercent
    } else {
        Scale::One
    }
}

pub(crate) fn is_api_header(h: &[String]) -> bool {
    let campaign = h.iter().any(|x| x == "campaign_name" || x == "campaign");
    campaign
        && h.iter()
            .any(|x| x.starts_with("metrics_") || x == "segments_date")
}

pub(crate) fn is_ui_header(h: &[String]) -> bool {
    h.iter().any(|x| x == "campaign")
        && h.iter().any(|x| x == "impr" || x == "impressions")
        && h.iter().any(|x| x == "cost")
}

fn is_header(h: &[String]) -> bool {
    is_api_header(h) || is_ui_header(h)
}

/// `Total: Account`, `Total: Campaigns`, … in the first non-empty cell.
fn is_summary(cells: &[Option<String>]) -> bool {
    cells
        .iter()
        .filter_map(|c| c.as_deref())
        .map(str::trim)
        .find(|c| !c.is_empty())
        .is_some_and(|c| {
            let n = norm(c);
            n == "total" || n.starts_with("total_")
        })
}

/// Parse a Google Ads report CSV.
pub fn parse(bytes: &[u8], opts: &ImportOptions) -> Result<Import, ImportError> {
    let table = csv_table(bytes, opts, &is_header, &is_summary)?;
    build_import(
        table,
        &Reading {
            platform: Platform::GoogleAdsCsv,
            format: Container::Csv,
            specs: SPECS,
            scale: &scale,
            required: &[F::Campaign],
            event_metrics: &no_event_metrics,
            currency: None,
        },
        opts,
    )
}
