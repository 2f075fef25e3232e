//! Every rule a policy can break, one variant each.

use alloc::string::String;

use crate::ffi::Code;
use crate::ids::IdProblem;
use crate::model::RoleKind;
use crate::model::ScopeLevel;
use crate::permission::PathProblem;

/// The kinds of item a policy holds, for naming them in errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    /// The organization.
    Organization,
    /// An account.
    Account,
    /// A subaccount.
    Subaccount,
    /// A scope of any level.
    Scope,
    /// A user.
    User,
    /// A role.
    Role,
    /// A resource.
    Resource,
    /// A role assignment.
    Assignment,
}

impl Item {
    /// The item's name in messages.
    pub const fn as_str(self) -> &'static str {
        match self {
            Item::Organization => "organization",
            Item::Account => "account",
            Item::Subaccount => "subaccount",
            Item::Scope => "scope",
            Item::User => "user",
            Item::Role => "role",
            Item::Resource => "resource",
            Item::Assignment => "assignment",
        }
    }
}

impl core::fmt::Display for Item {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a policy did not compile. Each variant is one rule; each names the item and the value
/// at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CompileError {
    /// An id is empty, too long or has whitespace or control characters.
    #[error("{item} id `{id}` {problem}")]
    InvalidId {
        /// What the id names.
        item: Item,
        /// The id (cut to the length limit).
        id: String,
        /// What is wrong with it.
        problem: IdProblem,
    },
    /// A name, email or description is longer than the limit.
    #[error("{item} `{id}`: {field} is longer than {max} bytes", max = crate::limits::MAX_TEXT_LEN)]
    TextTooLong {
        /// What the text belongs to.
        item: Item,
        /// The item's id.
        id: String,
        /// Which field.
        field: &'static str,
    },
    /// Two items share an id. Scope ids are shared by the organization, accounts and
    /// subaccounts; role ids by the default catalog and custom roles.
    #[error("duplicate {item} id `{id}`")]
    DuplicateId {
        /// What the id names.
        item: Item,
        /// The id.
        id: String,
    },
    /// An item refers to something the policy does not have.
    #[error("{item} `{id}` names unknown {target} `{value}`")]
    UnknownReference {
        /// The referring item's kind.
        item: Item,
        /// The referring item's id.
        id: String,
        /// What it refers to.
        target: Item,
        /// The missing id.
        value: String,
    },
    /// A subaccount placed under another subaccount.
    #[error("subaccount `{subaccount}` is under subaccount `{parent}`: subaccounts do not nest")]
    NestedSubaccount {
        /// The subaccount.
        subaccount: String,
        /// The subaccount it names as its account.
        parent: String,
    },
    /// A permission path that is not `product/resource/action`.
    #[error("permission `{permission}` {problem}")]
    InvalidPermission {
        /// The permission.
        permission: String,
        /// What is wrong.
        problem: PathProblem,
    },
    /// A custom permission listed twice (listing one of the default catalog is fine).
    #[error("duplicate permission `{permission}`")]
    DuplicatePermission {
        /// The permission.
        permission: String,
    },
    /// A role pattern that does not parse.
    #[error("role `{role}` pattern `{pattern}` {problem}")]
    InvalidPattern {
        /// The role.
        role: String,
        /// The pattern.
        pattern: String,
        /// What is wrong.
        problem: PathProblem,
    },
    /// A role pattern that matches no permission of the catalog: almost always a typo.
    #[error("role `{role}` pattern `{pattern}` matches no permission in the catalog")]
    PatternMatchesNothing {
        /// The role.
        role: String,
        /// The pattern.
        pattern: String,
    },
    /// A role whose kind does not allow its lowest level.
    #[error("role `{role}` of kind `{kind}` cannot have lowest level `{lowest_level}`")]
    RoleLevelForKind {
        /// The role.
        role: String,
        /// Its kind.
        kind: RoleKind,
        /// Its declared lowest level.
        lowest_level: ScopeLevel,
    },
    /// A resource-based role without resource types, or another role with them.
    #[error("role `{role}` of kind `{kind}` {problem}")]
    RoleResourceTypes {
        /// The role.
        role: String,
        /// Its kind.
        kind: RoleKind,
        /// What is wrong.
        problem: &'static str,
    },
    /// A resource type that is not a plain lowercase segment.
    #[error("resource type `{resource_type}` {problem}")]
    InvalidResourceType {
        /// The type.
        resource_type: String,
        /// What is wrong.
        problem: IdProblem,
    },
    /// A role assigned at a scope level its kind or lowest level does not allow.
    #[error(
        "assignment `{assignment}` gives role `{role}` at {level} `{scope}`, but a {kind} role with lowest level `{lowest_level}` cannot be assigned at the {level} level"
    )]
    LevelNotAllowed {
        /// The assignment.
        assignment: String,
        /// Its role.
        role: String,
        /// The role's kind.
        kind: RoleKind,
        /// The role's lowest level.
        lowest_level: ScopeLevel,
        /// Its scope.
        scope: String,
        /// The scope's level.
        level: ScopeLevel,
    },
    /// A resource-based role assigned without a resource.
    #[error("assignment `{assignment}` gives resource-based role `{role}` without a resource")]
    ResourceRequired {
        /// The assignment.
        assignment: String,
        /// Its role.
        role: String,
    },
    /// A resource named for a role that is not resource-based.
    #[error("assignment `{assignment}` names a resource, but role `{role}` is not resource-based")]
    ResourceNotAllowed {
        /// The assignment.
        assignment: String,
        /// Its role.
        role: String,
    },
    /// A resource of a type the role does not take.
    #[error(
        "assignment `{assignment}` binds role `{role}` to a `{resource_type}`, which is not one of the role's resource types"
    )]
    ResourceTypeNotOfRole {
        /// The assignment.
        assignment: String,
        /// Its role.
        role: String,
        /// The resource's type.
        resource_type: String,
    },
    /// A user holding more built-in roles than the cap.
    #[error("user `{user}` holds {count} built-in roles; the limit is {cap}")]
    BuiltInCapExceeded {
        /// The user.
        user: String,
        /// How many distinct built-in role assignments they hold.
        count: u32,
        /// The policy's cap.
        cap: u32,
    },
    /// An account without exactly one Owner.
    #[error("account `{account}` has {count} Owners; every account has exactly one")]
    OwnerCount {
        /// The account.
        account: String,
        /// How many users hold its Owner role.
        count: usize,
    },
    /// Two users with the same external id (an identity provider's id names one user).
    #[error("users `{first}` and `{second}` share external id `{external_id}`")]
    DuplicateExternalId {
        /// The external id.
        external_id: String,
        /// The first user with it, by id.
        first: String,
        /// Another.
        second: String,
    },
    /// More items than the limits allow.
    #[error("the policy has {count} {what}; the limit is {max}")]
    TooMany {
        /// What was counted.
        what: &'static str,
        /// How many.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// The compiled snapshot could not be encoded (it would exceed the format's limits).
    #[error("the snapshot could not be encoded: {0}")]
    Encode(&'static str),
    /// The compiled snapshot did not decode. A bug in rolegate, reported rather than hidden.
    #[error("the compiled snapshot did not decode: {0}")]
    Decode(crate::snapshot::DecodeError),
}

impl CompileError {
    /// The stable code of the rule broken.
    pub const fn code(&self) -> Code {
        match self {
            CompileError::InvalidId { .. } => Code::InvalidId,
            CompileError::TextTooLong { .. } => Code::TextTooLong,
            CompileError::DuplicateId { .. } => Code::DuplicateId,
            CompileError::UnknownReference { .. } => Code::UnknownReference,
            CompileError::NestedSubaccount { .. } => Code::NestedSubaccount,
            CompileError::InvalidPermission { .. } => Code::InvalidPermission,
            CompileError::DuplicatePermission { .. } => Code::DuplicatePermission,
            CompileError::InvalidPattern { .. } => Code::InvalidPattern,
            CompileError::PatternMatchesNothing { .. } => Code::PatternMatchesNothing,
            CompileError::RoleLevelForKind { .. } => Code::RoleLevelForKind,
            CompileError::RoleResourceTypes { .. } => Code::RoleResourceTypes,
            CompileError::InvalidResourceType { .. } => Code::InvalidResourceType,
            CompileError::LevelNotAllowed { .. } => Code::LevelNotAllowed,
            CompileError::ResourceRequired { .. } => Code::ResourceRequired,
            CompileError::ResourceNotAllowed { .. } => Code::ResourceNotAllowed,
            CompileError::ResourceTypeNotOfRole { .. } => Code::ResourceTypeNotOfRole,
            CompileError::BuiltInCapExceeded { .. } => Code::BuiltInCapExceeded,
            CompileError::OwnerCount { .. } => Code::OwnerCount,
            CompileError::TooMany { .. } => Code::TooMany,
            CompileError::DuplicateExternalId { .. } => Code::DuplicateExternalId,
            CompileError::Encode(_) | CompileError::Decode(_) => Code::Internal,
        }
    }
}
