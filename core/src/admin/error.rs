//! Why an admin operation was refused.

use alloc::string::String;

use crate::compile::{CompileError, Item};
use crate::ffi::Code;

/// One reason an admin operation is refused. Each says who, what and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AdminError {
    /// The acting user may not perform this kind of operation at all — or is not in the
    /// organization: the two are told apart to nobody, so a refusal reveals nothing.
    #[error(
        "not authorized: user `{actor}` may not {operation}; only Organization Owners and Organization Administrators manage users, role assignments and settings"
    )]
    NotAuthorized {
        /// The actor.
        actor: String,
        /// What they tried, in words.
        operation: &'static str,
    },
    /// The acting user tried to grant or remove a role that can do more than they can there.
    #[error(
        "user `{actor}` cannot {verb} role `{role}` at `{scope}`: it grants `{permission}`, which `{actor}` does not hold there"
    )]
    MorePowerful {
        /// The actor.
        actor: String,
        /// `grant` or `remove`.
        verb: &'static str,
        /// The role.
        role: String,
        /// The scope of the assignment.
        scope: String,
        /// A permission of the role the actor lacks at that scope.
        permission: String,
    },
    /// The acting user tried to edit a user who holds a role that can do more than they can.
    #[error(
        "user `{actor}` cannot edit user `{user}`: they hold role `{role}` at `{scope}`, which grants `{permission}`, which `{actor}` does not hold there"
    )]
    MorePowerfulUser {
        /// The actor.
        actor: String,
        /// The user edited.
        user: String,
        /// A role the user holds.
        role: String,
        /// Where.
        scope: String,
        /// A permission of the role the actor lacks at that scope.
        permission: String,
    },
    /// The change would leave the organization without an Organization Owner.
    #[error("user `{user}` is the last Organization Owner; the organization must keep one")]
    LastOrganizationOwner {
        /// The last owner.
        user: String,
    },
    /// Assignment management cannot delete an account's Owner assignment.
    #[error(
        "the Owner of account `{account}` (user `{user}`) cannot be removed here; transfer the account's ownership instead"
    )]
    AccountOwnerProtected {
        /// The account.
        account: String,
        /// Its Owner.
        user: String,
    },
    /// Something the operation names does not exist.
    #[error("unknown {item} `{id}`")]
    Unknown {
        /// What kind of thing.
        item: Item,
        /// Its id.
        id: String,
    },
    /// The user already holds this role at this scope (for this resource).
    #[error("user `{user}` already holds role `{role}` at `{scope}`")]
    AlreadyAssigned {
        /// The user.
        user: String,
        /// The role.
        role: String,
        /// The scope.
        scope: String,
    },
    /// There is nothing to delete.
    #[error("user `{user}` holds no {what} at `{scope}`")]
    NothingToRemove {
        /// The user.
        user: String,
        /// What was asked for (`assignments`, or a role).
        what: String,
        /// The scope.
        scope: String,
    },
    /// An assignment was asked for with no roles.
    #[error("no roles given to assign to user `{user}`")]
    NoRoles {
        /// The user.
        user: String,
    },
    /// Resources were given but none of the roles is resource-based.
    #[error("resources were given, but none of the roles assigned to `{user}` is resource-based")]
    UnexpectedResources {
        /// The user.
        user: String,
    },
    /// Ownership can only be transferred for an account.
    #[error("`{scope}` is not an account; only accounts have Owners")]
    NotAnAccount {
        /// The scope.
        scope: String,
    },
    /// The user already owns the account.
    #[error("user `{user}` already owns account `{account}`")]
    AlreadyOwner {
        /// The account.
        account: String,
        /// The user.
        user: String,
    },
    /// A user with this id already exists.
    #[error("user `{user}` already exists")]
    UserExists {
        /// The id.
        user: String,
    },
    /// Another user already has this email or external id.
    #[error("{field} `{value}` already belongs to user `{user}`")]
    IdentityTaken {
        /// `email` or `external id`.
        field: &'static str,
        /// The value.
        value: String,
        /// The user who has it.
        user: String,
    },
    /// The same role named twice in one operation.
    #[error("role `{role}` is named more than once")]
    DuplicateRole {
        /// The role.
        role: String,
    },
    /// The organization's revision cannot go higher: no further change can be published.
    #[error("revision {revision} is the last one a policy can have")]
    RevisionExhausted {
        /// The current revision.
        revision: u64,
    },
    /// The policy after the change would break one of the policy's rules.
    #[error("{0}")]
    Rule(CompileError),
}

impl AdminError {
    /// The stable code of the rule broken.
    pub const fn code(&self) -> Code {
        match self {
            AdminError::NotAuthorized { .. } => Code::NotAuthorized,
            AdminError::MorePowerful { .. } | AdminError::MorePowerfulUser { .. } => {
                Code::MorePowerful
            }
            AdminError::LastOrganizationOwner { .. } => Code::LastOrganizationOwner,
            AdminError::AccountOwnerProtected { .. } => Code::AccountOwnerProtected,
            AdminError::Unknown { item, .. } => match item {
                Item::User => Code::UnknownUser,
                Item::Role => Code::UnknownRole,
                Item::Resource => Code::UnknownResource,
                Item::Assignment => Code::UnknownAssignment,
                Item::Organization | Item::Account | Item::Subaccount | Item::Scope => {
                    Code::UnknownScope
                }
            },
            AdminError::AlreadyAssigned { .. } => Code::AlreadyAssigned,
            AdminError::NothingToRemove { .. } => Code::NothingToRemove,
            AdminError::NoRoles { .. } => Code::NoRoles,
            AdminError::UnexpectedResources { .. } => Code::UnexpectedResources,
            AdminError::NotAnAccount { .. } => Code::NotAnAccount,
            AdminError::AlreadyOwner { .. } => Code::AlreadyOwner,
            AdminError::UserExists { .. } => Code::UserExists,
            AdminError::IdentityTaken { .. } => Code::IdentityTaken,
            AdminError::DuplicateRole { .. } => Code::DuplicateRole,
            AdminError::RevisionExhausted { .. } => Code::RevisionExhausted,
            AdminError::Rule(e) => e.code(),
        }
    }

    /// Whether the operation was refused because of who asked, rather than what was asked:
    /// such a refusal says nothing else.
    pub const fn is_authorization(&self) -> bool {
        matches!(self, AdminError::NotAuthorized { .. })
    }
}
