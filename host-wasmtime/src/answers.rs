//! Owned answers. A guest's answer lives in its linear memory only until the next call, so
//! the host copies it out into these; each mirrors the core type of the same name. Names in
//! decisions are `Arc<str>`: each instance remembers what every assignment it has reported
//! names, so a decision is a few reference-count increments, not a few allocations.

use std::sync::Arc;

use rolegate_core::ScopeLevel;
use serde::Serialize;

/// What a loaded snapshot is, as the guest read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SnapshotInfo {
    /// The organization.
    pub organization: String,
    /// The revision.
    pub revision: u64,
    /// When it was issued, in seconds since the Unix epoch.
    pub issued_at: u64,
}

/// A resource named in a grant or a request.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Resource {
    /// Its type, such as `billing-group`.
    #[serde(rename = "type")]
    pub resource_type: Arc<str>,
    /// Its id.
    pub id: Arc<str>,
}

/// The assignment that allowed a request.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Grant {
    /// Assignment id.
    pub assignment: Arc<str>,
    /// Role id.
    pub role: Arc<str>,
    /// Scope id.
    pub scope: Arc<str>,
    /// Bound resource, for resource-based roles.
    pub resource: Option<Resource>,
}

/// Why a request was allowed or denied. Serializes as the core's reason does in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Reason {
    /// Allowed by this assignment.
    Granted(Grant),
    /// The permission is not in the catalog.
    UnknownPermission,
    /// The scope is not in the organization.
    UnknownScope,
    /// The user is not in the organization.
    UnknownUser,
    /// No assignment grants it here.
    NoMatchingAssignment,
    /// The user is deactivated.
    UserInactive,
}

/// A decision, as the core makes it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Decision {
    /// Allow or Deny.
    pub allowed: bool,
    /// The revision of the snapshot that decided.
    pub revision: u64,
    /// Why.
    pub reason: Reason,
}

/// "Role R at scope S would grant it."
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleOption {
    /// Role id.
    pub role: String,
    /// Role name.
    pub name: String,
    /// Scope id.
    pub scope: String,
    /// Scope level.
    pub level: ScopeLevel,
    /// Resource, for resource-based roles.
    pub resource: Option<Resource>,
}

/// A decision with its surroundings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// The decision.
    pub decision: Decision,
    /// Every granting assignment.
    pub granting: Vec<Grant>,
    /// The user's assignments with the permission that do not reach here.
    pub elsewhere: Vec<Grant>,
    /// When denied: what would grant it.
    pub would_grant: Vec<RoleOption>,
}

/// A user who may do something, and the assignment that lets them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Holder {
    /// User id.
    pub user: String,
    /// User name.
    pub name: String,
    /// User email.
    pub email: String,
    /// The assignment.
    pub grant: Grant,
}

/// A scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scope {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Level.
    pub level: ScopeLevel,
    /// Parent id.
    pub parent: Option<String>,
}

fn resource(r: Option<rolegate_core::ResourceRef<'_>>) -> Option<Resource> {
    r.map(|r| Resource {
        resource_type: r.resource_type.into(),
        id: r.id.into(),
    })
}

impl From<rolegate_core::Grant<'_>> for Grant {
    fn from(g: rolegate_core::Grant<'_>) -> Grant {
        Grant {
            assignment: g.assignment.into(),
            role: g.role.into(),
            scope: g.scope.into(),
            resource: resource(g.resource),
        }
    }
}

impl From<rolegate_core::Reason<'_>> for Reason {
    fn from(r: rolegate_core::Reason<'_>) -> Reason {
        use rolegate_core::Reason as R;
        match r {
            R::Granted(g) => Reason::Granted(g.into()),
            R::UnknownPermission => Reason::UnknownPermission,
            R::UnknownScope => Reason::UnknownScope,
            R::UnknownUser => Reason::UnknownUser,
            R::NoMatchingAssignment => Reason::NoMatchingAssignment,
            R::UserInactive => Reason::UserInactive,
        }
    }
}

impl From<rolegate_core::Decision<'_>> for Decision {
    fn from(d: rolegate_core::Decision<'_>) -> Decision {
        Decision {
            allowed: d.allowed,
            revision: d.revision,
            reason: d.reason.into(),
        }
    }
}

impl PartialEq<rolegate_core::ResourceRef<'_>> for Resource {
    fn eq(&self, other: &rolegate_core::ResourceRef<'_>) -> bool {
        &*self.resource_type == other.resource_type && &*self.id == other.id
    }
}

impl PartialEq<rolegate_core::Grant<'_>> for Grant {
    fn eq(&self, other: &rolegate_core::Grant<'_>) -> bool {
        &*self.assignment == other.assignment
            && &*self.role == other.role
            && &*self.scope == other.scope
            && match (&self.resource, &other.resource) {
                (Some(a), Some(b)) => a == b,
                (None, None) => true,
                _ => false,
            }
    }
}

impl PartialEq<rolegate_core::Decision<'_>> for Decision {
    fn eq(&self, other: &rolegate_core::Decision<'_>) -> bool {
        use rolegate_core::Reason as R;
        self.allowed == other.allowed
            && self.revision == other.revision
            && match (&self.reason, &other.reason) {
                (Reason::Granted(a), R::Granted(b)) => a == b,
                (Reason::UnknownPermission, R::UnknownPermission)
                | (Reason::UnknownScope, R::UnknownScope)
                | (Reason::UnknownUser, R::UnknownUser)
                | (Reason::NoMatchingAssignment, R::NoMatchingAssignment)
                | (Reason::UserInactive, R::UserInactive) => true,
                _ => false,
            }
    }
}

impl From<rolegate_core::Explanation<'_>> for Explanation {
    fn from(e: rolegate_core::Explanation<'_>) -> Explanation {
        Explanation {
            decision: e.decision.into(),
            granting: e.granting.into_iter().map(Into::into).collect(),
            elsewhere: e.elsewhere.into_iter().map(Into::into).collect(),
            would_grant: e
                .would_grant
                .into_iter()
                .map(|o| RoleOption {
                    role: o.role.to_owned(),
                    name: o.name.to_owned(),
                    scope: o.scope.to_owned(),
                    level: o.level,
                    resource: resource(o.resource),
                })
                .collect(),
        }
    }
}

impl From<rolegate_core::Holder<'_>> for Holder {
    fn from(h: rolegate_core::Holder<'_>) -> Holder {
        Holder {
            user: h.user.id.to_owned(),
            name: h.user.name.to_owned(),
            email: h.user.email.to_owned(),
            grant: h.grant.into(),
        }
    }
}

impl From<rolegate_core::ScopeView<'_>> for Scope {
    fn from(s: rolegate_core::ScopeView<'_>) -> Scope {
        Scope {
            id: s.id.to_owned(),
            name: s.name.to_owned(),
            level: s.level,
            parent: s.parent.map(str::to_owned),
        }
    }
}
