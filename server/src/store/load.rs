//! Rebuilding an organization's policy from its tables.

use sqlx::{AnyConnection, Row};

use super::rows::{self, AssignmentRow, PolicyRows, ResourceRow, ScopeRow};
use super::{Store, StoreError, to_u64};
use crate::engine::{Policy, User};

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

    /// The organization's policy as stored, read in one consistent transaction.
    pub async fn export(&self, org: &str) -> Result<Policy, StoreError> {
        self.load(org).await
    }

    /// Reads the organization's policy in one read-only transaction, so every table is
    /// seen as of one moment however busy the writers are: a snapshot isolation
    /// (`REPEATABLE READ`) on PostgreSQL; on SQLite in WAL mode a read transaction sees
    /// the database as of its first read.
    pub(crate) async fn load(&self, org: &str) -> Result<Policy, StoreError> {
        let mut tx = self.pool().begin().await?;
        if tx.backend_name().eq_ignore_ascii_case("postgresql") {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *tx)
                .await?;
        }
        let rows = Self::read_rows(&mut tx, org).await?;
        tx.rollback().await?;
        let (rows, revision) =
            rows.ok_or_else(|| StoreError::UnknownOrganization(org.to_string()))?;
        Ok(rows::from_rows(rows, revision)?)
    }

    async fn read_rows(
        conn: &mut AnyConnection,
        org: &str,
    ) -> Result<Option<(PolicyRows, u64)>, StoreError> {
        let Some(head) = sqlx::query(
            "SELECT name, revision, settings, permissions FROM organizations WHERE id = $1",
        )
        .bind(org)
        .fetch_optional(&mut *conn)
        .await?
        else {
            return Ok(None);
        };
        let scopes = sqlx::query(
            "SELECT id, name, parent FROM accounts WHERE organization = $1 ORDER BY id",
        )
        .bind(org)
        .fetch_all(&mut *conn)
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
        let users = sqlx::query(
            "SELECT id, name, email, external_id, active FROM users WHERE organization = $1 \
             ORDER BY id",
        )
        .bind(org)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(User {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                email: r.try_get("email")?,
                external_id: r.try_get("external_id")?,
                active: r.try_get::<i64, _>("active")? != 0,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let roles =
            sqlx::query("SELECT id, definition FROM roles WHERE organization = $1 ORDER BY id")
                .bind(org)
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(|r| Ok((r.try_get("id")?, r.try_get("definition")?)))
                .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let resources = sqlx::query(
            "SELECT resource_type, id, name FROM resources WHERE organization = $1 \
             ORDER BY resource_type, id",
        )
        .bind(org)
        .fetch_all(&mut *conn)
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
        .fetch_all(&mut *conn)
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
