//! Journeys: interned channels, touches, and the flat [`JourneySet`] that every model reads.
//!
//! A journey is the ordered list of touches (oldest first) that ends either in a conversion or in
//! nothing (a non-converting journey). Journeys are stored flat — one `Vec<Touch>` for all of them
//! plus per-journey offsets — so a million journeys cost two allocations, not a million.
//!
//! A journey carries *weights* rather than a single flag, so that an aggregated path table row
//! (`a > b > c; 12 conversions; 340.0 value; 88 nulls`) is one journey with `conversions = 12`,
//! `revenue = 340.0` and `nulls = 88`, while an event-log journey has `conversions` 1 or 0 and
//! `nulls` 0 or 1.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

/// Dense index of a channel inside one [`Channels`] table.
pub type ChannelId = u32;

/// A calendar entry id, as carried by `utm_content=cal-<id>`.
pub type EntryId = u64;

/// Interned channel names. Ids are dense and assigned in first-seen order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Channels {
    names: Vec<String>,
    #[serde(skip)]
    index: FxHashMap<String, ChannelId>,
}

impl Channels {
    pub fn new() -> Self {
        Self::default()
    }

    /// The id of `name`, adding it if it is new.
    pub fn intern(&mut self, name: &str) -> ChannelId {
        if let Some(&id) = self.index.get(name) {
            return id;
        }
        let id = self.names.len() as ChannelId;
        self.names.push(name.to_owned());
        self.index.insert(name.to_owned(), id);
        id
    }

    /// The id of `name` if it is known.
    pub fn get(&self, name: &str) -> Option<ChannelId> {
        self.index.get(name).copied()
    }

    /// The name of `id`; `"?"` for an id from another table.
    pub fn name(&self, id: ChannelId) -> &str {
        self.names
            .get(id as usize)
            .map(String::as_str)
            .unwrap_or("?")
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Rebuild the name index after deserialising.
    pub fn reindex(&mut self) {
        self.index = self
            .names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i as ChannelId))
            .collect();
    }
}

/// One marketing touch inside a journey.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Touch {
    pub channel: ChannelId,
    /// The calendar entry this touch came from (`utm_content=cal-<id>`), if any.
    pub entry: Option<EntryId>,
    /// Seconds from this touch to the end of its journey (the conversion, or the last touch of a
    /// non-converting journey). `NaN` when the input had no timestamps (path tables).
    pub age_secs: f64,
}

impl Touch {
    pub fn new(channel: ChannelId) -> Self {
        Touch {
            channel,
            entry: None,
            age_secs: f64::NAN,
        }
    }
}

/// Per-journey weights and the slice of touches it owns.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct JourneyMeta {
    pub start: u32,
    pub len: u32,
    /// Conversions that closed this journey (1 or 0 for event logs; any count for path tables).
    pub conversions: f64,
    /// Revenue of those conversions.
    pub revenue: f64,
    /// Non-converting journeys with this path (1 or 0 for event logs; any count for path tables).
    pub nulls: f64,
    /// Unix milliseconds of the conversion (or of the last touch when non-converting); `None`
    /// when the input had no timestamps.
    pub end_ms: Option<i64>,
}

/// A borrowed view of one journey.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct JourneyRef<'a> {
    pub touches: &'a [Touch],
    pub conversions: f64,
    pub revenue: f64,
    pub nulls: f64,
    pub end_ms: Option<i64>,
}

/// All journeys of one data set, stored flat.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JourneySet {
    pub channels: Channels,
    touches: Vec<Touch>,
    journeys: Vec<JourneyMeta>,
    /// Whether touches carry real ages (event logs) or not (path tables).
    pub timed: bool,
}

impl JourneySet {
    pub fn new(channels: Channels, timed: bool) -> Self {
        JourneySet {
            channels,
            touches: Vec::new(),
            journeys: Vec::new(),
            timed,
        }
    }

    pub fn with_capacity(channels: Channels, timed: bool, journeys: usize, touches: usize) -> Self {
        JourneySet {
            channels,
            touches: Vec::with_capacity(touches),
            journeys: Vec::with_capacity(journeys),
            timed,
        }
    }

    /// Append a journey. Touches must be ordered oldest first.
    pub fn push(
        &mut self,
        touches: &[Touch],
        conversions: f64,
        revenue: f64,
        nulls: f64,
        end_ms: Option<i64>,
    ) {
        let start = self.touches.len() as u32;
        self.touches.extend_from_slice(touches);
        self.journeys.push(JourneyMeta {
            start,
            len: touches.len() as u32,
            conversions,
            revenue,
            nulls,
            end_ms,
        });
    }

    pub fn len(&self) -> usize {
        self.journeys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.journeys.is_empty()
    }

    pub fn touch_count(&self) -> usize {
        self.touches.len()
    }

    pub fn get(&self, i: usize) -> Option<JourneyRef<'_>> {
        let m = self.journeys.get(i)?;
        let s = m.start as usize;
        Some(JourneyRef {
            touches: self.touches.get(s..s + m.len as usize)?,
            conversions: m.conversions,
            revenue: m.revenue,
            nulls: m.nulls,
            end_ms: m.end_ms,
        })
    }

    pub fn iter(&self) -> impl Iterator<Item = JourneyRef<'_>> + '_ {
        self.journeys.iter().map(move |m| {
            let s = m.start as usize;
            JourneyRef {
                touches: &self.touches[s..s + m.len as usize],
                conversions: m.conversions,
                revenue: m.revenue,
                nulls: m.nulls,
                end_ms: m.end_ms,
            }
        })
    }

    pub fn total_conversions(&self) -> f64 {
        self.journeys.iter().map(|m| m.conversions).sum()
    }

    pub fn total_revenue(&self) -> f64 {
        self.journeys.iter().map(|m| m.revenue).sum()
    }

    pub fn total_nulls(&self) -> f64 {
        self.journeys.iter().map(|m| m.nulls).sum()
    }

    /// Earliest and latest journey end, when timed.
    pub fn date_range_ms(&self) -> Option<(i64, i64)> {
        let mut it = self.journeys.iter().filter_map(|m| m.end_ms);
        let first = it.next()?;
        Some(it.fold((first, first), |(lo, hi), t| (lo.min(t), hi.max(t))))
    }
}

/// A 64-bit hash of a touch sequence's channels (FNV-1a over the ids, then a final mix).
fn sequence_hash(touches: &[Touch]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ touches.len() as u64;
    for t in touches {
        h = (h ^ u64::from(t.channel)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    // splitmix64 finaliser: spreads the low-entropy FNV state over all bits.
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// One distinct channel sequence with the weights of every journey that followed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathStat {
    pub channels: Vec<ChannelId>,
    pub conversions: f64,
    pub revenue: f64,
    pub nulls: f64,
    /// How many journeys were merged into this row (for the bootstrap).
    pub journeys: f64,
}

/// Journeys merged by their exact channel sequence (no collapsing, no times, no entries):
/// the input of the data-driven models and of the bootstrap.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PathAggregate {
    /// Number of channels in the originating [`Channels`] table.
    pub channel_count: usize,
    /// Rows in first-seen order (deterministic for a given input).
    pub paths: Vec<PathStat>,
}

impl PathAggregate {
    /// Merge the journeys of `set` by channel sequence. Journeys without touches are dropped
    /// (they cannot be credited to any channel).
    pub fn from_set(set: &JourneySet) -> Self {
        Self::from_set_indexed(set).0
    }

    /// Like [`PathAggregate::from_set`], also returning for every journey of `set` the index of
    /// its row in `paths` (`None` for journeys without touches).
    pub fn from_set_indexed(set: &JourneySet) -> (Self, Vec<Option<u32>>) {
        // Rows are found by a 64-bit hash of the channel sequence, checked against the row's
        // channels; the rare sequences whose hash is already taken by another sequence go to a
        // second map keyed by the sequence itself. No allocation per journey.
        let mut by_hash: FxHashMap<u64, u32> = FxHashMap::default();
        let mut collided: FxHashMap<Vec<ChannelId>, u32> = FxHashMap::default();
        let mut paths: Vec<PathStat> = Vec::new();
        let mut of_journey = Vec::with_capacity(set.len());
        let same = |p: &PathStat, touches: &[Touch]| {
            p.channels.len() == touches.len()
                && p.channels.iter().zip(touches).all(|(&c, t)| c == t.channel)
        };
        for j in set.iter() {
            if j.touches.is_empty() {
                of_journey.push(None);
                continue;
            }
            let hash = sequence_hash(j.touches);
            let found = match by_hash.get(&hash) {
                Some(&i) if paths.get(i as usize).is_some_and(|p| same(p, j.touches)) => Some(i),
                Some(_) => {
                    let key: Vec<ChannelId> = j.touches.iter().map(|t| t.channel).collect();
                    match collided.get(&key) {
                        Some(&i) => Some(i),
                        None => {
                            collided.insert(key, paths.len() as u32);
                            None
                        }
                    }
                }
                None => {
                    by_hash.insert(hash, paths.len() as u32);
                    None
                }
            };
            let row = match found {
                Some(i) => i,
                None => {
                    paths.push(PathStat {
                        channels: j.touches.iter().map(|t| t.channel).collect(),
                        conversions: 0.0,
                        revenue: 0.0,
                        nulls: 0.0,
                        journeys: 0.0,
                    });
                    (paths.len() - 1) as u32
                }
            };
            if let Some(p) = paths.get_mut(row as usize) {
                p.conversions += j.conversions;
                p.revenue += j.revenue;
                p.nulls += j.nulls;
                p.journeys += j.conversions + j.nulls;
            }
            of_journey.push(Some(row));
        }
        (
            PathAggregate {
                channel_count: set.channels.len(),
                paths,
            },
            of_journey,
        )
    }

    pub fn total_conversions(&self) -> f64 {
        self.paths.iter().map(|p| p.conversions).sum()
    }

    pub fn total_revenue(&self) -> f64 {
        self.paths.iter().map(|p| p.revenue).sum()
    }
}
