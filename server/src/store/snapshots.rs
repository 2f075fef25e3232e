//! Published snapshots and deltas. The first process to store a revision's snapshot wins;
//! every process serves the stored bytes, so replicas give the same bytes and ETags.

use sqlx::Row;

use super::{Store, StoreError, to_i64, to_u64};

/// A stored snapshot or delta.
#[derive(Debug, Clone)]
pub struct StoredSnapshot {
    /// The revision it is of (for a delta: the revision it produces).
    pub revision: u64,
    /// For a delta: the revision it applies to.
    pub base: Option<u64>,
    /// The bytes.
    pub bytes: Vec<u8>,
    /// sha256 of the bytes, hex.
    pub sha256: String,
}

fn snapshot(r: &sqlx::any::AnyRow) -> Result<StoredSnapshot, StoreError> {
    Ok(StoredSnapshot {
        revision: to_u64(r.try_get("revision")?)?,
        base: None,
        bytes: r.try_get("bytes")?,
        sha256: r.try_get("sha256")?,
    })
}

impl Store {
    /// Stores the snapshot of `revision` unless one is stored already, and drops the
    /// organization's older snapshots and the deltas to them. Nothing reads those: a client
    /// behind gets the newest snapshot or a delta to it, and a server (re)starting serves the
    /// newest. Kept, they would grow the database by a whole snapshot per write (27 MB at L).
    pub async fn put_snapshot(
        &self,
        org: &str,
        revision: u64,
        issued_at: u64,
        key_id: &str,
        bytes: &[u8],
    ) -> Result<(), StoreError> {
        let at = to_i64(revision)?;
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO snapshots (organization, revision, issued_at, key_id, sha256, bytes) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (organization, revision) DO NOTHING",
        )
        .bind(org)
        .bind(at)
        .bind(to_i64(issued_at)?)
        .bind(key_id)
        .bind(crate::clock::sha256_hex(bytes))
        .bind(bytes.to_vec())
        .execute(&mut *tx)
        .await?;
        for older in [
            "DELETE FROM snapshots WHERE organization = $1 AND revision < $2",
            "DELETE FROM deltas WHERE organization = $1 AND revision < $2",
        ] {
            sqlx::query(older)
                .bind(org)
                .bind(at)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The stored snapshot of `revision`.
    pub async fn snapshot_at(
        &self,
        org: &str,
        revision: u64,
    ) -> Result<Option<StoredSnapshot>, StoreError> {
        let row = sqlx::query(
            "SELECT revision, sha256, bytes FROM snapshots WHERE organization = $1 AND revision = $2",
        )
        .bind(org)
        .bind(to_i64(revision)?)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(snapshot).transpose()
    }

    /// Up to `limit` stored snapshots below `revision`, newest first.
    pub async fn snapshots_before(
        &self,
        org: &str,
        revision: u64,
        limit: u32,
    ) -> Result<Vec<StoredSnapshot>, StoreError> {
        let rows = sqlx::query(
            "SELECT revision, sha256, bytes FROM snapshots WHERE organization = $1 \
             AND revision < $2 ORDER BY revision DESC LIMIT $3",
        )
        .bind(org)
        .bind(to_i64(revision)?)
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(snapshot).collect()
    }

    /// The newest stored snapshot.
    pub async fn latest_snapshot(&self, org: &str) -> Result<Option<StoredSnapshot>, StoreError> {
        Ok(self
            .snapshots_before(org, i64::MAX as u64, 1)
            .await?
            .into_iter()
            .next())
    }

    /// Stores the delta from `base` to `revision` unless stored already.
    pub async fn put_delta(
        &self,
        org: &str,
        base: u64,
        revision: u64,
        bytes: &[u8],
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO deltas (organization, base_revision, revision, sha256, bytes) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (organization, revision, base_revision) \
             DO NOTHING",
        )
        .bind(org)
        .bind(to_i64(base)?)
        .bind(to_i64(revision)?)
        .bind(crate::clock::sha256_hex(bytes))
        .bind(bytes.to_vec())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Every stored delta producing `revision`.
    pub async fn deltas_to(
        &self,
        org: &str,
        revision: u64,
    ) -> Result<Vec<StoredSnapshot>, StoreError> {
        let rows = sqlx::query(
            "SELECT base_revision, revision, sha256, bytes FROM deltas WHERE organization = $1 \
             AND revision = $2 ORDER BY base_revision",
        )
        .bind(org)
        .bind(to_i64(revision)?)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let mut s = snapshot(r)?;
                s.base = Some(to_u64(r.try_get("base_revision")?)?);
                Ok(s)
            })
            .collect()
    }
}
