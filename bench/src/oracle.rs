//! The practical floor: a hand-written `HashMap` of (user, scope) → roles plus per-role
//! permission bitsets, built straight from a policy. It answers Allow/Deny only — no reason,
//! no validation, no wire format — so it is what a check costs with nothing else to do.

use std::collections::HashMap;

use foldhash::fast::FixedState;
use rolegate_core::{Policy, Request, RoleKind, catalog};

type Map<K, V> = HashMap<K, V, FixedState>;

/// (role, bound resource or `u32::MAX`) held by a user at a scope.
type Held = (u16, u32);

/// The oracle's tables.
#[derive(Debug)]
pub struct Oracle {
    users: Map<String, u32>,
    scopes: Map<String, u32>,
    permissions: Map<String, u32>,
    resources: Map<String, Map<String, u32>>,
    parent: Vec<u32>,
    held: Map<(u32, u32), Vec<Held>>,
    role_bits: Vec<Vec<u64>>,
}

fn map<K, V>() -> Map<K, V> {
    Map::with_hasher(FixedState::with_seed(7))
}

fn index(items: impl Iterator<Item = String>) -> Map<String, u32> {
    let mut m = map();
    for (i, s) in items.enumerate() {
        m.insert(s, i as u32);
    }
    m
}

impl Oracle {
    /// Builds the tables from a valid policy.
    pub fn new(policy: &Policy) -> Oracle {
        let mut roles = catalog::default_roles();
        roles.extend(policy.roles.iter().cloned());
        let permissions: Vec<String> = catalog::PERMISSIONS
            .iter()
            .map(|p| p.to_string())
            .chain(policy.permissions.iter().cloned())
            .collect();
        let role_bits = roles
            .iter()
            .map(|r| {
                let mut bits = vec![0u64; permissions.len().div_ceil(64)];
                for (i, p) in permissions.iter().enumerate() {
                    let allowed = r
                        .allow
                        .iter()
                        .any(|a| rolegate_core::permission::pattern_matches(a, p))
                        && !r
                            .deny
                            .iter()
                            .any(|d| rolegate_core::permission::pattern_matches(d, p));
                    if allowed {
                        bits[i / 64] |= 1 << (i % 64);
                    }
                }
                bits
            })
            .collect();
        let role_at: Map<&str, u16> = {
            let mut m = map();
            for (i, r) in roles.iter().enumerate() {
                m.insert(r.id.as_str(), i as u16);
            }
            m
        };
        let scope_ids = std::iter::once(policy.organization.id.clone())
            .chain(policy.accounts.iter().map(|a| a.id.clone()))
            .chain(policy.subaccounts.iter().map(|s| s.id.clone()));
        let scopes = index(scope_ids);
        let mut parent = vec![u32::MAX; scopes.len()];
        for a in &policy.accounts {
            parent[scopes[&a.id] as usize] = 0;
        }
        for s in &policy.subaccounts {
            parent[scopes[&s.id] as usize] = scopes[&s.account];
        }
        let users = index(policy.users.iter().map(|u| u.id.clone()));
        let resources = {
            let mut m: Map<String, Map<String, u32>> = map();
            for (i, r) in policy.resources.iter().enumerate() {
                m.entry(r.resource_type.clone())
                    .or_insert_with(map)
                    .insert(r.id.clone(), i as u32);
            }
            m
        };
        // A deactivated user is denied everything: their assignments grant nothing.
        let inactive: std::collections::HashSet<&str> = policy
            .users
            .iter()
            .filter(|u| !u.active)
            .map(|u| u.id.as_str())
            .collect();
        let mut held: Map<(u32, u32), Vec<Held>> = map();
        for a in policy
            .assignments
            .iter()
            .filter(|a| !inactive.contains(a.user.as_str()))
        {
            let role = role_at[a.role.as_str()];
            let resource = match (&a.resource, roles[role as usize].kind) {
                (Some(r), RoleKind::ResourceBased) => resources[&r.resource_type][&r.id],
                _ => u32::MAX,
            };
            held.entry((users[&a.user], scopes[&a.scope]))
                .or_default()
                .push((role, resource));
        }
        Oracle {
            users,
            scopes,
            permissions: index(permissions.into_iter()),
            resources,
            parent,
            held,
            role_bits,
        }
    }

    /// Allow or Deny.
    #[inline]
    pub fn can(&self, request: &Request<'_>) -> bool {
        let (Some(&p), Some(&s), Some(&u)) = (
            self.permissions.get(request.permission),
            self.scopes.get(request.scope),
            self.users.get(request.user),
        ) else {
            return false;
        };
        let resource = request.resource.map_or(u32::MAX, |r| {
            self.resources
                .get(r.resource_type)
                .and_then(|ids| ids.get(r.id))
                .copied()
                .unwrap_or(u32::MAX - 1)
        });
        let (word, bit) = ((p / 64) as usize, p % 64);
        let mut scope = s;
        loop {
            if let Some(list) = self.held.get(&(u, scope)) {
                for &(role, bound) in list {
                    if (bound == u32::MAX || bound == resource)
                        && (self.role_bits[role as usize][word] >> bit) & 1 == 1
                    {
                        return true;
                    }
                }
            }
            match self.parent.get(scope as usize) {
                Some(&up) if up != u32::MAX => scope = up,
                _ => return false,
            }
        }
    }
}
