//! Each organization's live policy: the indexed policy this process judges changes against
//! (the core's `LivePolicy`), behind the async mutex its writers queue on. Loaded from the
//! tables once; after that it follows the database by replaying the audit entries other
//! servers commit (each holds its change), and reloads only when that does not fit — after an
//! import, say.

use std::sync::Arc;

use super::audit::AuditEntry;
use super::{Store, StoreError};
use crate::engine::LivePolicy;

/// One organization's live policy; `None` until first needed (or after a reload is due).
pub(crate) type Slot = Arc<tokio::sync::Mutex<Option<LivePolicy>>>;

/// How many audit entries one catch-up reads at a time.
const BATCH: u32 = 1000;
/// How many rounds of catching up before giving up (another server writing faster than this
/// one can follow).
const ROUNDS: usize = 64;

impl Store {
    /// Tries `operation` by `actor` on the organization as it stands, changing nothing.
    pub async fn dry_run(
        &self,
        org: &str,
        actor: &str,
        operation: &crate::engine::Operation,
    ) -> Result<crate::engine::DryRunView, StoreError> {
        let slot = self.live_slot(org);
        let mut guard = slot.lock().await;
        let live = self.caught_up(org, &mut guard).await?;
        Ok(crate::engine::dry_run(live, actor, operation))
    }

    /// A copy of the organization's live policy as this process holds it, if it holds one:
    /// a cheaper start for another follower of the database (the publisher's) than loading
    /// the tables again.
    pub(crate) async fn live_copy(&self, org: &str) -> Option<LivePolicy> {
        let guard = self.live_slot(org).lock_owned().await;
        // Hundreds of milliseconds at L: off the async workers.
        tokio::task::spawn_blocking(move || guard.clone())
            .await
            .ok()
            .flatten()
    }

    /// The organization's slot.
    pub(crate) fn live_slot(&self, org: &str) -> Slot {
        let mut slots = self.live.lock().unwrap_or_else(|p| p.into_inner());
        slots.entry(org.to_string()).or_default().clone()
    }

    /// The live policy in `slot` (locked by the caller) at the database's revision: loaded if
    /// missing, the changes committed since replayed, reloaded when they do not fit — or when
    /// the database is behind it (restored from a backup, or a crash lost commits it had
    /// acknowledged: it is the truth).
    pub(crate) async fn caught_up<'g>(
        &self,
        org: &str,
        slot: &'g mut Option<LivePolicy>,
    ) -> Result<&'g mut LivePolicy, StoreError> {
        // Read under the slot's lock: this process's writers commit holding it, so the
        // database is never behind the live policy unless it lost something.
        let revision = self
            .revision(org)
            .await?
            .ok_or_else(|| StoreError::UnknownOrganization(org.to_string()))?;
        if slot.as_ref().is_some_and(|live| live.revision() > revision) {
            eprintln!(
                "rolegate-server: `{org}` is at revision {revision} in the database, behind this \
                 server; reloading it"
            );
            *slot = None;
        }
        for _ in 0..ROUNDS {
            let Some(live) = slot.as_mut() else {
                // Reloading: what this server remembers of the chain may be stale too.
                self.forget_head(org);
                let policy = self.load(org).await?;
                let live = tokio::task::spawn_blocking(move || LivePolicy::new(policy))
                    .await
                    .map_err(|e| StoreError::Worker(e.to_string()))?
                    .map_err(|errors| {
                        StoreError::Invalid(
                            errors
                                .into_iter()
                                .next()
                                .map_or_else(String::new, |e| e.to_string()),
                        )
                    })?;
                *slot = Some(live);
                continue;
            };
            if live.revision() >= revision {
                break;
            }
            let entries = self.entries_after(org, live.revision(), BATCH).await?;
            let mut fits = !entries.is_empty();
            for entry in &entries {
                fits = match entry {
                    AuditEntry::Operation(record) => live.replay(record).is_ok(),
                    AuditEntry::Import { .. } => false,
                };
                if !fits {
                    break;
                }
            }
            if !fits {
                *slot = None;
            }
        }
        match slot.as_mut() {
            Some(live) if live.revision() >= revision => Ok(live),
            _ => Err(StoreError::Unsettled(org.to_string())),
        }
    }
}
