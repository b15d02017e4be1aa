//! UTM link building and governance: the tagged URL of a calendar entry, and what is wrong with it.
//!
//! A calendar entry's link carries (in this order, after the destination's own parameters):
//! `utm_source`, `utm_medium`, `utm_campaign`, `utm_term` (optional), `utm_content=cal-<id>`,
//! `utm_id` (optional). Source and medium come from the entry's channel through an editable
//! mapping ([`default_channel_mapping`]); the campaign is the [`slug`] of the campaign name.
//!
//! The destination keeps its scheme, host, path, other query parameters (verbatim, in order) and
//! fragment; stale `utm_*` parameters (any case) are dropped and replaced. Values are
//! percent-encoded: only the unreserved characters `A–Z a–z 0–9 - . _ ~` stay as they are
//! (RFC 3986 §2.3), so a value always survives any decoder intact.
//!
//! Governance ([`check`]) reports, without changing anything: uppercase letters or spaces in a
//! value (GA4 and most tools treat `LinkedIn` and `linkedin` as two sources), a missing campaign,
//! parameters repeated in the destination, a destination that is not http(s), and a campaign name
//! already used by another entry with different capitalisation.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::journey::EntryId;
use crate::percent::{percent_decode, percent_encode};

/// A channel's `utm_source` and `utm_medium`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelUtm {
    pub channel: String,
    pub source: String,
    pub medium: String,
}

/// Sensible defaults for the built-in channels (editable in the app's settings).
pub fn default_channel_mapping() -> Vec<ChannelUtm> {
    [
        ("Blog / organic", "blog", "organic"),
        ("LinkedIn", "linkedin", "social"),
        ("Twitter/X", "twitter", "social"),
        ("Facebook", "facebook", "social"),
        ("Instagram", "instagram", "social"),
        ("Email newsletter", "newsletter", "email"),
        ("Google Ads", "google", "cpc"),
        ("Meta Ads", "facebook", "paid_social"),
        ("LinkedIn Ads", "linkedin", "paid_social"),
        ("Webinar", "webinar", "event"),
        ("Podcast", "podcast", "audio"),
        ("YouTube", "youtube", "video"),
    ]
    .into_iter()
    .map(|(channel, source, medium)| ChannelUtm {
        channel: channel.to_owned(),
        source: source.to_owned(),
        medium: medium.to_owned(),
    })
    .collect()
}

/// The mapping row for `channel` (case-insensitive); a channel without one gets its own slug as
/// source and `referral` as medium.
pub fn utm_for_channel(mapping: &[ChannelUtm], channel: &str) -> ChannelUtm {
    mapping
        .iter()
        .find(|m| m.channel.trim().eq_ignore_ascii_case(channel.trim()))
        .cloned()
        .unwrap_or_else(|| ChannelUtm {
            channel: channel.to_owned(),
            source: slug(channel),
            medium: "referral".to_owned(),
        })
}

/// Lowercase; every run of characters that are not ASCII letters or digits becomes one `-`;
/// leading and trailing `-` trimmed. `"Q2-2025-Brand"` → `"q2-2025-brand"`,
/// `"  Spring  Webinar: Series!"` → `"spring-webinar-series"`. Non-ASCII letters are kept
/// (lowercased) so that names in other scripts do not vanish.
pub fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending_dash = false;
    for ch in name.chars() {
        if ch.is_alphanumeric() {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.extend(ch.to_lowercase());
        } else {
            pending_dash = true;
        }
    }
    out
}

/// The UTM parameters of one link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UtmParams {
    pub source: String,
    pub medium: String,
    pub campaign: String,
    pub content: String,
    pub term: Option<String>,
    pub id: Option<String>,
}

impl UtmParams {
    /// The parameters of calendar entry `entry` on `channel` in `campaign_name`.
    pub fn for_entry(
        mapping: &[ChannelUtm],
        entry: EntryId,
        channel: &str,
        campaign_name: &str,
    ) -> Self {
        let c = utm_for_channel(mapping, channel);
        UtmParams {
            source: c.source,
            medium: c.medium,
            campaign: slug(campaign_name),
            content: format!("cal-{entry}"),
            term: None,
            id: None,
        }
    }

    /// `(name, value)` in link order; empty optional values are left out.
    pub fn pairs(&self) -> Vec<(&'static str, &str)> {
        let mut v = vec![
            ("utm_source", self.source.as_str()),
            ("utm_medium", self.medium.as_str()),
            ("utm_campaign", self.campaign.as_str()),
        ];
        if let Some(t) = self.term.as_deref().filter(|t| !t.is_empty()) {
            v.push(("utm_term", t));
        }
        v.push(("utm_content", self.content.as_str()));
        if let Some(i) = self.id.as_deref().filter(|i| !i.is_empty()) {
            v.push(("utm_id", i));
        }
        v
    }
}

/// A destination that cannot carry a link.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum LinkError {
    #[error("the destination URL is empty")]
    Empty,
    #[error("{0:?} is not a URL: it needs a scheme and a host, like https://example.com/page")]
    NotAUrl(String),
    #[error("a URL cannot contain spaces or control characters: {0:?}")]
    BadCharacter(String),
}

/// A destination split into the parts the builder keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination<'a> {
    /// `scheme://authority/path` (everything before `?` or `#`).
    pub base: &'a str,
    pub scheme: &'a str,
    /// Query pairs as written (not decoded), without the leading `?`.
    pub query: Vec<&'a str>,
    /// The fragment without `#`, if any.
    pub fragment: Option<&'a str>,
}

/// Split a destination URL. It must have a scheme and a non-empty host.
pub fn parse_destination(url: &str) -> Result<Destination<'_>, LinkError> {
    let url = url.trim();
    if url.is_empty() {
        return Err(LinkError::Empty);
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(LinkError::BadCharacter(url.to_owned()));
    }
    let (before_fragment, fragment) = match url.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (url, None),
    };
    let (base, query) = match before_fragment.split_once('?') {
        Some((b, q)) => (b, q),
        None => (before_fragment, ""),
    };
    let Some((scheme, rest)) = base.split_once("://") else {
        return Err(LinkError::NotAUrl(url.to_owned()));
    };
    let scheme_ok = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if !scheme_ok || host.is_empty() {
        return Err(LinkError::NotAUrl(url.to_owned()));
    }
    Ok(Destination {
        base,
        scheme,
        query: query.split('&').filter(|p| !p.is_empty()).collect(),
        fragment,
    })
}

/// Whether a raw query pair's name is a `utm_*` parameter (any case, percent-decoded).
fn is_utm(pair: &str) -> bool {
    let name = pair.split('=').next().unwrap_or("");
    percent_decode(name)
        .to_ascii_lowercase()
        .starts_with("utm_")
}

/// The tagged link: the destination with its stale `utm_*` parameters replaced by `params`.
pub fn build_url(destination: &str, params: &UtmParams) -> Result<String, LinkError> {
    let d = parse_destination(destination)?;
    let mut out = String::with_capacity(destination.len() + 96);
    out.push_str(d.base);
    let mut sep = '?';
    for pair in d.query.iter().filter(|p| !is_utm(p)) {
        out.push(sep);
        out.push_str(pair);
        sep = '&';
    }
    for (name, value) in params.pairs() {
        out.push(sep);
        out.push_str(name);
        out.push('=');
        out.push_str(&percent_encode(value));
        sep = '&';
    }
    if let Some(f) = d.fragment {
        out.push('#');
        out.push_str(f);
    }
    Ok(out)
}

/// Something worth fixing in a link; none of these stop it from working.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Warning {
    /// Uppercase letters: most analytics tools are case-sensitive, so `LinkedIn` and `linkedin`
    /// become two sources.
    Uppercase { parameter: String, value: String },
    /// Spaces (encoded as `%20`), which break reports and copy-paste.
    Spaces { parameter: String, value: String },
    /// No campaign: the visit cannot be grouped with its campaign.
    MissingCampaign,
    /// A parameter appears more than once in the destination; tools keep only one of them.
    DuplicateParameter { parameter: String },
    /// The destination is not http(s) (e.g. `ftp:` or `mailto`-like schemes).
    NotHttp { scheme: String },
    /// Another entry uses the same campaign name with different capitalisation.
    CampaignCase { campaign: String, other: String },
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Warning::Uppercase { parameter, value } => write!(
                f,
                "{parameter} \"{value}\" has uppercase letters; analytics tools count \"{value}\" and \"{}\" as different values",
                value.to_lowercase()
            ),
            Warning::Spaces { parameter, value } => write!(
                f,
                "{parameter} \"{value}\" contains spaces; use - instead"
            ),
            Warning::MissingCampaign => write!(f, "utm_campaign is empty; give the entry a campaign"),
            Warning::DuplicateParameter { parameter } => write!(
                f,
                "the destination has {parameter} more than once; tools read only one of them"
            ),
            Warning::NotHttp { scheme } => write!(
                f,
                "the destination uses {scheme}:, not http or https; browsers and analytics may not track it"
            ),
            Warning::CampaignCase { campaign, other } => write!(
                f,
                "campaign \"{campaign}\" is also used as \"{other}\"; pick one spelling so reports do not split it"
            ),
        }
    }
}

/// Governance warnings for a link. `campaign_name` is the entry's campaign as typed;
/// `other_campaigns` are the campaign names of the workspace's other entries.
pub fn check(
    destination: &str,
    params: &UtmParams,
    campaign_name: &str,
    other_campaigns: &[&str],
) -> Vec<Warning> {
    let mut warnings = Vec::new();
    for (parameter, value) in params.pairs() {
        if value.chars().any(char::is_uppercase) {
            warnings.push(Warning::Uppercase {
                parameter: parameter.to_owned(),
                value: value.to_owned(),
            });
        }
        if value.contains(' ') {
            warnings.push(Warning::Spaces {
                parameter: parameter.to_owned(),
                value: value.to_owned(),
            });
        }
    }
    if params.campaign.trim().is_empty() {
        warnings.push(Warning::MissingCampaign);
    }
    if let Ok(d) = parse_destination(destination) {
        let mut seen: Vec<String> = Vec::new();
        let mut reported: Vec<String> = Vec::new();
        for pair in &d.query {
            let name = percent_decode(pair.split('=').next().unwrap_or("")).to_ascii_lowercase();
            if seen.contains(&name) && !reported.contains(&name) {
                warnings.push(Warning::DuplicateParameter {
                    parameter: name.clone(),
                });
                reported.push(name.clone());
            }
            seen.push(name);
        }
        if !d.scheme.eq_ignore_ascii_case("http") && !d.scheme.eq_ignore_ascii_case("https") {
            warnings.push(Warning::NotHttp {
                scheme: d.scheme.to_owned(),
            });
        }
    }
    let mine = campaign_name.trim();
    if let Some(other) = other_campaigns
        .iter()
        .map(|c| c.trim())
        .find(|c| c.eq_ignore_ascii_case(mine) && *c != mine)
    {
        warnings.push(Warning::CampaignCase {
            campaign: mine.to_owned(),
            other: other.to_owned(),
        });
    }
    warnings
}
