//! Permission paths (`product/resource/action`) and the patterns roles grant them with.
//!
//! A pattern is a permission path in which a segment may be `*` (exactly one segment) and the
//! last segment may be `**` (the rest of the path, possibly nothing). Matching walks both paths
//! once and allocates nothing.

use crate::limits::MAX_PERMISSION_LEN;

/// Segments in a permission path: product, resource, action.
pub const PERMISSION_SEGMENTS: usize = 3;

/// Why a permission path or pattern was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathProblem {
    /// Empty, or longer than [`MAX_PERMISSION_LEN`].
    Length,
    /// Not `product/resource/action`.
    SegmentCount,
    /// A segment is empty or has a character outside `a-z 0-9 - _`.
    Segment,
    /// `**` somewhere other than the last segment, or a wildcard in a permission.
    Wildcard,
}

impl core::fmt::Display for PathProblem {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            PathProblem::Length => {
                return write!(
                    f,
                    "must be 1 to {} bytes",
                    crate::limits::MAX_PERMISSION_LEN
                );
            }
            PathProblem::SegmentCount => "must have the form product/resource/action",
            PathProblem::Segment => "segments use only a-z, 0-9, `-` and `_`",
            PathProblem::Wildcard => "`**` may only end a pattern; permissions have no wildcards",
        })
    }
}

fn is_plain_segment(segment: &str) -> bool {
    !segment.is_empty()
        && segment
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

fn check_length(path: &str) -> Result<(), PathProblem> {
    if path.is_empty() || path.len() > MAX_PERMISSION_LEN {
        Err(PathProblem::Length)
    } else {
        Ok(())
    }
}

/// Checks that `permission` is a well-formed `product/resource/action` path.
pub fn validate_permission(permission: &str) -> Result<(), PathProblem> {
    check_length(permission)?;
    let mut count = 0;
    for segment in permission.split('/') {
        count += 1;
        if segment == "*" || segment == "**" {
            return Err(PathProblem::Wildcard);
        }
        if !is_plain_segment(segment) {
            return Err(PathProblem::Segment);
        }
    }
    if count != PERMISSION_SEGMENTS {
        return Err(PathProblem::SegmentCount);
    }
    Ok(())
}

/// Checks that `pattern` is a well-formed permission pattern.
pub fn validate_pattern(pattern: &str) -> Result<(), PathProblem> {
    check_length(pattern)?;
    let mut segments = pattern.split('/').peekable();
    let mut count = 0;
    while let Some(segment) = segments.next() {
        count += 1;
        if segment == "**" {
            if segments.peek().is_some() {
                return Err(PathProblem::Wildcard);
            }
            return if count <= PERMISSION_SEGMENTS + 1 {
                Ok(())
            } else {
                Err(PathProblem::SegmentCount)
            };
        }
        if segment != "*" && !is_plain_segment(segment) {
            return Err(PathProblem::Segment);
        }
    }
    if count != PERMISSION_SEGMENTS {
        return Err(PathProblem::SegmentCount);
    }
    Ok(())
}

/// Whether `pattern` matches `permission`. Both are assumed valid; an invalid pair simply
/// does not match.
pub fn pattern_matches(pattern: &str, permission: &str) -> bool {
    let mut wanted = pattern.split('/');
    let mut have = permission.split('/');
    loop {
        match (wanted.next(), have.next()) {
            (Some("**"), _) => return true,
            (Some("*"), Some(_)) => {}
            (Some(w), Some(h)) if w == h => {}
            (None, None) => return true,
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_star_matches_one_segment() {
        assert!(pattern_matches("billing/*/read", "billing/invoices/read"));
        assert!(!pattern_matches(
            "billing/*/read",
            "billing/invoices/manage"
        ));
        assert!(!pattern_matches("*/read", "billing/invoices/read"));
    }

    #[test]
    fn double_star_matches_the_rest() {
        assert!(pattern_matches("**", "iam/users/read"));
        assert!(pattern_matches("messaging/**", "messaging/services/read"));
        assert!(pattern_matches(
            "messaging/services/**",
            "messaging/services/read"
        ));
        assert!(pattern_matches(
            "messaging/services/read/**",
            "messaging/services/read"
        ));
        assert!(!pattern_matches("voice/**", "messaging/services/read"));
    }

    #[test]
    fn exact_patterns_match_exactly() {
        assert!(pattern_matches("iam/users/read", "iam/users/read"));
        assert!(!pattern_matches("iam/users/read", "iam/users/readx"));
        assert!(!pattern_matches("iam/users", "iam/users/read"));
    }

    #[test]
    fn permissions_are_three_plain_segments() {
        assert_eq!(validate_permission("iam/users/read"), Ok(()));
        assert_eq!(
            validate_permission("iam/users"),
            Err(PathProblem::SegmentCount)
        );
        assert_eq!(
            validate_permission("iam/Users/read"),
            Err(PathProblem::Segment)
        );
        assert_eq!(validate_permission("iam//read"), Err(PathProblem::Segment));
        assert_eq!(
            validate_permission("iam/*/read"),
            Err(PathProblem::Wildcard)
        );
        assert_eq!(validate_permission(""), Err(PathProblem::Length));
    }

    #[test]
    fn double_star_only_at_the_end() {
        assert_eq!(validate_pattern("**"), Ok(()));
        assert_eq!(validate_pattern("iam/**"), Ok(()));
        assert_eq!(validate_pattern("iam/*/read"), Ok(()));
        assert_eq!(validate_pattern("**/read"), Err(PathProblem::Wildcard));
        assert_eq!(validate_pattern("iam/*"), Err(PathProblem::SegmentCount));
        assert_eq!(
            validate_pattern("a/b/c/d/**"),
            Err(PathProblem::SegmentCount)
        );
    }
}
