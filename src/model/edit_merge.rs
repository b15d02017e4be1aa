//! Saving an edit form opened before another tab changed the same entry: a three-way merge of the
//! entry's fields (the entry when the form opened, the entry now, the form's values), so that a
//! stale form never silently undoes another tab's change.
//!
//! Per field (the entry's serialised fields, so fields added later are covered too): unchanged in
//! the form → the current value; unchanged since the form opened → the form's value; changed in
//! both to different values → a conflict, and nothing is saved until the user chooses.

use super::entry::CalendarEntry;
use serde_json::{Map, Value};

/// What saving a form over the current entry gives.
#[derive(Debug, Clone, PartialEq)]
pub enum EditMerge {
    /// The entry to save. `merged` names the fields taken from the other tab's change (empty
    /// when nobody else changed the entry).
    Clean {
        entry: Box<CalendarEntry>,
        merged: Vec<String>,
    },
    /// Fields changed both here and elsewhere, to different values (labels for people).
    Conflict(Vec<String>),
}

/// The label of an entry field, for messages.
pub fn field_label(key: &str) -> String {
    match key {
        "title" => "Title".to_owned(),
        "channel" => "Channel".to_owned(),
        "campaign" => "Campaign".to_owned(),
        "publish_date" => "Publish date".to_owned(),
        "destination_url" => "Destination URL".to_owned(),
        "cost" => "Planned cost".to_owned(),
        "creator" => "Creator".to_owned(),
        "notes" => "Notes".to_owned(),
        "predicted" => "Predicted values".to_owned(),
        other => {
            let spaced = other.replace('_', " ");
            let mut chars = spaced.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        }
    }
}

fn fields(entry: &CalendarEntry) -> Map<String, Value> {
    match serde_json::to_value(entry) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// Merge the form's entry (`mine`) with the entry as it is now (`theirs`), both descended from
/// the entry when the form opened (`base`).
pub fn merge_edit(base: &CalendarEntry, theirs: &CalendarEntry, mine: CalendarEntry) -> EditMerge {
    if base == theirs {
        return EditMerge::Clean {
            entry: Box::new(mine),
            merged: Vec::new(),
        };
    }
    let (base_f, theirs_f, mine_f) = (fields(base), fields(theirs), fields(&mine));
    let mut keys: Vec<&String> = base_f
        .keys()
        .chain(theirs_f.keys())
        .chain(mine_f.keys())
        .collect();
    keys.sort();
    keys.dedup();
    let mut out = Map::new();
    let mut merged = Vec::new();
    let mut conflicts = Vec::new();
    for key in keys {
        let (b, t, m) = (base_f.get(key), theirs_f.get(key), mine_f.get(key));
        let value = if m == b || m == t {
            if t != b {
                merged.push(field_label(key));
            }
            t
        } else if t == b {
            m
        } else {
            conflicts.push(field_label(key));
            m
        };
        if let Some(v) = value {
            out.insert(key.clone(), v.clone());
        }
    }
    if !conflicts.is_empty() {
        return EditMerge::Conflict(conflicts);
    }
    match serde_json::from_value::<CalendarEntry>(Value::Object(out)) {
        Ok(entry) => EditMerge::Clean {
            entry: Box::new(entry),
            merged,
        },
        // Each field came whole from one valid entry, so this cannot fail; if it ever did, the
        // user decides instead of a silent overwrite.
        Err(_) => EditMerge::Conflict(merged),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::date::Date;

    fn entry() -> CalendarEntry {
        CalendarEntry {
            entry_id: 4,
            title: "Launch post".into(),
            channel: "Blog".into(),
            campaign: "Spring".into(),
            publish_date: Date::parse("2026-03-02").expect("a date"),
            destination_url: String::new(),
            cost: Some(500.0),
            creator: "Ana".into(),
            notes: String::new(),
            predicted: Vec::new(),
            kind: "Blog post".into(),
            topics: vec!["launch".into()],
            length: None,
            publish_hour: Some(9),
            frozen_prediction: None,
        }
    }

    #[test]
    fn nobody_else_changed_it_saves_the_form() {
        let base = entry();
        let mut mine = entry();
        mine.title = "Launch post (v2)".into();
        assert_eq!(
            merge_edit(&base, &base, mine.clone()),
            EditMerge::Clean {
                entry: Box::new(mine),
                merged: vec![]
            }
        );
    }

    #[test]
    fn another_tabs_change_to_another_field_is_kept() {
        let base = entry();
        let mut theirs = entry();
        theirs.cost = Some(800.0);
        let mut mine = entry();
        mine.title = "Launch post (v2)".into();
        let EditMerge::Clean { entry, merged } = merge_edit(&base, &theirs, mine) else {
            panic!("expected a clean merge");
        };
        assert_eq!(
            entry.cost,
            Some(800.0),
            "the other tab's cost is not undone"
        );
        assert_eq!(entry.title, "Launch post (v2)");
        assert_eq!(merged, vec!["Planned cost".to_owned()]);
    }

    #[test]
    fn the_same_field_changed_differently_is_a_conflict() {
        let base = entry();
        let mut theirs = entry();
        theirs.cost = Some(800.0);
        let mut mine = entry();
        mine.cost = Some(450.0);
        assert_eq!(
            merge_edit(&base, &theirs, mine),
            EditMerge::Conflict(vec!["Planned cost".to_owned()])
        );
    }

    #[test]
    fn the_same_change_in_both_is_no_conflict() {
        let base = entry();
        let mut theirs = entry();
        theirs.creator = "Bo".into();
        let mut mine = entry();
        mine.creator = "Bo".into();
        let EditMerge::Clean { entry, .. } = merge_edit(&base, &theirs, mine) else {
            panic!("expected a clean merge");
        };
        assert_eq!(entry.creator, "Bo");
    }

    #[test]
    fn labels_read_as_words() {
        assert_eq!(field_label("publish_date"), "Publish date");
        assert_eq!(field_label("artifact_type"), "Artifact type");
    }
}
