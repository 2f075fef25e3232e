//! Rebuilding an organization's policy from its tables.

use sqlx::Row;

use super::rows::{self, AssignmentRow, PolicyRows, ResourceRow, ScopeRow};
use super::{Store, StoreError, to_u64};
use crate::engine::{Policy, User};

/// How often a load is retried when writers keep moving the revision under it.
const LOAD_ATTEMPTS: usize = 20;

impl Store {
    /// The organization's revision, or `None` if there is no such organization.
    pub async fn revision(&self, org: &str) -> Result<Option<u64>, StoreError> {
        let row = sqlx::query("SELECT revision FROM organizations WHERE id = $1")
            .bind(org)
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| to_u64(r.try_get("revision")?)).transpose()
    }

    /// Every organization's id, sorted.
    pub async fn organizations(&self) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query("SELECT id FROM organizations ORDER BY id")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| Ok(r.try_get::<String, _>("id")?))
            .collect()
    }

    /// Reads the organization's policy. The tables are read one statement at a time, so a
    /// commit could land between two of them; the revision is read before and after, and
    /// since every commit bumps it, equal revisions mean a consistent read.
    pub(crate) async fn load(&self, org: &str) -> Result<Policy, StoreError> {
        for _ in 0..LOAD_ATTEMPTS {
            let before = self.revision(org).await?;
            let rows = self.read_rows(org).await?;
            let after = self.revision(org).await?;
            match (before, after, rows) {
                (Some(b), Some(a), Some((rows, revision))) if b == a && a == revision => {
                    return Ok(rows::from_rows(rows, revision)?);
                }
                (None, _, _) | (_, None, _) | (_, _, None) => {
                    return Err(StoreError::UnknownOrganization(org.to_string()));
                }
                _ => tokio::task::yield_now().await,
            }
        }
        Err(StoreError::Unsettled(org.to_string()))
    }

    async fn read_rows(&self, org: &str) -> Result<Option<(PolicyRows, u64)>, StoreError> {
        let pool = self.pool();
        let Some(head) = sqlx::query(
            "SELECT name, revision, settings, permissions FROM organizations WHERE id = $1",
        )
        .bind(org)
        .fetch_optional(pool)
        .await?
        else {
            return Ok(None);
        };
        let scopes = sqlx::query(
            "SELECT id, name, parent FROM accounts WHERE organization = $1 ORDER BY id",
        )
        .bind(org)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| {
            Ok(ScopeRow {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                parent: r.try_get("parent")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let users =
            sqlx::query("SELECT id, name, email FROM users WHERE organization = $1 ORDER BY id")
                .bind(org)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| {
                    Ok(User {
                        id: r.try_get("id")?,
                        name: r.try_get("name")?,
                        email: r.try_get("email")?,
                    })
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let roles =
            sqlx::query("SELECT id, definition FROM roles WHERE organization = $1 ORDER BY id")
                .bind(org)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| Ok((r.try_get("id")?, r.try_get("definition")?)))
                .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let resources = sqlx::query(
            "SELECT resource_type, id, name FROM resources WHERE organization = $1 \
             ORDER BY resource_type, id",
        )
        .bind(org)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| {
            Ok(ResourceRow {
                resource_type: r.try_get("resource_type")?,
                id: r.try_get("id")?,
                name: r.try_get("name")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let assignments = sqlx::query(
            "SELECT id, user_id, role, scope, resource_type, resource_id FROM assignments \
             WHERE organization = $1 ORDER BY id",
        )
        .bind(org)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| {
            let resource_type: Option<String> = r.try_get("resource_type")?;
            let resource_id: Option<String> = r.try_get("resource_id")?;
            Ok(AssignmentRow {
                id: r.try_get("id")?,
                user: r.try_get("user_id")?,
                role: r.try_get("role")?,
                scope: r.try_get("scope")?,
                resource: resource_type.zip(resource_id),
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let rows = PolicyRows {
            id: org.to_string(),
            name: head.try_get("name")?,
            settings: head.try_get("settings")?,
            permissions: head.try_get("permissions")?,
            scopes,
            users,
            roles,
            resources,
            assignments,
        };
        Ok(Some((rows, to_u64(head.try_get("revision")?)?)))
    }
}
