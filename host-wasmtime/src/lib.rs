//! # rolegate-host
//!
//! rolegate's core as a sandboxed WebAssembly guest in wasmtime, for Rust services that want
//! their policy engine isolated, metered and hot-swappable.
//!
//! - [`Engine`]: the guest, compiled once per process (cached on disk between runs);
//! - [`Authorizer`]: answers `check`, `can`, `check_batch`, `explain`, `permissions`,
//!   `who_can` from a snapshot through a pool of guest instances, `Send + Sync`, cheap to
//!   clone; fuel and memory limits on every call ([`Limits`]); errors mean deny;
//! - [`Syncer`]: keeps an authorizer fed from a file or an HTTP URL, refuses older revisions,
//!   keeps the last good snapshot on disk.
//!
//! ```no_run
//! use rolegate_host::{Authorizer, Engine, EngineConfig};
//! use rolegate_core::Request;
//!
//! let engine = Engine::new(EngineConfig::default())?;
//! let authorizer = Authorizer::new(&engine, &std::fs::read("acme.rgs")?)?;
//! let allowed = authorizer.can(&Request::new("US…", "voice/calls/create", "AC…")).unwrap_or(false);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod answers;
mod authorizer;
mod engine;
mod error;
mod instance;
mod limits;
mod syncer;

pub use answers::{
    Decision, Explanation, Grant, Holder, Reason, Resource, RoleOption, Scope, SnapshotInfo,
};
pub use authorizer::{Authorizer, Prepared};
pub use engine::{EMBEDDED_GUEST, Engine, EngineConfig};
pub use error::HostError;
pub use limits::Limits;
pub use syncer::{Source, SyncConfig, SyncError, SyncOutcome, SyncStatus, Syncer};
