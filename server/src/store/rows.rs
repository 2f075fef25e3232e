//! A policy as the store's rows, and back; and whether a change accounts for everything an
//! operation did (the store writes only the change).

use rolegate_core::{Account, Assignment, Organization, Resource, Subaccount};

use crate::engine::{Policy, ResourceKey, Settings, User};

/// A scope row: an account (no parent) or a subaccount (its account).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeRow {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// The account a subaccount belongs to.
    pub parent: Option<String>,
}

/// An assignment row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentRow {
    /// Id.
    pub id: String,
    /// User id.
    pub user: String,
    /// Role id.
    pub role: String,
    /// Scope id.
    pub scope: String,
    /// Resource (type, id).
    pub resource: Option<(String, String)>,
}

/// A resource row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceRow {
    /// Type.
    pub resource_type: String,
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
}

/// A policy taken apart into the store's rows.
#[derive(Debug, Clone)]
pub struct PolicyRows {
    /// The organization's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Settings as JSON.
    pub settings: String,
    /// Custom permissions as a JSON array.
    pub permissions: String,
    /// Accounts and subaccounts.
    pub scopes: Vec<ScopeRow>,
    /// Users.
    pub users: Vec<User>,
    /// Custom roles: (id, JSON definition).
    pub roles: Vec<(String, String)>,
    /// Resources.
    pub resources: Vec<ResourceRow>,
    /// Assignments.
    pub assignments: Vec<AssignmentRow>,
}

/// Why stored rows do not make a policy.
#[derive(Debug, thiserror::Error)]
pub enum RowsError {
    /// A JSON column does not parse.
    #[error("stored {what} of organization `{organization}` does not parse: {source}")]
    Json {
        /// Which column.
        what: &'static str,
        /// The organization.
        organization: String,
        /// Why.
        source: serde_json::Error,
    },
}

/// An assignment as the store keeps it.
pub fn assignment_row(a: &Assignment) -> AssignmentRow {
    AssignmentRow {
        id: a.id.clone(),
        user: a.user.clone(),
        role: a.role.clone(),
        scope: a.scope.clone(),
        resource: a
            .resource
            .as_ref()
            .map(|r| (r.resource_type.clone(), r.id.clone())),
    }
}

/// Takes `policy` apart into rows.
pub fn to_rows(policy: &Policy) -> Result<PolicyRows, serde_json::Error> {
    let mut scopes: Vec<ScopeRow> = policy
        .accounts
        .iter()
        .map(|a| ScopeRow {
            id: a.id.clone(),
            name: a.name.clone(),
            parent: None,
        })
        .collect();
    scopes.extend(policy.subaccounts.iter().map(|s| ScopeRow {
        id: s.id.clone(),
        name: s.name.clone(),
        parent: Some(s.account.clone()),
    }));
    Ok(PolicyRows {
        id: policy.organization.id.clone(),
        name: policy.organization.name.clone(),
        settings: serde_json::to_string(&policy.settings)?,
        permissions: serde_json::to_string(&policy.permissions)?,
        scopes,
        users: policy.users.clone(),
        roles: policy
            .roles
            .iter()
            .map(|r| Ok((r.id.clone(), serde_json::to_string(r)?)))
            .collect::<Result<_, serde_json::Error>>()?,
        resources: policy
            .resources
            .iter()
            .map(|r| ResourceRow {
                resource_type: r.resource_type.clone(),
                id: r.id.clone(),
                name: r.name.clone(),
            })
            .collect(),
        assignments: policy.assignments.iter().map(assignment_row).collect(),
    })
}

/// Puts a policy together from rows, at `revision`.
pub fn from_rows(rows: PolicyRows, revision: u64) -> Result<Policy, RowsError> {
    let json = |what: &'static str, organization: &str, source| RowsError::Json {
        what,
        organization: organization.to_string(),
        source,
    };
    let settings: Settings =
        serde_json::from_str(&rows.settings).map_err(|e| json("settings", &rows.id, e))?;
    let permissions: Vec<String> =
        serde_json::from_str(&rows.permissions).map_err(|e| json("permissions", &rows.id, e))?;
    let roles = rows
        .roles
        .iter()
        .map(|(_, definition)| serde_json::from_str(definition))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| json("role", &rows.id, e))?;
    let mut accounts = Vec::new();
    let mut subaccounts = Vec::new();
    for s in rows.scopes {
        match s.parent {
            None => accounts.push(Account {
                id: s.id,
                name: s.name,
            }),
            Some(account) => subaccounts.push(Subaccount {
                id: s.id,
                name: s.name,
                account,
            }),
        }
    }
    Ok(Policy {
        revision,
        organization: Organization {
            id: rows.id,
            name: rows.name,
        },
        accounts,
        subaccounts,
        users: rows.users,
        permissions,
        roles,
        resources: rows
            .resources
            .into_iter()
            .map(|r| Resource {
                resource_type: r.resource_type,
                id: r.id,
                name: r.name,
            })
            .collect(),
        assignments: rows
            .assignments
            .into_iter()
            .map(|a| Assignment {
                id: a.id,
                user: a.user,
                role: a.role,
                scope: a.scope,
                resource: a
                    .resource
                    .map(|(resource_type, id)| ResourceKey { resource_type, id }),
            })
            .collect(),
        settings,
    })
}

/// The store writes only a change's rows, never the whole policy: this checks (in tests)
/// that a change accounts for everything an operation did.
#[cfg(test)]
pub(crate) mod explains {
    use std::cmp::Ordering;
    use std::collections::HashSet;

    use crate::engine::{Assignment, Change, Policy, User};

    /// Whether `change` accounts for the whole difference between `before` and `after`: the
    /// revision bumped by one, the removed assignments gone, the added ones there, the user
    /// record and settings as the change says, and nothing else different (lists compared
    /// whatever their order). The store writes only the change, so an operation whose change
    /// said less would leave the database disagreeing with the core. Compares references: no
    /// copy of the organization is made.
    pub(crate) fn change_explains(before: &Policy, change: &Change, after: &Policy) -> bool {
        let removed: HashSet<&str> = change.removed.iter().map(|a| a.id.as_str()).collect();
        let assignments: Vec<&Assignment> = before
            .assignments
            .iter()
            .filter(|a| !removed.contains(a.id.as_str()))
            .chain(&change.added)
            .collect();
        let mut users: Vec<&User> = before
            .users
            .iter()
            .filter(|u| change.user_before.as_ref().is_none_or(|b| b.id != u.id))
            .collect();
        users.extend(&change.user_after);
        let settings = change.settings_after.as_ref().unwrap_or(&before.settings);
        after.revision == before.revision.saturating_add(1)
            && after.organization == before.organization
            && *settings == after.settings
            && same_items(&before.accounts, &after.accounts, |x, y| x.id.cmp(&y.id))
            && same_items(&before.subaccounts, &after.subaccounts, |x, y| {
                x.id.cmp(&y.id)
            })
            && same_items(&before.permissions, &after.permissions, |x, y| x.cmp(y))
            && same_items(&before.roles, &after.roles, |x, y| x.id.cmp(&y.id))
            && same_items(&before.resources, &after.resources, |x, y| {
                (&x.resource_type, &x.id).cmp(&(&y.resource_type, &y.id))
            })
            && same_refs(users, &after.users, |x, y| x.id.cmp(&y.id))
            && same_refs(assignments, &after.assignments, |x, y| x.id.cmp(&y.id))
    }

    /// Whether `a` and `b` hold equal items, whatever their order (`order` sorts them).
    pub(super) fn same_items<T: PartialEq>(
        a: &[T],
        b: &[T],
        order: impl Fn(&T, &T) -> Ordering + Copy,
    ) -> bool {
        same_refs(a.iter().collect(), b, order)
    }

    fn same_refs<T: PartialEq>(
        mut a: Vec<&T>,
        b: &[T],
        order: impl Fn(&T, &T) -> Ordering + Copy,
    ) -> bool {
        if a.len() != b.len() {
            return false;
        }
        let mut b: Vec<&T> = b.iter().collect();
        a.sort_by(|x, y| order(x, y));
        b.sort_by(|x, y| order(x, y));
        a == b
    }
}

#[cfg(test)]
mod tests {
    use super::explains::same_items;
    use super::*;

    #[test]
    fn rows_round_trip() {
        let p: Policy = serde_json::from_str(crate::serve::DEMO_POLICY).unwrap();
        let back = from_rows(to_rows(&p).unwrap(), p.revision).unwrap();
        assert_eq!(back.revision, p.revision);
        assert_eq!(back.organization, p.organization);
        assert_eq!(back.settings, p.settings);
        assert!(same_items(&p.accounts, &back.accounts, |x, y| x
            .id
            .cmp(&y.id)));
        assert!(same_items(&p.subaccounts, &back.subaccounts, |x, y| x
            .id
            .cmp(&y.id)));
        assert!(same_items(&p.users, &back.users, |x, y| x.id.cmp(&y.id)));
        assert!(same_items(&p.permissions, &back.permissions, |x, y| x.cmp(y)));
        assert!(same_items(&p.roles, &back.roles, |x, y| x.id.cmp(&y.id)));
        assert!(same_items(&p.resources, &back.resources, |x, y| (
            &x.resource_type,
            &x.id
        )
            .cmp(&(&y.resource_type, &y.id))));
        assert!(same_items(&p.assignments, &back.assignments, |x, y| x
            .id
            .cmp(&y.id)));
    }
}
