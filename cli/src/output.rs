//! Writing to stdout. A closed pipe (`rolegate who-can … | head`) ends output quietly
//! instead of panicking, and text from snapshots and policies never reaches the terminal as
//! control sequences.

use std::io::Write;

use serde::Serialize;

use crate::failure::Failure;

/// `text` with every control character but newline and tab escaped (`\u{1b}`): names and
/// emails in a snapshot are untrusted, and a terminal would act on escape sequences.
pub fn printable(text: &str) -> String {
    if !text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return text.to_owned();
    }
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Prints `text` (which should end with a newline).
pub fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    // A reader that went away is not our error; nothing else can fail here.
    let _ = out
        .write_all(printable(text).as_bytes())
        .and_then(|()| out.flush());
}

/// Prints `value` as pretty JSON and a newline (JSON escapes control characters itself).
pub fn print_json<T: Serialize + ?Sized>(value: &T) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::new(format!("could not render JSON: {e}")))?;
    print(&text);
    print("\n");
    Ok(())
}
