//! The one error type of the CLI: a single line naming the file, the item and the value at
//! fault, and the exit status that goes with it.

use std::fmt;
use std::path::Path;

/// Exit status for bad input: a file that does not parse, an unknown flag value, a snapshot
/// that does not decode or is not trusted.
pub const BAD_INPUT: u8 = 2;
/// Exit status for a well-formed change that the organization's rules refuse.
pub const REFUSED: u8 = 3;

#[derive(Debug)]
pub struct Failure {
    pub message: String,
    /// The exit status: [`BAD_INPUT`] or [`REFUSED`].
    pub status: u8,
}

impl Failure {
    pub fn new(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            status: BAD_INPUT,
        }
    }

    /// A failure about `path`.
    pub fn in_file(path: &Path, message: impl fmt::Display) -> Failure {
        Failure::new(format!("{}: {message}", path.display()))
    }

    /// A change the rules refused.
    pub fn refused(mut self) -> Failure {
        self.status = REFUSED;
        self
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // One line, whatever the message carried, and no terminal control characters from
        // untrusted input.
        f.write_str(&crate::output::printable(&self.message.replace('\n', " ")))
    }
}
