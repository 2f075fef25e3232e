//! Role kinds and the scope levels each kind may be assigned at.

use serde::{Deserialize, Serialize};

use crate::model::{ScopeLevel, UnknownName};

/// The four kinds of role in Twilio's model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RoleKind {
    /// Organization roles (Organization Owner, Administrator, Billing Admin/Viewer):
    /// organization scope only.
    Organization,
    /// General roles (Owner, Administrator, Developer, …): account scope only.
    General,
    /// Built-in product roles: organization, account or subaccount scope, down to the role's
    /// `lowest_level`. A user may hold at most the policy's cap of these.
    BuiltIn,
    /// Resource-based roles: organization scope, bound to one resource of the role's types.
    ResourceBased,
}

impl RoleKind {
    /// The kind's name as it appears in policy files and messages.
    pub const fn as_str(self) -> &'static str {
        match self {
            RoleKind::Organization => "organization",
            RoleKind::General => "general",
            RoleKind::BuiltIn => "built-in",
            RoleKind::ResourceBased => "resource-based",
        }
    }

    /// The highest scope level a role of this kind can be assigned at.
    pub const fn highest_level(self) -> ScopeLevel {
        match self {
            RoleKind::General => ScopeLevel::Account,
            RoleKind::Organization | RoleKind::BuiltIn | RoleKind::ResourceBased => {
                ScopeLevel::Organization
            }
        }
    }

    /// Whether `lowest_level` is a lowest level this kind may declare: organization and
    /// resource-based roles stop at the organization, general roles at the account, built-in
    /// roles anywhere.
    pub const fn permits_lowest_level(self, lowest_level: ScopeLevel) -> bool {
        match self {
            RoleKind::Organization | RoleKind::ResourceBased => {
                matches!(lowest_level, ScopeLevel::Organization)
            }
            RoleKind::General => matches!(lowest_level, ScopeLevel::Account),
            RoleKind::BuiltIn => true,
        }
    }

    /// Whether a role of this kind with this `lowest_level` may be assigned at `level`.
    pub const fn assignable_at(self, lowest_level: ScopeLevel, level: ScopeLevel) -> bool {
        let depth = level.depth();
        depth >= self.highest_level().depth() && depth <= lowest_level.depth()
    }

    /// The kind's byte in snapshots.
    pub(crate) const fn wire_code(self) -> u8 {
        self as u8
    }

    pub(crate) const fn from_wire_code(code: u8) -> Option<RoleKind> {
        match code {
            0 => Some(RoleKind::Organization),
            1 => Some(RoleKind::General),
            2 => Some(RoleKind::BuiltIn),
            3 => Some(RoleKind::ResourceBased),
            _ => None,
        }
    }
}

impl core::str::FromStr for RoleKind {
    type Err = UnknownName;

    /// The kind named as in policy files: `organization`, `general`, `built-in`,
    /// `resource-based`.
    fn from_str(s: &str) -> Result<RoleKind, UnknownName> {
        [
            RoleKind::Organization,
            RoleKind::General,
            RoleKind::BuiltIn,
            RoleKind::ResourceBased,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
        .ok_or(UnknownName {
            what: "role kind",
            expected: "organization, general, built-in or resource-based",
        })
    }
}

impl core::fmt::Display for RoleKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn general_roles_live_at_accounts_only() {
        let k = RoleKind::General;
        assert!(!k.assignable_at(ScopeLevel::Account, ScopeLevel::Organization));
        assert!(k.assignable_at(ScopeLevel::Account, ScopeLevel::Account));
        assert!(!k.assignable_at(ScopeLevel::Account, ScopeLevel::Subaccount));
    }

    #[test]
    fn built_in_roles_stop_at_their_lowest_level() {
        let k = RoleKind::BuiltIn;
        assert!(k.assignable_at(ScopeLevel::Account, ScopeLevel::Organization));
        assert!(k.assignable_at(ScopeLevel::Account, ScopeLevel::Account));
        assert!(!k.assignable_at(ScopeLevel::Account, ScopeLevel::Subaccount));
        assert!(k.assignable_at(ScopeLevel::Subaccount, ScopeLevel::Subaccount));
    }

    #[test]
    fn codes_round_trip() {
        for k in [
            RoleKind::Organization,
            RoleKind::General,
            RoleKind::BuiltIn,
            RoleKind::ResourceBased,
        ] {
            assert_eq!(RoleKind::from_wire_code(k.wire_code()), Some(k));
        }
        assert_eq!(RoleKind::from_wire_code(4), None);
    }
}
