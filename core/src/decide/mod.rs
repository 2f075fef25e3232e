//! Every question a snapshot answers: the decision itself, why (and why not), and the
//! console's questions about many users, scopes or permissions at once.

pub(crate) mod check;
mod decision;
mod directory;
mod explain;
mod queries;

pub use decision::{Decision, Grant, Reason, Request, ResourceRef};
pub use directory::{
    AssignmentRow, DirectoryEntry, MatchField, RoleDetails, RoleFilter, RoleName, SearchPage,
    UserSearch,
};
pub use explain::{Explanation, RoleOption};
pub use queries::{Holder, QueryError};
