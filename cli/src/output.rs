//! Writing to stdout. A closed pipe (`rolegate who-can … | head`) ends output quietly
//! instead of panicking.

use std::io::Write;

use serde::Serialize;

use crate::failure::Failure;

/// Prints `text` (which should end with a newline).
pub fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    // A reader that went away is not our error; nothing else can fail here.
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// Prints `value` as pretty JSON and a newline.
pub fn print_json<T: Serialize + ?Sized>(value: &T) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::new(format!("could not render JSON: {e}")))?;
    print(&text);
    print("\n");
    Ok(())
}
