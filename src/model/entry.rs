//! Calendar entries (the artifacts: a blog post, an email, an ad) and the parsing of the entry
//! form into a validated [`EntryDraft`] ("parse, don't validate": a draft cannot be invalid).
//!
//! An entry's id is a stable integer that never changes nor gets reused; it becomes the link tag
//! `utm_content=cal-<id>` that later maps analytics rows back to the entry.

use super::date::{Date, DateError};
use super::metric::{parse_number_in, MetricKind, ValueError};
use super::prediction::FrozenPrediction;
pub use refleqt_engine::artifact::BUILTIN_KINDS;
use refleqt_engine::number::DecimalMark;
use refleqt_engine::EntryId;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Channels offered in the form; any other non-empty name is a custom channel.
pub const BUILTIN_CHANNELS: [&str; 13] = [
    "Blog / organic",
    "LinkedIn",
    "Twitter/X",
    "Facebook",
    "Instagram",
    "Email newsletter",
    "Google Ads",
    "Meta Ads",
    "LinkedIn Ads",
    "Webinar",
    "Podcast",
    "YouTube",
    "SEO / organic search",
];

/// The form's channel choice that reveals the custom channel field.
pub const CUSTOM_CHANNEL: &str = "__custom__";

/// Predicted metrics the form asks for (the forecast the plan was made with).
pub const PREDICTED_METRICS: [MetricKind; 3] = [
    MetricKind::Pageviews,
    MetricKind::Signups,
    MetricKind::Revenue,
];

const MAX_TITLE: usize = 200;
const MAX_SHORT: usize = 100;
const MAX_URL: usize = 2000;
const MAX_NOTES: usize = 5000;
/// At most this many topic tags, each at most [`MAX_SHORT`] characters.
pub const MAX_TOPICS: usize = 10;

/// One forecast value of an entry (typed in, or imported from a planning tool with an optional
/// range, see `model::prediction::parse_prediction_import`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Predicted {
    pub metric: MetricKind,
    pub value: f64,
    /// An imported range around `value`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<(f64, f64)>,
}

/// A planned or published artifact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalendarEntry {
    pub entry_id: EntryId,
    pub title: String,
    pub channel: String,
    /// Empty when the entry belongs to no campaign.
    #[serde(default)]
    pub campaign: String,
    pub publish_date: Date,
    /// Empty when none; otherwise an `http(s)://` address.
    #[serde(default)]
    pub destination_url: String,
    /// The planned cost; a recorded `cost` metric takes precedence for ROI.
    #[serde(default)]
    pub cost: Option<f64>,
    #[serde(default)]
    pub creator: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub predicted: Vec<Predicted>,
    /// Artifact type ("Blog post", "Email", … from `refleqt_engine::artifact::BUILTIN_KINDS`, or
    /// any other name); empty when not set.
    #[serde(default)]
    pub kind: String,
    /// Topic tags, lower case, without duplicates.
    #[serde(default)]
    pub topics: Vec<String>,
    /// Length in the unit of its type (words for text, seconds for video), when set.
    #[serde(default)]
    pub length: Option<f64>,
    /// Publish hour 0–23 (local), when set.
    #[serde(default)]
    pub publish_hour: Option<u8>,
    /// The prediction stored when the entry was published (`model::learning`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frozen_prediction: Option<FrozenPrediction>,
}

impl CalendarEntry {
    /// `cal-<id>`, the `utm_content` value of this entry's links.
    pub fn utm_content(&self) -> String {
        format!("cal-{}", self.entry_id)
    }

    /// This entry with an id, from a validated draft.
    pub fn from_draft(entry_id: EntryId, draft: EntryDraft) -> CalendarEntry {
        CalendarEntry {
            entry_id,
            title: draft.title,
            channel: draft.channel,
            campaign: draft.campaign,
            publish_date: draft.publish_date,
            destination_url: draft.destination_url,
            cost: draft.cost,
            creator: draft.creator,
            notes: draft.notes,
            predicted: draft.predicted,
            kind: draft.kind,
            topics: draft.topics,
            length: draft.length,
            publish_hour: draft.publish_hour,
            frozen_prediction: None,
        }
    }

    /// `draft` applied to this entry: the form's fields replaced, what the form does not edit (the
    /// prediction frozen at publication) kept.
    pub fn edited(&self, draft: EntryDraft) -> CalendarEntry {
        let mut e = CalendarEntry {
            frozen_prediction: self.frozen_prediction.clone(),
            ..CalendarEntry::from_draft(self.entry_id, draft)
        };
        // An imported range stays while its value is unchanged; imported metrics the form does
        // not show stay as they are.
        for p in &mut e.predicted {
            p.range = self
                .predicted
                .iter()
                .find(|o| o.metric == p.metric && o.value == p.value)
                .and_then(|o| o.range);
        }
        for old in &self.predicted {
            if !PREDICTED_METRICS.contains(&old.metric) {
                e.predicted.push(*old);
            }
        }
        e
    }

    /// The imported range of `metric`'s prediction, if it came with one.
    pub fn predicted_range(&self, metric: MetricKind) -> Option<(f64, f64)> {
        self.predicted
            .iter()
            .find(|p| p.metric == metric)
            .and_then(|p| p.range)
    }

    /// The predicted value of `metric`, if the plan had one.
    pub fn predicted_value(&self, metric: MetricKind) -> Option<f64> {
        self.predicted
            .iter()
            .find(|p| p.metric == metric)
            .map(|p| p.value)
    }

    /// Check an entry that came from outside (an imported or stored file) as the form would.
    pub fn check(&self) -> Result<(), EntryError> {
        // Written and read back with the same mark, so any mark checks the same values.
        let form = EntryForm::from_entry(self, DecimalMark::Point);
        form.parse().map(|_| ()).map_err(|errors| {
            errors
                .0
                .into_iter()
                .next()
                .map(|(_, e)| e)
                .unwrap_or(EntryError::TitleEmpty)
        })
    }
}

/// A form field of the entry form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Title,
    Channel,
    Campaign,
    PublishDate,
    DestinationUrl,
    Cost,
    Creator,
    Notes,
    Predicted(MetricKind),
    Kind,
    Topics,
    Length,
    PublishHour,
}

/// Why a field of the entry form was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EntryError {
    #[error("enter a title")]
    TitleEmpty,
    #[error("choose a channel, or type the name of a custom channel")]
    ChannelEmpty,
    #[error("at most {0} characters")]
    TooLong(usize),
    #[error("{0}")]
    Date(#[from] DateError),
    #[error(
        "enter a full web address starting with https://, e.g. https://example.com/blog/launch"
    )]
    Url,
    #[error("{0}")]
    Value(#[from] ValueError),
    #[error("enter a time of day such as 09:30, or leave it empty")]
    Hour,
    #[error("at most {MAX_TOPICS} topics, separated by commas")]
    TooManyTopics,
    #[error(
        "enter the length as a number above 0 (words, or seconds for a video), or leave it empty"
    )]
    Length,
}

/// Every refused field with its reason, in form order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EntryErrors(pub Vec<(Field, EntryError)>);

impl EntryErrors {
    /// The reason `field` was refused, if it was.
    pub fn get(&self, field: Field) -> Option<&EntryError> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, e)| e)
    }
}

/// A valid entry without its id.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryDraft {
    pub title: String,
    pub channel: String,
    pub campaign: String,
    pub publish_date: Date,
    pub destination_url: String,
    pub cost: Option<f64>,
    pub creator: String,
    pub notes: String,
    pub predicted: Vec<Predicted>,
    pub kind: String,
    pub topics: Vec<String>,
    pub length: Option<f64>,
    pub publish_hour: Option<u8>,
}

/// What the entry form holds: the text of every field, exactly as typed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EntryForm {
    pub title: String,
    /// A name from [`BUILTIN_CHANNELS`] or [`CUSTOM_CHANNEL`].
    pub channel_choice: String,
    pub custom_channel: String,
    pub campaign: String,
    pub publish_date: String,
    pub destination_url: String,
    pub cost: String,
    pub creator: String,
    pub notes: String,
    /// Text per [`PREDICTED_METRICS`] item, same order.
    pub predicted: [String; 3],
    /// How the numbers (cost, predictions) are written: the workspace's number format.
    pub decimal_mark: DecimalMark,
    /// Artifact type.
    pub kind: String,
    /// Topic tags separated by commas.
    pub topics: String,
    pub length: String,
    /// `HH:MM` (or `HH`), empty when not set.
    pub publish_time: String,
}

impl EntryForm {
    /// A form showing an existing entry, its numbers written with `decimal_mark`.
    pub fn from_entry(entry: &CalendarEntry, decimal_mark: DecimalMark) -> EntryForm {
        let builtin = BUILTIN_CHANNELS.contains(&entry.channel.as_str());
        EntryForm {
            title: entry.title.clone(),
            channel_choice: if builtin {
                entry.channel.clone()
            } else {
                CUSTOM_CHANNEL.to_owned()
            },
            custom_channel: if builtin {
                String::new()
            } else {
                entry.channel.clone()
            },
            campaign: entry.campaign.clone(),
            publish_date: entry.publish_date.to_string(),
            destination_url: entry.destination_url.clone(),
            cost: entry
                .cost
                .map(|c| MetricKind::Cost.format_input_in(c, decimal_mark))
                .unwrap_or_default(),
            creator: entry.creator.clone(),
            notes: entry.notes.clone(),
            predicted: PREDICTED_METRICS.map(|m| {
                entry
                    .predicted_value(m)
                    .map(|v| m.format_input_in(v, decimal_mark))
                    .unwrap_or_default()
            }),
            decimal_mark,
            kind: entry.kind.clone(),
            topics: entry.topics.join(", "),
            length: entry
                .length
                .map(|l| MetricKind::Pageviews.format_input_in(l, decimal_mark))
                .unwrap_or_default(),
            publish_time: entry
                .publish_hour
                .map(|h| format!("{h:02}:00"))
                .unwrap_or_default(),
        }
    }

    /// The channel name the form describes (trimmed; may be empty).
    pub fn channel(&self) -> String {
        if self.channel_choice == CUSTOM_CHANNEL {
            self.custom_channel.trim().to_owned()
        } else {
            self.channel_choice.trim().to_owned()
        }
    }

    /// Validate every field; all refusals are reported at once.
    pub fn parse(&self) -> Result<EntryDraft, EntryErrors> {
        let mut errors = Vec::new();
        let mut text = |field: Field, value: &str, max: usize, required: Option<EntryError>| {
            let value = value.trim();
            if value.is_empty() {
                if let Some(e) = required {
                    errors.push((field, e));
                }
            } else if value.chars().count() > max {
                errors.push((field, EntryError::TooLong(max)));
            }
            value.to_owned()
        };
        let title = text(
            Field::Title,
            &self.title,
            MAX_TITLE,
            Some(EntryError::TitleEmpty),
        );
        let channel = text(
            Field::Channel,
            &self.channel(),
            MAX_SHORT,
            Some(EntryError::ChannelEmpty),
        );
        let campaign = text(Field::Campaign, &self.campaign, MAX_SHORT, None);
        let creator = text(Field::Creator, &self.creator, MAX_SHORT, None);
        let kind = text(Field::Kind, &self.kind, MAX_SHORT, None);
        // Notes keep their inner line breaks; only the ends are trimmed.
        let notes = text(Field::Notes, &self.notes, MAX_NOTES, None);
        let destination_url = text(Field::DestinationUrl, &self.destination_url, MAX_URL, None);
        if !destination_url.is_empty() && !is_web_address(&destination_url) {
            errors.push((Field::DestinationUrl, EntryError::Url));
        }
        let publish_date = match Date::parse(&self.publish_date) {
            Ok(d) => Some(d),
            Err(e) => {
                errors.push((Field::PublishDate, e.into()));
                None
            }
        };
        let cost = match MetricKind::Cost.parse_value_in(&self.cost, self.decimal_mark) {
            Ok(c) => c,
            Err(e) => {
                errors.push((Field::Cost, e.into()));
                None
            }
        };
        let mut predicted = Vec::new();
        for (metric, text) in PREDICTED_METRICS.iter().zip(&self.predicted) {
            match metric.parse_value_in(text, self.decimal_mark) {
                Ok(Some(value)) => predicted.push(Predicted {
                    metric: *metric,
                    value,
                    range: None,
                }),
                Ok(None) => {}
                Err(e) => errors.push((Field::Predicted(*metric), e.into())),
            }
        }
        let topics = parse_topics(&self.topics).unwrap_or_else(|e| {
            errors.push((Field::Topics, e));
            Vec::new()
        });
        let length = match self.length.trim() {
            "" => None,
            t => match parse_number_in(t, self.decimal_mark) {
                Ok(l) if l > 0.0 && l.is_finite() => Some(l),
                _ => {
                    errors.push((Field::Length, EntryError::Length));
                    None
                }
            },
        };
        let publish_hour = parse_hour(&self.publish_time).unwrap_or_else(|e| {
            errors.push((Field::PublishHour, e));
            None
        });
        match publish_date {
            Some(publish_date) if errors.is_empty() => Ok(EntryDraft {
                title,
                channel,
                campaign,
                publish_date,
                destination_url,
                cost,
                creator,
                notes,
                predicted,
                kind,
                topics,
                length,
                publish_hour,
            }),
            _ => Err(EntryErrors(errors)),
        }
    }
}

/// Comma-separated tags → lower-case, trimmed, without empties or duplicates (first order kept).
pub fn parse_topics(text: &str) -> Result<Vec<String>, EntryError> {
    let mut topics: Vec<String> = Vec::new();
    for t in text.split(',') {
        let t = t.trim().to_lowercase();
        if t.is_empty() || topics.contains(&t) {
            continue;
        }
        if t.chars().count() > MAX_SHORT {
            return Err(EntryError::TooLong(MAX_SHORT));
        }
        topics.push(t);
    }
    if topics.len() > MAX_TOPICS {
        return Err(EntryError::TooManyTopics);
    }
    Ok(topics)
}

/// `HH:MM`, `H:MM` or `HH` → the hour 0–23; empty → none.
pub fn parse_hour(text: &str) -> Result<Option<u8>, EntryError> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let (h, m) = t.split_once(':').unwrap_or((t, "00"));
    let m_ok = m.len() == 2 && m.parse::<u8>().is_ok_and(|m| m < 60);
    let h_ok = (1..=2).contains(&h.len()) && h.bytes().all(|b| b.is_ascii_digit());
    match h.parse::<u8>() {
        Ok(h) if h < 24 && h_ok && m_ok => Ok(Some(h)),
        _ => Err(EntryError::Hour),
    }
}

/// `http://` or `https://`, a host name with a dot (or `localhost`), an optional port, and
/// nothing that is not allowed in an address (spaces, control characters).
pub fn is_web_address(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let Some(rest) = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
    else {
        return false;
    };
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let (host, port) = match host_port.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (host_port, None),
    };
    if let Some(p) = port {
        if p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
    }
    let labels_ok = host.split('.').all(|label| {
        !label.is_empty()
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
    });
    labels_ok && (host.contains('.') || host == "localhost")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> EntryForm {
        EntryForm {
            title: "Q1 Product Launch Blog".into(),
            channel_choice: "Blog / organic".into(),
            campaign: "Q1 Product Launch".into(),
            publish_date: "2025-03-14".into(),
            destination_url: "https://example.com/blog/launch".into(),
            cost: "$150".into(),
            ..EntryForm::default()
        }
    }

    fn refused(f: EntryForm) -> EntryErrors {
        match f.parse() {
            Ok(d) => panic!("accepted {d:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn a_complete_form_parses() {
        let draft = form().parse().unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(draft.title, "Q1 Product Launch Blog");
        assert_eq!(draft.channel, "Blog / organic");
        assert_eq!(draft.cost, Some(150.0));
        assert_eq!(draft.publish_date.to_string(), "2025-03-14");
        let entry = CalendarEntry::from_draft(7, draft);
        assert_eq!(entry.utm_content(), "cal-7");
        assert_eq!(
            EntryForm::from_entry(&entry, DecimalMark::Point)
                .parse()
                .map(|d| d.title),
            Ok(entry.title.clone())
        );
        assert_eq!(entry.check(), Ok(()));
    }

    #[test]
    fn numbers_follow_the_workspace_number_format() {
        let comma = EntryForm {
            cost: "1.250,5".into(),
            predicted: ["2.847".into(), String::new(), "12,5".into()],
            decimal_mark: DecimalMark::Comma,
            ..form()
        };
        let draft = comma.parse().unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(draft.cost, Some(1250.5));
        let entry = CalendarEntry::from_draft(3, draft);
        assert_eq!(entry.predicted_value(PREDICTED_METRICS[0]), Some(2847.0));
        assert_eq!(entry.predicted_value(PREDICTED_METRICS[2]), Some(12.5));
        // Shown again in the same format, it reads back to the same values.
        let again = EntryForm::from_entry(&entry, DecimalMark::Comma);
        assert_eq!(again.cost, "1.250,50");
        assert_eq!(again.parse().map(|d| d.cost), Ok(Some(1250.5)));
        // The same text under a decimal point is refused, not misread.
        let point = EntryForm {
            decimal_mark: DecimalMark::Point,
            ..comma
        };
        assert!(point.parse().is_err());
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let errors = refused(EntryForm {
            title: "   ".into(),
            destination_url: "example.com/launch".into(),
            cost: "-150".into(),
            publish_date: "2025-02-30".into(),
            ..form()
        });
        assert_eq!(errors.get(Field::Title), Some(&EntryError::TitleEmpty));
        assert_eq!(errors.get(Field::DestinationUrl), Some(&EntryError::Url));
        assert_eq!(
            errors.get(Field::Cost),
            Some(&EntryError::Value(ValueError::Negative))
        );
        assert!(matches!(
            errors.get(Field::PublishDate),
            Some(EntryError::Date(DateError::Day { .. }))
        ));
        assert_eq!(errors.get(Field::Channel), None);
        assert_eq!(errors.0.len(), 4);
    }

    #[test]
    fn custom_channels_and_optional_fields() {
        let draft = EntryForm {
            channel_choice: CUSTOM_CHANNEL.into(),
            custom_channel: "  Partner newsletter ".into(),
            destination_url: String::new(),
            cost: String::new(),
            predicted: ["5,000".into(), "".into(), "$1,000".into()],
            ..form()
        }
        .parse()
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(draft.channel, "Partner newsletter");
        assert_eq!(draft.cost, None);
        assert_eq!(draft.destination_url, "");
        assert_eq!(draft.predicted.len(), 2);
        let errors = refused(EntryForm {
            channel_choice: CUSTOM_CHANNEL.into(),
            custom_channel: " ".into(),
            predicted: ["lots".into(), "".into(), "".into()],
            ..form()
        });
        assert_eq!(errors.get(Field::Channel), Some(&EntryError::ChannelEmpty));
        assert!(errors
            .get(Field::Predicted(MetricKind::Pageviews))
            .is_some());
        let errors = refused(EntryForm {
            title: "x".repeat(201),
            ..form()
        });
        assert_eq!(errors.get(Field::Title), Some(&EntryError::TooLong(200)));
    }

    #[test]
    fn artifact_attributes_parse_and_round_trip() {
        let draft = EntryForm {
            kind: "Video".into(),
            topics: " Pricing, how-to ,pricing,, ".into(),
            length: "1,200".into(),
            publish_time: "09:30".into(),
            ..form()
        }
        .parse()
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(draft.kind, "Video");
        assert_eq!(draft.topics, ["pricing", "how-to"]);
        assert_eq!(draft.length, Some(1200.0));
        assert_eq!(draft.publish_hour, Some(9));
        let entry = CalendarEntry::from_draft(4, draft);
        let again = EntryForm::from_entry(&entry, DecimalMark::Point);
        assert_eq!(again.publish_time, "09:00");
        assert_eq!(again.topics, "pricing, how-to");
        assert_eq!(again.parse().map(|d| d.length), Ok(Some(1200.0)));
        let errors = refused(EntryForm {
            publish_time: "25:00".into(),
            length: "-3".into(),
            topics: (0..11)
                .map(|i| format!("t{i}"))
                .collect::<Vec<_>>()
                .join(","),
            ..form()
        });
        assert_eq!(errors.get(Field::PublishHour), Some(&EntryError::Hour));
        assert_eq!(errors.get(Field::Length), Some(&EntryError::Length));
        assert_eq!(errors.get(Field::Topics), Some(&EntryError::TooManyTopics));
        assert_eq!(parse_hour("7"), Ok(Some(7)));
        assert_eq!(parse_hour("7:5"), Err(EntryError::Hour));
        assert_eq!(parse_hour(""), Ok(None));
    }

    #[test]
    fn entries_without_the_artifact_fields_still_load() {
        let old =
            r#"{"entry_id":3,"title":"Old post","channel":"LinkedIn","publish_date":"2024-05-01"}"#;
        let entry: CalendarEntry = serde_json::from_str(old).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(entry.kind, "");
        assert!(entry.topics.is_empty());
        assert_eq!((entry.length, entry.publish_hour), (None, None));
        assert!(entry.frozen_prediction.is_none());
        assert_eq!(entry.check(), Ok(()));
        // Written back without a frozen prediction, the file has no such key.
        let text = serde_json::to_string(&entry).unwrap_or_else(|e| panic!("{e}"));
        assert!(!text.contains("frozen_prediction"), "{text}");
    }

    #[test]
    fn web_addresses() {
        for ok in [
            "https://example.com",
            "http://example.com/blog/post?utm_source=x#top",
            "https://sub.example.co.uk:8443/a",
            "HTTPS://EXAMPLE.COM",
            "http://localhost:8080/",
            "https://bücher.example/",
        ] {
            assert!(is_web_address(ok), "{ok}");
        }
        for bad in [
            "example.com",
            "ftp://example.com",
            "https://",
            "https://exa mple.com",
            "https://example",
            "https://.com",
            "https://example.com:port/",
            "javascript:alert(1)",
            "https://-bad-.com",
        ] {
            assert!(!is_web_address(bad), "{bad}");
        }
    }
}
