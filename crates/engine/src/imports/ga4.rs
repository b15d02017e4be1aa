//! GA4: the BigQuery export flattened to CSV, and the Data API `runReport` JSON response.
//!
//! # GA4 events → catalog metrics (both formats)
//! | GA4 event | metrics |
//! |---|---|
//! | `page_view` | `pageviews` +1 |
//! | `purchase`, `in_app_purchase` | `purchases` +1 (and, in BigQuery, `revenue` + `ecommerce.purchase_revenue`) |
//! | `sign_up` | `signups` +1 |
//! | `generate_lead`, `form_submit` | `form_fills` +1 |
//!
//! Other events count nothing (they still carry a session's traffic source, see below).
//!
//! # BigQuery export CSV
//! One row per event. Columns (normalised; earliest synonym wins):
//! | field | headers |
//! |---|---|
//! | date | `event_date` (`YYYYMMDD`, the property's day) |
//! | event timestamp | `event_timestamp` (microseconds since the epoch; any [`parse_timestamp`] form) |
//! | event name | `event_name` |
//! | user | `user_pseudo_id`, `user_id` |
//! | source, medium, campaign, content | `collected_traffic_source.manual_source` / `manual_medium` / `manual_campaign_name` / `manual_content`, or `manual_source`, `utm_source`, `session_source`, `source` (and so on) |
//! | URL | `page_location`, `event_params.page_location`, `page_url`, `url` |
//! | `revenue` | `ecommerce.purchase_revenue`, `purchase_revenue`, `ecommerce.purchase_revenue_in_usd`, `purchase_revenue_in_usd` |
//! | currency | `ecommerce.currency`, `currency`, `event_params.currency` |
//!
//! Required: the event name and a date or timestamp. A row is rejected for an empty event name,
//! an unreadable date/timestamp, or a bad revenue (on purchase rows; other rows' revenue is not
//! read). An event's traffic source is its own `collected_traffic_source` fields, each falling
//! back to the same `utm_*` parameter of its `page_location`. GA4 fills those only on the event
//! that starts a visit, so an event without any of them **inherits** the source of the same
//! user's previous event when the gap is at most 30 minutes (GA4's session timeout); events
//! without a user id inherit nothing.
//!
//! Two results:
//! - **per-day metric rows** ([`Import::rows`]): events summed per (day, source, medium,
//!   campaign, content) with the table above; the row's `utm_content` is the content value (so a
//!   `cal-<id>` in it matches). Events with no source at all form a row without keys (reported
//!   unmatched).
//! - **an event log** ([`Import::event_log`], ready for [`crate::assemble::build_journeys`]):
//!   per user, one touch per visit that has a source (and one more each time the source changes
//!   within a visit), its channel named through the channel mapping
//!   ([`ImportOptions::channel_mapping`]: the channel whose source and medium both match,
//!   otherwise `source / medium`, or `(not set)` without a source), its calendar entry from
//!   `cal-<id>` in the content; conversions are the `purchase` events, with their revenue.
//!   Users without id are left out of the log. Events are in user, then time order.
//!
//! # BigQuery export as JSON
//! The same rows as newline-delimited JSON (what `bq extract` and most pipelines write) or as
//! one JSON array: each event object is flattened to the CSV's columns — nested objects with
//! dots (`collected_traffic_source.manual_source`, `ecommerce.purchase_revenue`), the
//! `event_params` and `user_properties` arrays as `event_params.<key>` with the one value that
//! is set (`string_value`, `int_value`, `double_value`, `float_value`), other arrays left out —
//! and read as above. An event's `line` is its line in the NDJSON file (its position in an
//! array). A line that is not a JSON object is rejected with the reason.
//!
//! # Data API `runReport` JSON
//! `dimensionHeaders[{name}]`, `metricHeaders[{name, type}]`,
//! `rows[{dimensionValues[{value}], metricValues[{value}]}]`, `metadata.currencyCode`. The
//! columns are the dimensions followed by the metrics; each row is one [`ImportedRow`].
//!
//! | field | dimension / metric names (normalised: lower-case, `:` as `_`) | unit |
//! |---|---|---|
//! | date | `date`, `dateHour`, `dateHourMinute` (first 8 digits) | day |
//! | month | `yearMonth` | whole month |
//! | campaign | `sessionCampaignName`, `sessionManualCampaignName`, `campaignName`, `firstUserCampaignName` | |
//! | source, medium | `sessionSource`, `sessionManualSource`, `source`, `firstUserSource`; `sessionMedium`, … | |
//! | source / medium | `sessionSourceMedium`, `sourceMedium`, `firstUserSourceMedium` (split on `/`) | |
//! | content | `sessionManualAdContent`, `manualAdContent`, `firstUserManualAdContent` | |
//! | URL | `landingPagePlusQueryString`, `pageLocation`, `fullPageUrl`, `pagePathPlusQueryString`, `landingPage`, `pagePath` | |
//! | `pageviews` | `screenPageViews` | count |
//! | `sessions` | `sessions` | count |
//! | `users` | `activeUsers`, `totalUsers` | count (users of the day; not summed across days by GA4) |
//! | `bounce_rate` | `bounceRate` (a fraction; ×100) | percent |
//! | `time_on_page` | `averageSessionDuration` | seconds |
//! | `signups` | `keyEvents:sign_up`, `conversions:sign_up`, then **`keyEvents`, `conversions`** | count |
//! | `form_fills` | `keyEvents:generate_lead`, `conversions:generate_lead`, `keyEvents:form_submit`, `conversions:form_submit` | count |
//! | `purchases` | `ecommercePurchases`, `transactions`, `keyEvents:purchase`, `conversions:purchase` | count |
//! | `revenue` | `totalRevenue`, `purchaseRevenue` | currency |
//! | event name × count | `eventName` with `eventCount`: through the event table above | count |
//!
//! Decision: GA4's all-events `keyEvents` (formerly `conversions`) maps to `signups`, the
//! conversion of the app's V1 form, unless a per-event `keyEvents:sign_up` column exists;
//! override with [`ImportOptions::columns`] (e.g. `(Metric("form_fills"), "keyEvents")`).
//! `userEngagementDuration` (a total, not a per-page average) and `newUsers` have no catalog
//! metric and are listed in [`Import::ignored_columns`]. Without a date dimension the
//! report needs [`ImportOptions::period`].

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;
use serde_json::Value;

use super::table::{
    build_import, column_of, key_value, map_columns, norm, parse_day, parse_json, parse_number,
    snippet, text, Origin, Reading, Scale, Spec, Table, TableRow, F,
};
use super::{
    day_floor, Container, Import, ImportError, ImportField, ImportOptions, ImportedRow, Layout,
    MatchKeys, Period, Platform,
};
use crate::journey::Channels;
use crate::links::ChannelUtm;
use crate::parse::csv::{sniff_delimiter, Reader, Record};
use crate::parse::events::{Event, EventLog, TouchKey};
use crate::parse::timestamp::parse_timestamp_bytes;
use crate::parse::{
    ColumnMatch, Field, ParseError, ParseReport, RowError, RowReason, MAX_RECORD_BYTES,
};
use crate::percent::percent_decode;
use crate::utm::entry_id_from_content;

/// GA4's session timeout: an event inherits the traffic source of its user's previous event
/// at most this long before it.
pub const SESSION_TIMEOUT_MS: i64 = 30 * 60 * 1000;

/// The catalog metrics a GA4 event counts (normalised event name).
pub fn event_metrics(event: &str) -> &'static [&'static str] {
    match event {
        "page_view" => &["pageviews"],
        "purchase" | "in_app_purchase" => &["purchases"],
        "sign_up" => &["signups"],
        "generate_lead" | "form_submit" => &["form_fills"],
        _ => &[],
    }
}

// ---------------------------------------------------------------------------------------------
// Data API.

pub(crate) const API_SPECS: &[Spec] = &[
    (F::Date, &["date", "datehour", "datehourminute"]),
    (F::Month, &["yearmonth"]),
    (
        F::Campaign,
        &[
            "sessioncampaignname",
            "sessionmanualcampaignname",
            "campaignname",
            "firstusercampaignname",
        ],
    ),
    (
        F::Source,
        &[
            "sessionsource",
            "sessionmanualsource",
            "source",
            "firstusersource",
        ],
    ),
    (
        F::Medium,
        &[
            "sessionmedium",
            "sessionmanualmedium",
            "medium",
            "firstusermedium",
        ],
    ),
    (
        F::SourceMedium,
        &[
            "sessionsourcemedium",
            "sourcemedium",
            "firstusersourcemedium",
        ],
    ),
    (
        F::Content,
        &[
            "sessionmanualadcontent",
            "manualadcontent",
            "firstusermanualadcontent",
        ],
    ),
    (
        F::Url,
        &[
            "landingpageplusquerystring",
            "pagelocation",
            "fullpageurl",
            "pagepathplusquerystring",
            "landingpage",
            "pagepath",
        ],
    ),
    (F::EventName, &["eventname"]),
    (F::EventCount, &["eventcount"]),
    (F::Metric("pageviews"), &["screenpageviews"]),
    (F::Metric("sessions"), &["sessions"]),
    (F::Metric("users"), &["activeusers", "totalusers"]),
    (F::Metric("bounce_rate"), &["bouncerate"]),
    (F::Metric("time_on_page"), &["averagesessionduration"]),
    (
        F::Metric("signups"),
        &[
            "keyevents_sign_up",
            "conversions_sign_up",
            "keyevents",
            "conversions",
        ],
    ),
    (
        F::Metric("form_fills"),
        &[
            "keyevents_generate_lead",
            "conversions_generate_lead",
            "keyevents_form_submit",
            "conversions_form_submit",
        ],
    ),
    (
        F::Metric("purchases"),
        &[
            "ecommercepurchases",
            "transactions",
            "keyevents_purchase",
            "conversions_purchase",
        ],
    ),
    (F::Metric("revenue"), &["totalrevenue", "purchaserevenue"]),
];

fn api_scale(header: &str) -> Scale {
    match header {
        "bouncerate" | "engagementrate" => Scale::FractionToPercent,
        _ => Scale::One,
    }
}

fn shape(path: &str, expected: &str) -> ImportError {
    ImportError::JsonShape {
        platform: Platform::Ga4DataApiJson,
        path: path.to_owned(),
        expected: expected.to_owned(),
    }
}

fn header_names(v: &Value, key: &str) -> Result<Vec<String>, ImportError> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, h)| {
                h.get("name")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .ok_or_else(|| shape(&format!("/{key}/{i}/name"), "a header name"))
            })
            .collect(),
        Some(_) => Err(shape(&format!("/{key}"), "an array of headers")),
    }
}

/// Parse a GA4 Data API `runReport` response.
pub fn parse_run_report(bytes: &[u8], opts: &ImportOptions) -> Result<Import, ImportError> {
    let v = parse_json(bytes)?;
    if !v.is_object() {
        return Err(shape("", "a runReport response object"));
    }
    let dims = header_names(&v, "dimensionHeaders")?;
    let mets = header_names(&v, "metricHeaders")?;
    let (nd, nm) = (dims.len(), mets.len());
    let date_like: Vec<bool> = dims
        .iter()
        .map(|d| matches!(norm(d).as_str(), "datehour" | "datehourminute"))
        .collect();
    let items: &[Value] = match v.get("rows") {
        None | Some(Value::Null) => &[],
        Some(Value::Array(items)) => items,
        Some(_) => return Err(shape("/rows", "an array of rows")),
    };
    let mut rows = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let line = i as u64 + 1;
        let mut cells = vec![None; nd + nm];
        let mut error = None;
        let values = |key: &str| item.get(key).and_then(Value::as_array);
        match (
            item.is_object(),
            values("dimensionValues"),
            values("metricValues"),
        ) {
            (false, _, _) => error = Some((Some(format!("/rows/{i}")), RowReason::Empty)),
            (true, d, m) => {
                let d: &[Value] = d.map_or(&[], Vec::as_slice);
                let m: &[Value] = m.map_or(&[], Vec::as_slice);
                if d.len() != nd {
                    error = Some((
                        Some(format!("/rows/{i}/dimensionValues")),
                        RowReason::FieldCount {
                            expected: nd,
                            found: d.len(),
                        },
                    ));
                } else if m.len() != nm {
                    error = Some((
                        Some(format!("/rows/{i}/metricValues")),
                        RowReason::FieldCount {
                            expected: nm,
                            found: m.len(),
                        },
                    ));
                } else {
                    for (j, x) in d.iter().chain(m).enumerate() {
                        let mut s = x.get("value").and_then(super::table::scalar);
                        if date_like.get(j).copied().unwrap_or(false) {
                            s = s.map(|s| s.chars().take(8).collect());
                        }
                        if let Some(c) = cells.get_mut(j) {
                            *c = s;
                        }
                    }
                }
            }
        }
        rows.push(TableRow { line, cells, error });
    }
    let cells = (0..nd)
        .map(|j| format!("/dimensionValues/{j}/value"))
        .chain((0..nm).map(|j| format!("/metricValues/{j}/value")))
        .collect();
    let table = Table {
        headers: dims.into_iter().chain(mets).collect(),
        origin: Origin::Json {
            rows: "/rows".to_owned(),
            cells,
        },
        rows,
        delimiter: ',',
        header_line: None,
        skipped: 0,
        title_period: None,
    };
    let currency = v
        .pointer("/metadata/currencyCode")
        .and_then(Value::as_str)
        .map(|c| c.trim().to_ascii_uppercase())
        .filter(|c| !c.is_empty());
    build_import(
        table,
        &Reading {
            platform: Platform::Ga4DataApiJson,
            format: Container::Json,
            specs: API_SPECS,
            scale: &api_scale,
            required: &[],
            event_metrics: &event_metrics,
            currency,
        },
        opts,
    )
}

// ---------------------------------------------------------------------------------------------
// BigQuery export.

pub(crate) const BQ_SPECS: &[Spec] = &[
    (F::Date, &["event_date"]),
    (F::EventTimestamp, &["event_timestamp"]),
    (F::EventName, &["event_name"]),
    (F::User, &["user_pseudo_id", "user_id"]),
    (
        F::Source,
        &[
            "collected_traffic_source_manual_source",
            "manual_source",
            "event_params_source",
            "utm_source",
            "session_source",
            "source",
        ],
    ),
    (
        F::Medium,
        &[
            "collected_traffic_source_manual_medium",
            "manual_medium",
            "event_params_medium",
            "utm_medium",
            "session_medium",
            "medium",
        ],
    ),
    (
        F::Campaign,
        &[
            "collected_traffic_source_manual_campaign_name",
            "manual_campaign_name",
            "event_params_campaign",
            "utm_campaign",
            "session_campaign",
            "campaign",
        ],
    ),
    (
        F::Content,
        &[
            "collected_traffic_source_manual_content",
            "manual_content",
            "event_params_content",
            "utm_content",
        ],
    ),
    (
        F::Url,
        &[
            "page_location",
            "event_params_page_location",
            "page_url",
            "url",
        ],
    ),
    (
        F::Metric("revenue"),
        &[
            "ecommerce_purchase_revenue",
            "purchase_revenue",
            "ecommerce_purchase_revenue_in_usd",
            "purchase_revenue_in_usd",
        ],
    ),
    (
        F::Currency,
        &["ecommerce_currency", "currency", "event_params_currency"],
    ),
];

/// A normalised BigQuery-export header.
pub(crate) fn is_bigquery_header(h: &[String]) -> bool {
    let has = |n: &str| h.iter().any(|x| x == n);
    has("event_name")
        && (has("event_timestamp") || has("event_date"))
        && (has("user_pseudo_id")
            || has("page_location")
            || h.iter().any(|x| x.starts_with("collected_traffic_source")))
}

/// The decoded value of query parameter `name` (case-insensitive) in a URL's query, or failing
/// that its fragment.
fn query_param(url: &str, name: &str) -> Option<String> {
    let url = url.trim();
    let (before, fragment) = match url.split_once('#') {
        Some((b, f)) => (b, f),
        None => (url, ""),
    };
    let query = match before.split_once('?') {
        Some((_, q)) => q,
        None if !before.contains("://") && before.contains('=') => before,
        None => "",
    };
    let find = |q: &str| {
        q.split(['&', ';']).find_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            percent_decode(k)
                .trim()
                .eq_ignore_ascii_case(name)
                .then(|| percent_decode(v).trim().to_owned())
                .filter(|v| !v.is_empty())
        })
    };
    find(query).or_else(|| find(fragment))
}

/// (day, source key) → (first line, metrics).
type DayGroups = BTreeMap<(i64, Option<u32>), (u64, Vec<(String, f64)>)>;

/// Source, medium, campaign, content.
type SourceKey = [Option<String>; 4];

struct BqEvent {
    line: u64,
    user: Option<u32>,
    ts: i64,
    day: i64,
    metrics: &'static [&'static str],
    purchase: bool,
    revenue: f64,
    /// The event's own source key.
    own: Option<u32>,
    /// Its own or inherited key.
    key: Option<u32>,
}

/// The channel of a source and medium: the mapping's channel with both equal, else
/// `source / medium` (or the source alone), else `(not set)`.
fn channel_name(mapping: &[ChannelUtm], source: Option<&str>, medium: Option<&str>) -> String {
    if let (Some(s), Some(m)) = (source, medium) {
        if let Some(c) = mapping.iter().find(|c| {
            c.source.trim().eq_ignore_ascii_case(s.trim())
                && c.medium.trim().eq_ignore_ascii_case(m.trim())
        }) {
            return c.channel.clone();
        }
    }
    match (source, medium) {
        (Some(s), Some(m)) => format!("{s} / {m}"),
        (Some(s), None) => s.to_owned(),
        _ => "(not set)".to_owned(),
    }
}

/// Parse a flattened GA4 BigQuery-export CSV into per-day metric rows and an event log.
pub fn parse_bigquery_csv(bytes: &[u8], opts: &ImportOptions) -> Result<Import, ImportError> {
    let platform = Platform::Ga4BigQueryCsv;
    let delim = opts.delimiter.unwrap_or_else(|| sniff_delimiter(bytes));
    let mut reader = Reader::new(bytes, delim);
    let mut rec = Record::new();
    if !reader.read_non_blank(&mut rec) {
        return Err(ImportError::Empty);
    }
    let header_line = rec.line();
    let headers: Vec<String> = rec
        .fields()
        .map(|f| text(&f).trim().trim_start_matches('\u{feff}').to_owned())
        .collect();
    let ncols = headers.len();
    let columns = map_columns(&headers, BQ_SPECS, &opts.columns)?;
    let col = |f: F| column_of(&columns, &f.field());
    let (c_date, c_ts, c_name, c_user) = (
        col(F::Date),
        col(F::EventTimestamp),
        col(F::EventName),
        col(F::User),
    );
    let mut missing = Vec::new();
    if c_date.is_none() && c_ts.is_none() {
        missing.push(ImportField::Date);
    }
    let Some(c_name) = c_name else {
        missing.push(ImportField::EventName);
        return Err(ImportError::MissingColumns {
            platform,
            missing,
            found: headers,
        });
    };
    if !missing.is_empty() {
        return Err(ImportError::MissingColumns {
            platform,
            missing,
            found: headers,
        });
    }
    let key_cols = [
        col(F::Source),
        col(F::Medium),
        col(F::Campaign),
        col(F::Content),
    ];
    const URL_PARAMS: [&str; 4] = ["utm_source", "utm_medium", "utm_campaign", "utm_content"];
    let (c_url, c_rev, c_cur) = (
        col(F::Url),
        column_of(&columns, &ImportField::metric("revenue")),
        col(F::Currency),
    );

    let mut users: FxHashMap<Vec<u8>, u32> = FxHashMap::default();
    let mut keys: Vec<SourceKey> = Vec::new();
    let mut key_ids: FxHashMap<SourceKey, u32> = FxHashMap::default();
    let mut events: Vec<BqEvent> = Vec::new();
    let mut report = ParseReport {
        delimiter: delim.as_char(),
        ..ParseReport::default()
    };
    let mut currencies: Vec<String> = Vec::new();
    let name_of = |i: usize| headers.get(i).cloned();
    while reader.read(&mut rec) {
        if rec.is_blank() {
            continue;
        }
        let line = rec.line();
        let field = |i: usize| {
            rec.field(i)
                .map(|f| text(&f).into_owned())
                .unwrap_or_default()
        };
        let row = (|| -> Result<BqEvent, (Option<usize>, RowReason)> {
            if rec.unterminated() {
                return Err((None, RowReason::UnterminatedQuote));
            }
            if rec.byte_len() > MAX_RECORD_BYTES {
                return Err((
                    None,
                    RowReason::RecordTooLong {
                        bytes: rec.byte_len(),
                        max: MAX_RECORD_BYTES,
                    },
                ));
            }
            if rec.len() != ncols {
                return Err((
                    None,
                    RowReason::FieldCount {
                        expected: ncols,
                        found: rec.len(),
                    },
                ));
            }
            let name = norm(&field(c_name));
            if name.is_empty() {
                return Err((Some(c_name), RowReason::Empty));
            }
            let ts = match c_ts {
                Some(c) => {
                    let raw = rec.field(c).unwrap_or_default();
                    Some(parse_timestamp_bytes(&raw).map_err(|error| {
                        (
                            Some(c),
                            RowReason::Timestamp {
                                value: snippet(&text(&raw)),
                                error,
                            },
                        )
                    })?)
                }
                None => None,
            };
            let day = match c_date {
                Some(c) => {
                    let v = field(c);
                    parse_day(&v).map_err(|error| {
                        (
                            Some(c),
                            RowReason::Timestamp {
                                value: snippet(&v),
                                error,
                            },
                        )
                    })?
                }
                None => day_floor(ts.unwrap_or_default()),
            };
            let purchase = matches!(name.as_str(), "purchase" | "in_app_purchase");
            let revenue = match (purchase, c_rev) {
                (true, Some(c)) => parse_number(&field(c), opts.number_convention())
                    .map_err(|r| (Some(c), r))?
                    .map_or(0.0, |n| n.value),
                _ => 0.0,
            };
            let url = c_url.map(field).unwrap_or_default();
            let mut key: SourceKey = Default::default();
            for ((slot, c), param) in key.iter_mut().zip(key_cols).zip(URL_PARAMS) {
                *slot = c
                    .and_then(|c| key_value(&field(c)))
                    .or_else(|| query_param(&url, param).and_then(|v| key_value(&v)));
            }
            let own = if key.iter().any(Option::is_some) {
                let next = keys.len() as u32;
                let id = *key_ids.entry(key.clone()).or_insert(next);
                if id == next {
                    keys.push(key);
                }
                Some(id)
            } else {
                None
            };
            let user = c_user.and_then(|c| {
                let u = rec.field(c).unwrap_or_default();
                let u = u.trim_ascii();
                if u.is_empty() {
                    return None;
                }
                let next = users.len() as u32;
                Some(*users.entry(u.to_vec()).or_insert(next))
            });
            if let Some(c) = c_cur.and_then(|c| key_value(&field(c))) {
                let c = c.to_ascii_uppercase();
                if !currencies.contains(&c) {
                    currencies.push(c);
                }
            }
            Ok(BqEvent {
                line,
                user,
                ts: ts.unwrap_or(day),
                day,
                metrics: event_metrics(&name),
                purchase,
                revenue,
                own,
                key: own,
            })
        })();
        match row {
            Ok(e) => {
                report.accepted += 1;
                events.push(e);
            }
            Err((c, reason)) => {
                report.rejected_count += 1;
                if report.rejected.len() < opts.max_stored_rejections {
                    report.rejected.push(RowError {
                        line,
                        column: c.and_then(name_of),
                        reason,
                    });
                }
            }
        }
    }

    // Sessions: per user by time, inherit the previous event's key within the timeout.
    let mut order: Vec<usize> = (0..events.len()).collect();
    order.sort_by_key(|&i| {
        events
            .get(i)
            .map(|e| (e.user.is_none(), e.user, e.ts, e.line))
    });
    let mut prev: Option<(u32, i64, Option<u32>)> = None;
    for &i in &order {
        let Some(e) = events.get_mut(i) else { continue };
        let Some(u) = e.user else { continue };
        if e.own.is_none() {
            if let Some((pu, pts, pkey)) = prev {
                if pu == u && e.ts - pts <= SESSION_TIMEOUT_MS {
                    e.key = pkey;
                }
            }
        }
        prev = Some((u, e.ts, e.key));
    }

    // Per-day rows.
    let mut groups: DayGroups = BTreeMap::new();
    for e in &events {
        if e.metrics.is_empty() {
            continue;
        }
        let g = groups
            .entry((e.day, e.key))
            .or_insert_with(|| (e.line, Vec::new()));
        g.0 = g.0.min(e.line);
        let mut add = |k: &str, v: f64| match g.1.iter_mut().find(|(m, _)| m == k) {
            Some((_, x)) => *x += v,
            None => g.1.push((k.to_owned(), v)),
        };
        for m in e.metrics {
            add(m, 1.0);
        }
        if e.purchase && c_rev.is_some() {
            add("revenue", e.revenue);
        }
    }
    let rows: Vec<ImportedRow> = groups
        .into_iter()
        .map(|((day, key), (line, metrics))| {
            let k = key.and_then(|k| keys.get(k as usize)).cloned();
            let [source, medium, campaign, content] = k.unwrap_or_default();
            ImportedRow {
                line,
                period: Period::day(day),
                keys: MatchKeys {
                    utm_content: content,
                    campaign,
                    source,
                    medium,
                    urls: Vec::new(),
                },
                metrics,
            }
        })
        .collect();

    // Event log.
    let mut log = EventLog {
        users: users.len(),
        ..EventLog::default()
    };
    let mut touch_ids: FxHashMap<u32, u32> = FxHashMap::default();
    let intern = |t: &mut Channels, v: &Option<String>| v.as_deref().map(|s| t.intern(s));
    let mut session: Option<(u32, i64, Option<u32>)> = None;
    for &i in &order {
        let Some(e) = events.get(i) else { continue };
        let Some(u) = e.user else { continue };
        let new_session =
            !matches!(session, Some((pu, pts, _)) if pu == u && e.ts - pts <= SESSION_TIMEOUT_MS);
        let current = if new_session {
            None
        } else {
            session.and_then(|s| s.2)
        };
        if let Some(k) = e.own {
            if new_session || current != Some(k) {
                let tk = match touch_ids.get(&k) {
                    Some(&t) => t,
                    None => {
                        let [s, m, c, content] = keys.get(k as usize).cloned().unwrap_or_default();
                        let channel =
                            channel_name(&opts.channel_mapping, s.as_deref(), m.as_deref());
                        let key = TouchKey {
                            channel: log.channels.intern(&channel),
                            campaign: intern(&mut log.campaigns, &c),
                            source: intern(&mut log.sources, &s),
                            medium: intern(&mut log.mediums, &m),
                            entry: content.as_deref().and_then(entry_id_from_content),
                        };
                        let t = log.touch_keys.len() as u32;
                        log.touch_keys.push(key);
                        touch_ids.insert(k, t);
                        t
                    }
                };
                log.events.push(Event::touch(u, e.ts, tk, 0.0));
            }
        }
        if e.purchase {
            log.events
                .push(Event::conversion(u, e.ts, e.revenue, false));
        }
        session = Some((u, e.ts, e.own.or(current)));
    }
    let field_cols = [
        (Field::User, c_user),
        (Field::Timestamp, c_ts.or(c_date)),
        (Field::Source, key_cols[0]),
        (Field::Medium, key_cols[1]),
        (Field::Campaign, key_cols[2]),
        (Field::LandingUrl, c_url),
        (Field::UtmContent, key_cols[3]),
        (Field::Revenue, c_rev),
        (Field::EventType, Some(c_name)),
    ];
    report.columns = field_cols
        .into_iter()
        .filter_map(|(field, c)| {
            let index = c?;
            Some(ColumnMatch {
                field,
                header: headers.get(index).cloned().unwrap_or_default(),
                index,
            })
        })
        .collect();
    report.columns.sort_by_key(|c| c.field);
    log.report = report.clone();
    if log.channels.len() > opts.event_log.max_channels {
        return Err(ImportError::Parse(ParseError::TooManyChannels {
            found: log.channels.len(),
            max: opts.event_log.max_channels,
        }));
    }

    let used: Vec<usize> = columns.iter().map(|c| c.index).collect();
    let mut cs = currencies.into_iter();
    Ok(Import {
        layout: Layout::Export(platform),
        format: Container::Csv,
        currency: cs.next(),
        other_currencies: cs.collect(),
        ignored_columns: headers
            .iter()
            .enumerate()
            .filter(|(i, h)| !used.contains(i) && !h.trim().is_empty())
            .map(|(_, h)| h.clone())
            .collect(),
        columns,
        report,
        header_line: Some(header_line),
        stated_period: None,
        skipped_rows: 0,
        rows,
        event_log: Some(log),
        path_table: None,
    })
}

// ---------------------------------------------------------------------------------------------
// BigQuery export as JSON.

/// One event object flattened to `(column, value)` (see the module documentation).
fn flatten_event(
    prefix: &str,
    o: &serde_json::Map<String, Value>,
    out: &mut Vec<(String, String)>,
) {
    let name = |k: &str| {
        if prefix.is_empty() {
            k.to_owned()
        } else {
            format!("{prefix}.{k}")
        }
    };
    for (k, v) in o {
        match v {
            Value::Object(inner) => flatten_event(&name(k), inner, out),
            Value::Array(items) if k == "event_params" || k == "user_properties" => {
                for p in items {
                    let Some(key) = p.get("key").and_then(Value::as_str) else {
                        continue;
                    };
                    let value = p.get("value").and_then(|v| {
                        ["string_value", "int_value", "double_value", "float_value"]
                            .iter()
                            .find_map(|f| v.get(*f).and_then(super::table::scalar))
                    });
                    if let Some(value) = value {
                        out.push((format!("{}.{key}", name(k)), value));
                    }
                }
            }
            _ => {
                if let Some(value) = super::table::scalar(v) {
                    out.push((name(k), value));
                }
            }
        }
    }
}

/// An event's `(column, value)` cells, or why its line is not an event.
type FlatEvent = Result<Vec<(String, String)>, String>;

/// A CSV cell: quoted, line breaks as spaces (one event stays one line).
fn csv_cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\"\""),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Parse the GA4 BigQuery export written as newline-delimited JSON or a JSON array of events:
/// the events are flattened to the CSV's columns and read by [`parse_bigquery_csv`].
pub fn parse_bigquery_json(bytes: &[u8], opts: &ImportOptions) -> Result<Import, ImportError> {
    let t = crate::parse::csv::strip_bom(bytes).trim_ascii_start();
    let mut events: Vec<(u64, FlatEvent)> = Vec::new();
    let flat = |v: &Value| match v.as_object() {
        Some(o) => {
            let mut cells = Vec::new();
            flatten_event("", o, &mut cells);
            Ok(cells)
        }
        None => Err("not a JSON object".to_owned()),
    };
    if t.first() == Some(&b'[') {
        match parse_json(bytes)? {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    events.push((i as u64 + 1, flat(item)));
                }
            }
            _ => return Err(shape_bq()),
        }
    } else {
        let body = crate::parse::csv::strip_bom(bytes);
        for (i, raw) in body.split(|&b| b == b'\n').enumerate() {
            let raw = raw.trim_ascii();
            if raw.is_empty() {
                continue;
            }
            match serde_json::from_slice::<Value>(raw) {
                Ok(v) => events.push((i as u64 + 1, flat(&v))),
                Err(e) => events.push((i as u64 + 1, Err(format!("not valid JSON: {e}")))),
            }
        }
    }
    let mut headers: Vec<String> = Vec::new();
    for (_, cells) in &events {
        for (h, _) in cells.iter().flatten() {
            if !headers.contains(h) {
                headers.push(h.clone());
            }
        }
    }
    // The CSV: the header on line 1, each event on line 1 + its own line (blank lines keep the
    // numbering; lines that are not events carry one cell, which the parser rejects).
    let mut csv = headers
        .iter()
        .map(|h| csv_cell(h))
        .collect::<Vec<_>>()
        .join(",");
    let mut at = 1u64;
    for (line, cells) in &events {
        while at < *line + 1 {
            csv.push('\n');
            at += 1;
        }
        match cells {
            Ok(cells) => {
                let row: Vec<String> = headers
                    .iter()
                    .map(|h| {
                        cells
                            .iter()
                            .find(|(k, _)| k == h)
                            .map(|(_, v)| csv_cell(v))
                            .unwrap_or_default()
                    })
                    .collect();
                csv.push_str(&row.join(","));
            }
            Err(why) => csv.push_str(&csv_cell(why)),
        }
    }
    csv.push('\n');
    let mut o = opts.clone();
    o.delimiter = Some(crate::parse::Delimiter::COMMA);
    let mut imp = parse_bigquery_csv(csv.as_bytes(), &o)?;
    // CSV line n + 1 is JSON line n.
    for r in &mut imp.rows {
        r.line = r.line.saturating_sub(1);
    }
    for e in &mut imp.report.rejected {
        e.line = e.line.saturating_sub(1);
    }
    imp.format = Container::Json;
    imp.header_line = None;
    Ok(imp)
}

fn shape_bq() -> ImportError {
    ImportError::JsonShape {
        platform: Platform::Ga4BigQueryCsv,
        path: String::new(),
        expected: "one event object per line, or an array of event objects".to_owned(),
    }
}

/// Whether the first line of `bytes` is a GA4 BigQuery event (an object with `event_name` and
/// `event_timestamp` or `event_date`), or the first element of a JSON array is one.
pub(crate) fn is_bigquery_json(bytes: &[u8]) -> bool {
    let t = crate::parse::csv::strip_bom(bytes).trim_ascii_start();
    let first: Option<Value> = if t.first() == Some(&b'[') {
        serde_json::from_slice::<Value>(t)
            .ok()
            .and_then(|v| v.as_array().and_then(|a| a.first().cloned()))
    } else {
        let line = t.split(|&b| b == b'\n').next().unwrap_or_default();
        serde_json::from_slice::<Value>(line).ok()
    };
    first.as_ref().and_then(Value::as_object).is_some_and(|o| {
        let k: Vec<String> = o.keys().map(|k| norm(k)).collect();
        let has = |n: &str| k.iter().any(|x| x == n);
        has("event_name") && (has("event_timestamp") || has("event_date"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_params() {
        assert_eq!(
            query_param("https://x.io/p?a=1&UTM_Content=cal%2D7&b", "utm_content"),
            Some("cal-7".to_owned())
        );
        assert_eq!(
            query_param("https://x.io/#utm_source=nl", "utm_source"),
            Some("nl".to_owned())
        );
        assert_eq!(query_param("https://x.io/p", "utm_source"), None);
        assert_eq!(
            query_param("utm_campaign=Spring+Sale", "utm_campaign"),
            Some("Spring Sale".to_owned())
        );
    }

    #[test]
    fn channels() {
        let m = crate::links::default_channel_mapping();
        assert_eq!(
            channel_name(&m, Some("LinkedIn"), Some("social")),
            "LinkedIn"
        );
        assert_eq!(channel_name(&m, Some("bing"), Some("cpc")), "bing / cpc");
        assert_eq!(channel_name(&m, None, Some("cpc")), "(not set)");
    }
}
