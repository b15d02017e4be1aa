//! CSV export of the calendar: one row per entry with its fields, its current metric values
//! (manual wins) and its ROI. RFC 4180 quoting; cells that a spreadsheet would run as a formula
//! (`=`, `+`, `-`, `@`, tab or CR first, unless a plain number) get a leading `'`.

use super::metric::MetricKind;
use super::workspace::{ValueIndex, Workspace};

/// A text cell: the engine's one formula guard and quoting ([`refleqt_engine::csv_out::cell`]).
fn cell(text: &str) -> String {
    refleqt_engine::csv_out::cell(text).into_owned()
}

fn number(value: f64) -> String {
    // Plain decimal, no grouping, so spreadsheets read it as a number.
    format!("{value}")
}

/// The calendar as CSV text (header, then entries by id). Metric columns use the stored keys;
/// durations are seconds, money is in the workspace currency.
pub fn entries_csv(ws: &Workspace) -> String {
    let mut header: Vec<String> = [
        "entry_id",
        "utm_content",
        "title",
        "channel",
        "campaign",
        "publish_date",
        "destination_url",
        "planned_cost",
        "creator",
        "notes",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    header.extend(MetricKind::ALL.iter().map(|m| m.key().to_owned()));
    header.push("roi_percent".into());
    header.push("currency".into());
    let mut out = header.join(",");
    out.push_str("\r\n");
    let mut entries: Vec<_> = ws.entries.iter().collect();
    entries.sort_by_key(|e| e.entry_id);
    // One pass over the rows, not one per entry and metric.
    let index = ValueIndex::of(ws);
    for e in entries {
        let mut row = vec![
            e.entry_id.to_string(),
            cell(&e.utm_content()),
            cell(&e.title),
            cell(&e.channel),
            cell(&e.campaign),
            e.publish_date.to_string(),
            cell(&e.destination_url),
            e.cost.map(number).unwrap_or_default(),
            cell(&e.creator),
            cell(&e.notes),
        ];
        row.extend(MetricKind::ALL.iter().map(|m| {
            index
                .value(e.entry_id, *m)
                .map(|v| number(v.value))
                .unwrap_or_default()
        }));
        row.push(index.roi(ws, e.entry_id).map(number).unwrap_or_default());
        row.push(cell(&ws.settings.currency));
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::entry::EntryForm;

    #[test]
    fn quoting_and_formula_guard() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a, b"), "\"a, b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        // A formula starting with `-` is guarded; a plain negative number stays a number.
        assert_eq!(cell("-5+1"), "'-5+1");
        assert_eq!(cell("-5"), "-5");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("\u{202E}<script>"), "\u{202E}<script>");
    }

    #[test]
    fn rows_carry_metrics_and_roi() {
        let mut ws = Workspace::empty();
        let draft = EntryForm {
            title: "Launch, part 1".into(),
            channel_choice: "Blog / organic".into(),
            publish_date: "2025-03-14".into(),
            ..EntryForm::default()
        }
        .parse()
        .unwrap_or_else(|e| panic!("{e:?}"));
        let id = ws.add_entry(draft);
        ws.record_manual(
            id,
            &[
                (MetricKind::Pageviews, Some(2847.0)),
                (MetricKind::Revenue, Some(4200.0)),
                (MetricKind::Cost, Some(150.0)),
            ],
            1,
        )
        .expect("the sample values fit");
        let csv = entries_csv(&ws);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines.len(), 3, "{csv}");
        let columns = lines[0].split(',').count();
        assert_eq!(columns, 10 + MetricKind::ALL.len() + 2);
        assert!(lines[1].starts_with("1,cal-1,\"Launch, part 1\",Blog / organic,,2025-03-14,"));
        assert!(lines[1].ends_with(",2700,USD"), "{}", lines[1]);
        assert!(lines[1].contains(",2847,"));
    }

    #[test]
    fn hostile_entry_fields_export_as_text() {
        let mut ws = Workspace::empty();
        let draft = EntryForm {
            title: "=HYPERLINK(\"http://evil\",\"click\")".into(),
            channel_choice: "@SUM(A1)".into(),
            publish_date: "2025-03-14".into(),
            ..EntryForm::default()
        }
        .parse()
        .unwrap_or_else(|e| panic!("{e:?}"));
        ws.add_entry(draft);
        let csv = entries_csv(&ws);
        let row = csv.split("\r\n").nth(1).unwrap_or_default();
        assert!(
            row.contains("\"'=HYPERLINK(\"\"http://evil\"\",\"\"click\"\")\""),
            "{row}"
        );
        assert!(row.contains(",'@SUM(A1),"), "{row}");
    }
}
