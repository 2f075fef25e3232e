//! The one clock of the CLI.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch, by this machine's clock.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
