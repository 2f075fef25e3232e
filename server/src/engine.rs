//! Every call into `rolegate-core`, in one place.
//!
//! Adapting the server to a change of the core's signatures is meant to be a change to this
//! file only: the rest of the server names core types through the re-exports below and calls
//! the functions here.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

pub use rolegate_core::ffi::Code;
pub use rolegate_core::{
    AdminError, Assignment, AuditRecord, Change, CompileError, DecodeError, DeltaError, LivePolicy,
    Operation, Policy, QueryError, ResourceKey, RoleKind, ScopeLevel, Settings, SliceError,
    Snapshot, User,
};
use rolegate_core::{CompileOptions, Request, ResourceRef, RoleFilter, SigningKeyRef};

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

/// `live`'s policy compiled at its revision, issued at `issued_at`, signed with `key`: the
/// same bytes as [`rolegate_core::compile_signed`], patched from the live policy's last compile when only
/// users' records changed since.
pub fn compile_live(
    live: &mut LivePolicy,
    issued_at: u64,
    key: &SigningKey,
) -> Result<Vec<u8>, PublishError> {
    let revision = live.revision();
    Ok(live.compile_signed(
        &CompileOptions {
            revision,
            issued_at,
        },
        SigningKeyRef {
            id: &key.id,
            secret: &key.secret,
        },
    )?)
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

/// Why an operation was refused.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Refusal {
    /// A rule of the core refused it.
    #[error("{0}")]
    Rule(AdminError),
}

/// Judges `operation` by `actor` at `at` (Unix seconds) on the organization's live policy,
/// changing nothing: the audit record of the change to commit, or the first rule it breaks.
/// (The core judges who asks first: an actor who may not act hears only that.)
pub fn judge(
    live: &LivePolicy,
    actor: &str,
    operation: &Operation,
    at: u64,
) -> Result<AuditRecord, Refusal> {
    let dry = live.dry_run(actor, operation);
    if let Some(first) = dry.violations.into_iter().next() {
        return Err(Refusal::Rule(first));
    }
    Ok(AuditRecord {
        revision: dry.revision,
        at,
        actor: actor.to_string(),
        operation: operation.clone(),
        change: dry.change,
    })
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

/// Tries `operation` by `actor` on the live policy without changing anything. (A refused
/// actor's dry run holds only that refusal and no change: the core sees to it.)
pub fn dry_run(live: &LivePolicy, actor: &str, operation: &Operation) -> DryRunView {
    let dry = live.dry_run(actor, operation);
    DryRunView {
        revision: dry.revision,
        accepted: dry.violations.is_empty(),
        change: dry.change,
        violations: dry
            .violations
            .iter()
            .map(|e| Violation {
                code: e.code().as_str(),
                message: e.to_string(),
            })
            .collect(),
    }
}

/// Whether a refusal is about who asked (403) rather than the organization's rules.
pub fn refusal_is_authorization(e: &AdminError) -> bool {
    matches!(e.code(), Code::NotAuthorized | Code::MorePowerful)
}

/// Whether a refusal protects the organization's current state (409) rather than rejecting
/// a request that could never be valid (422).
pub fn refusal_is_conflict(e: &AdminError) -> bool {
    matches!(
        e.code(),
        Code::LastOrganizationOwner
            | Code::AccountOwnerProtected
            | Code::AlreadyAssigned
            | Code::NothingToRemove
            | Code::AlreadyOwner
            | Code::UserExists
            | Code::IdentityTaken
            | Code::BuiltInCapExceeded
            | Code::OwnerCount
            | Code::RevisionExhausted
    )
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

/// Whether `id` is the organization, one of its accounts or one of its subaccounts.
pub fn is_scope(policy: &Policy, id: &str) -> bool {
    policy.organization.id == id
        || policy.accounts.iter().any(|a| a.id == id)
        || policy.subaccounts.iter().any(|s| s.id == id)
}

/// The user holding `account`'s Owner role, if any.
pub fn account_owner<'p>(policy: &'p Policy, account: &str) -> Option<&'p str> {
    policy
        .assignments
        .iter()
        .find(|a| a.role == rolegate_core::catalog::ACCOUNT_OWNER && a.scope == account)
        .map(|a| a.user.as_str())
}

// ---- questions, answered from a compiled snapshot ----

/// Whether `user` is active and holds Organization Owner or Organization Administrator.
pub fn is_organization_manager(snapshot: &Snapshot, user: &str) -> bool {
    let org = snapshot.organization();
    let active = snapshot.user(user).is_some_and(|u| u.active);
    active
        && snapshot.user_assignments(user).is_some_and(|held| {
            held.iter().any(|a| {
                a.scope == org
                    && (a.role == rolegate_core::catalog::ORGANIZATION_OWNER
                        || a.role == rolegate_core::catalog::ORGANIZATION_ADMINISTRATOR)
            })
        })
}

/// Whether `user` may sign in to the console: an active user of the organization.
pub fn may_sign_in(policy: &Policy, user: &str) -> bool {
    policy.users.iter().any(|u| u.id == user && u.active)
}

/// The permission reading the organization's directory (users, their assignments, the
/// audit log) needs, at the organization's scope.
pub const DIRECTORY_PERMISSION: &str = "iam/users/read";

/// Whether `user` may read the organization's directory.
pub fn may_read_directory(snapshot: &Snapshot, user: &str) -> bool {
    snapshot.can(&Request::new(
        user,
        DIRECTORY_PERMISSION,
        snapshot.organization(),
    ))
}

/// `user`'s roles as short phrases (`Developer @ Staging`), for the demo sign-in picker.
pub fn role_summary(snapshot: &Snapshot, user: &str) -> Vec<String> {
    snapshot
        .directory_entry(user)
        .map(|entry| {
            entry
                .rows
                .iter()
                .flat_map(|row| {
                    row.roles
                        .iter()
                        .map(move |r| format!("{} @ {}", r.name, row.scope.name))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Serializes a core value (views, decisions) to JSON.
fn json(value: impl Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// One page of a directory search (`query` over the five fields, optionally only holders
/// of `role`): how many users match in all, and the page's entries with their rows.
pub fn search_users(
    snapshot: &Snapshot,
    query: &str,
    role: Option<&str>,
    skip: usize,
    take: usize,
) -> (usize, Vec<Value>) {
    let page = snapshot.search(&rolegate_core::UserSearch {
        query,
        role,
        skip,
        take,
    });
    (page.total, page.users.into_iter().map(json).collect())
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
        .roles_matching(&RoleFilter {
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
    fn the_change_accounts_for_every_applied_operation() {
        let p = acme();
        let owner = organization_owners(&p).remove(0);
        let ops = [
            Operation::RemoveUser {
                user: "US21cb4e4be93c09542ffa73b2b5cb95ea".into(),
            },
            Operation::UpdateUser {
                user: "US21cb4e4be93c09542ffa73b2b5cb95ea".into(),
                name: Some("D".into()),
                email: Some("d@x".into()),
                external_id: Some(Some("okta-123".into())),
                active: Some(false),
            },
            Operation::TransferOwnership {
                account: "ACc769c2bd15500dd906102d9be97fdceb".into(),
                to: "US21cb4e4be93c09542ffa73b2b5cb95ea".into(),
            },
        ];
        let live = LivePolicy::new(p.clone()).unwrap();
        for op in &ops {
            // The database stores only the change: it must account for the whole
            // difference the operation makes.
            let record = judge(&live, &owner, op, 1).unwrap();
            let mut after = live.clone();
            after.replay(&record).unwrap();
            let after = after.into_policy();
            assert!(crate::store::rows::explains::change_explains(
                &p,
                &record.change,
                &after
            ));
            // A change that leaves out what the operation did does not explain it.
            let mut partial = record.change.clone();
            partial.added.clear();
            partial.removed.clear();
            partial.user_after = partial.user_before.clone();
            assert!(!crate::store::rows::explains::change_explains(
                &p, &partial, &after
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
        let live = LivePolicy::new(p).unwrap();
        match judge(&live, dana, &op, 1) {
            Err(Refusal::Rule(e)) => assert_eq!(e.code(), Code::NotAuthorized),
            other => panic!("{other:?}"),
        }
        let dry = dry_run(&live, dana, &op);
        assert_eq!(dry.violations.len(), 1);
        assert!(!dry.accepted);
    }

    #[test]
    fn nul_is_found_in_any_text() {
        let op = Operation::UpdateUser {
            user: "US1".into(),
            name: Some("a\u{0}b".into()),
            email: None,
            external_id: None,
            active: None,
        };
        assert!(has_nul(&op));
        assert!(!has_nul(&acme()));
    }
}
