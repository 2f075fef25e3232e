//! Random valid organizations and random requests against them, from a seed.
//!
//! The same generator feeds the property tests (small shapes, many seeds) and the benchmarks
//! (the S, M and L shapes). Every policy it makes compiles: each account gets exactly one
//! Owner, every role lands at a level it allows, and no user passes the built-in cap.

use rolegate_core::catalog::{self, ACCOUNT_OWNER, BILLING_GROUP};
use rolegate_core::{
    Account, Assignment, Organization, Policy, Request, Resource, ResourceKey, ResourceRef, Role,
    RoleKind, ScopeLevel, Settings, Subaccount, User,
};

/// A small, fast, deterministic generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9e37_79b9_7f4a_7c15)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`0` when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    /// A random element of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }

    /// A Twilio-style id: two letters and 32 hex digits.
    pub fn sid(&mut self, prefix: &str) -> String {
        format!("{prefix}{:016x}{:016x}", self.next_u64(), self.next_u64())
    }

    /// Shuffles `items` in place.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// How large an organization to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Accounts.
    pub accounts: usize,
    /// Subaccounts, spread over the accounts.
    pub subaccounts: usize,
    /// Users.
    pub users: usize,
    /// Role assignments, owners included.
    pub assignments: usize,
    /// Custom roles beyond the default catalog.
    pub custom_roles: usize,
    /// Billing groups.
    pub billing_groups: usize,
    /// The per-user built-in role cap.
    pub cap: u32,
}

impl Shape {
    /// The shape called `name`: `S`, `M` or `L`.
    pub fn named(name: &str) -> Option<Shape> {
        match name {
            "S" => Some(Shape::S),
            "M" => Some(Shape::M),
            "L" => Some(Shape::L),
            _ => None,
        }
    }

    /// Benchmark size S: 1k users, 100 subaccounts, 5k assignments.
    pub const S: Shape = Shape {
        accounts: 20,
        subaccounts: 100,
        users: 1_000,
        assignments: 5_000,
        custom_roles: 4,
        billing_groups: 10,
        cap: 25,
    };
    /// Benchmark size M: 10k users, 1k subaccounts, 50k assignments.
    pub const M: Shape = Shape {
        accounts: 200,
        subaccounts: 1_000,
        users: 10_000,
        assignments: 50_000,
        custom_roles: 8,
        billing_groups: 50,
        cap: 25,
    };
    /// Benchmark size L: 100k users, 10k subaccounts, 500k assignments.
    pub const L: Shape = Shape {
        accounts: 2_000,
        subaccounts: 10_000,
        users: 100_000,
        assignments: 500_000,
        custom_roles: 16,
        billing_groups: 200,
        cap: 25,
    };

    /// A small random shape, for property tests.
    pub fn small(rng: &mut Rng) -> Shape {
        Shape {
            accounts: 1 + rng.below(4),
            subaccounts: rng.below(6),
            users: 1 + rng.below(8),
            assignments: rng.below(24),
            custom_roles: rng.below(3),
            billing_groups: rng.below(3),
            cap: 1 + rng.below(6) as u32,
        }
    }
}

const CUSTOM_PERMISSIONS: &[&str] = &[
    "campaigns/audiences/manage",
    "campaigns/audiences/read",
    "campaigns/campaigns/launch",
    "campaigns/campaigns/read",
];

/// A random permission pattern that matches at least one of `permissions`.
fn pattern(rng: &mut Rng, permissions: &[&str]) -> String {
    let base = rng.pick(permissions).copied().unwrap_or("iam/users/read");
    let parts: Vec<&str> = base.split('/').collect();
    match rng.below(5) {
        0 => format!("{}/**", parts.first().copied().unwrap_or("iam")),
        1 => format!(
            "{}/*/{}",
            parts.first().copied().unwrap_or("iam"),
            parts.get(2).copied().unwrap_or("read")
        ),
        2 => format!(
            "{}/{}/*",
            parts.first().copied().unwrap_or("iam"),
            parts.get(1).copied().unwrap_or("users")
        ),
        _ => base.to_string(),
    }
}

fn custom_role(rng: &mut Rng, n: usize, permissions: &[&str]) -> Role {
    let kind = match rng.below(6) {
        0 => RoleKind::Organization,
        1 => RoleKind::General,
        2 => RoleKind::ResourceBased,
        _ => RoleKind::BuiltIn,
    };
    let lowest_level = match kind {
        RoleKind::Organization | RoleKind::ResourceBased => ScopeLevel::Organization,
        RoleKind::General => ScopeLevel::Account,
        RoleKind::BuiltIn => *rng
            .pick(&[
                ScopeLevel::Organization,
                ScopeLevel::Account,
                ScopeLevel::Subaccount,
            ])
            .unwrap_or(&ScopeLevel::Subaccount),
    };
    let allow = (0..1 + rng.below(3))
        .map(|_| pattern(rng, permissions))
        .collect();
    let deny = (0..rng.below(2))
        .map(|_| pattern(rng, permissions))
        .collect();
    Role {
        id: format!("custom-{n}"),
        sid: None,
        name: format!("Custom Role {n}"),
        description: String::new(),
        kind,
        lowest_level,
        allow,
        deny,
        resource_types: if kind == RoleKind::ResourceBased {
            vec![BILLING_GROUP.to_string()]
        } else {
            Vec::new()
        },
    }
}

/// A random valid policy of the given shape.
pub fn policy(shape: &Shape, seed: u64) -> Policy {
    let mut rng = Rng::new(seed);
    let organization = Organization {
        id: rng.sid("OR"),
        name: "Generated Org".into(),
    };
    let accounts: Vec<Account> = (0..shape.accounts.max(1))
        .map(|i| Account {
            id: rng.sid("AC"),
            name: format!("Account {i}"),
        })
        .collect();
    let subaccounts: Vec<Subaccount> = (0..shape.subaccounts)
        .map(|i| Subaccount {
            id: rng.sid("AC"),
            name: format!("Subaccount {i}"),
            account: rng
                .pick(&accounts)
                .map(|a| a.id.clone())
                .unwrap_or_default(),
        })
        .collect();
    let users: Vec<User> = (0..shape.users.max(1))
        .map(|i| User {
            // Every 7th user is deactivated (decided by position, so the random stream and
            // everything else generated stays as it was).
            active: i % 7 != 6,
            ..User::new(
                rng.sid("US"),
                format!("User {i:06}"),
                format!("user{i}@example.com"),
            )
        })
        .collect();
    let permissions: Vec<String> = CUSTOM_PERMISSIONS.iter().map(|p| p.to_string()).collect();
    let mut catalog_permissions: Vec<&str> = catalog::PERMISSIONS.to_vec();
    catalog_permissions.extend(CUSTOM_PERMISSIONS);
    let roles: Vec<Role> = (0..shape.custom_roles)
        .map(|n| custom_role(&mut rng, n, &catalog_permissions))
        .collect();
    let resources: Vec<Resource> = (0..shape.billing_groups)
        .map(|i| Resource {
            resource_type: BILLING_GROUP.into(),
            id: rng.sid("BG"),
            name: format!("Billing group {i}"),
        })
        .collect();

    let mut all_roles = catalog::default_roles();
    all_roles.extend(roles.iter().cloned());
    // The Owner role is handed out once per account, below; never at random.
    let assignable: Vec<&Role> = all_roles.iter().filter(|r| r.id != ACCOUNT_OWNER).collect();
    let scopes_at = |level: ScopeLevel| -> Vec<&str> {
        match level {
            ScopeLevel::Organization => vec![organization.id.as_str()],
            ScopeLevel::Account => accounts.iter().map(|a| a.id.as_str()).collect(),
            ScopeLevel::Subaccount => subaccounts.iter().map(|s| s.id.as_str()).collect(),
        }
    };

    let mut assignments = Vec::with_capacity(shape.assignments + accounts.len());
    for a in &accounts {
        let owner = rng.pick(&users).map(|u| u.id.clone()).unwrap_or_default();
        assignments.push(Assignment {
            id: rng.sid("RA"),
            user: owner,
            role: ACCOUNT_OWNER.into(),
            scope: a.id.clone(),
            resource: None,
        });
    }
    let mut built_in = vec![0u32; users.len()];
    let mut attempts = 0;
    while assignments.len() < shape.assignments.max(accounts.len())
        && attempts < shape.assignments * 4
    {
        attempts += 1;
        let u = rng.below(users.len());
        let Some(role) = rng.pick(&assignable).copied() else {
            break;
        };
        let levels: Vec<ScopeLevel> = [
            ScopeLevel::Organization,
            ScopeLevel::Account,
            ScopeLevel::Subaccount,
        ]
        .into_iter()
        .filter(|&l| role.kind.assignable_at(role.lowest_level, l))
        .filter(|&l| !scopes_at(l).is_empty())
        .collect();
        let Some(&level) = rng.pick(&levels) else {
            continue;
        };
        let Some(scope) = rng.pick(&scopes_at(level)).map(|s| s.to_string()) else {
            continue;
        };
        let resource = if role.kind == RoleKind::ResourceBased {
            let Some(r) = rng.pick(&resources) else {
                continue;
            };
            Some(ResourceKey {
                resource_type: r.resource_type.clone(),
                id: r.id.clone(),
            })
        } else {
            None
        };
        if role.kind == RoleKind::BuiltIn {
            let Some(count) = built_in.get_mut(u) else {
                continue;
            };
            if *count >= shape.cap {
                continue;
            }
            *count += 1;
        }
        assignments.push(Assignment {
            id: rng.sid("RA"),
            user: users.get(u).map(|x| x.id.clone()).unwrap_or_default(),
            role: role.id.clone(),
            scope,
            resource,
        });
    }

    Policy {
        revision: 1 + rng.below(1000) as u64,
        organization,
        accounts,
        subaccounts,
        users,
        permissions,
        roles,
        resources,
        assignments,
        settings: Settings {
            max_built_in_roles_per_user: shape.cap,
        },
    }
}

/// Owned request fields, so requests can outlive the generator's borrow of the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedRequest {
    /// User id.
    pub user: String,
    /// Permission.
    pub permission: String,
    /// Scope id.
    pub scope: String,
    /// Resource (type, id).
    pub resource: Option<(String, String)>,
}

impl OwnedRequest {
    /// Borrows it as a core [`Request`].
    pub fn as_request(&self) -> Request<'_> {
        Request {
            user: &self.user,
            permission: &self.permission,
            scope: &self.scope,
            resource: self.resource.as_ref().map(|(t, id)| ResourceRef {
                resource_type: t,
                id,
            }),
        }
    }
}

/// A random request against `policy`: mostly known names, sometimes unknown ones, sometimes
/// a resource. Users who hold assignments are favoured, so many requests are allowed.
pub fn request(policy: &Policy, rng: &mut Rng) -> OwnedRequest {
    let user = if rng.chance(8) {
        rng.sid("US")
    } else if rng.chance(70) {
        rng.pick(&policy.assignments)
            .map(|a| a.user.clone())
            .unwrap_or_default()
    } else {
        rng.pick(&policy.users)
            .map(|u| u.id.clone())
            .unwrap_or_default()
    };
    let permission = if rng.chance(6) {
        "messaging/service/read".to_string()
    } else if rng.chance(10) {
        rng.pick(&policy.permissions).cloned().unwrap_or_default()
    } else {
        rng.pick(catalog::PERMISSIONS)
            .map(|p| p.to_string())
            .unwrap_or_default()
    };
    let mut scopes: Vec<&str> = vec![&policy.organization.id];
    scopes.extend(policy.accounts.iter().map(|a| a.id.as_str()));
    scopes.extend(policy.subaccounts.iter().map(|s| s.id.as_str()));
    let scope = if rng.chance(6) {
        rng.sid("AC")
    } else {
        rng.pick(&scopes).map(|s| s.to_string()).unwrap_or_default()
    };
    let resource = if rng.chance(30) {
        if rng.chance(80) {
            rng.pick(&policy.resources)
                .map(|r| (r.resource_type.clone(), r.id.clone()))
        } else {
            Some((BILLING_GROUP.to_string(), rng.sid("BG")))
        }
    } else {
        None
    };
    OwnedRequest {
        user,
        permission,
        scope,
        resource,
    }
}

/// `n` random requests against `policy`.
pub fn requests(policy: &Policy, seed: u64, n: usize) -> Vec<OwnedRequest> {
    let mut rng = Rng::new(seed);
    (0..n).map(|_| request(policy, &mut rng)).collect()
}
