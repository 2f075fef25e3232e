//! The policy document: what an administrator writes (as JSON, through the CLI) and what
//! admin operations edit. [`compile`](crate::compile()) turns it into a snapshot.

use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::model::RoleKind;
use crate::model::ScopeLevel;

/// One organization's policy: its scopes, users, custom roles and role assignments.
///
/// The default role and permission catalog ([`crate::catalog`]) is always part of the
/// policy; `permissions` and `roles` add to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// The policy's revision: every applied change bumps it, and a snapshot carries the
    /// revision it was compiled from.
    #[serde(default)]
    pub revision: u64,
    /// The organization: the root scope and the snapshot's tenant.
    pub organization: Organization,
    /// The organization's accounts.
    #[serde(default)]
    pub accounts: Vec<Account>,
    /// Subaccounts, each under one account.
    #[serde(default)]
    pub subaccounts: Vec<Subaccount>,
    /// Managed users.
    #[serde(default)]
    pub users: Vec<User>,
    /// Permissions beyond the default catalog, for custom products.
    #[serde(default)]
    pub permissions: Vec<String>,
    /// Roles beyond the default catalog.
    #[serde(default)]
    pub roles: Vec<Role>,
    /// Resources that resource-based roles are bound to, such as billing groups.
    #[serde(default)]
    pub resources: Vec<Resource>,
    /// Who holds which role where.
    #[serde(default)]
    pub assignments: Vec<Assignment>,
    /// Organization-wide settings.
    #[serde(default)]
    pub settings: Settings,
}

/// The organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    /// Its id, such as `OR…`.
    pub id: String,
    /// Its display name.
    pub name: String,
}

/// An account of the organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// Its id, such as `AC…`.
    pub id: String,
    /// Its display name.
    pub name: String,
}

/// A subaccount: belongs to one account; subaccounts do not nest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subaccount {
    /// Its id, such as `AC…`.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// The id of the account it belongs to.
    pub account: String,
}

/// A managed user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// Its id, such as `US…`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Email address.
    pub email: String,
    /// The identity provider's id for the user (SCIM `externalId`), when one provisions it.
    /// Unique in the organization; not part of snapshots (no decision depends on it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// `false` once deactivated: every decision for the user is Deny and they may change
    /// nothing, but their assignments stay, ready for reactivation. Written only when false.
    #[serde(default = "active", skip_serializing_if = "is_active")]
    pub active: bool,
}

impl User {
    /// An active user with no external id.
    pub fn new(id: impl Into<String>, name: impl Into<String>, email: impl Into<String>) -> User {
        User {
            id: id.into(),
            name: name.into(),
            email: email.into(),
            external_id: None,
            active: true,
        }
    }
}

fn active() -> bool {
    true
}

// serde's `skip_serializing_if` passes a reference.
#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_active(active: &bool) -> bool {
    *active
}

/// A role: a named bundle of permissions, assignable at the levels its kind allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RoleDocument")]
pub struct Role {
    /// Its id, such as `studio-admin`.
    pub id: String,
    /// Its Twilio SID (`IX…`), for roles an organization brings from Twilio; left out, the
    /// SID is [`sid::role_sid`](crate::sid::role_sid) of the id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// Display name.
    pub name: String,
    /// What the role is for.
    pub description: String,
    /// Organization, general, built-in or resource-based.
    pub kind: RoleKind,
    /// The lowest scope level the role may be assigned at. In a policy file it may be left
    /// out where the kind fixes it (every kind but built-in).
    pub lowest_level: ScopeLevel,
    /// Permission patterns the role grants.
    pub allow: Vec<String>,
    /// Permission patterns removed from this role's own `allow`.
    pub deny: Vec<String>,
    /// For resource-based roles: the resource types it can be bound to.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resource_types: Vec<String>,
}

/// A role as a policy file may write it: `lowest_level` optional where the kind fixes it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleDocument {
    id: String,
    #[serde(default)]
    sid: Option<String>,
    name: String,
    #[serde(default)]
    description: String,
    kind: RoleKind,
    #[serde(default)]
    lowest_level: Option<ScopeLevel>,
    #[serde(default)]
    allow: Vec<String>,
    #[serde(default)]
    deny: Vec<String>,
    #[serde(default)]
    resource_types: Vec<String>,
}

impl TryFrom<RoleDocument> for Role {
    type Error = &'static str;

    fn try_from(r: RoleDocument) -> Result<Role, &'static str> {
        let lowest_level = match (r.lowest_level, r.kind) {
            (Some(level), _) => level,
            (None, RoleKind::BuiltIn) => {
                return Err(
                    "a built-in role needs `lowest_level` (organization, account or subaccount)",
                );
            }
            // Organization and resource-based roles stop at the organization, general roles
            // at the account: the kind says it.
            (None, kind) => kind.highest_level(),
        };
        Ok(Role {
            id: r.id,
            sid: r.sid,
            name: r.name,
            description: r.description,
            kind: r.kind,
            lowest_level,
            allow: r.allow,
            deny: r.deny,
            resource_types: r.resource_types,
        })
    }
}

/// A resource that resource-based roles can be bound to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resource {
    /// Its type, such as `billing-group`.
    #[serde(rename = "type")]
    pub resource_type: String,
    /// Its id, such as `BG…`.
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
}

/// A role given to a user at a scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    /// Its id, such as `RA…`.
    pub id: String,
    /// The user's id.
    pub user: String,
    /// The role's id.
    pub role: String,
    /// The id of the organization, an account or a subaccount.
    pub scope: String,
    /// For resource-based roles: the resource the assignment is bound to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<ResourceKey>,
}

/// Names one resource: its type and id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceKey {
    /// The resource type, such as `billing-group`.
    #[serde(rename = "type")]
    pub resource_type: String,
    /// The resource id, such as `BG…`.
    pub id: String,
}

/// Organization-wide settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Most built-in roles one user may hold across all scopes. Default 25, as in Twilio.
    #[serde(default = "default_built_in_cap")]
    pub max_built_in_roles_per_user: u32,
}

/// Twilio's cap on built-in roles per user.
pub const DEFAULT_BUILT_IN_CAP: u32 = 25;

fn default_built_in_cap() -> u32 {
    DEFAULT_BUILT_IN_CAP
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            max_built_in_roles_per_user: DEFAULT_BUILT_IN_CAP,
        }
    }
}
