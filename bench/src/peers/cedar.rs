//! Cedar (`cedar-policy`): a policy per role — `action in Action::"role:R"` when the
//! principal holds `R` in a domain of the resource's chain — with users carrying, per role,
//! the domains they hold it in, scopes carrying their chain, and each permission an action
//! whose parents are the roles granting it. One entity store for the whole organization,
//! built once: the fastest way Cedar offers to ask many questions of one organization.

use std::str::FromStr;

use cedar_policy::{
    Authorizer, Context, Decision, Entities, EntityId, EntityTypeName, EntityUid, PolicySet,
    Request,
};
use serde_json::{Map, Value, json};

use crate::requests::BenchRequest;
use crate::translate::Translation;

/// The policy text: one `permit` per role.
pub fn policy_text(t: &Translation) -> String {
    t.role_permissions
        .iter()
        .map(|(role, _)| {
            let held = if t.resource_roles.contains(role) {
                "context.resources"
            } else {
                "resource.chain"
            };
            format!(
                "permit (principal, action in Action::\"role:{role}\", resource) when {{ principal has \"{role}\" && principal[\"{role}\"].containsAny({held}) }};\n"
            )
        })
        .collect()
}

/// Every entity of the organization in Cedar's JSON entity format.
pub fn entities_json(t: &Translation, users: impl Iterator<Item = String>) -> Value {
    let mut attrs: std::collections::HashMap<String, Map<String, Value>> =
        users.map(|u| (u, Map::new())).collect();
    for (user, role, domain) in &t.held {
        let held = attrs.entry(user.clone()).or_default();
        match held.entry(role.clone()).or_insert_with(|| json!([])) {
            Value::Array(list) => list.push(json!(domain)),
            _ => unreachable!("role attributes are lists"),
        }
    }
    let mut entities: Vec<Value> = attrs
        .into_iter()
        .map(|(user, a)| json!({"uid": {"type": "User", "id": user}, "attrs": a, "parents": []}))
        .collect();
    for (scope, chain) in &t.chains {
        entities.push(
            json!({"uid": {"type": "Scope", "id": scope}, "attrs": {"chain": chain}, "parents": []}),
        );
    }
    let mut parents: std::collections::BTreeMap<&str, Vec<Value>> = Default::default();
    for (role, permissions) in &t.role_permissions {
        entities.push(json!({"uid": {"type": "Action", "id": format!("role:{role}")}, "attrs": {}, "parents": []}));
        for p in permissions {
            parents
                .entry(p)
                .or_default()
                .push(json!({"type": "Action", "id": format!("role:{role}")}));
        }
    }
    for (permission, roles) in parents {
        entities.push(
            json!({"uid": {"type": "Action", "id": permission}, "attrs": {}, "parents": roles}),
        );
    }
    Value::Array(entities)
}

/// Cedar, loaded with one organization.
#[derive(Debug)]
pub struct CedarPeer {
    policies: PolicySet,
    entities: Entities,
    authorizer: Authorizer,
}

fn uid(kind: &str, id: &str) -> EntityUid {
    EntityUid::from_type_name_and_id(
        EntityTypeName::from_str(kind).expect("a valid type name"),
        EntityId::new(id),
    )
}

impl CedarPeer {
    /// Parses the policies and the entity store (what loading Cedar costs).
    pub fn load(policy_text: &str, entities_json: &str) -> CedarPeer {
        CedarPeer {
            policies: PolicySet::from_str(policy_text).expect("the policies parse"),
            entities: Entities::from_json_str(entities_json, None).expect("the entities parse"),
            authorizer: Authorizer::new(),
        }
    }

    /// The Cedar request for a benchmark request (built outside the timing, like every
    /// engine's requests).
    pub fn request(&self, t: &Translation, r: &BenchRequest) -> Request {
        let domains = t.domains(r);
        let resources: Vec<&String> = domains.resources.iter().filter(|d| !d.is_empty()).collect();
        let context = Context::from_json_value(json!({ "resources": resources }), None)
            .expect("the context parses");
        Request::new(
            uid("User", &r.user),
            uid("Action", &r.permission),
            uid("Scope", &r.scope),
            context,
            None,
        )
        .expect("a request without a schema is valid")
    }

    /// Cedar's decision.
    pub fn allows(&self, request: &Request) -> bool {
        self.authorizer
            .is_authorized(request, &self.policies, &self.entities)
            .decision()
            == Decision::Allow
    }
}
