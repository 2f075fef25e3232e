//! Bytes on the wire: the snapshot envelope and payload, signatures and trust, deltas.

pub(crate) mod envelope;
pub(crate) mod payload;
pub(crate) mod reader;
pub(crate) mod wire;

mod delta;
pub(crate) mod trust;

pub use delta::{
    DELTA_FORMAT, DeltaError, DeltaInfo, apply_delta, apply_delta_trusted, delta_info, diff,
};
pub use envelope::FORMAT_VERSION;
pub use trust::{
    MAX_CLOCK_SKEW, SIGNATURE_DOMAIN, SigningKeyRef, Trust, TrustError, TrustedKey, public_key,
    sign,
};
