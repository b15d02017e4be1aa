//! Matching imported rows to calendar entries.
//!
//! An entry is described by an [`EntryKey`]: its id, its campaign as typed and its channel. Its
//! expected `utm_source`/`utm_medium` come from the channel through the channel mapping
//! ([`crate::links::utm_for_channel`], the same one the link builder uses), its expected
//! `utm_campaign` is [`slug`] of the campaign.
//!
//! Rules, in order; the first that decides wins:
//! 1. **`cal-<id>`** ([`MatchHow::ContentId`]): the row's `utm_content`, else each of its URLs'
//!    `utm_content` query parameter, read by [`crate::utm`] (case-insensitive, percent-escapes
//!    and surrounding whitespace tolerated). Used when that id is one of the entries; an id that
//!    is not falls through to the next rules and, if they fail too, is the reason reported
//!    ([`Unmatched::UnknownId`]).
//! 2. **campaign + source + medium** ([`MatchHow::CampaignSourceMedium`]): when the row has all
//!    three, the entries whose campaign slug equals the slug of the row's campaign and whose
//!    mapped source and medium equal the row's (trimmed, case-insensitive). Exactly one → match;
//!    several → [`Unmatched::Ambiguous`].
//! 3. For platforms whose rows carry only a campaign (Google Ads, Meta, Mailchimp,
//!    [`Platform::implied_source_medium`](super::Platform::implied_source_medium)):
//!    a. **campaign + implied source/medium** ([`MatchHow::CampaignImplied`]): as rule 2 with
//!    `google`/`cpc`, `facebook`/`paid_social` or `newsletter`/`email` (the row's own source or
//!    medium, if any, take precedence);
//!    b. failing that, **campaign + channel medium** ([`MatchHow::CampaignChannelMedium`]): the one
//!    entry with that campaign whose channel's mapped medium is the implied medium (`cpc`,
//!    `paid_social`, `email`) — for workspaces whose mapping renames the source.
//! 4. Otherwise unmatched: [`Unmatched::UnknownId`] if an id was found, else
//!    [`Unmatched::Ambiguous`] (with the candidates), [`Unmatched::NoCandidate`] (keys present,
//!    no entry has them) or [`Unmatched::NoKey`] (nothing to match on).

use serde::{Deserialize, Serialize};

use super::{ImportedRow, Layout};
use crate::journey::EntryId;
use crate::links::{slug, utm_for_channel, ChannelUtm};
use crate::utm::{entry_id_from_content, entry_id_from_url};

/// A calendar entry as the matcher sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryKey {
    pub entry: EntryId,
    /// The campaign name as typed (compared by its [`slug`]).
    pub campaign: String,
    /// The entry's channel (mapped to source/medium through the channel mapping).
    pub channel: String,
}

/// Which rule matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchHow {
    ContentId,
    CampaignSourceMedium,
    CampaignImplied,
    CampaignChannelMedium,
}

/// Why a row has no entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Unmatched {
    /// The row carries no `cal-<id>` and not enough of campaign, source and medium.
    NoKey,
    /// The row names `cal-<id>` but there is no such entry (and nothing else matched).
    UnknownId { id: EntryId },
    /// Several entries fit the campaign (and source and medium).
    Ambiguous { candidates: Vec<EntryId> },
    /// No entry has this campaign with this source and medium.
    NoCandidate {
        campaign: String,
        source: Option<String>,
        medium: Option<String>,
    },
}

impl std::fmt::Display for Unmatched {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unmatched::NoKey => f.write_str(
                "no cal-<id> in utm_content or URLs, and not enough of campaign, source and medium",
            ),
            Unmatched::UnknownId { id } => write!(f, "cal-{id} is not an entry of this calendar"),
            Unmatched::Ambiguous { candidates } => write!(
                f,
                "several entries fit: {}",
                candidates
                    .iter()
                    .map(|c| format!("#{c}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Unmatched::NoCandidate {
                campaign,
                source,
                medium,
            } => write!(
                f,
                "no entry of campaign {campaign:?} with source {} and medium {}",
                source.as_deref().unwrap_or("(any)"),
                medium.as_deref().unwrap_or("(any)")
            ),
        }
    }
}

/// The outcome for one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Match {
    Entry { entry: EntryId, how: MatchHow },
    Unmatched { reason: Unmatched },
}

impl Match {
    pub fn entry(&self) -> Option<EntryId> {
        match self {
            Match::Entry { entry, .. } => Some(*entry),
            Match::Unmatched { .. } => None,
        }
    }
}

/// Per-row outcomes and a summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchReport {
    /// One per row, in row order.
    pub matches: Vec<Match>,
    /// Matched entries with how many rows each, by entry id.
    pub matched_entries: Vec<(EntryId, usize)>,
    /// Indexes of the unmatched rows.
    pub unmatched_rows: Vec<usize>,
}

impl MatchReport {
    /// The entry of each row (`None` when unmatched), for [`super::imported_values`]; the app
    /// may change any of them (manual assignment in the preview).
    pub fn assignments(&self) -> Vec<Option<EntryId>> {
        self.matches.iter().map(Match::entry).collect()
    }
}

struct Candidate {
    entry: EntryId,
    campaign: String,
    source: String,
    medium: String,
}

/// Entries prepared for matching (slugs and mapped source/medium computed once).
pub struct EntryIndex {
    candidates: Vec<Candidate>,
}

impl EntryIndex {
    pub fn new(entries: &[EntryKey], mapping: &[ChannelUtm]) -> Self {
        EntryIndex {
            candidates: entries
                .iter()
                .map(|e| {
                    let u = utm_for_channel(mapping, &e.channel);
                    Candidate {
                        entry: e.entry,
                        campaign: slug(&e.campaign),
                        source: u.source.trim().to_lowercase(),
                        medium: u.medium.trim().to_lowercase(),
                    }
                })
                .collect(),
        }
    }

    fn has(&self, id: EntryId) -> bool {
        self.candidates.iter().any(|c| c.entry == id)
    }

    fn find(&self, campaign: &str, source: Option<&str>, medium: Option<&str>) -> Vec<EntryId> {
        let campaign = slug(campaign);
        if campaign.is_empty() {
            return Vec::new();
        }
        let source = source.map(|s| s.trim().to_lowercase());
        let medium = medium.map(|m| m.trim().to_lowercase());
        let mut out: Vec<EntryId> = self
            .candidates
            .iter()
            .filter(|c| {
                c.campaign == campaign
                    && source.as_ref().is_none_or(|s| *s == c.source)
                    && medium.as_ref().is_none_or(|m| *m == c.medium)
            })
            .map(|c| c.entry)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Match one row (see the module documentation).
    pub fn match_row(&self, layout: Layout, row: &ImportedRow) -> Match {
        let k = &row.keys;
        let id = k
            .utm_content
            .as_deref()
            .and_then(entry_id_from_content)
            .or_else(|| k.urls.iter().find_map(|u| entry_id_from_url(u)));
        if let Some(id) = id.filter(|&id| self.has(id)) {
            return Match::Entry {
                entry: id,
                how: MatchHow::ContentId,
            };
        }
        let mut failure: Option<Unmatched> = None;
        let decide = |failure: &mut Option<Unmatched>,
                      found: Vec<EntryId>,
                      how: MatchHow|
         -> Option<Match> {
            match found.as_slice() {
                [one] => Some(Match::Entry { entry: *one, how }),
                [] => None,
                _ => {
                    if !matches!(failure, Some(Unmatched::Ambiguous { .. })) {
                        *failure = Some(Unmatched::Ambiguous { candidates: found });
                    }
                    None
                }
            }
        };
        let campaign = k.campaign.as_deref().filter(|c| !slug(c).is_empty());
        if let Some(campaign) = campaign {
            if let (Some(s), Some(m)) = (k.source.as_deref(), k.medium.as_deref()) {
                if let Some(hit) = decide(
                    &mut failure,
                    self.find(campaign, Some(s), Some(m)),
                    MatchHow::CampaignSourceMedium,
                ) {
                    return hit;
                }
            }
            if let Some((is, im)) = layout.implied_source_medium() {
                let s = k.source.as_deref().unwrap_or(is);
                let m = k.medium.as_deref().unwrap_or(im);
                if let Some(hit) = decide(
                    &mut failure,
                    self.find(campaign, Some(s), Some(m)),
                    MatchHow::CampaignImplied,
                ) {
                    return hit;
                }
                if failure.is_none() {
                    if let Some(hit) = decide(
                        &mut failure,
                        self.find(campaign, None, Some(m)),
                        MatchHow::CampaignChannelMedium,
                    ) {
                        return hit;
                    }
                }
            }
        }
        let reason = match (id, failure) {
            (Some(id), _) => Unmatched::UnknownId { id },
            (None, Some(f)) => f,
            (None, None) => match campaign {
                Some(c)
                    if (k.source.is_some() && k.medium.is_some())
                        || layout.implied_source_medium().is_some() =>
                {
                    Unmatched::NoCandidate {
                        campaign: c.to_owned(),
                        source: k
                            .source
                            .clone()
                            .or(layout.implied_source_medium().map(|p| p.0.to_owned())),
                        medium: k
                            .medium
                            .clone()
                            .or(layout.implied_source_medium().map(|p| p.1.to_owned())),
                    }
                }
                _ => Unmatched::NoKey,
            },
        };
        Match::Unmatched { reason }
    }
}

/// Match every row of an import to the calendar's entries.
pub fn match_rows(
    layout: impl Into<Layout>,
    rows: &[ImportedRow],
    entries: &[EntryKey],
    mapping: &[ChannelUtm],
) -> MatchReport {
    let layout = layout.into();
    let index = EntryIndex::new(entries, mapping);
    let matches: Vec<Match> = rows.iter().map(|r| index.match_row(layout, r)).collect();
    let mut matched_entries: Vec<(EntryId, usize)> = Vec::new();
    let mut unmatched_rows = Vec::new();
    for (i, m) in matches.iter().enumerate() {
        match m.entry() {
            Some(e) => match matched_entries.iter_mut().find(|(x, _)| *x == e) {
                Some((_, n)) => *n += 1,
                None => matched_entries.push((e, 1)),
            },
            None => unmatched_rows.push(i),
        }
    }
    matched_entries.sort_unstable();
    MatchReport {
        matches,
        matched_entries,
        unmatched_rows,
    }
}
