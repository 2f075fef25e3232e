//! `explain`: a decision plus what lies around it — every assignment that grants it, the
//! user's assignments that would grant it somewhere else, and which roles at which scopes
//! would grant it here.

use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::decide::{Decision, Grant, Request, ResourceRef};
use crate::model::RoleKind;
use crate::model::ScopeLevel;
use crate::snapshot::{NONE, Snapshot};

/// A decision with its surroundings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explanation<'s> {
    /// The decision, exactly as [`Snapshot::check`] gives it.
    #[serde(borrow)]
    pub decision: Decision<'s>,
    /// Every assignment of the user that grants the request, by id.
    #[serde(borrow)]
    pub granting: Vec<Grant<'s>>,
    /// The user's assignments whose role has the permission but that do not apply here:
    /// at a scope that is not the target or one of its ancestors, or bound to another resource.
    #[serde(borrow)]
    pub elsewhere: Vec<Grant<'s>>,
    /// When denied: the roles that would grant the request and where on the target's path
    /// each could be assigned.
    #[serde(borrow)]
    pub would_grant: Vec<RoleOption<'s>>,
}

/// "Role R at scope S would grant it."
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleOption<'s> {
    /// The role's id.
    pub role: &'s str,
    /// The role's display name.
    pub name: &'s str,
    /// Where it could be assigned: the target scope or an ancestor.
    pub scope: &'s str,
    /// That scope's level.
    pub level: ScopeLevel,
    /// For resource-based roles: the resource it would be bound to (the request's).
    #[serde(borrow)]
    pub resource: Option<ResourceRef<'s>>,
}

impl Snapshot {
    /// Decides `request` and explains the decision.
    pub fn explain<'s>(&'s self, request: &Request<'s>) -> Explanation<'s> {
        let decision = self.check(request);
        let mut explanation = Explanation {
            decision,
            granting: Vec::new(),
            elsewhere: Vec::new(),
            would_grant: Vec::new(),
        };
        let Some(permission) = self.find_permission(request.permission) else {
            return explanation;
        };
        let Some(scope) = self.find_scope(request.scope) else {
            return explanation;
        };
        let chain = self.chain(scope);
        let resource = self.find_resource(request.resource);
        // A deactivated user's assignments grant nothing, here or elsewhere: the decision's
        // reason says why.
        if let Some(user) = self
            .find_user(request.user)
            .and_then(|u| self.users.get(u as usize))
            .filter(|u| u.active)
        {
            for a in self.assignment_slice(user) {
                if self.applies(a, permission, chain, resource) {
                    explanation.granting.push(self.grant(a));
                } else if self.role_grants(a.role, permission) {
                    explanation.elsewhere.push(self.grant(a));
                }
            }
        }
        if !decision.allowed {
            explanation.would_grant = self.would_grant(permission, chain, request.resource);
        }
        explanation
    }

    fn would_grant<'s>(
        &'s self,
        permission: u32,
        chain: [u32; 3],
        resource: Option<ResourceRef<'s>>,
    ) -> Vec<RoleOption<'s>> {
        let mut options = Vec::new();
        for (r, role) in self.roles.iter().enumerate() {
            if !self.role_grants(r as u32, permission) {
                continue;
            }
            let bound = if role.kind == RoleKind::ResourceBased {
                match resource {
                    Some(res)
                        if self
                            .role_view(role)
                            .resource_types
                            .contains(&res.resource_type) =>
                    {
                        Some(res)
                    }
                    _ => continue,
                }
            } else {
                None
            };
            for &s in chain.iter().filter(|&&s| s != NONE) {
                let Some(scope) = self.scopes.get(s as usize) else {
                    continue;
                };
                if role.kind.assignable_at(role.lowest_level, scope.level) {
                    options.push(RoleOption {
                        role: self.text.get(role.id),
                        name: self.text.get(role.name),
                        scope: self.text.get(scope.id),
                        level: scope.level,
                        resource: bound,
                    });
                }
            }
        }
        options
    }
}
