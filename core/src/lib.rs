//! # rolegate-core
//!
//! Role-based access control in the shape of Twilio's Access Control, as one `no_std` core
//! that gives the same answer natively, in browsers, in edge functions and inside wasmtime.
//!
//! An organization's [`Policy`] — accounts and subaccounts as scopes, users, roles and role
//! assignments — is [`compile`]d into snapshot bytes: a compact, versioned, checksummed
//! postcard encoding. [`Snapshot::decode`] turns bytes back into a read-optimised
//! [`Snapshot`] that answers "may this user do this here?" ([`Snapshot::check`]) without
//! allocating, and the console's questions ([`Snapshot::explain`],
//! [`Snapshot::effective_permissions`], [`Snapshot::scopes_with`], [`Snapshot::who_can`]).
//!
//! ```
//! use rolegate_core::{compile_snapshot, CompileOptions, Policy, Request};
//! # fn policy() -> Policy {
//! #     let json = r#"{
//! #       "organization": {"id": "OR1", "name": "Acme"},
//! #       "accounts": [{"id": "AC1", "name": "Production"}],
//! #       "users": [{"id": "US1", "name": "Ada", "email": "ada@example.com"}],
//! #       "assignments": [{"id": "RA1", "user": "US1", "role": "owner", "scope": "AC1"}]
//! #     }"#;
//! #     serde_json::from_str(json).unwrap()
//! # }
//! let snapshot = compile_snapshot(&policy(), &CompileOptions { revision: 1, issued_at: 0 })?;
//! let decision = snapshot.check(&Request::new("US1", "messaging/services/read", "AC1"));
//! assert!(decision.allowed);
//! # Ok::<(), rolegate_core::CompileError>(())
//! ```
//!
//! Module map: [`policy`] is the document model, [`catalog`] the default roles, `compile`
//! checks every rule ([`CompileError`]), `decode` trusts nothing ([`DecodeError`]), `check`
//! is the decision path, `explain` and `queries` answer the console.

#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

mod admin;
mod admin_error;
mod admin_op;
pub mod catalog;
mod check;
mod compile;
mod compile_error;
mod decision;
mod decode;
mod decode_error;
mod delta;
mod directory;
mod envelope;
mod explain;
pub mod ids;
mod index;
pub mod limits;
pub mod permission;
pub mod policy;
mod queries;
mod reader;
mod role;
mod scope;
mod slice;
mod snapshot;
#[cfg(feature = "testing")]
pub mod testing;
mod text;
mod trust;
mod wire;

pub use admin::{Applied, apply, dry_run};
pub use admin_error::AdminError;
pub use admin_op::{AuditRecord, Change, DryRun, Operation};
pub use check::NO_RESOURCE;
pub use compile::{CompileOptions, compile, compile_snapshot, validate};
pub use compile_error::{CompileError, Item};
pub use decision::{Decision, Grant, Reason, Request, ResourceRef};
pub use decode_error::DecodeError;
pub use delta::{DELTA_FORMAT, DeltaError, DeltaInfo, apply_delta, delta_info, diff};
pub use directory::{AssignmentRow, DirectoryEntry, MatchField, RoleDetails, RoleFilter, RoleName};
pub use envelope::FORMAT_VERSION;
pub use explain::{Explanation, RoleOption};
pub use policy::{
    Account, Assignment, Organization, Policy, Resource, ResourceKey, Role, Settings, Subaccount,
    User,
};
pub use queries::{Holder, QueryError};
pub use role::RoleKind;
pub use scope::ScopeLevel;
pub use slice::SliceError;
pub use snapshot::{
    AssignmentView, ResourceView, RoleView, ScopeView, Snapshot, SnapshotMeta, SnapshotStats,
    UserView,
};
pub use trust::{SIGNATURE_DOMAIN, Trust, TrustError, TrustedKey, envelope_meta, public_key, sign};
