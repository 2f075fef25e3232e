//! The decision path: a few hash probes, an ancestor chain of at most three scopes and a scan
//! of the user's own assignments. Nothing here allocates.

use crate::decision::{Decision, Grant, Reason, Request};
use crate::snapshot::{AssignmentRec, NONE, Snapshot};

/// "No resource" for [`Snapshot::can_at`] and [`Snapshot::resource_index`].
pub const NO_RESOURCE: u32 = NONE;

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

    /// [`can`](Self::can) on names already resolved to indexes with
    /// [`user_index`](Self::user_index), [`permission_index`](Self::permission_index),
    /// [`scope_index`](Self::scope_index) and [`resource_index`](Self::resource_index) — for
    /// hosts that pay to pass strings (wasm boundaries) and resolve each name once. An index
    /// this snapshot did not hand out is Deny; `resource` is [`NO_RESOURCE`] for none.
    #[inline]
    pub fn can_at(&self, user: u32, permission: u32, scope: u32, resource: u32) -> bool {
        (permission as usize) < self.permissions.len()
            && (scope as usize) < self.scopes.len()
            && self
                .first_grant(user, permission, scope, resource)
                .is_some()
    }

    /// [`check`](Self::check) on resolved indexes (see [`can_at`](Self::can_at)): an index
    /// this snapshot did not hand out is unknown, with the same precedence as `check` —
    /// permission, then scope, then user.
    pub fn check_at(&self, user: u32, permission: u32, scope: u32, resource: u32) -> Decision<'_> {
        let reason = match self.decide_at(user, permission, scope, resource) {
            Ok(assignment) => self
                .grant_of(assignment)
                .map_or(Reason::NoMatchingAssignment, Reason::Granted),
            Err(reason) => reason,
        };
        Decision::new(self.meta.revision, reason)
    }

    /// [`check_at`](Self::check_at) without building the reason: the index of the granting
    /// assignment (for [`grant_of`](Self::grant_of)), or why not. For hosts that remember
    /// what each assignment index names.
    #[inline]
    pub fn decide_at(
        &self,
        user: u32,
        permission: u32,
        scope: u32,
        resource: u32,
    ) -> Result<u32, Reason<'static>> {
        if permission as usize >= self.permissions.len() {
            Err(Reason::UnknownPermission)
        } else if scope as usize >= self.scopes.len() {
            Err(Reason::UnknownScope)
        } else if user as usize >= self.users.len() {
            Err(Reason::UnknownUser)
        } else {
            let chain = self.chain(scope);
            let rec = self.users.get(user as usize).ok_or(Reason::UnknownUser)?;
            let (first, _) = rec.assignments;
            self.assignment_slice(rec)
                .iter()
                .position(|a| self.applies(a, permission, chain, resource))
                .map(|at| first + at as u32)
                .ok_or(Reason::NoMatchingAssignment)
        }
    }

    /// What assignment number `assignment` grants (see [`decide_at`](Self::decide_at)).
    pub fn grant_of(&self, assignment: u32) -> Option<Grant<'_>> {
        self.assignments
            .get(assignment as usize)
            .map(|a| self.grant(a))
    }

    /// The index of a user, for [`can_at`](Self::can_at).
    pub fn user_index(&self, id: &str) -> Option<u32> {
        self.find_user(id)
    }

    /// The index of a permission, for [`can_at`](Self::can_at).
    pub fn permission_index(&self, permission: &str) -> Option<u32> {
        self.find_permission(permission)
    }

    /// The index of a scope, for [`can_at`](Self::can_at).
    pub fn scope_index(&self, id: &str) -> Option<u32> {
        self.find_scope(id)
    }

    /// The index of a resource, for [`can_at`](Self::can_at); [`NO_RESOURCE`] when the
    /// snapshot has no such resource (which then matches no resource-based assignment).
    pub fn resource_index(&self, resource_type: &str, id: &str) -> u32 {
        self.find_resource(Some(crate::decision::ResourceRef { resource_type, id }))
    }

    fn reason(&self, request: &Request<'_>) -> Reason<'_> {
        match self.resolve(request) {
            Err(reason) => reason,
            Ok((user, permission, scope, resource)) => {
                match self.first_grant(user, permission, scope, resource) {
                    Some(a) => Reason::Granted(self.grant(a)),
                    None => Reason::NoMatchingAssignment,
                }
            }
        }
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

    /// The user's first assignment (by id) that grants `permission` at `scope`.
    #[inline]
    pub(crate) fn first_grant(
        &self,
        user: u32,
        permission: u32,
        scope: u32,
        resource: u32,
    ) -> Option<&AssignmentRec> {
        let chain = self.chain(scope);
        let user = self.users.get(user as usize)?;
        self.assignment_slice(user)
            .iter()
            .find(|a| self.applies(a, permission, chain, resource))
    }

    /// Whether assignment `a` grants `permission` at a scope with ancestor `chain` for a
    /// request naming `resource` (or `NONE`).
    #[inline]
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
#[inline]
pub(crate) fn covers(a: &AssignmentRec, chain: [u32; 3], resource: u32) -> bool {
    let [here, parent, grandparent] = chain;
    (a.scope == here || a.scope == parent || a.scope == grandparent) && bound_to(a, resource)
}

/// Whether assignment `a` may serve a request naming `resource` (or `NONE`): assignments of
/// resource-based roles serve only requests naming their resource.
#[inline]
pub(crate) fn bound_to(a: &AssignmentRec, resource: u32) -> bool {
    a.resource == NONE || a.resource == resource
}
