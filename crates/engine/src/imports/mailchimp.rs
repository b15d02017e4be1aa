//! Mailchimp campaign reports: both the Marketing API JSON and the CSV export are read.
//!
//! JSON: the `GET /reports` list `{"reports": [report, …], "total_items": n}` or one report object
//! (`GET /reports/{campaign_id}`). A report has scalars (`campaign_title`, `send_time`,
//! `emails_sent`, `unsubscribed`, …) and nested objects (`opens: {opens_total, unique_opens,
//! open_rate}`, `clicks: {clicks_total, unique_clicks, unique_subscriber_clicks, click_rate}`),
//! flattened one level as `opens.unique_opens` (JSON path `/reports/<i>/opens/unique_opens`).
//! CSV: the same names flattened (`campaign_title`, `send_time`, `emails_sent`, `opens`,
//! `unique_opens`, `clicks`, `unique_clicks`, `unsubscribed`) or the app's export headers
//! (`Title`, `Send Date` like `Mar 04, 2025 10:00 am`, `Total Recipients`, `Unique Opens`,
//! `Total Opens`, `Unique Clicks`, `Total Clicks`, `Unsubscribes`).
//!
//! Recognised by `campaign_title` with `emails_sent` or `send_time` (JSON), or a title column with
//! `emails_sent`/`Total Recipients`/`Successful Deliveries` (CSV).
//!
//! | field | keys (normalised, in order of preference) | unit |
//! |---|---|---|
//! | date | `send_time`, `send_date`, `sent_date`, `date` | the send day |
//! | campaign | `campaign_title`, `title`, `campaign_name`, `campaign` | |
//! | `opens` | `opens_unique_opens`, `unique_opens`, `opens_opens_total`, `opens`, `total_opens` | count (unique when present) |
//! | `clicks` | `clicks_unique_clicks`, `unique_clicks`, `clicks_unique_subscriber_clicks`, `clicks_clicks_total`, `clicks`, `total_clicks` | count (unique when present) |
//! | `unsubscribes` | `unsubscribed`, `unsubscribes` | count |
//!
//! `emails_sent` has no metric in the catalog and is not imported. A row covers its send day
//! (opens and clicks that came later are counted on that day). The campaign title is the
//! campaign key; matching uses the implied `newsletter` / `email`.

use serde_json::{Map, Value};

use super::table::{
    build_import, csv_table, json_objects_table, no_event_metrics, norm, parse_json, pointer_key,
    scalar, Flat, Reading, Scale, Spec, F,
};
use super::{Container, Import, ImportError, ImportOptions, Platform};

pub(crate) const SPECS: &[Spec] = &[
    (F::Date, &["send_time", "send_date", "sent_date", "date"]),
    (
        F::Campaign,
        &["campaign_title", "title", "campaign_name", "campaign"],
    ),
    (
        F::Metric("opens"),
        &[
            "opens_unique_opens",
            "unique_opens",
            "opens_opens_total",
            "opens",
            "total_opens",
        ],
    ),
    (
        F::Metric("clicks"),
        &[
            "clicks_unique_clicks",
            "unique_clicks",
            "clicks_unique_subscriber_clicks",
            "clicks_clicks_total",
            "clicks",
            "total_clicks",
        ],
    ),
    (F::Metric("unsubscribes"), &["unsubscribed", "unsubscribes"]),
];

fn scale(_: &str) -> Scale {
    Scale::One
}

/// Keys of one JSON report (normalised).
pub(crate) fn is_report_keys(k: &[String]) -> bool {
    let has = |n: &str| k.iter().any(|x| x == n);
    has("campaign_title") && (has("emails_sent") || has("send_time"))
}

/// A CSV header (normalised).
pub(crate) fn is_header(h: &[String]) -> bool {
    let has = |n: &str| h.iter().any(|x| x == n);
    (has("campaign_title") || has("title"))
        && (has("emails_sent") || has("total_recipients") || has("successful_deliveries"))
}

fn flatten(o: &Map<String, Value>) -> Flat {
    let mut out = Vec::new();
    // Sorted keys: the same column order whether or not serde_json preserves key order.
    let mut entries: Vec<(&String, &Value)> = o.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    for (k, v) in entries {
        match v {
            Value::Object(inner) => {
                for (ik, iv) in inner {
                    if let Some(s) = scalar(iv) {
                        out.push((
                            format!("{k}.{ik}"),
                            format!("/{}/{}", pointer_key(k), pointer_key(ik)),
                            Some(s),
                        ));
                    }
                }
            }
            Value::Null => out.push((k.clone(), format!("/{}", pointer_key(k)), None)),
            _ => {
                if let Some(s) = scalar(v) {
                    out.push((k.clone(), format!("/{}", pointer_key(k)), Some(s)));
                }
            }
        }
    }
    out
}

/// Parse a Mailchimp campaign report, JSON or CSV (decided by the first non-blank byte).
pub fn parse(bytes: &[u8], opts: &ImportOptions) -> Result<Import, ImportError> {
    let t = crate::parse::csv::strip_bom(bytes).trim_ascii_start();
    let (table, format) = if matches!(t.first(), Some(b'{' | b'[')) {
        let v = parse_json(bytes)?;
        let shape = || ImportError::JsonShape {
            platform: Platform::MailchimpReport,
            path: "/reports".to_owned(),
            expected: "an array of campaign reports, or one report object".to_owned(),
        };
        let one;
        let (pointer, items): (&str, &[Value]) = match &v {
            Value::Object(o) => match o.get("reports") {
                Some(Value::Array(items)) => ("/reports", items),
                Some(_) => return Err(shape()),
                None => {
                    let keys: Vec<String> = o.keys().map(|k| norm(k)).collect();
                    if !is_report_keys(&keys) {
                        return Err(shape());
                    }
                    one = [v.clone()];
                    ("", &one)
                }
            },
            Value::Array(items) => ("", items),
            _ => return Err(shape()),
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
    build_import(
        table,
        &Reading {
            platform: Platform::MailchimpReport,
            format,
            specs: SPECS,
            scale: &scale,
            required: &[F::Campaign],
            event_metrics: &no_event_metrics,
            currency: None,
        },
        opts,
    )
}
