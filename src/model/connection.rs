//! Connections (issue 9): what the workspace remembers of each one (never a token), the honest
//! list of providers a browser can and cannot reach, and the pure decisions of a pull — the
//! default period (the last full month, the spec's monthly cycle), the GA4 Data API `runReport`
//! request and its pagination (`offset`/`limit` against `rowCount`), the merge of the pages into
//! one response the existing GA4 importer reads, and what to do with each HTTP answer (HTTP 429
//! waits for `Retry-After`, at most [`MAX_RETRIES`] times and never longer than
//! [`MAX_RETRY_WAIT_MS`]; 401 means the token expired; anything else fails the whole pull, which
//! then writes nothing). `Retry-After` is read as seconds or as an HTTP date (RFC 9110 §10.2.3,
//! IMF-fixdate). API-key sources ([`DataShape::Key`], [`KeyProvider`]) are mapped in
//! `model::api_key`.

use refleqt_engine::dates::{civil_from_days, days_from_civil, format_iso_date};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use thiserror::Error;

use super::oauth::Endpoints;

/// Rows asked for per page of a `runReport` pull.
pub const PAGE_ROWS: u64 = 1_000;
/// Pages one pull may fetch (a million rows); more is refused rather than looping.
pub const MAX_PAGES: u64 = 1_000;
/// Times one request is retried after HTTP 429.
pub const MAX_RETRIES: u32 = 3;
/// The longest wait the app accepts from `Retry-After`.
pub const MAX_RETRY_WAIT_MS: u64 = 60_000;

/// A source that is read with a key the person pastes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyProvider {
    Plausible,
    PostHog,
    Matomo,
    Umami,
}

impl KeyProvider {
    pub const ALL: [KeyProvider; 4] = [
        KeyProvider::Plausible,
        KeyProvider::PostHog,
        KeyProvider::Matomo,
        KeyProvider::Umami,
    ];

    pub fn label(self) -> &'static str {
        match self {
            KeyProvider::Plausible => "Plausible (Stats API v2)",
            KeyProvider::PostHog => "PostHog (query API)",
            KeyProvider::Matomo => "Matomo (Reporting API)",
            KeyProvider::Umami => "Umami (UTM report)",
        }
    }

    /// What the "API address" field wants, with an example.
    pub fn address_hint(self) -> &'static str {
        match self {
            KeyProvider::Plausible => {
                "Your Plausible address, e.g. https://plausible.io or your own server."
            }
            KeyProvider::PostHog => {
                "Your PostHog address, e.g. https://us.posthog.com or https://eu.posthog.com."
            }
            KeyProvider::Matomo => {
                "Your Matomo address (where index.php is), e.g. https://matomo.example.com."
            }
            KeyProvider::Umami => {
                "The API address: https://api.umami.is/v1 (Umami Cloud) or https://your-umami/api."
            }
        }
    }

    /// What the "site" field means here.
    pub fn site_hint(self) -> &'static str {
        match self {
            KeyProvider::Plausible => {
                "The site id: the domain as added in Plausible, e.g. example.com."
            }
            KeyProvider::PostHog => "The project id (Project settings).",
            KeyProvider::Matomo => "The idSite number of the website.",
            KeyProvider::Umami => "The website id (a UUID, in the website's settings).",
        }
    }

    /// Where the key comes from.
    pub fn key_hint(self) -> &'static str {
        match self {
            KeyProvider::Plausible => "A Stats API key (Account settings → API keys).",
            KeyProvider::PostHog => "A personal API key with the Query Read permission.",
            KeyProvider::Matomo => {
                "A token_auth (Personal → Security → Auth tokens), of a user who may view the site."
            }
            KeyProvider::Umami => {
                "Umami Cloud: an API key. Self-hosted: the token from /api/auth/login."
            }
        }
    }
}

/// The shape of the data endpoint's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DataShape {
    /// GA4 Data API `properties/{id}:runReport` (POST JSON, paginated by offset).
    #[default]
    Ga4RunReport,
    /// A source read with a pasted API key (no OAuth): `model::api_key`.
    Key(KeyProvider),
}

impl DataShape {
    /// The API-key provider, for a key source.
    pub fn key_provider(self) -> Option<KeyProvider> {
        match self {
            DataShape::Key(p) => Some(p),
            DataShape::Ga4RunReport => None,
        }
    }
}

/// A connection as the workspace keeps it: settings and the last period pulled. No token, ever.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Connection {
    pub id: u64,
    pub name: String,
    /// Discovery address (`…/.well-known/openid-configuration` is read from it); may be empty
    /// when the endpoints are typed in.
    pub issuer: String,
    pub endpoints: Endpoints,
    pub client_id: String,
    pub scopes: String,
    /// Where the report rows come from (e.g. `https://analyticsdata.googleapis.com/v1beta/properties/123:runReport`).
    pub data_endpoint: String,
    pub shape: DataShape,
    /// API-key sources: the site, project or website id the reports are about.
    pub site: String,
    /// The last period pulled and confirmed, as ISO days.
    pub last_pulled: Option<(String, String)>,
}

/// Why a connection's settings cannot be saved.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConnectionError {
    #[error("Give the connection a name.")]
    NoName,
    #[error("Enter the client id the provider gave you for this app.")]
    NoClientId,
    #[error("Enter the issuer address, or both the authorization and the token endpoint.")]
    NoServer,
    #[error("{0} must be an https address (http only for 127.0.0.1 or localhost).")]
    NotHttps(String),
    #[error("Enter the data endpoint the reports are read from.")]
    NoDataEndpoint,
    #[error("Enter the provider's API address.")]
    NoApiAddress,
    #[error("Enter the site (or project, or website) id the reports are about.")]
    NoSite,
}

fn address_ok(url: &str) -> bool {
    url.starts_with("https://")
        || url.starts_with("http://127.0.0.1")
        || url.starts_with("http://localhost")
}

impl Connection {
    /// Check the settings a person typed.
    pub fn validate(&self) -> Result<(), ConnectionError> {
        if self.name.trim().is_empty() {
            return Err(ConnectionError::NoName);
        }
        if self.shape.key_provider().is_some() {
            if self.data_endpoint.trim().is_empty() {
                return Err(ConnectionError::NoApiAddress);
            }
            if self.site.trim().is_empty() {
                return Err(ConnectionError::NoSite);
            }
            if !address_ok(&self.data_endpoint) {
                return Err(ConnectionError::NotHttps("The API address".to_owned()));
            }
            return Ok(());
        }
        if self.client_id.trim().is_empty() {
            return Err(ConnectionError::NoClientId);
        }
        let typed = !self.endpoints.authorization.is_empty() && !self.endpoints.token.is_empty();
        if self.issuer.trim().is_empty() && !typed {
            return Err(ConnectionError::NoServer);
        }
        if self.data_endpoint.trim().is_empty() {
            return Err(ConnectionError::NoDataEndpoint);
        }
        for (what, url) in [
            ("The issuer", &self.issuer),
            ("The authorization endpoint", &self.endpoints.authorization),
            ("The token endpoint", &self.endpoints.token),
            ("The revocation endpoint", &self.endpoints.revocation),
            ("The data endpoint", &self.data_endpoint),
        ] {
            if !url.is_empty() && !address_ok(url) {
                return Err(ConnectionError::NotHttps(what.to_owned()));
            }
        }
        Ok(())
    }

    /// The origins this connection talks to (for the README's connect-src advice).
    pub fn origins(&self) -> Vec<String> {
        let mut out: Vec<String> = [
            &self.issuer,
            &self.endpoints.token,
            &self.endpoints.revocation,
            &self.data_endpoint,
        ]
        .into_iter()
        .filter_map(|u| origin_of(u))
        .collect();
        out.sort();
        out.dedup();
        out
    }
}

/// `scheme://host[:port]` of a URL.
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    (!host.is_empty()).then(|| format!("{scheme}://{host}"))
}

/// What a browser can do with a provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Works from the browser with the user's own public client (set-up on the provider's side).
    Works,
    /// Works with a key the user pastes, where the provider allows this app's origin (CORS).
    ApiKey,
    /// The provider does not allow browsers (no CORS, or a client secret required).
    RefusesBrowsers,
}

/// One provider in the Connections page's list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Provider {
    pub name: &'static str,
    pub status: Status,
    /// What to do (set-up) or why it cannot work and the export route.
    pub note: &'static str,
}

/// The providers, with their honest status (README "Connections" says the same).
pub const PROVIDERS: &[Provider] = &[
    Provider {
        name: "Any OAuth 2.0 / OpenID Connect server",
        status: Status::Works,
        note: "Needs a public client (no secret) with PKCE S256, this app's address as redirect URI, CORS for this app's origin on its token endpoint, and a data endpoint that answers in the GA4 runReport shape. Its origins must be in the build's connect-src (README, Connections).",
    },
    Provider {
        name: "Google Analytics 4 (Data API runReport)",
        status: Status::RefusesBrowsers,
        note: "Google's token endpoint asks a \u{201c}Web application\u{201d} client for its client secret even with PKCE, and a browser app cannot keep a secret; Google's browser route (the Identity Services token model) is an implicit-style grant this app does not use. Run the report in Google's API Explorer (runReport) or BigQuery and bring the JSON or CSV through Import; a server of your own that answers in the runReport shape works as a generic connection.",
    },
    Provider {
        name: "Meta Ads Insights (Graph API)",
        status: Status::RefusesBrowsers,
        note: "Meta's code exchange needs the app secret and its browser login is an implicit-style grant this app does not use. Export the Ads Manager report (CSV) or the Graph API insights JSON and use Import.",
    },
    Provider {
        name: "Plausible (Stats API v2)",
        status: Status::ApiKey,
        note: "Paste a Stats API key; pulls page views per day and UTM parameters (visitors, visits and events are shown as ignored columns; goals are not pulled). The browser can read the answer only if the Plausible server allows this app's origin (CORS): a self-hosted Plausible needs that header added (e.g. by its reverse proxy); whether plausible.io sends it was not checked. Otherwise export the dashboard as CSV.",
    },
    Provider {
        name: "PostHog (query API)",
        status: Status::ApiKey,
        note: "Paste a personal API key with Query Read and give the project id; pulls $pageview counts per day and UTM properties with a HogQL query. Needs CORS for this app's origin on the PostHog host (not checked against PostHog Cloud). Otherwise export an insight as CSV.",
    },
    Provider {
        name: "Matomo (Reporting API)",
        status: Status::ApiKey,
        note: "Paste a token_auth and give the idSite; reads the Marketing Campaigns Reporting plugin's report by campaign content (actions, conversions, revenue). Allow this app's origin with cors_domains[] in Matomo's config.ini.php. Otherwise export the report as CSV.",
    },
    Provider {
        name: "Umami (UTM report)",
        status: Status::ApiKey,
        note: "Paste an Umami Cloud API key (or a self-hosted login token) and the website id; reads the UTM report one day at a time (views). Needs CORS for this app's origin on the Umami API (not checked). Otherwise export the data as CSV.",
    },
    Provider {
        name: "Mailchimp, LinkedIn, HubSpot",
        status: Status::RefusesBrowsers,
        note: "Their token endpoints require a client secret and send no CORS headers, so no browser app can connect without a server in between. Export the campaign report (CSV) and use Import.",
    },
];

/// The last full month before the day `today` (days since 1970-01-01): first and last day.
pub fn last_full_month(today: i64) -> (i64, i64) {
    let (y, m, _) = civil_from_days(today);
    let first_this = days_from_civil(y, m, 1);
    let (py, pm, _) = civil_from_days(first_this - 1);
    (days_from_civil(py, pm, 1), first_this - 1)
}

/// The `runReport` request body for one page: the dimensions the GA4 importer matches on
/// (date, campaign, source, medium, ad content = `utm_content`) and the metrics it maps.
pub fn run_report_request(start: i64, end: i64, offset: u64) -> String {
    json!({
        "dateRanges": [{"startDate": format_iso_date(start), "endDate": format_iso_date(end)}],
        "dimensions": [
            {"name": "date"}, {"name": "sessionCampaignName"}, {"name": "sessionSource"},
            {"name": "sessionMedium"}, {"name": "sessionManualAdContent"}
        ],
        "metrics": [
            {"name": "screenPageViews"}, {"name": "keyEvents"}, {"name": "totalRevenue"}
        ],
        "limit": PAGE_ROWS.to_string(),
        "offset": offset.to_string(),
        "keepEmptyRows": false
    })
    .to_string()
}

/// The pages of one pull, merged into one `runReport` response for the importer.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Pages {
    first: Option<Value>,
    rows: Vec<Value>,
    /// `rowCount` of the report (all pages).
    row_count: Option<u64>,
    pub pages: u64,
}

impl Pages {
    /// Add one page; gives the offset of the next page to ask for, or `None` when done.
    pub fn add(&mut self, body: &str) -> Result<Option<u64>, PullError> {
        let v: Value = serde_json::from_str(body).map_err(|_| PullError::Shape {
            what: "an answer that is not JSON".to_owned(),
        })?;
        if !v.is_object() || v.get("dimensionHeaders").is_none() && v.get("rows").is_none() {
            return Err(PullError::Shape {
                what: "JSON that is not a runReport answer".to_owned(),
            });
        }
        let rows = match v.get("rows") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(r)) => r.clone(),
            Some(_) => {
                return Err(PullError::Shape {
                    what: "rows that are not a list".to_owned(),
                })
            }
        };
        let got = rows.len() as u64;
        self.rows.extend(rows);
        self.pages += 1;
        self.row_count = v.get("rowCount").and_then(Value::as_u64).or(self.row_count);
        if self.first.is_none() {
            self.first = Some(v);
        }
        let have = self.rows.len() as u64;
        let more = match self.row_count {
            Some(total) => have < total && got > 0,
            None => got >= PAGE_ROWS,
        };
        if !more {
            return Ok(None);
        }
        if self.pages >= MAX_PAGES {
            return Err(PullError::TooManyPages);
        }
        Ok(Some(have))
    }

    /// The merged response (headers and metadata of the first page, every page's rows).
    pub fn merged(self) -> Vec<u8> {
        let mut v = self.first.unwrap_or_else(|| json!({}));
        let n = self.rows.len();
        if let Some(o) = v.as_object_mut() {
            o.insert("rows".to_owned(), Value::Array(self.rows));
            o.insert("rowCount".to_owned(), json!(n));
        }
        v.to_string().into_bytes()
    }

    /// Rows received so far.
    pub fn rows(&self) -> usize {
        self.rows.len()
    }

    /// `rowCount` announced by the server, when it said.
    pub fn expected_rows(&self) -> Option<u64> {
        self.row_count
    }
}

/// What to do with one HTTP answer of the data endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Use the body.
    Use,
    /// Wait this long, then ask again.
    Retry { after_ms: u64 },
    /// The access token is no longer accepted: refresh it (if possible) and ask again.
    Refresh,
    /// Stop the pull; nothing is written.
    Fail(PullError),
}

/// An HTTP date (RFC 9110 §5.6.7) in ms since the epoch: the IMF-fixdate
/// `Sun, 06 Nov 1994 08:49:37 GMT`, and the obsolete `Sunday, 06-Nov-94 08:49:37 GMT` and
/// `Sun Nov  6 08:49:37 1994` that recipients must also accept.
pub fn parse_http_date(text: &str) -> Option<i64> {
    use refleqt_engine::dates::{checked_days, month_of_name};
    let parts: Vec<&str> = text
        .split([' ', '-', ','])
        .filter(|p| !p.is_empty())
        .collect();
    // The weekday comes first in every form.
    let rest = parts.get(1..)?;
    let (day, month, year, time) = match rest {
        [m, d, t, y] if month_of_name(m).is_some() => (*d, *m, *y, *t),
        [d, m, y, t, zone] if zone.eq_ignore_ascii_case("GMT") => (*d, *m, *y, *t),
        _ => return None,
    };
    let month = month_of_name(month)?;
    let day: u32 = day.parse().ok()?;
    let mut year: i64 = year.parse().ok()?;
    if year < 100 {
        // RFC 9110: a two-digit year more than 50 years ahead is in the past century.
        year += if year < 70 { 2000 } else { 1900 };
    }
    let hms: Vec<i64> = time
        .split(':')
        .map(|x| x.parse::<i64>().ok())
        .collect::<Option<_>>()?;
    let [h, m, sec] = hms[..] else {
        return None;
    };
    if !(0..24).contains(&h) || !(0..60).contains(&m) || !(0..61).contains(&sec) {
        return None;
    }
    let days = checked_days(year, month, day).ok()?;
    Some(((days * 24 + h) * 60 + m) * 60_000 + sec * 1000)
}

/// `Retry-After` (RFC 9110 §10.2.3): seconds, or an HTTP date (the wait until then, from
/// `now_ms`); 5 s when absent or unreadable.
pub fn retry_after_ms(header: Option<&str>, now_ms: i64) -> u64 {
    let Some(h) = header.map(str::trim) else {
        return 5_000;
    };
    if let Ok(s) = h.parse::<u64>() {
        return s.saturating_mul(1000);
    }
    match parse_http_date(h) {
        Some(at) => u64::try_from(at - now_ms).unwrap_or(0),
        None => 5_000,
    }
}

/// Decide on an answer: `status`, its `Retry-After`, how many retries this request had, whether
/// the token was just refreshed, and the time now (for a `Retry-After` date).
pub fn decide(
    status: u16,
    retry_after: Option<&str>,
    retries: u32,
    refreshed: bool,
    now_ms: i64,
) -> Decision {
    match status {
        200..=299 => Decision::Use,
        401 if !refreshed => Decision::Refresh,
        401 => Decision::Fail(PullError::Unauthorized),
        403 => Decision::Fail(PullError::Forbidden),
        429 => {
            let wait = retry_after_ms(retry_after, now_ms);
            if retries >= MAX_RETRIES || wait > MAX_RETRY_WAIT_MS {
                Decision::Fail(PullError::RateLimited {
                    seconds: wait / 1000,
                })
            } else {
                Decision::Retry { after_ms: wait }
            }
        }
        s => Decision::Fail(PullError::Status { status: s }),
    }
}

/// Why a pull stopped, in a marketer's words. A stopped pull writes nothing.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PullError {
    #[error("The provider no longer accepts this connection's sign-in (it expired or was revoked). Nothing was written. Press Connect, then Pull again.")]
    Unauthorized,
    #[error("The provider refused access to these reports: the signed-in account may not have permission for them. Nothing was written.")]
    Forbidden,
    #[error("The provider asked the app to slow down (too many requests; it asked to wait {seconds} s). Nothing was written. Try the pull again in a few minutes.")]
    RateLimited { seconds: u64 },
    #[error("The provider had a problem answering (HTTP {status}). Nothing was written. Try again later.")]
    Status { status: u16 },
    #[error("The provider answered with {what}. Nothing was written. Check the data endpoint of this connection.")]
    Shape { what: String },
    #[error(
        "The report has more than {} pages of rows; pull a shorter period.",
        MAX_PAGES
    )]
    TooManyPages,
    #[error("The provider could not be reached (offline, or its address is not allowed by this app's security policy; see README, Connections). Nothing was written.")]
    Network,
    #[error("This connection is not connected. Press Connect first.")]
    NotConnected,
    #[error("The provider did not accept this API key (mistyped, expired, or without read access to this site). Nothing was written, and the app forgot the key: paste it again.")]
    KeyRefused,
    #[error("The provider refused the request: \u{201c}{0}\u{201d} Nothing was written.")]
    Refused(String),
    #[error("Enter the API key first.")]
    NoKey,
}

/// [`decide`] for an API-key source: no refresh; 401 and 403 mean the key is refused.
pub fn decide_key(status: u16, retry_after: Option<&str>, retries: u32, now_ms: i64) -> Decision {
    match decide(status, retry_after, retries, true, now_ms) {
        Decision::Fail(PullError::Unauthorized | PullError::Forbidden) | Decision::Refresh => {
            Decision::Fail(PullError::KeyRefused)
        }
        d => d,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use refleqt_engine::dates::parse_iso_date_parts;

    fn day(s: &str) -> i64 {
        let (y, m, d) = parse_iso_date_parts(s).unwrap();
        days_from_civil(y, m, d)
    }

    #[test]
    fn last_full_month_is_the_previous_calendar_month() {
        for (today, a, b) in [
            ("2026-12-03", "2026-11-01", "2026-11-30"),
            ("2026-01-01", "2025-12-01", "2025-12-31"),
            ("2024-03-31", "2024-02-01", "2024-02-29"),
        ] {
            assert_eq!(last_full_month(day(today)), (day(a), day(b)), "{today}");
        }
    }

    #[test]
    fn request_asks_for_the_period_and_the_matching_dimensions() {
        let body: Value = serde_json::from_str(&run_report_request(
            day("2026-11-01"),
            day("2026-11-30"),
            2000,
        ))
        .unwrap();
        assert_eq!(body["dateRanges"][0]["startDate"], "2026-11-01");
        assert_eq!(body["dateRanges"][0]["endDate"], "2026-11-30");
        assert_eq!(body["offset"], "2000");
        assert!(body["dimensions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["name"] == "sessionManualAdContent"));
    }

    fn page(rows: usize, count: Option<u64>) -> String {
        let rows: Vec<Value> = (0..rows)
            .map(|i| json!({"dimensionValues":[{"value": i.to_string()}],"metricValues":[{"value":"1"}]}))
            .collect();
        let mut v = json!({"dimensionHeaders":[{"name":"date"}],"metricHeaders":[{"name":"screenPageViews"}],"rows": rows, "metadata":{"currencyCode":"USD"}});
        if let Some(c) = count {
            v["rowCount"] = json!(c);
        }
        v.to_string()
    }

    #[test]
    fn pages_follow_row_count_and_merge() {
        let mut p = Pages::default();
        assert_eq!(p.add(&page(2, Some(5))), Ok(Some(2)));
        assert_eq!(p.add(&page(2, Some(5))), Ok(Some(4)));
        assert_eq!(p.add(&page(1, Some(5))), Ok(None));
        assert_eq!(p.pages, 3);
        let merged: Value = serde_json::from_slice(&p.merged()).unwrap();
        assert_eq!(merged["rows"].as_array().unwrap().len(), 5);
        assert_eq!(merged["rowCount"], 5);
        assert_eq!(merged["metadata"]["currencyCode"], "USD");
        // A server that stops sending rows early ends the pull instead of looping.
        let mut short = Pages::default();
        assert_eq!(short.add(&page(0, Some(5))), Ok(None));
        // Without rowCount: a full page means ask again.
        let mut nc = Pages::default();
        assert_eq!(nc.add(&page(PAGE_ROWS as usize, None)), Ok(Some(PAGE_ROWS)));
        assert_eq!(nc.add(&page(3, None)), Ok(None));
        assert!(matches!(
            Pages::default().add("{\"x\":1}"),
            Err(PullError::Shape { .. })
        ));
        assert!(matches!(
            Pages::default().add("<html>"),
            Err(PullError::Shape { .. })
        ));
    }

    #[test]
    fn decisions_on_status_and_retry_after() {
        assert_eq!(decide(200, None, 0, false, 0), Decision::Use);
        assert_eq!(decide(401, None, 0, false, 0), Decision::Refresh);
        assert_eq!(
            decide(401, None, 0, true, 0),
            Decision::Fail(PullError::Unauthorized)
        );
        assert_eq!(
            decide(429, Some("2"), 0, false, 0),
            Decision::Retry { after_ms: 2000 }
        );
        assert_eq!(
            decide(429, Some("2"), MAX_RETRIES, false, 0),
            Decision::Fail(PullError::RateLimited { seconds: 2 })
        );
        assert_eq!(
            decide(429, Some("3600"), 0, false, 0),
            Decision::Fail(PullError::RateLimited { seconds: 3600 })
        );
        // An HTTP date: the wait until then; a date already past means ask again now.
        let at = parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        assert_eq!(
            decide(
                429,
                Some("Wed, 21 Oct 2015 07:28:00 GMT"),
                0,
                false,
                at - 2_000
            ),
            Decision::Retry { after_ms: 2000 }
        );
        assert_eq!(
            decide(
                429,
                Some("Wed, 21 Oct 2015 07:28:00 GMT"),
                0,
                false,
                at + 9_000
            ),
            Decision::Retry { after_ms: 0 }
        );
        assert_eq!(
            decide(429, Some("soon"), 0, false, 0),
            Decision::Retry { after_ms: 5000 }
        );
        assert_eq!(
            decide(500, None, 0, false, 0),
            Decision::Fail(PullError::Status { status: 500 })
        );
        assert_eq!(
            decide(403, None, 0, false, 0),
            Decision::Fail(PullError::Forbidden)
        );
    }

    #[test]
    fn http_dates_in_all_three_forms() {
        // 1994-11-06 is day 9075 since 1970-01-01.
        let want = ((9075 * 24 + 8) * 60 + 49) * 60_000 + 37_000;
        for text in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            assert_eq!(parse_http_date(text), Some(want), "{text}");
        }
        assert_eq!(parse_http_date("Sun, 31 Feb 1994 08:49:37 GMT"), None);
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 25:49:37 GMT"), None);
        assert_eq!(parse_http_date("tomorrow"), None);
        assert_eq!(
            retry_after_ms(Some("Sun, 06 Nov 1994 08:49:37 GMT"), want - 1_500),
            1_500
        );
        assert_eq!(retry_after_ms(Some(" 7 "), 0), 7_000);
        assert_eq!(retry_after_ms(None, 0), 5_000);
    }

    #[test]
    fn key_sources_refuse_on_401_and_403_and_never_refresh() {
        for status in [401, 403] {
            assert_eq!(
                decide_key(status, None, 0, 0),
                Decision::Fail(PullError::KeyRefused)
            );
        }
        assert_eq!(
            decide_key(429, Some("1"), 0, 0),
            Decision::Retry { after_ms: 1000 }
        );
        assert_eq!(decide_key(200, None, 0, 0), Decision::Use);
        assert_eq!(
            decide_key(502, None, 0, 0),
            Decision::Fail(PullError::Status { status: 502 })
        );
    }

    #[test]
    fn key_source_settings() {
        let mut c = Connection {
            name: "Plausible".into(),
            shape: DataShape::Key(KeyProvider::Plausible),
            data_endpoint: "https://plausible.io".into(),
            site: "example.com".into(),
            ..Connection::default()
        };
        assert_eq!(c.validate(), Ok(()), "no client id or issuer needed");
        c.site = " ".into();
        assert_eq!(c.validate(), Err(ConnectionError::NoSite));
        c.site = "example.com".into();
        c.data_endpoint = "http://plausible.example".into();
        assert!(matches!(c.validate(), Err(ConnectionError::NotHttps(_))));
        c.data_endpoint = String::new();
        assert_eq!(c.validate(), Err(ConnectionError::NoApiAddress));
        let text = serde_json::to_string(&Connection {
            shape: DataShape::Key(KeyProvider::Umami),
            ..Connection::default()
        })
        .unwrap();
        assert!(text.contains(r#""shape":{"key":"umami"}"#), "{text}");
        let back: Connection = serde_json::from_str(&text).unwrap();
        assert_eq!(back.shape.key_provider(), Some(KeyProvider::Umami));
    }

    #[test]
    fn settings_are_validated_and_old_files_load() {
        let mut c = Connection {
            id: 1,
            name: "Test".into(),
            issuer: "http://127.0.0.1:4175".into(),
            client_id: "app".into(),
            data_endpoint: "http://127.0.0.1:4176/v1beta/properties/1:runReport".into(),
            ..Connection::default()
        };
        assert_eq!(c.validate(), Ok(()));
        assert_eq!(
            c.origins(),
            vec!["http://127.0.0.1:4175", "http://127.0.0.1:4176"]
        );
        c.issuer = "http://evil.example".into();
        assert!(matches!(c.validate(), Err(ConnectionError::NotHttps(_))));
        c.issuer = String::new();
        assert_eq!(c.validate(), Err(ConnectionError::NoServer));
        c.endpoints.authorization = "https://a.example/auth".into();
        c.endpoints.token = "https://a.example/token".into();
        assert_eq!(c.validate(), Ok(()));
        let old: Connection = serde_json::from_str(r#"{"id":3,"name":"x"}"#).unwrap();
        assert_eq!(old.shape, DataShape::Ga4RunReport);
        assert_eq!(old.last_pulled, None);
        let text = serde_json::to_string(&c).unwrap();
        assert!(!text.contains("token\":\"") || !text.contains("access"));
    }

    #[test]
    fn every_refusing_provider_names_the_export_route() {
        for p in PROVIDERS {
            if p.status == Status::RefusesBrowsers {
                assert!(p.note.contains("Import"), "{}", p.name);
            }
        }
    }
}
