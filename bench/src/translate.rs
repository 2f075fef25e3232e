//! A policy restated in the terms every peer shares: which concrete permissions each role
//! grants (allow patterns expanded, the role's denies applied), which roles are
//! resource-based, each scope's chain up to the organization, and each assignment as a
//! (user, role, domain) triple — the domain being a scope, or `scope|type:id` for a
//! resource-based assignment. A request then asks: does the user hold a role granting the
//! permission in a domain of the scope's chain (or, with a resource, the chain's
//! resource-qualified domains)?

use std::collections::{HashMap, HashSet};

use rolegate_core::{Policy, RoleKind, catalog};
use rolegate_tests::Reference;

use crate::requests::BenchRequest;

/// The chain of domains a request is decided in: its scope and ancestors, each bare and
/// qualified with the request's resource (empty strings where the chain is shorter).
#[derive(Debug, Clone)]
pub struct Domains {
    /// Scope, parent, grandparent.
    pub scopes: [String; 3],
    /// The same, each followed by `|type:id`; empty without a resource.
    pub resources: [String; 3],
}

/// The translation of one policy.
#[derive(Debug)]
pub struct Translation {
    /// Role id → the permissions it grants.
    pub role_permissions: Vec<(String, Vec<String>)>,
    /// Resource-based role ids.
    pub resource_roles: HashSet<String>,
    /// Scope id → its chain: itself, then ancestors up to the organization.
    pub chains: HashMap<String, Vec<String>>,
    /// (user, role, domain) per assignment of an active user.
    pub held: Vec<(String, String, String)>,
}

/// The domain of a resource-based assignment or request.
pub fn resource_domain(scope: &str, resource: &str) -> String {
    format!("{scope}|{resource}")
}

impl Translation {
    /// Restates `policy`; role grants are asked of the reference model.
    pub fn new(policy: &Policy) -> Translation {
        let reference = Reference::new(policy, policy.revision);
        let permissions = reference.permissions();
        let mut roles = catalog::default_roles();
        roles.extend(policy.roles.iter().cloned());
        let role_permissions = roles
            .iter()
            .map(|r| {
                let granted = permissions
                    .iter()
                    .filter(|p| reference.role_grants(&r.id, p))
                    .map(|p| p.to_string())
                    .collect();
                (r.id.clone(), granted)
            })
            .collect();
        let resource_roles: HashSet<String> = roles
            .iter()
            .filter(|r| r.kind == RoleKind::ResourceBased)
            .map(|r| r.id.clone())
            .collect();
        let org = policy.organization.id.clone();
        let account_of: HashMap<&str, &str> = policy
            .subaccounts
            .iter()
            .map(|s| (s.id.as_str(), s.account.as_str()))
            .collect();
        let mut chains = HashMap::new();
        chains.insert(org.clone(), vec![org.clone()]);
        for a in &policy.accounts {
            chains.insert(a.id.clone(), vec![a.id.clone(), org.clone()]);
        }
        for (sub, account) in account_of {
            chains.insert(
                sub.to_string(),
                vec![sub.to_string(), account.to_string(), org.clone()],
            );
        }
        // A deactivated user is denied everything: their assignments grant nothing.
        let inactive: HashSet<&str> = policy
            .users
            .iter()
            .filter(|u| !u.active)
            .map(|u| u.id.as_str())
            .collect();
        let held = policy
            .assignments
            .iter()
            .filter(|a| !inactive.contains(a.user.as_str()))
            .map(|a| {
                let domain = match (resource_roles.contains(&a.role), &a.resource) {
                    (false, _) => a.scope.clone(),
                    (true, Some(r)) => {
                        resource_domain(&a.scope, &format!("{}:{}", r.resource_type, r.id))
                    }
                    // A resource-based role bound to nothing grants nothing.
                    (true, None) => String::from("|"),
                };
                (a.user.clone(), a.role.clone(), domain)
            })
            .collect();
        Translation {
            role_permissions,
            resource_roles,
            chains,
            held,
        }
    }

    /// The chain of `scope` (an unknown scope is its own chain, and matches nothing).
    pub fn chain(&self, scope: &str) -> Vec<String> {
        self.chains
            .get(scope)
            .cloned()
            .unwrap_or_else(|| vec![scope.to_string()])
    }

    /// The domains `request` is decided in.
    pub fn domains(&self, request: &BenchRequest) -> Domains {
        let chain = self.chain(&request.scope);
        let at = |i: usize| chain.get(i).cloned().unwrap_or_default();
        let qualified = |i: usize| match (&request.resource, chain.get(i)) {
            (Some(r), Some(s)) => resource_domain(s, r),
            _ => String::new(),
        };
        Domains {
            scopes: [at(0), at(1), at(2)],
            resources: [qualified(0), qualified(1), qualified(2)],
        }
    }
}
