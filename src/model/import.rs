//! Imports of platform exports into the workspace (issue 5), as pure steps the Import page drives:
//! parse ([`parse_import`], the engine's `imports::import`), match rows to calendar entries
//! ([`match_import`]), show a [`Preview`] (editable column mapping, hand assignment of unmatched
//! rows), and on confirmation [`apply`] the metrics: the engine's `imported_values` combines the
//! assigned rows per entry, metric and day, and `reimport` merges them — the same platform's
//! imported values of an overlapping period are replaced (a re-import never duplicates), manual
//! values win (reported as overridden). Nothing touches the workspace before [`apply`], and
//! [`apply`] changes nothing when it fails.
//!
//! Event logs and path tables (and GA4 BigQuery's event log) become data sets for the attribution
//! page: [`journeys_of`] turns them into a [`JourneySet`]; storing it is `state::import::confirm`.
//!
//! The page's progress and cancellation is the small state machine [`Flow`]: every run has a job
//! number, and a result that arrives for a cancelled (older) job is dropped, so Cancel always
//! leaves no trace.

use super::metric::MetricKind;
use super::performance::{value_fits, PerformanceEntry, Source};
use super::workspace::{Workspace, WorkspaceError};
use refleqt_engine::assemble::{build_journeys, JourneyOptions};
use refleqt_engine::detect::import;
use refleqt_engine::imports::{
    imported_values, match_rows, reimport, EntryKey, Import, ImportError, ImportField,
    ImportOptions, Layout, MatchReport, Overridden, PerformanceValue, Period, Platform,
    ReimportError, ValueSource, METRIC_KEYS,
};
use refleqt_engine::links::ChannelUtm;
use refleqt_engine::number::{DecimalMark, NumberConvention};
use refleqt_engine::parse::Field;
use refleqt_engine::{EntryId, JourneySet};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Files above this size are refused before reading (the browser tab would run out of memory).
pub const MAX_IMPORT_BYTES: u64 = 1024 * 1024 * 1024;

/// A column the user can re-map in the preview: a field of a platform export, or of the engine's
/// event-log / path-table parsers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ColumnField {
    Export(ImportField),
    Log(Field),
}

impl std::fmt::Display for ColumnField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ColumnField::Export(x) => x.fmt(f),
            ColumnField::Log(x) => x.fmt(f),
        }
    }
}

/// What the user chose in the preview; re-parsing with them gives the new preview.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Choices {
    /// Parse as this layout instead of the detected one.
    pub layout: Option<Layout>,
    /// Header per field; an empty header means "do not use".
    pub columns: Vec<(ColumnField, String)>,
    /// The period of exports whose rows carry no date.
    pub period: Option<Period>,
}

impl Choices {
    /// Use `header` for `field` (replacing an earlier choice for it).
    pub fn set_column(&mut self, field: ColumnField, header: &str) {
        self.columns.retain(|(f, _)| *f != field);
        self.columns.push((field, header.to_owned()));
    }

    /// The engine options for these choices.
    pub fn options(&self, ws: &Workspace) -> ImportOptions {
        self.options_with(&ws.settings.channel_mapping, ws.settings.decimal_mark)
    }

    /// The engine options for these choices, with the workspace's channel mapping and decimal
    /// mark given (the worker parses without the workspace).
    pub fn options_with(
        &self,
        channel_mapping: &[ChannelUtm],
        decimal_mark: DecimalMark,
    ) -> ImportOptions {
        let mut opts = ImportOptions {
            layout: self.layout,
            period: self.period,
            channel_mapping: channel_mapping.to_vec(),
            number: Some(NumberConvention::auto_or(decimal_mark)),
            ..ImportOptions::default()
        };
        for (field, header) in &self.columns {
            match field {
                ColumnField::Export(f) => opts.columns.push((f.clone(), header.clone())),
                ColumnField::Log(f) => {
                    opts.event_log.columns.push((*f, header.clone()));
                    opts.path_table.columns.push((*f, header.clone()));
                }
            }
        }
        opts
    }
}

/// Parse an export with the user's choices.
pub fn parse_import(
    bytes: &[u8],
    file_name: &str,
    choices: &Choices,
    ws: &Workspace,
) -> Result<Import, ImportError> {
    import(bytes, file_name, &choices.options(ws))
}

/// The workspace's entries as the matcher sees them.
pub fn entry_keys(ws: &Workspace) -> Vec<EntryKey> {
    ws.entries
        .iter()
        .map(|e| EntryKey {
            entry: e.entry_id,
            campaign: e.campaign.clone(),
            channel: e.channel.clone(),
        })
        .collect()
}

/// Match the rows of `import` to the workspace's entries.
pub fn match_import(import: &Import, ws: &Workspace) -> MatchReport {
    match_with(import, &entry_keys(ws), &ws.settings.channel_mapping)
}

/// Match the rows of `import` to `entries` (the worker's side: it has no workspace).
pub fn match_with(
    import: &Import,
    entries: &[EntryKey],
    channel_mapping: &[ChannelUtm],
) -> MatchReport {
    match_rows(import.layout, &import.rows, entries, channel_mapping)
}

/// What the preview says about the journeys of an event log or path table.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct JourneyCounts {
    pub journeys: usize,
    pub touches: usize,
    pub conversions: f64,
    pub revenue: f64,
}

impl JourneyCounts {
    pub fn of(set: &JourneySet) -> JourneyCounts {
        JourneyCounts {
            journeys: set.len(),
            touches: set.touch_count(),
            conversions: set.total_conversions(),
            revenue: set.total_revenue(),
        }
    }
}

/// The journeys of an event log (default lookback, 30 days) or a path table, if the import has one.
pub fn journeys_of(import: &Import) -> Option<JourneySet> {
    if let Some(log) = &import.event_log {
        return Some(build_journeys(log, &JourneyOptions::default()));
    }
    import.path_table.as_ref().map(|t| t.set.clone())
}

/// Why a hand assignment was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AssignError {
    #[error("there is no imported row {0}")]
    NoRow(usize),
    #[error("there is no calendar entry {0}")]
    NoEntry(EntryId),
}

/// Counts shown in the preview.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub accepted: usize,
    pub rejected: usize,
    /// Summary and title rows (not data).
    pub skipped: usize,
    /// Metric rows (after GA4 BigQuery's per-day sums).
    pub rows: usize,
    pub matched_rows: usize,
    pub unmatched_rows: usize,
    /// Distinct entries that get values.
    pub entries: usize,
}

/// A parsed export waiting for confirmation.
#[derive(Debug, Clone, PartialEq)]
pub struct Preview {
    pub file_name: String,
    /// What detection said (before any override).
    pub detected: Option<Layout>,
    pub choices: Choices,
    pub import: Import,
    pub matches: MatchReport,
    /// The entry of each metric row: matched, or assigned by hand.
    pub assignments: Vec<Option<EntryId>>,
    /// Headers of the file, for re-mapping columns.
    pub headers: Vec<String>,
}

impl Preview {
    pub fn new(
        file_name: &str,
        detected: Option<Layout>,
        choices: Choices,
        import: Import,
        matches: MatchReport,
        headers: Vec<String>,
    ) -> Preview {
        let assignments = matches.assignments();
        Preview {
            file_name: file_name.to_owned(),
            detected,
            choices,
            import,
            matches,
            assignments,
            headers,
        }
    }

    /// Assign row `row` to `entry` by hand (`None` leaves it out).
    pub fn assign(
        &mut self,
        row: usize,
        entry: Option<EntryId>,
        ws: &Workspace,
    ) -> Result<(), AssignError> {
        if let Some(e) = entry {
            if ws.entry(e).is_none() {
                return Err(AssignError::NoEntry(e));
            }
        }
        let slot = self
            .assignments
            .get_mut(row)
            .ok_or(AssignError::NoRow(row))?;
        *slot = entry;
        Ok(())
    }

    pub fn counts(&self) -> Counts {
        let matched_rows = self.assignments.iter().filter(|a| a.is_some()).count();
        let mut entries: Vec<EntryId> = self.assignments.iter().flatten().copied().collect();
        entries.sort_unstable();
        entries.dedup();
        Counts {
            accepted: self.import.report.accepted,
            rejected: self.import.report.rejected_count,
            skipped: self.import.skipped_rows,
            rows: self.import.rows.len(),
            matched_rows,
            unmatched_rows: self.assignments.len() - matched_rows,
            entries: entries.len(),
        }
    }

    /// The period the metric rows cover (or the one chosen for undated exports).
    pub fn period(&self) -> Option<Period> {
        self.import.period().or(self.choices.period)
    }

    /// The column mapping used, as editable rows `(field, header)`.
    pub fn columns(&self) -> Vec<(ColumnField, String)> {
        if self.import.columns.is_empty() {
            self.import
                .report
                .columns
                .iter()
                .map(|c| (ColumnField::Log(c.field), c.header.clone()))
                .collect()
        } else {
            self.import
                .columns
                .iter()
                .map(|c| (ColumnField::Export(c.field.clone()), c.header.clone()))
                .collect()
        }
    }

    /// Fields of this layout that no column serves yet: the preview lets the user pick any
    /// column of the file for any of them.
    pub fn unmapped_fields(&self) -> Vec<ColumnField> {
        let mapped: Vec<ColumnField> = self.columns().into_iter().map(|(f, _)| f).collect();
        let all: Vec<ColumnField> = match self.import.layout {
            Layout::EventLog => [
                Field::User,
                Field::Timestamp,
                Field::Channel,
                Field::Source,
                Field::Medium,
                Field::Campaign,
                Field::LandingUrl,
                Field::UtmContent,
                Field::Cost,
                Field::Revenue,
                Field::ConversionFlag,
                Field::EventType,
            ]
            .into_iter()
            .map(ColumnField::Log)
            .collect(),
            Layout::PathTable => [
                Field::Path,
                Field::Conversions,
                Field::ConversionValue,
                Field::Nulls,
                Field::PathEntries,
            ]
            .into_iter()
            .map(ColumnField::Log)
            .collect(),
            Layout::Export(_) => [
                ImportField::Date,
                ImportField::DateEnd,
                ImportField::Month,
                ImportField::Campaign,
                ImportField::Source,
                ImportField::Medium,
                ImportField::SourceMedium,
                ImportField::Content,
                ImportField::Url,
                ImportField::Currency,
            ]
            .into_iter()
            .chain(METRIC_KEYS.iter().map(|k| ImportField::metric(k)))
            .map(ColumnField::Export)
            .collect(),
        };
        all.into_iter().filter(|f| !mapped.contains(f)).collect()
    }

    /// The values confirming would import (before merging).
    pub fn values(&self) -> Vec<PerformanceValue> {
        match self.import.layout.platform() {
            Some(platform) => imported_values(platform, &self.import.rows, &self.assignments),
            None => Vec::new(),
        }
    }

    /// What confirming would do, said before Confirm: the values it would write, those it
    /// would refuse (with the reason), and warnings about the assignments.
    pub fn checks(&self, ws: &Workspace) -> Checks {
        let mut checks = Checks::default();
        for v in self.values() {
            match refusal(ws, &v) {
                Some(r) => checks.refused.push(r),
                None => checks.writable += 1,
            }
        }
        let currency = ws.settings.currency.trim().to_ascii_uppercase();
        let stated: Vec<&String> = self
            .import
            .currency
            .iter()
            .chain(&self.import.other_currencies)
            .filter(|c| !currency.is_empty() && **c != currency)
            .collect();
        if !stated.is_empty() {
            let list = stated
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            checks.warnings.push(format!(
                "The file\u{2019}s amounts are in {list}, this workspace counts in {currency}: they are imported as written, not converted."
            ));
        }
        // Rows assigned to an entry that was not yet published on any day they cover.
        let mut early: Vec<String> = Vec::new();
        // Rows of one platform assigned to an entry of another channel.
        let mut across: Vec<String> = Vec::new();
        let channels: Vec<&str> = match self.import.layout.implied_source_medium() {
            Some((source, medium)) => ws
                .settings
                .channel_mapping
                .iter()
                .filter(|c| {
                    c.source.eq_ignore_ascii_case(source) && c.medium.eq_ignore_ascii_case(medium)
                })
                .map(|c| c.channel.as_str())
                .collect(),
            None => Vec::new(),
        };
        for (row, entry) in self.import.rows.iter().zip(&self.assignments) {
            let Some(e) = entry.and_then(|id| ws.entry(id)) else {
                continue;
            };
            if row.period.end_ms < e.publish_date.unix_ms() {
                early.push(format!(
                    "line {} ({}) \u{2192} #{} {} (published {})",
                    row.line,
                    super::date::Date::from_unix_ms(row.period.end_ms),
                    e.entry_id,
                    e.title,
                    e.publish_date
                ));
            }
            if !channels.is_empty() && !channels.iter().any(|c| c.eq_ignore_ascii_case(&e.channel))
            {
                across.push(format!(
                    "line {} \u{2192} #{} {} ({})",
                    row.line, e.entry_id, e.title, e.channel
                ));
            }
        }
        let few = |v: &[String]| {
            let mut t = v.iter().take(3).cloned().collect::<Vec<_>>().join("; ");
            if v.len() > 3 {
                t.push_str(&format!("; and {} more", v.len() - 3));
            }
            t
        };
        if !early.is_empty() {
            checks.warnings.push(format!(
                "{} row{} cover{} only days before the entry was published: {}. Check the assignment or the entry\u{2019}s publish date.",
                early.len(),
                if early.len() == 1 { "" } else { "s" },
                if early.len() == 1 { "s" } else { "" },
                few(&early)
            ));
        }
        if !across.is_empty() {
            checks.warnings.push(format!(
                "{} row{} of {} {} assigned to an entry of another channel: {}.",
                across.len(),
                if across.len() == 1 { "" } else { "s" },
                self.import.layout.label(),
                if across.len() == 1 { "is" } else { "are" },
                few(&across)
            ));
        }
        checks
    }
}

/// What [`Preview::checks`] says before Confirm.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Checks {
    /// Values confirming would write (before the merge with stored values).
    pub writable: usize,
    /// Values it would refuse: entry, metric, why (the same as [`ApplySummary::skipped`]).
    pub refused: Vec<(EntryId, String, String)>,
    pub warnings: Vec<String>,
}

/// Why `v` cannot be stored in `ws`, if it cannot.
fn refusal(ws: &Workspace, v: &PerformanceValue) -> Option<(EntryId, String, String)> {
    let metric = MetricKind::from_key(&v.metric);
    match metric {
        _ if ws.entry(v.entry).is_none() => Some((
            v.entry,
            v.metric.clone(),
            "the entry no longer exists".into(),
        )),
        None => Some((v.entry, v.metric.clone(), "not a metric of this app".into())),
        Some(m) if !value_fits(m, v.value) => Some((
            v.entry,
            m.label().to_owned(),
            format!("{} is not a possible value", v.value),
        )),
        Some(_) => None,
    }
}

/// The headers of a CSV's header row (after `header_line - 1` title lines), split on `delimiter`,
/// quotes removed. Best effort, for the column pickers only.
pub fn csv_headers(bytes: &[u8], delimiter: char, header_line: Option<u64>) -> Vec<String> {
    let skip = header_line.unwrap_or(1).saturating_sub(1) as usize;
    let head = bytes.get(..bytes.len().min(64 * 1024)).unwrap_or(bytes);
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}');
    let Some(line) = text.lines().nth(skip) else {
        return Vec::new();
    };
    line.split(delimiter)
        .map(|h| h.trim().trim_matches('"').trim().to_owned())
        .filter(|h| !h.is_empty())
        .collect()
}

/// What confirming changed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ApplySummary {
    pub platform: Option<Platform>,
    pub period: Option<Period>,
    pub added: usize,
    /// Earlier imported values of the same platform and period that were replaced.
    pub replaced: usize,
    /// Imported values not stored because a manual value wins.
    pub overridden: Vec<(EntryId, MetricKind)>,
    /// Values the app's catalog cannot hold, with the reason (e.g. 1.5 signups).
    pub skipped: Vec<(EntryId, String, String)>,
    /// Entries that got values.
    pub entries: Vec<EntryId>,
}

/// Why confirming changed nothing.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ApplyError {
    #[error("the export's rows carry no date: choose the period it covers")]
    NoPeriod,
    #[error("{0}")]
    Reimport(#[from] ReimportError),
    #[error("{0}")]
    Workspace(#[from] WorkspaceError),
}

/// A stored row as the engine's merge sees it: manual values cover all time (manual always wins),
/// imported rows with a platform and period are that platform's; other imported rows (the demo,
/// older versions) are left out of the merge and kept as they are.
fn as_value(r: &PerformanceEntry) -> Option<PerformanceValue> {
    let source = match (r.source, r.platform, r.period) {
        (Source::Manual, _, _) => ValueSource::Manual,
        (Source::Imported, Some(p), Some(_)) => ValueSource::Imported(p),
        (Source::Imported, _, _) => return None,
    };
    Some(PerformanceValue {
        entry: r.calendar_entry_id,
        metric: r.metric_type.key().to_owned(),
        period: r.period.unwrap_or(Period {
            start_ms: i64::MIN / 4,
            end_ms: i64::MAX / 4,
        }),
        value: r.metric_value,
        source,
    })
}

/// Write the previewed metrics into `ws` (see the module documentation). On error `ws` is
/// unchanged.
pub fn apply(ws: &mut Workspace, preview: &Preview, now: i64) -> Result<ApplySummary, ApplyError> {
    let platform = preview.import.layout.platform();
    let mut summary = ApplySummary {
        platform,
        ..ApplySummary::default()
    };
    let Some(platform) = platform.filter(|_| !preview.import.rows.is_empty()) else {
        return Ok(summary);
    };
    let period = preview.period().ok_or(ApplyError::NoPeriod)?;
    summary.period = Some(period);
    let mut new = Vec::new();
    for v in preview.values() {
        match refusal(ws, &v) {
            Some(r) => summary.skipped.push(r),
            None => new.push(v),
        }
    }
    let existing: Vec<PerformanceValue> =
        ws.performance_entries.iter().filter_map(as_value).collect();
    let merged = reimport(&existing, platform, period, &new)?;
    let mut next = ws.clone();
    next.performance_entries.retain(|r| {
        !(r.source == Source::Imported
            && r.platform == Some(platform)
            && r.period.is_some_and(|p| p.overlaps(&period)))
    });
    for v in &merged.added {
        let Some(metric) = MetricKind::from_key(&v.metric) else {
            continue;
        };
        next.performance_entries.push(PerformanceEntry {
            platform: Some(platform),
            period: Some(v.period),
            ..PerformanceEntry::new(v.entry, metric, v.value, now, Source::Imported)
        });
    }
    next.validate()?;
    summary.added = merged.added.len();
    summary.replaced = merged.replaced.len();
    summary.overridden = merged
        .overridden
        .iter()
        .filter_map(|Overridden { imported, .. }| {
            MetricKind::from_key(&imported.metric).map(|m| (imported.entry, m))
        })
        .collect();
    summary.overridden.sort_by_key(|(e, m)| (*e, m.key()));
    summary.overridden.dedup();
    let mut entries: Vec<EntryId> = merged.added.iter().map(|v| v.entry).collect();
    entries.sort_unstable();
    entries.dedup();
    summary.entries = entries;
    *ws = next;
    Ok(summary)
}

/// A stage of a running import, with its share of the progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Reading,
    Parsing,
    Matching,
    Journeys,
    Saving,
}

impl Stage {
    pub fn label(self) -> &'static str {
        match self {
            Stage::Reading => "Reading the file…",
            Stage::Parsing => "Parsing rows…",
            Stage::Matching => "Matching rows to calendar entries…",
            Stage::Journeys => "Building customer journeys…",
            Stage::Saving => "Saving…",
        }
    }

    /// Progress in percent when the stage starts.
    pub fn percent(self) -> u32 {
        match self {
            Stage::Reading => 5,
            Stage::Parsing => 25,
            Stage::Matching => 70,
            Stage::Journeys => 80,
            Stage::Saving => 90,
        }
    }
}

/// Where the Import page is.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    Idle,
    Working { stage: Stage, file_name: String },
    Preview,
    Failed(String),
    Done(String),
}

/// The page's state machine: runs are numbered so that a cancelled run's late result is dropped.
#[derive(Debug, Clone, PartialEq)]
pub struct Flow {
    job: u64,
    pub phase: Phase,
}

impl Default for Flow {
    fn default() -> Self {
        Flow {
            job: 0,
            phase: Phase::Idle,
        }
    }
}

impl Flow {
    /// Start a new run (any earlier one is abandoned); returns its job number.
    pub fn start(&mut self, file_name: &str, stage: Stage) -> u64 {
        self.job += 1;
        self.phase = Phase::Working {
            stage,
            file_name: file_name.to_owned(),
        };
        self.job
    }

    /// Whether `job` is still the live run.
    pub fn is_live(&self, job: u64) -> bool {
        job == self.job && matches!(self.phase, Phase::Working { .. })
    }

    /// Move the live run to `stage`; `false` when `job` was cancelled or replaced (stop working).
    pub fn advance(&mut self, job: u64, stage: Stage) -> bool {
        if !self.is_live(job) {
            return false;
        }
        if let Phase::Working { stage: s, .. } = &mut self.phase {
            *s = stage;
        }
        true
    }

    /// The run ended with a preview; `false` (and nothing shown) when it was cancelled.
    pub fn preview(&mut self, job: u64) -> bool {
        let live = self.is_live(job);
        if live {
            self.phase = Phase::Preview;
        }
        live
    }

    /// The run ended with a message for the user (an error or what was written).
    pub fn finish(&mut self, job: u64, result: Result<String, String>) -> bool {
        let live = self.is_live(job);
        if live {
            self.phase = match result {
                Ok(m) => Phase::Done(m),
                Err(e) => Phase::Failed(e),
            };
        }
        live
    }

    /// Cancel whatever runs or is previewed: back to idle, later results of it are dropped.
    pub fn cancel(&mut self) {
        self.job += 1;
        self.phase = Phase::Idle;
    }

    pub fn job(&self) -> u64 {
        self.job
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::entry::EntryForm;

    fn ws() -> Workspace {
        let mut ws = Workspace::empty();
        for (title, channel, campaign) in [
            ("Spring search ads", "Google Ads", "Spring Sale"),
            ("Brand search ads", "Google Ads", "Brand Search"),
            ("Spring post", "LinkedIn", "Spring Sale"),
        ] {
            let draft = EntryForm {
                title: title.into(),
                channel_choice: channel.into(),
                campaign: campaign.into(),
                publish_date: "2025-03-01".into(),
                ..EntryForm::default()
            }
            .parse()
            .unwrap_or_else(|e| panic!("{e:?}"));
            ws.add_entry(draft);
        }
        ws
    }

    const ADS: &str = "campaign.name,segments.date,metrics.impressions,metrics.clicks,metrics.cost_micros,campaign.final_url_suffix\n\
        Spring Sale,2025-03-01,1000,50,25000000,utm_content=cal-1\n\
        Spring Sale,2025-03-02,800,40,20000000,utm_content=cal-1\n\
        Brand Search,2025-03-01,500,20,5000000,\n\
        Unknown,2025-03-01,10,1,1000000,\n\
        Brand Search,2025-03-02,x,1,1,\n";

    fn preview(ws: &Workspace, text: &str, choices: Choices) -> Preview {
        let import = parse_import(text.as_bytes(), "ads.csv", &choices, ws)
            .unwrap_or_else(|e| panic!("{e}"));
        let matches = match_import(&import, ws);
        let headers = csv_headers(text.as_bytes(), import.report.delimiter, import.header_line);
        Preview::new(
            "ads.csv",
            Some(import.layout),
            choices,
            import,
            matches,
            headers,
        )
    }

    #[test]
    fn preview_counts_matches_and_hand_assignment() {
        let ws = ws();
        let mut p = preview(&ws, ADS, Choices::default());
        assert_eq!(p.import.layout, Layout::Export(Platform::GoogleAdsCsv));
        let c = p.counts();
        assert_eq!((c.accepted, c.rejected, c.rows), (4, 1, 4));
        assert_eq!((c.matched_rows, c.unmatched_rows, c.entries), (3, 1, 2));
        assert_eq!(p.headers.len(), 6);
        assert!(
            p.columns()
                .iter()
                .any(|(f, h)| *f == ColumnField::Export(ImportField::Campaign)
                    && h == "campaign.name")
        );
        assert_eq!(p.assign(3, Some(3), &ws), Ok(()));
        assert_eq!(p.counts().unmatched_rows, 0);
        assert_eq!(p.assign(9, Some(1), &ws), Err(AssignError::NoRow(9)));
        assert_eq!(p.assign(3, Some(42), &ws), Err(AssignError::NoEntry(42)));
        assert_eq!(p.assign(3, None, &ws), Ok(()));
        assert_eq!(p.counts().unmatched_rows, 1);
        let period = p.period().unwrap_or_else(|| panic!("a period"));
        assert_eq!(period.day_count(), 2);
    }

    #[test]
    fn changing_a_column_reparses_with_it() {
        let ws = ws();
        let mut choices = Choices::default();
        choices.set_column(
            ColumnField::Export(ImportField::metric("ad_impressions")),
            "",
        );
        choices.set_column(
            ColumnField::Export(ImportField::metric("ad_impressions")),
            "metrics.clicks",
        );
        assert_eq!(choices.columns.len(), 1);
        let p = preview(&ws, ADS, choices);
        let row = p.import.rows.first().cloned();
        assert_eq!(row.and_then(|r| r.metric("ad_impressions")), Some(50.0));
        let mut bad = Choices::default();
        bad.set_column(ColumnField::Export(ImportField::Campaign), "nope");
        assert!(matches!(
            parse_import(ADS.as_bytes(), "ads.csv", &bad, &ws),
            Err(ImportError::UnknownColumn { .. })
        ));
    }

    #[test]
    fn apply_adds_then_a_reimport_replaces_and_manual_values_win() {
        let mut ws = ws();
        assert_eq!(
            ws.record_manual(2, &[(MetricKind::AdClicks, Some(99.0))], 1),
            Ok(1)
        );
        let p = preview(&ws, ADS, Choices::default());
        let before = ws.performance_entries.len();
        let s = apply(&mut ws, &p, 10).unwrap_or_else(|e| panic!("{e}"));
        assert!(s.added > 0);
        assert_eq!(s.replaced, 0);
        assert_eq!(s.overridden, vec![(2, MetricKind::AdClicks)]);
        assert_eq!(s.entries, vec![1, 2]);
        assert_eq!(ws.performance_entries.len(), before + s.added);
        let clicks = ws.value(1, MetricKind::AdClicks);
        assert_eq!(
            clicks.map(|v| (v.value, v.source)),
            Some((90.0, Source::Imported))
        );
        assert_eq!(
            ws.value(2, MetricKind::AdClicks).map(|v| v.value),
            Some(99.0)
        );
        assert_eq!(ws.value(1, MetricKind::Cost).map(|v| v.value), Some(45.0));
        // The same export again: everything replaced, nothing duplicated.
        let again = apply(&mut ws, &p, 20).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((again.added, again.replaced), (s.added, s.added));
        assert_eq!(ws.performance_entries.len(), before + s.added);
        assert_eq!(
            ws.value(1, MetricKind::AdClicks).map(|v| v.value),
            Some(90.0)
        );
        assert_eq!(ws.validate(), Ok(()));
    }

    #[test]
    fn values_the_catalog_cannot_hold_are_skipped_and_a_failed_apply_changes_nothing() {
        let mut ws = ws();
        let text = "campaign.name,segments.date,metrics.clicks,campaign.final_url_suffix\n\
            Spring Sale,2025-03-01,1.5,utm_content=cal-1\n";
        let p = preview(&ws, text, Choices::default());
        // The preview says so before Confirm, with the same reason.
        let checks = p.checks(&ws);
        assert_eq!(checks.writable, 0);
        assert_eq!(
            checks.refused,
            vec![(
                1,
                "Ad clicks".to_owned(),
                "1.5 is not a possible value".to_owned()
            )]
        );
        let s = apply(&mut ws, &p, 5).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.added, 0);
        assert_eq!(s.skipped, checks.refused);
        // An undated export needs the period chosen in the preview.
        let undated = "campaign.name,metrics.clicks,campaign.final_url_suffix\nSpring Sale,3,utm_content=cal-1\n";
        assert!(matches!(
            parse_import(undated.as_bytes(), "ads.csv", &Choices::default(), &ws),
            Err(ImportError::NoPeriod { .. })
        ));
        let period = Period::days(1_740_787_200_000, 1_743_379_200_000);
        let choices = Choices {
            period: Some(period),
            ..Choices::default()
        };
        let p = preview(&ws, undated, choices);
        assert_eq!(p.period(), Some(period));
        let s = apply(&mut ws, &p, 6).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.added, 1);
        assert_eq!(
            ws.value(1, MetricKind::AdClicks).map(|v| v.value),
            Some(3.0)
        );
        // A row for an entry deleted since the preview is skipped, not written.
        let mut gone = ws.clone();
        assert!(gone.delete_entry(1).is_ok());
        let s = apply(&mut gone, &p, 7).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((s.added, s.skipped.len()), (0, 1));
        assert_eq!(gone.validate(), Ok(()));
        assert!(!ApplyError::NoPeriod.to_string().is_empty());
    }

    #[test]
    fn any_column_can_serve_a_field_that_has_none() {
        let ws = ws();
        let p = preview(&ws, ADS, Choices::default());
        let extra = p.unmapped_fields();
        let revenue = ColumnField::Export(ImportField::metric("revenue"));
        assert!(extra.contains(&revenue));
        assert!(!extra.contains(&ColumnField::Export(ImportField::Campaign)));
        // Pick a column the synonyms would never give it.
        let mut choices = p.choices.clone();
        choices.set_column(revenue, "metrics.clicks");
        let again = preview(&ws, ADS, choices);
        assert_eq!(
            again.import.rows.first().and_then(|r| r.metric("revenue")),
            Some(50.0)
        );
        assert!(!again
            .unmapped_fields()
            .contains(&ColumnField::Export(ImportField::metric("revenue"))));
    }

    #[test]
    fn fractional_conversions_are_written() {
        let mut ws = ws();
        let text = "campaign.name,segments.date,metrics.conversions,campaign.final_url_suffix\n\
            Spring Sale,2025-03-01,45.89,utm_content=cal-1\n";
        let p = preview(&ws, text, Choices::default());
        let checks = p.checks(&ws);
        assert_eq!((checks.writable, checks.refused.len()), (1, 0));
        let s = apply(&mut ws, &p, 5).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((s.added, s.skipped.len()), (1, 0));
        assert_eq!(
            ws.value(1, MetricKind::AdConversions).map(|v| v.value),
            Some(45.89)
        );
        assert_eq!(ws.validate(), Ok(()));
    }

    #[test]
    fn the_preview_warns_about_currency_early_rows_and_other_channels() {
        let ws = ws();
        // Workspace in USD; the file in GBP; a 2015 row on an entry published in 2025; a
        // Google Ads row assigned to a LinkedIn entry (#3).
        let text = "campaign.name,segments.date,metrics.clicks,customer.currency_code,campaign.final_url_suffix\n\
            Spring Sale,2015-03-01,4,GBP,utm_content=cal-1\n\
            Spring Sale,2025-03-02,5,GBP,utm_content=cal-3\n";
        let p = preview(&ws, text, Choices::default());
        let checks = p.checks(&ws);
        assert_eq!(checks.writable, 2);
        assert_eq!(checks.warnings.len(), 3, "{:?}", checks.warnings);
        assert!(checks.warnings[0].contains("GBP") && checks.warnings[0].contains("USD"));
        assert!(
            checks.warnings[1].starts_with(
                "1 row covers only days before the entry was published: line 2 (2015-03-01)"
            ),
            "{}",
            checks.warnings[1]
        );
        assert!(
            checks.warnings[2].contains("line 3 \u{2192} #3 Spring post (LinkedIn)"),
            "{}",
            checks.warnings[2]
        );
        // Nothing to warn about in the plain export.
        let plain = preview(&ws, ADS, Choices::default());
        assert_eq!(plain.checks(&ws).warnings, Vec::<String>::new());
        assert!(plain.checks(&ws).writable > 0);
    }

    #[test]
    fn event_logs_become_journeys() {
        let ws = ws();
        let log = "user_id,timestamp,channel,conversion,revenue\n\
            u1,2025-03-01T10:00:00Z,linkedin,0,\n\
            u1,2025-03-02T10:00:00Z,email,1,120\n\
            u2,2025-03-01T11:00:00Z,google,0,\n";
        let import = parse_import(log.as_bytes(), "events.csv", &Choices::default(), &ws)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(import.layout, Layout::EventLog);
        let set = journeys_of(&import).unwrap_or_default();
        assert_eq!((set.len(), set.total_conversions()), (2, 1.0));
        assert_eq!(set.total_revenue(), 120.0);
        assert_eq!(
            JourneyCounts::of(&set),
            JourneyCounts {
                journeys: 2,
                touches: set.touch_count(),
                conversions: 1.0,
                revenue: 120.0
            }
        );
        let p = Preview::new(
            "events.csv",
            Some(import.layout),
            Choices::default(),
            import,
            MatchReport {
                matches: vec![],
                matched_entries: vec![],
                unmatched_rows: vec![],
            },
            csv_headers(log.as_bytes(), ',', None),
        );
        assert!(p
            .columns()
            .iter()
            .any(|(f, _)| *f == ColumnField::Log(Field::User)));
        assert_eq!(p.headers.len(), 5);
    }

    #[test]
    fn cancelled_runs_leave_no_trace() {
        let mut flow = Flow::default();
        let job = flow.start("big.csv", Stage::Reading);
        assert!(flow.advance(job, Stage::Parsing));
        flow.cancel();
        assert_eq!(flow.phase, Phase::Idle);
        assert!(!flow.advance(job, Stage::Matching));
        assert!(!flow.preview(job));
        assert!(!flow.finish(job, Ok("done".into())));
        assert_eq!(flow.phase, Phase::Idle);
        let next = flow.start("small.csv", Stage::Reading);
        assert_ne!(next, job);
        assert!(!flow.advance(job, Stage::Parsing));
        assert!(flow.preview(next));
        assert_eq!(flow.phase, Phase::Preview);
        let saving = flow.start("small.csv", Stage::Saving);
        assert!(flow.finish(saving, Err("full".into())));
        assert_eq!(flow.phase, Phase::Failed("full".into()));
        assert!(Stage::Reading.percent() < Stage::Saving.percent());
        assert!(!Stage::Journeys.label().is_empty());
    }
}
