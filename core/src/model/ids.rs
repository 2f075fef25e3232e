//! What makes an id acceptable: shared by the compiler and the decoder, so every id the
//! compiler accepts decodes and no id the decoder refuses was ever compiled.

use crate::limits::{MAX_ID_LEN, MAX_TEXT_LEN};

/// Why an id was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdProblem {
    /// The empty string.
    Empty,
    /// Longer than [`MAX_ID_LEN`] bytes.
    TooLong,
    /// Has whitespace or a control character.
    BadCharacter,
}

impl core::fmt::Display for IdProblem {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            IdProblem::Empty => f.write_str("is empty"),
            IdProblem::TooLong => write!(f, "is longer than {MAX_ID_LEN} bytes"),
            IdProblem::BadCharacter => f.write_str("has whitespace or a control character"),
        }
    }
}

/// Checks an id: 1 to 64 bytes, no whitespace, no control characters.
pub fn check_id(id: &str) -> Result<(), IdProblem> {
    // Printable ASCII is settled on the bytes, without decoding characters: almost every id
    // is, and a compile at L checks 600,000 of them.
    let printable = |id: &str| id.bytes().all(|b| b.is_ascii_graphic());
    if id.is_empty() {
        Err(IdProblem::Empty)
    } else if id.len() > MAX_ID_LEN {
        Err(IdProblem::TooLong)
    } else if !printable(id) && id.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Err(IdProblem::BadCharacter)
    } else {
        Ok(())
    }
}

/// Whether a display text (name, email, description) is within [`MAX_TEXT_LEN`].
pub fn text_fits(text: &str) -> bool {
    text.len() <= MAX_TEXT_LEN
}

/// Checks a resource type: a plain lowercase segment such as `billing-group`.
pub fn check_resource_type(resource_type: &str) -> Result<(), IdProblem> {
    check_id(resource_type)?;
    if resource_type
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
    {
        Ok(())
    } else {
        Err(IdProblem::BadCharacter)
    }
}

/// The first [`MAX_ID_LEN`] bytes of `value` (on a character boundary), for error messages
/// that quote untrusted input.
pub fn clip(value: &str) -> alloc::string::String {
    let mut end = value.len().min(MAX_ID_LEN);
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    alloc::string::String::from(value.get(..end).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_bounded_and_printable() {
        assert_eq!(check_id("US0123456789abcdef0123456789abcdef"), Ok(()));
        assert_eq!(check_id(""), Err(IdProblem::Empty));
        assert_eq!(check_id(&"x".repeat(65)), Err(IdProblem::TooLong));
        assert_eq!(check_id("a b"), Err(IdProblem::BadCharacter));
        assert_eq!(check_id("a\u{0}b"), Err(IdProblem::BadCharacter));
    }

    #[test]
    fn clip_respects_char_boundaries() {
        let s = "é".repeat(40);
        let c = clip(&s);
        assert!(c.len() <= MAX_ID_LEN);
        assert!(s.starts_with(&c));
    }
}
