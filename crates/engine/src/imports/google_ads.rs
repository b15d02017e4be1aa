//! Google Ads campaign reports: API field names in CSV (`segments.date`, `metrics.cost_micros`,
//! as written by the Google Ads API, scripts, the BigQuery Data Transfer and warehouse
//! connectors such as Fivetran's `cost_micros` tables), the API's `search` / `searchStream`
//! JSON, and the UI export (`Campaign`, `Day`, `Impr.`, `Cost`, `Conv. value`, with title lines
//! above the header — the date-range line among them — and `Total: …` rows below the data).
//!
//! Recognised by a header with a `metrics.*`, `segments.date` or `…cost_micros` column, or with
//! `Campaign`, `Impr.`/`Impressions` and `Cost`; JSON by `results: [{metrics: {…}}]` (one
//! `search` page, or the array of batches `searchStream` writes).
//!
//! JSON rows are flattened with dots and camelCase keys written in snake case
//! (`{"metrics": {"costMicros": "1"}}` → `metrics.cost_micros`, JSON path
//! `/results/<i>/metrics/costMicros`; rows of later `searchStream` batches continue the
//! numbering). A campaign is not required: rows with only a campaign id, or none (account
//! level), are imported and left for assigning by hand when nothing matches them.
//!
//! | field | headers (normalised, in order of preference) | unit |
//! |---|---|---|
//! | date | `segments_date`, `day`, `date` | day |
//! | month (when no day) | `segments_month`, `month` | whole month |
//! | campaign | `campaign_name`, `campaign`, `campaign_id`, `campaign_resource_name` | |
//! | currency | `customer_currency_code`, `currency_code`, `currency` | |
//! | URL | `ad_group_ad_ad_final_urls`, `final_url`, `final_urls`, `campaign_final_url_suffix`, `final_url_suffix`, `landing_page` | |
//! | `ad_impressions` | `metrics_impressions`, `impressions`, `impr` | count |
//! | `ad_clicks` | `metrics_clicks`, `clicks` | count |
//! | `cost` | `metrics_cost_micros`, `cost_micros` (÷ 1,000,000), `cost`, `metrics_cost` | currency |
//! | `ad_conversions` | `metrics_conversions`, `conversions` | count |
//! | `revenue` | `metrics_conversions_value`, `conversions_value`, `conv_value`, `total_conv_value` | currency |
//! | `ctr` | `metrics_ctr` (a fraction, ×100), `ctr` (`5.12%`) | percent |
//! | `cpc` | `metrics_average_cpc` (micros), `avg_cpc` | currency |
//!
//! Any header ending in `micros` is divided by 1,000,000. A row whose first non-empty cell
//! starts with `Total` (`Total: Account`, `Total: Campaigns`) is a summary row and skipped.
//! Rows carry only a campaign: matching uses the implied `google` / `cpc`
//! ([`Platform::implied_source_medium`]).

use serde_json::{Map, Value};

use super::table::{
    build_import, csv_table, json_objects_table, no_event_metrics, norm, parse_json, pointer_key,
    scalar, Flat, Reading, Scale, Spec, F,
};
use super::{Container, Import, ImportError, ImportOptions, Platform};

pub(crate) const SPECS: &[Spec] = &[
    (F::Date, &["segments_date", "day", "date"]),
    (F::Month, &["segments_month", "month"]),
    (
        F::Campaign,
        &[
            "campaign_name",
            "campaign",
            "campaign_id",
            "campaign_resource_name",
        ],
    ),
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
        &["metrics_cost_micros", "cost_micros", "cost", "metrics_cost"],
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
    let campaign = h
        .iter()
        .any(|x| x == "campaign_name" || x == "campaign" || x == "campaign_id");
    (campaign
        && h.iter()
            .any(|x| x.starts_with("metrics_") || x == "segments_date"))
        || h.iter().any(|x| x.ends_with("cost_micros"))
}

/// Keys of one `search` / `searchStream` result row (normalised): a `metrics` object with
/// `segments` or a `campaign` / `customer` object.
pub(crate) fn is_result_keys(k: &[String]) -> bool {
    let has = |n: &str| k.iter().any(|x| x == n);
    has("metrics") && (has("segments") || has("campaign") || has("customer"))
}

/// Whether a JSON value is a `search` page (`{results: [...]}`) or a `searchStream` response
/// (an array of them).
pub(crate) fn is_search_json(v: &Value) -> bool {
    let page = |p: &Value| {
        p.get("results")
            .and_then(Value::as_array)
            .and_then(|r| r.first())
            .and_then(Value::as_object)
            .is_some_and(|o| is_result_keys(&o.keys().map(|k| norm(k)).collect::<Vec<_>>()))
    };
    match v {
        Value::Array(batches) => batches.iter().any(page),
        Value::Object(_) => page(v),
        _ => false,
    }
}

/// `costMicros` → `cost_micros`.
fn snake(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    for c in key.chars() {
        if c.is_ascii_uppercase() {
            if !out.is_empty() {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// A result row, flattened with dots (see the module documentation).
fn flatten_result(o: &Map<String, Value>) -> Flat {
    fn walk(prefix: &str, pointer: &str, o: &Map<String, Value>, out: &mut Flat) {
        let mut entries: Vec<(&String, &Value)> = o.iter().collect();
        entries.sort_by(|a, b| a.0.cmp(b.0));
        for (k, v) in entries {
            let name = if prefix.is_empty() {
                snake(k)
            } else {
                format!("{prefix}.{}", snake(k))
            };
            let ptr = format!("{pointer}/{}", pointer_key(k));
            match v {
                Value::Object(inner) => walk(&name, &ptr, inner, out),
                Value::Null => out.push((name, ptr, None)),
                _ => {
                    if let Some(s) = scalar(v) {
                        out.push((name, ptr, Some(s)));
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    walk("", "", o, &mut out);
    out
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

/// Parse a Google Ads report: CSV, or the API's JSON (decided by the first non-blank byte).
pub fn parse(bytes: &[u8], opts: &ImportOptions) -> Result<Import, ImportError> {
    let t = crate::parse::csv::strip_bom(bytes).trim_ascii_start();
    let (table, format) = if matches!(t.first(), Some(b'{' | b'[')) {
        let v = parse_json(bytes)?;
        let shape = || ImportError::JsonShape {
            platform: Platform::GoogleAdsCsv,
            path: "/results".to_owned(),
            expected: "a search response ({\"results\": [...]}) or a searchStream array of them"
                .to_owned(),
        };
        let pages: Vec<&Value> = match &v {
            Value::Array(batches) => batches.iter().collect(),
            Value::Object(_) => vec![&v],
            _ => return Err(shape()),
        };
        let mut items: Vec<Value> = Vec::new();
        for p in pages {
            match p.get("results") {
                Some(Value::Array(r)) => items.extend(r.iter().cloned()),
                None | Some(Value::Null) => {}
                Some(_) => return Err(shape()),
            }
        }
        (
            json_objects_table("/results", &items, &flatten_result),
            Container::Json,
        )
    } else {
        (
            csv_table(bytes, opts, &is_header, &is_summary)?,
            Container::Csv,
        )
    };
    build_import(
        table,
        &Reading {
            platform: Platform::GoogleAdsCsv,
            format,
            specs: SPECS,
            scale: &scale,
            required: &[],
            event_metrics: &no_event_metrics,
            currency: None,
        },
        opts,
    )
}
