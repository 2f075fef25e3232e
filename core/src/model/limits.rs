//! Size and count limits shared by the compiler and the snapshot decoder.
//!
//! The compiler refuses a policy past these limits and the decoder refuses a snapshot past
//! them, so every snapshot the compiler writes decodes, and no byte string makes the decoder
//! allocate without bound.

/// Longest id (user, scope, role, assignment, resource), in bytes. Twilio SIDs are 34.
pub const MAX_ID_LEN: usize = 64;
/// Longest display text (names, emails, role descriptions), in bytes.
pub const MAX_TEXT_LEN: usize = 1024;
/// Longest permission path or pattern, in bytes.
pub const MAX_PERMISSION_LEN: usize = 128;

/// Most accounts plus subaccounts in one organization.
pub const MAX_SCOPES: usize = 1 << 20;
/// Most users in one organization.
pub const MAX_USERS: usize = 1 << 22;
/// Most role assignments in one organization.
pub const MAX_ASSIGNMENTS: usize = 1 << 24;
/// Most permissions in the catalog.
pub const MAX_PERMISSIONS: usize = 1 << 13;
/// Most roles in the catalog.
pub const MAX_ROLES: usize = 1 << 12;
/// Most allow plus deny patterns of one role.
pub const MAX_PATTERNS_PER_ROLE: usize = 256;
/// Most resources (such as billing groups) named by the policy.
pub const MAX_RESOURCES: usize = 1 << 20;
/// Most resource types.
pub const MAX_RESOURCE_TYPES: usize = 64;
/// Largest snapshot, envelope included, in bytes.
pub const MAX_SNAPSHOT_BYTES: usize = 1 << 30;
