//! Splitting a channel's credit over its calendar entries, shared by the data-driven models
//! (Markov and Shapley), which credit channels, not touches.
//!
//! A channel's credit goes to its entries, plus an untagged remainder that no entry receives, in
//! proportion to the channel's touches carrying each entry within converting journeys, each touch
//! weighted by its journey's conversions (by its journey's revenue for the revenue credit; when
//! the channel's converting journeys carry no positive revenue the conversion weights are used).
//! Repeated touches count. A channel that earns credit without any touch in a converting journey
//! (possible in a memoryless chain: it feeds channels that convert) splits it over its touches in
//! all journeys, weighted by journey count.
//!
//! [`EntrySplit`] holds the touch weights, computed once per data set, so that several models
//! (and every bootstrap replicate) split their credit without another pass over the journeys.

use super::{weight, CreditSheet};
use crate::journey::{ChannelId, EntryId, JourneySet};
use rustc_hash::FxHashMap;

/// Put per-channel credit on a [`CreditSheet`] and split it over calendar entries: a channel's
/// credit goes to its entries in proportion to its touches carrying each entry within converting
/// journeys, weighted by journey conversions (revenue credit: by journey revenue, falling back to
/// the conversion weights when the channel's converting journeys have no positive revenue).
/// Touches without an entry keep their share on the channel only. A channel that earns credit
/// without any touch in a converting journey (possible in a memoryless chain: it feeds channels
/// that convert) splits it over its touches in all journeys, weighted by journey count.
/// Shared by Markov and Shapley.
pub fn split_by_entries(set: &JourneySet, conversions: &[f64], revenue: &[f64]) -> CreditSheet {
    EntrySplit::new(set).apply(set, conversions, revenue)
}

/// The touch weights behind [`split_by_entries`], computed once per data set so that several
/// models (Markov, Shapley, each bootstrap replicate) can split their credit without another
/// pass over every journey.
#[derive(Debug, Clone, Default)]
pub struct EntrySplit {
    /// Per channel: touch weight (conversions, revenue) in converting journeys.
    chan_w: Vec<(f64, f64)>,
    /// Per (channel, entry), sorted: the same restricted to touches carrying the entry.
    entry_w: Vec<((ChannelId, EntryId), (f64, f64))>,
    /// Per channel: touch weight over all journeys (journey count).
    chan_all: Vec<f64>,
    /// Per (channel, entry), sorted, only for channels without converting touches.
    fallback: Vec<((ChannelId, EntryId), f64)>,
}

impl EntrySplit {
    pub fn new(set: &JourneySet) -> Self {
        let width = set.channels.len();
        let mut chan_w: Vec<(f64, f64)> = vec![(0.0, 0.0); width];
        let mut entry_w: FxHashMap<(ChannelId, EntryId), (f64, f64)> = FxHashMap::default();
        let mut chan_all: Vec<f64> = vec![0.0; width];
        let mut entry_all: FxHashMap<(ChannelId, EntryId), f64> = FxHashMap::default();
        for j in set.iter() {
            let wn = weight(j.conversions) + weight(j.nulls);
            let wc = weight(j.conversions);
            let wr = weight(j.revenue);
            for t in j.touches {
                let (Some(ca), Some(cw)) = (
                    chan_all.get_mut(t.channel as usize),
                    chan_w.get_mut(t.channel as usize),
                ) else {
                    continue;
                };
                *ca += wn;
                if wc > 0.0 {
                    cw.0 += wc;
                    cw.1 += wr;
                }
                if let Some(e) = t.entry {
                    *entry_all.entry((t.channel, e)).or_insert(0.0) += wn;
                    if wc > 0.0 {
                        let ew = entry_w.entry((t.channel, e)).or_insert((0.0, 0.0));
                        ew.0 += wc;
                        ew.1 += wr;
                    }
                }
            }
        }
        let mut entry_w: Vec<_> = entry_w.into_iter().collect();
        entry_w.sort_by_key(|&(k, _)| k);
        let mut fallback: Vec<_> = entry_all
            .into_iter()
            .filter(|&((c, _), _)| chan_w.get(c as usize).is_some_and(|w| w.0 == 0.0))
            .collect();
        fallback.sort_by_key(|&(k, _)| k);
        EntrySplit {
            chan_w,
            entry_w,
            chan_all,
            fallback,
        }
    }

    /// Put per-channel credit on a sheet and split it over calendar entries.
    pub fn apply(&self, set: &JourneySet, conversions: &[f64], revenue: &[f64]) -> CreditSheet {
        let width = conversions.len().max(revenue.len());
        let mut sheet = CreditSheet::new(set.channels.len().max(width));
        for (c, (&cv, &rv)) in conversions.iter().zip(revenue).enumerate() {
            sheet.add_channel(c as ChannelId, cv, rv);
        }
        for &((c, e), (ewc, ewr)) in &self.entry_w {
            let ci = c as usize;
            let (Some(&(cwc, cwr)), Some(&cv), Some(&rv)) =
                (self.chan_w.get(ci), conversions.get(ci), revenue.get(ci))
            else {
                continue;
            };
            let conv = if cwc > 0.0 { cv * ewc / cwc } else { 0.0 };
            let rev = if cwr > 0.0 {
                rv * ewr / cwr
            } else if cwc > 0.0 {
                rv * ewc / cwc
            } else {
                0.0
            };
            sheet.add_entry(e, conv, rev);
        }
        for &((c, e), ew) in &self.fallback {
            let ci = c as usize;
            let (Some(&total), Some(&cv), Some(&rv)) =
                (self.chan_all.get(ci), conversions.get(ci), revenue.get(ci))
            else {
                continue;
            };
            if total > 0.0 && (cv != 0.0 || rv != 0.0) {
                sheet.add_entry(e, cv * ew / total, rv * ew / total);
            }
        }
        sheet
    }
}
