//! Deltas: a new snapshot expressed against an old one, so clients download only what changed.
//!
//! A delta names its base (organization, revision and payload hash), carries the new
//! snapshot's envelope — revision, issue time, payload hash and signature — and a list of
//! copy/insert operations that rebuild the new payload from the base's. Applying it gives the
//! new snapshot byte for byte, signature included, so it is verified exactly as the full
//! snapshot would be: a delta is signed by the signature of the snapshot it produces.

use alloc::vec::Vec;
use serde::Serialize;

use crate::ffi::Code;
use crate::format::TrustError;
use crate::format::envelope::{Claims, checksum, parse, seal_with};
use crate::format::reader::Reader;
use crate::format::wire::SignatureSlot;
use crate::ids::clip;
use crate::limits::MAX_SNAPSHOT_BYTES;
use crate::snapshot::DecodeError;

/// The first bytes of every delta.
const DELTA_MAGIC: [u8; 4] = *b"\x89RGD";
/// The delta format this build writes and reads. Format 2 carries what the snapshot it
/// rebuilds is (snapshot format 3's claims).
pub const DELTA_FORMAT: u16 = 2;
/// The most a delta may rebuild, however small its base: deltas carry what changed, so a
/// delta that rebuilds far more than its base is an attack (a "zip bomb" of copies).
const MIN_REBUILD_LIMIT: usize = 64 << 20;
/// A delta may rebuild at most this many times its base's payload (or the minimum above).
const REBUILD_FACTOR: usize = 8;
/// Matches shorter than this are sent as literal bytes.
const BLOCK: usize = 16;

/// Why a delta could not be made or applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DeltaError {
    /// A snapshot (the base, or the one rebuilt) is not valid.
    #[error(transparent)]
    Snapshot(#[from] DecodeError),
    /// The bytes are not a delta.
    #[error("not a rolegate delta (bad magic bytes)")]
    BadMagic,
    /// The delta format is unknown to this reader.
    #[error(
        "delta format `{found}` is not supported; this reader understands format `{supported}`"
    )]
    UnsupportedFormat {
        /// What the delta declares.
        found: u16,
        /// What this reader reads.
        supported: u16,
    },
    /// The delta is for another base snapshot.
    #[error(
        "the delta applies to revision {expected} of `{organization}`; the base is revision {found}"
    )]
    WrongBase {
        /// The delta's organization.
        organization: alloc::string::String,
        /// The base revision the delta names.
        expected: u64,
        /// The base revision given.
        found: u64,
    },
    /// An operation reaches outside the base, or the result would be too large.
    #[error("the delta's operations are invalid: {0}")]
    BadOperation(&'static str),
    /// The two snapshots are of different organizations.
    #[error("the snapshots are of different organizations")]
    OrganizationsDiffer,
    /// The snapshot the delta would rebuild is larger than the limit, which is checked
    /// before anything is rebuilt.
    #[error("the delta would rebuild {len} bytes; the limit is {max}")]
    TooLarge {
        /// What it would rebuild.
        len: u64,
        /// The limit.
        max: usize,
    },
    /// The envelope the delta carries is not trusted (checked before anything is rebuilt).
    #[error(transparent)]
    Untrusted(#[from] TrustError),
}

impl DeltaError {
    /// The stable code.
    #[inline]
    pub const fn code(&self) -> Code {
        match self {
            DeltaError::Snapshot(e) => e.code(),
            DeltaError::BadMagic => Code::DeltaBadMagic,
            DeltaError::UnsupportedFormat { .. } => Code::DeltaUnsupportedFormat,
            DeltaError::WrongBase { .. } => Code::DeltaWrongBase,
            DeltaError::BadOperation(_) => Code::DeltaMalformed,
            DeltaError::OrganizationsDiffer => Code::DeltaWrongOrganization,
            DeltaError::TooLarge { .. } => Code::DeltaTooLarge,
            DeltaError::Untrusted(e) => e.code(),
        }
    }
}

#[derive(Debug, Serialize)]
struct DeltaHeader {
    magic: [u8; 4],
    format: u16,
}

/// The wire form; field order is the format.
#[derive(Debug, Serialize)]
struct WireDelta<'a> {
    organization: &'a str,
    base_revision: u64,
    base_checksum: [u8; 32],
    revision: u64,
    issued_at: u64,
    slice_of: Option<&'a str>,
    checksum: [u8; 32],
    signature: Option<SignatureSlot<'a>>,
    /// Copy/insert operations, see [`Op`].
    ops: Vec<Op<'a>>,
}

/// One step of rebuilding the new payload.
#[derive(Debug, Serialize)]
enum Op<'a> {
    /// Copy `len` bytes from the base payload at `offset`.
    Copy { offset: u32, len: u32 },
    /// Append these bytes.
    Insert(&'a [u8]),
}

fn to_u32(n: usize) -> Result<u32, DeltaError> {
    u32::try_from(n).map_err(|_| DeltaError::BadOperation("larger than 4 GiB"))
}

/// The operations that turn `old` into `new`: the bytes both start and end with copied
/// whole, the middle between them diffed by [`middle_operations`]. A publish changes a little
/// of a large snapshot, so this indexes only what changed instead of every block of the base.
fn operations<'a>(old: &[u8], new: &'a [u8]) -> Result<Vec<Op<'a>>, DeltaError> {
    let prefix = common_prefix(old, new);
    let suffix = common_suffix(
        old.get(prefix..).unwrap_or_default(),
        new.get(prefix..).unwrap_or_default(),
    );
    let (old_end, new_end) = (old.len() - suffix, new.len() - suffix);
    let mut ops = Vec::new();
    if prefix > 0 {
        ops.push(Op::Copy {
            offset: 0,
            len: to_u32(prefix)?,
        });
    }
    let old_middle = old.get(prefix..old_end).unwrap_or_default();
    let new_middle = new.get(prefix..new_end).unwrap_or_default();
    for op in middle_operations(old_middle, new_middle)? {
        ops.push(match op {
            Op::Copy { offset, len } => Op::Copy {
                offset: to_u32(offset as usize + prefix)?,
                len,
            },
            insert => insert,
        });
    }
    if suffix > 0 {
        ops.push(Op::Copy {
            offset: to_u32(old_end)?,
            len: to_u32(suffix)?,
        });
    }
    Ok(ops)
}

/// Bytes compared at once while looking for where two snapshots start or stop differing
/// (a slice comparison, which is a `memcmp`, where a byte loop would be ten times slower).
const RUN: usize = 256;

/// How many leading bytes `a` and `b` share.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let (a, b) = (
        a.get(..n).unwrap_or_default(),
        b.get(..n).unwrap_or_default(),
    );
    let whole = (a.chunks(RUN).zip(b.chunks(RUN)))
        .take_while(|(x, y)| x == y)
        .count()
        .saturating_mul(RUN)
        .min(n);
    let rest = a.get(whole..).unwrap_or_default().iter();
    whole
        + rest
            .zip(b.get(whole..).unwrap_or_default())
            .take_while(|(x, y)| x == y)
            .count()
}

/// How many trailing bytes `a` and `b` share.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let (a, b) = (
        a.get(a.len() - n..).unwrap_or_default(),
        b.get(b.len() - n..).unwrap_or_default(),
    );
    let whole = (a.rchunks(RUN).zip(b.rchunks(RUN)))
        .take_while(|(x, y)| x == y)
        .count()
        .saturating_mul(RUN)
        .min(n);
    let (a, b) = (
        a.get(..n - whole).unwrap_or_default(),
        b.get(..n - whole).unwrap_or_default(),
    );
    whole
        + a.iter()
            .rev()
            .zip(b.iter().rev())
            .take_while(|(x, y)| x == y)
            .count()
}

/// The operations that turn `old` into `new`: copies of runs found in `old` (indexed by
/// 16-byte blocks), literal bytes for the rest.
fn middle_operations<'a>(old: &[u8], new: &'a [u8]) -> Result<Vec<Op<'a>>, DeltaError> {
    let mut blocks: crate::snapshot::index::Map<&[u8], u32> =
        crate::snapshot::index::new_map(old.len() / BLOCK + 1);
    for (i, block) in old.chunks_exact(BLOCK).enumerate() {
        blocks.entry(block).or_insert(to_u32(i * BLOCK)?);
    }
    let mut ops = Vec::new();
    let (mut at, mut literal) = (0, 0);
    while at + BLOCK <= new.len() {
        let candidate = new
            .get(at..at + BLOCK)
            .and_then(|b| blocks.get(b))
            .map(|&o| o as usize);
        let Some(mut from) = candidate else {
            at += 1;
            continue;
        };
        // Grow the match backwards into the pending literal, then forwards.
        let mut start = at;
        while start > literal && from > 0 && old.get(from - 1) == new.get(start - 1) {
            start -= 1;
            from -= 1;
        }
        let mut len = at + BLOCK - start;
        while new.get(start + len).is_some() && old.get(from + len) == new.get(start + len) {
            len += 1;
        }
        if start > literal {
            ops.push(Op::Insert(new.get(literal..start).unwrap_or_default()));
        }
        ops.push(Op::Copy {
            offset: to_u32(from)?,
            len: to_u32(len)?,
        });
        at = start + len;
        literal = at;
    }
    if literal < new.len() {
        ops.push(Op::Insert(new.get(literal..).unwrap_or_default()));
    }
    Ok(ops)
}

/// A delta from snapshot `old` to snapshot `new` (of the same organization).
///
/// Neither payload is hashed: the delta carries both checksums as the envelopes state them,
/// and whoever applies it checks the snapshot it rebuilds against the new one's, so a delta
/// made from damaged bytes is refused where it is applied. (A publisher
/// diffs each new snapshot against several older ones; hashing both sides each time was
/// nine tenths of a diff at L.)
pub fn diff(old: &[u8], new: &[u8]) -> Result<Vec<u8>, DeltaError> {
    let (base, target) = (parse(old)?, parse(new)?);
    if base.envelope.organization != target.envelope.organization {
        return Err(DeltaError::OrganizationsDiffer);
    }
    let t = &target.envelope;
    let delta = WireDelta {
        organization: t.organization,
        base_revision: base.envelope.revision,
        base_checksum: base.envelope.checksum,
        revision: t.revision,
        issued_at: t.issued_at,
        slice_of: t.slice_of,
        checksum: t.checksum,
        signature: t.signature.as_ref().map(|s| SignatureSlot {
            key_id: s.key_id,
            signature: s.signature,
        }),
        ops: operations(base.envelope.payload, t.payload)?,
    };
    let encode = |_| {
        DeltaError::Snapshot(DecodeError::Malformed {
            part: "delta",
            reason: "could not be encoded",
        })
    };
    let mut out = postcard::to_allocvec(&DeltaHeader {
        magic: DELTA_MAGIC,
        format: DELTA_FORMAT,
    })
    .map_err(encode)?;
    out.extend(postcard::to_allocvec(&delta).map_err(encode)?);
    Ok(out)
}

/// What a delta says about itself, before it is applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeltaInfo {
    /// The organization.
    pub organization: alloc::string::String,
    /// The revision it applies to.
    pub base_revision: u64,
    /// The revision it produces.
    pub revision: u64,
}

fn read_header(bytes: &[u8]) -> Result<Reader<'_>, DeltaError> {
    if !bytes.starts_with(&DELTA_MAGIC) {
        return Err(DeltaError::BadMagic);
    }
    let mut r = Reader::new(bytes, "delta");
    r.take(DELTA_MAGIC.len())?;
    let format = r.u16()?;
    if format != DELTA_FORMAT {
        return Err(DeltaError::UnsupportedFormat {
            found: format,
            supported: DELTA_FORMAT,
        });
    }
    Ok(r)
}

/// Reads a delta's header fields.
pub fn delta_info(delta: &[u8]) -> Result<DeltaInfo, DeltaError> {
    let mut r = read_header(delta)?;
    Ok(DeltaInfo {
        organization: clip(r.str()?),
        base_revision: r.u64()?,
        revision: {
            r.array::<32>()?;
            r.u64()?
        },
    })
}

/// A delta's header, read: the base it names and the envelope of the snapshot it rebuilds.
struct Header<'a> {
    organization: &'a str,
    base_revision: u64,
    base_checksum: [u8; 32],
    claims: Claims<'a>,
    checksum: [u8; 32],
    signature: Option<(&'a str, &'a [u8])>,
    /// The operations, not yet read.
    ops: Reader<'a>,
}

fn header(delta: &[u8]) -> Result<Header<'_>, DeltaError> {
    let mut r = read_header(delta)?;
    let organization = r.str()?;
    let base_revision = r.u64()?;
    let base_checksum = r.array()?;
    let revision = r.u64()?;
    let issued_at = r.u64()?;
    let slice_of = r.option(|r| r.str())?;
    let checksum = r.array()?;
    let signature = r.option(|r| Ok((r.str()?, r.bytes()?)))?;
    Ok(Header {
        organization,
        base_revision,
        base_checksum,
        claims: Claims {
            organization,
            revision,
            issued_at,
            slice_of,
        },
        checksum,
        signature,
        ops: r,
    })
}

/// One operation: a copy of a run of the base's payload, or literal bytes.
enum Step<'a> {
    Copy(usize, usize),
    Insert(&'a [u8]),
}

fn step<'a>(r: &mut Reader<'a>) -> Result<Step<'a>, DeltaError> {
    match r.u8()? {
        0 => Ok(Step::Copy(r.u32()? as usize, r.u32()? as usize)),
        1 => Ok(Step::Insert(r.bytes()?)),
        _ => Err(DeltaError::BadOperation("unknown operation")),
    }
}

/// The payload length the operations rebuild, read without rebuilding anything: refused past
/// the limit before a byte is allocated.
fn rebuilt_len(mut ops: Reader<'_>, base: usize) -> Result<usize, DeltaError> {
    let max = base
        .saturating_mul(REBUILD_FACTOR)
        .clamp(MIN_REBUILD_LIMIT, MAX_SNAPSHOT_BYTES);
    let count = ops.len()?;
    let mut total: u64 = 0;
    for _ in 0..count {
        let len = match step(&mut ops)? {
            Step::Copy(offset, len) if offset.saturating_add(len) <= base => len,
            Step::Copy(..) => return Err(DeltaError::BadOperation("a copy reaches past the base")),
            Step::Insert(bytes) => bytes.len(),
        };
        total = total.saturating_add(len as u64);
        if total > max as u64 {
            return Err(DeltaError::TooLarge { len: total, max });
        }
    }
    ops.finish()?;
    Ok(total as usize)
}

/// Applies `delta` to the snapshot `base`: the new snapshot's bytes, exactly as the full
/// snapshot was written. Refuses a delta for another base, and one that would rebuild more
/// than a bounded multiple of its base (checked before anything is allocated). The result is
/// checked (payload hash) but not trusted: verify it as any snapshot — or use
/// [`apply_delta_trusted`], which also refuses an untrusted delta before rebuilding.
pub fn apply_delta(base: &[u8], delta: &[u8]) -> Result<Vec<u8>, DeltaError> {
    rebuild(base, delta, None)
}

/// [`apply_delta`] for a delta whose rebuilt snapshot `trust` must accept at `now`: the
/// envelope the delta carries — signature, what it is, organization, revision, age — is
/// checked first, so an unsigned or forged delta costs nothing to refuse.
pub fn apply_delta_trusted(
    base: &[u8],
    delta: &[u8],
    trust: &crate::format::Trust,
    now: u64,
) -> Result<Vec<u8>, DeltaError> {
    rebuild(base, delta, Some((trust, now)))
}

fn rebuild(
    base: &[u8],
    delta: &[u8],
    trust: Option<(&crate::format::Trust, u64)>,
) -> Result<Vec<u8>, DeltaError> {
    // The base is parsed, not hashed: the rebuilt payload is checked against the checksum
    // the delta names (which its signature covers), so a damaged base is refused there
    // (`snapshot-checksum-mismatch`), without hashing the whole base first.
    let opened = parse(base)?;
    let b = &opened.envelope;
    let h = header(delta)?;
    if h.organization != b.organization
        || h.base_revision != b.revision
        || h.base_checksum != b.checksum
    {
        return Err(DeltaError::WrongBase {
            organization: clip(h.organization),
            expected: h.base_revision,
            found: b.revision,
        });
    }
    if let Some((trust, now)) = trust {
        trust.check_envelope(&h.claims, &h.checksum, h.signature, now)?;
    }
    let len = rebuilt_len(h.ops.clone(), b.payload.len())?;
    let mut payload: Vec<u8> = Vec::new();
    payload
        .try_reserve_exact(len)
        .map_err(|_| DeltaError::TooLarge {
            len: len as u64,
            max: len,
        })?;
    let mut ops = h.ops;
    for _ in 0..ops.len()? {
        match step(&mut ops)? {
            Step::Copy(offset, len) => payload.extend_from_slice(
                b.payload
                    .get(offset..offset.saturating_add(len))
                    .ok_or(DeltaError::BadOperation("a copy reaches past the base"))?,
            ),
            Step::Insert(bytes) => payload.extend_from_slice(bytes),
        }
    }
    if checksum(&payload) != h.checksum {
        return Err(DeltaError::Snapshot(DecodeError::ChecksumMismatch));
    }
    // Checked just above: sealing need not hash the payload again.
    Ok(seal_with(&h.claims, &payload, &h.checksum, h.signature))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::{Op, RUN, common_prefix, common_suffix, operations};
    use alloc::vec::Vec;

    /// What `ops` rebuild from `old`.
    fn rebuild(old: &[u8], ops: &[Op<'_>]) -> Vec<u8> {
        let mut out = Vec::new();
        for op in ops {
            match op {
                Op::Copy { offset, len } => {
                    out.extend_from_slice(&old[*offset as usize..(*offset + *len) as usize]);
                }
                Op::Insert(bytes) => out.extend_from_slice(bytes),
            }
        }
        out
    }

    fn bytes(n: usize, seed: u8) -> Vec<u8> {
        (0..n)
            .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
            .collect()
    }

    #[test]
    fn shared_ends_are_measured_across_run_boundaries() {
        for n in [0, 1, RUN - 1, RUN, RUN + 1, 3 * RUN + 7] {
            let a = bytes(n, 0);
            assert_eq!(common_prefix(&a, &a), n);
            assert_eq!(common_suffix(&a, &a), n);
            for at in [0, n / 2, n.saturating_sub(1)] {
                if n == 0 {
                    continue;
                }
                let mut b = a.clone();
                b[at] ^= 0xff;
                assert_eq!(common_prefix(&a, &b), at, "n {n} at {at}");
                assert_eq!(common_suffix(&a, &b), n - at - 1, "n {n} at {at}");
            }
            // One a prefix of the other: the shorter one's length, never more.
            let longer = [a.as_slice(), &[1, 2, 3]].concat();
            assert_eq!(common_prefix(&a, &longer), n);
            assert_eq!(common_prefix(&longer, &a), n);
        }
    }

    #[test]
    fn every_kind_of_change_rebuilds_exactly() {
        let old = bytes(10 * RUN + 13, 5);
        let mut changed_middle = old.clone();
        changed_middle[5 * RUN] ^= 1;
        let mut grown = old.clone();
        grown.splice(4 * RUN..4 * RUN, bytes(40, 9));
        let mut shrunk = old.clone();
        shrunk.drain(2 * RUN..3 * RUN + 3);
        let cases = [
            old.clone(),
            changed_middle,
            grown,
            shrunk,
            [&[7u8][..], &old].concat(),
            [&old[..], &[7u8]].concat(),
            old[1..].to_vec(),
            old[..old.len() - 1].to_vec(),
            bytes(3 * RUN, 77),
            Vec::new(),
        ];
        for (i, new) in cases.iter().enumerate() {
            let ops = operations(&old, new).unwrap();
            assert_eq!(rebuild(&old, &ops), *new, "case {i}");
            let inserted: usize = ops
                .iter()
                .map(|op| match op {
                    Op::Insert(b) => b.len(),
                    Op::Copy { .. } => 0,
                })
                .sum();
            // A small edit costs about its own size, not the snapshot's.
            if i < 8 {
                assert!(inserted <= 64, "case {i}: {inserted} bytes inserted");
            }
        }
        assert_eq!(rebuild(&[], &operations(&[], &old).unwrap()), old);
    }
}
