//! Scope levels: where in the organization tree an assignment sits.

use serde::{Deserialize, Serialize};

/// The level of a scope. An assignment at a level applies to that scope and everything below
/// it, never upward and never sideways.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScopeLevel {
    /// The organization itself: the root, one per snapshot.
    Organization,
    /// An account of the organization.
    Account,
    /// A subaccount of an account. Subaccounts do not nest.
    Subaccount,
}

impl ScopeLevel {
    /// The level's name as it appears in policy files and messages.
    pub const fn as_str(self) -> &'static str {
        match self {
            ScopeLevel::Organization => "organization",
            ScopeLevel::Account => "account",
            ScopeLevel::Subaccount => "subaccount",
        }
    }

    /// Depth in the tree: organization 0, account 1, subaccount 2.
    pub const fn depth(self) -> u8 {
        self as u8
    }

    pub(crate) const fn from_depth(depth: u8) -> Option<ScopeLevel> {
        match depth {
            0 => Some(ScopeLevel::Organization),
            1 => Some(ScopeLevel::Account),
            2 => Some(ScopeLevel::Subaccount),
            _ => None,
        }
    }
}

impl core::str::FromStr for ScopeLevel {
    type Err = UnknownName;

    /// The level named as in policy files: `organization`, `account`, `subaccount`.
    fn from_str(s: &str) -> Result<ScopeLevel, UnknownName> {
        [
            ScopeLevel::Organization,
            ScopeLevel::Account,
            ScopeLevel::Subaccount,
        ]
        .into_iter()
        .find(|l| l.as_str() == s)
        .ok_or(UnknownName {
            what: "scope level",
            expected: "organization, account or subaccount",
        })
    }
}

/// A name that is none of a fixed set (a role kind, a scope level).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what}; expected {expected}")]
pub struct UnknownName {
    /// What was being named.
    pub what: &'static str,
    /// The names that exist.
    pub expected: &'static str,
}

impl core::fmt::Display for ScopeLevel {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}
