//! Stored data sets: the binary blob the app keeps in IndexedDB for each imported event log or
//! path table (and the CLI reads with `refleqt attribute FILE`). A [`JourneySet`] in, bytes out,
//! and back bit for bit; damaged, truncated or foreign bytes are a typed [`DatasetError`].
//!
//! # Blob format, version 1 (little-endian)
//! ```text
//! "RQJS" | version u16 = 1 | flags u16 (bit 0: timed) | payload length u64 | FNV-1a-64 of payload u64
//! payload: varint channel count, then per channel: varint byte length + UTF-8 name
//!          varint journey count, varint touch count
//!          per journey: varint touch count | tag byte | [f64 conversions] [f64 revenue] [f64 nulls]
//!                       [zigzag-varint end_ms]
//!             tag bits: 0 conv=0, 1 conv=1 (else f64 follows), 2 nulls=0, 3 nulls=1 (else f64),
//!                       4 revenue=0 (else f64), 5 end_ms present
//!          per touch:   varint channel | varint entry (0 = none, 1 = raw u64 follows, else id + 2)
//!                       | varint age: 0 = NaN, 1 = raw f64 follows, n ≥ 2 = (n − 2) ms ÷ 1000
//! ```
//! Ages are whole milliseconds in every parsed log (`(end − ts) / 1000`), so the varint path is
//! exact; any other value falls back to the raw `f64`, so decoding gives back the same set bit
//! for bit. The checksum catches truncated or damaged blobs before they reach a model.
//!
//! Blobs written by earlier versions stay readable: a test decodes bytes stored by the app
//! before this codec moved here from `src/storage/datasets.rs`.

use crate::journey::{Channels, JourneySet, Touch};
use thiserror::Error;

/// The first four bytes of every blob.
pub const MAGIC: &[u8; 4] = b"RQJS";
/// The blob layout this build writes.
pub const BLOB_VERSION: u16 = 1;
const HEADER: usize = 4 + 2 + 2 + 8 + 8;

/// Why a blob cannot be decoded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DatasetError {
    #[error("it is not a Refleqt data set")]
    BadMagic,
    #[error("it was written by a newer Refleqt (data set format {0})")]
    TooNew(u16),
    #[error("it is cut short ({0} bytes missing)")]
    Truncated(usize),
    #[error("its content is damaged (checksum mismatch)")]
    Checksum,
    #[error("its content is inconsistent: {0}")]
    Invalid(&'static str),
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// The age as a varint code (see the module documentation).
fn age_code(age: f64) -> Option<u64> {
    if age.is_nan() {
        return Some(0);
    }
    let ms = (age * 1000.0).round();
    if !(0.0..9.0e15).contains(&ms) {
        return None;
    }
    let ms = ms as u64;
    ((ms as f64 / 1000.0).to_bits() == age.to_bits()).then_some(ms + 2)
}

/// Whether `bytes` start like a data-set blob (the magic), before any CSV detection.
pub fn is_dataset_blob(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

/// Encode a journey set (module documentation).
pub fn encode(set: &JourneySet) -> Vec<u8> {
    let mut p = Vec::with_capacity(set.len() * 12 + set.touch_count() * 6 + 64);
    let names = set.channels.names();
    put_varint(&mut p, names.len() as u64);
    for n in names {
        put_varint(&mut p, n.len() as u64);
        p.extend_from_slice(n.as_bytes());
    }
    put_varint(&mut p, set.len() as u64);
    put_varint(&mut p, set.touch_count() as u64);
    for j in set.iter() {
        put_varint(&mut p, j.touches.len() as u64);
        let mut tag = 0u8;
        let conv = match j.conversions {
            c if c.to_bits() == 0.0f64.to_bits() => {
                tag |= 1;
                None
            }
            c if c.to_bits() == 1.0f64.to_bits() => {
                tag |= 2;
                None
            }
            c => Some(c),
        };
        let nulls = match j.nulls {
            n if n.to_bits() == 0.0f64.to_bits() => {
                tag |= 4;
                None
            }
            n if n.to_bits() == 1.0f64.to_bits() => {
                tag |= 8;
                None
            }
            n => Some(n),
        };
        let revenue = if j.revenue.to_bits() == 0.0f64.to_bits() {
            tag |= 16;
            None
        } else {
            Some(j.revenue)
        };
        if j.end_ms.is_some() {
            tag |= 32;
        }
        p.push(tag);
        for v in [conv, revenue, nulls].into_iter().flatten() {
            p.extend_from_slice(&v.to_le_bytes());
        }
        if let Some(end) = j.end_ms {
            put_varint(&mut p, zigzag(end));
        }
        for t in j.touches {
            put_varint(&mut p, u64::from(t.channel));
            match t.entry {
                None => p.push(0),
                Some(e) if e < u64::MAX - 2 => put_varint(&mut p, e + 2),
                Some(e) => {
                    p.push(1);
                    p.extend_from_slice(&e.to_le_bytes());
                }
            }
            match age_code(t.age_secs) {
                Some(code) => put_varint(&mut p, code),
                None => {
                    p.push(1);
                    p.extend_from_slice(&t.age_secs.to_le_bytes());
                }
            }
        }
    }
    let mut out = Vec::with_capacity(HEADER + p.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&BLOB_VERSION.to_le_bytes());
    out.extend_from_slice(&u16::from(set.timed).to_le_bytes());
    out.extend_from_slice(&(p.len() as u64).to_le_bytes());
    out.extend_from_slice(&fnv1a(&p).to_le_bytes());
    out.extend_from_slice(&p);
    out
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], DatasetError> {
        let end = self
            .at
            .checked_add(n)
            .ok_or(DatasetError::Invalid("size"))?;
        let s = self
            .b
            .get(self.at..end)
            .ok_or_else(|| DatasetError::Truncated(end.saturating_sub(self.b.len())))?;
        self.at = end;
        Ok(s)
    }

    fn byte(&mut self) -> Result<u8, DatasetError> {
        Ok(self.take(1)?.first().copied().unwrap_or(0))
    }

    fn f64(&mut self) -> Result<f64, DatasetError> {
        let mut a = [0u8; 8];
        a.copy_from_slice(self.take(8)?);
        Ok(f64::from_le_bytes(a))
    }

    fn varint(&mut self) -> Result<u64, DatasetError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(DatasetError::Invalid("varint too long"))
    }

    fn count(&mut self, max: usize) -> Result<usize, DatasetError> {
        let v = self.varint()?;
        usize::try_from(v)
            .ok()
            .filter(|v| *v <= max)
            .ok_or(DatasetError::Invalid("count larger than the data"))
    }
}

/// Decode a blob made by [`encode`]; damaged, truncated or foreign blobs are typed errors.
pub fn decode(bytes: &[u8]) -> Result<JourneySet, DatasetError> {
    if bytes.len() < 4 || bytes.get(..4) != Some(MAGIC.as_slice()) {
        return Err(if bytes.len() < 4 && MAGIC.starts_with(bytes) {
            DatasetError::Truncated(HEADER - bytes.len())
        } else {
            DatasetError::BadMagic
        });
    }
    let mut r = Reader { b: bytes, at: 4 };
    let head = r.take(HEADER - 4)?;
    let word = |i: usize| head.get(i..i + 8).map(|s| s.to_vec()).unwrap_or_default();
    let version = u16::from_le_bytes([head[0], head[1]]);
    if version > BLOB_VERSION || version == 0 {
        return Err(DatasetError::TooNew(version));
    }
    let timed = u16::from_le_bytes([head[2], head[3]]) & 1 == 1;
    let len = u64::from_le_bytes(word(4).try_into().unwrap_or([0; 8]));
    let sum = u64::from_le_bytes(word(12).try_into().unwrap_or([0; 8]));
    let len = usize::try_from(len).map_err(|_| DatasetError::Invalid("payload length"))?;
    let payload = r.take(len)?;
    if r.at != bytes.len() {
        return Err(DatasetError::Invalid("bytes after the payload"));
    }
    if fnv1a(payload) != sum {
        return Err(DatasetError::Checksum);
    }
    let mut r = Reader { b: payload, at: 0 };
    let max = payload.len();
    let mut channels = Channels::new();
    let n_channels = r.count(max)?;
    for _ in 0..n_channels {
        let n = r.count(max)?;
        let name = std::str::from_utf8(r.take(n)?)
            .map_err(|_| DatasetError::Invalid("channel name is not UTF-8"))?;
        channels.intern(name);
    }
    if channels.len() != n_channels {
        return Err(DatasetError::Invalid("repeated channel name"));
    }
    let journeys = r.count(max)?;
    let touches = r.count(max)?;
    let mut set = JourneySet::with_capacity(channels, timed, journeys, touches);
    let mut buf: Vec<Touch> = Vec::new();
    let mut seen_touches = 0usize;
    for _ in 0..journeys {
        let n = r.count(max)?;
        let tag = r.byte()?;
        let conversions = match tag & 3 {
            1 => 0.0,
            2 => 1.0,
            _ => r.f64()?,
        };
        let revenue = if tag & 16 != 0 { 0.0 } else { r.f64()? };
        let nulls = match tag & 12 {
            4 => 0.0,
            8 => 1.0,
            _ => r.f64()?,
        };
        let end_ms = if tag & 32 != 0 {
            Some(unzigzag(r.varint()?))
        } else {
            None
        };
        buf.clear();
        for _ in 0..n {
            let channel = u32::try_from(r.varint()?)
                .ok()
                .filter(|c| (*c as usize) < n_channels)
                .ok_or(DatasetError::Invalid("touch of an unknown channel"))?;
            let entry = match r.varint()? {
                0 => None,
                1 => {
                    let mut a = [0u8; 8];
                    a.copy_from_slice(r.take(8)?);
                    Some(u64::from_le_bytes(a))
                }
                code => Some(code - 2),
            };
            let age_secs = match r.varint()? {
                0 => f64::NAN,
                1 => r.f64()?,
                code => (code - 2) as f64 / 1000.0,
            };
            buf.push(Touch {
                channel,
                entry,
                age_secs,
            });
        }
        seen_touches += n;
        set.push(&buf, conversions, revenue, nulls, end_ms);
    }
    if seen_touches != touches || r.at != payload.len() {
        return Err(DatasetError::Invalid("counts do not match the content"));
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(timed: bool) -> JourneySet {
        let mut channels = Channels::new();
        let a = channels.intern("linkedin");
        let b = channels.intern("email newsletter ✉");
        let mut set = JourneySet::new(channels, timed);
        let t = |channel, entry, age: f64| Touch {
            channel,
            entry,
            age_secs: if timed { age } else { f64::NAN },
        };
        set.push(
            &[t(a, Some(4782), 86_400.5), t(b, None, 0.0)],
            1.0,
            120.25,
            0.0,
            timed.then_some(1_740_823_200_000),
        );
        set.push(
            &[t(b, Some(0), 1.0 / 3.0)],
            0.0,
            0.0,
            1.0,
            timed.then_some(-5),
        );
        set.push(&[t(a, Some(u64::MAX), 2.0)], 12.0, 340.0, 88.5, None);
        set.push(&[], 1.0, 10.0, 0.0, timed.then_some(0));
        set
    }

    /// Equal as stored: NaN ages compare by their bits.
    fn same(a: &JourneySet, b: &JourneySet) -> bool {
        a.channels.names() == b.channels.names()
            && a.timed == b.timed
            && a.len() == b.len()
            && a.iter().zip(b.iter()).all(|(x, y)| {
                x.conversions.to_bits() == y.conversions.to_bits()
                    && x.revenue.to_bits() == y.revenue.to_bits()
                    && x.nulls.to_bits() == y.nulls.to_bits()
                    && x.end_ms == y.end_ms
                    && x.touches.len() == y.touches.len()
                    && x.touches.iter().zip(y.touches).all(|(s, t)| {
                        s.channel == t.channel
                            && s.entry == t.entry
                            && s.age_secs.to_bits() == t.age_secs.to_bits()
                    })
            })
    }

    #[test]
    fn round_trips_bit_for_bit() {
        for timed in [true, false] {
            let set = sample(timed);
            let blob = encode(&set);
            let back = decode(&blob).unwrap_or_else(|e| panic!("{e}"));
            assert!(same(&set, &back), "timed {timed}");
            assert_eq!(back.channels.get("linkedin"), Some(0));
        }
        let empty = JourneySet::default();
        let back = decode(&encode(&empty)).unwrap_or_else(|e| panic!("{e}"));
        assert!(same(&empty, &back));
    }

    #[test]
    fn simulated_log_round_trips_and_is_compact() {
        use crate::simulate::{simulate_into, SimConfig};
        let mut channels = Channels::new();
        let mut set = JourneySet::new(Channels::new(), true);
        let config = SimConfig {
            journeys: 2_000,
            ..SimConfig::demo()
        };
        let r = simulate_into(&config, |j| {
            let touches: Vec<Touch> = j
                .touches
                .iter()
                .map(|t| Touch {
                    channel: channels.intern(&format!("c{}", t.channel)),
                    entry: t.entry,
                    age_secs: 3600.0,
                })
                .collect();
            set.push(&touches, 1.0, 10.0, 0.0, Some(1_700_000_000_000));
        });
        assert!(r.is_ok());
        set.channels = channels;
        let blob = encode(&set);
        assert!(same(&set, &decode(&blob).unwrap_or_default()));
        // Far below the 36 bytes per journey + 20 per touch of plain arrays.
        assert!(blob.len() < set.len() * 12 + set.touch_count() * 8);
    }

    #[test]
    fn damaged_blobs_are_typed_errors() {
        let blob = encode(&sample(true));
        assert_eq!(decode(b""), Err(DatasetError::Truncated(HEADER)));
        assert_eq!(decode(b"RQ"), Err(DatasetError::Truncated(HEADER - 2)));
        assert_eq!(decode(b"{\"json\": 1}"), Err(DatasetError::BadMagic));
        for cut in [5, HEADER, HEADER + 3, blob.len() - 1] {
            assert!(
                matches!(decode(&blob[..cut]), Err(DatasetError::Truncated(_))),
                "cut at {cut}"
            );
        }
        let mut flipped = blob.clone();
        if let Some(b) = flipped.last_mut() {
            *b ^= 0x40;
        }
        assert_eq!(decode(&flipped), Err(DatasetError::Checksum));
        let mut newer = blob.clone();
        newer[4] = 9;
        assert_eq!(decode(&newer), Err(DatasetError::TooNew(9)));
        let mut longer = blob.clone();
        longer.push(0);
        assert!(matches!(decode(&longer), Err(DatasetError::Invalid(_))));
        // A well-formed checksum over nonsense: still refused, never a panic.
        for garbage in [
            vec![0xffu8; 40],
            vec![0x80; 12],
            vec![3, 1, b'a', 1, b'a', 0, 0],
        ] {
            let mut b = Vec::new();
            b.extend_from_slice(MAGIC);
            b.extend_from_slice(&1u16.to_le_bytes());
            b.extend_from_slice(&1u16.to_le_bytes());
            b.extend_from_slice(&(garbage.len() as u64).to_le_bytes());
            b.extend_from_slice(&fnv1a(&garbage).to_le_bytes());
            b.extend_from_slice(&garbage);
            assert!(decode(&b).is_err());
        }
        for e in [DatasetError::Checksum, DatasetError::Truncated(1)] {
            assert!(!e.to_string().is_empty());
        }
    }

    /// Blobs written by the app before the codec moved into the engine (the `sample` sets,
    /// encoded by `src/storage/datasets.rs` at commit fb4c533): they must keep decoding, and
    /// encoding must keep producing the same bytes.
    const STORED_TIMED: &[u8] = &[
        0x52, 0x51, 0x4a, 0x53, 0x01, 0x00, 0x01, 0x00, 0x7a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x94, 0x43, 0x6f, 0xf4, 0x5a, 0x01, 0xdb, 0x33, 0x02, 0x08, 0x6c, 0x69, 0x6e, 0x6b,
        0x65, 0x64, 0x69, 0x6e, 0x14, 0x65, 0x6d, 0x61, 0x69, 0x6c, 0x20, 0x6e, 0x65, 0x77, 0x73,
        0x6c, 0x65, 0x74, 0x74, 0x65, 0x72, 0x20, 0xe2, 0x9c, 0x89, 0x04, 0x04, 0x02, 0x26, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x10, 0x5e, 0x40, 0x80, 0x84, 0xb0, 0x92, 0xaa, 0x65, 0x00, 0xb0,
        0x25, 0xf6, 0xbb, 0x99, 0x29, 0x01, 0x00, 0x02, 0x01, 0x39, 0x09, 0x01, 0x02, 0x01, 0x55,
        0x55, 0x55, 0x55, 0x55, 0x55, 0xd5, 0x3f, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x28, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x75, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x20, 0x56, 0x40, 0x00, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xd2, 0x0f,
        0x00, 0x26, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x24, 0x40, 0x00,
    ];
    const STORED_UNTIMED: &[u8] = &[
        0x52, 0x51, 0x4a, 0x53, 0x01, 0x00, 0x00, 0x00, 0x66, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x71, 0x9f, 0x4f, 0x2a, 0x01, 0x53, 0xea, 0xb9, 0x02, 0x08, 0x6c, 0x69, 0x6e, 0x6b,
        0x65, 0x64, 0x69, 0x6e, 0x14, 0x65, 0x6d, 0x61, 0x69, 0x6c, 0x20, 0x6e, 0x65, 0x77, 0x73,
        0x6c, 0x65, 0x74, 0x74, 0x65, 0x72, 0x20, 0xe2, 0x9c, 0x89, 0x04, 0x04, 0x02, 0x06, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x10, 0x5e, 0x40, 0x00, 0xb0, 0x25, 0x00, 0x01, 0x00, 0x00, 0x01,
        0x19, 0x01, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x28, 0x40, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x40, 0x75, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x56, 0x40,
        0x00, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x06, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x24, 0x40,
    ];

    #[test]
    fn blobs_stored_by_earlier_versions_still_decode() {
        for (timed, stored) in [(true, STORED_TIMED), (false, STORED_UNTIMED)] {
            let back = decode(stored).unwrap_or_else(|e| panic!("timed {timed}: {e}"));
            assert!(same(&sample(timed), &back), "timed {timed}");
            assert_eq!(encode(&back), stored, "timed {timed}");
            assert!(is_dataset_blob(stored));
        }
        assert!(!is_dataset_blob(b"user_id,timestamp,channel"));
        assert!(!is_dataset_blob(b"RQ"));
    }
}
