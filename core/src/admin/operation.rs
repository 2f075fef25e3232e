//! Admin operations, what they change, and the audit record of an applied one.

use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::policy::{Assignment, ResourceKey, Settings, User};

/// A change to a policy's users or role assignments, as the console makes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Operation {
    /// Give `user` each of `roles` at `scope`; resource-based roles once per resource.
    Assign {
        /// The user.
        user: String,
        /// The organization, an account or a subaccount.
        scope: String,
        /// Role ids.
        roles: Vec<String>,
        /// For resource-based roles: the resources to bind them to.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        resources: Vec<ResourceKey>,
    },
    /// Delete the assignments `user` holds at `scope`: all of them, or one row of the Role
    /// Assignments tab — the plain row (`resource: null`) or one resource's row.
    Unassign {
        /// The user.
        user: String,
        /// The scope.
        scope: String,
        /// Absent: every assignment at the scope; `null`: only those bound to no resource;
        /// a resource: only those bound to it.
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            with = "crate::model::double_option"
        )]
        resource: Option<Option<ResourceKey>>,
    },
    /// Remove one role from `user`'s assignments at `scope` (for one resource, if given).
    RemoveRole {
        /// The user.
        user: String,
        /// The scope.
        scope: String,
        /// The role.
        role: String,
        /// For resource-based roles: only the assignment bound to this resource.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        resource: Option<ResourceKey>,
    },
    /// Make `to` the Owner of `account` in place of its current Owner.
    TransferOwnership {
        /// The account.
        account: String,
        /// The new Owner.
        to: String,
    },
    /// Add a managed user.
    AddUser {
        /// The user.
        user: User,
    },
    /// Change who a user is: name, email, external id, or whether they are active. Fields
    /// left out keep their value. (Read under its earlier name, `rename-user`, too, so audit
    /// logs written before keep their meaning.)
    #[serde(alias = "rename-user")]
    UpdateUser {
        /// The user's id.
        user: String,
        /// The new name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// The new email.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        email: Option<String>,
        /// The new external id; `null` removes it.
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            with = "crate::model::double_option"
        )]
        external_id: Option<Option<String>>,
        /// Deactivate (`false`) or reactivate (`true`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        active: Option<bool>,
    },
    /// Remove a managed user and every assignment they hold.
    RemoveUser {
        /// The user's id.
        user: String,
    },
    /// Replace the organization's settings (such as the built-in role cap).
    UpdateSettings {
        /// The settings from now on.
        settings: Settings,
    },
}

impl Operation {
    /// What the operation does, in words, for messages.
    pub const fn describe(&self) -> &'static str {
        match self {
            Operation::Assign { .. } => "create role assignments",
            Operation::Unassign { .. } => "delete role assignments",
            Operation::RemoveRole { .. } => "edit role assignments",
            Operation::TransferOwnership { .. } => "transfer account ownership",
            Operation::AddUser { .. } => "add users",
            Operation::UpdateUser { .. } => "edit users",
            Operation::RemoveUser { .. } => "remove users",
            Operation::UpdateSettings { .. } => "change settings",
        }
    }
}

/// What an operation changes: assignments removed and added, and the user record before and
/// after (for user operations).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// Assignments the operation deletes.
    pub removed: Vec<Assignment>,
    /// Assignments the operation creates.
    pub added: Vec<Assignment>,
    /// The user record before, for user operations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_before: Option<User>,
    /// The user record after, for user operations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_after: Option<User>,
    /// The settings before, for settings operations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings_before: Option<Settings>,
    /// The settings after, for settings operations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings_after: Option<Settings>,
}

/// An operation tried without applying it: the change it would make and every rule it would
/// break (empty when it would be accepted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DryRun {
    /// The revision the policy would move to.
    pub revision: u64,
    /// The change.
    pub change: Change,
    /// Every reason it would be refused.
    pub violations: Vec<super::AdminError>,
}

/// The record of an applied operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// The policy's revision after the operation.
    pub revision: u64,
    /// When, as the caller said (the core has no clock): seconds since the Unix epoch.
    pub at: u64,
    /// Who.
    pub actor: String,
    /// What was asked.
    pub operation: Operation,
    /// What changed.
    pub change: Change,
}
