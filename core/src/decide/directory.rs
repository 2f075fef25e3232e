//! The user-management console's directory, answered offline from a snapshot: users with
//! their assignments grouped by scope, search over five fields, and the role catalog.

use alloc::string::String;
use alloc::vec::Vec;
use serde::Serialize;

use crate::model::RoleKind;
use crate::model::ScopeLevel;
use crate::snapshot::{
    AssignmentRec, NONE, ResourceView, RoleView, ScopeView, Snapshot, UserRec, UserView,
};

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

/// A directory search: the text, an optional role every hit must hold, and the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserSearch<'a> {
    /// Text to find in a name, email, id, role name or scope name; empty lists everyone.
    pub query: &'a str,
    /// Only users holding this role (by id) at some scope.
    pub role: Option<&'a str>,
    /// Matches to skip before the page.
    pub skip: usize,
    /// Most entries on the page.
    pub take: usize,
}

impl Default for UserSearch<'_> {
    fn default() -> Self {
        UserSearch {
            query: "",
            role: None,
            skip: 0,
            take: usize::MAX,
        }
    }
}

/// A page of search results and how many users matched in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchPage<'s> {
    /// Every match, on every page.
    pub total: usize,
    /// This page's users, by user id.
    pub users: Vec<DirectoryEntry<'s>>,
}

/// Per search: whether each role's and each scope's name holds the text.
struct NameHits {
    roles: Vec<bool>,
    scopes: Vec<bool>,
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
    pub role: RoleView<'s>,
    /// The levels it may be assigned at.
    pub assignable_at: Vec<ScopeLevel>,
    /// Every permission it grants, sorted.
    pub permissions: Vec<&'s str>,
}

/// Folds the case of the letters names are written in — ASCII, Latin-1, Latin Extended-A,
/// Greek and Cyrillic — with arithmetic instead of Unicode's case tables, which would weigh
/// more than the rest of the search in the wasm build. Other characters compare exactly.
fn fold(c: char) -> char {
    let n = c as u32;
    let lower = match n {
        0x41..=0x5a | 0xc0..=0xd6 | 0xd8..=0xde | 0x391..=0x3a1 | 0x3a3..=0x3ab | 0x410..=0x42f => {
            n + 0x20
        }
        0x400..=0x40f => n + 0x50,
        0x100..=0x137 | 0x14a..=0x177 if n.is_multiple_of(2) => n + 1,
        0x139..=0x148 | 0x179..=0x17e if !n.is_multiple_of(2) => n + 1,
        0x178 => 0xff,
        _ => n,
    };
    char::from_u32(lower).unwrap_or(c)
}

/// Case-folded copy of `text`.
fn folded(text: &str) -> String {
    text.chars().map(fold).collect()
}

/// Whether `needle` occurs in `haystack`, byte for byte. (A byte scan rather than
/// `str::contains`: names are short, and the two-way searcher is kilobytes of wasm.)
fn has_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

/// Case-insensitive substring test; `needle` is already folded.
fn contains_folded(haystack: &str, needle: &str) -> bool {
    if haystack.is_ascii() {
        let n = needle.as_bytes();
        n.is_empty()
            || haystack
                .as_bytes()
                .windows(n.len())
                .any(|w| w.eq_ignore_ascii_case(n))
    } else {
        has_bytes(folded(haystack).as_bytes(), needle.as_bytes())
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
        // Scope order is organization, accounts, subaccounts; plain rows before resource
        // rows; then by role. A user holds a handful of assignments: insertion keeps the
        // general-purpose sort (kilobytes of wasm) out of the build.
        let key = |a: &AssignmentRec| {
            (
                a.scope,
                a.resource != NONE,
                a.resource,
                self.role_id(a.role),
            )
        };
        let mut sorted: Vec<&AssignmentRec> = Vec::with_capacity(assignments.len());
        for a in assignments {
            let at = sorted.partition_point(|b| key(b) <= key(a));
            sorted.insert(at, a);
        }
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
        self.search(&UserSearch {
            query,
            ..UserSearch::default()
        })
        .users
    }

    /// One page of a directory search: every match is counted, but rows are built only for
    /// the page's users, so listing a page of 100,000 users costs a scan, not 100,000
    /// entries.
    pub fn search(&self, search: &UserSearch<'_>) -> SearchPage<'_> {
        let needle: String = folded(search.query.trim());
        let role = match search.role {
            Some(id) => match self.find_role(id) {
                Some(i) => Some(i),
                None => {
                    return SearchPage {
                        total: 0,
                        users: Vec::new(),
                    };
                }
            },
            None => None,
        };
        let names = self.name_hits(&needle);
        let mut total = 0usize;
        let mut users = Vec::new();
        for rec in &self.users {
            let slice = self.assignment_slice(rec);
            if role.is_some_and(|r| !slice.iter().any(|a| a.role == r)) {
                continue;
            }
            // No text lists everyone, with no field said to match.
            let matched = if needle.is_empty() {
                Vec::new()
            } else {
                let matched = self.matched_fields(rec, slice, &needle, &names);
                if matched.is_empty() {
                    continue;
                }
                matched
            };
            if total >= search.skip && users.len() < search.take {
                users.push(DirectoryEntry {
                    user: self.user_view(rec),
                    rows: self.rows(slice),
                    matched,
                });
            }
            total += 1;
        }
        SearchPage { total, users }
    }

    /// The fields of a user `needle` (already folded) occurs in; `names` says which roles'
    /// and scopes' names hold it, worked out once per search rather than once per holder.
    fn matched_fields(
        &self,
        rec: &UserRec,
        slice: &[AssignmentRec],
        needle: &str,
        names: &NameHits,
    ) -> Vec<MatchField> {
        let user = self.user_view(rec);
        let mut matched = Vec::new();
        if contains_folded(user.name, needle) {
            matched.push(MatchField::Name);
        }
        if contains_folded(user.email, needle) {
            matched.push(MatchField::Email);
        }
        if contains_folded(user.id, needle) {
            matched.push(MatchField::Id);
        }
        let hit = |set: &[bool], i: u32| set.get(i as usize).copied().unwrap_or(false);
        if slice.iter().any(|a| hit(&names.roles, a.role)) {
            matched.push(MatchField::RoleName);
        }
        if slice.iter().any(|a| hit(&names.scopes, a.scope)) {
            matched.push(MatchField::ScopeName);
        }
        matched
    }

    /// Which roles' and scopes' names hold `needle` (already folded).
    fn name_hits(&self, needle: &str) -> NameHits {
        NameHits {
            roles: self
                .roles
                .iter()
                .map(|r| contains_folded(self.text.get(r.name), needle))
                .collect(),
            scopes: self
                .scopes
                .iter()
                .map(|s| contains_folded(self.text.get(s.name), needle))
                .collect(),
        }
    }

    /// The role catalog, filtered, by id.
    pub fn roles_matching(&self, filter: &RoleFilter<'_>) -> Vec<RoleView<'_>> {
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
    use super::{contains_folded, folded};

    #[test]
    fn search_folds_case_in_ascii_and_beyond() {
        assert!(contains_folded("Olivia Okafor", "okafor"));
        assert!(contains_folded("Zoë Ångström", &folded("ÅNGSTRÖM")));
        assert!(contains_folded("Łukasz Żółć", &folded("łukasz żółć")));
        assert!(contains_folded("Ольга Петрова", &folded("ПЕТРОВА")));
        assert!(
            contains_folded("Σοφία", &folded("ΣΟΦΊΑ"))
                || contains_folded("Σοφία", &folded("σοφία"))
        );
        assert!(contains_folded("anything", ""));
        assert!(!contains_folded("Olivia", "olivier"));
    }
}
