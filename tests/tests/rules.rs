//! Every validation rule, broken on purpose, with the error it must give. The base is the
//! demo organization, which breaks none.

use rolegate_core::ids::IdProblem;
use rolegate_core::permission::PathProblem;
use rolegate_core::{
    Assignment, CompileError, Item, Policy, Resource, ResourceKey, Role, RoleKind, ScopeLevel,
    compile, validate,
};

use crate::common::{acme, options};

/// Asserts that `policy` breaks `expected` (among possibly other rules) and does not compile.
fn assert_breaks(policy: &Policy, expected: CompileError) {
    let problems = validate(policy);
    assert!(
        problems.contains(&expected),
        "expected {expected:?}\n got {problems:#?}"
    );
    assert!(compile(policy, &options(policy)).is_err());
}

fn assignment(id: &str, user: &str, role: &str, scope: &str) -> Assignment {
    Assignment {
        id: id.into(),
        user: user.into(),
        role: role.into(),
        scope: scope.into(),
        resource: None,
    }
}

fn custom_role(id: &str, kind: RoleKind, lowest_level: ScopeLevel, allow: &[&str]) -> Role {
    Role {
        id: id.into(),
        sid: None,
        name: id.into(),
        description: String::new(),
        kind,
        lowest_level,
        allow: allow.iter().map(|s| s.to_string()).collect(),
        deny: Vec::new(),
        resource_types: Vec::new(),
    }
}

struct Acme {
    policy: Policy,
}

impl Acme {
    fn new() -> Acme {
        Acme { policy: acme() }
    }
    fn org(&self) -> String {
        self.policy.organization.id.clone()
    }
    fn user(&self, i: usize) -> String {
        self.policy.users[i].id.clone()
    }
    fn account(&self, i: usize) -> String {
        self.policy.accounts[i].id.clone()
    }
    fn subaccount(&self, i: usize) -> String {
        self.policy.subaccounts[i].id.clone()
    }
    fn emea(&self) -> ResourceKey {
        ResourceKey {
            resource_type: "billing-group".into(),
            id: self.policy.resources[0].id.clone(),
        }
    }
}

#[test]
fn the_demo_organization_breaks_no_rule() {
    assert_eq!(validate(&acme()), vec![]);
}

#[test]
fn ids_must_be_non_empty_bounded_and_printable() {
    let mut a = Acme::new();
    a.policy.accounts[0].id = format!("AC{}", "0".repeat(70));
    assert_breaks(
        &a.policy,
        CompileError::InvalidId {
            item: Item::Account,
            id: a.policy.accounts[0].id[..64].to_string(),
            problem: IdProblem::TooLong,
        },
    );
    let mut a = Acme::new();
    a.policy.users[0].id = String::new();
    assert_breaks(
        &a.policy,
        CompileError::InvalidId {
            item: Item::User,
            id: String::new(),
            problem: IdProblem::Empty,
        },
    );
    let mut a = Acme::new();
    a.policy.assignments[0].id = "RA 1".into();
    assert_breaks(
        &a.policy,
        CompileError::InvalidId {
            item: Item::Assignment,
            id: "RA 1".into(),
            problem: IdProblem::BadCharacter,
        },
    );
}

#[test]
fn display_texts_are_bounded() {
    let mut a = Acme::new();
    a.policy.users[2].name = "x".repeat(2000);
    let id = a.user(2);
    assert_breaks(
        &a.policy,
        CompileError::TextTooLong {
            item: Item::User,
            id,
            field: "name",
        },
    );
}

#[test]
fn ids_are_unique() {
    let mut a = Acme::new();
    let copy = a.policy.users[1].clone();
    a.policy.users.push(copy);
    assert_breaks(
        &a.policy,
        CompileError::DuplicateId {
            item: Item::User,
            id: a.user(1),
        },
    );

    // Scope ids are one namespace across accounts and subaccounts.
    let mut a = Acme::new();
    let id = a.account(1);
    a.policy.subaccounts[0].id = id.clone();
    assert_breaks(
        &a.policy,
        CompileError::DuplicateId {
            item: Item::Subaccount,
            id,
        },
    );

    // Custom roles cannot reuse a default role's id.
    let mut a = Acme::new();
    a.policy.roles[0].id = "owner".into();
    assert_breaks(
        &a.policy,
        CompileError::DuplicateId {
            item: Item::Role,
            id: "owner".into(),
        },
    );

    let mut a = Acme::new();
    let copy = a.policy.assignments[6].clone();
    let id = copy.id.clone();
    a.policy.assignments.push(copy);
    assert_breaks(
        &a.policy,
        CompileError::DuplicateId {
            item: Item::Assignment,
            id,
        },
    );

    let mut a = Acme::new();
    let copy = a.policy.resources[0].clone();
    let id = copy.id.clone();
    a.policy.resources.push(copy);
    assert_breaks(
        &a.policy,
        CompileError::DuplicateId {
            item: Item::Resource,
            id,
        },
    );
}

#[test]
fn references_must_resolve() {
    let unknown = |id: &str, target: Item, value: &str| CompileError::UnknownReference {
        item: Item::Assignment,
        id: id.into(),
        target,
        value: value.into(),
    };
    let mut a = Acme::new();
    a.policy.assignments[6].role = "no-such-role".into();
    let id = a.policy.assignments[6].id.clone();
    assert_breaks(&a.policy, unknown(&id, Item::Role, "no-such-role"));

    let mut a = Acme::new();
    a.policy.assignments[6].user = "USghost".into();
    assert_breaks(&a.policy, unknown(&id, Item::User, "USghost"));

    let mut a = Acme::new();
    a.policy.assignments[6].scope = "ACghost".into();
    assert_breaks(&a.policy, unknown(&id, Item::Scope, "ACghost"));

    let mut a = Acme::new();
    a.policy.assignments[11].resource.as_mut().unwrap().id = "BGghost".into();
    let id = a.policy.assignments[11].id.clone();
    assert_breaks(
        &a.policy,
        unknown(&id, Item::Resource, "billing-group:BGghost"),
    );

    let mut a = Acme::new();
    a.policy.subaccounts[1].account = "ACghost".into();
    assert_breaks(
        &a.policy,
        CompileError::UnknownReference {
            item: Item::Subaccount,
            id: a.subaccount(1),
            target: Item::Account,
            value: "ACghost".into(),
        },
    );
}

#[test]
fn subaccounts_do_not_nest() {
    let mut a = Acme::new();
    a.policy.subaccounts[1].account = a.subaccount(0);
    assert_breaks(
        &a.policy,
        CompileError::NestedSubaccount {
            subaccount: a.subaccount(1),
            parent: a.subaccount(0),
        },
    );
}

#[test]
fn permissions_are_well_formed_and_unique() {
    let mut a = Acme::new();
    a.policy.permissions.push("campaigns/launch".into());
    assert_breaks(
        &a.policy,
        CompileError::InvalidPermission {
            permission: "campaigns/launch".into(),
            problem: PathProblem::SegmentCount,
        },
    );
    // A custom permission twice is a mistake; one of the default catalog's is accepted.
    let mut a = Acme::new();
    let custom = a.policy.permissions[0].clone();
    a.policy.permissions.push(custom.clone());
    assert_breaks(
        &a.policy,
        CompileError::DuplicatePermission { permission: custom },
    );
    let mut a = Acme::new();
    a.policy.permissions.push("iam/users/read".into());
    a.policy.permissions.push("iam/users/read".into());
    assert_eq!(validate(&a.policy), vec![]);
}

#[test]
fn role_patterns_parse_and_match_something() {
    let mut a = Acme::new();
    a.policy.roles[0].allow.push("campaigns/**/launch".into());
    assert_breaks(
        &a.policy,
        CompileError::InvalidPattern {
            role: "campaign-manager".into(),
            pattern: "campaigns/**/launch".into(),
            problem: PathProblem::Wildcard,
        },
    );
    let mut a = Acme::new();
    a.policy.roles[0].deny.push("campains/**".into());
    assert_breaks(
        &a.policy,
        CompileError::PatternMatchesNothing {
            role: "campaign-manager".into(),
            pattern: "campains/**".into(),
        },
    );
    let mut a = Acme::new();
    a.policy.roles[0].allow = (0..300).map(|_| "campaigns/**".to_string()).collect();
    assert_breaks(
        &a.policy,
        CompileError::TooMany {
            what: "patterns in one role",
            count: 301,
            max: 256,
        },
    );
}

#[test]
fn role_kinds_fix_their_levels_and_resource_types() {
    let mut a = Acme::new();
    a.policy.roles.push(custom_role(
        "org-auditor",
        RoleKind::Organization,
        ScopeLevel::Subaccount,
        &["iam/*/read"],
    ));
    assert_breaks(
        &a.policy,
        CompileError::RoleLevelForKind {
            role: "org-auditor".into(),
            kind: RoleKind::Organization,
            lowest_level: ScopeLevel::Subaccount,
        },
    );
    let mut a = Acme::new();
    a.policy.roles.push(custom_role(
        "group-auditor",
        RoleKind::ResourceBased,
        ScopeLevel::Organization,
        &["billing/*/read"],
    ));
    assert_breaks(
        &a.policy,
        CompileError::RoleResourceTypes {
            role: "group-auditor".into(),
            kind: RoleKind::ResourceBased,
            problem: "must name at least one resource type",
        },
    );
    let mut a = Acme::new();
    a.policy.roles[0]
        .resource_types
        .push("billing-group".into());
    assert_breaks(
        &a.policy,
        CompileError::RoleResourceTypes {
            role: "campaign-manager".into(),
            kind: RoleKind::BuiltIn,
            problem: "cannot name resource types: only resource-based roles do",
        },
    );
    let mut a = Acme::new();
    a.policy.resources.push(Resource {
        resource_type: "Billing Group".into(),
        id: "BGx".into(),
        name: String::new(),
    });
    assert_breaks(
        &a.policy,
        CompileError::InvalidResourceType {
            resource_type: "Billing Group".into(),
            problem: IdProblem::BadCharacter,
        },
    );
}

#[test]
fn roles_are_assigned_only_where_their_kind_allows() {
    let cases = [
        // A general role at the organization.
        (
            "developer",
            RoleKind::General,
            ScopeLevel::Account,
            ScopeLevel::Organization,
        ),
        // An organization role at an account.
        (
            "organization-billing-viewer",
            RoleKind::Organization,
            ScopeLevel::Organization,
            ScopeLevel::Account,
        ),
        // A built-in role below its lowest level.
        (
            "numbers-purchaser",
            RoleKind::BuiltIn,
            ScopeLevel::Account,
            ScopeLevel::Subaccount,
        ),
        // A general role at a subaccount.
        (
            "support",
            RoleKind::General,
            ScopeLevel::Account,
            ScopeLevel::Subaccount,
        ),
    ];
    for (role, kind, lowest_level, level) in cases {
        let mut a = Acme::new();
        let scope = match level {
            ScopeLevel::Organization => a.org(),
            ScopeLevel::Account => a.account(1),
            ScopeLevel::Subaccount => a.subaccount(1),
        };
        let user = a.user(6);
        a.policy
            .assignments
            .push(assignment("RAnew", &user, role, &scope));
        assert_breaks(
            &a.policy,
            CompileError::LevelNotAllowed {
                assignment: "RAnew".into(),
                role: role.into(),
                kind,
                lowest_level,
                scope,
                level,
            },
        );
    }
    // A resource-based role at an account.
    let mut a = Acme::new();
    let (user, scope) = (a.user(8), a.account(0));
    let mut extra = assignment("RAnew", &user, "billing-group-viewer", &scope);
    extra.resource = Some(a.emea());
    a.policy.assignments.push(extra);
    assert_breaks(
        &a.policy,
        CompileError::LevelNotAllowed {
            assignment: "RAnew".into(),
            role: "billing-group-viewer".into(),
            kind: RoleKind::ResourceBased,
            lowest_level: ScopeLevel::Organization,
            scope,
            level: ScopeLevel::Account,
        },
    );
}

#[test]
fn resources_go_exactly_with_resource_based_roles() {
    let mut a = Acme::new();
    a.policy.assignments[11].resource = None;
    let id = a.policy.assignments[11].id.clone();
    assert_breaks(
        &a.policy,
        CompileError::ResourceRequired {
            assignment: id,
            role: "billing-group-admin".into(),
        },
    );
    let mut a = Acme::new();
    a.policy.assignments[6].resource = Some(a.emea());
    let id = a.policy.assignments[6].id.clone();
    assert_breaks(
        &a.policy,
        CompileError::ResourceNotAllowed {
            assignment: id,
            role: "developer".into(),
        },
    );
    let mut a = Acme::new();
    a.policy.resources.push(Resource {
        resource_type: "project".into(),
        id: "PJ1".into(),
        name: "Project".into(),
    });
    a.policy.assignments[11].resource = Some(ResourceKey {
        resource_type: "project".into(),
        id: "PJ1".into(),
    });
    let id = a.policy.assignments[11].id.clone();
    assert_breaks(
        &a.policy,
        CompileError::ResourceTypeNotOfRole {
            assignment: id,
            role: "billing-group-admin".into(),
            resource_type: "project".into(),
        },
    );
}

/// Every (built-in role, scope) pair the demo organization allows.
fn built_in_slots(a: &Acme) -> Vec<(String, String)> {
    let roles: Vec<Role> = rolegate_core::catalog::default_roles()
        .into_iter()
        .filter(|r| r.kind == RoleKind::BuiltIn)
        .collect();
    let mut scopes = vec![(a.org(), ScopeLevel::Organization)];
    scopes.extend((0..3).map(|i| (a.account(i), ScopeLevel::Account)));
    scopes.extend((0..3).map(|i| (a.subaccount(i), ScopeLevel::Subaccount)));
    let mut slots = Vec::new();
    for r in &roles {
        for (s, level) in &scopes {
            if r.kind.assignable_at(r.lowest_level, *level) {
                slots.push((r.id.clone(), s.clone()));
            }
        }
    }
    slots
}

#[test]
fn at_most_25_built_in_roles_per_user() {
    let base = Acme::new();
    let slots = built_in_slots(&base);
    assert!(slots.len() > 26);
    let user = base.user(1);
    let with = |n: usize| {
        let mut a = Acme::new();
        for (i, (role, scope)) in slots.iter().take(n).enumerate() {
            a.policy
                .assignments
                .push(assignment(&format!("RAcap{i}"), &user, role, scope));
        }
        a.policy
    };
    assert_eq!(validate(&with(25)), vec![]);
    assert_breaks(
        &with(26),
        CompileError::BuiltInCapExceeded {
            user: user.clone(),
            count: 26,
            cap: 25,
        },
    );
    // The same role at the same scope, repeated, is one role held.
    let mut a = Acme::new();
    for i in 0..40 {
        a.policy.assignments.push(assignment(
            &format!("RAsame{i}"),
            &user,
            "studio-viewer",
            &a.org(),
        ));
    }
    assert_eq!(validate(&a.policy), vec![]);
    // The cap is a policy setting.
    let mut p = with(3);
    p.settings.max_built_in_roles_per_user = 2;
    assert_breaks(
        &p,
        CompileError::BuiltInCapExceeded {
            user,
            count: 3,
            cap: 2,
        },
    );
}

#[test]
fn every_account_has_exactly_one_owner() {
    let mut a = Acme::new();
    a.policy.assignments.remove(5);
    assert_breaks(
        &a.policy,
        CompileError::OwnerCount {
            account: a.account(2),
            count: 0,
        },
    );
    let mut a = Acme::new();
    let (user, scope) = (a.user(1), a.account(0));
    a.policy
        .assignments
        .push(assignment("RAowner2", &user, "owner", &scope));
    assert_breaks(
        &a.policy,
        CompileError::OwnerCount {
            account: scope,
            count: 2,
        },
    );
}

#[test]
fn errors_are_one_line_naming_item_and_value() {
    let mut a = Acme::new();
    a.policy.assignments[6].role = "no-such-role".into();
    let message = compile(&a.policy, &options(&a.policy))
        .unwrap_err()
        .to_string();
    assert!(!message.contains('\n'));
    assert!(message.contains("`no-such-role`"), "{message}");
    assert!(message.contains(&a.policy.assignments[6].id), "{message}");
}
