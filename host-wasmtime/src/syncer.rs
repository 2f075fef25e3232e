//! Keeping an authorizer fed: pull snapshots from a file or an HTTP URL, verify them in the
//! guest, refuse older revisions and other organizations, persist the last good one, swap.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use rolegate_core::limits::MAX_SNAPSHOT_BYTES;

use rolegate_core::Trust;

use crate::authorizer::{Authorizer, Prepared, now};
use crate::engine::Engine;
use crate::error::HostError;

/// Where snapshots come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A local file, re-read when its modification time or length changes.
    File(PathBuf),
    /// An HTTP(S) URL, polled with `If-None-Match`.
    Http(String),
}

/// How a [`Syncer`] pulls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncConfig {
    /// Where snapshots come from.
    pub source: Source,
    /// Where the last good snapshot is kept, and read on start before the first pull.
    /// Default `None`: nothing persisted.
    pub cache_path: Option<PathBuf>,
    /// Time between pulls. Default 30 s.
    pub interval: Duration,
    /// Timeout of one HTTP pull. Default 10 s.
    pub timeout: Duration,
    /// Longest wait between pulls after repeated failures (the wait doubles per failure, with
    /// ±20 % jitter, up to this). Default 5 min.
    pub max_backoff: Duration,
    /// What a snapshot must satisfy — signature by a trusted key, organization, maximum age
    /// — checked inside the guest before it is served or persisted. Default: any well-formed
    /// snapshot. Older revisions than the served one are always refused.
    pub trust: Trust,
    /// Once the served snapshot is older than `trust.max_age`, report it (always) and serve
    /// no authorizer (when this is set), so callers deny. Default false.
    pub deny_when_expired: bool,
    /// For HTTP sources: ask for `<url>.delta-<revision>` before the full snapshot. Default true.
    pub deltas: bool,
}

impl SyncConfig {
    /// Defaults for `source`.
    pub fn new(source: Source) -> SyncConfig {
        SyncConfig {
            source,
            cache_path: None,
            interval: Duration::from_secs(30),
            timeout: Duration::from_secs(10),
            max_backoff: Duration::from_secs(300),
            trust: Trust::default(),
            deny_when_expired: false,
            deltas: true,
        }
    }
}

/// Why a pull did not produce a new snapshot.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The source could not be read or reached.
    #[error("fetching the snapshot failed: {0}")]
    Fetch(String),
    /// The server answered with an unexpected status.
    #[error("the snapshot server answered HTTP {0}")]
    Status(u16),
    /// The guest refused the snapshot (or failed on it).
    #[error("the snapshot was refused: {0}")]
    Refused(#[from] HostError),
    /// The snapshot is for another organization.
    #[error("the snapshot is for organization `{found}`, not `{expected}`")]
    WrongOrganization {
        /// What it says.
        found: String,
        /// What the served snapshot says.
        expected: String,
    },
    /// The snapshot is older than the one being served.
    #[error("the snapshot has revision {found}, older than the served revision {current}")]
    OlderRevision {
        /// What it says.
        found: u64,
        /// What is served.
        current: u64,
    },
    /// The verified snapshot could not be persisted; it was not served either.
    #[error("persisting the snapshot to `{path}` failed: {message}")]
    Persist {
        /// The cache path.
        path: PathBuf,
        /// Why.
        message: String,
    },
}

/// What a pull did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncOutcome {
    /// A newer snapshot is now served.
    Updated {
        /// Its revision.
        revision: u64,
    },
    /// Nothing new (304, the same file, or the same revision).
    Unchanged,
}

/// How the syncer is doing, for health checks and dashboards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncStatus {
    /// The served revision, if any snapshot is served.
    pub revision: Option<u64>,
    /// When a pull last succeeded (updated or unchanged).
    pub last_success: Option<SystemTime>,
    /// The last pull's error, cleared by the next success.
    pub last_error: Option<String>,
    /// Failed pulls in a row.
    pub failures: u32,
    /// Time since the last success: how stale the served snapshot may be.
    pub age: Option<Duration>,
    /// Whether the served snapshot was issued longer ago than `trust.max_age`.
    pub expired: bool,
}

#[derive(Default)]
struct State {
    authorizer: Option<Authorizer>,
    etag: Option<String>,
    file_stamp: Option<(SystemTime, u64)>,
    last_success: Option<(SystemTime, Instant)>,
    last_error: Option<String>,
    failures: u32,
}

struct Inner {
    engine: Engine,
    config: SyncConfig,
    agent: ureq::Agent,
    state: Mutex<State>,
    stop: AtomicBool,
    wake: Condvar,
}

/// Keeps an [`Authorizer`] fed from a [`Source`], in a background thread.
///
/// On start it serves the persisted snapshot (if any) before the first pull, so a restart
/// with the source down still answers. Each pull is verified by loading it into a guest;
/// an older revision, another organization or a bad snapshot is refused and reported, and
/// the served snapshot keeps answering. Only verified snapshots reach the disk. Dropping the
/// syncer stops the thread.
pub struct Syncer {
    inner: Arc<Inner>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Syncer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Syncer")
            .field("status", &self.status())
            .finish_non_exhaustive()
    }
}

impl Syncer {
    /// Serves the persisted snapshot if there is one, pulls once, then keeps pulling in the
    /// background every `interval`.
    pub fn start(engine: &Engine, config: SyncConfig) -> Syncer {
        let mut syncer = Syncer::new(engine, config);
        // A failed first pull is in the status; the persisted snapshot, if any, serves.
        let _ = syncer.sync_now();
        let inner = syncer.inner.clone();
        syncer.thread = Some(std::thread::spawn(move || inner.run()));
        syncer
    }

    /// Serves the persisted snapshot if there is one; pulls only when asked
    /// ([`sync_now`](Self::sync_now)).
    pub fn new(engine: &Engine, config: SyncConfig) -> Syncer {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(config.timeout))
            .http_status_as_error(false)
            .build()
            .new_agent();
        let inner = Arc::new(Inner {
            engine: engine.clone(),
            config,
            agent,
            state: Mutex::new(State::default()),
            stop: AtomicBool::new(false),
            wake: Condvar::new(),
        });
        inner.restore();
        Syncer {
            inner,
            thread: None,
        }
    }

    /// The authorizer, once a snapshot is served; `None` means deny everything (also once
    /// the served snapshot has expired, with `deny_when_expired`).
    pub fn authorizer(&self) -> Option<Authorizer> {
        let authorizer = self.inner.lock().authorizer.clone()?;
        if self.inner.config.deny_when_expired && self.inner.expired(&authorizer) {
            return None;
        }
        Some(authorizer)
    }

    /// Pulls once now.
    pub fn sync_now(&self) -> Result<SyncOutcome, SyncError> {
        self.inner.sync()
    }

    /// How the syncer is doing.
    pub fn status(&self) -> SyncStatus {
        let state = self.inner.lock();
        SyncStatus {
            expired: state
                .authorizer
                .as_ref()
                .is_some_and(|a| self.inner.expired(a)),
            revision: state.authorizer.as_ref().map(Authorizer::revision),
            last_success: state.last_success.map(|(at, _)| at),
            last_error: state.last_error.clone(),
            failures: state.failures,
            age: state.last_success.map(|(_, at)| at.elapsed()),
        }
    }
}

impl Drop for Syncer {
    fn drop(&mut self) {
        self.inner.stop.store(true, Ordering::SeqCst);
        self.inner.wake.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Inner {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn expired(&self, authorizer: &Authorizer) -> bool {
        self.config
            .trust
            .max_age
            .is_some_and(|max| now().saturating_sub(authorizer.info().issued_at) > max)
    }

    /// Serves the persisted snapshot, if it is there and a guest accepts it. Its age is not
    /// held against it: it was fully verified before it was persisted, an old snapshot
    /// answers better than none, and `status().expired` reports it.
    fn restore(&self) {
        let Some(path) = &self.config.cache_path else {
            return;
        };
        let Ok(bytes) = std::fs::read(path) else {
            return;
        };
        let trust = Trust {
            max_age: None,
            ..self.config.trust.clone()
        };
        let served = Prepared::standalone(&self.engine, &bytes, &trust, now())
            .map(|p| Authorizer::from_prepared(&self.engine, p, self.config.trust.clone()));
        match served {
            Ok(authorizer) => self.lock().authorizer = Some(authorizer),
            Err(e) => {
                self.lock().last_error =
                    Some(format!("persisted snapshot {}: {e}", path.display()));
            }
        }
    }

    fn run(&self) {
        let mut guard = self.lock();
        while !self.stop.load(Ordering::SeqCst) {
            let wait = backoff(
                self.config.interval,
                self.config.max_backoff,
                guard.failures,
            );
            guard = self
                .wake
                .wait_timeout(guard, wait)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
            if self.stop.load(Ordering::SeqCst) {
                break;
            }
            drop(guard);
            let _ = self.sync();
            guard = self.lock();
        }
    }

    fn sync(&self) -> Result<SyncOutcome, SyncError> {
        let result = self.pull();
        let mut state = self.lock();
        match &result {
            Ok(_) => {
                state.last_success = Some((SystemTime::now(), Instant::now()));
                state.last_error = None;
                state.failures = 0;
            }
            Err(e) => {
                state.last_error = Some(e.to_string());
                state.failures = state.failures.saturating_add(1);
            }
        }
        result
    }

    fn pull(&self) -> Result<SyncOutcome, SyncError> {
        let current = self.lock().authorizer.clone();
        let fetched = match current.as_ref().and_then(|a| self.via_delta(a)) {
            Some(rebuilt) => Some((rebuilt, Tag::Etag(None))),
            None => self.fetch()?,
        };
        let Some((bytes, tag)) = fetched else {
            return Ok(SyncOutcome::Unchanged);
        };
        // Checked inside the guest: keys and signature, organization, age.
        let trust = &self.config.trust;
        let prepared = match &current {
            Some(a) => a.prepare_with(&bytes, trust, now())?,
            None => Prepared::standalone(&self.engine, &bytes, trust, now())?,
        };
        let info = prepared.info().clone();
        if let Some(a) = &current {
            let served = a.info();
            if info.organization != served.organization {
                return Err(SyncError::WrongOrganization {
                    found: info.organization,
                    expected: served.organization,
                });
            }
            if info.revision < served.revision {
                return Err(SyncError::OlderRevision {
                    found: info.revision,
                    current: served.revision,
                });
            }
            if info.revision == served.revision {
                self.remember(tag);
                return Ok(SyncOutcome::Unchanged);
            }
        }
        // Verified by the guest: now it may reach the disk, and only then be served.
        if let Some(path) = &self.config.cache_path {
            persist(path, prepared.bytes()).map_err(|message| SyncError::Persist {
                path: path.clone(),
                message,
            })?;
        }
        match current {
            Some(a) => a.commit(prepared),
            None => {
                self.lock().authorizer = Some(Authorizer::from_prepared(
                    &self.engine,
                    prepared,
                    self.config.trust.clone(),
                ));
            }
        }
        self.remember(tag);
        Ok(SyncOutcome::Updated {
            revision: info.revision,
        })
    }

    fn remember(&self, tag: Tag) {
        let mut state = self.lock();
        match tag {
            Tag::Etag(etag) => state.etag = etag,
            Tag::File(stamp) => state.file_stamp = Some(stamp),
        }
    }

    /// The snapshot after the served one, through a delta, when the source offers one that
    /// applies (rebuilt inside a guest); `None` sends the pull to the full snapshot.
    fn via_delta(&self, current: &Authorizer) -> Option<Vec<u8>> {
        let Source::Http(url) = &self.config.source else {
            return None;
        };
        if !self.config.deltas {
            return None;
        }
        let url = format!("{url}.delta-{}", current.revision());
        let mut response = self.agent.get(&url).call().ok()?;
        if response.status().as_u16() != 200 {
            return None;
        }
        let delta = response
            .body_mut()
            .with_config()
            .limit(MAX_SNAPSHOT_BYTES as u64)
            .read_to_vec()
            .ok()?;
        match current.apply_delta(&delta) {
            Ok(rebuilt) => Some(rebuilt),
            Err(e) => {
                self.lock().last_error = Some(format!("delta {url}: {e}"));
                None
            }
        }
    }

    /// New bytes from the source, or `None` when it says nothing changed.
    fn fetch(&self) -> Result<Option<(Vec<u8>, Tag)>, SyncError> {
        match &self.config.source {
            Source::File(path) => {
                let meta = std::fs::metadata(path)
                    .map_err(|e| SyncError::Fetch(format!("{}: {e}", path.display())))?;
                let stamp = (
                    meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                    meta.len(),
                );
                if self.lock().file_stamp == Some(stamp) {
                    return Ok(None);
                }
                let bytes = std::fs::read(path)
                    .map_err(|e| SyncError::Fetch(format!("{}: {e}", path.display())))?;
                Ok(Some((bytes, Tag::File(stamp))))
            }
            Source::Http(url) => {
                let etag = self.lock().etag.clone();
                let mut request = self.agent.get(url);
                if let Some(etag) = &etag {
                    request = request.header("If-None-Match", etag);
                }
                let mut response = request
                    .call()
                    .map_err(|e| SyncError::Fetch(format!("{url}: {e}")))?;
                match response.status().as_u16() {
                    304 => Ok(None),
                    200 => {
                        let etag = response
                            .headers()
                            .get("etag")
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_owned);
                        let bytes = response
                            .body_mut()
                            .with_config()
                            .limit(MAX_SNAPSHOT_BYTES as u64)
                            .read_to_vec()
                            .map_err(|e| SyncError::Fetch(format!("{url}: {e}")))?;
                        Ok(Some((bytes, Tag::Etag(etag))))
                    }
                    status => Err(SyncError::Status(status)),
                }
            }
        }
    }
}

/// What identifies the version of the source just read.
enum Tag {
    Etag(Option<String>),
    File((SystemTime, u64)),
}

/// The wait before the next pull: the interval, doubled per failure up to `max`, ±20 %.
fn backoff(interval: Duration, max: Duration, failures: u32) -> Duration {
    let base = interval
        .saturating_mul(1u32.checked_shl(failures.min(16)).unwrap_or(u32::MAX))
        .min(max.max(interval));
    // Jitter from the clock's low bits: spreads a fleet's retries, needs no RNG.
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let permille = 800 + u64::from(nanos % 401);
    Duration::from_millis((base.as_millis() as u64).saturating_mul(permille) / 1000)
}

/// Writes `bytes` to `path` atomically: a temporary file beside it, synced, then renamed.
fn persist(path: &Path, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let tmp = dir.join(format!(
        ".{}.tmp",
        path.file_name()
            .map_or_else(|| "snapshot".into(), |n| n.to_string_lossy())
    ));
    let write = || -> std::io::Result<()> {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        e.to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_stops_at_the_cap() {
        let (i, max) = (Duration::from_secs(10), Duration::from_secs(60));
        let within = |d: Duration, base: u64| {
            d >= Duration::from_millis(base * 800) && d <= Duration::from_millis(base * 1200)
        };
        assert!(within(backoff(i, max, 0), 10));
        assert!(within(backoff(i, max, 1), 20));
        assert!(within(backoff(i, max, 2), 40));
        assert!(within(backoff(i, max, 3), 60));
        assert!(within(backoff(i, max, 40), 60));
    }
}
