//! The audit log: append-only and hash-chained, one row per revision.
//!
//! Each row's `hash` is `sha256(prev_hash || "\n" || record)` over the row's record (the
//! entry's canonical JSON, stored as written) and the previous row's hash; the first row's
//! previous hash is [`GENESIS`]. Changing, removing or reordering any row breaks every hash
//! after it, which [`Store::verify_audit`] finds by walking the chain.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::{Any, Row, Transaction};

use super::{Store, StoreError, to_i64, to_u64};
use crate::clock::hex;
use crate::engine::AuditRecord;

/// The previous hash of an organization's first audit row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What one audit row records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum AuditEntry {
    /// An admin operation, as the core recorded it.
    Operation(Box<AuditRecord>),
    /// A whole policy imported as one revision.
    Import {
        /// The revision it became.
        revision: u64,
        /// When (Unix seconds).
        at: u64,
        /// Who imported it.
        actor: String,
        /// sha256 of the imported policy's JSON (at its new revision).
        policy_sha256: String,
        /// How many of each part it held.
        counts: BTreeMap<String, usize>,
    },
}

impl AuditEntry {
    /// The revision the entry made.
    pub fn revision(&self) -> u64 {
        match self {
            AuditEntry::Operation(r) => r.revision,
            AuditEntry::Import { revision, .. } => *revision,
        }
    }

    /// A short name of the kind of change, for the revisions table.
    pub fn kind(&self) -> &'static str {
        match self {
            AuditEntry::Operation(r) => r.operation.describe(),
            AuditEntry::Import { .. } => "import",
        }
    }
}

/// The chain link: `sha256(prev_hash || "\n" || record)`.
pub fn link(prev_hash: &str, record: &str) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(record.as_bytes());
    hex(&h.finalize())
}

/// Appends the audit row (and the revisions row) for `revision` inside `tx`, after the row
/// of revision `prev` (`None` for an organization's first row); returns its hash. The
/// previous row's hash is `known` when the caller remembers it (rows never change), else read
/// after the revision bump, so it is the committed head.
pub(crate) async fn append(
    tx: &mut Transaction<'_, Any>,
    org: &str,
    (prev, revision): (Option<u64>, u64),
    (at, actor): (u64, &str),
    entry: &AuditEntry,
    known: Option<String>,
) -> Result<String, StoreError> {
    let record = serde_json::to_string(entry)?;
    let prev_hash = match (prev, known) {
        (None, _) => GENESIS.to_string(),
        (Some(_), Some(hash)) => hash,
        (Some(prev), None) => {
            sqlx::query("SELECT hash FROM audit WHERE organization = $1 AND revision = $2")
                .bind(org)
                .bind(to_i64(prev)?)
                .fetch_optional(&mut **tx)
                .await?
                .map(|r| r.try_get::<String, _>("hash"))
                .transpose()?
                .unwrap_or_else(|| GENESIS.to_string())
        }
    };
    let hash = link(&prev_hash, &record);
    sqlx::query(
        "INSERT INTO audit (organization, revision, at, actor, record, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(org)
    .bind(to_i64(revision)?)
    .bind(to_i64(at)?)
    .bind(actor)
    .bind(&record)
    .bind(&prev_hash)
    .bind(&hash)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO revisions (organization, revision, at, actor, kind) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(org)
    .bind(to_i64(revision)?)
    .bind(to_i64(at)?)
    .bind(actor)
    .bind(entry.kind())
    .execute(&mut **tx)
    .await?;
    Ok(hash)
}

/// One audit row as the API lists it.
#[derive(Debug, Clone, Serialize)]
pub struct AuditRow {
    /// The revision it made.
    pub revision: u64,
    /// When.
    pub at: u64,
    /// Who.
    pub actor: String,
    /// What (the stored record, parsed).
    pub entry: serde_json::Value,
    /// The previous row's hash.
    pub prev_hash: String,
    /// This row's hash.
    pub hash: String,
}

/// A page of the audit log, newest first.
#[derive(Debug, Clone, Serialize)]
pub struct AuditPage {
    /// The rows.
    pub records: Vec<AuditRow>,
    /// Pass as `before` for the next (older) page; absent on the last page.
    pub next_before: Option<u64>,
}

/// One broken link found by verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditProblem {
    /// The row's revision.
    pub revision: u64,
    /// What is wrong.
    pub problem: String,
}

/// The result of walking an organization's audit chain.
#[derive(Debug, Clone, Serialize)]
pub struct AuditReport {
    /// The organization.
    pub organization: String,
    /// The organization's current revision.
    pub revision: u64,
    /// How many rows were checked.
    pub records: u64,
    /// The last row's hash.
    pub head: String,
    /// Every problem; empty when the chain verifies.
    pub problems: Vec<AuditProblem>,
}

impl AuditReport {
    /// Whether the chain verifies.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

impl Store {
    /// The organization's audit entries after revision `after`, oldest first (at most
    /// `limit`): what other servers committed since this one last looked.
    pub(crate) async fn entries_after(
        &self,
        org: &str,
        after: u64,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT record FROM audit WHERE organization = $1 AND revision > $2 \
             ORDER BY revision LIMIT $3",
        )
        .bind(org)
        .bind(to_i64(after)?)
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let record: String = r.try_get("record")?;
                Ok(serde_json::from_str(&record)?)
            })
            .collect()
    }

    /// Up to `limit` audit rows of the organization below revision `before` (all when
    /// `None`), newest first.
    pub async fn audit_page(
        &self,
        org: &str,
        before: Option<u64>,
        limit: u32,
    ) -> Result<AuditPage, StoreError> {
        // Beyond i64 no revision exists: clamp rather than fail on a huge `before`.
        let before = before.unwrap_or(u64::MAX).min(i64::MAX as u64);
        let rows = sqlx::query(
            "SELECT revision, at, actor, record, prev_hash, hash FROM audit \
             WHERE organization = $1 AND revision < $2 ORDER BY revision DESC LIMIT $3",
        )
        .bind(org)
        .bind(to_i64(before)?)
        .bind(i64::from(limit) + 1)
        .fetch_all(self.pool())
        .await?;
        let mut records = rows
            .iter()
            .map(|r| {
                let record: String = r.try_get("record")?;
                Ok(AuditRow {
                    revision: to_u64(r.try_get("revision")?)?,
                    at: to_u64(r.try_get("at")?)?,
                    actor: r.try_get("actor")?,
                    entry: serde_json::from_str(&record)
                        .unwrap_or(serde_json::Value::String(record)),
                    prev_hash: r.try_get("prev_hash")?,
                    hash: r.try_get("hash")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let more = records.len() > limit as usize;
        records.truncate(limit as usize);
        let next_before = if more {
            records.last().map(|r| r.revision)
        } else {
            None
        };
        Ok(AuditPage {
            records,
            next_before,
        })
    }

    /// Walks the organization's audit chain from its first row (an import, after
    /// [`GENESIS`]): revisions contiguous up to the organization's revision — an import may
    /// jump ahead, to keep a policy file's revisions monotonic — every record parsing and
    /// naming its row's revision, every `prev_hash` the previous row's hash, every hash
    /// recomputed.
    pub async fn verify_audit(&self, org: &str) -> Result<AuditReport, StoreError> {
        let revision = self
            .revision(org)
            .await?
            .ok_or_else(|| StoreError::UnknownOrganization(org.to_string()))?;
        let rows = sqlx::query(
            "SELECT revision, record, prev_hash, hash FROM audit WHERE organization = $1 \
             ORDER BY revision",
        )
        .bind(org)
        .fetch_all(self.pool())
        .await?;
        let mut problems = Vec::new();
        let mut expected_prev = GENESIS.to_string();
        let mut expected_revision: Option<u64> = None;
        let mut records = 0u64;
        for r in &rows {
            let at = to_u64(r.try_get("revision")?)?;
            let record: String = r.try_get("record")?;
            let prev_hash: String = r.try_get("prev_hash")?;
            let hash: String = r.try_get("hash")?;
            let mut problem = |problem: String| {
                problems.push(AuditProblem {
                    revision: at,
                    problem,
                })
            };
            let parsed = serde_json::from_str::<AuditEntry>(&record);
            let import = matches!(parsed, Ok(AuditEntry::Import { .. }));
            match expected_revision {
                None if !import => problem("the first record is not an import".to_string()),
                Some(e) if at < e || (at > e && !import) => {
                    problem(format!("expected revision `{e}` here"));
                }
                _ => {}
            }
            if prev_hash != expected_prev {
                problem(format!(
                    "previous hash `{prev_hash}` is not the previous row's `{expected_prev}`"
                ));
            }
            let computed = link(&prev_hash, &record);
            if computed != hash {
                problem(format!(
                    "hash `{hash}` does not match the record (`{computed}`)"
                ));
            }
            match parsed {
                Ok(entry) if entry.revision() != at => {
                    problem(format!("the record names revision `{}`", entry.revision()))
                }
                Ok(entry) => {
                    if serde_json::to_string(&entry).ok().as_deref() != Some(record.as_str()) {
                        problem("the record is not in canonical form".to_string());
                    }
                }
                Err(e) => problem(format!("the record does not parse: {e}")),
            }
            expected_prev = hash;
            expected_revision = Some(at.saturating_add(1));
            records = records.saturating_add(1);
        }
        let end = expected_revision.map_or(0, |e| e.saturating_sub(1));
        if end != revision {
            problems.push(AuditProblem {
                revision,
                problem: format!(
                    "the organization is at revision `{revision}` but the chain ends at `{end}`"
                ),
            });
        }
        Ok(AuditReport {
            organization: org.to_string(),
            revision,
            records,
            head: expected_prev,
            problems,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{AuditEntry, GENESIS, link};
    use std::collections::BTreeMap;

    #[test]
    fn links_chain_and_depend_on_both_halves() {
        let a = link(GENESIS, "{}");
        assert_eq!(a.len(), 64);
        assert_ne!(link(GENESIS, "{} "), a);
        assert_ne!(link(&a, "{}"), a);
        assert_eq!(link(GENESIS, "{}"), a, "deterministic");
    }

    #[test]
    fn entries_round_trip_canonically() {
        let entry = AuditEntry::Import {
            revision: 3,
            at: 7,
            actor: "import".into(),
            policy_sha256: "ab".into(),
            counts: BTreeMap::from([("users".to_string(), 2)]),
        };
        let text = serde_json::to_string(&entry).unwrap();
        let back: AuditEntry = serde_json::from_str(&text).unwrap();
        assert_eq!(serde_json::to_string(&back).unwrap(), text);
        assert!(text.starts_with(r#"{"kind":"import""#));
    }
}
