//! A deliberately naive reference evaluator, written from DESIGN.md's rules and sharing no
//! logic with the engine: it scans every assignment, walks parent pointers by searching the
//! policy's lists, and matches permission patterns with its own recursive matcher on every
//! check. Slow and obviously right is the point.

use rolegate_core::catalog;
use rolegate_core::{Decision, Grant, Policy, Reason, Request, ResourceRef, Role, RoleKind};

/// The reference model of one policy.
#[derive(Debug)]
pub struct Reference<'p> {
    policy: &'p Policy,
    roles: Vec<Role>,
    revision: u64,
}

/// Whether `pattern` matches `permission`: `*` is one segment, a final `**` is the rest.
pub fn glob(pattern: &[&str], permission: &[&str]) -> bool {
    match (pattern.split_first(), permission.split_first()) {
        (Some((&"**", [])), _) => true,
        (Some((&"*", p_rest)), Some((_, s_rest))) => glob(p_rest, s_rest),
        (Some((p, p_rest)), Some((s, s_rest))) => p == s && glob(p_rest, s_rest),
        (None, None) => true,
        _ => false,
    }
}

fn segments(path: &str) -> Vec<&str> {
    path.split('/').collect()
}

impl<'p> Reference<'p> {
    /// The model of `policy`, as compiled at `revision`.
    pub fn new(policy: &'p Policy, revision: u64) -> Reference<'p> {
        let mut roles = catalog::default_roles();
        roles.extend(policy.roles.iter().cloned());
        Reference {
            policy,
            roles,
            revision,
        }
    }

    fn permission_known(&self, permission: &str) -> bool {
        catalog::PERMISSIONS.contains(&permission)
            || self.policy.permissions.iter().any(|p| p == permission)
    }

    fn scope_known(&self, scope: &str) -> bool {
        self.policy.organization.id == scope
            || self.policy.accounts.iter().any(|a| a.id == scope)
            || self.policy.subaccounts.iter().any(|s| s.id == scope)
    }

    /// The parent of a scope: subaccount → its account, account → the organization.
    fn parent(&self, scope: &str) -> Option<&'p str> {
        if let Some(s) = self.policy.subaccounts.iter().find(|s| s.id == scope) {
            return Some(&s.account);
        }
        if self.policy.accounts.iter().any(|a| a.id == scope) {
            return Some(&self.policy.organization.id);
        }
        None
    }

    /// Whether an assignment at `at` applies at `target`: `at` is `target` or an ancestor.
    pub fn reaches(&self, at: &str, target: &str) -> bool {
        let mut here = Some(target);
        while let Some(s) = here {
            if s == at {
                return true;
            }
            here = self.parent(s);
        }
        false
    }

    /// Whether role `id` grants `permission`: some allow matches and no deny matches.
    pub fn role_grants(&self, id: &str, permission: &str) -> bool {
        let Some(role) = self.roles.iter().find(|r| r.id == id) else {
            return false;
        };
        let p = segments(permission);
        role.allow.iter().any(|a| glob(&segments(a), &p))
            && !role.deny.iter().any(|d| glob(&segments(d), &p))
    }

    fn role_kind(&self, id: &str) -> Option<RoleKind> {
        self.roles.iter().find(|r| r.id == id).map(|r| r.kind)
    }

    /// The decision DESIGN.md describes.
    pub fn check(&self, request: &Request<'_>) -> Decision<'p> {
        let reason = if !self.permission_known(request.permission) {
            Reason::UnknownPermission
        } else if !self.scope_known(request.scope) {
            Reason::UnknownScope
        } else if !self.policy.users.iter().any(|u| u.id == request.user) {
            Reason::UnknownUser
        } else if self
            .policy
            .users
            .iter()
            .any(|u| u.id == request.user && !u.active)
        {
            Reason::UserInactive
        } else {
            self.policy
                .assignments
                .iter()
                .filter(|a| a.user == request.user)
                .filter(|a| self.reaches(&a.scope, request.scope))
                .filter(|a| self.role_grants(&a.role, request.permission))
                .filter(|a| match self.role_kind(&a.role) {
                    Some(RoleKind::ResourceBased) => match (&a.resource, &request.resource) {
                        (Some(held), Some(asked)) => {
                            held.resource_type == asked.resource_type && held.id == asked.id
                        }
                        _ => false,
                    },
                    _ => true,
                })
                .min_by(|x, y| x.id.cmp(&y.id))
                .map_or(Reason::NoMatchingAssignment, |a| {
                    Reason::Granted(Grant {
                        assignment: &a.id,
                        role: &a.role,
                        scope: &a.scope,
                        resource: a.resource.as_ref().map(|r| ResourceRef {
                            resource_type: &r.resource_type,
                            id: &r.id,
                        }),
                    })
                })
        };
        Decision {
            allowed: matches!(reason, Reason::Granted(_)),
            revision: self.revision,
            reason,
        }
    }

    /// Every permission of the catalog, default then custom.
    pub fn permissions(&self) -> Vec<&'p str> {
        catalog::PERMISSIONS
            .iter()
            .copied()
            .chain(self.policy.permissions.iter().map(String::as_str))
            .collect()
    }

    /// Every scope id: organization, accounts, subaccounts.
    pub fn scopes(&self) -> Vec<&'p str> {
        std::iter::once(self.policy.organization.id.as_str())
            .chain(self.policy.accounts.iter().map(|a| a.id.as_str()))
            .chain(self.policy.subaccounts.iter().map(|s| s.id.as_str()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_follows_the_documented_rules() {
        let m = |p: &str, s: &str| glob(&segments(p), &segments(s));
        assert!(m("**", "a/b/c"));
        assert!(m("a/**", "a/b/c"));
        assert!(m("a/b/c/**", "a/b/c"));
        assert!(m("a/*/c", "a/b/c"));
        assert!(!m("a/*/c", "a/b/d"));
        assert!(!m("a/*", "a/b/c"));
        assert!(!m("b/**", "a/b/c"));
    }
}
