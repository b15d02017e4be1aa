//! Format detection: which layout a file holds — the engine's event log, its path table, or a
//! platform's export — from its header or JSON keys, with the file name as a fallback. The one
//! detector for the CLI, the app's analysis and the Import flow; and [`import`], which detects
//! and then parses.
//!
//! Platform exports are tried first (each platform module knows its own header:
//! `ga4::is_bigquery_header`, `google_ads::is_api_header`, …), then the engine's formats by the
//! synonyms their parsers accept: a path column with a conversions column is a path table; a
//! user, a timestamp and a channel or source column make an event log. CSV title lines above
//! the header (up to ten) are skipped. Depends on `imports` and `parse`; neither depends on it.

use serde_json::Value;

use crate::imports::table::{has_any_synonym as has_any, norm, parse_json, text, MAX_TITLE_LINES};
use crate::imports::{
    ga4, google_ads, import_as, mailchimp, meta, Import, ImportError, ImportOptions, Layout,
    Platform,
};
use crate::parse::csv::{sniff_delimiter, strip_bom, Reader, Record};
use crate::parse::Field;

/// What a file holds, from its headers or JSON keys; the file name (`.json`, words like
/// `mailchimp`, `google_ads`, `meta`, `bigquery`) only decides when the content does not. See
/// each platform module for the keys it is recognised by.
pub fn detect(bytes: &[u8], file_name: &str) -> Option<Layout> {
    let t = strip_bom(bytes).trim_ascii_start();
    let by_content = match t.first() {
        None => return None,
        Some(b'{' | b'[') if ga4::is_bigquery_json(t) => {
            Some(Layout::Export(Platform::Ga4BigQueryCsv))
        }
        Some(b'{' | b'[') => detect_json(t).map(Layout::Export),
        Some(_) => detect_csv(bytes),
    };
    by_content
        .or_else(|| by_name(file_name, matches!(t.first(), Some(b'{' | b'['))).map(Layout::Export))
}

fn by_name(file_name: &str, json: bool) -> Option<Platform> {
    let n = norm(file_name);
    let has = |w: &str| n.split('_').any(|p| p == w) || n.contains(w);
    if has("mailchimp") {
        Some(Platform::MailchimpReport)
    } else if has("googleads") || has("google_ads") || has("adwords") {
        (!json).then_some(Platform::GoogleAdsCsv)
    } else if has("meta") || has("facebook") || has("insights") {
        Some(Platform::MetaAdsInsights)
    } else if has("bigquery") {
        (!json).then_some(Platform::Ga4BigQueryCsv)
    } else if has("ga4") || has("runreport") {
        Some(if json {
            Platform::Ga4DataApiJson
        } else {
            Platform::Ga4BigQueryCsv
        })
    } else {
        None
    }
}

/// Parse a file: detect its layout (unless [`ImportOptions::layout`] is set) and run its
/// parser ([`import_as`]).
pub fn import(bytes: &[u8], file_name: &str, opts: &ImportOptions) -> Result<Import, ImportError> {
    if strip_bom(bytes).trim_ascii().is_empty() {
        return Err(ImportError::Empty);
    }
    let layout = match opts.layout {
        Some(l) => l,
        None => detect(bytes, file_name).ok_or(ImportError::Unrecognised)?,
    };
    import_as(layout, bytes, opts)
}

/// The layout whose header this is, from normalised names. Platform exports first (each
/// platform module says what its header looks like), then the engine's own formats.
fn layout_of_header(h: &[String]) -> Option<Layout> {
    platform_of_header(h)
        .map(Layout::Export)
        .or_else(|| engine_layout_of_header(h))
}

fn platform_of_header(h: &[String]) -> Option<Platform> {
    if ga4::is_bigquery_header(h) {
        return Some(Platform::Ga4BigQueryCsv);
    }
    if google_ads::is_api_header(h) {
        return Some(Platform::GoogleAdsCsv);
    }
    if meta::is_header(h) {
        return Some(Platform::MetaAdsInsights);
    }
    if google_ads::is_ui_header(h) {
        return Some(Platform::GoogleAdsCsv);
    }
    if mailchimp::is_header(h) {
        return Some(Platform::MailchimpReport);
    }
    None
}

/// The engine's own formats, by the synonyms their parsers accept ([`Field::synonyms`]).
fn engine_layout_of_header(h: &[String]) -> Option<Layout> {
    let field = |f: Field| has_any(h, f.synonyms());
    if field(Field::Path) && field(Field::Conversions) {
        return Some(Layout::PathTable);
    }
    if field(Field::User)
        && field(Field::Timestamp)
        && (field(Field::Channel) || field(Field::Source))
    {
        return Some(Layout::EventLog);
    }
    None
}

fn detect_csv(bytes: &[u8]) -> Option<Layout> {
    let delim = sniff_delimiter(bytes);
    let mut reader = Reader::new(bytes, delim);
    let mut rec = Record::new();
    let mut seen = 0;
    while reader.read(&mut rec) {
        if rec.is_blank() {
            continue;
        }
        let h: Vec<String> = rec.fields().map(|f| norm(&text(&f))).collect();
        if let Some(layout) = layout_of_header(&h) {
            return Some(layout);
        }
        seen += 1;
        if seen >= MAX_TITLE_LINES {
            break;
        }
    }
    None
}

fn detect_json(bytes: &[u8]) -> Option<Platform> {
    let v = parse_json(bytes).ok()?;
    if google_ads::is_search_json(&v) {
        return Some(Platform::GoogleAdsCsv);
    }
    let keys_of =
        |o: &serde_json::Map<String, Value>| -> Vec<String> { o.keys().map(|k| norm(k)).collect() };
    match &v {
        Value::Object(o) => {
            let k = keys_of(o);
            if has_any(&k, &["dimensionheaders", "metricheaders"])
                || o.get("kind").and_then(Value::as_str) == Some("analyticsData#runReport")
            {
                return Some(Platform::Ga4DataApiJson);
            }
            if mailchimp::is_report_keys(&k) {
                return Some(Platform::MailchimpReport);
            }
            if let Some(Value::Array(items)) = o.get("reports") {
                if items
                    .iter()
                    .filter_map(Value::as_object)
                    .any(|r| mailchimp::is_report_keys(&keys_of(r)))
                {
                    return Some(Platform::MailchimpReport);
                }
            }
            if let Some(Value::Array(items)) = o.get("data") {
                if items.is_empty()
                    || items
                        .iter()
                        .filter_map(Value::as_object)
                        .any(|r| meta::is_insight_keys(&keys_of(r)))
                {
                    return Some(Platform::MetaAdsInsights);
                }
            }
            None
        }
        Value::Array(items) => items
            .iter()
            .filter_map(Value::as_object)
            .any(|r| meta::is_insight_keys(&keys_of(r)))
            .then_some(Platform::MetaAdsInsights),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(content: &str, file_name: &str, expected: Option<Layout>) {
        assert_eq!(
            detect(content.as_bytes(), file_name),
            expected,
            "{content:?} {file_name:?}"
        );
    }

    #[test]
    fn layouts() {
        use Layout::{EventLog, Export, PathTable};
        // The engine's own formats, as the CLI and the app's analysis read them.
        check(
            "path,total_conversions,total_conversion_value,total_null\na > b,1,2,3\n",
            "",
            Some(PathTable),
        );
        check("\u{feff}Path;Conversions\nx > y;3\n", "", Some(PathTable));
        check(
            "user_id,timestamp,channel\nu1,2025-03-01,Email\n",
            "",
            Some(EventLog),
        );
        check(
            "User ID,Time,Source\nu1,2025-03-01,google\n",
            "",
            Some(EventLog),
        );
        check(
            "Report\nExported today\n\nuser,ts,channel\n",
            "",
            Some(EventLog),
        );
        // Platform exports win over the engine's synonyms.
        check(
            "Day,Campaign,Impr.,Clicks,Cost\n2025-03-01,X,1,1,1\n",
            "",
            Some(Export(Platform::GoogleAdsCsv)),
        );
        check(
            r#"{"dimensionHeaders":[],"metricHeaders":[]}"#,
            "",
            Some(Export(Platform::Ga4DataApiJson)),
        );
        check(
            r#"{"data":[]}"#,
            "",
            Some(Export(Platform::MetaAdsInsights)),
        );
        // The file name decides only when the content does not.
        check(
            "a,b\n1,2\n",
            "mailchimp-march.csv",
            Some(Export(Platform::MailchimpReport)),
        );
        check(
            "a,b\n1,2\n",
            "google_ads.csv",
            Some(Export(Platform::GoogleAdsCsv)),
        );
        check("{}", "google_ads.json", None);
        check("a,b\n1,2\n", "data.csv", None);
        check("path\nx\n", "", None);
        check("", "mailchimp.csv", None);
    }

    #[test]
    fn layouts_keep_the_stored_names() {
        for p in Platform::ALL {
            assert_eq!(Layout::from(p).platform(), Some(p));
            // A layout is stored under the name its platform has.
            assert_eq!(
                serde_json::to_string(&Layout::from(p)).ok(),
                serde_json::to_string(&p).ok()
            );
        }
        let names = [
            (Layout::EventLog, "\"event_log_csv\""),
            (Layout::PathTable, "\"path_table_csv\""),
            (Layout::Export(Platform::GoogleAdsCsv), "\"google_ads_csv\""),
            (
                Layout::Export(Platform::Ga4BigQueryCsv),
                "\"ga4_big_query_csv\"",
            ),
        ];
        for (layout, name) in names {
            assert_eq!(serde_json::to_string(&layout).ok().as_deref(), Some(name));
            assert_eq!(serde_json::from_str::<Layout>(name).ok(), Some(layout));
        }
        assert_eq!(Layout::ALL.len(), Platform::ALL.len() + 2);
        assert_eq!(Layout::PathTable.label(), "Path table (CSV)");
        assert_eq!(Layout::EventLog.platform(), None);
    }
}
