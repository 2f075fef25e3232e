//! Keeping an authorizer fed: pull snapshots from a file or an HTTP URL (polling with ETags,
//! or watching a rolegate server with long polls), verify them in the guest, refuse older
//! revisions and other organizations, persist the last good one, swap.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use rolegate_core::{Snapshot, Trust};

use crate::authorizer::{Authorizer, Prepared, now};
use crate::engine::Engine;
use crate::error::HostError;
use crate::watch::{ClientCredentials, Delta, Fetched, Request, Token, token};

/// Where snapshots come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A local file, re-read when its modification time or length changes.
    File(PathBuf),
    /// An HTTP(S) URL, polled with `If-None-Match` (or watched, see [`SyncConfig::watch`]).
    Http(String),
}

/// How a [`Syncer`] pulls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncConfig {
    /// Where snapshots come from.
    pub source: Source,
    /// Where the last good snapshot is kept, and read on start before the first pull. It is
    /// also the rollback floor across restarts: without it, a restarted syncer accepts any
    /// revision its trust accepts. Default `None`: nothing persisted.
    pub cache_path: Option<PathBuf>,
    /// Time between pulls when polling. Default 30 s.
    pub interval: Duration,
    /// Timeout of one HTTP request (a watch adds its wait). Default 10 s.
    pub timeout: Duration,
    /// Longest wait between pulls after repeated failures (the wait doubles per failure, with
    /// ±20 % jitter, up to this). Default 5 min.
    pub max_backoff: Duration,
    /// What a snapshot must satisfy — signature by a trusted key, organization, maximum age
    /// — checked inside the guest before it is served or persisted. Older revisions than the
    /// served one and other organizations are always refused. Default [`Trust::default`],
    /// which accepts nothing until keys are given (or [`Trust::unsigned`] is chosen).
    pub trust: Trust,
    /// Once the served snapshot is older than `trust.max_age`, report it (always) and serve
    /// no authorizer (when this is set), so callers deny. Default false.
    pub deny_when_expired: bool,
    /// For HTTP sources: ask for `<url>.delta-<revision>` before the full snapshot. Default true.
    pub deltas: bool,
    /// For HTTP sources served by `rolegate serve`: long-poll for the next revision, each
    /// request held open by the server for up to this long, so a change arrives as soon as it
    /// is published. A server that does not answer as a watch (a plain web server or CDN) is
    /// polled every `interval` instead. Default `None`: poll.
    pub watch: Option<Duration>,
    /// Largest snapshot accepted from the source, in bytes. Default 256 MiB.
    pub max_snapshot_bytes: u64,
    /// Largest delta accepted, in bytes: far below the snapshot cap, since a delta only
    /// carries what changed. Default 16 MiB.
    pub max_delta_bytes: u64,
    /// For HTTP sources that need a bearer token (a `rolegate serve` snapshot URL): OAuth
    /// client credentials; the token is fetched and renewed by the syncer. Default `None`.
    pub credentials: Option<ClientCredentials>,
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
            watch: None,
            max_snapshot_bytes: 256 << 20,
            max_delta_bytes: 16 << 20,
            credentials: None,
        }
    }
}

/// Why a pull did not produce a new snapshot.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// The source could not be read or reached.
    #[error("fetching `{from}` failed")]
    Fetch {
        /// The file or URL.
        from: String,
        /// Why.
        #[source]
        source: crate::error::Cause,
    },
    /// The server answered with an unexpected status.
    #[error("the snapshot server answered HTTP {0}")]
    Status(u16),
    /// The server answered 304 to a request that sent no validator: a broken or hostile
    /// server, not a fresh snapshot.
    #[error("the snapshot server answered 304 Not Modified to a request without a validator")]
    UnexpectedNotModified,
    /// The guest refused the snapshot (or failed on it): the code says why — including
    /// `stale-revision` for an older revision and `wrong-organization` for another one.
    #[error("the snapshot was refused")]
    Refused(#[from] HostError),
    /// The verified snapshot could not be persisted; it was not served either.
    #[error("persisting the snapshot to `{path}` failed")]
    Persist {
        /// The cache path.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
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
    /// Whether the served snapshot was issued longer ago than `trust.max_age` — also when
    /// every pull succeeds with "not modified": a source that stopped publishing is stale.
    pub expired: bool,
    /// Whether the source answers as a watch (long polls) rather than by polling.
    pub watching: bool,
}

impl SyncStatus {
    /// Serving a snapshot that is not expired, and the last pull succeeded.
    pub fn healthy(&self) -> bool {
        self.revision.is_some() && !self.expired && self.failures == 0
    }
}

#[derive(Default)]
struct State {
    authorizer: Option<Authorizer>,
    etag: Option<String>,
    file_stamp: Option<(SystemTime, u64)>,
    last_success: Option<(SystemTime, Instant)>,
    last_error: Option<String>,
    failures: u32,
    /// The lowest revision ever acceptable again: the served one, or the persisted one when
    /// it could not be served (a damaged file, a rotated key) — never lowered.
    floor: u64,
    /// Whether the source answered the last request as a watch.
    watching: bool,
    /// The bearer token for the source, when it needs one.
    token: Option<Token>,
}

struct Inner {
    engine: Engine,
    config: SyncConfig,
    agent: ureq::Agent,
    state: Mutex<State>,
    /// Held for a whole pull: one pull at a time, whoever asks (the background thread,
    /// `sync_now`), so an older snapshot can never be committed after a newer one.
    pulling: Mutex<()>,
    stop: AtomicBool,
    /// Wakes the background thread (stop).
    wake: Condvar,
    /// Notified after every commit.
    updated: Condvar,
}

/// Keeps an [`Authorizer`] fed from a [`Source`], in a background thread.
///
/// On start it serves the persisted snapshot (if any) before the first pull, so a restart
/// with the source down still answers. Each pull is verified by loading it into a guest;
/// an older revision, another organization or a bad snapshot is refused and reported, and
/// the served snapshot keeps answering. Pulls never overlap, and only verified snapshots
/// reach the disk. Dropping the syncer stops the thread.
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
    /// background (every `interval`, or continuously when watching).
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
        let https = matches!(&config.source, Source::Http(url) if url.starts_with("https://"));
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(
                config.timeout + config.watch.unwrap_or(Duration::ZERO),
            ))
            .http_status_as_error(false)
            // A source reached over https is never followed onto plain http.
            .https_only(https)
            .build()
            .new_agent();
        let inner = Arc::new(Inner {
            engine: engine.clone(),
            config,
            agent,
            state: Mutex::new(State::default()),
            pulling: Mutex::new(()),
            stop: AtomicBool::new(false),
            wake: Condvar::new(),
            updated: Condvar::new(),
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

    /// Pulls once now (after any pull in progress).
    pub fn sync_now(&self) -> Result<SyncOutcome, SyncError> {
        self.inner.sync()
    }

    /// Waits until the served revision is at least `revision` — read-your-writes for a caller
    /// that just changed the policy — or `timeout` passes. Whether it got there.
    pub fn wait_for_revision(&self, revision: u64, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut state = self.inner.lock();
        loop {
            if state
                .authorizer
                .as_ref()
                .is_some_and(|a| a.revision() >= revision)
            {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            state = self
                .inner
                .updated
                .wait_timeout(state, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
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
            watching: state.watching,
        }
    }
}

impl Drop for Syncer {
    fn drop(&mut self) {
        self.inner.stop.store(true, Ordering::SeqCst);
        self.inner.wake.notify_all();
        if let Some(thread) = self.thread.take() {
            // A watch may hold its request open for the whole wait: let that thread finish on
            // its own (it serves and persists nothing once stopped) rather than block the
            // caller. A polling pull is bounded by the timeout and is waited for.
            if self.inner.config.watch.is_none() {
                let _ = thread.join();
            }
        }
    }
}

/// Renders an error with its causes, for the status.
fn report(e: &dyn std::error::Error) -> String {
    let mut message = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        message.push_str(": ");
        message.push_str(&c.to_string());
        cause = c.source();
    }
    message
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
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
    /// answers better than none, and `status().expired` reports it. If it cannot be served,
    /// its revision still sets the floor, so a restart never opens a rollback window.
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
        let mut state = self.lock();
        match served {
            Ok(authorizer) => {
                state.floor = authorizer.revision();
                state.authorizer = Some(authorizer);
            }
            Err(e) => {
                state.floor = Snapshot::peek(&bytes).map_or(0, |m| m.revision);
                state.last_error = Some(format!("persisted snapshot {}: {e}", path.display()));
            }
        }
    }

    fn run(&self) {
        let mut guard = self.lock();
        while !self.stop.load(Ordering::SeqCst) {
            let wait = if guard.watching && guard.failures == 0 {
                // The server holds each request until there is news: ask again at once.
                Duration::ZERO
            } else {
                backoff(
                    self.config.interval,
                    self.config.max_backoff,
                    guard.failures,
                )
            };
            if !wait.is_zero() {
                guard = self
                    .wake
                    .wait_timeout(guard, wait)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
            if self.stop.load(Ordering::SeqCst) {
                break;
            }
            drop(guard);
            let _ = self.sync();
            guard = self.lock();
        }
    }

    fn sync(&self) -> Result<SyncOutcome, SyncError> {
        let _one_at_a_time = self.pulling.lock().unwrap_or_else(PoisonError::into_inner);
        let result = self.pull();
        let mut state = self.lock();
        match &result {
            Ok(_) => {
                state.last_success = Some((SystemTime::now(), Instant::now()));
                state.last_error = None;
                state.failures = 0;
            }
            Err(e) => {
                state.last_error = Some(report(e));
                state.failures = state.failures.saturating_add(1);
            }
        }
        result
    }

    /// The trust a pulled snapshot must meet: the configured trust, pinned to the served
    /// organization and at least the floor revision.
    fn pull_trust(&self, current: Option<&Authorizer>, floor: u64) -> Trust {
        let mut trust = self.config.trust.clone();
        if let Some(a) = current {
            trust.organization.get_or_insert(a.info().organization);
        }
        trust.min_revision = Some(trust.min_revision.unwrap_or(0).max(floor));
        trust
    }

    fn pull(&self) -> Result<SyncOutcome, SyncError> {
        let (current, floor) = {
            let state = self.lock();
            (state.authorizer.clone(), state.floor)
        };
        let served = current.as_ref().map(Authorizer::revision);
        // Checked inside the guest: keys and signature, organization, revision, age.
        let trust = self.pull_trust(current.as_ref(), floor);
        let bearer = self.bearer()?;
        let fetched = match current
            .as_ref()
            .map(|a| self.via_delta(a, &trust, bearer.clone()))
        {
            Some(Via::Rebuilt(bytes, etag)) => Some((bytes, Tag::Etag(etag))),
            // A watch on the delta ended with nothing newer: nothing to fetch either.
            Some(Via::NotModified) => return Ok(SyncOutcome::Unchanged),
            Some(Via::Full) | None => self.fetch(served, bearer)?,
        };
        let Some((bytes, tag)) = fetched else {
            return Ok(SyncOutcome::Unchanged);
        };
        let prepared = match &current {
            Some(a) => a.prepare_with(&bytes, &trust, now())?,
            None => Prepared::standalone(&self.engine, &bytes, &trust, now())?,
        };
        let revision = prepared.info().revision;
        if served.is_some_and(|s| revision <= s) {
            self.remember(tag);
            return Ok(SyncOutcome::Unchanged);
        }
        if self.stop.load(Ordering::SeqCst) {
            // The syncer was dropped while this pull was in flight.
            return Ok(SyncOutcome::Unchanged);
        }
        // Verified by the guest: now it may reach the disk, and only then be served.
        if let Some(path) = &self.config.cache_path {
            persist(path, prepared.bytes()).map_err(|source| SyncError::Persist {
                path: path.clone(),
                source,
            })?;
        }
        let mut state = self.lock();
        // The check at commit: pulls are serialized, so nothing newer was committed since
        // `current` was read — this re-check keeps that true whatever changes around it.
        if state.authorizer.as_ref().map(Authorizer::revision) >= Some(revision) {
            return Ok(SyncOutcome::Unchanged);
        }
        match &state.authorizer {
            Some(a) => a.commit(prepared),
            None => {
                state.authorizer = Some(Authorizer::from_prepared(
                    &self.engine,
                    prepared,
                    self.config.trust.clone(),
                ));
            }
        }
        state.floor = state.floor.max(revision);
        match tag {
            Tag::Etag(etag) => state.etag = etag,
            Tag::File(stamp) => state.file_stamp = Some(stamp),
        }
        drop(state);
        self.updated.notify_all();
        Ok(SyncOutcome::Updated { revision })
    }

    fn remember(&self, tag: Tag) {
        let mut state = self.lock();
        match tag {
            Tag::Etag(etag) => state.etag = etag,
            Tag::File(stamp) => state.file_stamp = Some(stamp),
        }
    }

    fn request(&self, bearer: Option<String>) -> Request<'_> {
        Request {
            agent: &self.agent,
            watch: self.config.watch,
            max_snapshot_bytes: self.config.max_snapshot_bytes,
            max_delta_bytes: self.config.max_delta_bytes,
            bearer,
        }
    }

    /// The bearer token to send, fetched or renewed when due; `None` without credentials.
    fn bearer(&self) -> Result<Option<String>, SyncError> {
        let Some(credentials) = &self.config.credentials else {
            return Ok(None);
        };
        if let Some(t) = &self.lock().token
            && Instant::now() < t.renew_at
        {
            return Ok(Some(t.value.clone()));
        }
        let fresh = token(&self.agent, credentials)?;
        let value = fresh.value.clone();
        self.lock().token = Some(fresh);
        Ok(Some(value))
    }

    /// The snapshot after the served one, through a delta, when the source offers one that
    /// applies and whose envelope passes `trust` (rebuilt inside a throwaway guest); otherwise
    /// the pull goes to the snapshot.
    fn via_delta(&self, current: &Authorizer, trust: &Trust, bearer: Option<String>) -> Via {
        let Source::Http(url) = &self.config.source else {
            return Via::Full;
        };
        if !self.config.deltas {
            return Via::Full;
        }
        let (delta, etag) = match self.request(bearer).delta(url, current.revision()) {
            Ok((answer, watching)) => {
                self.lock().watching = watching;
                match answer {
                    Delta::Bytes { delta, etag } => (delta, etag),
                    Delta::NotModified => return Via::NotModified,
                    Delta::Unavailable => return Via::Full,
                }
            }
            // A missing or broken delta is no failure: the snapshot itself is the fallback.
            Err(_) => return Via::Full,
        };
        match current.apply_delta_with(&delta, trust, now()) {
            Ok(rebuilt) => Via::Rebuilt(rebuilt, etag),
            Err(_) => Via::Full,
        }
    }

    /// New bytes from the source, or `None` when it says nothing changed.
    fn fetch(
        &self,
        served: Option<u64>,
        bearer: Option<String>,
    ) -> Result<Option<(Vec<u8>, Tag)>, SyncError> {
        match &self.config.source {
            Source::File(path) => {
                let failed = |e: std::io::Error| SyncError::Fetch {
                    from: path.display().to_string(),
                    source: e.into(),
                };
                let meta = std::fs::metadata(path).map_err(failed)?;
                let stamp = (
                    meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                    meta.len(),
                );
                if self.lock().file_stamp == Some(stamp) {
                    return Ok(None);
                }
                let bytes = std::fs::read(path).map_err(failed)?;
                Ok(Some((bytes, Tag::File(stamp))))
            }
            Source::Http(url) => {
                let etag = self.lock().etag.clone();
                let fetched = self.request(bearer).snapshot(url, served, etag.as_deref());
                if matches!(fetched, Err(SyncError::Status(401))) {
                    // The token was refused (revoked, or the server restarted): renew next time.
                    self.lock().token = None;
                }
                let fetched = fetched?;
                self.lock().watching = fetched.watching;
                Ok(match fetched.body {
                    Fetched::NotModified => None,
                    Fetched::Body { bytes, etag } => Some((bytes, Tag::Etag(etag))),
                })
            }
        }
    }
}

/// Where a pull's snapshot comes from, once the delta was asked for.
enum Via {
    /// Rebuilt from a delta (and the ETag of the snapshot it rebuilt, if the server said).
    Rebuilt(Vec<u8>, Option<String>),
    /// A watch on the delta ended with nothing newer.
    NotModified,
    /// No usable delta: fetch the snapshot.
    Full,
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

/// Writes `bytes` to `path` atomically (a uniquely named temporary file beside it, synced,
/// renamed over it, the directory synced), keeping the mode of the file it replaces.
fn persist(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    if let Ok(meta) = std::fs::metadata(path) {
        tmp.as_file().set_permissions(meta.permissions())?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    std::fs::File::open(dir)?.sync_all()
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

    #[test]
    fn persisting_keeps_the_mode_and_replaces_the_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("last-good.rgs");
        std::fs::write(&path, b"old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        persist(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temp file left"
        );
    }
}
