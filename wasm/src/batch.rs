//! Many requests in one string: five fields per request — user, permission, scope, resource
//! type, resource id — each ending in `\0`. An empty resource type means no resource. Ids
//! cannot contain `\0` (the compiler refuses control characters), and a field that smuggles
//! one in changes the field count, which is checked: a batch never shifts requests into each
//! other.

use rolegate_core::{Request, ResourceRef, Snapshot};

/// Fields per request.
pub const FIELDS: usize = 5;

/// Why a packed batch was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchError {
    /// Requests the caller announced.
    pub expected: usize,
    /// Requests the packed text holds (fields / 5, rounded down).
    pub found: usize,
}

impl core::fmt::Display for BatchError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "batch holds {} requests' worth of fields, not {}: a field contains `\\0` or the packing is wrong",
            self.found, self.expected
        )
    }
}

/// Decides each of the `count` requests in `packed`, calling `answer` with each decision's
/// Allow (`true`) in order. Checks the field count before deciding anything.
pub fn each<'a>(
    snapshot: &Snapshot,
    packed: &'a str,
    count: usize,
    mut answer: impl FnMut(bool),
) -> Result<(), BatchError> {
    let fields = packed.split_terminator('\0').count();
    if fields != count.saturating_mul(FIELDS) || (count > 0 && !packed.ends_with('\0')) {
        return Err(BatchError {
            expected: count,
            found: fields / FIELDS,
        });
    }
    let mut it = packed.split_terminator('\0');
    while let (Some(user), Some(permission), Some(scope), Some(resource_type), Some(id)) =
        (it.next(), it.next(), it.next(), it.next(), it.next())
    {
        let request: Request<'a> = Request {
            user,
            permission,
            scope,
            resource: (!resource_type.is_empty()).then_some(ResourceRef { resource_type, id }),
        };
        answer(snapshot.can(&request));
    }
    Ok(())
}
