//! Why an admin operation was refused.

use alloc::string::String;

use crate::compile_error::{CompileError, Item};

/// One reason an admin operation is refused. Each says who, what and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdminError {
    /// The acting user is not in the organization.
    #[error("acting user `{actor}` is not in the organization")]
    UnknownActor {
        /// The actor.
        actor: String,
    },
    /// The acting user may not perform this kind of operation at all.
    #[error(
        "user `{actor}` may not {operation}: only Organization Owners and Organization Administrators manage users and role assignments"
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
    /// The policy after the change would break one of the policy's rules.
    #[error("{0}")]
    Rule(CompileError),
}
