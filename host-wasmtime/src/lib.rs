//! # rolegate-host
//!
//! rolegate's core as a sandboxed WebAssembly guest in wasmtime, for Rust services that want
//! their policy engine isolated, metered and hot-swappable.
//!
//! - [`Engine`]: the guest, compiled once per process (cached on disk between runs);
//! - [`Authorizer`]: answers `check`, `can`, `check_batch`, `explain`, `permissions`,
//!   `who_can` from a snapshot through a pool of guest instances, `Send + Sync`, cheap to
//!   clone; fuel and memory limits on every call ([`Limits`]); errors mean deny;
//! - [`Syncer`]: keeps an authorizer fed from a file or an HTTP URL (polling, or watching a
//!   rolegate server), refuses older revisions, keeps the last good snapshot on disk.
//!
//! ```no_run
//! use rolegate_core::{Request, Trust, TrustedKey};
//! use rolegate_host::{Authorizer, Engine, EngineConfig};
//!
//! let engine = Engine::new(EngineConfig::default())?;
//! let key = TrustedKey { id: "ops-2026".into(), public: [0; 32] /* the signer's public key */ };
//! let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs();
//! let snapshot = std::fs::read("acme.rgs")?;
//! let authorizer = Authorizer::with_trust(&engine, &snapshot, Trust::signed_by(vec![key]), now)?;
//! let allowed = authorizer.can(&Request::new("US…", "voice/calls/create", "AC…")).unwrap_or(false);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]

mod answers;
mod authorizer;
mod engine;
mod error;
mod instance;
mod limits;
mod syncer;
mod watch;

pub use answers::{
    Decision, Explanation, Grant, Holder, Reason, Resource, RoleOption, Scope, SnapshotInfo,
};
pub use authorizer::{Authorizer, Prepared};
pub use engine::{EMBEDDED_GUEST, Engine, EngineConfig};
pub use error::{Cause, HostError};
pub use limits::Limits;
pub use syncer::{Source, SyncConfig, SyncError, SyncOutcome, SyncStatus, Syncer};
pub use watch::ClientCredentials;
