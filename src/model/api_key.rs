//! API-key sources (issue 9): the request for one page of a period and the answer read into
//! [`Row`]s, per provider, as pure functions (the key comes in as an argument and goes only into
//! the request). [`run_report`] writes the rows in the GA4 Data API `runReport` shape, so the
//! existing GA4 importer (and its preview, matching by `cal-<id>` then campaign/source/medium)
//! reads every source the same way.
//!
//! The providers' documented APIs, as this module uses them:
//! - **Plausible** Stats API v2: `POST {base}/api/v2/query`, `Authorization: Bearer <key>`, JSON
//!   body `site_id`, `metrics` (`visitors`, `visits`, `pageviews`, `events`), `date_range`
//!   (`[first, last]`), `dimensions` (`time:day`, `visit:utm_campaign`, `visit:utm_source`,
//!   `visit:utm_medium`, `visit:utm_content`), `pagination` (`limit`, `offset`) and
//!   `include.total_rows`; the next page's offset is the rows received so far; the answer's `results[{dimensions, metrics}]` in request order and
//!   `meta.total_rows`. `pageviews` → `screenPageViews`; visitors, visits and events have no
//!   catalog metric and show as ignored columns.
//! - **PostHog** query API: `POST {base}/api/projects/{project}/query/`, Bearer personal API key
//!   (Query Read), body `{"query": {"kind": "HogQLQuery", "query": …}}`; the answer's `results`
//!   (rows as lists, in `columns` order) and `hasMore`. The HogQL counts `$pageview` events per
//!   day and UTM properties, `LIMIT`/`OFFSET` pages of [`PAGE_ROWS`] (PostHog answers 100 rows
//!   without a `LIMIT`, up to 50 000 with one). Only our own formatted dates enter the query.
//! - **Matomo** Reporting API: `POST {base}/index.php` with the form `module=API`,
//!   `method=MarketingCampaignsReporting.getContent` (the Marketing Campaigns Reporting plugin's
//!   report by `utm_content`/`mtm_content`), `idSite`, `period=day`, `date=first,last`,
//!   `format=JSON`, `filter_limit=-1` (every row, one request) and `token_auth` in the body, not the
//!   URL. The answer is an object by day of `[{label, nb_visits, nb_actions, nb_conversions,
//!   revenue}]`; `nb_actions` (page views plus downloads, outlinks and searches) →
//!   `screenPageViews`, `nb_conversions` → `keyEvents`, `revenue` → `totalRevenue`. Matomo answers
//!   errors with HTTP 200 and `{"result": "error", "message": …}`.
//! - **Umami** UTM report: `POST {base}/reports/utm` (self-hosted `https://host/api`, Umami Cloud
//!   `https://api.umami.is/v1`), one request per day of the period (the report sums its range),
//!   body `websiteId`, `dateRange` (`startDate`, `endDate` as ISO times, `unit: day`) and
//!   `timezone: UTC`; the answer `[{url_query, num}]`, `url_query` holding the UTM parameters.
//!   `num` (views) → `screenPageViews`. Self-hosted takes a Bearer token, Umami Cloud its API key in
//!   `x-umami-api-key`.

use refleqt_engine::dates::format_iso_date;
use refleqt_engine::percent::{percent_decode, percent_encode};
use serde_json::{json, Value};

pub use super::connection::KeyProvider;
use super::connection::PullError;
use super::oauth::form;

/// Rows asked for per page where the API pages (Plausible, PostHog).
pub const PAGE_ROWS: u64 = 10_000;
/// Requests one pull may make (pages, or days for Umami); more is refused rather than looping.
pub const MAX_REQUESTS: u64 = 400;

/// One request of a pull. Holds the key: no `Debug`, never logged.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyRequest {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    /// Content type and text.
    pub body: Option<(&'static str, String)>,
}

/// Where and what to ask: the connection's provider, API address and site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeySource<'a> {
    pub provider: KeyProvider,
    pub base: &'a str,
    pub site: &'a str,
}

fn bearer(key: &str) -> (&'static str, String) {
    ("authorization", format!("Bearer {key}"))
}

const JSON: &str = "application/json";

/// The days `start..=end` as the ISO text of the first and the last.
fn iso(start: i64, end: i64) -> (String, String) {
    (format_iso_date(start), format_iso_date(end))
}

/// The HogQL of one page from row `offset`: `$pageview`s per day and UTM parameters, events
/// that carry a `utm_content`.
pub fn hogql(start: i64, end: i64, offset: u64) -> String {
    let (a, _) = iso(start, end);
    let after = format_iso_date(end + 1);
    format!(
        "SELECT toDate(timestamp) AS day, properties.utm_campaign AS campaign, \
         properties.utm_source AS source, properties.utm_medium AS medium, \
         properties.utm_content AS content, countIf(event = '$pageview') AS pageviews, \
         count() AS events FROM events \
         WHERE timestamp >= toDateTime('{a} 00:00:00') AND timestamp < toDateTime('{after} 00:00:00') \
         AND properties.utm_content IS NOT NULL \
         GROUP BY day, campaign, source, medium, content \
         ORDER BY day, campaign, source, medium, content \
         LIMIT {PAGE_ROWS} OFFSET {offset}"
    )
}

/// The request at position `page` of the days `start..=end`: the rows received so far
/// (Plausible, PostHog: the next page's offset, so a server that sends fewer rows than asked
/// is still read to the end), or the day `start + page` (Umami); Matomo has one request.
pub fn request(src: KeySource<'_>, key: &str, start: i64, end: i64, page: u64) -> KeyRequest {
    let base = src.base.trim().trim_end_matches('/');
    let (a, b) = iso(start, end);
    match src.provider {
        KeyProvider::Plausible => KeyRequest {
            method: "POST",
            url: format!("{base}/api/v2/query"),
            headers: vec![bearer(key)],
            body: Some((
                JSON,
                json!({
                    "site_id": src.site.trim(),
                    "metrics": ["visitors", "visits", "pageviews", "events"],
                    "date_range": [a, b],
                    "dimensions": [
                        "time:day", "visit:utm_campaign", "visit:utm_source",
                        "visit:utm_medium", "visit:utm_content"
                    ],
                    "pagination": {"limit": PAGE_ROWS, "offset": page},
                    "include": {"total_rows": true}
                })
                .to_string(),
            )),
        },
        KeyProvider::PostHog => KeyRequest {
            method: "POST",
            url: format!(
                "{base}/api/projects/{}/query/",
                percent_encode(src.site.trim())
            ),
            headers: vec![bearer(key)],
            body: Some((
                JSON,
                json!({"query": {"kind": "HogQLQuery", "query": hogql(start, end, page)}})
                    .to_string(),
            )),
        },
        KeyProvider::Matomo => KeyRequest {
            method: "POST",
            url: format!("{base}/index.php"),
            headers: Vec::new(),
            body: Some((
                "application/x-www-form-urlencoded",
                form(&[
                    ("module", "API".to_owned()),
                    (
                        "method",
                        "MarketingCampaignsReporting.getContent".to_owned(),
                    ),
                    ("idSite", src.site.trim().to_owned()),
                    ("period", "day".to_owned()),
                    ("date", format!("{a},{b}")),
                    ("format", "JSON".to_owned()),
                    ("filter_limit", "-1".to_owned()),
                    ("token_auth", key.to_owned()),
                ]),
            )),
        },
        KeyProvider::Umami => {
            let day = format_iso_date(start + page as i64);
            let header = if base.starts_with("https://api.umami.is") {
                ("x-umami-api-key", key.to_owned())
            } else {
                bearer(key)
            };
            KeyRequest {
                method: "POST",
                url: format!("{base}/reports/utm"),
                headers: vec![header],
                body: Some((
                    JSON,
                    json!({
                        "websiteId": src.site.trim(),
                        "dateRange": {
                            "startDate": format!("{day}T00:00:00.000Z"),
                            "endDate": format!("{day}T23:59:59.999Z"),
                            "unit": "day"
                        },
                        "timezone": "UTC"
                    })
                    .to_string(),
                )),
            }
        }
    }
}

/// One report row, as the importer will read it.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub campaign: String,
    pub source: String,
    pub medium: String,
    pub content: String,
    pub pageviews: f64,
    pub conversions: Option<f64>,
    pub revenue: Option<f64>,
}

/// The rows of one answer and the position to ask for next (`None`: done).
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub rows: Vec<Row>,
    pub next: Option<u64>,
}

fn shape(what: &str) -> PullError {
    PullError::Shape {
        what: what.to_owned(),
    }
}

fn text_of(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn number_of(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The first ten characters of a date or time (`2026-11-01T…` → `2026-11-01`).
fn day_text(v: Option<&Value>) -> Result<String, PullError> {
    let t = text_of(v);
    match t.get(..10) {
        Some(d) if refleqt_engine::dates::parse_iso_date(d).is_ok() => Ok(d.to_owned()),
        _ => Err(shape("a row without a readable day")),
    }
}

/// Read the answer at position `page` (see [`request`]) for the days `start..=end`.
pub fn read_page(
    provider: KeyProvider,
    body: &str,
    start: i64,
    end: i64,
    page: u64,
) -> Result<Page, PullError> {
    let v: Value = serde_json::from_str(body).map_err(|_| shape("an answer that is not JSON"))?;
    match provider {
        KeyProvider::Plausible => read_plausible(&v, page),
        KeyProvider::PostHog => read_posthog(&v, page),
        KeyProvider::Matomo => read_matomo(&v),
        KeyProvider::Umami => read_umami(&v, start, end, page),
    }
}

fn position(list: Option<&Value>, name: &str, default: usize) -> usize {
    list.and_then(Value::as_array)
        .and_then(|l| l.iter().position(|x| x.as_str() == Some(name)))
        .unwrap_or(default)
}

fn read_plausible(v: &Value, page: u64) -> Result<Page, PullError> {
    let results = v
        .get("results")
        .and_then(Value::as_array)
        .ok_or_else(|| shape("JSON that is not a Plausible Stats API answer"))?;
    // The answer repeats the query; its lists give the positions (request order otherwise).
    let query = v.get("query");
    let dims = query.and_then(|q| q.get("dimensions"));
    let d = |name: &str, default| position(dims, name, default);
    let (day, campaign, source, medium, content) = (
        d("time:day", 0),
        d("visit:utm_campaign", 1),
        d("visit:utm_source", 2),
        d("visit:utm_medium", 3),
        d("visit:utm_content", 4),
    );
    let pageviews = position(query.and_then(|q| q.get("metrics")), "pageviews", 2);
    let mut rows = Vec::with_capacity(results.len());
    for r in results {
        let dv = r.get("dimensions").and_then(Value::as_array);
        let mv = r.get("metrics").and_then(Value::as_array);
        let (Some(dv), Some(mv)) = (dv, mv) else {
            return Err(shape("a result without dimensions or metrics"));
        };
        rows.push(Row {
            date: day_text(dv.get(day))?,
            campaign: text_of(dv.get(campaign)),
            source: text_of(dv.get(source)),
            medium: text_of(dv.get(medium)),
            content: text_of(dv.get(content)),
            pageviews: number_of(mv.get(pageviews)).unwrap_or(0.0),
            conversions: None,
            revenue: None,
        });
    }
    let got = rows.len() as u64;
    let have = page + got;
    let total = v
        .get("meta")
        .and_then(|m| m.get("total_rows"))
        .and_then(Value::as_u64);
    let more = got > 0
        && match total {
            Some(t) => have < t,
            None => got >= PAGE_ROWS,
        };
    Ok(Page {
        rows,
        next: more.then_some(have),
    })
}

fn read_posthog(v: &Value, page: u64) -> Result<Page, PullError> {
    let results = v
        .get("results")
        .and_then(Value::as_array)
        .ok_or_else(|| shape("JSON that is not a PostHog query answer"))?;
    let cols = v.get("columns");
    let c = |name: &str, default| position(cols, name, default);
    let (day, campaign, source, medium, content, pageviews) = (
        c("day", 0),
        c("campaign", 1),
        c("source", 2),
        c("medium", 3),
        c("content", 4),
        c("pageviews", 5),
    );
    let mut rows = Vec::with_capacity(results.len());
    for r in results {
        let r = r
            .as_array()
            .ok_or_else(|| shape("a result row that is not a list"))?;
        rows.push(Row {
            date: day_text(r.get(day))?,
            campaign: text_of(r.get(campaign)),
            source: text_of(r.get(source)),
            medium: text_of(r.get(medium)),
            content: text_of(r.get(content)),
            pageviews: number_of(r.get(pageviews)).unwrap_or(0.0),
            conversions: None,
            revenue: None,
        });
    }
    let got = rows.len() as u64;
    let more = match v.get("hasMore").and_then(Value::as_bool) {
        Some(m) => m && got > 0,
        None => got >= PAGE_ROWS,
    };
    Ok(Page {
        rows,
        next: more.then_some(page + got),
    })
}

fn read_matomo(v: &Value) -> Result<Page, PullError> {
    if v.get("result").and_then(Value::as_str) == Some("error") {
        let message = text_of(v.get("message"));
        let lower = message.to_ascii_lowercase();
        return Err(
            if lower.contains("token_auth") || lower.contains("access") {
                PullError::KeyRefused
            } else {
                PullError::Refused(message)
            },
        );
    }
    let days = v
        .as_object()
        .ok_or_else(|| shape("JSON that is not a Matomo report by day"))?;
    let mut rows = Vec::new();
    for (day, list) in days {
        let date = day_text(Some(&Value::String(day.clone())))?;
        let list = list
            .as_array()
            .ok_or_else(|| shape("a day that is not a list of rows"))?;
        for r in list {
            rows.push(Row {
                date: date.clone(),
                campaign: String::new(),
                source: String::new(),
                medium: String::new(),
                content: text_of(r.get("label")),
                pageviews: number_of(r.get("nb_actions")).unwrap_or(0.0),
                conversions: number_of(r.get("nb_conversions")),
                revenue: number_of(r.get("revenue")),
            });
        }
    }
    Ok(Page { rows, next: None })
}

fn read_umami(v: &Value, start: i64, end: i64, page: u64) -> Result<Page, PullError> {
    let list = v
        .as_array()
        .ok_or_else(|| shape("JSON that is not an Umami UTM report"))?;
    let date = format_iso_date(start + page as i64);
    let mut rows = Vec::with_capacity(list.len());
    for r in list {
        let query = text_of(r.get("url_query"));
        let mut row = Row {
            date: date.clone(),
            campaign: String::new(),
            source: String::new(),
            medium: String::new(),
            content: String::new(),
            pageviews: number_of(r.get("num")).unwrap_or(0.0),
            conversions: None,
            revenue: None,
        };
        for pair in query.trim_start_matches('?').split('&') {
            let (k, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = percent_decode(value);
            match k {
                "utm_campaign" => row.campaign = value,
                "utm_source" => row.source = value,
                "utm_medium" => row.medium = value,
                "utm_content" => row.content = value,
                _ => {}
            }
        }
        rows.push(row);
    }
    let next = (start + (page as i64) < end).then_some(page + 1);
    Ok(Page { rows, next })
}

/// The rows as one GA4 `runReport` answer (the dimensions and metrics the GA4 importer maps);
/// conversions and revenue only when some row has them.
pub fn run_report(rows: &[Row]) -> Vec<u8> {
    let conversions = rows.iter().any(|r| r.conversions.is_some());
    let revenue = rows.iter().any(|r| r.revenue.is_some());
    let mut metrics = vec![json!({"name": "screenPageViews", "type": "TYPE_INTEGER"})];
    if conversions {
        metrics.push(json!({"name": "keyEvents", "type": "TYPE_FLOAT"}));
    }
    if revenue {
        metrics.push(json!({"name": "totalRevenue", "type": "TYPE_CURRENCY"}));
    }
    let out: Vec<Value> = rows
        .iter()
        .map(|r| {
            let mut m = vec![json!({"value": r.pageviews.to_string()})];
            if conversions {
                m.push(json!({"value": r.conversions.unwrap_or(0.0).to_string()}));
            }
            if revenue {
                m.push(json!({"value": r.revenue.unwrap_or(0.0).to_string()}));
            }
            let dims: Vec<Value> = [
                r.date.replace('-', ""),
                r.campaign.clone(),
                r.source.clone(),
                r.medium.clone(),
                r.content.clone(),
            ]
            .into_iter()
            .map(|v| json!({ "value": v }))
            .collect();
            json!({"dimensionValues": dims, "metricValues": m})
        })
        .collect();
    let headers: Vec<Value> = [
        "date",
        "sessionCampaignName",
        "sessionSource",
        "sessionMedium",
        "sessionManualAdContent",
    ]
    .into_iter()
    .map(|n| json!({ "name": n }))
    .collect();
    json!({
        "dimensionHeaders": headers,
        "metricHeaders": metrics,
        "rowCount": out.len(),
        "rows": out,
    })
    .to_string()
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use refleqt_engine::dates::parse_iso_date;

    fn day(s: &str) -> i64 {
        parse_iso_date(s).unwrap()
    }

    fn body(r: &KeyRequest) -> Value {
        serde_json::from_str(&r.body.as_ref().unwrap().1).unwrap()
    }

    fn src(provider: KeyProvider, base: &str, site: &str) -> KeySource<'static> {
        KeySource {
            provider,
            base: Box::leak(base.to_owned().into_boxed_str()),
            site: Box::leak(site.to_owned().into_boxed_str()),
        }
    }

    #[test]
    fn plausible_request_and_pages() {
        let s = src(
            KeyProvider::Plausible,
            "https://plausible.io/",
            "example.com",
        );
        let r = request(s, "KEY", day("2026-11-01"), day("2026-11-30"), 2);
        assert_eq!(r.url, "https://plausible.io/api/v2/query");
        assert_eq!(r.headers, vec![("authorization", "Bearer KEY".to_owned())]);
        let b = body(&r);
        assert_eq!(b["site_id"], "example.com");
        assert_eq!(b["date_range"], json!(["2026-11-01", "2026-11-30"]));
        assert_eq!(b["pagination"]["offset"], 2);
        assert!(b["dimensions"]
            .as_array()
            .unwrap()
            .contains(&json!("visit:utm_content")));
        // An answer shaped like the documented one; metrics in a different order than asked.
        let answer = r#"{"results":[
            {"dimensions":["2026-11-01","Q1","google","cpc","cal-1"],"metrics":[321,40,12]},
            {"dimensions":["2026-11-02","Q1","google","cpc","cal-4"],"metrics":[55,9,3]}],
            "meta":{"total_rows":3},
            "query":{"site_id":"example.com","metrics":["pageviews","visitors","visits"],
              "dimensions":["time:day","visit:utm_campaign","visit:utm_source","visit:utm_medium","visit:utm_content"]}}"#;
        let p = read_page(KeyProvider::Plausible, answer, 0, 0, 0).unwrap();
        assert_eq!(
            p.next,
            Some(2),
            "3 rows announced, 2 received: ask from row 2"
        );
        assert_eq!(p.rows[0].content, "cal-1");
        assert_eq!(p.rows[0].pageviews, 321.0);
        assert_eq!(p.rows[1].date, "2026-11-02");
        let last = answer.replace("\"total_rows\":3", "\"total_rows\":2");
        assert_eq!(
            read_page(KeyProvider::Plausible, &last, 0, 0, 0)
                .unwrap()
                .next,
            None
        );
        assert!(matches!(
            read_page(KeyProvider::Plausible, r#"{"error":"x"}"#, 0, 0, 0),
            Err(PullError::Shape { .. })
        ));
        assert!(matches!(
            read_page(
                KeyProvider::Plausible,
                r#"{"results":[{"dimensions":["soon"],"metrics":[1]}]}"#,
                0,
                0,
                0
            ),
            Err(PullError::Shape { .. })
        ));
    }

    #[test]
    fn posthog_request_and_pages() {
        let s = src(KeyProvider::PostHog, "https://eu.posthog.com", "123");
        let r = request(s, "phx_k", day("2026-11-01"), day("2026-11-30"), 20_000);
        assert_eq!(r.url, "https://eu.posthog.com/api/projects/123/query/");
        assert_eq!(
            r.headers,
            vec![("authorization", "Bearer phx_k".to_owned())]
        );
        let b = body(&r);
        assert_eq!(b["query"]["kind"], "HogQLQuery");
        let q = b["query"]["query"].as_str().unwrap();
        assert!(q.contains("toDateTime('2026-11-01 00:00:00')"), "{q}");
        assert!(q.contains("toDateTime('2026-12-01 00:00:00')"), "{q}");
        assert!(
            q.ends_with(&format!("LIMIT {PAGE_ROWS} OFFSET 20000")),
            "{q}"
        );
        let answer = r#"{"columns":["day","campaign","source","medium","content","pageviews","events"],
            "types":[],"results":[["2026-11-01","Q1","google","cpc","cal-1",321,400],
            ["2026-11-03",null,"linkedin","social","cal-10",99,120]],"hasMore":true}"#;
        let p = read_page(KeyProvider::PostHog, answer, 0, 0, 20_000).unwrap();
        assert_eq!(p.next, Some(20_002));
        assert_eq!(p.rows[1].campaign, "");
        assert_eq!(p.rows[1].pageviews, 99.0);
        let done = answer.replace("\"hasMore\":true", "\"hasMore\":false");
        assert_eq!(
            read_page(KeyProvider::PostHog, &done, 0, 0, 20_000)
                .unwrap()
                .next,
            None
        );
    }

    #[test]
    fn matomo_request_answer_and_errors() {
        let s = src(KeyProvider::Matomo, "https://m.example.com/", "3");
        let r = request(s, "tok&en", day("2026-11-01"), day("2026-11-30"), 0);
        assert_eq!(r.url, "https://m.example.com/index.php");
        assert!(r.headers.is_empty(), "the token goes in the body");
        let (ct, text) = r.body.clone().unwrap();
        assert_eq!(ct, "application/x-www-form-urlencoded");
        assert!(text.contains("method=MarketingCampaignsReporting.getContent"));
        assert!(text.contains("date=2026-11-01%2C2026-11-30"));
        assert!(text.contains("idSite=3"));
        assert!(text.ends_with("token_auth=tok%26en"));
        assert!(!r.url.contains("tok"));
        let answer = r#"{"2026-11-01":[{"label":"cal-1","nb_visits":30,"nb_actions":321,"nb_conversions":7,"revenue":420.5}],
            "2026-11-02":[],"2026-11-03":[{"label":"cal-10","nb_visits":9,"nb_actions":"99","nb_conversions":3,"revenue":0}]}"#;
        let p = read_page(KeyProvider::Matomo, answer, 0, 0, 0).unwrap();
        assert_eq!(p.next, None);
        assert_eq!(p.rows.len(), 2);
        assert_eq!(p.rows[0].conversions, Some(7.0));
        assert_eq!(p.rows[1].pageviews, 99.0);
        assert_eq!(p.rows[1].date, "2026-11-03");
        assert_eq!(
            read_page(
                KeyProvider::Matomo,
                r#"{"result":"error","message":"You must be logged in to access this functionality. Please check the token_auth"}"#,
                0,
                0,
                0
            ),
            Err(PullError::KeyRefused)
        );
        assert_eq!(
            read_page(
                KeyProvider::Matomo,
                r#"{"result":"error","message":"The plugin MarketingCampaignsReporting is not enabled."}"#,
                0,
                0,
                0
            ),
            Err(PullError::Refused(
                "The plugin MarketingCampaignsReporting is not enabled.".into()
            ))
        );
    }

    #[test]
    fn umami_asks_day_by_day() {
        let (a, b) = (day("2026-11-29"), day("2026-11-30"));
        let cloud = src(KeyProvider::Umami, "https://api.umami.is/v1", "w-1");
        let r = request(cloud, "K", a, b, 1);
        assert_eq!(r.url, "https://api.umami.is/v1/reports/utm");
        assert_eq!(r.headers, vec![("x-umami-api-key", "K".to_owned())]);
        let body = body(&r);
        assert_eq!(body["dateRange"]["startDate"], "2026-11-30T00:00:00.000Z");
        assert_eq!(body["websiteId"], "w-1");
        let own = src(KeyProvider::Umami, "https://u.example.com/api", "w-1");
        assert_eq!(
            request(own, "K", a, b, 0).headers,
            vec![("authorization", "Bearer K".to_owned())]
        );
        let answer = r#"[{"url_query":"utm_campaign=Q1%20Launch&utm_medium=cpc&utm_source=google&utm_content=cal-1","num":321},
            {"url_query":"utm_source=news","num":4}]"#;
        let p = read_page(KeyProvider::Umami, answer, a, b, 0).unwrap();
        assert_eq!(p.next, Some(1));
        assert_eq!(p.rows[0].campaign, "Q1 Launch");
        assert_eq!(p.rows[0].content, "cal-1");
        assert_eq!(p.rows[0].date, "2026-11-29");
        assert_eq!(p.rows[1].content, "");
        assert_eq!(
            read_page(KeyProvider::Umami, "[]", a, b, 1).unwrap().next,
            None
        );
    }

    #[test]
    fn rows_become_a_run_report_the_ga4_importer_reads() {
        let rows = vec![
            Row {
                date: "2026-11-01".into(),
                campaign: "Q1".into(),
                source: "google".into(),
                medium: "cpc".into(),
                content: "cal-1".into(),
                pageviews: 321.0,
                conversions: Some(7.0),
                revenue: None,
            },
            Row {
                date: "2026-11-02".into(),
                campaign: String::new(),
                source: String::new(),
                medium: String::new(),
                content: "cal-4".into(),
                pageviews: 55.0,
                conversions: None,
                revenue: None,
            },
        ];
        let bytes = run_report(&rows);
        let v: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(v["rowCount"], 2);
        assert_eq!(v["metricHeaders"].as_array().unwrap().len(), 2);
        assert_eq!(v["rows"][0]["dimensionValues"][0]["value"], "20261101");
        assert_eq!(v["rows"][1]["metricValues"][1]["value"], "0");
        // The engine reads it as a GA4 report: two rows, pageviews and signups, cal-1 found.
        let import = refleqt_engine::detect::import(
            &bytes,
            "pull.json",
            &refleqt_engine::imports::ImportOptions::default(),
        )
        .unwrap();
        assert_eq!(import.rows.len(), 2);
    }
}
