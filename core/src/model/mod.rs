//! What an administrator writes, and its vocabulary: the policy document, the default role
//! catalog, ids, permission paths, role kinds, scope levels and the limits every layer
//! enforces.

pub mod catalog;
pub(crate) mod double_option;
pub mod ids;
pub mod limits;
pub mod permission;
pub mod policy;
mod role_kind;
mod scope;
pub mod sid;

pub use role_kind::RoleKind;
pub use scope::{ScopeLevel, UnknownName};
