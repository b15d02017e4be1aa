//! The editable channel → `utm_source`/`utm_medium` mapping of Settings (issue 5), as pure edits
//! on [`Settings::channel_mapping`](super::workspace::Settings).
//!
//! The table shows one row per channel: the built-in channels with the engine's defaults
//! ([`refleqt_engine::links::default_channel_mapping`]), then every other channel the workspace
//! uses (a channel without a row gets its slug as source and `referral` as medium, exactly as the
//! engine's [`utm_for_channel`] does). An edit is validated before it is stored: values are
//! trimmed, must not be empty, at most [`MAX_VALUE_CHARS`] characters, and contain no spaces
//! (analytics tools split `social media` and `social-media`); governance warnings on the link
//! builder still flag uppercase letters.

use refleqt_engine::links::{default_channel_mapping, utm_for_channel, ChannelUtm};
use thiserror::Error;

/// The longest source or medium accepted.
pub const MAX_VALUE_CHARS: usize = 100;

/// Why an edit of the mapping was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MappingError {
    #[error("enter a utm_{0} for this channel (for example \"linkedin\" or \"social\")")]
    Empty(&'static str),
    #[error("utm_{0} cannot contain spaces; use - instead")]
    Spaces(&'static str),
    #[error("utm_{0} is too long (at most {MAX_VALUE_CHARS} characters)")]
    TooLong(&'static str),
    #[error("the channel name is empty")]
    NoChannel,
}

fn clean(value: &str, what: &'static str) -> Result<String, MappingError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(MappingError::Empty(what));
    }
    if v.chars().any(char::is_whitespace) {
        return Err(MappingError::Spaces(what));
    }
    if v.chars().count() > MAX_VALUE_CHARS {
        return Err(MappingError::TooLong(what));
    }
    Ok(v.to_owned())
}

/// The rows to show: the stored rows, then a row for every channel in `used` that has none (with
/// what the engine would use for it), in that order.
pub fn table_rows(mapping: &[ChannelUtm], used: &[String]) -> Vec<ChannelUtm> {
    let mut rows = mapping.to_vec();
    for channel in used {
        let known = rows
            .iter()
            .any(|r| r.channel.trim().eq_ignore_ascii_case(channel.trim()));
        if !known && !channel.trim().is_empty() {
            rows.push(utm_for_channel(mapping, channel));
        }
    }
    rows
}

/// Set `channel`'s source and medium (adding a row when it has none). Nothing changes on error.
pub fn set_channel(
    mapping: &mut Vec<ChannelUtm>,
    channel: &str,
    source: &str,
    medium: &str,
) -> Result<(), MappingError> {
    let channel = channel.trim();
    if channel.is_empty() {
        return Err(MappingError::NoChannel);
    }
    let source = clean(source, "source")?;
    let medium = clean(medium, "medium")?;
    match mapping
        .iter_mut()
        .find(|r| r.channel.trim().eq_ignore_ascii_case(channel))
    {
        Some(row) => {
            row.source = source;
            row.medium = medium;
        }
        None => mapping.push(ChannelUtm {
            channel: channel.to_owned(),
            source,
            medium,
        }),
    }
    Ok(())
}

/// Put back the engine's defaults (custom channels' rows are removed: they fall back to their
/// slug and `referral`).
pub fn reset(mapping: &mut Vec<ChannelUtm>) {
    *mapping = default_channel_mapping();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_change_one_channel_and_are_validated() {
        let mut m = default_channel_mapping();
        assert_eq!(set_channel(&mut m, "linkedin", " li ", "social"), Ok(()));
        let row = utm_for_channel(&m, "LinkedIn");
        assert_eq!((row.source.as_str(), row.medium.as_str()), ("li", "social"));
        assert_eq!(m.len(), default_channel_mapping().len());
        let before = m.clone();
        assert_eq!(
            set_channel(&mut m, "LinkedIn", "", "social"),
            Err(MappingError::Empty("source"))
        );
        assert_eq!(
            set_channel(&mut m, "LinkedIn", "li", "social media"),
            Err(MappingError::Spaces("medium"))
        );
        assert_eq!(
            set_channel(&mut m, "LinkedIn", &"x".repeat(101), "social"),
            Err(MappingError::TooLong("source"))
        );
        assert_eq!(
            set_channel(&mut m, " ", "a", "b"),
            Err(MappingError::NoChannel)
        );
        assert_eq!(m, before);
        for e in [MappingError::Empty("source"), MappingError::NoChannel] {
            assert!(!e.to_string().is_empty());
        }
    }

    #[test]
    fn custom_channels_get_a_row_and_reset_restores_the_defaults() {
        let mut m = default_channel_mapping();
        let used = vec!["LinkedIn".to_owned(), "Partner Newsletter".to_owned()];
        let rows = table_rows(&m, &used);
        assert_eq!(rows.len(), m.len() + 1);
        let last = rows.last().cloned();
        assert_eq!(
            last.map(|r| (r.source, r.medium)),
            Some(("partner-newsletter".to_owned(), "referral".to_owned()))
        );
        assert_eq!(
            set_channel(&mut m, "Partner Newsletter", "partner", "email"),
            Ok(())
        );
        assert_eq!(table_rows(&m, &used).len(), m.len());
        assert_eq!(utm_for_channel(&m, "partner newsletter").medium, "email");
        reset(&mut m);
        assert_eq!(m, default_channel_mapping());
    }
}
