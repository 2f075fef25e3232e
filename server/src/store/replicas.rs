//! Several servers on one database: a publish lease per organization (one server compiles
//! and stores each revision; the others serve what it stored), and PostgreSQL notifications
//! that wake every server when any of them commits a change or stores a snapshot, instead of
//! waiting for the next poll.

use sqlx::{Any, Transaction};

use super::{Store, StoreError, to_i64};

/// The notification channel: payloads are `"{organization} {revision}"`.
pub const CHANNEL: &str = "rolegate";

impl Store {
    /// Whether this database can notify other servers (PostgreSQL).
    pub fn notifies(&self) -> bool {
        self.pool()
            .connect_options()
            .database_url
            .scheme()
            .starts_with("postgres")
    }

    /// Takes (or renews) the publish lease of `org` for `holder` until `now + ttl`:
    /// `true` when `holder` has it.
    pub async fn try_lease(
        &self,
        org: &str,
        holder: &str,
        now: u64,
        ttl: u64,
    ) -> Result<bool, StoreError> {
        let until = to_i64(now.saturating_add(ttl))?;
        let taken = sqlx::query(
            "INSERT INTO publish_leases (organization, holder, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (organization) DO NOTHING",
        )
        .bind(org)
        .bind(holder)
        .bind(until)
        .execute(self.pool())
        .await?
        .rows_affected();
        if taken == 1 {
            return Ok(true);
        }
        let renewed = sqlx::query(
            "UPDATE publish_leases SET holder = $2, expires_at = $3 \
             WHERE organization = $1 AND (holder = $2 OR expires_at < $4)",
        )
        .bind(org)
        .bind(holder)
        .bind(until)
        .bind(to_i64(now)?)
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(renewed == 1)
    }

    /// Gives up every lease `holder` has (a server stopping), so another takes over at once.
    pub async fn release_leases(&self, holder: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM publish_leases WHERE holder = $1")
            .bind(holder)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Tells every server on the database that `org` moved to `revision` (PostgreSQL: a
    /// notification, delivered when the transaction commits; elsewhere nothing — the other
    /// servers' polls find it).
    pub(crate) async fn notify_in(
        &self,
        tx: &mut Transaction<'_, Any>,
        org: &str,
        revision: u64,
    ) -> Result<(), StoreError> {
        if self.notifies() {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(format!("{org} {revision}"))
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// [`Store::notify_in`], outside a transaction.
    pub(crate) async fn notify(&self, org: &str, revision: u64) -> Result<(), StoreError> {
        if self.notifies() {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(format!("{org} {revision}"))
                .execute(self.pool())
                .await?;
        }
        Ok(())
    }

    /// The database URL, for a listener of its own.
    pub fn url(&self) -> String {
        self.pool().connect_options().database_url.to_string()
    }
}
