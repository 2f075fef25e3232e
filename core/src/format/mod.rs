//! Bytes on the wire: the snapshot envelope and payload, signatures and trust, deltas.

pub(crate) mod envelope;
pub(crate) mod payload;
pub(crate) mod reader;
pub(crate) mod wire;

mod delta;
mod trust;

pub use delta::{DELTA_FORMAT, DeltaError, DeltaInfo, apply_delta, delta_info, diff};
pub use envelope::FORMAT_VERSION;
pub use trust::{SIGNATURE_DOMAIN, Trust, TrustError, TrustedKey, public_key, sign};
