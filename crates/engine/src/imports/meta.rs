//! Meta (Facebook/Instagram) Ads Insights: the Graph API JSON response and a CSV of the same
//! fields (or the Ads Manager export).
//!
//! JSON: `{"data": [row, …], "paging": …}` or a bare array of rows. A row is an object with
//! scalar fields (`campaign_name`, `date_start`, `date_stop`, `impressions`, `clicks`, `spend`,
//! `account_currency`, …; numbers may be strings) and action lists
//! (`actions`, `action_values`, `conversions`, `conversion_values`: `[{action_type, value}]`).
//! Each action becomes a column `actions:<action_type>` (JSON path
//! `/data/<i>/actions[action_type=<type>]/value`); the column set is every key seen in any row.
//! CSV: the same names as headers, actions flattened as `actions:lead`, `actions.lead` or
//! `actions_lead` (all normalise to `actions_lead`); or the Ads Manager headers
//! (`Campaign name`, `Reporting starts`, `Reporting ends`, `Amount spent (EUR)`, `Leads`, …).
//!
//! Recognised by `date_start` (or `campaign_name` with `spend`/`impressions`) in JSON rows, and by
//! a CSV header with a campaign, `date_start`/`Reporting starts` and `spend`/`Amount spent …`.
//!
//! | field | keys (normalised, in order of preference) | unit |
//! |---|---|---|
//! | date, end date | `date_start`, `reporting_starts`, `day`, `date`; `date_stop`, `reporting_ends` | days, inclusive |
//! | campaign | `campaign_name`, `campaign` | |
//! | currency | `account_currency`, `currency`; else the `(EUR)` of `Amount spent (EUR)` | |
//! | URL | `url_tags`, `website_url`, `link`, `link_url` | |
//! | `ad_impressions` | `impressions` | count |
//! | `ad_clicks` | `clicks`, `inline_link_clicks`, `link_clicks`, `clicks_all`, and only when none of those exists `actions:link_click` | count |
//! | `cost` | `spend`, `amount_spent*` | currency |
//! | `ctr`, `cpc` | `ctr`, `ctr_all`; `cpc`, `cpc_all` | percent; currency |
//! | `form_fills` | `actions:lead`, `actions:onsite_conversion.lead_grouped`, `actions:offsite_conversion.fb_pixel_lead`, `leads` | count |
//! | `purchases` | `actions:purchase`, `actions:offsite_conversion.fb_pixel_purchase`, `actions:omni_purchase`, `purchases` | count |
//! | `signups` | `actions:complete_registration`, `actions:offsite_conversion.fb_pixel_complete_registration`, `registrations_completed` | count |
//! | `revenue` | `action_values:purchase`, `action_values:offsite_conversion.fb_pixel_purchase`, `action_values:omni_purchase`, `purchases_conversion_value` | currency |
//!
//! `purchase` is preferred to the pixel-specific type because Meta reports both for the same
//! purchases (summing them would double count). Meta's `ctr` is already a percentage. Rows carry
//! only a campaign: matching uses the implied `facebook` / `paid_social`.

use serde_json::{Map, Value};

use super::table::{
    build_import, csv_table, json_objects_table, no_event_metrics, norm, parse_json, pointer_key,
    scalar, Flat, Reading, Scale, Spec, F,
};
use super::{Container, Import, ImportError, ImportOptions, Platform};

pub(crate) const SPECS: &[Spec] = &[
    (F::Date, &["date_start", "reporting_starts", "day", "date"]),
    (F::DateEnd, &["date_stop", "reporting_ends"]),
    (F::Campaign, &["campaign_name", "campaign", "campaign_id"]),
    (F::Currency, &["account_currency", "currency"]),
    (F::Url, &["url_tags", "website_url", "link", "link_url"]),
    (F::Metric("ad_impressions"), &["impressions"]),
    (
        F::Metric("ad_clicks"),
        &[
            "clicks",
            "inline_link_clicks",
            "link_clicks",
            "clicks_all",
            "actions_link_click",
        ],
    ),
    (F::Metric("cost"), &["spend", "amount_spent*"]),
    (F::Metric("ctr"), &["ctr", "ctr_all"]),
    (F::Metric("cpc"), &["cpc", "cpc_all"]),
    (
        F::Metric("form_fills"),
        &[
            "actions_lead",
            "actions_onsite_conversion_lead_grouped",
            "actions_offsite_conversion_fb_pixel_lead",
            "leads",
        ],
    ),
    (
        F::Metric("purchases"),
        &[
            "actions_purchase",
            "actions_offsite_conversion_fb_pixel_purchase",
            "actions_omni_purchase",
            "purchases",
        ],
    ),
    (
        F::Metric("signups"),
        &[
            "actions_complete_registration",
            "actions_offsite_conversion_fb_pixel_complete_registration",
            "registrations_completed",
        ],
    ),
    (
        F::Metric("revenue"),
        &[
            "action_values_purchase",
            "action_values_offsite_conversion_fb_pixel_purchase",
            "action_values_omni_purchase",
            "purchases_conversion_value",
            "purchase_conversion_value",
        ],
    ),
];

fn scale(_: &str) -> Scale {
    Scale::One
}

/// Keys of a JSON insights row (normalised).
pub(crate) fn is_insight_keys(k: &[String]) -> bool {
    let has = |n: &str| k.iter().any(|x| x == n);
    has("date_start") || (has("campaign_name") && (has("spend") || has("impressions")))
}

/// A CSV header (normalised).
pub(crate) fn is_header(h: &[String]) -> bool {
    let has = |n: &str| h.iter().any(|x| x == n);
    (has("campaign_name") || has("campaign"))
        && (has("date_start") || has("reporting_starts"))
        && (has("spend") || has("impressions") || h.iter().any(|x| x.starts_with("amount_spent")))
}

const ACTION_LISTS: [&str; 4] = [
    "actions",
    "action_values",
    "conversions",
    "conversion_values",
];

fn flatten(o: &Map<String, Value>) -> Flat {
    let mut out = Vec::new();
    // Sorted keys: the same column order whether or not serde_json preserves key order.
    let mut entries: Vec<(&String, &Value)> = o.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    for (k, v) in entries {
        match v {
            Value::Array(items) if ACTION_LISTS.contains(&k.as_str()) => {
                for a in items.iter().filter_map(Value::as_object) {
                    let Some(t) = a.get("action_type").and_then(Value::as_str) else {
                        continue;
                    };
                    out.push((
                        format!("{k}:{t}"),
                        format!("/{}[action_type={t}]/value", pointer_key(k)),
                        a.get("value").and_then(scalar),
                    ));
                }
            }
            _ => {
                if let Some(s) = scalar(v) {
                    out.push((k.clone(), format!("/{}", pointer_key(k)), Some(s)));
                } else if v.is_null() {
                    out.push((k.clone(), format!("/{}", pointer_key(k)), None));
                }
            }
        }
    }
    out
}

/// `EUR` from a header like `Amount spent (EUR)`.
fn currency_in_header(headers: &[String]) -> Option<String> {
    headers
        .iter()
        .filter(|h| norm(h).starts_with("amount_spent"))
        .find_map(|h| {
            let inner = h.split_once('(')?.1.split_once(')')?.0.trim();
            (inner.len() == 3 && inner.bytes().all(|c| c.is_ascii_alphabetic()))
                .then(|| inner.to_ascii_uppercase())
        })
}

/// Parse Meta Ads Insights, JSON or CSV (decided by the first non-blank byte).
pub fn parse(bytes: &[u8], opts: &ImportOptions) -> Result<Import, ImportError> {
    let t = crate::parse::csv::strip_bom(bytes).trim_ascii_start();
    let (table, format) = if matches!(t.first(), Some(b'{' | b'[')) {
        let v = parse_json(bytes)?;
        let (pointer, items) = match &v {
            Value::Array(items) => ("", items),
            Value::Object(o) => match o.get("data") {
                Some(Value::Array(items)) => ("/data", items),
                _ => {
                    return Err(ImportError::JsonShape {
                        platform: Platform::MetaAdsInsights,
                        path: "/data".to_owned(),
                        expected: "an array of insights rows".to_owned(),
                    })
                }
            },
            _ => {
                return Err(ImportError::JsonShape {
                    platform: Platform::MetaAdsInsights,
                    path: String::new(),
                    expected: "an object with \"data\" or an array of rows".to_owned(),
                })
            }
        };
        (
            json_objects_table(pointer, items, &flatten),
            Container::Json,
        )
    } else {
        (
            csv_table(bytes, opts, &is_header, &|_| false)?,
            Container::Csv,
        )
    };
    let currency = currency_in_header(&table.headers);
    build_import(
        table,
        &Reading {
            platform: Platform::MetaAdsInsights,
            format,
            specs: SPECS,
            scale: &scale,
            required: &[],
            event_metrics: &no_event_metrics,
            currency,
        },
        opts,
    )
}
