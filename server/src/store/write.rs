//! Committing changes: every change is one transaction holding the change's rows, the
//! organization's revision bump and the audit row, and is acknowledged only after commit.

use std::sync::Arc;

use sqlx::{Any, Transaction};

use super::audit::{AuditEntry, append};
use super::rows::{self, AssignmentRow, PolicyRows};
use super::{OrgState, Store, StoreError, to_i64};
use crate::engine::{self, AuditRecord, CompileError, Operation, Policy, Refusal};

/// How often a write is retried when another process committed between reading and writing.
const WRITE_ATTEMPTS: usize = 50;

/// A committed change.
#[derive(Debug, Clone)]
pub struct Committed {
    /// The organization's new revision.
    pub revision: u64,
    /// The core's record of the change.
    pub record: AuditRecord,
    /// The audit row's hash.
    pub audit_hash: String,
}

/// Why a write was not committed. In every case nothing changed.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The core's rules refused the operation.
    #[error("{0}")]
    Refused(Refusal),
    /// The client's `If-Match` revision is not the current one.
    #[error("revision `{expected}` is not current; the organization is at revision `{current}`")]
    Stale {
        /// What the client said.
        expected: u64,
        /// What it is.
        current: u64,
    },
    /// A text of the operation holds a NUL character.
    #[error("the operation's text holds a NUL character")]
    NulText,
    /// Other writers kept committing first.
    #[error("organization `{0}` is too busy; try again")]
    Busy(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a policy could not be imported. Nothing changed.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A text of the policy holds a NUL character.
    #[error("the policy's text holds a NUL character")]
    NulText,
    /// The policy breaks rules; the first one.
    #[error("the policy does not compile: {0}")]
    Invalid(CompileError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

enum Outcome {
    Done(String),
    Conflict,
}

impl Store {
    /// Applies `operation` by `actor` to the organization, at time `at`: judged by the core
    /// against the current policy, then committed with the revision bump and audit row.
    /// With `if_match`, the organization must be at that revision.
    pub async fn write(
        &self,
        org: &str,
        actor: &str,
        operation: &Operation,
        if_match: Option<u64>,
        at: u64,
    ) -> Result<Committed, WriteError> {
        if engine::has_nul(operation) {
            return Err(WriteError::NulText);
        }
        let slot = self.live_slot(org);
        let mut guard = slot.lock().await;
        for attempt in 0..WRITE_ATTEMPTS {
            // Optimistic first: the live policy is where this server's last write left it,
            // and the revision compare-and-swap refuses the commit if anyone moved since.
            // After a conflict, or to answer `If-Match`, it catches up with the database —
            // and after a conflict it first takes the organization's write lock, held until
            // this write commits: another replica writing as fast would otherwise commit
            // during every catch-up, and both could go round without end.
            let lock = match attempt {
                0 => None,
                _ => Some(self.lock_organization(org).await?),
            };
            let live = match guard.as_mut() {
                Some(live) if attempt == 0 && if_match.is_none() => live,
                _ => self.caught_up(org, &mut guard).await?,
            };
            if let Some(expected) = if_match
                && expected != live.revision()
            {
                return Err(WriteError::Stale {
                    expected,
                    current: live.revision(),
                });
            }
            // Judged on the live policy: it looks up only what the operation touches, so
            // this takes microseconds however large the organization.
            let record = engine::judge(live, actor, operation, at).map_err(WriteError::Refused)?;
            let entry = AuditEntry::Operation(Box::new(record.clone()));
            match self
                .commit_change(lock, org, live.revision(), &record, &entry, at, actor)
                .await?
            {
                Outcome::Done(audit_hash) => {
                    // Committed: the live policy follows. Should it not fit (it always
                    // does), it is reloaded on next use.
                    if live.replay(&record).is_err() {
                        *guard = None;
                    }
                    return Ok(Committed {
                        revision: record.revision,
                        record,
                        audit_hash,
                    });
                }
                Outcome::Conflict => {
                    if let Some(expected) = if_match {
                        let current = self.revision(org).await?.unwrap_or(expected);
                        return Err(WriteError::Stale { expected, current });
                    }
                }
            }
        }
        Err(WriteError::Busy(org.to_string()))
    }

    /// Moves the revision from `from` to `to` if nobody else moved it: `Ok(false)` when
    /// another writer got there first.
    async fn bump(
        tx: &mut Transaction<'_, Any>,
        org: &str,
        from: u64,
        to: u64,
    ) -> Result<bool, StoreError> {
        let n =
            sqlx::query("UPDATE organizations SET revision = $3 WHERE id = $1 AND revision = $2")
                .bind(org)
                .bind(to_i64(from)?)
                .bind(to_i64(to)?)
                .execute(&mut **tx)
                .await?
                .rows_affected();
        Ok(n == 1)
    }

    /// A transaction holding the organization's write lock: its row on PostgreSQL, the
    /// database's write lock on SQLite (a no-op update takes either), until it ends.
    async fn lock_organization(&self, org: &str) -> Result<Transaction<'static, Any>, StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("UPDATE organizations SET revision = revision WHERE id = $1")
            .bind(org)
            .execute(&mut *tx)
            .await?;
        Ok(tx)
    }

    /// Commits `record` as the revision after `from`, in `lock` if this write holds the
    /// organization's lock, else in a transaction of its own.
    #[allow(clippy::too_many_arguments)]
    async fn commit_change(
        &self,
        lock: Option<Transaction<'static, Any>>,
        org: &str,
        from: u64,
        record: &AuditRecord,
        entry: &AuditEntry,
        at: u64,
        actor: &str,
    ) -> Result<Outcome, StoreError> {
        let mut tx = match lock {
            Some(tx) => tx,
            None => self.pool().begin().await?,
        };
        // The bump is the transaction's first statement, so on SQLite the write lock is
        // taken (waiting for `busy_timeout`) before anything is read.
        let revision = from.saturating_add(1);
        if !Self::bump(&mut tx, org, from, revision).await? {
            tx.rollback().await?;
            return Ok(Outcome::Conflict);
        }
        let change = &record.change;
        for a in &change.removed {
            let n = sqlx::query("DELETE FROM assignments WHERE organization = $1 AND id = $2")
                .bind(org)
                .bind(&a.id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n != 1 {
                // The tables moved under the cached policy: start over from the database.
                tx.rollback().await?;
                return Ok(Outcome::Conflict);
            }
        }
        match (&change.user_before, &change.user_after) {
            (Some(before), None) => {
                // The user goes, and with them their password and sessions.
                for table in ["users", "passwords", "sessions"] {
                    let column = if table == "users" { "id" } else { "user_id" };
                    sqlx::query(&format!(
                        "DELETE FROM {table} WHERE organization = $1 AND {column} = $2"
                    ))
                    .bind(org)
                    .bind(&before.id)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            (_, Some(user)) => put_user(&mut tx, org, user, (at, revision)).await?,
            (None, None) => {}
        }
        for a in &change.added {
            insert_assignment(&mut tx, org, &rows::assignment_row(a)).await?;
        }
        if let Some(settings) = &change.settings_after {
            sqlx::query("UPDATE organizations SET settings = $2 WHERE id = $1")
                .bind(org)
                .bind(serde_json::to_string(settings).map_err(StoreError::from)?)
                .execute(&mut *tx)
                .await?;
        }
        let known = self.head(org, from);
        let hash = append(
            &mut tx,
            org,
            (Some(from), revision),
            (at, actor),
            entry,
            known,
        )
        .await?;
        self.notify_in(&mut tx, org, revision).await?;
        tx.commit().await?;
        self.remember_head(org, revision, &hash);
        Ok(Outcome::Done(hash))
    }

    /// Imports a whole policy as one audited revision by `actor` at `at`: a new
    /// organization starts at the policy's own revision (at least 1), so snapshots of a
    /// policy moved from a file into the server keep rising; an existing one has its contents
    /// replaced, at its next revision (or the policy's, if higher). Returns the new revision.
    pub async fn import(&self, policy: &Policy, actor: &str, at: u64) -> Result<u64, ImportError> {
        if engine::has_nul(policy) {
            return Err(ImportError::NulText);
        }
        if let Some(first) = engine::validate(policy).into_iter().next() {
            return Err(ImportError::Invalid(first));
        }
        let rows = rows::to_rows(policy).map_err(StoreError::from)?;
        let org = rows.id.clone();
        let slot = self.live_slot(&org);
        let mut guard = slot.lock().await;
        for _ in 0..WRITE_ATTEMPTS {
            let from = self.revision(&org).await?;
            let revision = from.unwrap_or(0).saturating_add(1).max(policy.revision);
            let mut imported = policy.clone();
            imported.revision = revision;
            let entry = AuditEntry::Import {
                revision,
                at,
                actor: actor.to_string(),
                policy_sha256: crate::clock::sha256_hex(
                    serde_json::to_string(&imported)
                        .map_err(StoreError::from)?
                        .as_bytes(),
                ),
                counts: engine::counts(policy)
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect(),
            };
            let mut tx = self.pool().begin().await.map_err(StoreError::from)?;
            let claimed = match from {
                Some(from) => {
                    if Self::bump(&mut tx, &org, from, revision).await? {
                        replace_contents(&mut tx, &rows).await?;
                        true
                    } else {
                        false
                    }
                }
                None => {
                    let n = sqlx::query(
                        "INSERT INTO organizations (id, name, revision, settings, permissions, \
                         created_at) VALUES ($1, $2, $6, $3, $4, $5) ON CONFLICT (id) DO NOTHING",
                    )
                    .bind(&org)
                    .bind(&rows.name)
                    .bind(&rows.settings)
                    .bind(&rows.permissions)
                    .bind(to_i64(at)?)
                    .bind(to_i64(revision)?)
                    .execute(&mut *tx)
                    .await
                    .map_err(StoreError::from)?
                    .rows_affected();
                    n == 1
                }
            };
            if !claimed {
                tx.rollback().await.map_err(StoreError::from)?;
                continue;
            }
            insert_contents(&mut tx, &rows, (at, revision)).await?;
            // Users the import dropped lose their passwords and sessions.
            for table in ["passwords", "sessions"] {
                sqlx::query(&format!(
                    "DELETE FROM {table} WHERE organization = $1 AND user_id NOT IN \
                     (SELECT id FROM users WHERE organization = $1)"
                ))
                .bind(&org)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::from)?;
            }
            append(&mut tx, &org, (from, revision), (at, actor), &entry, None).await?;
            self.notify_in(&mut tx, &org, revision).await?;
            tx.commit().await.map_err(StoreError::from)?;
            // The live policy is rebuilt from the tables when next needed.
            *guard = None;
            self.remember(Arc::new(OrgState::new(imported)));
            return Ok(revision);
        }
        Err(ImportError::Store(StoreError::Unsettled(org)))
    }
}

/// Stores a user as changed at `(at, revision)`: inserted (created then) or updated (its
/// creation time kept).
async fn put_user(
    tx: &mut Transaction<'_, Any>,
    org: &str,
    user: &engine::User,
    (at, revision): (u64, u64),
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO users (organization, id, name, email, external_id, active, created_at, \
         updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) \
         ON CONFLICT (organization, id) DO UPDATE SET name = excluded.name, \
         email = excluded.email, external_id = excluded.external_id, active = excluded.active, \
         updated_at = excluded.updated_at, version = excluded.version",
    )
    .bind(org)
    .bind(&user.id)
    .bind(&user.name)
    .bind(&user.email)
    .bind(user.external_id.clone())
    .bind(i64::from(user.active))
    .bind(to_i64(at)?)
    .bind(to_i64(revision)?)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_assignment(
    tx: &mut Transaction<'_, Any>,
    org: &str,
    a: &AssignmentRow,
) -> Result<(), StoreError> {
    let (resource_type, resource_id) = a.resource.clone().unzip();
    sqlx::query(
        "INSERT INTO assignments (organization, id, user_id, role, scope, resource_type, \
         resource_id) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(org)
    .bind(&a.id)
    .bind(&a.user)
    .bind(&a.role)
    .bind(&a.scope)
    .bind(resource_type)
    .bind(resource_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Empties an organization's contents and updates its own row (already bumped).
async fn replace_contents(
    tx: &mut Transaction<'_, Any>,
    rows: &PolicyRows,
) -> Result<(), StoreError> {
    // Assignments first: they reference users.
    for table in ["assignments", "users", "roles", "resources", "accounts"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE organization = $1"))
            .bind(&rows.id)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query(
        "UPDATE organizations SET name = $2, settings = $3, permissions = $4 WHERE id = $1",
    )
    .bind(&rows.id)
    .bind(&rows.name)
    .bind(&rows.settings)
    .bind(&rows.permissions)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_contents(
    tx: &mut Transaction<'_, Any>,
    rows: &PolicyRows,
    created: (u64, u64),
) -> Result<(), StoreError> {
    let org = rows.id.as_str();
    // Many rows per statement: one statement per row is a round trip to the driver (and
    // on SQLite two thread switches) each, which is most of importing 600,000 rows.
    for chunk in rows.scopes.chunks(ROWS_PER_INSERT) {
        let sql = values_sql("accounts (organization, id, name, parent)", 4, chunk.len());
        let mut q = sqlx::query(&sql);
        for s in chunk {
            q = q.bind(org).bind(&s.id).bind(&s.name).bind(s.parent.clone());
        }
        q.execute(&mut **tx).await?;
    }
    let (at, revision) = (to_i64(created.0)?, to_i64(created.1)?);
    for chunk in rows.users.chunks(ROWS_PER_INSERT) {
        let sql = values_sql(
            "users (organization, id, name, email, external_id, active, created_at, \
             updated_at, version)",
            9,
            chunk.len(),
        );
        let mut q = sqlx::query(&sql);
        for u in chunk {
            q = q
                .bind(org)
                .bind(&u.id)
                .bind(&u.name)
                .bind(&u.email)
                .bind(u.external_id.clone())
                .bind(i64::from(u.active))
                .bind(at)
                .bind(at)
                .bind(revision);
        }
        q.execute(&mut **tx).await?;
    }
    for (id, definition) in &rows.roles {
        sqlx::query("INSERT INTO roles (organization, id, definition) VALUES ($1, $2, $3)")
            .bind(org)
            .bind(id)
            .bind(definition)
            .execute(&mut **tx)
            .await?;
    }
    for r in &rows.resources {
        sqlx::query(
            "INSERT INTO resources (organization, resource_type, id, name) VALUES ($1, $2, $3, $4)",
        )
        .bind(org)
        .bind(&r.resource_type)
        .bind(&r.id)
        .bind(&r.name)
        .execute(&mut **tx)
        .await?;
    }
    for chunk in rows.assignments.chunks(ROWS_PER_INSERT) {
        let sql = values_sql(
            "assignments (organization, id, user_id, role, scope, resource_type, resource_id)",
            7,
            chunk.len(),
        );
        let mut q = sqlx::query(&sql);
        for a in chunk {
            let (resource_type, resource_id) = a.resource.clone().unzip();
            q = q
                .bind(org)
                .bind(&a.id)
                .bind(&a.user)
                .bind(&a.role)
                .bind(&a.scope)
                .bind(resource_type)
                .bind(resource_id);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Rows per multi-row `INSERT`. Few enough that a statement stays cheap to bind: SQLite
/// finds a `$N` parameter's name by a linear scan, so binding costs the square of the
/// parameters per statement (at 500 rows that was most of an import).
const ROWS_PER_INSERT: usize = 48;

/// `INSERT INTO {target} VALUES ($1, …), (…), …` for `rows` rows of `columns` values.
fn values_sql(target: &str, columns: usize, rows: usize) -> String {
    use std::fmt::Write;
    let mut sql = format!("INSERT INTO {target} VALUES ");
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ", (" });
        for column in 0..columns {
            let sep = if column == 0 { "" } else { ", " };
            let _ = write!(sql, "{sep}${}", row * columns + column + 1);
        }
        sql.push(')');
    }
    sql
}
