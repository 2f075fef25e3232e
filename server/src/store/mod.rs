//! The database: one schema and one set of migrations for SQLite and PostgreSQL.
//!
//! The store talks to both through sqlx's `Any` driver rather than through a trait with one
//! implementation per database: every statement is written once in SQL both accept (`$N`
//! placeholders, which sqlx's SQLite driver also binds; `ON CONFLICT … DO NOTHING`; TEXT,
//! BIGINT and BYTEA columns), and the values are only integers, text and bytes, which `Any`
//! carries. One code path means the SQLite tests and the PostgreSQL tests exercise the same
//! statements, and there is no second implementation to drift.
//!
//! Writers are serialized twice: an in-process async mutex per organization (so writers of
//! one server queue instead of racing), and a compare-and-swap of the organization's revision
//! inside the transaction (so several servers on one PostgreSQL never lose an update).

mod audit;
mod clients;
mod keys;
mod live;
mod load;
mod meta;
mod replicas;
pub(crate) mod rows;
mod sessions;
mod snapshots;
mod write;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};

use crate::engine::{CompileError, Policy, Snapshot};
use rows::RowsError;

pub use audit::{AuditEntry, AuditPage, AuditProblem, AuditReport, AuditRow, GENESIS};
pub use clients::{ClientCredentials, ClientError, StoredClient};
pub use keys::KeyPair;
pub use meta::UserMeta;
pub use replicas::CHANNEL;
pub use sessions::{PasswordRow, Session};
pub use snapshots::StoredSnapshot;
pub use write::{Committed, ImportError, WriteError};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Why the store failed. Each names what it was doing.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed a statement.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The schema could not be brought up to date.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Stored rows do not make a policy.
    #[error("{0}")]
    Corrupt(#[from] RowsError),
    /// A value could not be rendered as JSON.
    #[error("could not render JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// A stored number is out of range.
    #[error("stored number `{0}` is out of range")]
    Range(i128),
    /// There is no such organization.
    #[error("organization `{0}` not found")]
    UnknownOrganization(String),
    /// The blocking task judging a change failed.
    #[error("the worker judging the change failed: {0}")]
    Worker(String),
    /// Other writers kept moving the organization's revision: the import gave up.
    #[error("organization `{0}` kept changing; try again")]
    Unsettled(String),
    /// The operating system had no randomness.
    #[error("no randomness: {0}")]
    Random(getrandom::Error),
    /// The stored policy breaks a rule (it never should: every change was judged).
    #[error("the stored policy does not compile: {0}")]
    Invalid(String),
}

/// One organization's state at one revision: the policy rebuilt from the tables, and its
/// snapshot, compiled the first time someone asks.
#[derive(Debug)]
pub struct OrgState {
    /// The organization's revision.
    pub revision: u64,
    /// The policy at that revision (`policy.revision == revision`).
    pub policy: Arc<Policy>,
    compiled: OnceLock<Result<Arc<Snapshot>, CompileError>>,
}

impl OrgState {
    fn new(policy: Policy) -> OrgState {
        OrgState {
            revision: policy.revision,
            policy: Arc::new(policy),
            compiled: OnceLock::new(),
        }
    }

    /// The compiled snapshot if someone already asked for it.
    pub fn compiled_if_ready(&self) -> Option<&Snapshot> {
        self.compiled.get()?.as_ref().ok().map(|s| &**s)
    }

    /// The policy compiled at this revision (issued at 0: this snapshot answers queries and
    /// is never published).
    pub fn snapshot(&self) -> Result<Arc<Snapshot>, CompileError> {
        self.compiled
            .get_or_init(|| {
                crate::engine::compile_snapshot(&self.policy, self.revision, 0).map(Arc::new)
            })
            .clone()
    }
}

/// The database and the in-memory cache of organizations.
#[derive(Debug)]
pub struct Store {
    pool: AnyPool,
    /// Each organization's live policy, behind the async mutex this process's writers
    /// queue on.
    live: Mutex<HashMap<String, live::Slot>>,
    /// The state readers see of each organization, replaced when the revision moves.
    cache: Mutex<HashMap<String, Arc<OrgState>>>,
    /// Each organization's audit chain head as this server last wrote it: (revision, hash).
    heads: Mutex<HashMap<String, (u64, String)>>,
}

/// A database URL from what a user typed: `postgres://…` and `sqlite:…` as given, anything
/// else a SQLite file path (created if missing).
pub fn database_url(db: &str) -> String {
    if db.starts_with("postgres://") || db.starts_with("postgresql://") || db.starts_with("sqlite:")
    {
        db.to_string()
    } else {
        format!("sqlite://{}?mode=rwc", Path::new(db).display())
    }
}

pub(crate) fn to_i64(v: u64) -> Result<i64, StoreError> {
    i64::try_from(v).map_err(|_| StoreError::Range(i128::from(v)))
}

pub(crate) fn to_u64(v: i64) -> Result<u64, StoreError> {
    u64::try_from(v).map_err(|_| StoreError::Range(i128::from(v)))
}

impl Store {
    /// Connects to `db` (see [`database_url`]) and brings its schema up to date.
    pub async fn open(db: &str) -> Result<Store, StoreError> {
        install_default_drivers();
        let url = database_url(db);
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            // A database that cannot be reached fails requests in seconds (503, Retry-After)
            // rather than holding them for the default half minute.
            .acquire_timeout(std::time::Duration::from_secs(3))
            .after_connect(|conn, _| {
                Box::pin(async move {
                    if conn.backend_name().eq_ignore_ascii_case("sqlite") {
                        // WAL: readers never block the writer. FULL: a commit is on disk
                        // before it is acknowledged. busy_timeout: writers of several
                        // organizations wait for each other instead of failing.
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                             PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; \
                             PRAGMA cache_size = -32768;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(Store {
            pool,
            live: Mutex::new(HashMap::new()),
            cache: Mutex::new(HashMap::new()),
            heads: Mutex::new(HashMap::new()),
        })
    }

    /// The connection pool.
    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    fn cached(&self, org: &str) -> Option<Arc<OrgState>> {
        let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        cache.get(org).cloned()
    }

    fn remember(&self, state: Arc<OrgState>) {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        let org = state.policy.organization.id.clone();
        cache.insert(org, state);
    }

    /// The audit chain's hash at `revision`, if this server wrote that row.
    fn head(&self, org: &str, revision: u64) -> Option<String> {
        let heads = self.heads.lock().unwrap_or_else(|p| p.into_inner());
        heads
            .get(org)
            .filter(|(r, _)| *r == revision)
            .map(|(_, h)| h.clone())
    }

    fn forget_head(&self, org: &str) {
        let mut heads = self.heads.lock().unwrap_or_else(|p| p.into_inner());
        heads.remove(org);
    }

    fn remember_head(&self, org: &str, revision: u64, hash: &str) {
        let mut heads = self.heads.lock().unwrap_or_else(|p| p.into_inner());
        heads.insert(org.to_string(), (revision, hash.to_string()));
    }

    /// Whether readers of `org` at `revision` would take a snapshot offered to them (see
    /// [`offer_snapshot`](Self::offer_snapshot)): someone asked for that revision's state and
    /// it has none yet. Otherwise decoding one to offer is work nobody uses.
    pub fn wants_snapshot(&self, org: &str, revision: u64) -> bool {
        self.cached(org)
            .is_some_and(|state| state.revision == revision && state.compiled.get().is_none())
    }

    /// Hands readers of `org` at `revision` a snapshot already made (the publisher's), so
    /// they need not compile one.
    pub fn offer_snapshot(&self, org: &str, revision: u64, snapshot: &Arc<Snapshot>) {
        if let Some(state) = self.cached(org)
            && state.revision == revision
        {
            let _ = state.compiled.set(Ok(snapshot.clone()));
        }
    }

    /// The organization's current state: from the cache when its revision is the
    /// database's, otherwise taken from the live policy (which follows what other
    /// processes commit).
    pub async fn current(&self, org: &str) -> Result<Arc<OrgState>, StoreError> {
        let revision = self
            .revision(org)
            .await?
            .ok_or_else(|| StoreError::UnknownOrganization(org.to_string()))?;
        if let Some(state) = self.cached(org)
            && state.revision == revision
        {
            return Ok(state);
        }
        let slot = self.live_slot(org);
        let mut guard = slot.lock().await;
        let live = self.caught_up(org, &mut guard).await?;
        let state = Arc::new(OrgState::new(live.policy().clone()));
        drop(guard);
        self.remember(state.clone());
        Ok(state)
    }
}
