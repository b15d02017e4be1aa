//! Imports of the exports people really have: analytics, ad and email reports → typed rows of
//! catalog metrics, matched to calendar entries, merged with what is already stored.
//!
//! | module | what lives there |
//! |---|---|
//! | this file | [`Platform`], [`Layout`], [`import_as`], the shared result types ([`Import`], [`ImportedRow`], [`Period`], [`MatchKeys`]), [`ImportOptions`] and [`ImportError`] |
//! | [`ga4`] | GA4: the flattened BigQuery-export CSV (per-day metrics *and* an [`EventLog`]) and the Data API `runReport` JSON |
//! | [`google_ads`] | Google Ads: API-style CSV (`metrics.cost_micros`, …) and the UI export (`Impr.`, `Cost`, …) |
//! | [`meta`] | Meta Ads Insights: the API JSON (`data: [{…, actions: [{action_type, value}]}]`) and the CSV of the same fields |
//! | [`mailchimp`] | Mailchimp campaign reports: the API JSON (`{reports: […]}` or one report) and the CSV export |
//! | [`matching`] | imported row → calendar entry (`cal-<id>`, then campaign + source + medium) |
//! | [`reimport`] | merging imported values with stored ones: a period is replaced, manual values win |
//!
//! # What an import gives
//! Bytes in, an [`Import`] out: the [`Platform`], the currency if the export states one, the
//! column mapping used ([`Import::columns`], editable through [`ImportOptions::columns`]), a
//! [`ParseReport`] (accepted and rejected rows with line, column and reason), and
//! [`Import::rows`]: one [`ImportedRow`] per accepted source row that carries at least one catalog
//! metric (GA4 BigQuery events are first summed per day and traffic source). Every metric key is
//! one of [`METRIC_KEYS`] — the app's metric catalog — in the catalog's units: counts, seconds,
//! percentages as 0–100, money in currency units (Google Ads micros ÷ 1,000,000).
//!
//! # Rows, lines and columns
//! For CSV, [`RowError::line`](crate::parse::RowError) is the physical line and the column is the
//! header as written. For JSON the "line" is the 1-based position of the row in its array
//! (`/rows/0` is row 1) and the column a JSON-pointer-like path of the offending value, e.g.
//! `/rows/3/metricValues/1/value` or `/data/2/actions[action_type=lead]/value`.
//! A CSV row short of trailing cells is read when none of the missing columns is mapped (the
//! missing cells are empty); otherwise it is rejected for its field count. A title line above
//! the header that states a date range becomes [`Import::stated_period`].
//! Summary rows (`Total: Account` in Google Ads UI exports) and title lines above the header are
//! not data rows: they are counted in [`Import::skipped_rows`] and nowhere else, so that
//! `accepted + rejected_count + skipped_rows` is the number of non-blank records after the header.
//!
//! # Header names
//! Headers and JSON keys are compared after normalising: lower-case, every run of characters that
//! are not letters or digits becomes one `_`, trimmed (`Conv. value` → `conv_value`,
//! `metrics.cost_micros` → `metrics_cost_micros`, `screenPageViews` → `screenpageviews`,
//! `actions:offsite_conversion.fb_pixel_purchase` → `actions_offsite_conversion_fb_pixel_purchase`).
//! Each platform module lists, per field, its synonyms in order of preference: the earliest one
//! present wins and one column serves one field.
//!
//! # Values
//! Numbers are read by [`crate::number::parse_quantity`] with [`ImportOptions::number`]
//! (default: decided by the text, `1,234` as thousands when it does not say): surrounding
//! spaces, a leading currency sign (`$ € £ ¥`), a trailing ISO code and a trailing `%` are
//! ignored; `1,234.50` and `1.234,50` are read as thousands-grouped; `12,5` as a decimal comma;
//! empty, `--`, `-`, `n/a` and `null` mean "no value" (the metric is left out of that row, it is
//! not 0). Negative or non-numeric values reject the row. Dates: anything
//! [`parse_timestamp`](crate::parse::timestamp::parse_timestamp) reads (ISO dates and date-times,
//! `YYYYMMDD`, epochs of 10+ digits), plus month-name dates (`Mar 04, 2025 10:00 am`,
//! `March 1, 2025`, `1 Mar 2025`); a date-time counts for its UTC day. Key values `(not set)`,
//! `(none)`, `(direct)`, `(other)` and `--` are treated as absent.
//!
//! # Event logs and path tables
//! [`Layout::EventLog`] and [`Layout::PathTable`] are the engine's own formats (not platforms:
//! a [`Layout`] is either one of them or `Export(`[`Platform`]`)`): the import runs [`parse_event_log`] / [`parse_path_table`] and returns the result in
//! [`Import::event_log`] / [`Import::path_table`], with no metric rows; their column mapping is
//! [`ParseReport::columns`] (editable through [`ImportOptions::event_log`] and
//! [`ImportOptions::path_table`]).

pub mod ga4;
pub mod google_ads;
pub mod mailchimp;
pub mod matching;
pub mod meta;
pub mod reimport;
pub(crate) mod table;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::links::{default_channel_mapping, ChannelUtm};
use crate::number::{DecimalMark, NumberConvention};
use crate::parse::events::{parse_event_log, EventLog, EventLogOptions};
use crate::parse::paths::{parse_path_table, PathTable, PathTableOptions};
use crate::parse::{ParseError, ParseReport, DEFAULT_MAX_STORED_REJECTIONS};

pub use matching::{match_rows, EntryKey, Match, MatchHow, MatchReport, Unmatched};
pub use reimport::{
    imported_values, reimport, Overridden, PerformanceValue, Reimport, ReimportError, ValueSource,
};

/// The metric keys of the app's catalog (`src/model/metric.rs`), in its display order.
pub const METRIC_KEYS: [&str; 28] = [
    "pageviews",
    "sessions",
    "users",
    "time_on_page",
    "bounce_rate",
    "scroll_depth",
    "impressions",
    "engagement",
    "shares",
    "saves",
    "opens",
    "clicks",
    "replies",
    "unsubscribes",
    "ad_impressions",
    "ad_clicks",
    "ctr",
    "cpc",
    "ad_conversions",
    "ranking_position",
    "organic_impressions",
    "organic_clicks",
    "form_fills",
    "signups",
    "demo_requests",
    "purchases",
    "revenue",
    "cost",
];

/// Metrics that are rates or averages: combined by their mean, never summed.
pub const AVERAGED_METRICS: [&str; 6] = [
    "time_on_page",
    "bounce_rate",
    "scroll_depth",
    "ctr",
    "cpc",
    "ranking_position",
];

pub use crate::dates::MS_PER_DAY;

/// Where an export comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    /// GA4's BigQuery export (one row per event): flattened to CSV, or the rows as
    /// newline-delimited JSON (`bq extract`) or a JSON array.
    Ga4BigQueryCsv,
    /// A GA4 Data API `runReport` response.
    Ga4DataApiJson,
    /// Google Ads: API field names (CSV), the API's `search` / `searchStream` JSON, or the UI
    /// export.
    GoogleAdsCsv,
    /// Meta Ads Insights: the API JSON or a CSV of the same fields (or the Ads Manager export).
    MetaAdsInsights,
    /// Mailchimp campaign reports: the API JSON or the CSV export.
    MailchimpReport,
}

impl Platform {
    pub const ALL: [Platform; 5] = [
        Platform::Ga4BigQueryCsv,
        Platform::Ga4DataApiJson,
        Platform::GoogleAdsCsv,
        Platform::MetaAdsInsights,
        Platform::MailchimpReport,
    ];

    /// A label for the preview.
    pub fn label(self) -> &'static str {
        match self {
            Platform::Ga4BigQueryCsv => "GA4 BigQuery export",
            Platform::Ga4DataApiJson => "GA4 Data API report (JSON)",
            Platform::GoogleAdsCsv => "Google Ads report",
            Platform::MetaAdsInsights => "Meta Ads Insights",
            Platform::MailchimpReport => "Mailchimp campaign report",
        }
    }

    /// The `(utm_source, utm_medium)` a platform's rows stand for when they carry only a
    /// campaign: Google Ads `google/cpc`, Meta `facebook/paid_social`, Mailchimp
    /// `newsletter/email` (the defaults of [`default_channel_mapping`]).
    pub fn implied_source_medium(self) -> Option<(&'static str, &'static str)> {
        match self {
            Platform::GoogleAdsCsv => Some(("google", "cpc")),
            Platform::MetaAdsInsights => Some(("facebook", "paid_social")),
            Platform::MailchimpReport => Some(("newsletter", "email")),
            Platform::Ga4BigQueryCsv | Platform::Ga4DataApiJson => None,
        }
    }
}

/// What a file holds: one of the engine's own formats or a platform's export. What
/// [`crate::detect::detect`] answers, what [`import_as`] parses, and how a stored data set
/// names its format. Serialized as one flat name (`event_log_csv`, `path_table_csv`, or the
/// platform's, e.g. `google_ads_csv`), the names `Platform` used when it still held the
/// engine's formats, so stored data sets keep loading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(from = "LayoutName", into = "LayoutName")]
pub enum Layout {
    /// The engine's event-log CSV: one row per touch or conversion.
    EventLog,
    /// The engine's aggregated path table (`path, total_conversions, …`).
    PathTable,
    /// A platform's export.
    Export(Platform),
}

impl Layout {
    /// Every layout, platform exports first (the order of the Import page's "Parse as").
    pub const ALL: [Layout; 7] = [
        Layout::Export(Platform::Ga4BigQueryCsv),
        Layout::Export(Platform::Ga4DataApiJson),
        Layout::Export(Platform::GoogleAdsCsv),
        Layout::Export(Platform::MetaAdsInsights),
        Layout::Export(Platform::MailchimpReport),
        Layout::EventLog,
        Layout::PathTable,
    ];

    /// The platform of an export; `None` for the engine's own formats.
    pub fn platform(self) -> Option<Platform> {
        match self {
            Layout::Export(p) => Some(p),
            Layout::EventLog | Layout::PathTable => None,
        }
    }

    /// [`Platform::implied_source_medium`] of an export; `None` for the engine's formats.
    pub fn implied_source_medium(self) -> Option<(&'static str, &'static str)> {
        self.platform().and_then(Platform::implied_source_medium)
    }

    /// A label for the preview.
    pub fn label(self) -> &'static str {
        match self {
            Layout::EventLog => "Event log (CSV)",
            Layout::PathTable => "Path table (CSV)",
            Layout::Export(p) => p.label(),
        }
    }
}

impl From<Platform> for Layout {
    fn from(p: Platform) -> Layout {
        Layout::Export(p)
    }
}

impl std::fmt::Display for Layout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// The stored name of a [`Layout`] (see there).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum LayoutName {
    Ga4BigQueryCsv,
    Ga4DataApiJson,
    GoogleAdsCsv,
    MetaAdsInsights,
    MailchimpReport,
    EventLogCsv,
    PathTableCsv,
}

impl From<LayoutName> for Layout {
    fn from(n: LayoutName) -> Layout {
        match n {
            LayoutName::Ga4BigQueryCsv => Layout::Export(Platform::Ga4BigQueryCsv),
            LayoutName::Ga4DataApiJson => Layout::Export(Platform::Ga4DataApiJson),
            LayoutName::GoogleAdsCsv => Layout::Export(Platform::GoogleAdsCsv),
            LayoutName::MetaAdsInsights => Layout::Export(Platform::MetaAdsInsights),
            LayoutName::MailchimpReport => Layout::Export(Platform::MailchimpReport),
            LayoutName::EventLogCsv => Layout::EventLog,
            LayoutName::PathTableCsv => Layout::PathTable,
        }
    }
}

impl From<Layout> for LayoutName {
    fn from(l: Layout) -> LayoutName {
        match l {
            Layout::Export(Platform::Ga4BigQueryCsv) => LayoutName::Ga4BigQueryCsv,
            Layout::Export(Platform::Ga4DataApiJson) => LayoutName::Ga4DataApiJson,
            Layout::Export(Platform::GoogleAdsCsv) => LayoutName::GoogleAdsCsv,
            Layout::Export(Platform::MetaAdsInsights) => LayoutName::MetaAdsInsights,
            Layout::Export(Platform::MailchimpReport) => LayoutName::MailchimpReport,
            Layout::EventLog => LayoutName::EventLogCsv,
            Layout::PathTable => LayoutName::PathTableCsv,
        }
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// The container an export came in (`Import::format`): CSV or JSON. Not the file's layout,
/// which is [`crate::detect::Layout`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Container {
    Csv,
    Json,
}

/// Whole UTC days, both ends included: `start_ms` and `end_ms` are the unix milliseconds of the
/// first and of the last day's midnight (a one-day period has `start_ms == end_ms`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Period {
    pub start_ms: i64,
    pub end_ms: i64,
}

impl Period {
    /// The period from the day of `a` to the day of `b` (in either order).
    pub fn days(a_ms: i64, b_ms: i64) -> Period {
        let (a, b) = (day_floor(a_ms), day_floor(b_ms));
        Period {
            start_ms: a.min(b),
            end_ms: a.max(b),
        }
    }

    /// The single day of `ms`.
    pub fn day(ms: i64) -> Period {
        Period::days(ms, ms)
    }

    /// Whether the two periods share at least one day.
    pub fn overlaps(&self, other: &Period) -> bool {
        self.start_ms <= other.end_ms && other.start_ms <= self.end_ms
    }

    /// Whether `other` lies entirely within `self`.
    pub fn contains(&self, other: &Period) -> bool {
        self.start_ms <= other.start_ms && other.end_ms <= self.end_ms
    }

    /// Number of days covered.
    pub fn day_count(&self) -> i64 {
        (self.end_ms - self.start_ms) / MS_PER_DAY + 1
    }
}

/// The unix milliseconds of the UTC midnight starting the day of `ms`.
pub fn day_floor(ms: i64) -> i64 {
    ms.div_euclid(MS_PER_DAY) * MS_PER_DAY
}

/// What an imported row carries to find its calendar entry. Values are as written in the export
/// (trimmed; absent markers like `(not set)` removed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchKeys {
    /// A `utm_content` / manual-content / ad-content value.
    pub utm_content: Option<String>,
    pub campaign: Option<String>,
    pub source: Option<String>,
    pub medium: Option<String>,
    /// Landing pages, page locations, final URLs or URL tag strings.
    pub urls: Vec<String>,
}

impl MatchKeys {
    pub fn is_empty(&self) -> bool {
        self.utm_content.is_none()
            && self.campaign.is_none()
            && self.source.is_none()
            && self.medium.is_none()
            && self.urls.is_empty()
    }
}

/// One imported row: the days it covers, its match keys and its metrics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportedRow {
    /// The source row: CSV line, or 1-based position in the JSON rows array. For GA4 BigQuery
    /// day rows, the line of the first event summed into it.
    pub line: u64,
    pub period: Period,
    pub keys: MatchKeys,
    /// `(metric key, value)`, keys from [`METRIC_KEYS`], each at most once.
    pub metrics: Vec<(String, f64)>,
}

impl ImportedRow {
    /// The value of `metric`, if the row has it.
    pub fn metric(&self, metric: &str) -> Option<f64> {
        self.metrics
            .iter()
            .find(|(k, _)| k == metric)
            .map(|(_, v)| *v)
    }
}

/// What a column (or JSON key) of an export is used for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportField {
    /// The day of the row (or the first day of a range).
    Date,
    /// The last day of a range (Meta `date_stop`).
    DateEnd,
    /// A whole month (`202503`, `2025-03`): the period is that month.
    Month,
    Campaign,
    Source,
    Medium,
    /// `source / medium` in one value (GA4 `sessionSourceMedium`).
    SourceMedium,
    /// `utm_content` or the platform's equivalent.
    Content,
    /// A URL or query string that may carry `utm_content=cal-<id>`.
    Url,
    Currency,
    /// GA4 event name (BigQuery `event_name`, Data API `eventName`).
    EventName,
    /// GA4 Data API `eventCount`, turned into metrics by the event name.
    EventCount,
    /// GA4 BigQuery `event_timestamp`.
    EventTimestamp,
    /// GA4 BigQuery `user_pseudo_id`.
    User,
    /// A catalog metric (one of [`METRIC_KEYS`]).
    Metric(String),
}

impl ImportField {
    pub fn metric(key: &str) -> ImportField {
        ImportField::Metric(key.to_owned())
    }
}

impl std::fmt::Display for ImportField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = match self {
            ImportField::Date => "date",
            ImportField::DateEnd => "end date",
            ImportField::Month => "month",
            ImportField::Campaign => "campaign",
            ImportField::Source => "source",
            ImportField::Medium => "medium",
            ImportField::SourceMedium => "source / medium",
            ImportField::Content => "utm_content",
            ImportField::Url => "URL",
            ImportField::Currency => "currency",
            ImportField::EventName => "event name",
            ImportField::EventCount => "event count",
            ImportField::EventTimestamp => "event timestamp",
            ImportField::User => "user id",
            ImportField::Metric(m) => return write!(f, "metric {m}"),
        };
        f.write_str(s)
    }
}

/// Which header (or JSON key) serves a field. `index` is the CSV column (0-based) or, for the
/// GA4 Data API, the position in `dimensionHeaders` followed by `metricHeaders`; for Meta and
/// Mailchimp JSON the position among the keys seen (rows in order, each row's keys sorted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportColumn {
    pub field: ImportField,
    pub header: String,
    pub index: usize,
}

/// Options of [`crate::detect::import`], [`import_as`] and the per-platform parsers.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportOptions {
    /// Skip detection and parse as this layout.
    pub layout: Option<Layout>,
    /// Explicit headers (or JSON keys) for fields, overriding the synonyms. An empty header
    /// means "do not use this field". A header given for a field no longer serves its default.
    pub columns: Vec<(ImportField, String)>,
    /// The period of rows that carry no date (a Google Ads export without a day column, a GA4
    /// report without a `date` dimension). Without it such exports are refused.
    pub period: Option<Period>,
    /// Channel → source/medium mapping (for naming GA4 BigQuery touches by channel).
    pub channel_mapping: Vec<ChannelUtm>,
    /// The CSV delimiter; `None` sniffs it.
    pub delimiter: Option<crate::parse::Delimiter>,
    /// How many rejected rows to keep in detail (all are counted).
    pub max_stored_rejections: usize,
    /// Options of the event-log parser ([`Layout::EventLog`]).
    pub event_log: EventLogOptions,
    /// Options of the path-table parser ([`Layout::PathTable`]).
    pub path_table: PathTableOptions,
    /// How numbers are read; `None` reads platform exports with
    /// [`NumberConvention::Auto`] and a decimal point when the text is ambiguous, and the
    /// engine's own formats by their delimiter (unless their nested options say otherwise).
    pub number: Option<NumberConvention>,
}

impl ImportOptions {
    /// The convention platform exports are read with.
    pub fn number_convention(&self) -> NumberConvention {
        self.number
            .unwrap_or(NumberConvention::auto_or(DecimalMark::Point))
    }
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            layout: None,
            columns: Vec::new(),
            period: None,
            channel_mapping: default_channel_mapping(),
            delimiter: None,
            max_stored_rejections: DEFAULT_MAX_STORED_REJECTIONS,
            event_log: EventLogOptions::default(),
            path_table: PathTableOptions::default(),
            number: None,
        }
    }
}

/// A parsed export (serializable: the app's worker parses and posts it to the page).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Import {
    pub layout: Layout,
    pub format: Container,
    /// The currency the export states (first one seen), upper-case.
    pub currency: Option<String>,
    /// Other currencies seen in the same file (amounts in them are still imported as numbers:
    /// the preview should warn).
    pub other_currencies: Vec<String>,
    /// The mapping used (empty for event logs and path tables: see [`ParseReport::columns`]).
    pub columns: Vec<ImportColumn>,
    /// Headers or keys that serve no field.
    pub ignored_columns: Vec<String>,
    pub report: ParseReport,
    /// The line of the header row (CSV), after any title lines.
    pub header_line: Option<u64>,
    /// The period a title line above the header states (the Google Ads UI export's
    /// `1 January 2026 - 29 May 2026`); rows without a date cover it unless
    /// [`ImportOptions::period`] says otherwise.
    pub stated_period: Option<Period>,
    /// Summary and title rows that are not data rows.
    pub skipped_rows: usize,
    pub rows: Vec<ImportedRow>,
    /// The attribution event log (GA4 BigQuery export, event-log CSV).
    pub event_log: Option<EventLog>,
    /// The path table (path-table CSV).
    pub path_table: Option<PathTable>,
}

impl Import {
    /// The days covered by the rows, if any.
    pub fn period(&self) -> Option<Period> {
        let start = self.rows.iter().map(|r| r.period.start_ms).min()?;
        let end = self.rows.iter().map(|r| r.period.end_ms).max()?;
        Some(Period {
            start_ms: start,
            end_ms: end,
        })
    }

    fn empty(layout: Layout, format: Container) -> Import {
        Import {
            layout,
            format,
            currency: None,
            other_currencies: Vec::new(),
            columns: Vec::new(),
            ignored_columns: Vec::new(),
            report: ParseReport::default(),
            header_line: None,
            stated_period: None,
            skipped_rows: 0,
            rows: Vec::new(),
            event_log: None,
            path_table: None,
        }
    }
}

/// A problem that makes the whole input unusable.
#[derive(Debug, Clone, PartialEq, Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ImportError {
    #[error("the file is empty")]
    Empty,
    #[error("not a recognised export: expected a GA4, Google Ads, Meta Ads, Mailchimp, event-log or path-table file")]
    Unrecognised,
    #[error("{platform}: missing {}; headers found: {}",
        .missing.iter().map(|f| f.to_string()).collect::<Vec<_>>().join(", "),
        crate::parse::headers_found(.found))]
    MissingColumns {
        platform: Platform,
        missing: Vec<ImportField>,
        found: Vec<String>,
    },
    #[error("{platform}: no column holds a metric this app knows; headers found: {}", crate::parse::headers_found(.found))]
    NoMetrics {
        platform: Platform,
        found: Vec<String>,
    },
    #[error("column {header:?} given for {field} is not in the file")]
    UnknownColumn { field: ImportField, header: String },
    #[error("{key:?} is not a metric of the catalog")]
    UnknownMetric { key: String },
    #[error("the rows carry no date; choose the period the export covers")]
    NoPeriod { platform: Platform },
    #[error("not valid JSON: {message} (line {line}, column {column})")]
    Json {
        message: String,
        line: usize,
        column: usize,
    },
    #[error("{platform}: expected {expected} at {path}")]
    JsonShape {
        platform: Platform,
        path: String,
        expected: String,
    },
    #[error(transparent)]
    Parse(#[from] ParseError),
}

/// Parse a file as `layout`.
pub fn import_as(
    layout: Layout,
    bytes: &[u8],
    opts: &ImportOptions,
) -> Result<Import, ImportError> {
    match layout {
        Layout::Export(Platform::Ga4BigQueryCsv) => {
            let t = crate::parse::csv::strip_bom(bytes).trim_ascii_start();
            if matches!(t.first(), Some(b'{' | b'[')) {
                ga4::parse_bigquery_json(bytes, opts)
            } else {
                ga4::parse_bigquery_csv(bytes, opts)
            }
        }
        Layout::Export(Platform::Ga4DataApiJson) => ga4::parse_run_report(bytes, opts),
        Layout::Export(Platform::GoogleAdsCsv) => google_ads::parse(bytes, opts),
        Layout::Export(Platform::MetaAdsInsights) => meta::parse(bytes, opts),
        Layout::Export(Platform::MailchimpReport) => mailchimp::parse(bytes, opts),
        // The import-wide rejection cap and delimiter apply to the engine's own formats too
        // (a delimiter set in the nested options wins).
        Layout::EventLog => {
            let eo = EventLogOptions {
                max_stored_rejections: opts.max_stored_rejections,
                delimiter: opts.event_log.delimiter.or(opts.delimiter),
                number: opts.event_log.number.or(opts.number),
                ..opts.event_log.clone()
            };
            let log = parse_event_log(bytes, &eo)?;
            let mut imp = Import::empty(layout, Container::Csv);
            imp.report = log.report.clone();
            imp.event_log = Some(log);
            Ok(imp)
        }
        Layout::PathTable => {
            let po = PathTableOptions {
                max_stored_rejections: opts.max_stored_rejections,
                delimiter: opts.path_table.delimiter.or(opts.delimiter),
                number: opts.path_table.number.or(opts.number),
                ..opts.path_table.clone()
            };
            let table = parse_path_table(bytes, &po)?;
            let mut imp = Import::empty(layout, Container::Csv);
            imp.report = table.report.clone();
            imp.path_table = Some(table);
            Ok(imp)
        }
    }
}
