//! Questions and answers: [`Request`] in, [`Decision`] out.

use serde::{Deserialize, Serialize};

use crate::ffi::Code;

/// Names one resource in a request or a grant: its type and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ResourceRef<'a> {
    /// The resource type, such as `billing-group`.
    #[serde(rename = "type")]
    pub resource_type: &'a str,
    /// The resource id, such as `BG…`.
    pub id: &'a str,
}

/// "May this user do this here?" Borrowed strings: building one allocates nothing. Its serde
/// form is its wire form across every boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Request<'a> {
    /// The user's id.
    pub user: &'a str,
    /// The permission, `product/resource/action`.
    pub permission: &'a str,
    /// The id of the organization, an account or a subaccount.
    pub scope: &'a str,
    /// The resource acted on, for resource-based roles.
    #[serde(borrow, default)]
    pub resource: Option<ResourceRef<'a>>,
}

impl<'a> Request<'a> {
    /// A request without a resource.
    pub const fn new(user: &'a str, permission: &'a str, scope: &'a str) -> Request<'a> {
        Request {
            user,
            permission,
            scope,
            resource: None,
        }
    }

    /// The same request, naming a resource.
    pub const fn on(mut self, resource_type: &'a str, id: &'a str) -> Request<'a> {
        self.resource = Some(ResourceRef { resource_type, id });
        self
    }
}

/// The assignment that allowed a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Grant<'s> {
    /// The assignment's id.
    pub assignment: &'s str,
    /// The role's id.
    pub role: &'s str,
    /// The scope the assignment is at (the target or one of its ancestors).
    pub scope: &'s str,
    /// For resource-based roles, the resource the assignment is bound to.
    #[serde(borrow)]
    pub resource: Option<ResourceRef<'s>>,
}

/// Why a request was allowed or denied.
///
/// In human-readable formats (JSON, JS objects) a reason is an object tagged by `kind`:
/// `{"kind": "granted", "assignment": …}` or `{"kind": "unknown-user"}`. In compact formats
/// (postcard, across the wasm ABI) it is a plain enum, which those formats can read back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason<'s> {
    /// Allowed by this assignment: of the user's assignments that grant the request, the one
    /// with the smallest id, so the reason does not depend on policy order.
    Granted(Grant<'s>),
    /// The permission is not in the snapshot's catalog (checked first: a typo in a UI check
    /// must not look like "no access").
    UnknownPermission,
    /// The scope is not the organization, one of its accounts or subaccounts.
    UnknownScope,
    /// The user is not in the organization.
    UnknownUser,
    /// The user holds no assignment that grants the permission at this scope.
    NoMatchingAssignment,
    /// The user is deactivated: every decision for them is Deny, whatever they hold.
    UserInactive,
}

/// [`Reason`]'s two wire shapes: tagged for people, plain for compact formats.
mod reason_serde {
    use super::{Grant, Reason};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    macro_rules! shape {
        ($(#[$attr:meta])* $name:ident) => {
            #[derive(Serialize, Deserialize)]
            $(#[$attr])*
            enum $name<'s> {
                Granted(#[serde(borrow)] Grant<'s>),
                UnknownPermission,
                UnknownScope,
                UnknownUser,
                NoMatchingAssignment,
                UserInactive,
            }

            impl<'s> From<Reason<'s>> for $name<'s> {
                fn from(r: Reason<'s>) -> Self {
                    match r {
                        Reason::Granted(g) => $name::Granted(g),
                        Reason::UnknownPermission => $name::UnknownPermission,
                        Reason::UnknownScope => $name::UnknownScope,
                        Reason::UnknownUser => $name::UnknownUser,
                        Reason::NoMatchingAssignment => $name::NoMatchingAssignment,
                        Reason::UserInactive => $name::UserInactive,
                    }
                }
            }

            impl<'s> From<$name<'s>> for Reason<'s> {
                fn from(r: $name<'s>) -> Self {
                    match r {
                        $name::Granted(g) => Reason::Granted(g),
                        $name::UnknownPermission => Reason::UnknownPermission,
                        $name::UnknownScope => Reason::UnknownScope,
                        $name::UnknownUser => Reason::UnknownUser,
                        $name::NoMatchingAssignment => Reason::NoMatchingAssignment,
                        $name::UserInactive => Reason::UserInactive,
                    }
                }
            }
        };
    }

    shape!(
        #[serde(tag = "kind", rename_all = "kebab-case")]
        Tagged
    );
    shape!(Plain);

    impl Serialize for Reason<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            if s.is_human_readable() {
                Tagged::from(*self).serialize(s)
            } else {
                Plain::from(*self).serialize(s)
            }
        }
    }

    impl<'de: 's, 's> Deserialize<'de> for Reason<'s> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            if d.is_human_readable() {
                Tagged::deserialize(d).map(Into::into)
            } else {
                Plain::deserialize(d).map(Into::into)
            }
        }
    }
}

impl Reason<'_> {
    /// The reason's kind, as its human-readable serde form tags it: `granted`, or the
    /// denial's [`Code`] text.
    pub const fn kind(&self) -> &'static str {
        match self.denial() {
            Some(code) => code.as_str(),
            None => "granted",
        }
    }

    /// The stable code of a denial; `None` for a grant.
    pub const fn denial(&self) -> Option<Code> {
        match self {
            Reason::Granted(_) => None,
            Reason::UnknownPermission => Some(Code::UnknownPermission),
            Reason::UnknownScope => Some(Code::UnknownScope),
            Reason::UnknownUser => Some(Code::UnknownUser),
            Reason::NoMatchingAssignment => Some(Code::NoMatchingAssignment),
            Reason::UserInactive => Some(Code::UserInactive),
        }
    }

    /// The denial a code stands for; `None` for codes that are no deny reason.
    pub const fn denied_by(code: Code) -> Option<Reason<'static>> {
        match code {
            Code::UnknownPermission => Some(Reason::UnknownPermission),
            Code::UnknownScope => Some(Reason::UnknownScope),
            Code::UnknownUser => Some(Reason::UnknownUser),
            Code::NoMatchingAssignment => Some(Reason::NoMatchingAssignment),
            Code::UserInactive => Some(Reason::UserInactive),
            _ => None,
        }
    }
}

/// The answer to a [`Request`]. Borrows its strings from the snapshot that made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Decision<'s> {
    /// Allow (`true`) or Deny.
    pub allowed: bool,
    /// The revision of the snapshot that decided.
    pub revision: u64,
    /// The granting assignment, or why not.
    #[serde(borrow)]
    pub reason: Reason<'s>,
}

impl<'s> Decision<'s> {
    /// A decision whose `allowed` agrees with its reason, as every decision does.
    pub const fn new(revision: u64, reason: Reason<'s>) -> Decision<'s> {
        Decision {
            allowed: matches!(reason, Reason::Granted(_)),
            revision,
            reason,
        }
    }
}
