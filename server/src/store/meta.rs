//! What the database knows beyond the policy: when an organization and each user were
//! created, when a user last changed and at which revision (their version, for SCIM's
//! `If-Match`).

use std::collections::HashMap;

use sqlx::Row;

use super::{Store, StoreError, to_u64};

/// When a user was created and last changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UserMeta {
    /// Created (Unix seconds).
    pub created_at: u64,
    /// Last changed (Unix seconds).
    pub updated_at: u64,
    /// The organization's revision at that change.
    pub version: u64,
}

impl Store {
    /// When the organization was created (Unix seconds).
    pub async fn organization_created_at(&self, org: &str) -> Result<Option<u64>, StoreError> {
        let row = sqlx::query("SELECT created_at FROM organizations WHERE id = $1")
            .bind(org)
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| to_u64(r.try_get("created_at")?)).transpose()
    }

    /// Every user's metadata in `org` (only `user`'s, if given), by user id.
    pub async fn user_meta(
        &self,
        org: &str,
        user: Option<&str>,
    ) -> Result<HashMap<String, UserMeta>, StoreError> {
        let rows =
            match user {
                Some(user) => {
                    sqlx::query(
                        "SELECT id, created_at, updated_at, version FROM users \
                     WHERE organization = $1 AND id = $2",
                    )
                    .bind(org)
                    .bind(user)
                    .fetch_all(self.pool())
                    .await?
                }
                None => sqlx::query(
                    "SELECT id, created_at, updated_at, version FROM users WHERE organization = $1",
                )
                .bind(org)
                .fetch_all(self.pool())
                .await?,
            };
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get::<String, _>("id")?,
                    UserMeta {
                        created_at: to_u64(r.try_get("created_at")?)?,
                        updated_at: to_u64(r.try_get("updated_at")?)?,
                        version: to_u64(r.try_get("version")?)?,
                    },
                ))
            })
            .collect()
    }
}
