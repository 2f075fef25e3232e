//! Every stable code rolegate reports, defined once: its text (for JS errors, `--json`, HTTP
//! bodies) and its number (for the plain ABI's negative statuses).

/// Defines [`Code`] from one table, so a code's text and number cannot drift apart. A
/// duplicate number or text is an `unreachable_patterns` error in the lookups below.
macro_rules! codes {
    ($( $(#[$doc:meta])* $name:ident = $status:literal => $text:literal, )*) => {
        /// A stable code: what went wrong, or why a request was denied, in a form programs
        /// match on. Every error enum of the core maps onto these (`code()`), and every
        /// runtime reports them unchanged.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $( $(#[$doc])* $name, )*
        }

        impl Code {
            /// Every code, in table order.
            pub const ALL: &'static [Code] = &[$(Code::$name),*];

            /// The code's text: lowercase, kebab-case, stable. Always inlined: where the code
            /// comes from an error's `code()`, the compiler keeps only the texts that error can
            /// have (the npm wasm carries no admin or compile texts it cannot report).
            #[inline(always)]
            pub const fn as_str(self) -> &'static str {
                match self { $(Code::$name => $text,)* }
            }

            /// The code as a plain-ABI status: a negative `i32`, unique per code.
            pub const fn status(self) -> i32 {
                match self { $(Code::$name => $status,)* }
            }

            /// The code a status stands for.
            pub const fn from_status(status: i32) -> Option<Code> {
                match status { $($status => Some(Code::$name),)* _ => None }
            }

            /// The code a text stands for.
            pub fn parse(text: &str) -> Option<Code> {
                match text { $($text => Some(Code::$name),)* _ => None }
            }
        }
    };
}

codes! {
    // ---- the boundary itself ----
    /// No snapshot has been loaded.
    NoSnapshot = -1 => "no-snapshot",
    /// A request across the boundary is not well formed.
    BadRequest = -2 => "bad-request",
    /// The engine could not allocate.
    OutOfMemory = -3 => "out-of-memory",
    /// An argument has the wrong type or value.
    BadArgument = -4 => "bad-argument",
    /// An input range does not lie inside one live buffer the guest handed out.
    BadRange = -5 => "bad-range",
    /// A bug in rolegate, reported rather than hidden.
    Internal = -6 => "internal",

    // ---- snapshot bytes ----
    /// Longer than the snapshot size limit.
    SnapshotTooLarge = -10 => "snapshot-too-large",
    /// Not a rolegate snapshot.
    SnapshotBadMagic = -11 => "snapshot-bad-magic",
    /// A format this reader does not know.
    SnapshotUnsupportedFormat = -12 => "snapshot-unsupported-format",
    /// Truncated or does not parse.
    SnapshotMalformed = -13 => "snapshot-malformed",
    /// Damaged: the payload does not match its checksum.
    SnapshotChecksumMismatch = -14 => "snapshot-checksum-mismatch",
    /// More items than the limits allow.
    SnapshotTooMany = -15 => "snapshot-too-many",
    /// Parses, but breaks the model's rules.
    SnapshotInvalid = -16 => "snapshot-invalid",

    // ---- names a request or operation gives (deny reasons among them) ----
    /// The user is not in the organization.
    UnknownUser = -20 => "unknown-user",
    /// The scope is not the organization, an account or a subaccount.
    UnknownScope = -21 => "unknown-scope",
    /// The permission is not in the catalog.
    UnknownPermission = -22 => "unknown-permission",
    /// The role is not in the catalog.
    UnknownRole = -23 => "unknown-role",
    /// No assignment grants the request (a deny reason).
    NoMatchingAssignment = -24 => "no-matching-assignment",
    /// The resource is not in the organization.
    UnknownResource = -25 => "unknown-resource",
    /// The assignment is not in the organization.
    UnknownAssignment = -26 => "unknown-assignment",
    /// The user is deactivated: every decision for them is Deny (a deny reason).
    UserInactive = -27 => "user-inactive",

    // ---- trust ----
    /// Signatures are required and the snapshot has none.
    Unsigned = -30 => "unsigned",
    /// Signed by a key that is not trusted.
    UnknownKey = -31 => "unknown-key",
    /// The signature does not verify.
    BadSignature = -32 => "bad-signature",
    /// For another organization.
    WrongOrganization = -33 => "wrong-organization",
    /// Older than the revision already served: a rollback.
    StaleRevision = -34 => "stale-revision",
    /// Older than the maximum age.
    Expired = -35 => "expired",
    /// Another kind of artifact than expected: a slice where the full snapshot was
    /// expected, or another user's slice.
    WrongKind = -36 => "wrong-kind",
    /// Issued further in the future than the allowed clock skew.
    IssuedInFuture = -37 => "issued-in-future",
    /// No trusted keys were given, and unsigned snapshots were not explicitly allowed.
    NoTrustedKeys = -38 => "no-trusted-keys",
    /// A revision this runtime cannot carry exactly (past 2^53 in JavaScript).
    RevisionOutOfRange = -39 => "revision-out-of-range",

    // ---- deltas ----
    /// Not a rolegate delta.
    DeltaBadMagic = -40 => "delta-bad-magic",
    /// A delta format this reader does not know.
    DeltaUnsupportedFormat = -41 => "delta-unsupported-format",
    /// For another base snapshot.
    DeltaWrongBase = -42 => "delta-wrong-base",
    /// Truncated, or operations that reach outside the base.
    DeltaMalformed = -43 => "delta-malformed",
    /// The two snapshots are of different organizations.
    DeltaWrongOrganization = -44 => "delta-wrong-organization",
    /// The snapshot the delta would rebuild is larger than allowed.
    DeltaTooLarge = -45 => "delta-too-large",

    // ---- loading, where a runtime fetches and instantiates the engine (JavaScript) ----
    /// The WebAssembly engine could not be compiled or instantiated: a Content-Security-Policy
    /// without 'wasm-unsafe-eval', or bytes that are not the engine.
    EngineUnavailable = -50 => "engine-unavailable",
    /// An answer that is not what was asked for: a page (a dev server's or a single-page
    /// app's index.html) or JSON where a snapshot, a delta or the engine was expected.
    UnexpectedContent = -51 => "unexpected-content",

    // ---- policy rules (compile) ----
    /// An id is empty, too long or has whitespace or control characters.
    InvalidId = -60 => "invalid-id",
    /// A name, email or description is too long.
    TextTooLong = -61 => "text-too-long",
    /// Two items share an id.
    DuplicateId = -62 => "duplicate-id",
    /// An item refers to something the policy does not have.
    UnknownReference = -63 => "unknown-reference",
    /// A subaccount under another subaccount.
    NestedSubaccount = -64 => "nested-subaccount",
    /// A permission that is not `product/resource/action`.
    InvalidPermission = -65 => "invalid-permission",
    /// A permission listed twice.
    DuplicatePermission = -66 => "duplicate-permission",
    /// A role pattern that does not parse.
    InvalidPattern = -67 => "invalid-pattern",
    /// A role pattern that matches no permission.
    PatternMatchesNothing = -68 => "pattern-matches-nothing",
    /// A role kind that does not allow its lowest level.
    RoleLevelForKind = -69 => "role-level-for-kind",
    /// Resource types on the wrong kind of role, or missing on a resource-based one.
    RoleResourceTypes = -70 => "role-resource-types",
    /// A resource type that is not a plain lowercase segment.
    InvalidResourceType = -71 => "invalid-resource-type",
    /// A role assigned at a scope level it does not allow.
    LevelNotAllowed = -72 => "level-not-allowed",
    /// A resource-based role assigned without a resource.
    ResourceRequired = -73 => "resource-required",
    /// A resource given for a role that is not resource-based.
    ResourceNotAllowed = -74 => "resource-not-allowed",
    /// A resource of a type the role does not take.
    ResourceTypeNotOfRole = -75 => "resource-type-not-of-role",
    /// More built-in roles than the cap.
    BuiltInCapExceeded = -76 => "built-in-cap-exceeded",
    /// An account without exactly one Owner.
    OwnerCount = -77 => "owner-count",
    /// More items than the limits allow.
    TooMany = -78 => "too-many",
    /// Two users share an external id.
    DuplicateExternalId = -79 => "duplicate-external-id",

    // ---- admin operations ----
    /// The actor may not perform this operation.
    NotAuthorized = -90 => "not-authorized",
    /// A role that can do more than the actor can there.
    MorePowerful = -91 => "more-powerful",
    /// The change would remove the last Organization Owner.
    LastOrganizationOwner = -92 => "last-organization-owner",
    /// An account's Owner assignment, which only an ownership transfer moves.
    AccountOwnerProtected = -93 => "account-owner-protected",
    /// The user already holds the role there.
    AlreadyAssigned = -94 => "already-assigned",
    /// Nothing matches what was asked to be removed.
    NothingToRemove = -95 => "nothing-to-remove",
    /// An assignment with no roles.
    NoRoles = -96 => "no-roles",
    /// Resources given, but no role takes one.
    UnexpectedResources = -97 => "unexpected-resources",
    /// Ownership asked of a scope that is not an account.
    NotAnAccount = -98 => "not-an-account",
    /// The user already owns the account.
    AlreadyOwner = -99 => "already-owner",
    /// A user with that id exists.
    UserExists = -100 => "user-exists",
    /// The same role named twice in one operation.
    DuplicateRole = -101 => "duplicate-role",
    /// The revision counter cannot go higher.
    RevisionExhausted = -102 => "revision-exhausted",
    /// Another user already has that email or external id.
    IdentityTaken = -103 => "identity-taken",
}

impl core::fmt::Display for Code {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Code;

    #[test]
    fn every_code_round_trips_through_its_text_and_its_status() {
        for &code in Code::ALL {
            assert_eq!(Code::parse(code.as_str()), Some(code), "{code:?}");
            assert_eq!(Code::from_status(code.status()), Some(code), "{code:?}");
            assert!(code.status() < 0, "{code:?}: statuses are negative");
        }
        assert_eq!(Code::from_status(0), None);
        assert_eq!(Code::parse("granted"), None);
    }

    #[test]
    fn texts_are_lowercase_kebab_case() {
        for &code in Code::ALL {
            let text = code.as_str();
            assert!(
                text.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{text}"
            );
        }
    }
}
