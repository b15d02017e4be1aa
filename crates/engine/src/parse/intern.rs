//! Interning for the parsers: byte strings in, dense `u32` ids in first-seen order out, without
//! hashing or allocating on the common row.
//!
//! - [`UserTable`]: user ids up to 27 bytes live inline in an open-addressing table (32-byte
//!   slots, one cache line per probe) whose look-ups are issued [`BATCH`] rows at a time, so that
//!   the cache misses of a million-user table overlap instead of queueing; longer ids go through
//!   a hash map. Rows grouped by user skip the look-up. Resolved ids are written back to the
//!   caller's rows through [`AssignIds`].
//! - [`NameIndex`]: names (channels, campaigns, sources, media) up to 32 bytes hit a
//!   direct-mapped cache keyed by their raw bytes before the hash map.
//! - [`padded_words`], [`fold`] and [`K`]: the word loads and the multiply-fold hash they share
//!   (with the touch-key cache of [`super::events`]).
//!
//! Hand-written rather than a general hash map because the event-log benchmark
//! (`cargo run -p refleqt-engine --profile fast --example parse_bench`) shows it matters: a
//! time-ordered million-user log is bound by user-id look-ups.

use super::{decode_text, BytesMap, ParseError};
use crate::journey::Channels;
use std::borrow::Cow;

/// Where resolved ids go: the `n` rows starting at `first` belong to the user with id `id`.
pub(super) trait AssignIds {
    fn assign(&mut self, first: usize, n: usize, id: u32);
}

/// The first `N * 8` bytes of `s` (at most that long), zero-padded, as little-endian words.
/// When `s` lies inside `input` (a borrowed field) the words are read straight from `input`
/// and masked, which is cheaper than copying a variable number of bytes.
#[inline(always)]
pub(super) fn padded_words<const N: usize>(input: &[u8], s: &[u8]) -> [u64; N] {
    let mut w = [0u64; N];
    let off = (s.as_ptr() as usize).wrapping_sub(input.as_ptr() as usize);
    match input.get(off..off.wrapping_add(N * 8)) {
        Some(chunk) if off < input.len() => {
            for (wi, c) in w.iter_mut().zip(chunk.chunks_exact(8)) {
                *wi = c.try_into().map_or(0, u64::from_le_bytes);
            }
        }
        _ => {
            let mut buf = [0u8; 64];
            for (d, b) in buf.iter_mut().zip(s) {
                *d = *b;
            }
            for (wi, c) in w.iter_mut().zip(buf.chunks_exact(8)) {
                *wi = c.try_into().map_or(0, u64::from_le_bytes);
            }
        }
    }
    for (i, wi) in w.iter_mut().enumerate() {
        let valid = s.len().saturating_sub(i * 8).min(8);
        *wi &= if valid == 8 {
            u64::MAX
        } else {
            (1u64 << (valid * 8)) - 1
        };
    }
    w
}

#[inline(always)]
pub(super) fn fold(a: u64, b: u64) -> u64 {
    let r = u128::from(a) * u128::from(b);
    (r as u64) ^ ((r >> 64) as u64)
}

pub(super) const K: [u64; 4] = [
    0xA076_1D64_78BD_642F,
    0xE703_7ED1_A0B4_28DB,
    0x8EBC_6AF0_9C88_C6E3,
    0x5899_65CC_7537_4CC3,
];

/// Longest user id kept inline in a [`Slot`]; longer ids go through a hash map.
const INLINE: usize = 27;

/// A user id as the table keys it: inline, or the long id's bytes. Pieces of a split parse
/// list their users' keys in id order, so that merging can renumber them
/// ([`UserTable::intern_keys`]).
#[derive(Debug, Clone)]
pub(super) enum UserKey<'a> {
    Inline(InlineKey),
    Long(Cow<'a, [u8]>),
}

/// An inline user id: bytes 0..24 in `w`, bytes 24..27 and the length (top byte) in `tail`.
/// `tail == 0` marks an empty slot (ids are never empty).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct InlineKey {
    w: [u64; 3],
    tail: u32,
}

impl InlineKey {
    #[inline(always)]
    fn new(input: &[u8], s: &[u8]) -> InlineKey {
        let [a, b, c, d] = padded_words::<4>(input, s);
        InlineKey {
            w: [a, b, c],
            tail: (d as u32 & 0x00FF_FFFF) | ((s.len() as u32) << 24),
        }
    }

    #[inline(always)]
    fn hash(&self) -> u64 {
        let [a, b, c] = self.w;
        fold(
            fold(a ^ K[0], b ^ K[1]) ^ fold(c ^ K[2], u64::from(self.tail) ^ K[3]),
            K[1],
        )
    }
}

/// One slot of the user table: an [`InlineKey`] and its id in 32 bytes, aligned, so a probe
/// touches one cache line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(C, align(32))]
struct Slot {
    w: [u64; 3],
    tail: u32,
    id: u32,
}

impl Slot {
    #[inline(always)]
    fn holds(&self, k: &InlineKey) -> bool {
        self.w == k.w && self.tail == k.tail
    }

    fn key(&self) -> InlineKey {
        InlineKey {
            w: self.w,
            tail: self.tail,
        }
    }
}

const EMPTY_SLOT: Slot = Slot {
    w: [0; 3],
    tail: 0,
    id: 0,
};

/// Ids looked up together: their slots are loaded in one pass first, so that the cache misses
/// of a table much larger than the cache overlap instead of queueing.
const BATCH: usize = 64;

/// A row whose user id is not resolved yet: its events get the id when the batch is flushed.
struct PendingUser<'a> {
    key: InlineKey,
    hash: u64,
    long: Option<Cow<'a, [u8]>>,
    first_event: usize,
    events: usize,
}

fn too_many_users() -> ParseError {
    ParseError::TooManyUsers {
        max: u64::from(u32::MAX - 1),
    }
}

/// Interns user ids by their bytes, numbering them in first-seen order.
pub(super) struct UserTable<'a> {
    input: &'a [u8],
    slots: Vec<Slot>,
    occupied: usize,
    long: BytesMap<Cow<'a, [u8]>, u32>,
    count: u32,
    pending: Vec<PendingUser<'a>>,
    /// The inline id of the last user resolved by [`UserTable::flush`], if the last one was
    /// inline.
    last: Option<(InlineKey, u32)>,
    /// How many bytes of the input the rows seen so far span (for sizing the table).
    consumed: usize,
    /// How many bytes this table's rows come from (the input, or one piece of it).
    span: usize,
    /// Every user's key in id order, when asked for ([`UserTable::record_keys`]).
    keys: Option<Vec<UserKey<'a>>>,
}

impl<'a> UserTable<'a> {
    pub(super) fn new(input: &'a [u8]) -> Self {
        UserTable {
            input,
            slots: vec![EMPTY_SLOT; 1 << 12],
            occupied: 0,
            long: BytesMap::default(),
            count: 0,
            pending: Vec::with_capacity(BATCH),
            last: None,
            consumed: 0,
            span: input.len(),
            keys: None,
        }
    }

    /// A table for the rows of one piece of the input, `span` bytes long; with `record_keys` it
    /// lists its users' keys in id order ([`UserTable::into_keys`]).
    pub(super) fn for_piece(input: &'a [u8], span: usize, record_keys: bool) -> Self {
        UserTable {
            span,
            keys: record_keys.then(Vec::new),
            ..UserTable::new(input)
        }
    }

    /// The users' keys in id order (empty unless made by [`UserTable::for_piece`]).
    pub(super) fn into_keys(self) -> Vec<UserKey<'a>> {
        self.keys.unwrap_or_default()
    }

    /// The ids of `keys` in this table (new ones numbered in order after the existing ones):
    /// what a later piece's users are in the whole input.
    pub(super) fn intern_keys(&mut self, keys: &[UserKey<'a>]) -> Result<Vec<u32>, ParseError> {
        let mut ids = Vec::with_capacity(keys.len());
        let need = (self.occupied + keys.len() + BATCH).saturating_mul(2);
        if need > self.slots.len() {
            self.rehash(need.next_power_of_two());
        }
        for batch in keys.chunks(BATCH) {
            let mask = self.slots.len() - 1;
            let hashes: Vec<u64> = batch
                .iter()
                .map(|k| match k {
                    UserKey::Inline(k) => k.hash(),
                    UserKey::Long(_) => 0,
                })
                .collect();
            let mut touch = 0u32;
            for &h in &hashes {
                touch ^= self.slots.get(h as usize & mask).map_or(0, |s| s.tail);
            }
            std::hint::black_box(touch);
            for (k, &h) in batch.iter().zip(&hashes) {
                ids.push(match k {
                    UserKey::Inline(k) => self.intern_inline(k, h)?,
                    UserKey::Long(k) => self.intern_long(k.clone())?,
                });
            }
        }
        self.last = None;
        Ok(ids)
    }

    pub(super) fn len(&self) -> usize {
        self.count as usize
    }

    /// Record how many bytes of the input the rows seen so far span (sizes the next growth).
    #[inline(always)]
    pub(super) fn set_consumed(&mut self, bytes: usize) {
        self.consumed = bytes;
    }

    /// Queue the user of the `n` rows starting at `first_event`; flushes a full batch.
    #[inline(always)]
    pub(super) fn defer<R: AssignIds + ?Sized>(
        &mut self,
        user: Cow<'a, [u8]>,
        first_event: usize,
        n: usize,
        events: &mut R,
    ) -> Result<(), ParseError> {
        let p = if user.len() <= INLINE {
            let key = InlineKey::new(self.input, &user);
            // Rows are usually grouped by user: the same id as the previous row skips the
            // lookup (its events join the previous row's pending run, or get its known id).
            match self.pending.last_mut() {
                Some(last)
                    if last.long.is_none()
                        && last.key == key
                        && last.first_event + last.events == first_event =>
                {
                    last.events += n;
                    return Ok(());
                }
                None => {
                    if let Some((k, id)) = self.last {
                        if k == key {
                            events.assign(first_event, n, id);
                            return Ok(());
                        }
                    }
                }
                _ => {}
            }
            PendingUser {
                key,
                hash: key.hash(),
                long: None,
                first_event,
                events: n,
            }
        } else {
            PendingUser {
                key: EMPTY_SLOT.key(),
                hash: 0,
                long: Some(user),
                first_event,
                events: n,
            }
        };
        self.pending.push(p);
        if self.pending.len() >= BATCH {
            self.flush(events)?;
        }
        Ok(())
    }

    /// Resolve every queued user and write the ids into their rows.
    pub(super) fn flush<R: AssignIds + ?Sized>(
        &mut self,
        events: &mut R,
    ) -> Result<(), ParseError> {
        if (self.occupied + self.pending.len()) * 2 > self.slots.len() {
            self.grow();
        }
        // Pass 1: load every slot the batch will probe (independent loads overlap).
        let mask = self.slots.len() - 1;
        let mut touch = 0u32;
        for p in &self.pending {
            touch ^= self.slots.get(p.hash as usize & mask).map_or(0, |s| s.tail);
        }
        std::hint::black_box(touch);
        // Pass 2: resolve in file order, so ids follow first appearance.
        let mut pending = std::mem::take(&mut self.pending);
        self.last = None;
        for p in pending.drain(..) {
            let id = match p.long {
                None => {
                    let id = self.intern_inline(&p.key, p.hash)?;
                    self.last = Some((p.key, id));
                    id
                }
                Some(k) => {
                    self.last = None;
                    self.intern_long(k)?
                }
            };
            events.assign(p.first_event, p.events, id);
        }
        self.pending = pending;
        Ok(())
    }

    fn next_id(&mut self) -> Result<u32, ParseError> {
        if self.count >= u32::MAX - 1 {
            return Err(too_many_users());
        }
        let id = self.count;
        self.count += 1;
        Ok(id)
    }

    /// Needs a free slot (the caller grows the table first).
    #[inline(always)]
    fn intern_inline(&mut self, key: &InlineKey, hash: u64) -> Result<u32, ParseError> {
        let mask = self.slots.len() - 1;
        let mut i = hash as usize & mask;
        loop {
            let Some(slot) = self.slots.get(i) else {
                return Err(too_many_users()); // unreachable: `i` is masked
            };
            if slot.holds(key) {
                return Ok(slot.id);
            }
            if slot.tail == 0 {
                let id = self.next_id()?;
                if let Some(slot) = self.slots.get_mut(i) {
                    *slot = Slot {
                        w: key.w,
                        tail: key.tail,
                        id,
                    };
                }
                self.occupied += 1;
                if let Some(keys) = &mut self.keys {
                    keys.push(UserKey::Inline(*key));
                }
                return Ok(id);
            }
            i = (i + 1) & mask;
        }
    }

    #[cold]
    fn grow(&mut self) {
        let mut new_len = self.slots.len() * 2;
        while (self.occupied + BATCH) * 2 > new_len {
            new_len *= 2;
        }
        // Skip intermediate sizes: project the final number of users from the share of the
        // input read so far (at most 8 times the current size, in case users come front-loaded).
        if self.consumed > 0 {
            let projected =
                (self.occupied as f64 * self.span as f64 / self.consumed as f64) as usize;
            let cap = self.slots.len().saturating_mul(8);
            while new_len < cap && (projected.saturating_add(BATCH)).saturating_mul(2) > new_len {
                new_len *= 2;
            }
        }
        self.rehash(new_len);
    }

    /// Move every entry into a table of `new_len` slots (a power of two, more than twice the
    /// entries).
    #[cold]
    fn rehash(&mut self, new_len: usize) {
        let old = std::mem::replace(&mut self.slots, vec![EMPTY_SLOT; new_len]);
        let mask = new_len - 1;
        for s in old.into_iter().filter(|s| s.tail != 0) {
            let mut i = s.key().hash() as usize & mask;
            while let Some(slot) = self.slots.get_mut(i) {
                if slot.tail == 0 {
                    *slot = s;
                    break;
                }
                i = (i + 1) & mask;
            }
        }
    }

    fn intern_long(&mut self, key: Cow<'a, [u8]>) -> Result<u32, ParseError> {
        if let Some(&id) = self.long.get(key.as_ref()) {
            return Ok(id);
        }
        let id = self.next_id()?;
        if let Some(keys) = &mut self.keys {
            keys.push(UserKey::Long(key.clone()));
        }
        self.long.insert(key, id);
        Ok(id)
    }
}

/// Entries of the direct-mapped name caches (a power of two).
const CACHE: usize = 256;

/// Longest name kept in a [`NameIndex`] cache entry (campaign names like
/// `Spring Webinar Series` are longer than 16 bytes).
const NAME_INLINE: usize = 32;

/// Interns names (channels, campaigns, …). Names up to [`NAME_INLINE`] bytes hit a
/// direct-mapped cache keyed by their bytes before the hash map.
pub(super) struct NameIndex<'a> {
    input: &'a [u8],
    table: Channels,
    raw: BytesMap<&'a [u8], u32>,
    cache: [([u64; 4], u32, u32); CACHE],
}

impl<'a> NameIndex<'a> {
    pub(super) fn new(input: &'a [u8]) -> Self {
        NameIndex {
            input,
            table: Channels::new(),
            raw: BytesMap::default(),
            cache: [([0; 4], u32::MAX, 0); CACHE],
        }
    }

    /// The id of a trimmed, non-empty name.
    #[inline(always)]
    pub(super) fn intern(&mut self, name: Cow<'a, [u8]>) -> u32 {
        if name.len() <= NAME_INLINE {
            let w = padded_words::<4>(self.input, &name);
            let len = name.len() as u32;
            let h = fold(w[0] ^ K[0], w[1] ^ K[1] ^ w[2] ^ w[3] ^ u64::from(len)) as usize
                & (CACHE - 1);
            if let Some(e) = self.cache.get(h) {
                if e.0 == w && e.1 == len {
                    return e.2;
                }
            }
            let id = self.slow(name);
            if let Some(e) = self.cache.get_mut(h) {
                *e = (w, len, id);
            }
            return id;
        }
        self.slow(name)
    }

    /// The interned names, by id.
    pub(super) fn into_table(self) -> Channels {
        self.table
    }

    #[cold]
    fn slow(&mut self, name: Cow<'a, [u8]>) -> u32 {
        match name {
            Cow::Borrowed(k) => match self.raw.get(k) {
                Some(&id) => id,
                None => {
                    let id = self.table.intern(&decode_text(k));
                    self.raw.insert(k, id);
                    id
                }
            },
            Cow::Owned(k) => self.table.intern(&decode_text(&k)),
        }
    }
}
