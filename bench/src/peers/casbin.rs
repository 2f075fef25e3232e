//! Casbin (the `casbin` crate): RBAC with domains. A policy line per (role, permission) it
//! grants, a grouping line per assignment (user, role, domain), and a matcher asking for the
//! role in any domain of the request's scope chain — the resource-qualified domains for
//! resource-based roles. The same model text serves node `casbin`.

use casbin::prelude::*;

use crate::requests::BenchRequest;
use crate::translate::Translation;

/// The model: RBAC with domains over a three-level scope chain.
pub const MODEL: &str = "\
[request_definition]
r = sub, d1, d2, d3, e1, e2, e3, act

[policy_definition]
p = sub, act

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.act == p.act && (g(r.sub, p.sub, r.d1) || g(r.sub, p.sub, r.d2) || g(r.sub, p.sub, r.d3) || g(r.sub, p.sub, r.e1) || g(r.sub, p.sub, r.e2) || g(r.sub, p.sub, r.e3))
";

/// The policy lines (role, permission) and grouping lines (user, role, domain), without
/// duplicates (Casbin refuses a batch holding one).
pub fn rules(t: &Translation) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    let policies = t
        .role_permissions
        .iter()
        .flat_map(|(role, ps)| ps.iter().map(move |p| vec![role.clone(), p.clone()]))
        .collect();
    let mut groupings: Vec<Vec<String>> = t
        .held
        .iter()
        .map(|(u, r, d)| vec![u.clone(), r.clone(), d.clone()])
        .collect();
    groupings.sort();
    groupings.dedup();
    (policies, groupings)
}

/// Casbin, loaded with one organization.
pub struct CasbinPeer {
    enforcer: Enforcer,
}

impl std::fmt::Debug for CasbinPeer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CasbinPeer")
    }
}

/// A request's arguments, in the model's order.
pub type Args = [String; 8];

impl CasbinPeer {
    /// Builds the enforcer and adds every rule (what loading Casbin costs).
    pub fn load(policies: Vec<Vec<String>>, groupings: Vec<Vec<String>>) -> CasbinPeer {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime");
        runtime.block_on(async {
            let model = DefaultModel::from_str(MODEL)
                .await
                .expect("the model parses");
            let mut enforcer = Enforcer::new(model, MemoryAdapter::default())
                .await
                .expect("an enforcer");
            enforcer
                .add_policies(policies)
                .await
                .expect("policies added");
            enforcer
                .add_grouping_policies(groupings)
                .await
                .expect("groupings added");
            CasbinPeer { enforcer }
        })
    }

    /// The arguments of a benchmark request.
    pub fn args(t: &Translation, r: &BenchRequest) -> Args {
        let d = t.domains(r);
        let [d1, d2, d3] = d.scopes;
        let [e1, e2, e3] = d.resources;
        [r.user.clone(), d1, d2, d3, e1, e2, e3, r.permission.clone()]
    }

    /// Casbin's decision.
    pub fn allows(&self, a: &Args) -> bool {
        self.enforcer
            .enforce((&a[0], &a[1], &a[2], &a[3], &a[4], &a[5], &a[6], &a[7]))
            .expect("enforce runs")
    }
}
