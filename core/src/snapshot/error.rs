//! Why snapshot bytes were refused.

use alloc::string::String;

use crate::ffi::Code;

/// Why [`Snapshot::decode`](crate::Snapshot::decode) refused a byte string. Every refusal is
/// one of these; decoding never panics and allocates at most in proportion to the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// Longer than [`MAX_SNAPSHOT_BYTES`](crate::limits::MAX_SNAPSHOT_BYTES).
    #[error("snapshot is {len} bytes; the limit is {max}")]
    TooLarge {
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Does not start with the snapshot magic: not a rolegate snapshot.
    #[error("not a rolegate snapshot (bad magic bytes)")]
    BadMagic,
    /// Written in a format this reader does not know (usually: by a newer rolegate).
    #[error(
        "snapshot format `{found}` is not supported; this reader understands format `{supported}`"
    )]
    UnsupportedFormat {
        /// The format the snapshot declares.
        found: u16,
        /// The format this reader reads.
        supported: u16,
    },
    /// A part does not parse: truncated, or not what the format says.
    #[error("malformed snapshot {part}: {reason}")]
    Malformed {
        /// `header`, `envelope` or `payload`.
        part: &'static str,
        /// What the parser said.
        reason: &'static str,
    },
    /// Bytes left over after a part.
    #[error("{count} trailing bytes after the snapshot {part}")]
    TrailingBytes {
        /// `envelope` or `payload`.
        part: &'static str,
        /// How many.
        count: usize,
    },
    /// The payload's hash differs from the envelope's checksum: damaged in transit.
    #[error("payload checksum mismatch: the snapshot is damaged")]
    ChecksumMismatch,
    /// More items of a kind than the limits allow.
    #[error("snapshot has {count} {what}; the limit is {max}")]
    TooMany {
        /// What was counted.
        what: &'static str,
        /// How many.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// An index pointing past the end of the table it indexes.
    #[error("{what} index `{index}` is out of range (there are {len})")]
    IndexOutOfRange {
        /// What the index is.
        what: &'static str,
        /// Its value.
        index: u32,
        /// The table's length.
        len: usize,
    },
    /// An id that is empty, too long or has whitespace or control characters, or a text
    /// field that is too long.
    #[error("invalid {what} `{value}`")]
    InvalidText {
        /// What the text is.
        what: &'static str,
        /// Its value (cut to the id length limit).
        value: String,
    },
    /// The same id twice where ids must be unique.
    #[error("duplicate {what} `{id}`")]
    DuplicateId {
        /// What the id names.
        what: &'static str,
        /// The id.
        id: String,
    },
    /// A role whose kind, level, patterns or grants are inconsistent.
    #[error("invalid role `{role}`: {reason}")]
    InvalidRole {
        /// The role's id.
        role: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// An assignment that breaks the model's rules.
    #[error("invalid assignment `{assignment}`: {reason}")]
    InvalidAssignment {
        /// The assignment's id.
        assignment: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A user's assignments are not in strictly increasing id order.
    #[error("assignments of user `{user}` are not sorted by id")]
    UnsortedAssignments {
        /// The user's id.
        user: String,
    },
}

impl DecodeError {
    /// The stable code (JS error codes, ABI statuses, `--json` output, HTTP bodies).
    #[inline]
    pub const fn code(&self) -> Code {
        match self {
            DecodeError::TooLarge { .. } => Code::SnapshotTooLarge,
            DecodeError::BadMagic => Code::SnapshotBadMagic,
            DecodeError::UnsupportedFormat { .. } => Code::SnapshotUnsupportedFormat,
            DecodeError::Malformed { .. } | DecodeError::TrailingBytes { .. } => {
                Code::SnapshotMalformed
            }
            DecodeError::ChecksumMismatch => Code::SnapshotChecksumMismatch,
            DecodeError::TooMany { .. } => Code::SnapshotTooMany,
            DecodeError::IndexOutOfRange { .. }
            | DecodeError::InvalidText { .. }
            | DecodeError::DuplicateId { .. }
            | DecodeError::InvalidRole { .. }
            | DecodeError::InvalidAssignment { .. }
            | DecodeError::UnsortedAssignments { .. } => Code::SnapshotInvalid,
        }
    }
}
