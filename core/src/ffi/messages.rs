//! The questions besides `check` that a runtime passes across a boundary as one message,
//! and their answers. Postcard on the plain ABI; the same types everywhere.

use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::decide::{Explanation, Holder, Request, ResourceRef};
use crate::snapshot::{ScopeView, Snapshot};

use super::Code;

/// A question besides check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Query<'a> {
    /// [`Snapshot::explain`].
    Explain(#[serde(borrow)] Request<'a>),
    /// [`Snapshot::effective_permissions`].
    Permissions {
        /// User id.
        user: &'a str,
        /// Scope id.
        scope: &'a str,
        /// Resource.
        #[serde(borrow)]
        resource: Option<ResourceRef<'a>>,
    },
    /// [`Snapshot::who_can`].
    WhoCan {
        /// Permission.
        permission: &'a str,
        /// Scope id.
        scope: &'a str,
        /// Resource.
        #[serde(borrow)]
        resource: Option<ResourceRef<'a>>,
    },
    /// [`Snapshot::scopes_with`].
    ScopesWith {
        /// User id.
        user: &'a str,
        /// Permission.
        permission: &'a str,
        /// Resource.
        #[serde(borrow)]
        resource: Option<ResourceRef<'a>>,
    },
    /// The loaded snapshot's organization, revision and issue time.
    Meta,
}

/// The answer to a [`Query`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Answer<'a> {
    /// For [`Query::Explain`].
    Explanation(#[serde(borrow)] Explanation<'a>),
    /// For [`Query::Permissions`].
    Permissions(#[serde(borrow)] Vec<&'a str>),
    /// For [`Query::WhoCan`].
    Holders(#[serde(borrow)] Vec<Holder<'a>>),
    /// For [`Query::ScopesWith`].
    Scopes(#[serde(borrow)] Vec<ScopeView<'a>>),
    /// For [`Query::Meta`].
    Meta {
        /// Organization id.
        organization: &'a str,
        /// Revision.
        revision: u64,
        /// When it was issued, in seconds since the Unix epoch.
        issued_at: u64,
    },
}

/// Answers `query` from `snapshot`, or the code of why it cannot be answered.
pub fn answer<'s>(snapshot: &'s Snapshot, query: &Query<'s>) -> Result<Answer<'s>, Code> {
    let answer = match *query {
        Query::Explain(request) => Answer::Explanation(snapshot.explain(&request)),
        Query::Permissions {
            user,
            scope,
            resource,
        } => Answer::Permissions(
            snapshot
                .effective_permissions(user, scope, resource)
                .map_err(|e| e.code())?,
        ),
        Query::WhoCan {
            permission,
            scope,
            resource,
        } => Answer::Holders(
            snapshot
                .who_can(permission, scope, resource)
                .map_err(|e| e.code())?,
        ),
        Query::ScopesWith {
            user,
            permission,
            resource,
        } => Answer::Scopes(
            snapshot
                .scopes_with(user, permission, resource)
                .map_err(|e| e.code())?,
        ),
        Query::Meta => Answer::Meta {
            organization: snapshot.organization(),
            revision: snapshot.revision(),
            issued_at: snapshot.meta().issued_at,
        },
    };
    Ok(answer)
}
