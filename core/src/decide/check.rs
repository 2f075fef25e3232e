//! The decision path: a few hash probes, an ancestor chain of at most three scopes and a scan
//! of the user's own assignments. Nothing here allocates.

use crate::decide::{Decision, Grant, Reason, Request};
use crate::snapshot::{AssignmentRec, NONE, Snapshot};

impl Snapshot {
    /// Decides `request`: Allow iff some assignment of the user, at the target scope or an
    /// ancestor, has a role granting the permission (and, for a resource-based role, the
    /// request names that assignment's resource). Everything else is Deny, with the reason.
    ///
    /// Unknown names are checked in the order permission, scope, user.
    #[inline]
    pub fn check(&self, request: &Request<'_>) -> Decision<'_> {
        Decision::new(self.meta.revision, self.reason(request))
    }

    /// [`check`](Self::check) without the reason: just Allow (`true`) or Deny.
    #[inline]
    pub fn can(&self, request: &Request<'_>) -> bool {
        self.resolve(request)
            .is_ok_and(|(user, permission, scope, resource)| {
                self.first_grant(user, permission, scope, resource)
                    .is_some()
            })
    }

    fn reason(&self, request: &Request<'_>) -> Reason<'_> {
        match self.resolve(request) {
            Err(reason) => reason,
            Ok((user, permission, scope, resource)) => {
                match self.first_grant(user, permission, scope, resource) {
                    Some(a) => Reason::Granted(self.grant(a)),
                    None if !self.is_active(user) => Reason::UserInactive,
                    None => Reason::NoMatchingAssignment,
                }
            }
        }
    }

    /// Whether the user at index `user` is active (false for no such user).
    #[inline]
    pub(crate) fn is_active(&self, user: u32) -> bool {
        self.users.get(user as usize).is_some_and(|u| u.active)
    }

    /// Turns a request's names into indexes: (user, permission, scope, resource).
    #[inline]
    pub(crate) fn resolve(
        &self,
        request: &Request<'_>,
    ) -> Result<(u32, u32, u32, u32), Reason<'static>> {
        let permission = self
            .find_permission(request.permission)
            .ok_or(Reason::UnknownPermission)?;
        let scope = self.find_scope(request.scope).ok_or(Reason::UnknownScope)?;
        let user = self.find_user(request.user).ok_or(Reason::UnknownUser)?;
        Ok((
            user,
            permission,
            scope,
            self.find_resource(request.resource),
        ))
    }

    /// The user's first assignment (by id) that grants `permission` at `scope`; none for a
    /// deactivated user.
    #[inline]
    pub(crate) fn first_grant(
        &self,
        user: u32,
        permission: u32,
        scope: u32,
        resource: u32,
    ) -> Option<&AssignmentRec> {
        let chain = self.chain(scope);
        let user = self.users.get(user as usize).filter(|u| u.active)?;
        self.assignment_slice(user)
            .iter()
            .find(|a| self.applies(a, permission, chain, resource))
    }

    /// Whether assignment `a` grants `permission` at a scope with ancestor `chain` for a
    /// request naming `resource` (or `NONE`). Always inlined: it is the body of every
    /// decision's loop, which the size-optimised wasm build would otherwise make a call.
    #[inline(always)]
    pub(crate) fn applies(
        &self,
        a: &AssignmentRec,
        permission: u32,
        chain: [u32; 3],
        resource: u32,
    ) -> bool {
        covers(a, chain, resource) && self.role_grants(a.role, permission)
    }

    pub(crate) fn grant(&self, a: &AssignmentRec) -> Grant<'_> {
        Grant {
            assignment: self.text.get(a.id),
            role: self.role_id(a.role),
            scope: self.scope_id(a.scope),
            resource: self.resource_ref(a.resource),
        }
    }
}

/// Whether assignment `a` applies at a scope with ancestor `chain` for a request naming
/// `resource` (or `NONE`), whatever the permission.
#[inline(always)]
pub(crate) fn covers(a: &AssignmentRec, chain: [u32; 3], resource: u32) -> bool {
    let [here, parent, grandparent] = chain;
    (a.scope == here || a.scope == parent || a.scope == grandparent) && bound_to(a, resource)
}

/// Whether assignment `a` may serve a request naming `resource` (or `NONE`): assignments of
/// resource-based roles serve only requests naming their resource.
#[inline(always)]
pub(crate) fn bound_to(a: &AssignmentRec, resource: u32) -> bool {
    a.resource == NONE || a.resource == resource
}
