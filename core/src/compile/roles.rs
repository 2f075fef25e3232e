//! Roles: every rule about a role on its own — its kind and lowest level, its resource types,
//! its patterns — and the permissions it grants, as one bit per catalog permission.

use alloc::vec::Vec;

use super::plan::{Plan, PlannedRole, position};
use super::problems::{Problems, register};
use super::{CompileError, Item};
use crate::ids::clip;
use crate::limits::MAX_PATTERNS_PER_ROLE;
use crate::model::RoleKind;
use crate::permission::{pattern_matches, validate_pattern};
use crate::policy::Role;
use crate::sid::role_sid;
use crate::snapshot::index::{Map, new_map};

impl<'p> Plan<'p> {
    /// The roles that break no rule, sorted by id, and each one's position.
    pub(super) fn roles(
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
            if !role_is_sound(r, permissions, problems) {
                continue;
            }
            let types: Vec<u32> = r
                .resource_types
                .iter()
                .filter_map(|t| resource_types.iter().position(|x| x == t))
                .map(position)
                .collect();
            let sid = r.sid.clone().unwrap_or_else(|| role_sid(&r.id));
            if !problems.id(Item::Role, &sid) {
                continue;
            }
            at.insert(&r.id, position(roles.len()));
            roles.push(PlannedRole {
                role: r,
                sid,
                grants: grant_bits(r, permissions),
                types,
            });
        }
        // A SID names one role.
        let mut sids: Vec<&str> = roles.iter().map(|p| p.sid.as_str()).collect();
        sids.sort_unstable();
        for pair in sids.windows(2) {
            if let [a, b] = pair
                && a == b
            {
                problems.push(CompileError::DuplicateId {
                    item: Item::Role,
                    id: (*a).into(),
                });
            }
        }
        (roles, at)
    }
}

/// Whether `r` breaks none of the rules about one role, reporting each it breaks.
fn role_is_sound(r: &Role, permissions: &[&str], problems: &mut Problems) -> bool {
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
    let patterns = r.allow.len() + r.deny.len();
    if patterns > MAX_PATTERNS_PER_ROLE {
        problems.limit("patterns in one role", patterns, MAX_PATTERNS_PER_ROLE);
        return false;
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
    ok
}

/// The permissions `r` grants: its `allow` less its own `deny` (role-local, so granting more
/// never takes access away), one bit per catalog permission, little-endian bit order.
fn grant_bits(r: &Role, permissions: &[&str]) -> Vec<u8> {
    let mut grants = alloc::vec![0u8; permissions.len().div_ceil(8)];
    for (i, p) in permissions.iter().enumerate() {
        let allowed = r.allow.iter().any(|a| pattern_matches(a, p))
            && !r.deny.iter().any(|d| pattern_matches(d, p));
        if let (true, Some(byte)) = (allowed, grants.get_mut(i / 8)) {
            *byte |= 1 << (i % 8);
        }
    }
    grants
}
