//! Policy → snapshot bytes: check every rule, then lay the policy out read-optimised.
//!
//! Every list is sorted by id on the way out, so the same policy in any order compiles to the
//! same bytes.

mod error;

pub use error::{CompileError, Item};

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::catalog::{self, ACCOUNT_OWNER};
use crate::format::envelope::seal;
use crate::format::wire::{
    Named, Payload, WireAssignment, WireResource, WireRole, WireSubaccount, WireUser,
};
use crate::ids::{check_id, check_resource_type, clip, text_fits};
use crate::limits::{
    MAX_ASSIGNMENTS, MAX_PERMISSIONS, MAX_RESOURCE_TYPES, MAX_RESOURCES, MAX_ROLES, MAX_SCOPES,
    MAX_SNAPSHOT_BYTES, MAX_USERS,
};
use crate::model::RoleKind;
use crate::model::ScopeLevel;
use crate::permission::{pattern_matches, validate_pattern, validate_permission};
use crate::policy::{Account, Assignment, Policy, Resource, Role, Subaccount, User};
use crate::snapshot::Snapshot;
use crate::snapshot::index::{Map, new_map};

/// What the compiler stamps on a snapshot besides the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CompileOptions {
    /// The policy revision. Hosts refuse to move to a lower one.
    pub revision: u64,
    /// Seconds since the Unix epoch. The core has no clock: the caller says what time it is.
    pub issued_at: u64,
}

/// Checks every rule and compiles `policy` into snapshot bytes. On failure, the first broken
/// rule; [`validate`] lists them all.
pub fn compile(policy: &Policy, options: &CompileOptions) -> Result<Vec<u8>, CompileError> {
    let roles = all_roles(policy);
    let mut problems = Problems::default();
    let plan = Plan::new(policy, &roles, &mut problems);
    if let Some(first) = problems.0.into_iter().next() {
        return Err(first);
    }
    plan.encode(options)
}

/// Compiles `policy` and decodes the result: a ready [`Snapshot`].
pub fn compile_snapshot(
    policy: &Policy,
    options: &CompileOptions,
) -> Result<Snapshot, CompileError> {
    let bytes = compile(policy, options)?;
    Snapshot::decode(&bytes).map_err(CompileError::Decode)
}

/// Every rule `policy` breaks, in policy order; empty when it compiles.
pub fn validate(policy: &Policy) -> Vec<CompileError> {
    let roles = all_roles(policy);
    let mut problems = Problems::default();
    let _ = Plan::new(policy, &roles, &mut problems);
    problems.0
}

/// The default catalog followed by the policy's own roles.
fn all_roles(policy: &Policy) -> Vec<Role> {
    let mut roles = catalog::default_roles();
    roles.extend(policy.roles.iter().cloned());
    roles
}

#[derive(Default)]
struct Problems(Vec<CompileError>);

impl Problems {
    fn push(&mut self, e: CompileError) {
        self.0.push(e);
    }

    fn id(&mut self, item: Item, id: &str) -> bool {
        match check_id(id) {
            Ok(()) => true,
            Err(problem) => {
                self.push(CompileError::InvalidId {
                    item,
                    id: clip(id),
                    problem,
                });
                false
            }
        }
    }

    fn text(&mut self, item: Item, id: &str, field: &'static str, text: &str) {
        if !text_fits(text) {
            self.push(CompileError::TextTooLong {
                item,
                id: clip(id),
                field,
            });
        }
    }

    fn limit(&mut self, what: &'static str, count: usize, max: usize) {
        if count > max {
            self.push(CompileError::TooMany { what, count, max });
        }
    }
}

/// Registers `id` in `map` at `value`, reporting a duplicate.
fn register<'p, V>(
    map: &mut Map<&'p str, V>,
    id: &'p str,
    value: V,
    item: Item,
    problems: &mut Problems,
) -> bool {
    if map.contains_key(id) {
        problems.push(CompileError::DuplicateId {
            item,
            id: id.to_string(),
        });
        return false;
    }
    map.insert(id, value);
    true
}

/// A scope's position in the wire numbering and its level.
#[derive(Clone, Copy)]
struct ScopeAt {
    wire: u32,
    level: ScopeLevel,
}

/// The checked policy, sorted, with every reference resolved to a position.
struct Plan<'p> {
    policy: &'p Policy,
    scopes: Scopes<'p>,
    permissions: Vec<&'p str>,
    resources: Resources<'p>,
    roles: Vec<PlannedRole<'p>>,
    users: Vec<PlannedUser<'p>>,
}

/// Accounts by id, subaccounts by id with their account's position, and every scope id's
/// wire position and level.
struct Scopes<'p> {
    accounts: Vec<&'p Account>,
    subaccounts: Vec<(&'p Subaccount, u32)>,
    at: Map<&'p str, ScopeAt>,
}

/// Resource types sorted, resources by (type, id) with their type's position, and each
/// resource's position.
struct Resources<'p> {
    types: Vec<&'p str>,
    list: Vec<(&'p Resource, u32)>,
    at: Map<(&'p str, &'p str), u32>,
}

struct PlannedRole<'p> {
    role: &'p Role,
    /// One bit per catalog permission.
    grants: Vec<u8>,
    /// Positions of its resource types.
    types: Vec<u32>,
}

struct PlannedUser<'p> {
    user: &'p User,
    /// Sorted by assignment id.
    assignments: Vec<PlannedAssignment<'p>>,
}

#[derive(Clone, Copy)]
struct PlannedAssignment<'p> {
    assignment: &'p Assignment,
    role: u32,
    scope: u32,
    resource: Option<u32>,
}

fn position(n: usize) -> u32 {
    // The limits keep every table far below u32::MAX.
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl<'p> Plan<'p> {
    fn new(policy: &'p Policy, all_roles: &'p [Role], problems: &mut Problems) -> Plan<'p> {
        problems.limit(
            "scopes",
            1 + policy.accounts.len() + policy.subaccounts.len(),
            MAX_SCOPES,
        );
        problems.limit("users", policy.users.len(), MAX_USERS);
        problems.limit("roles", all_roles.len(), MAX_ROLES);
        problems.limit("resources", policy.resources.len(), MAX_RESOURCES);
        problems.limit("assignments", policy.assignments.len(), MAX_ASSIGNMENTS);

        let scopes = Self::scopes(policy, problems);
        let permissions = Self::permissions(policy, problems);
        let resources = Self::resources(policy, all_roles, problems);
        let (roles, role_at) = Self::roles(all_roles, &permissions, &resources.types, problems);
        let users = Self::users(
            policy,
            problems,
            &scopes.at,
            &role_at,
            &roles,
            &resources.at,
        );
        Self::owners(&scopes.accounts, &users, problems);
        Plan {
            policy,
            scopes,
            permissions,
            resources,
            roles,
            users,
        }
    }

    fn scopes(policy: &'p Policy, problems: &mut Problems) -> Scopes<'p> {
        let org = &policy.organization;
        let mut scopes: Map<&str, ScopeAt> =
            new_map(1 + policy.accounts.len() + policy.subaccounts.len());
        if problems.id(Item::Organization, &org.id) {
            scopes.insert(
                &org.id,
                ScopeAt {
                    wire: 0,
                    level: ScopeLevel::Organization,
                },
            );
        }
        problems.text(Item::Organization, &org.id, "name", &org.name);

        let mut accounts: Vec<_> = policy.accounts.iter().collect();
        accounts.sort_by(|a, b| a.id.cmp(&b.id));
        let mut account_pos: Map<&str, u32> = new_map(accounts.len());
        let mut kept = Vec::with_capacity(accounts.len());
        for a in accounts {
            problems.text(Item::Account, &a.id, "name", &a.name);
            if !problems.id(Item::Account, &a.id) {
                continue;
            }
            let at = ScopeAt {
                wire: position(1 + kept.len()),
                level: ScopeLevel::Account,
            };
            if register(&mut scopes, &a.id, at, Item::Account, problems) {
                account_pos.insert(&a.id, position(kept.len()));
                kept.push(a);
            }
        }
        let accounts = kept;

        let mut subs: Vec<_> = policy.subaccounts.iter().collect();
        subs.sort_by(|a, b| a.id.cmp(&b.id));
        let mut subaccounts = Vec::with_capacity(subs.len());
        for s in subs {
            problems.text(Item::Subaccount, &s.id, "name", &s.name);
            if !problems.id(Item::Subaccount, &s.id) {
                continue;
            }
            let Some(&account) = account_pos.get(s.account.as_str()) else {
                problems.push(if policy.subaccounts.iter().any(|x| x.id == s.account) {
                    CompileError::NestedSubaccount {
                        subaccount: s.id.clone(),
                        parent: s.account.clone(),
                    }
                } else {
                    CompileError::UnknownReference {
                        item: Item::Subaccount,
                        id: s.id.clone(),
                        target: Item::Account,
                        value: clip(&s.account),
                    }
                });
                continue;
            };
            let at = ScopeAt {
                wire: position(1 + accounts.len() + subaccounts.len()),
                level: ScopeLevel::Subaccount,
            };
            if register(&mut scopes, &s.id, at, Item::Subaccount, problems) {
                subaccounts.push((s, account));
            }
        }
        Scopes {
            accounts,
            subaccounts,
            at: scopes,
        }
    }

    fn permissions(policy: &'p Policy, problems: &mut Problems) -> Vec<&'p str> {
        // Bounded before anything else: the duplicate checks below must not see a million.
        problems.limit(
            "permissions",
            catalog::PERMISSIONS.len() + policy.permissions.len(),
            MAX_PERMISSIONS,
        );
        let mut all: Vec<&str> = catalog::PERMISSIONS.to_vec();
        let mut seen: Map<&str, bool> = new_map(all.len() + policy.permissions.len());
        for &p in catalog::PERMISSIONS {
            seen.insert(p, false);
        }
        for p in policy.permissions.iter().take(MAX_PERMISSIONS) {
            match (validate_permission(p), seen.get(p.as_str())) {
                // Declaring a permission the default catalog has is harmless: a policy
                // translated from elsewhere may list every permission it uses.
                (Ok(()), Some(false)) => {}
                (Ok(()), Some(true)) => problems.push(CompileError::DuplicatePermission {
                    permission: p.clone(),
                }),
                (Ok(()), None) => {
                    seen.insert(p, true);
                    all.push(p);
                }
                (Err(problem), _) => problems.push(CompileError::InvalidPermission {
                    permission: clip(p),
                    problem,
                }),
            }
        }
        all.sort_unstable();
        all
    }

    fn resources(
        policy: &'p Policy,
        all_roles: &'p [Role],
        problems: &mut Problems,
    ) -> Resources<'p> {
        let mut types: Vec<&str> = Vec::new();
        let declared = all_roles
            .iter()
            .flat_map(|r| r.resource_types.iter())
            .chain(policy.resources.iter().map(|r| &r.resource_type));
        for t in declared {
            if types.contains(&t.as_str()) {
                continue;
            }
            match check_resource_type(t) {
                Ok(()) => types.push(t),
                Err(problem) => problems.push(CompileError::InvalidResourceType {
                    resource_type: clip(t),
                    problem,
                }),
            }
        }
        problems.limit("resource types", types.len(), MAX_RESOURCE_TYPES);
        types.sort_unstable();

        let mut sorted: Vec<&Resource> = policy.resources.iter().collect();
        sorted.sort_by(|a, b| (&a.resource_type, &a.id).cmp(&(&b.resource_type, &b.id)));
        let mut resources = Vec::with_capacity(sorted.len());
        let mut at: Map<(&str, &str), u32> = new_map(sorted.len());
        for r in sorted {
            problems.text(Item::Resource, &r.id, "name", &r.name);
            let Some(t) = types.iter().position(|&t| t == r.resource_type) else {
                continue;
            };
            if !problems.id(Item::Resource, &r.id) {
                continue;
            }
            let key = (r.resource_type.as_str(), r.id.as_str());
            if at.contains_key(&key) {
                problems.push(CompileError::DuplicateId {
                    item: Item::Resource,
                    id: r.id.clone(),
                });
                continue;
            }
            at.insert(key, position(resources.len()));
            resources.push((r, position(t)));
        }
        Resources {
            types,
            list: resources,
            at,
        }
    }

    fn roles(
        all_roles: &'p [Role],
        permissions: &[&str],
        resource_types: &[&str],
        problems: &mut Problems,
    ) -> (Vec<PlannedRole<'p>>, Map<&'p str, u32>) {
        let mut sorted: Vec<&Role> = Vec::with_capacity(all_roles.len());
        let mut seen: Map<&str, ()> = new_map(all_roles.len());
        for r in all_roles {
            problems.text(Item::Role, &r.id, "name", &r.name);
            problems.text(Item::Role, &r.id, "description", &r.description);
            if problems.id(Item::Role, &r.id)
                && register(&mut seen, &r.id, (), Item::Role, problems)
            {
                sorted.push(r);
            }
        }
        sorted.sort_by(|a, b| a.id.cmp(&b.id));
        let mut roles = Vec::with_capacity(sorted.len());
        let mut at: Map<&str, u32> = new_map(sorted.len());
        for r in sorted {
            let mut ok = true;
            if !r.kind.permits_lowest_level(r.lowest_level) {
                problems.push(CompileError::RoleLevelForKind {
                    role: r.id.clone(),
                    kind: r.kind,
                    lowest_level: r.lowest_level,
                });
                ok = false;
            }
            let resource_based = r.kind == RoleKind::ResourceBased;
            if resource_based == r.resource_types.is_empty() {
                problems.push(CompileError::RoleResourceTypes {
                    role: r.id.clone(),
                    kind: r.kind,
                    problem: if resource_based {
                        "must name at least one resource type"
                    } else {
                        "cannot name resource types: only resource-based roles do"
                    },
                });
                ok = false;
            }
            if r.allow.len() + r.deny.len() > crate::limits::MAX_PATTERNS_PER_ROLE {
                problems.limit(
                    "patterns in one role",
                    r.allow.len() + r.deny.len(),
                    crate::limits::MAX_PATTERNS_PER_ROLE,
                );
                ok = false;
            }
            for pattern in r.allow.iter().chain(&r.deny) {
                if let Err(problem) = validate_pattern(pattern) {
                    problems.push(CompileError::InvalidPattern {
                        role: r.id.clone(),
                        pattern: clip(pattern),
                        problem,
                    });
                    ok = false;
                } else if !permissions.iter().any(|p| pattern_matches(pattern, p)) {
                    problems.push(CompileError::PatternMatchesNothing {
                        role: r.id.clone(),
                        pattern: pattern.clone(),
                    });
                    ok = false;
                }
            }
            if !ok {
                continue;
            }
            let mut grants = alloc::vec![0u8; permissions.len().div_ceil(8)];
            for (i, p) in permissions.iter().enumerate() {
                let allowed = r.allow.iter().any(|a| pattern_matches(a, p))
                    && !r.deny.iter().any(|d| pattern_matches(d, p));
                if let (true, Some(byte)) = (allowed, grants.get_mut(i / 8)) {
                    *byte |= 1 << (i % 8);
                }
            }
            let types: Vec<u32> = r
                .resource_types
                .iter()
                .filter_map(|t| resource_types.iter().position(|x| x == t))
                .map(position)
                .collect();
            at.insert(&r.id, position(roles.len()));
            roles.push(PlannedRole {
                role: r,
                grants,
                types,
            });
        }
        (roles, at)
    }

    fn users(
        policy: &'p Policy,
        problems: &mut Problems,
        scopes: &Map<&str, ScopeAt>,
        role_at: &Map<&str, u32>,
        roles: &[PlannedRole<'p>],
        resource_at: &Map<(&str, &str), u32>,
    ) -> Vec<PlannedUser<'p>> {
        let mut sorted: Vec<&User> = policy.users.iter().collect();
        sorted.sort_by(|a, b| a.id.cmp(&b.id));
        let mut user_at: Map<&str, usize> = new_map(sorted.len());
        let mut users = Vec::with_capacity(sorted.len());
        for u in sorted {
            problems.text(Item::User, &u.id, "name", &u.name);
            problems.text(Item::User, &u.id, "email", &u.email);
            if problems.id(Item::User, &u.id)
                && register(&mut user_at, &u.id, users.len(), Item::User, problems)
            {
                users.push(PlannedUser {
                    user: u,
                    assignments: Vec::new(),
                });
            }
        }

        let mut seen: Map<&str, ()> = new_map(policy.assignments.len());
        for a in &policy.assignments {
            if !problems.id(Item::Assignment, &a.id)
                || !register(&mut seen, &a.id, (), Item::Assignment, problems)
            {
                continue;
            }
            let unknown = |target: Item, value: &str| CompileError::UnknownReference {
                item: Item::Assignment,
                id: a.id.clone(),
                target,
                value: clip(value),
            };
            let user = user_at.get(a.user.as_str()).copied();
            let role = role_at.get(a.role.as_str()).copied();
            let scope = scopes.get(a.scope.as_str()).copied();
            if user.is_none() {
                problems.push(unknown(Item::User, &a.user));
            }
            if role.is_none() {
                problems.push(unknown(Item::Role, &a.role));
            }
            if scope.is_none() {
                problems.push(unknown(Item::Scope, &a.scope));
            }
            let (Some(user), Some(role), Some(scope)) = (user, role, scope) else {
                continue;
            };
            let Some(r) = roles.get(role as usize).map(|p| p.role) else {
                continue;
            };
            if !r.kind.assignable_at(r.lowest_level, scope.level) {
                problems.push(CompileError::LevelNotAllowed {
                    assignment: a.id.clone(),
                    role: r.id.clone(),
                    kind: r.kind,
                    lowest_level: r.lowest_level,
                    scope: a.scope.clone(),
                    level: scope.level,
                });
                continue;
            }
            let resource = match (&a.resource, r.kind == RoleKind::ResourceBased) {
                (None, false) => None,
                (None, true) => {
                    problems.push(CompileError::ResourceRequired {
                        assignment: a.id.clone(),
                        role: r.id.clone(),
                    });
                    continue;
                }
                (Some(_), false) => {
                    problems.push(CompileError::ResourceNotAllowed {
                        assignment: a.id.clone(),
                        role: r.id.clone(),
                    });
                    continue;
                }
                (Some(key), true) => {
                    if !r.resource_types.contains(&key.resource_type) {
                        problems.push(CompileError::ResourceTypeNotOfRole {
                            assignment: a.id.clone(),
                            role: r.id.clone(),
                            resource_type: clip(&key.resource_type),
                        });
                        continue;
                    }
                    let Some(&at) = resource_at.get(&(key.resource_type.as_str(), key.id.as_str()))
                    else {
                        problems.push(unknown(
                            Item::Resource,
                            &alloc::format!("{}:{}", key.resource_type, key.id),
                        ));
                        continue;
                    };
                    Some(at)
                }
            };
            if let Some(planned) = users.get_mut(user) {
                planned.assignments.push(PlannedAssignment {
                    assignment: a,
                    role,
                    scope: scope.wire,
                    resource,
                });
            }
        }

        let cap = policy.settings.max_built_in_roles_per_user;
        for planned in &mut users {
            planned
                .assignments
                .sort_by(|x, y| x.assignment.id.cmp(&y.assignment.id));
            // Duplicates of one (role, scope, resource) are one role held, not several.
            let mut held: Vec<(u32, u32, Option<u32>)> = planned
                .assignments
                .iter()
                .filter(|p| {
                    roles
                        .get(p.role as usize)
                        .is_some_and(|r| r.role.kind == RoleKind::BuiltIn)
                })
                .map(|p| (p.role, p.scope, p.resource))
                .collect();
            held.sort_unstable();
            held.dedup();
            if held.len() > cap as usize {
                problems.push(CompileError::BuiltInCapExceeded {
                    user: planned.user.id.clone(),
                    count: position(held.len()),
                    cap,
                });
            }
        }
        users
    }

    fn owners(accounts: &[&Account], users: &[PlannedUser<'_>], problems: &mut Problems) {
        let mut owners: Map<&str, Vec<&str>> = new_map(accounts.len());
        for planned in users {
            for p in &planned.assignments {
                if p.assignment.role == ACCOUNT_OWNER {
                    let holders = owners.entry(p.assignment.scope.as_str()).or_default();
                    if !holders.contains(&planned.user.id.as_str()) {
                        holders.push(&planned.user.id);
                    }
                }
            }
        }
        for account in accounts {
            let count = owners.get(account.id.as_str()).map_or(0, Vec::len);
            if count != 1 {
                problems.push(CompileError::OwnerCount {
                    account: account.id.clone(),
                    count,
                });
            }
        }
    }

    fn encode(&self, options: &CompileOptions) -> Result<Vec<u8>, CompileError> {
        let payload = Payload {
            organization_name: &self.policy.organization.name,
            accounts: self
                .scopes
                .accounts
                .iter()
                .map(|a| Named {
                    id: &a.id,
                    name: &a.name,
                })
                .collect(),
            subaccounts: self
                .scopes
                .subaccounts
                .iter()
                .map(|(s, account)| WireSubaccount {
                    id: &s.id,
                    name: &s.name,
                    account: *account,
                })
                .collect(),
            permissions: self.permissions.clone(),
            resource_types: self.resources.types.clone(),
            resources: self
                .resources
                .list
                .iter()
                .map(|(r, t)| WireResource {
                    resource_type: *t,
                    id: &r.id,
                    name: &r.name,
                })
                .collect(),
            roles: self
                .roles
                .iter()
                .map(|p| WireRole {
                    id: &p.role.id,
                    name: &p.role.name,
                    description: &p.role.description,
                    kind: p.role.kind.wire_code(),
                    lowest_level: p.role.lowest_level.depth(),
                    allow: p.role.allow.iter().map(String::as_str).collect(),
                    deny: p.role.deny.iter().map(String::as_str).collect(),
                    resource_types: p.types.clone(),
                    grants: &p.grants,
                })
                .collect(),
            users: self
                .users
                .iter()
                .map(|u| WireUser {
                    id: &u.user.id,
                    name: &u.user.name,
                    email: &u.user.email,
                    assignments: u
                        .assignments
                        .iter()
                        .map(|p| WireAssignment {
                            id: &p.assignment.id,
                            role: p.role,
                            scope: p.scope,
                            resource: p.resource,
                        })
                        .collect(),
                })
                .collect(),
            built_in_cap: self.policy.settings.max_built_in_roles_per_user,
        };
        let bytes = postcard::to_allocvec(&payload)
            .map_err(|_| CompileError::Encode("the payload could not be serialized"))?;
        let sealed = seal(
            &self.policy.organization.id,
            options.revision,
            options.issued_at,
            &bytes,
        );
        if sealed.len() > MAX_SNAPSHOT_BYTES {
            return Err(CompileError::TooMany {
                what: "snapshot bytes",
                count: sealed.len(),
                max: MAX_SNAPSHOT_BYTES,
            });
        }
        Ok(sealed)
    }
}
