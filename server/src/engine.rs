//! Every call into `rolegate-core`, in one place.
//!
//! The core's signatures move now and then (signing a slice will name its user, `Trust` gains
//! an explicit unsigned mode, a settings operation is coming): adapting the server to them is
//! meant to be a change to this file only. The rest of the server names core types through
//! the re-exports below and calls the functions here.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use rolegate_core::{
    Account, Assignment, CompileOptions, Item, Organization, Request, Resource, ResourceRef,
    RoleFilter, Subaccount,
};
pub use rolegate_core::{
    AdminError, AuditRecord, Change, CompileError, DecodeError, DeltaError, Operation, Policy,
    QueryError, ResourceKey, RoleKind, ScopeLevel, Settings, SliceError, Snapshot, User,
};

/// The ed25519 key the server signs snapshots and slices with.
#[derive(Clone)]
pub struct SigningKey {
    /// The key id stamped on signatures.
    pub id: String,
    /// The 32-byte secret.
    pub secret: [u8; 32],
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret.
        f.debug_struct("SigningKey").field("id", &self.id).finish()
    }
}

/// The public half of a signing key.
pub fn public_key(secret: &[u8; 32]) -> [u8; 32] {
    rolegate_core::public_key(secret)
}

/// Whether `id` is an id the core accepts (non-empty, bounded, no whitespace or controls).
/// Path and query ids are checked with this before they reach a query.
pub fn valid_id(id: &str) -> bool {
    rolegate_core::ids::check_id(id).is_ok()
}

/// Every rule `policy` breaks; empty when it compiles.
pub fn validate(policy: &Policy) -> Vec<CompileError> {
    rolegate_core::validate(policy)
}

/// The policy compiled and decoded, stamped with `revision` and `issued_at`.
pub fn compile_snapshot(
    policy: &Policy,
    revision: u64,
    issued_at: u64,
) -> Result<Snapshot, CompileError> {
    rolegate_core::compile_snapshot(
        policy,
        &CompileOptions {
            revision,
            issued_at,
        },
    )
}

/// Why a snapshot could not be published.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The policy does not compile (it always should: every change was validated).
    #[error("the policy does not compile: {0}")]
    Compile(#[from] CompileError),
    /// The compiled bytes could not be signed or decoded.
    #[error("the snapshot could not be signed: {0}")]
    Sign(#[from] DecodeError),
    /// A delta could not be computed.
    #[error("the delta could not be computed: {0}")]
    Delta(#[from] DeltaError),
    /// A slice could not be made.
    #[error("{0}")]
    Slice(#[from] SliceError),
}

/// Compiles `policy` at `revision`, issued at `issued_at`, signed with `key`.
pub fn compile_signed(
    policy: &Policy,
    revision: u64,
    issued_at: u64,
    key: &SigningKey,
) -> Result<Vec<u8>, PublishError> {
    let bytes = rolegate_core::compile(
        policy,
        &CompileOptions {
            revision,
            issued_at,
        },
    )?;
    Ok(rolegate_core::sign(&bytes, &key.id, &key.secret)?)
}

/// Decodes snapshot bytes (any bytes: a snapshot or a typed error).
pub fn decode(bytes: &[u8]) -> Result<Snapshot, DecodeError> {
    Snapshot::decode(bytes)
}

/// The delta that rebuilds `new` from `old`.
pub fn diff(old: &[u8], new: &[u8]) -> Result<Vec<u8>, DeltaError> {
    rolegate_core::diff(old, new)
}

/// `user`'s signed slice of `snapshot`.
pub fn slice_signed(
    snapshot: &Snapshot,
    user: &str,
    key: &SigningKey,
) -> Result<Vec<u8>, PublishError> {
    let bytes = snapshot.slice(user)?;
    Ok(rolegate_core::sign(&bytes, &key.id, &key.secret)?)
}

// ---- admin operations ----

/// Whether any text in `value` holds a NUL character. PostgreSQL cannot store one in TEXT
/// (SQLite can), and the core accepts it in names and emails: such input is refused up
/// front, so both databases accept exactly the same operations.
pub fn has_nul<T: Serialize>(value: &T) -> bool {
    serde_json::to_string(value).is_ok_and(|s| s.contains("\\u0000"))
}

/// An applied operation: the new policy and what changed.
#[derive(Debug, Clone)]
pub struct Applied {
    /// The policy after the operation (its revision bumped by one).
    pub policy: Policy,
    /// The core's audit record.
    pub record: AuditRecord,
}

/// Why an operation was refused.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Refusal {
    /// A rule of the core refused it.
    #[error("{0}")]
    Rule(AdminError),
    /// The core's change does not account for the whole difference between the policies
    /// before and after: writing it would make the database disagree with the core.
    #[error("operation `{0}` changes more than its change record says; refusing to store it")]
    Incomplete(&'static str),
}

/// Whether a violation is about who may act at all. Such a refusal is reported alone: an
/// actor who may not manage the organization learns nothing else about it.
fn is_authorization(e: &AdminError) -> bool {
    matches!(
        e,
        AdminError::NotAuthorized { .. } | AdminError::UnknownActor { .. }
    )
}

/// Applies `operation` by `actor` at `at` (Unix seconds).
pub fn apply(
    policy: &Policy,
    actor: &str,
    operation: &Operation,
    at: u64,
) -> Result<Applied, Refusal> {
    match rolegate_core::apply(policy, actor, operation, at) {
        Ok(applied) => {
            let expected = with_change(policy, &applied.record.change);
            if !same_state(&expected, &applied.policy) {
                return Err(Refusal::Incomplete(operation.describe()));
            }
            Ok(Applied {
                policy: applied.policy,
                record: applied.record,
            })
        }
        Err(first) => {
            // The core reports the first violation, which may be about the operation's
            // subject; when the actor may not act at all, say only that.
            let dry = rolegate_core::dry_run(policy, actor, operation);
            let refusal = dry
                .violations
                .into_iter()
                .find(is_authorization)
                .unwrap_or(first);
            Err(Refusal::Rule(refusal))
        }
    }
}

/// A dry run, ready to serialize.
#[derive(Debug, Clone, Serialize)]
pub struct DryRunView {
    /// The revision the organization would move to.
    pub revision: u64,
    /// Whether the operation would be applied.
    pub accepted: bool,
    /// The change it would make (empty when the actor may not act at all).
    pub change: Change,
    /// Every rule it would break, with the codes the API's errors use.
    pub violations: Vec<Violation>,
}

/// One broken rule.
#[derive(Debug, Clone, Serialize)]
pub struct Violation {
    /// The stable code.
    pub code: &'static str,
    /// The message.
    pub message: String,
}

/// Tries `operation` by `actor` without changing anything.
pub fn dry_run(policy: &Policy, actor: &str, operation: &Operation) -> DryRunView {
    let dry = rolegate_core::dry_run(policy, actor, operation);
    let violations: Vec<AdminError> = match dry.violations.iter().find(|e| is_authorization(e)) {
        Some(auth) => vec![auth.clone()],
        None => dry.violations,
    };
    let hide = violations.iter().any(is_authorization);
    DryRunView {
        revision: dry.revision,
        accepted: violations.is_empty(),
        change: if hide { Change::default() } else { dry.change },
        violations: violations
            .iter()
            .map(|e| Violation {
                code: admin_code(e),
                message: e.to_string(),
            })
            .collect(),
    }
}

/// `policy` with `change` applied, the way the store applies it to its tables.
pub fn with_change(policy: &Policy, change: &Change) -> Policy {
    let mut after = policy.clone();
    after.revision = policy.revision.saturating_add(1);
    after
        .assignments
        .retain(|a| !change.removed.iter().any(|r| r.id == a.id));
    match (&change.user_before, &change.user_after) {
        (Some(before), None) => after.users.retain(|u| u.id != before.id),
        (None, Some(new)) => after.users.push(new.clone()),
        (Some(_), Some(new)) => {
            if let Some(u) = after.users.iter_mut().find(|u| u.id == new.id) {
                *u = new.clone();
            }
        }
        (None, None) => {}
    }
    after.assignments.extend(change.added.iter().cloned());
    after
}

/// Whether two policies hold the same state, whatever the order of their lists.
pub fn same_state(a: &Policy, b: &Policy) -> bool {
    normalized(a) == normalized(b)
}

fn normalized(p: &Policy) -> Policy {
    let mut p = p.clone();
    p.accounts.sort_by(|x, y| x.id.cmp(&y.id));
    p.subaccounts.sort_by(|x, y| x.id.cmp(&y.id));
    p.users.sort_by(|x, y| x.id.cmp(&y.id));
    p.permissions.sort();
    p.roles.sort_by(|x, y| x.id.cmp(&y.id));
    p.resources
        .sort_by(|x, y| (&x.resource_type, &x.id).cmp(&(&y.resource_type, &y.id)));
    p.assignments.sort_by(|x, y| x.id.cmp(&y.id));
    p
}

/// The stable, kebab-case code of an admin refusal. The core has no `code()` for
/// `AdminError` and `CompileError` yet; this is the one place that names them.
pub fn admin_code(e: &AdminError) -> &'static str {
    match e {
        AdminError::UnknownActor { .. } | AdminError::NotAuthorized { .. } => "not-authorized",
        AdminError::MorePowerful { .. } => "more-powerful-role",
        AdminError::LastOrganizationOwner { .. } => "last-organization-owner",
        AdminError::AccountOwnerProtected { .. } => "account-owner-protected",
        AdminError::Unknown { item, .. } => unknown_code(*item),
        AdminError::AlreadyAssigned { .. } => "already-assigned",
        AdminError::NothingToRemove { .. } => "nothing-to-remove",
        AdminError::NoRoles { .. } => "no-roles",
        AdminError::UnexpectedResources { .. } => "unexpected-resources",
        AdminError::NotAnAccount { .. } => "not-an-account",
        AdminError::AlreadyOwner { .. } => "already-owner",
        AdminError::UserExists { .. } => "user-exists",
        AdminError::Rule(rule) => compile_code(rule),
    }
}

fn unknown_code(item: Item) -> &'static str {
    match item {
        Item::Organization => "unknown-organization",
        Item::Account => "unknown-account",
        Item::Subaccount => "unknown-subaccount",
        Item::Scope => "unknown-scope",
        Item::User => "unknown-user",
        Item::Role => "unknown-role",
        Item::Resource => "unknown-resource",
        Item::Assignment => "unknown-assignment",
    }
}

/// The stable code of a broken policy rule.
pub fn compile_code(e: &CompileError) -> &'static str {
    match e {
        CompileError::InvalidId { .. } => "invalid-id",
        CompileError::TextTooLong { .. } => "text-too-long",
        CompileError::DuplicateId { .. } => "duplicate-id",
        CompileError::UnknownReference { .. } => "unknown-reference",
        CompileError::NestedSubaccount { .. } => "nested-subaccount",
        CompileError::InvalidPermission { .. } => "invalid-permission",
        CompileError::DuplicatePermission { .. } => "duplicate-permission",
        CompileError::InvalidPattern { .. } => "invalid-pattern",
        CompileError::PatternMatchesNothing { .. } => "pattern-matches-nothing",
        CompileError::RoleLevelForKind { .. } => "role-level-for-kind",
        CompileError::RoleResourceTypes { .. } => "role-resource-types",
        CompileError::InvalidResourceType { .. } => "invalid-resource-type",
        CompileError::LevelNotAllowed { .. } => "level-not-allowed",
        CompileError::ResourceRequired { .. } => "resource-required",
        CompileError::ResourceNotAllowed { .. } => "resource-not-allowed",
        CompileError::ResourceTypeNotOfRole { .. } => "resource-type-not-of-role",
        CompileError::BuiltInCapExceeded { .. } => "built-in-cap-exceeded",
        CompileError::OwnerCount { .. } => "owner-count",
        CompileError::TooMany { .. } => "too-many",
        CompileError::Encode(_) => "snapshot-encode",
        CompileError::Decode(d) => d.code(),
    }
}

/// The stable code of a decode error.
pub fn decode_code(e: &DecodeError) -> &'static str {
    e.code()
}

/// The stable code of a query error.
pub fn query_code(e: &QueryError) -> &'static str {
    e.code()
}

/// Whether a refusal is about authorization (403) rather than the organization's rules.
pub fn refusal_is_authorization(e: &AdminError) -> bool {
    is_authorization(e) || matches!(e, AdminError::MorePowerful { .. })
}

/// Whether a refusal protects the organization's current state (409) rather than rejecting
/// a request that could never be valid (422).
pub fn refusal_is_conflict(e: &AdminError) -> bool {
    matches!(
        e,
        AdminError::LastOrganizationOwner { .. }
            | AdminError::AccountOwnerProtected { .. }
            | AdminError::AlreadyAssigned { .. }
            | AdminError::NothingToRemove { .. }
            | AdminError::AlreadyOwner { .. }
            | AdminError::UserExists { .. }
            | AdminError::Rule(CompileError::BuiltInCapExceeded { .. })
            | AdminError::Rule(CompileError::OwnerCount { .. })
    )
}

// ---- the policy's parts, for the store ----

/// A scope row: an account (no parent) or a subaccount (its account).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeRow {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// The account a subaccount belongs to.
    pub parent: Option<String>,
}

/// An assignment row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentRow {
    /// Id.
    pub id: String,
    /// User id.
    pub user: String,
    /// Role id.
    pub role: String,
    /// Scope id.
    pub scope: String,
    /// Resource (type, id).
    pub resource: Option<(String, String)>,
}

/// A resource row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceRow {
    /// Type.
    pub resource_type: String,
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
}

/// A policy taken apart into the store's rows.
#[derive(Debug, Clone)]
pub struct PolicyRows {
    /// The organization's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Settings as JSON.
    pub settings: String,
    /// Custom permissions as a JSON array.
    pub permissions: String,
    /// Accounts and subaccounts.
    pub scopes: Vec<ScopeRow>,
    /// Users.
    pub users: Vec<User>,
    /// Custom roles: (id, JSON definition).
    pub roles: Vec<(String, String)>,
    /// Resources.
    pub resources: Vec<ResourceRow>,
    /// Assignments.
    pub assignments: Vec<AssignmentRow>,
}

/// Why stored rows do not make a policy.
#[derive(Debug, thiserror::Error)]
pub enum RowsError {
    /// A JSON column does not parse.
    #[error("stored {what} of organization `{organization}` does not parse: {source}")]
    Json {
        /// Which column.
        what: &'static str,
        /// The organization.
        organization: String,
        /// Why.
        source: serde_json::Error,
    },
}

/// An assignment as the store keeps it.
pub fn assignment_row(a: &Assignment) -> AssignmentRow {
    AssignmentRow {
        id: a.id.clone(),
        user: a.user.clone(),
        role: a.role.clone(),
        scope: a.scope.clone(),
        resource: a
            .resource
            .as_ref()
            .map(|r| (r.resource_type.clone(), r.id.clone())),
    }
}

/// Takes `policy` apart into rows.
pub fn to_rows(policy: &Policy) -> Result<PolicyRows, serde_json::Error> {
    let mut scopes: Vec<ScopeRow> = policy
        .accounts
        .iter()
        .map(|a| ScopeRow {
            id: a.id.clone(),
            name: a.name.clone(),
            parent: None,
        })
        .collect();
    scopes.extend(policy.subaccounts.iter().map(|s| ScopeRow {
        id: s.id.clone(),
        name: s.name.clone(),
        parent: Some(s.account.clone()),
    }));
    Ok(PolicyRows {
        id: policy.organization.id.clone(),
        name: policy.organization.name.clone(),
        settings: serde_json::to_string(&policy.settings)?,
        permissions: serde_json::to_string(&policy.permissions)?,
        scopes,
        users: policy.users.clone(),
        roles: policy
            .roles
            .iter()
            .map(|r| Ok((r.id.clone(), serde_json::to_string(r)?)))
            .collect::<Result<_, serde_json::Error>>()?,
        resources: policy
            .resources
            .iter()
            .map(|r| ResourceRow {
                resource_type: r.resource_type.clone(),
                id: r.id.clone(),
                name: r.name.clone(),
            })
            .collect(),
        assignments: policy.assignments.iter().map(assignment_row).collect(),
    })
}

/// Puts a policy together from rows, at `revision`.
pub fn from_rows(rows: PolicyRows, revision: u64) -> Result<Policy, RowsError> {
    let json = |what: &'static str, organization: &str, source| RowsError::Json {
        what,
        organization: organization.to_string(),
        source,
    };
    let settings: Settings =
        serde_json::from_str(&rows.settings).map_err(|e| json("settings", &rows.id, e))?;
    let permissions: Vec<String> =
        serde_json::from_str(&rows.permissions).map_err(|e| json("permissions", &rows.id, e))?;
    let roles = rows
        .roles
        .iter()
        .map(|(_, definition)| serde_json::from_str(definition))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| json("role", &rows.id, e))?;
    let mut accounts = Vec::new();
    let mut subaccounts = Vec::new();
    for s in rows.scopes {
        match s.parent {
            None => accounts.push(Account {
                id: s.id,
                name: s.name,
            }),
            Some(account) => subaccounts.push(Subaccount {
                id: s.id,
                name: s.name,
                account,
            }),
        }
    }
    Ok(Policy {
        revision,
        organization: Organization {
            id: rows.id,
            name: rows.name,
        },
        accounts,
        subaccounts,
        users: rows.users,
        permissions,
        roles,
        resources: rows
            .resources
            .into_iter()
            .map(|r| Resource {
                resource_type: r.resource_type,
                id: r.id,
                name: r.name,
            })
            .collect(),
        assignments: rows
            .assignments
            .into_iter()
            .map(|a| Assignment {
                id: a.id,
                user: a.user,
                role: a.role,
                scope: a.scope,
                resource: a
                    .resource
                    .map(|(resource_type, id)| ResourceKey { resource_type, id }),
            })
            .collect(),
        settings,
    })
}

/// The users holding Organization Owner, by id.
pub fn organization_owners(policy: &Policy) -> Vec<String> {
    let mut owners: Vec<String> = policy
        .assignments
        .iter()
        .filter(|a| {
            a.role == rolegate_core::catalog::ORGANIZATION_OWNER
                && a.scope == policy.organization.id
        })
        .map(|a| a.user.clone())
        .collect();
    owners.sort();
    owners
}

// ---- questions, answered from a compiled snapshot ----

/// Whether `user` holds Organization Owner or Organization Administrator.
pub fn is_organization_manager(snapshot: &Snapshot, user: &str) -> bool {
    let org = snapshot.organization();
    snapshot.user_assignments(user).is_some_and(|held| {
        held.iter().any(|a| {
            a.scope == org
                && (a.role == rolegate_core::catalog::ORGANIZATION_OWNER
                    || a.role == rolegate_core::catalog::ORGANIZATION_ADMINISTRATOR)
        })
    })
}

/// Serializes a core value (views, decisions) to JSON.
fn json(value: impl Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Directory search: users matching `query`, each with their assignment rows.
pub fn search_users(snapshot: &Snapshot, query: &str) -> Vec<Value> {
    snapshot.search_users(query).into_iter().map(json).collect()
}

/// One user's directory entry: assignments grouped by scope.
pub fn directory_entry(snapshot: &Snapshot, user: &str) -> Option<Value> {
    snapshot.directory_entry(user).map(json)
}

/// The role catalog, filtered.
pub fn find_roles(
    snapshot: &Snapshot,
    kind: Option<RoleKind>,
    product: Option<&str>,
    level: Option<ScopeLevel>,
) -> Vec<Value> {
    snapshot
        .find_roles(&RoleFilter {
            kind,
            product,
            level,
        })
        .into_iter()
        .map(json)
        .collect()
}

/// One role with its permissions expanded.
pub fn role_details(snapshot: &Snapshot, role: &str) -> Option<Value> {
    snapshot.role_details(role).map(json)
}

/// A decision request as the API takes it.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// The user.
    pub user: String,
    /// The permission.
    pub permission: String,
    /// The scope.
    pub scope: String,
    /// The resource, for resource-based roles.
    #[serde(default)]
    pub resource: Option<ResourceKey>,
}

impl Question {
    fn request(&self) -> Request<'_> {
        let base = Request::new(&self.user, &self.permission, &self.scope);
        match &self.resource {
            Some(r) => base.on(&r.resource_type, &r.id),
            None => base,
        }
    }
}

fn resource_ref(resource: Option<&ResourceKey>) -> Option<ResourceRef<'_>> {
    resource.map(|r| ResourceRef {
        resource_type: &r.resource_type,
        id: &r.id,
    })
}

/// The decision, as JSON (`{allowed, revision, reason}`).
pub fn check(snapshot: &Snapshot, question: &Question) -> Value {
    json(snapshot.check(&question.request()))
}

/// The decision with its surroundings.
pub fn explain(snapshot: &Snapshot, question: &Question) -> Value {
    json(snapshot.explain(&question.request()))
}

/// A user's effective permissions at a scope.
pub fn effective_permissions(
    snapshot: &Snapshot,
    user: &str,
    scope: &str,
    resource: Option<&ResourceKey>,
) -> Result<Vec<String>, QueryError> {
    Ok(snapshot
        .effective_permissions(user, scope, resource_ref(resource))?
        .into_iter()
        .map(str::to_string)
        .collect())
}

/// Who may do `permission` at `scope`.
pub fn who_can(
    snapshot: &Snapshot,
    permission: &str,
    scope: &str,
    resource: Option<&ResourceKey>,
) -> Result<Vec<Value>, QueryError> {
    Ok(snapshot
        .who_can(permission, scope, resource_ref(resource))?
        .into_iter()
        .map(json)
        .collect())
}

/// Every scope where `user` has `permission`.
pub fn scopes_with(
    snapshot: &Snapshot,
    user: &str,
    permission: &str,
    resource: Option<&ResourceKey>,
) -> Result<Vec<Value>, QueryError> {
    Ok(snapshot
        .scopes_with(user, permission, resource_ref(resource))?
        .into_iter()
        .map(json)
        .collect())
}

/// Counts of a policy's parts, for import audit records.
pub fn counts(policy: &Policy) -> BTreeMap<&'static str, usize> {
    BTreeMap::from([
        ("accounts", policy.accounts.len()),
        ("subaccounts", policy.subaccounts.len()),
        ("users", policy.users.len()),
        ("roles", policy.roles.len()),
        ("resources", policy.resources.len()),
        ("assignments", policy.assignments.len()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acme() -> Policy {
        serde_json::from_str(crate::serve::DEMO_POLICY).unwrap()
    }

    #[test]
    fn rows_round_trip() {
        let p = acme();
        let back = from_rows(to_rows(&p).unwrap(), p.revision).unwrap();
        assert!(same_state(&p, &back));
    }

    #[test]
    fn the_change_accounts_for_every_applied_operation() {
        let p = acme();
        let owner = organization_owners(&p).remove(0);
        let ops = [
            Operation::RemoveUser {
                user: "US21cb4e4be93c09542ffa73b2b5cb95ea".into(),
            },
            Operation::RenameUser {
                user: "US21cb4e4be93c09542ffa73b2b5cb95ea".into(),
                name: "D".into(),
                email: Some("d@x".into()),
            },
            Operation::TransferOwnership {
                account: "ACc769c2bd15500dd906102d9be97fdceb".into(),
                to: "US21cb4e4be93c09542ffa73b2b5cb95ea".into(),
            },
        ];
        for op in &ops {
            let applied = apply(&p, &owner, op, 1).unwrap();
            assert!(same_state(
                &with_change(&p, &applied.record.change),
                &applied.policy
            ));
        }
    }

    #[test]
    fn an_unauthorized_actor_hears_only_that() {
        let p = acme();
        let op = Operation::RemoveUser {
            user: "USnobody".into(),
        };
        let dana = "US21cb4e4be93c09542ffa73b2b5cb95ea";
        match apply(&p, dana, &op, 1) {
            Err(Refusal::Rule(e)) => assert_eq!(admin_code(&e), "not-authorized"),
            other => panic!("{other:?}"),
        }
        let dry = dry_run(&p, dana, &op);
        assert_eq!(dry.violations.len(), 1);
        assert!(!dry.accepted);
    }

    #[test]
    fn nul_is_found_in_any_text() {
        let op = Operation::RenameUser {
            user: "US1".into(),
            name: "a\u{0}b".into(),
            email: None,
        };
        assert!(has_nul(&op));
        assert!(!has_nul(&acme()));
    }
}
