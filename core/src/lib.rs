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
//! Where things live: `model` is what an administrator writes ([`policy`], the default
//! [`catalog`], [`ids`], [`permission`] paths, [`limits`]); `compile` turns a policy into
//! bytes, checking every rule ([`CompileError`]); `format` is the bytes — envelope,
//! signatures and [`Trust`], deltas; `snapshot` decodes them trusting nothing
//! ([`DecodeError`]) and slices them per user; `decide` answers every question a snapshot
//! can; `admin` changes a policy under the organization's rules ([`apply`], [`dry_run`]);
//! [`ffi`] is the boundary every other runtime translates from.

#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

mod admin;
mod compile;
mod decide;
pub mod ffi;
mod format;
mod model;
mod snapshot;
#[cfg(feature = "testing")]
pub mod testing;

// The public interface is:
pub use admin::{
    AdminError, Applied, AuditRecord, Change, DryRun, LivePolicy, Operation, ReplayError, apply,
    assignment_id, dry_run,
};
pub use compile::{
    CompileError, CompileOptions, Item, compile, compile_checked, compile_signed, compile_snapshot,
    validate,
};
pub use decide::{
    AssignmentRow, Decision, DirectoryEntry, Explanation, Grant, Holder, MatchField, QueryError,
    Reason, Request, ResourceRef, RoleDetails, RoleFilter, RoleName, RoleOption, SearchPage,
    UserSearch,
};
pub use format::{
    DELTA_FORMAT, DeltaError, DeltaInfo, FORMAT_VERSION, MAX_CLOCK_SKEW, SIGNATURE_DOMAIN,
    SigningKeyRef, Trust, TrustError, TrustedKey, apply_delta, apply_delta_trusted, delta_info,
    diff, public_key, sign,
};
pub use model::policy::{
    Account, Assignment, Organization, Policy, Resource, ResourceKey, Role, Settings, Subaccount,
    User,
};
pub use model::{RoleKind, ScopeLevel, UnknownName, catalog, ids, limits, permission, policy, sid};
pub use snapshot::{
    AssignmentView, DecodeError, ResourceView, RoleView, ScopeView, SliceError, Snapshot,
    SnapshotMeta, SnapshotStats, UserView,
};
