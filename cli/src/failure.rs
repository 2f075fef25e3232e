//! The one error type of the CLI: a single line naming the file, the item and the value at
//! fault, and the exit status that goes with it.

use std::fmt;
use std::path::Path;

/// Bad input: exit status 2.
pub const BAD_INPUT: u8 = 2;

#[derive(Debug)]
pub struct Failure {
    pub message: String,
}

impl Failure {
    pub fn new(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
        }
    }

    /// A failure about `path`.
    pub fn in_file(path: &Path, message: impl fmt::Display) -> Failure {
        Failure::new(format!("{}: {message}", path.display()))
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // One line, whatever the message carried.
        f.write_str(&self.message.replace('\n', " "))
    }
}
