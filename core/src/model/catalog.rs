//! The default role and permission catalog, shipped with every policy.
//!
//! It follows Twilio's role kinds: organization roles, general (account) roles, built-in
//! product roles and resource-based roles. `docs/ROLES.md` renders it as a table; a test keeps
//! the two in step. Policies add custom permissions and roles on top.

use alloc::string::ToString;
use alloc::vec::Vec;

use crate::model::RoleKind;
use crate::model::ScopeLevel;
use crate::policy::Role;

/// Id of the Organization Owner role.
pub const ORGANIZATION_OWNER: &str = "organization-owner";
/// Id of the Organization Administrator role.
pub const ORGANIZATION_ADMINISTRATOR: &str = "organization-administrator";
/// Id of the account Owner role: exactly one per account.
pub const ACCOUNT_OWNER: &str = "owner";
/// The resource type of billing groups.
pub const BILLING_GROUP: &str = "billing-group";

/// Every permission of the default catalog, `product/resource/action`.
pub const PERMISSIONS: &[&str] = &[
    "account/api-keys/manage",
    "account/api-keys/read",
    "account/settings/manage",
    "account/settings/read",
    "billing/billing-groups/manage",
    "billing/billing-groups/read",
    "billing/invoices/read",
    "billing/payment-methods/manage",
    "billing/payment-methods/read",
    "billing/usage/read",
    "conversations/conversations/manage",
    "conversations/conversations/read",
    "iam/accounts/create",
    "iam/accounts/manage",
    "iam/organization/delete",
    "iam/organization/manage",
    "iam/ownership/transfer",
    "iam/role-assignments/create",
    "iam/role-assignments/delete",
    "iam/role-assignments/read",
    "iam/roles/read",
    "iam/users/manage",
    "iam/users/read",
    "messaging/messages/read",
    "messaging/messages/send",
    "messaging/services/create",
    "messaging/services/delete",
    "messaging/services/read",
    "messaging/services/update",
    "monitor/alerts/read",
    "monitor/logs/read",
    "phone-numbers/numbers/buy",
    "phone-numbers/numbers/configure",
    "phone-numbers/numbers/read",
    "phone-numbers/numbers/release",
    "phone-numbers/regulatory-bundles/manage",
    "phone-numbers/regulatory-bundles/read",
    "studio/executions/read",
    "studio/flows/create",
    "studio/flows/delete",
    "studio/flows/read",
    "studio/flows/update",
    "support/tickets/create",
    "support/tickets/read",
    "verify/services/manage",
    "verify/services/read",
    "voice/calls/create",
    "voice/calls/read",
    "voice/recordings/delete",
    "voice/recordings/read",
    "voice/settings/manage",
];

struct Template {
    id: &'static str,
    name: &'static str,
    description: &'static str,
    kind: RoleKind,
    lowest_level: ScopeLevel,
    allow: &'static [&'static str],
    deny: &'static [&'static str],
    resource_types: &'static [&'static str],
}

const fn role(
    id: &'static str,
    name: &'static str,
    description: &'static str,
    kind: RoleKind,
    lowest_level: ScopeLevel,
    allow: &'static [&'static str],
    deny: &'static [&'static str],
) -> Template {
    Template {
        id,
        name,
        description,
        kind,
        lowest_level,
        allow,
        deny,
        resource_types: &[],
    }
}

use RoleKind::{BuiltIn, General, Organization as OrgKind, ResourceBased};
use ScopeLevel::{Account, Organization, Subaccount};

#[rustfmt::skip]
const TEMPLATES: &[Template] = &[
    // Organization roles.
    role(ORGANIZATION_OWNER, "Organization Owner",
        "Full control of the organization, its accounts, users and billing.",
        OrgKind, Organization, &["**"], &[]),
    role(ORGANIZATION_ADMINISTRATOR, "Organization Administrator",
        "Manages the organization's accounts, users and role assignments; cannot delete the organization or transfer ownership.",
        OrgKind, Organization, &["**"], &["iam/organization/delete", "iam/ownership/transfer"]),
    role("organization-billing-admin", "Organization Billing Admin",
        "Manages billing for the whole organization.",
        OrgKind, Organization, &["billing/**"], &[]),
    role("organization-billing-viewer", "Organization Billing Viewer",
        "Views invoices, usage and billing settings of the whole organization.",
        OrgKind, Organization, &["billing/*/read"], &[]),
    // General roles.
    role(ACCOUNT_OWNER, "Owner",
        "The account's owner: everything in the account and its subaccounts.",
        General, Account, &["**"], &["iam/organization/*", "iam/accounts/create"]),
    role("administrator", "Administrator",
        "Everything in the account except ownership and payment methods.",
        General, Account, &["**"],
        &["iam/organization/*", "iam/accounts/create", "iam/ownership/transfer", "billing/payment-methods/manage"]),
    role("developer", "Developer",
        "Builds with the account's products; no billing or user management.",
        General, Account,
        &["messaging/**", "voice/**", "studio/**", "phone-numbers/**", "conversations/**", "verify/**",
          "monitor/**", "account/api-keys/**", "account/settings/read", "support/tickets/*"],
        &["phone-numbers/regulatory-bundles/manage"]),
    role("billing-manager", "Billing Manager",
        "Manages the account's billing and payment methods.",
        General, Account, &["billing/**", "account/settings/read"], &["billing/billing-groups/manage"]),
    role("support", "Support",
        "Opens and follows support tickets; reads logs and alerts.",
        General, Account, &["support/**", "monitor/*/read", "account/settings/read"], &[]),
    // Built-in product roles.
    role("studio-admin", "Studio Admin", "Creates, edits and deletes Studio flows.",
        BuiltIn, Subaccount, &["studio/**"], &[]),
    role("studio-viewer", "Studio Viewer", "Views Studio flows and their executions.",
        BuiltIn, Subaccount, &["studio/*/read"], &[]),
    role("messaging-services-configurator", "Messaging Services Configurator",
        "Creates and configures Messaging Services.",
        BuiltIn, Subaccount, &["messaging/services/**"], &[]),
    role("messaging-services-viewer", "Messaging Services Viewer", "Views Messaging Services.",
        BuiltIn, Subaccount, &["messaging/services/read"], &[]),
    role("messaging-user", "Messaging User", "Sends and reads messages.",
        BuiltIn, Subaccount, &["messaging/messages/*"], &[]),
    role("numbers-configuration-editor", "Numbers Configuration Editor",
        "Views and configures phone numbers; cannot buy or release them.",
        BuiltIn, Subaccount, &["phone-numbers/numbers/read", "phone-numbers/numbers/configure"], &[]),
    role("numbers-configuration-viewer", "Numbers Configuration Viewer", "Views phone numbers.",
        BuiltIn, Subaccount, &["phone-numbers/numbers/read"], &[]),
    role("numbers-purchaser", "Numbers Purchaser", "Buys, configures and releases phone numbers.",
        BuiltIn, Account, &["phone-numbers/numbers/*"], &[]),
    role("regulatory-compliance-manager", "Regulatory Compliance Manager",
        "Manages regulatory bundles for phone numbers.",
        BuiltIn, Account, &["phone-numbers/regulatory-bundles/*", "phone-numbers/numbers/read"], &[]),
    role("voice-admin", "Voice Admin", "Places calls, manages recordings and voice settings.",
        BuiltIn, Subaccount, &["voice/**"], &[]),
    role("voice-viewer", "Voice Viewer", "Views calls and recordings.",
        BuiltIn, Subaccount, &["voice/*/read"], &[]),
    role("conversations-admin", "Conversations Admin", "Manages Conversations.",
        BuiltIn, Subaccount, &["conversations/**"], &[]),
    role("conversations-viewer", "Conversations Viewer", "Views Conversations.",
        BuiltIn, Subaccount, &["conversations/*/read"], &[]),
    role("verify-admin", "Verify Admin", "Manages Verify services.",
        BuiltIn, Subaccount, &["verify/**"], &[]),
    role("verify-viewer", "Verify Viewer", "Views Verify services.",
        BuiltIn, Subaccount, &["verify/*/read"], &[]),
    role("monitor-viewer", "Monitor Viewer", "Reads logs and alerts.",
        BuiltIn, Subaccount, &["monitor/**"], &[]),
    role("user-manager", "User Manager", "Views users and role assignments of an account.",
        BuiltIn, Account, &["iam/users/read", "iam/role-assignments/read", "iam/roles/read"], &[]),
    // Resource-based roles.
    Template {
        resource_types: &[BILLING_GROUP],
        ..role("billing-group-admin", "Billing Group Admin",
            "Manages one billing group: its settings, invoices and usage.",
            ResourceBased, Organization,
            &["billing/billing-groups/*", "billing/invoices/read", "billing/usage/read"], &[])
    },
    Template {
        resource_types: &[BILLING_GROUP],
        ..role("billing-group-viewer", "Billing Group Viewer",
            "Views one billing group, its invoices and usage.",
            ResourceBased, Organization,
            &["billing/billing-groups/read", "billing/invoices/read", "billing/usage/read"], &[])
    },
];

/// Ids of the default roles, in catalog order.
pub fn default_role_ids() -> impl Iterator<Item = &'static str> {
    TEMPLATES.iter().map(|t| t.id)
}

/// The default roles as policy [`Role`]s, in catalog order.
pub fn default_roles() -> Vec<Role> {
    fn strings(items: &[&str]) -> Vec<alloc::string::String> {
        items.iter().map(|s| s.to_string()).collect()
    }
    TEMPLATES
        .iter()
        .map(|t| Role {
            id: t.id.to_string(),
            sid: None,
            name: t.name.to_string(),
            description: t.description.to_string(),
            kind: t.kind,
            lowest_level: t.lowest_level,
            allow: strings(t.allow),
            deny: strings(t.deny),
            resource_types: strings(t.resource_types),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::permission::{validate_pattern, validate_permission};

    #[test]
    fn catalog_is_sorted_and_well_formed() {
        assert!(PERMISSIONS.windows(2).all(|w| w[0] < w[1]));
        for p in PERMISSIONS {
            assert_eq!(validate_permission(p), Ok(()), "{p}");
        }
        for r in default_roles() {
            assert!(r.kind.permits_lowest_level(r.lowest_level), "{}", r.id);
            for p in r.allow.iter().chain(&r.deny) {
                assert_eq!(validate_pattern(p), Ok(()), "{} {p}", r.id);
            }
        }
    }

    #[test]
    fn catalog_covers_every_kind_and_enough_products() {
        let roles = default_roles();
        assert!(roles.len() >= 20);
        for kind in [
            RoleKind::Organization,
            RoleKind::General,
            RoleKind::BuiltIn,
            RoleKind::ResourceBased,
        ] {
            assert!(roles.iter().any(|r| r.kind == kind), "{kind}");
        }
        let mut products: Vec<&str> = PERMISSIONS
            .iter()
            .filter_map(|p| p.split('/').next())
            .collect();
        products.dedup();
        assert!(products.len() >= 6, "{products:?}");
    }
}
