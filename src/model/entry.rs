//! Calendar entries (the artifacts: a blog post, an email, an ad) and the parsing of the entry
//! form into a validated [`EntryDraft`] ("parse, don't validate": a draft cannot be invalid).
//!
//! An entry's id is a stable integer that never changes nor gets reused; it becomes the link tag
//! `utm_content=cal-<id>` that later maps analytics rows back to the entry.

use super::date::{Date, DateError};
use super::metric::{MetricKind, ValueError};
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

/// One forecast value of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Predicted {
    pub metric: MetricKind,
    pub value: f64,
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
        }
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
                }),
                Ok(None) => {}
                Err(e) => errors.push((Field::Predicted(*metric), e.into())),
            }
        }
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
            }),
            _ => Err(EntryErrors(errors)),
        }
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
