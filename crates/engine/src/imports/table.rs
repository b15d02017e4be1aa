//! Shared machinery of the aggregated-report importers: header normalising, cell reading (numbers
//! through [`crate::number`], days and months through [`crate::dates`]), a small row table built
//! from CSV or JSON, column mapping from synonym tables, and the conversion of one table row into
//! an [`ImportedRow`]. It knows no platform: the platform modules use it, never the reverse
//! (detection, which asks every platform, is [`crate::detect`]).

use std::borrow::Cow;

use serde_json::Value;

use super::{
    day_floor, Container, Import, ImportColumn, ImportError, ImportField, ImportOptions,
    ImportedRow, Layout, MatchKeys, Period, Platform, METRIC_KEYS, MS_PER_DAY,
};
use crate::dates::{civil_from_days, day_ms, days_in_month, parse_month_name_date};
use crate::number::{parse_quantity, NumberConvention, Quantity};
use crate::parse::csv::{sniff_delimiter, strip_bom, Reader, Record};
use crate::parse::timestamp::{parse_timestamp, TimestampError};
use crate::parse::{ParseReport, RowError, RowReason, MAX_RECORD_BYTES};

// ---------------------------------------------------------------------------------------------
// Names and values.

/// Lower-case; every run of characters that are not letters or digits becomes one `_`; trimmed.
pub(crate) fn norm(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending = false;
    for c in s.chars() {
        if c.is_alphanumeric() {
            if pending && !out.is_empty() {
                out.push('_');
            }
            pending = false;
            out.extend(c.to_lowercase());
        } else {
            pending = true;
        }
    }
    out
}

/// UTF-8, or Latin-1 when the bytes are not valid UTF-8.
pub(crate) fn text(b: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(b) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(b.iter().map(|&c| char::from(c)).collect()),
    }
}

/// A short excerpt of a value for error messages.
pub(crate) fn snippet(s: &str) -> String {
    const MAX: usize = 60;
    let s = s.trim();
    if s.chars().count() <= MAX {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(MAX).collect();
        out.push('…');
        out
    }
}

/// A key value, or `None` for empty cells and absent markers (`(not set)`, `(none)`, …).
pub(crate) fn key_value(s: &str) -> Option<String> {
    let t = s.trim();
    const ABSENT: [&str; 7] = [
        "",
        "(not set)",
        "(none)",
        "(direct)",
        "(other)",
        "--",
        "(not provided)",
    ];
    if ABSENT.iter().any(|a| t.eq_ignore_ascii_case(a)) {
        None
    } else {
        Some(t.to_owned())
    }
}

/// A number as written in an export.
pub(crate) type Num = Quantity;

/// Read a non-negative number with [`crate::number::parse_quantity`] (see the module
/// documentation of [`super`]); `Ok(None)` for "no value".
pub(crate) fn parse_number(
    s: &str,
    convention: NumberConvention,
) -> Result<Option<Num>, RowReason> {
    let raw = s.trim();
    const NONE: [&str; 6] = ["", "--", "-", "n/a", "null", "—"];
    if NONE.iter().any(|n| raw.eq_ignore_ascii_case(n)) {
        return Ok(None);
    }
    let q = parse_quantity(raw, convention).map_err(|_| RowReason::NotANumber {
        value: snippet(raw),
    })?;
    if q.value < 0.0 {
        return Err(RowReason::Negative {
            value: snippet(raw),
        });
    }
    Ok(Some(Quantity {
        value: q.value.abs(),
        percent: q.percent,
    }))
}

/// The UTC day (midnight, unix ms) of a date or date-time.
pub(crate) fn parse_day(s: &str) -> Result<i64, TimestampError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(TimestampError::Empty);
    }
    // Short digit runs are not dates (an epoch second count of a few digits is 1970).
    if t.bytes().all(|c| c.is_ascii_digit()) && t.len() != 8 && t.len() < 10 {
        return Err(TimestampError::Unrecognised);
    }
    match parse_timestamp(t) {
        Ok(ms) => Ok(day_floor(ms)),
        Err(e) => parse_month_name_date(t)
            .and_then(|days| days.checked_mul(MS_PER_DAY))
            .ok_or(e),
    }
}

/// A whole month: `202503`, `2025-03`, `2025/03`, or any date (its month).
pub(crate) fn parse_month(s: &str) -> Result<Period, TimestampError> {
    let t = s.trim();
    let ym = if t.len() == 6 && t.bytes().all(|c| c.is_ascii_digit()) {
        Some((t.get(..4), t.get(4..)))
    } else if t.len() == 7 && matches!(t.as_bytes().get(4), Some(b'-' | b'/')) {
        Some((t.get(..4), t.get(5..)))
    } else {
        None
    };
    let (year, month) = match ym {
        Some((Some(y), Some(m))) => {
            let y: i64 = y.parse().map_err(|_| TimestampError::Unrecognised)?;
            let m: u32 = m.parse().map_err(|_| TimestampError::Unrecognised)?;
            (y, m)
        }
        _ => {
            let day = parse_day(t)?;
            let (y, m, _) = civil_from_days(day.div_euclid(MS_PER_DAY));
            (y, m)
        }
    };
    let start = day_ms(year, month, 1).ok_or(TimestampError::Unrecognised)?;
    let end =
        day_ms(year, month, days_in_month(year, month)).ok_or(TimestampError::Unrecognised)?;
    Ok(Period {
        start_ms: start,
        end_ms: end,
    })
}

// ---------------------------------------------------------------------------------------------
// Column specifications.

/// How a column's numbers become catalog units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scale {
    One,
    /// Millionths of the currency (Google Ads `cost_micros`).
    Micros,
    /// A fraction 0–1 that the catalog stores as 0–100 (unless written with `%`).
    FractionToPercent,
}

/// A field of a platform's table (the `&'static` twin of [`ImportField`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum F {
    Date,
    DateEnd,
    Month,
    Campaign,
    Source,
    Medium,
    SourceMedium,
    Content,
    Url,
    Currency,
    EventName,
    EventCount,
    EventTimestamp,
    User,
    Metric(&'static str),
}

impl F {
    pub fn field(self) -> ImportField {
        match self {
            F::Date => ImportField::Date,
            F::DateEnd => ImportField::DateEnd,
            F::Month => ImportField::Month,
            F::Campaign => ImportField::Campaign,
            F::Source => ImportField::Source,
            F::Medium => ImportField::Medium,
            F::SourceMedium => ImportField::SourceMedium,
            F::Content => ImportField::Content,
            F::Url => ImportField::Url,
            F::Currency => ImportField::Currency,
            F::EventName => ImportField::EventName,
            F::EventCount => ImportField::EventCount,
            F::EventTimestamp => ImportField::EventTimestamp,
            F::User => ImportField::User,
            F::Metric(m) => ImportField::Metric(m.to_owned()),
        }
    }
}

/// One field and its normalised synonyms, in order of preference. A synonym ending in `*`
/// matches any header starting with the rest.
pub(crate) type Spec = (F, &'static [&'static str]);

/// Whether any of `names` is among the normalised headers `h` (as [`map_columns`] matches).
pub(crate) fn has_any_synonym(h: &[String], names: &[&str]) -> bool {
    names
        .iter()
        .any(|n| h.iter().any(|x| synonym_matches(n, x)))
}

fn synonym_matches(syn: &str, header: &str) -> bool {
    match syn.strip_suffix('*') {
        Some(prefix) => header.starts_with(prefix),
        None => header == syn,
    }
}

/// Map fields to columns: overrides first, then each spec's earliest unclaimed synonym.
pub(crate) fn map_columns(
    headers: &[String],
    specs: &[Spec],
    overrides: &[(ImportField, String)],
) -> Result<Vec<ImportColumn>, ImportError> {
    let normed: Vec<String> = headers.iter().map(|h| norm(h)).collect();
    let mut taken = vec![false; headers.len()];
    let mut out: Vec<ImportColumn> = Vec::new();
    let mut decided: Vec<&ImportField> = Vec::new();
    for (field, header) in overrides {
        if decided.contains(&field) {
            continue;
        }
        decided.push(field);
        if let ImportField::Metric(k) = field {
            if !METRIC_KEYS.contains(&k.as_str()) {
                return Err(ImportError::UnknownMetric { key: k.clone() });
            }
        }
        if header.trim().is_empty() {
            continue;
        }
        let want = norm(header);
        let Some(i) = normed.iter().position(|h| *h == want) else {
            return Err(ImportError::UnknownColumn {
                field: field.clone(),
                header: header.clone(),
            });
        };
        if let Some(t) = taken.get_mut(i) {
            *t = true;
        }
        out.push(ImportColumn {
            field: field.clone(),
            header: headers.get(i).cloned().unwrap_or_default(),
            index: i,
        });
    }
    for (f, syns) in specs {
        let field = f.field();
        if decided.contains(&&field) || out.iter().any(|c| c.field == field) {
            continue;
        }
        let found = syns.iter().find_map(|syn| {
            normed
                .iter()
                .zip(&taken)
                .position(|(h, &t)| !t && synonym_matches(syn, h))
        });
        if let Some(i) = found {
            if let Some(t) = taken.get_mut(i) {
                *t = true;
            }
            out.push(ImportColumn {
                field,
                header: headers.get(i).cloned().unwrap_or_default(),
                index: i,
            });
        }
    }
    Ok(out)
}

pub(crate) fn column_of(columns: &[ImportColumn], field: &ImportField) -> Option<usize> {
    columns.iter().find(|c| c.field == *field).map(|c| c.index)
}

// ---------------------------------------------------------------------------------------------
// Tables.

/// Where a table came from, for naming a cell in an error.
#[derive(Debug, Clone)]
pub(crate) enum Origin {
    Csv,
    /// `{rows}/{i}{cell}`: the array's pointer and, per column, the pointer inside a row.
    Json {
        rows: String,
        cells: Vec<String>,
    },
}

/// One data row: its line (CSV) or 1-based position (JSON) and its cells.
#[derive(Debug, Clone)]
pub(crate) struct TableRow {
    pub line: u64,
    pub cells: Vec<Option<String>>,
    /// A whole-row problem found while reading it (its column, its reason).
    pub error: Option<(Option<String>, RowReason)>,
}

impl TableRow {
    pub fn cell(&self, i: usize) -> &str {
        self.cells
            .get(i)
            .and_then(|c| c.as_deref())
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Table {
    pub headers: Vec<String>,
    pub origin: Origin,
    pub rows: Vec<TableRow>,
    pub delimiter: char,
    pub header_line: Option<u64>,
    pub skipped: usize,
    /// The period a title line above the header states (`1 January 2026 - 29 May 2026`).
    pub title_period: Option<Period>,
}

impl Table {
    /// The name of cell `col` of row `row` in an error.
    pub fn label(&self, row: &TableRow, col: usize) -> String {
        match &self.origin {
            Origin::Csv => self.headers.get(col).cloned().unwrap_or_default(),
            Origin::Json { rows, cells } => format!(
                "{rows}/{}{}",
                row.line.saturating_sub(1),
                cells.get(col).map(String::as_str).unwrap_or_default()
            ),
        }
    }
}

/// How many leading non-blank records may precede the header (report titles, date ranges).
pub(crate) const MAX_TITLE_LINES: usize = 10;

/// The period a report's title line states: two dates joined by ` - ` or ` – `, each anything
/// [`parse_day`] reads (`1 January 2026 - 29 May 2026`, `March 1, 2025 - March 2, 2025`,
/// `2025-03-01 - 2025-03-31`). `None` when the line is not such a range.
pub(crate) fn title_period(line: &str) -> Option<Period> {
    let t = line.trim().trim_matches('"').trim();
    let (a, b) = [" - ", " \u{2013} ", " \u{2014} ", " to "]
        .iter()
        .find_map(|sep| t.split_once(sep))?;
    let (a, b) = (parse_day(a).ok()?, parse_day(b).ok()?);
    (a <= b).then(|| Period::days(a, b))
}

/// Read a CSV into a [`Table`]. The header is the first of the first few non-blank records for
/// which `is_header` holds (given normalised names); the records before it are skipped title
/// lines. After the header, rows for which `is_summary` holds are skipped summary rows.
pub(crate) fn csv_table(
    bytes: &[u8],
    opts: &ImportOptions,
    is_header: &dyn Fn(&[String]) -> bool,
    is_summary: &dyn Fn(&[Option<String>]) -> bool,
) -> Result<Table, ImportError> {
    let delim = opts.delimiter.unwrap_or_else(|| sniff_delimiter(bytes));
    let mut reader = Reader::new(bytes, delim);
    let mut rec = Record::new();
    let mut header: Option<(Vec<String>, u64)> = None;
    let mut seen = 0usize;
    // A file whose header sits on a later line: start over there.
    let mut skipped_titles = 0usize;
    let mut stated: Option<Period> = None;
    while reader.read(&mut rec) {
        if rec.is_blank() {
            continue;
        }
        let cells: Vec<String> = rec
            .fields()
            .map(|f| text(&f).trim().trim_start_matches('\u{feff}').to_owned())
            .collect();
        let normed: Vec<String> = cells.iter().map(|c| norm(c)).collect();
        if is_header(&normed) {
            header = Some((cells, rec.line()));
            break;
        }
        if stated.is_none() {
            stated = title_period(&cells.join(","));
        }
        seen += 1;
        skipped_titles += 1;
        if seen >= MAX_TITLE_LINES {
            break;
        }
    }
    let (headers, header_line) = match header {
        Some(h) => h,
        None if seen == 0 => return Err(ImportError::Empty),
        None => {
            // No line looks like this platform's header: take the first one, so that the
            // column mapping (and its error) names what the file has.
            reader = Reader::new(bytes, delim);
            skipped_titles = 0;
            stated = None;
            if !reader.read_non_blank(&mut rec) {
                return Err(ImportError::Empty);
            }
            let cells = rec
                .fields()
                .map(|f| text(&f).trim().trim_start_matches('\u{feff}').to_owned())
                .collect();
            (cells, rec.line())
        }
    };
    let n = headers.len();
    let mut rows = Vec::new();
    let mut skipped = skipped_titles;
    while reader.read(&mut rec) {
        if rec.is_blank() {
            continue;
        }
        let line = rec.line();
        if rec.byte_len() > MAX_RECORD_BYTES {
            // Rejected without copying its cells: the row is kept only as its reason.
            rows.push(TableRow {
                line,
                cells: Vec::new(),
                error: Some((
                    None,
                    RowReason::RecordTooLong {
                        bytes: rec.byte_len(),
                        max: MAX_RECORD_BYTES,
                    },
                )),
            });
            continue;
        }
        let cells: Vec<Option<String>> =
            rec.fields().map(|f| Some(text(&f).into_owned())).collect();
        let error = if rec.unterminated() {
            Some((None, RowReason::UnterminatedQuote))
        } else if cells.len() != n {
            // Trailing empty cells are tolerated (spreadsheet exports pad or trim rows).
            let extra_empty = cells.len() > n
                && cells
                    .get(n..)
                    .is_some_and(|r| r.iter().all(|c| c.as_deref().is_none_or(str::is_empty)));
            (!extra_empty).then_some((
                None,
                RowReason::FieldCount {
                    expected: n,
                    found: cells.len(),
                },
            ))
        } else {
            None
        };
        if error.is_none() && is_summary(&cells) {
            skipped += 1;
            continue;
        }
        rows.push(TableRow { line, cells, error });
    }
    Ok(Table {
        headers,
        origin: Origin::Csv,
        rows,
        delimiter: delim.as_char(),
        header_line: Some(header_line),
        skipped,
        title_period: stated,
    })
}

/// Parse JSON, with a typed error.
pub(crate) fn parse_json(bytes: &[u8]) -> Result<Value, ImportError> {
    serde_json::from_slice(strip_bom(bytes)).map_err(|e| ImportError::Json {
        message: e.to_string(),
        line: e.line(),
        column: e.column(),
    })
}

/// A scalar JSON value as cell text; `None` for null, objects and arrays.
pub(crate) fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Escape a key for a JSON pointer (`~` → `~0`, `/` → `~1`).
pub(crate) fn pointer_key(k: &str) -> String {
    k.replace('~', "~0").replace('/', "~1")
}

/// A flattened JSON object: `(header, pointer inside the row, value)`.
pub(crate) type Flat = Vec<(String, String, Option<String>)>;

/// A row's line and its `(column, value)` cells (`None`: not an object).
type FlatRow = (u64, Option<Vec<(usize, Option<String>)>>);

/// Flattened JSON objects (one per row) as a table: the headers are every key seen, in first-
/// seen order. `flatten` turns one object into `(header, pointer inside the row, value)`.
pub(crate) fn json_objects_table(
    rows_pointer: &str,
    items: &[Value],
    flatten: &dyn Fn(&serde_json::Map<String, Value>) -> Flat,
) -> Table {
    let mut headers: Vec<String> = Vec::new();
    let mut pointers: Vec<String> = Vec::new();
    let mut flat_rows: Vec<FlatRow> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let line = i as u64 + 1;
        let Some(obj) = item.as_object() else {
            flat_rows.push((line, None));
            continue;
        };
        let mut cells = Vec::new();
        for (h, ptr, v) in flatten(obj) {
            let idx = match headers.iter().position(|x| *x == h) {
                Some(idx) => idx,
                None => {
                    headers.push(h);
                    pointers.push(ptr);
                    headers.len() - 1
                }
            };
            cells.push((idx, v));
        }
        flat_rows.push((line, Some(cells)));
    }
    let n = headers.len();
    let rows = flat_rows
        .into_iter()
        .map(|(line, cells)| match cells {
            None => TableRow {
                line,
                cells: vec![None; n],
                error: Some((
                    Some(format!("{rows_pointer}/{}", line - 1)),
                    // Not an object: the row has no values.
                    RowReason::Empty,
                )),
            },
            Some(cs) => {
                let mut row = vec![None; n];
                for (idx, v) in cs {
                    if let Some(slot) = row.get_mut(idx) {
                        *slot = v;
                    }
                }
                TableRow {
                    line,
                    cells: row,
                    error: None,
                }
            }
        })
        .collect();
    Table {
        headers,
        origin: Origin::Json {
            rows: rows_pointer.to_owned(),
            cells: pointers,
        },
        rows,
        delimiter: ',',
        header_line: None,
        skipped: 0,
        title_period: None,
    }
}

// ---------------------------------------------------------------------------------------------
// Rows → imported rows.

/// How a platform reads its table.
pub(crate) struct Reading<'a> {
    pub platform: Platform,
    pub format: Container,
    pub specs: &'a [Spec],
    /// Scale of a column by its normalised header.
    pub scale: &'a dyn Fn(&str) -> Scale,
    /// Fields that must be present (besides a date, which [`ImportOptions::period`] can stand
    /// in for, and at least one metric).
    pub required: &'a [F],
    /// GA4 event name → metric (for `eventName` × `eventCount`).
    pub event_metrics: &'a dyn Fn(&str) -> &'static [&'static str],
    /// A currency the file states outside its rows (GA4 metadata, Meta `Amount spent (EUR)`).
    pub currency: Option<String>,
}

/// Build the [`Import`] of an aggregated report from its table.
pub(crate) fn build_import(
    table: Table,
    r: &Reading<'_>,
    opts: &ImportOptions,
) -> Result<Import, ImportError> {
    let columns = map_columns(&table.headers, r.specs, &opts.columns)?;
    let col = |f: F| column_of(&columns, &f.field());
    let mut missing: Vec<ImportField> = r
        .required
        .iter()
        .filter(|f| col(**f).is_none())
        .map(|f| f.field())
        .collect();
    let has_date = col(F::Date).is_some() || col(F::Month).is_some();
    // The period chosen in the preview wins over the one a title line states.
    let fallback = opts.period.or(table.title_period);
    if !has_date && fallback.is_none() {
        if table.rows.is_empty() && missing.is_empty() {
            // Nothing to date: an empty report is still a valid (empty) import.
        } else if missing.is_empty() {
            return Err(ImportError::NoPeriod {
                platform: r.platform,
            });
        } else {
            missing.insert(0, ImportField::Date);
        }
    }
    if !missing.is_empty() {
        return Err(ImportError::MissingColumns {
            platform: r.platform,
            missing,
            found: table.headers.clone(),
        });
    }
    let metric_cols: Vec<(String, usize, Scale)> = columns
        .iter()
        .filter_map(|c| match &c.field {
            ImportField::Metric(k) => Some((k.clone(), c.index, (r.scale)(&norm(&c.header)))),
            _ => None,
        })
        .collect();
    let event_pair = col(F::EventName).zip(col(F::EventCount));
    if metric_cols.is_empty() && event_pair.is_none() {
        return Err(ImportError::NoMetrics {
            platform: r.platform,
            found: table.headers.clone(),
        });
    }
    let mut imp = Import::empty(Layout::Export(r.platform), r.format);
    let mut currencies: Vec<String> = r.currency.iter().cloned().collect();
    let mut report = ParseReport {
        delimiter: table.delimiter,
        ..ParseReport::default()
    };
    let mut rows = Vec::new();
    for row in &table.rows {
        match convert_row(
            &table,
            row,
            &columns,
            &metric_cols,
            event_pair,
            r,
            opts,
            fallback,
        ) {
            Ok((imported, currency)) => {
                report.accepted += 1;
                if let Some(c) = currency {
                    if !currencies.contains(&c) {
                        currencies.push(c);
                    }
                }
                if let Some(ir) = imported {
                    rows.push(ir);
                }
            }
            Err(e) => {
                report.rejected_count += 1;
                if report.rejected.len() < opts.max_stored_rejections {
                    report.rejected.push(e);
                }
            }
        }
    }
    let used: Vec<usize> = columns.iter().map(|c| c.index).collect();
    imp.ignored_columns = table
        .headers
        .iter()
        .enumerate()
        .filter(|(i, h)| !used.contains(i) && !h.trim().is_empty())
        .map(|(_, h)| h.clone())
        .collect();
    let mut cs = currencies.into_iter();
    imp.currency = cs.next();
    imp.other_currencies = cs.collect();
    imp.columns = columns;
    imp.report = report;
    imp.header_line = table.header_line;
    imp.stated_period = table.title_period;
    imp.skipped_rows = table.skipped;
    imp.rows = rows;
    Ok(imp)
}

type Converted = (Option<ImportedRow>, Option<String>);

#[allow(clippy::too_many_arguments)]
fn convert_row(
    table: &Table,
    row: &TableRow,
    columns: &[ImportColumn],
    metric_cols: &[(String, usize, Scale)],
    event_pair: Option<(usize, usize)>,
    r: &Reading<'_>,
    opts: &ImportOptions,
    fallback: Option<Period>,
) -> Result<Converted, RowError> {
    let reject = |col: Option<usize>, reason: RowReason| RowError {
        line: row.line,
        column: col.map(|c| table.label(row, c)),
        reason,
    };
    // A row short of trailing cells is read when none of the missing columns is used (warehouse
    // seeds and spreadsheets drop an empty last field such as `_fivetran_synced`).
    let short_but_unused = |reason: &RowReason| match reason {
        RowReason::FieldCount { expected, found } => {
            found < expected && columns.iter().all(|c| c.index < *found)
        }
        _ => false,
    };
    if let Some((column, reason)) = row.error.as_ref().filter(|(_, r)| !short_but_unused(r)) {
        return Err(RowError {
            line: row.line,
            column: column.clone(),
            reason: reason.clone(),
        });
    }
    let col = |f: F| column_of(columns, &f.field());
    let day = |c: usize| -> Result<i64, RowError> {
        let v = row.cell(c);
        parse_day(v).map_err(|error| {
            reject(
                Some(c),
                if v.trim().is_empty() {
                    RowReason::Empty
                } else {
                    RowReason::Timestamp {
                        value: snippet(v),
                        error,
                    }
                },
            )
        })
    };
    let period = if let Some(c) = col(F::Date) {
        let start = day(c)?;
        let end = match col(F::DateEnd) {
            Some(e) if !row.cell(e).trim().is_empty() => day(e)?,
            _ => start,
        };
        Period::days(start, end)
    } else if let Some(c) = col(F::Month) {
        let v = row.cell(c);
        parse_month(v).map_err(|error| {
            reject(
                Some(c),
                RowReason::Timestamp {
                    value: snippet(v),
                    error,
                },
            )
        })?
    } else if let Some(p) = fallback {
        Period::days(p.start_ms, p.end_ms)
    } else {
        return Err(reject(None, RowReason::Empty));
    };
    let get = |f: F| col(f).and_then(|c| key_value(row.cell(c)));
    let mut keys = MatchKeys {
        utm_content: get(F::Content),
        campaign: get(F::Campaign),
        source: get(F::Source),
        medium: get(F::Medium),
        urls: get(F::Url).into_iter().collect(),
    };
    if let Some(sm) = get(F::SourceMedium) {
        let mut parts = sm.splitn(2, '/').map(key_value);
        let (s, m) = (parts.next().flatten(), parts.next().flatten());
        keys.source = keys.source.or(s);
        keys.medium = keys.medium.or(m);
    }
    let currency = get(F::Currency).map(|c| c.to_ascii_uppercase());
    let mut metrics: Vec<(String, f64)> = Vec::new();
    for (key, c, scale) in metric_cols {
        let Some(n) = parse_number(row.cell(*c), opts.number_convention())
            .map_err(|reason| reject(Some(*c), reason))?
        else {
            continue;
        };
        let v = match scale {
            Scale::One => n.value,
            Scale::Micros => n.value / 1_000_000.0,
            Scale::FractionToPercent if n.percent => n.value,
            Scale::FractionToPercent => n.value * 100.0,
        };
        metrics.push((key.clone(), v));
    }
    if let Some((name_col, count_col)) = event_pair {
        let targets = (r.event_metrics)(&norm(row.cell(name_col)));
        if !targets.is_empty() {
            if let Some(n) = parse_number(row.cell(count_col), opts.number_convention())
                .map_err(|reason| reject(Some(count_col), reason))?
            {
                for t in targets {
                    match metrics.iter_mut().find(|(k, _)| k == t) {
                        Some((_, v)) => *v += n.value,
                        None => metrics.push(((*t).to_owned(), n.value)),
                    }
                }
            }
        }
    }
    let imported = (!metrics.is_empty()).then_some(ImportedRow {
        line: row.line,
        period,
        keys,
        metrics,
    });
    Ok((imported, currency))
}

/// No event metrics (for platforms without `eventName` × `eventCount`).
pub(crate) fn no_event_metrics(_: &str) -> &'static [&'static str] {
    &[]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::days_from_civil;

    #[test]
    fn names() {
        assert_eq!(norm("Conv. value"), "conv_value");
        assert_eq!(norm("metrics.cost_micros"), "metrics_cost_micros");
        assert_eq!(norm("screenPageViews"), "screenpageviews");
        assert_eq!(norm("Amount spent (EUR)"), "amount_spent_eur");
        assert_eq!(norm("\u{feff}Campaign"), "campaign");
    }

    #[test]
    fn numbers() {
        let v = |s: &str| {
            parse_number(s, ImportOptions::default().number_convention())
                .map(|n| n.map(|n| n.value))
        };
        assert_eq!(v(" 1,234.50 "), Ok(Some(1234.5)));
        assert_eq!(v("1.234,50"), Ok(Some(1234.5)));
        assert_eq!(v("12,5"), Ok(Some(12.5)));
        assert_eq!(v("1,234"), Ok(Some(1234.0)));
        assert_eq!(v("$78.90"), Ok(Some(78.9)));
        assert_eq!(v("4.5%"), Ok(Some(4.5)));
        assert_eq!(v("--"), Ok(None));
        assert_eq!(v(""), Ok(None));
        assert!(matches!(v("-3"), Err(RowReason::Negative { .. })));
        assert!(matches!(v("abc"), Err(RowReason::NotANumber { .. })));
        assert!(matches!(v("inf"), Err(RowReason::NotANumber { .. })));
    }

    #[test]
    fn dates() {
        let d = |y, m, dd| days_from_civil(y, m, dd) * MS_PER_DAY;
        assert_eq!(parse_day("2025-03-01"), Ok(d(2025, 3, 1)));
        assert_eq!(parse_day("20250301"), Ok(d(2025, 3, 1)));
        assert_eq!(parse_day("2025-03-01T23:59:00Z"), Ok(d(2025, 3, 1)));
        assert_eq!(parse_day("Mar 04, 2025 10:00 am"), Ok(d(2025, 3, 4)));
        assert_eq!(parse_day("1 March 2025"), Ok(d(2025, 3, 1)));
        assert!(parse_day("2025").is_err());
        assert!(parse_day("Feb 30, 2025").is_err());
        assert_eq!(
            parse_month("202502"),
            Ok(Period {
                start_ms: d(2025, 2, 1),
                end_ms: d(2025, 2, 28)
            })
        );
        assert_eq!(parse_month("2024-02").map(|p| p.day_count()), Ok(29));
    }
}
