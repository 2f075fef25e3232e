//! Questions a console asks about many permissions, scopes or users at once. Each answer is
//! defined by [`Snapshot::check`]: it lists exactly what `check` would allow.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::decide::check::{bound_to, covers};
use crate::decide::{Grant, ResourceRef};
use crate::ffi::Code;
use crate::snapshot::{ScopeView, Snapshot, UserView};

/// Why a query could not be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    /// The user is not in the organization.
    #[error("unknown user `{0}`")]
    UnknownUser(String),
    /// The scope is not the organization, one of its accounts or subaccounts.
    #[error("unknown scope `{0}`")]
    UnknownScope(String),
    /// The permission is not in the catalog.
    #[error("unknown permission `{0}`")]
    UnknownPermission(String),
}

impl QueryError {
    /// The stable code: unknown user, scope or permission.
    #[inline]
    pub const fn code(&self) -> Code {
        match self {
            QueryError::UnknownUser(_) => Code::UnknownUser,
            QueryError::UnknownScope(_) => Code::UnknownScope,
            QueryError::UnknownPermission(_) => Code::UnknownPermission,
        }
    }
}

/// A user who may do something, and the assignment that lets them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder<'s> {
    /// The user.
    #[serde(borrow)]
    pub user: UserView<'s>,
    /// The assignment `check` would name.
    #[serde(borrow)]
    pub grant: Grant<'s>,
}

impl Snapshot {
    fn user_or_err(&self, user: &str) -> Result<u32, QueryError> {
        self.find_user(user)
            .ok_or_else(|| QueryError::UnknownUser(user.to_string()))
    }

    fn scope_or_err(&self, scope: &str) -> Result<u32, QueryError> {
        self.find_scope(scope)
            .ok_or_else(|| QueryError::UnknownScope(scope.to_string()))
    }

    fn permission_or_err(&self, permission: &str) -> Result<u32, QueryError> {
        self.find_permission(permission)
            .ok_or_else(|| QueryError::UnknownPermission(permission.to_string()))
    }

    /// The user's effective permissions at `scope` (for a request naming `resource`), sorted.
    pub fn effective_permissions(
        &self,
        user: &str,
        scope: &str,
        resource: Option<ResourceRef<'_>>,
    ) -> Result<Vec<&str>, QueryError> {
        let u = self.user_or_err(user)?;
        let s = self.scope_or_err(scope)?;
        let chain = self.chain(s);
        let resource = self.find_resource(resource);
        let mut union = alloc::vec![0u64; self.grant_words];
        // A deactivated user's assignments grant nothing.
        if let Some(rec) = self.users.get(u as usize).filter(|r| r.active) {
            for a in self.assignment_slice(rec) {
                if !covers(a, chain, resource) {
                    continue;
                }
                let start = a.role as usize * self.grant_words;
                let words = self
                    .grants
                    .get(start..start + self.grant_words)
                    .unwrap_or_default();
                for (acc, w) in union.iter_mut().zip(words) {
                    *acc |= w;
                }
            }
        }
        Ok(self
            .permissions
            .iter()
            .enumerate()
            .filter(|(p, _)| union.get(p / 64).is_some_and(|w| (w >> (p % 64)) & 1 == 1))
            .map(|(_, &span)| self.text.get(span))
            .collect())
    }

    /// Every scope where the user has `permission` (for a request naming `resource`), in
    /// snapshot order: organization, accounts, subaccounts.
    pub fn scopes_with(
        &self,
        user: &str,
        permission: &str,
        resource: Option<ResourceRef<'_>>,
    ) -> Result<Vec<ScopeView<'_>>, QueryError> {
        let u = self.user_or_err(user)?;
        let p = self.permission_or_err(permission)?;
        let resource = self.find_resource(resource);
        let granted: Vec<u32> = self
            .users
            .get(u as usize)
            .filter(|rec| rec.active)
            .map(|rec| {
                self.assignment_slice(rec)
                    .iter()
                    .filter(|a| bound_to(a, resource) && self.role_grants(a.role, p))
                    .map(|a| a.scope)
                    .collect()
            })
            .unwrap_or_default();
        Ok(self
            .scopes
            .iter()
            .filter(|s| s.chain.iter().any(|c| granted.contains(c)))
            .map(|s| self.scope_view(s))
            .collect())
    }

    /// Every user who may do `permission` at `scope` (for a request naming `resource`), by
    /// user id, each with the assignment that lets them.
    pub fn who_can(
        &self,
        permission: &str,
        scope: &str,
        resource: Option<ResourceRef<'_>>,
    ) -> Result<Vec<Holder<'_>>, QueryError> {
        let p = self.permission_or_err(permission)?;
        let s = self.scope_or_err(scope)?;
        let resource = self.find_resource(resource);
        Ok((0..self.users.len() as u32)
            .filter_map(|u| {
                let a = self.first_grant(u, p, s, resource)?;
                Some(Holder {
                    user: self.user_view(self.users.get(u as usize)?),
                    grant: self.grant(a),
                })
            })
            .collect())
    }
}
