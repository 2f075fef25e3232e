//! Trusting a snapshot: ed25519 signatures over a domain-separated message, trusted keys
//! (several, for rotation), the expected organization, rollback protection and freshness.
//! Verified here, in the core, so browsers, edge functions and hosts decide alike.

use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::ffi::Code;
use crate::format::envelope::{Claims, FORMAT_VERSION, Opened, open, seal_with};
use crate::ids::clip;
use crate::snapshot::DecodeError;
use crate::snapshot::{Snapshot, SnapshotMeta};

/// What every signature covers first: a signature over anything else never verifies here.
pub const SIGNATURE_DOMAIN: &[u8] = b"rolegate snapshot signature v3\0";

/// A public key snapshots may be signed with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustedKey {
    /// The key id named in the snapshot's signature slot.
    pub id: String,
    /// The ed25519 public key.
    pub public: [u8; 32],
}

/// What a snapshot must satisfy to be trusted. Its serde form (camelCase names) is its wire
/// form in every runtime.
///
/// Trust fails closed: the default requires a signature by a trusted key and has none, so
/// it accepts nothing (`no-trusted-keys`) until keys are given ([`Trust::signed_by`]) —
/// or unsigned snapshots are accepted on purpose ([`Trust::unsigned`]), as demos and tests do.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Trust {
    /// Keys that may sign. A snapshot must carry a valid signature by one of them: unsigned,
    /// unknown-key and bad signatures are refused (unless `allow_unsigned`).
    pub keys: Vec<TrustedKey>,
    /// Accept snapshots without a signature. With no keys, signatures are then not checked
    /// at all. Off by default: accepting unsigned snapshots is a choice, never an accident.
    pub allow_unsigned: bool,
    /// The only organization accepted.
    pub organization: Option<String>,
    /// Refuse revisions below this (the revision already served: no rollback).
    pub min_revision: Option<u64>,
    /// Refuse snapshots issued more than this many seconds before `now`.
    pub max_age: Option<u64>,
    /// What the snapshot must be: `None` (the default) for the organization's snapshot — what
    /// every host and full loader serves; a user's id for that user's slice — what a console
    /// loads. Anything else is refused (`wrong-kind`), so a signed slice never passes for the
    /// organization's snapshot, nor one user's slice for another's.
    pub slice_of: Option<String>,
}

impl Trust {
    /// Requires a valid signature by one of `keys`.
    pub fn signed_by(keys: Vec<TrustedKey>) -> Trust {
        Trust {
            keys,
            ..Trust::default()
        }
    }

    /// Accepts unsigned snapshots, and does not check signatures: for demos, tests and
    /// tools that mean it.
    pub fn unsigned() -> Trust {
        Trust {
            allow_unsigned: true,
            ..Trust::default()
        }
    }
}

/// Why a snapshot was not trusted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrustError {
    /// The bytes are not a valid snapshot.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// Keys are required and the snapshot carries no signature.
    #[error("the snapshot is not signed, and signatures are required")]
    Unsigned,
    /// The signature names a key that is not trusted.
    #[error("the snapshot is signed with key `{key_id}`, which is not trusted")]
    UnknownKey {
        /// The key id in the signature slot.
        key_id: String,
    },
    /// The signature does not verify (forged, tampered, non-canonical, or for other bytes).
    #[error("the snapshot's signature by key `{key_id}` does not verify")]
    BadSignature {
        /// The key id in the signature slot.
        key_id: String,
    },
    /// The snapshot is for another organization.
    #[error("the snapshot is for organization `{found}`, not `{expected}`")]
    WrongOrganization {
        /// What it says.
        found: String,
        /// What is expected.
        expected: String,
    },
    /// The snapshot is older than the minimum revision: a rollback.
    #[error("the snapshot has revision {found}, below the minimum {minimum}")]
    Rollback {
        /// Its revision.
        found: u64,
        /// The minimum.
        minimum: u64,
    },
    /// No keys are trusted and unsigned snapshots were not allowed: nothing can be trusted.
    #[error("no trusted keys are configured, and unsigned snapshots are not allowed")]
    NoTrustedKeys,
    /// Another kind of snapshot than expected: a slice where the organization's snapshot was
    /// expected, the organization's where a slice was, or another user's slice.
    #[error("the snapshot is of another kind (organization or slice, or another user's slice)")]
    WrongKind {
        /// Whose slice it is (`None`: the organization's snapshot).
        found: Option<String>,
        /// What was expected.
        expected: Option<String>,
    },
    /// Issued further in the future than [`MAX_CLOCK_SKEW`]: it would stay fresh too long.
    #[error("the snapshot was issued at {issued_at}, after {now} plus the allowed clock skew")]
    IssuedInFuture {
        /// When it says it was issued.
        issued_at: u64,
        /// The time it was checked at.
        now: u64,
    },
    /// The snapshot is older than the maximum age.
    #[error("the snapshot was issued at {issued_at}, more than {max_age} s before {now}")]
    Expired {
        /// When it was issued (seconds since the Unix epoch).
        issued_at: u64,
        /// The maximum age, in seconds.
        max_age: u64,
        /// The time it was checked at.
        now: u64,
    },
}

impl TrustError {
    /// The stable code.
    #[inline]
    pub const fn code(&self) -> Code {
        match self {
            TrustError::Decode(e) => e.code(),
            TrustError::Unsigned => Code::Unsigned,
            TrustError::UnknownKey { .. } => Code::UnknownKey,
            TrustError::BadSignature { .. } => Code::BadSignature,
            TrustError::WrongOrganization { .. } => Code::WrongOrganization,
            TrustError::Rollback { .. } => Code::StaleRevision,
            TrustError::Expired { .. } => Code::Expired,
            TrustError::NoTrustedKeys => Code::NoTrustedKeys,
            TrustError::WrongKind { .. } => Code::WrongKind,
            TrustError::IssuedInFuture { .. } => Code::IssuedInFuture,
        }
    }
}

/// The message a snapshot's signature covers: the domain, then the format, organization,
/// revision, issue time, what the snapshot is (the organization's, or one user's slice) and
/// the payload hash — everything that decides what the snapshot says.
pub(crate) fn signed_message(claims: &Claims<'_>, checksum: &[u8; 32]) -> Vec<u8> {
    let subject = claims.slice_of.unwrap_or_default();
    let mut m = Vec::with_capacity(
        SIGNATURE_DOMAIN.len() + 2 + 4 + claims.organization.len() + 16 + 5 + subject.len() + 32,
    );
    m.extend_from_slice(SIGNATURE_DOMAIN);
    m.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    m.extend_from_slice(&(claims.organization.len() as u32).to_le_bytes());
    m.extend_from_slice(claims.organization.as_bytes());
    m.extend_from_slice(&claims.revision.to_le_bytes());
    m.extend_from_slice(&claims.issued_at.to_le_bytes());
    m.push(u8::from(claims.slice_of.is_some()));
    m.extend_from_slice(&(subject.len() as u32).to_le_bytes());
    m.extend_from_slice(subject.as_bytes());
    m.extend_from_slice(checksum);
    m
}

/// How far in the future a snapshot's issue time may be, in seconds: clocks disagree a
/// little, never by more. A snapshot issued later than this is refused, so it cannot stay
/// fresh forever. (Checked only against a clock: a `now` of 0 means there is none.)
pub const MAX_CLOCK_SKEW: u64 = 300;

impl Trust {
    /// Checks what an envelope says — its claims, the payload checksum they are signed with,
    /// the signature slot — against this trust, at time `now` (seconds since the Unix epoch;
    /// the core has no clock). Used on snapshots and, before anything is rebuilt, on the
    /// envelope a delta carries.
    pub(crate) fn check_envelope(
        &self,
        claims: &Claims<'_>,
        checksum: &[u8; 32],
        signature: Option<(&str, &[u8])>,
        now: u64,
    ) -> Result<(), TrustError> {
        match (signature, self.keys.is_empty(), self.allow_unsigned) {
            (_, true, false) => return Err(TrustError::NoTrustedKeys),
            (None, false, false) => return Err(TrustError::Unsigned),
            (None, _, true) | (Some(_), true, true) => {}
            (Some(slot), false, _) => self.check_signature(claims, checksum, slot)?,
        }
        self.check_claims(claims, now)
    }

    fn check_signature(
        &self,
        claims: &Claims<'_>,
        checksum: &[u8; 32],
        (key_id, signature): (&str, &[u8]),
    ) -> Result<(), TrustError> {
        let key =
            self.keys
                .iter()
                .find(|k| k.id == key_id)
                .ok_or_else(|| TrustError::UnknownKey {
                    key_id: clip(key_id),
                })?;
        let bad = || TrustError::BadSignature {
            key_id: clip(key_id),
        };
        let signature = <[u8; 64]>::try_from(signature).map_err(|_| bad())?;
        let public = ed25519_dalek::VerifyingKey::from_bytes(&key.public).map_err(|_| bad())?;
        public
            .verify_strict(
                &signed_message(claims, checksum),
                &ed25519_dalek::Signature::from_bytes(&signature),
            )
            .map_err(|_| bad())
    }

    /// The claims: what the snapshot is, organization, revision, age.
    fn check_claims(&self, claims: &Claims<'_>, now: u64) -> Result<(), TrustError> {
        if claims.slice_of != self.slice_of.as_deref() {
            return Err(TrustError::WrongKind {
                found: claims.slice_of.map(clip),
                expected: self.slice_of.clone(),
            });
        }
        if let Some(expected) = &self.organization
            && claims.organization != expected
        {
            return Err(TrustError::WrongOrganization {
                found: clip(claims.organization),
                expected: expected.clone(),
            });
        }
        if let Some(minimum) = self.min_revision
            && claims.revision < minimum
        {
            return Err(TrustError::Rollback {
                found: claims.revision,
                minimum,
            });
        }
        // `now` 0 is a runtime without a clock (workerd reports the epoch outside requests):
        // nothing can be "in the future" of an unknown time.
        if now != 0 && claims.issued_at > now.saturating_add(MAX_CLOCK_SKEW) {
            return Err(TrustError::IssuedInFuture {
                issued_at: claims.issued_at,
                now,
            });
        }
        if let Some(max_age) = self.max_age
            && now.saturating_sub(claims.issued_at) > max_age
        {
            return Err(TrustError::Expired {
                issued_at: claims.issued_at,
                max_age,
                now,
            });
        }
        Ok(())
    }

    /// Checks snapshot bytes' envelope — checksum, signature, what they are, organization,
    /// revision, age — without decoding the payload.
    pub fn verify(&self, bytes: &[u8], now: u64) -> Result<SnapshotMeta, TrustError> {
        let opened = open(bytes)?;
        self.check_opened(&opened, now)?;
        Ok(opened.meta())
    }

    /// Checks the envelope of snapshot bytes already opened (parsed, checksum verified).
    fn check_opened(&self, opened: &Opened<'_>, now: u64) -> Result<(), TrustError> {
        let e = &opened.envelope;
        let signature = e.signature.as_ref().map(|s| (s.key_id, s.signature));
        self.check_envelope(&e.claims(), &e.checksum, signature, now)
    }
}

impl Snapshot {
    /// Decodes snapshot bytes that `trust` accepts at time `now`. The payload is hashed once,
    /// for the checksum both the trust check and the decoding rely on.
    pub fn decode_trusted(bytes: &[u8], trust: &Trust, now: u64) -> Result<Snapshot, TrustError> {
        let opened = open(bytes)?;
        trust.check_opened(&opened, now)?;
        Ok(Snapshot::decode_opened(&opened)?)
    }
}

/// Signs snapshot bytes with an ed25519 secret key, replacing any signature they carried.
pub fn sign(bytes: &[u8], key_id: &str, secret: &[u8; 32]) -> Result<Vec<u8>, DecodeError> {
    use ed25519_dalek::Signer;
    let opened = open(bytes)?;
    let e = &opened.envelope;
    let claims = e.claims();
    let signature =
        ed25519_dalek::SigningKey::from_bytes(secret).sign(&signed_message(&claims, &e.checksum));
    Ok(seal_with(
        &claims,
        e.payload,
        &e.checksum,
        Some((key_id, &signature.to_bytes())),
    ))
}

/// The signature over `claims` and the payload's checksum `sum`.
pub(crate) fn signature_of(
    claims: &Claims<'_>,
    sum: &[u8; 32],
    key: SigningKeyRef<'_>,
) -> [u8; 64] {
    use ed25519_dalek::Signer;
    ed25519_dalek::SigningKey::from_bytes(key.secret)
        .sign(&signed_message(claims, sum))
        .to_bytes()
}

/// A secret key and the id it is published under, to sign with.
#[derive(Clone, Copy)]
pub struct SigningKeyRef<'a> {
    /// The key id the signature names (what a [`Trust`] looks the public key up by).
    pub id: &'a str,
    /// The ed25519 secret key.
    pub secret: &'a [u8; 32],
}

impl core::fmt::Debug for SigningKeyRef<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Never the secret.
        f.debug_struct("SigningKeyRef")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// The public key of an ed25519 secret key.
pub fn public_key(secret: &[u8; 32]) -> [u8; 32] {
    ed25519_dalek::SigningKey::from_bytes(secret)
        .verifying_key()
        .to_bytes()
}
