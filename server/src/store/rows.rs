//! A policy as the store's rows, and back; and a change applied the way the store applies it
//! to its tables (so the write path can check the core's change accounts for everything).

use rolegate_core::{Account, Assignment, Organization, Resource, Subaccount};

use crate::engine::{Change, Policy, ResourceKey, Settings, User};

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

/// `policy` with `change` applied, the way the store applies it to its tables.
pub fn with_change(policy: &Policy, change: &Change) -> Policy {
    let mut after = policy.clone();
    after.revision = policy.revision.saturating_add(1);
    after
        .assignments
        .retain(|a| !change.removed.iter().any(|r| r.id == a.id));
    if let Some(settings) = &change.settings_after {
        after.settings = settings.clone();
    }
    match (&change.user_before, &change.user_after) {
        (Some(before), None) => after.users.retain(|u| u.id != before.id),
        (None, Some(new)) => after.users.push(new.clone()),
        (Some(_), Some(new)) => {
            if let Some(u) = after.users.iter_mut().find(|u| u.id == new.id) {
                *u = new.clone();
            }
        }
        (None, None) => {}
    }
    after.assignments.extend(change.added.iter().cloned());
    after
}

/// Whether two policies hold the same state, whatever the order of their lists.
pub fn same_state(a: &Policy, b: &Policy) -> bool {
    normalized(a) == normalized(b)
}

fn normalized(p: &Policy) -> Policy {
    let mut p = p.clone();
    p.accounts.sort_by(|x, y| x.id.cmp(&y.id));
    p.subaccounts.sort_by(|x, y| x.id.cmp(&y.id));
    p.users.sort_by(|x, y| x.id.cmp(&y.id));
    p.permissions.sort();
    p.roles.sort_by(|x, y| x.id.cmp(&y.id));
    p.resources
        .sort_by(|x, y| (&x.resource_type, &x.id).cmp(&(&y.resource_type, &y.id)));
    p.assignments.sort_by(|x, y| x.id.cmp(&y.id));
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_round_trip() {
        let p: Policy = serde_json::from_str(crate::serve::DEMO_POLICY).unwrap();
        let back = from_rows(to_rows(&p).unwrap(), p.revision).unwrap();
        assert!(same_state(&p, &back));
    }
}
