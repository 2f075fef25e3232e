//! The user-management console's directory, answered offline from a snapshot: users with
//! their assignments grouped by scope, search over five fields, and the role catalog.

use alloc::string::String;
use alloc::vec::Vec;
use serde::Serialize;

use crate::role::RoleKind;
use crate::scope::ScopeLevel;
use crate::snapshot::{AssignmentRec, NONE, ResourceView, RoleView, ScopeView, Snapshot, UserView};

/// A role as a directory row names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RoleName<'s> {
    /// Id.
    pub id: &'s str,
    /// Display name.
    pub name: &'s str,
    /// Kind.
    pub kind: RoleKind,
}

/// One row of a user's Role Assignments tab: the roles they hold at one scope, or one
/// resource-based assignment on its own row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssignmentRow<'s> {
    /// The scope.
    pub scope: ScopeView<'s>,
    /// For a resource-based assignment: its resource.
    pub resource: Option<ResourceView<'s>>,
    /// The roles held there, in role-id order.
    pub roles: Vec<RoleName<'s>>,
    /// The assignments behind the row, in the same order as `roles`.
    pub assignments: Vec<&'s str>,
}

/// Which field of a user a search matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchField {
    /// The user's name.
    Name,
    /// The user's email.
    Email,
    /// The user's id.
    Id,
    /// The name of a role they hold.
    RoleName,
    /// The name of a scope where they hold a role.
    ScopeName,
}

/// A user and their assignments, as the directory lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DirectoryEntry<'s> {
    /// The user.
    pub user: UserView<'s>,
    /// Their assignments, grouped by scope (organization, accounts, subaccounts), with
    /// resource-based assignments as separate rows.
    pub rows: Vec<AssignmentRow<'s>>,
    /// For search results: the fields that matched.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub matched: Vec<MatchField>,
}

/// Which roles to list; `None` fields do not filter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RoleFilter<'a> {
    /// Only roles of this kind.
    pub kind: Option<RoleKind>,
    /// Only roles granting some permission of this product (the first path segment).
    pub product: Option<&'a str>,
    /// Only roles assignable at this level.
    pub level: Option<ScopeLevel>,
}

/// A role with its permissions expanded over the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleDetails<'s> {
    /// The role.
    #[serde(flatten)]
    pub role: RoleView<'s>,
    /// The levels it may be assigned at.
    pub assignable_at: Vec<ScopeLevel>,
    /// Every permission it grants, sorted.
    pub permissions: Vec<&'s str>,
}

/// Case-insensitive substring test; `needle` is already lowercase.
fn contains_folded(haystack: &str, needle: &str) -> bool {
    if haystack.is_ascii() && needle.is_ascii() {
        let (h, n) = (haystack.as_bytes(), needle.as_bytes());
        n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
    } else {
        haystack.to_lowercase().contains(needle)
    }
}

impl Snapshot {
    /// One user's directory entry: their assignments grouped by scope.
    pub fn directory_entry(&self, user: &str) -> Option<DirectoryEntry<'_>> {
        let rec = self.users.get(self.find_user(user)? as usize)?;
        Some(DirectoryEntry {
            user: self.user_view(rec),
            rows: self.rows(self.assignment_slice(rec)),
            matched: Vec::new(),
        })
    }

    fn rows(&self, assignments: &[AssignmentRec]) -> Vec<AssignmentRow<'_>> {
        let mut sorted: Vec<&AssignmentRec> = assignments.iter().collect();
        // Scope order is organization, accounts, subaccounts; plain rows before resource
        // rows; then by role.
        sorted.sort_by_key(|a| {
            (
                a.scope,
                a.resource != NONE,
                a.resource,
                self.role_id(a.role),
            )
        });
        let mut rows: Vec<AssignmentRow<'_>> = Vec::new();
        for a in sorted {
            let role = self.roles.get(a.role as usize).map(|r| RoleName {
                id: self.text.get(r.id),
                name: self.text.get(r.name),
                kind: r.kind,
            });
            let Some(role) = role else { continue };
            let id = self.text.get(a.id);
            let scope_id = self.scope_id(a.scope);
            match rows.last_mut() {
                Some(row)
                    if a.resource == NONE && row.resource.is_none() && row.scope.id == scope_id =>
                {
                    row.roles.push(role);
                    row.assignments.push(id);
                }
                _ => {
                    let Some(scope) = self.scopes.get(a.scope as usize) else {
                        continue;
                    };
                    rows.push(AssignmentRow {
                        scope: self.scope_view(scope),
                        resource: self
                            .resources
                            .get(a.resource as usize)
                            .map(|r| self.resource_view(r)),
                        roles: alloc::vec![role],
                        assignments: alloc::vec![id],
                    });
                }
            }
        }
        rows
    }

    /// Users whose name, email, id, one of whose role names or one of whose scope names
    /// contains `query`, case-insensitively, by user id. An empty query lists everyone.
    pub fn search_users(&self, query: &str) -> Vec<DirectoryEntry<'_>> {
        let needle: String = query.trim().to_lowercase();
        let mut hits = Vec::new();
        for rec in &self.users {
            let user = self.user_view(rec);
            let slice = self.assignment_slice(rec);
            let mut matched = Vec::new();
            if contains_folded(user.name, &needle) {
                matched.push(MatchField::Name);
            }
            if contains_folded(user.email, &needle) {
                matched.push(MatchField::Email);
            }
            if contains_folded(user.id, &needle) {
                matched.push(MatchField::Id);
            }
            if slice.iter().any(|a| {
                self.roles
                    .get(a.role as usize)
                    .is_some_and(|r| contains_folded(self.text.get(r.name), &needle))
            }) {
                matched.push(MatchField::RoleName);
            }
            if slice.iter().any(|a| {
                self.scopes
                    .get(a.scope as usize)
                    .is_some_and(|s| contains_folded(self.text.get(s.name), &needle))
            }) {
                matched.push(MatchField::ScopeName);
            }
            if !matched.is_empty() {
                hits.push(DirectoryEntry {
                    user,
                    rows: self.rows(slice),
                    matched,
                });
            }
        }
        hits
    }

    /// The role catalog, filtered, by id.
    pub fn find_roles(&self, filter: &RoleFilter<'_>) -> Vec<RoleView<'_>> {
        self.roles
            .iter()
            .enumerate()
            .filter(|(_, r)| filter.kind.is_none_or(|k| r.kind == k))
            .filter(|(_, r)| {
                filter
                    .level
                    .is_none_or(|l| r.kind.assignable_at(r.lowest_level, l))
            })
            .filter(|(i, _)| {
                filter.product.is_none_or(|product| {
                    self.permissions.iter().enumerate().any(|(p, &span)| {
                        self.text.get(span).split('/').next() == Some(product)
                            && self.role_grants(*i as u32, p as u32)
                    })
                })
            })
            .map(|(_, r)| self.role_view(r))
            .collect()
    }

    /// One role with its permissions expanded.
    pub fn role_details(&self, id: &str) -> Option<RoleDetails<'_>> {
        let role = self.role(id)?;
        let assignable_at = [
            ScopeLevel::Organization,
            ScopeLevel::Account,
            ScopeLevel::Subaccount,
        ]
        .into_iter()
        .filter(|&l| role.kind.assignable_at(role.lowest_level, l))
        .collect();
        Some(RoleDetails {
            permissions: self.role_permissions(id)?,
            assignable_at,
            role,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::contains_folded;

    #[test]
    fn search_folds_case_in_ascii_and_beyond() {
        assert!(contains_folded("Olivia Okafor", "okafor"));
        assert!(contains_folded("Zoë Ångström", "ångström"));
        assert!(contains_folded("anything", ""));
        assert!(!contains_folded("Olivia", "olivier"));
    }
}
