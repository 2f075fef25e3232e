//! The publisher: after every committed revision, compile, sign, store the snapshot and the
//! deltas to it, write them to the publish directory, and wake the watchers.
//!
//! One task per organization. Commits only raise a target revision (a `watch` channel), and
//! the task always compiles the organization's *latest* state, so a burst coalesces: if
//! revisions 5, 6 and 7 commit while 4 is being compiled, 7 is published next, with deltas
//! from the last few published revisions (4 among them). The task also polls the database,
//! so revisions committed by another server process get published and served here too.
//!
//! The latest published snapshot is kept in memory: serving it needs no database, so the
//! last good snapshot keeps being served if the database goes away.
//!
//! What a publish must do before watchers see the change — compile, sign, diff — is all the
//! organization's task does. Storing the snapshot, decoding it for readers and writing the
//! publish directory follow in a second task per organization ("settling"), so the next
//! revision compiles while the last one is stored (at L, storing 27 MB and decoding it took
//! longer than the diffs and delayed every publish that followed a write by as much).

mod dir;
mod listen;

use std::collections::VecDeque;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::body::Bytes;
use tokio::sync::watch;

use crate::engine::{self, LivePolicy, PublishError, SigningKey, Snapshot};
use crate::store::{Store, StoreError, StoredSnapshot};

pub use dir::DirError;

/// Deltas are made from this many previously published revisions.
const DELTA_BASES: u32 = 4;

/// How often each organization's task looks for revisions committed elsewhere.
const POLL: Duration = Duration::from_secs(2);
/// How often a server that does not hold an organization's publish lease looks for the
/// snapshot the holder stores.
const FOLLOW: Duration = Duration::from_millis(100);
/// How long a publish lease lasts; the holder renews it each time it publishes. A server
/// that dies holding one delays publishing by at most this long: then another takes over.
const LEASE_SECS: u64 = 5;

/// A published snapshot, as served.
#[derive(Debug, Clone)]
pub struct Published {
    /// Its revision.
    pub revision: u64,
    /// The signed snapshot bytes.
    pub bytes: Bytes,
    /// The strong ETag (see [`snapshot_etag`]).
    pub etag: String,
    /// The decoded snapshot (for slices), made the first time someone needs it.
    decoded: Arc<OnceLock<Result<Arc<Snapshot>, &'static str>>>,
    /// Deltas to this revision, by base revision: (bytes, ETag).
    pub deltas: BTreeMap<u64, (Bytes, String)>,
}

impl Published {
    /// Bytes as published, with their ETag; decoded when first asked for.
    fn new(revision: u64, bytes: Bytes, deltas: BTreeMap<u64, (Bytes, String)>) -> Published {
        Published {
            revision,
            etag: snapshot_etag(&bytes),
            bytes,
            decoded: Arc::default(),
            deltas,
        }
    }

    /// The snapshot decoded (CPU-bound on a large organization: call it off the async
    /// workers); the decode error's code if the bytes do not decode.
    pub fn snapshot(&self) -> Result<Arc<Snapshot>, &'static str> {
        self.decoded
            .get_or_init(|| {
                engine::decode(&self.bytes)
                    .map(Arc::new)
                    .map_err(|e| e.code().as_str())
            })
            .clone()
    }
}

/// Why a revision could not be published.
#[derive(Debug, thiserror::Error)]
pub enum PublisherError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Compiling, signing or diffing failed.
    #[error(transparent)]
    Engine(#[from] PublishError),
    /// A stored snapshot does not decode.
    #[error("stored snapshot of revision `{revision}` does not decode: {code}")]
    Stored {
        /// The revision.
        revision: u64,
        /// The decode error's code.
        code: &'static str,
    },
    /// The publish directory could not be written.
    #[error(transparent)]
    Dir(#[from] DirError),
    /// A blocking task failed.
    #[error("a publishing task failed: {0}")]
    Task(String),
}

/// What one round of publishing did.
enum Outcome {
    /// Published the current revision, or there was nothing new.
    Done,
    /// Another server holds the publish lease: this one waits for what it stores.
    Following,
}

#[derive(Debug)]
struct Channel {
    committed: watch::Sender<u64>,
    published: watch::Sender<Option<Arc<Published>>>,
    /// The revision last written to the publish directory: a write that failed (a full or
    /// unwritable disk) is tried again until it succeeds, without waiting for a new revision.
    written: std::sync::atomic::AtomicU64,
    /// The last few published snapshots, newest last: the bases of the next deltas, kept in
    /// memory so publishing reads nothing back from the database.
    history: Mutex<VecDeque<Arc<Published>>>,
    /// The publisher's own copy of the organization's live policy (see [`Publisher::compile`]).
    mirror: tokio::sync::Mutex<Option<LivePolicy>>,
    /// What the settling task is to do next — the newest published revision — replaced when
    /// a newer one comes before it is taken.
    settle: watch::Sender<Option<Settle>>,
}

/// A published revision to settle: stored (unless it came from the database) and written to
/// the publish directory.
#[derive(Debug, Clone)]
struct Settle {
    published: Arc<Published>,
    /// When it was issued; `None` when it is in the database already.
    store: Option<u64>,
}

/// The publisher of every organization of one server.
#[derive(Debug)]
pub struct Publisher {
    store: Arc<Store>,
    /// This server, as the publish leases name it.
    id: String,
    key: SigningKey,
    dir: Option<PathBuf>,
    channels: Mutex<HashMap<String, Arc<Channel>>>,
    stop: watch::Sender<bool>,
    /// Every organization's task, so that shutting down waits for a publish in flight
    /// before the database closes under it.
    tasks: Mutex<Vec<tokio::task::JoinHandle<()>>>,
}

fn quoted(sha256: &str) -> String {
    format!("\"{sha256}\"")
}

/// The strong ETag of snapshot bytes: the SHA-256 of their head (see [`Snapshot::head`]),
/// which names the payload by its checksum — 14 ms less on every publish at L than hashing
/// all 27 MB again; of every byte if they do not parse.
fn snapshot_etag(bytes: &[u8]) -> String {
    quoted(&crate::clock::sha256_hex(
        Snapshot::head(bytes).unwrap_or(bytes),
    ))
}

impl Publisher {
    /// A publisher signing with `key`, writing to `dir` if given. Call [`Publisher::resume`]
    /// to serve what is already published and publish what is not.
    pub fn new(store: Arc<Store>, key: SigningKey, dir: Option<PathBuf>) -> Arc<Publisher> {
        let id = crate::clock::random::<8>()
            .map(|b| crate::clock::hex(&b))
            .unwrap_or_else(|_| format!("{:p}", &store));
        Arc::new(Publisher {
            store,
            id,
            key,
            dir,
            channels: Mutex::new(HashMap::new()),
            stop: watch::Sender::new(false),
            tasks: Mutex::new(Vec::new()),
        })
    }

    /// On PostgreSQL, listens for other servers' changes and stored snapshots (see
    /// [`listen`]); elsewhere, nothing (the poll finds them).
    pub fn follow_others(self: &Arc<Self>) {
        if self.store.notifies() {
            let task = tokio::spawn(listen::follow(self.clone(), self.store.url()));
            self.tasks
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(task);
        }
    }

    /// The key snapshots are signed with.
    pub fn key(&self) -> &SigningKey {
        &self.key
    }

    /// For every organization in the database: loads its latest published snapshot into
    /// memory and starts its task (which publishes the current revision if it is newer).
    pub async fn resume(self: &Arc<Self>) -> Result<(), PublisherError> {
        for org in self.store.organizations().await? {
            let channel = self.channel(&org);
            if let Some(stored) = self.store.latest_snapshot(&org).await? {
                let published = self.published_from(&org, stored, true).await?;
                self.serve(&channel, Arc::new(published));
            }
            self.notify(&org, 0);
        }
        Ok(())
    }

    /// Tells every task (and every watch) to stop; [`finished`](Self::finished) waits for them.
    pub fn shutdown(&self) {
        self.stop.send_replace(true);
    }

    /// Waits until every task has stopped (after [`shutdown`](Self::shutdown)): a publish in
    /// flight completes. Then gives up this server's publish leases, so another server takes
    /// over at once.
    pub async fn finished(&self) {
        let tasks = std::mem::take(&mut *self.tasks.lock().unwrap_or_else(|p| p.into_inner()));
        for task in tasks {
            let _ = task.await;
        }
        if let Err(e) = self.store.release_leases(&self.id).await {
            eprintln!("rolegate-server: releasing publish leases failed: {e}");
        }
    }

    /// Resolves once [`shutdown`](Self::shutdown) is called, so that watches end with the
    /// server instead of holding its graceful shutdown for their whole wait.
    pub async fn stopped(&self) {
        let mut stop = self.stop.subscribe();
        let _ = stop.wait_for(|stopped| *stopped).await;
    }

    /// Says that `org` committed `revision`: its task will publish it (or a later one).
    pub fn notify(self: &Arc<Self>, org: &str, revision: u64) {
        let channel = self.channel(org);
        // The same revision again still wakes the task: another server may just have
        // stored the snapshot this one waits for.
        channel.committed.send_if_modified(|target| {
            if revision >= *target {
                *target = revision;
                true
            } else {
                false
            }
        });
    }

    /// The latest published snapshot of `org`.
    pub fn latest(&self, org: &str) -> Option<Arc<Published>> {
        let channels = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        channels.get(org).and_then(|c| c.published.borrow().clone())
    }

    /// A receiver that changes whenever `org` publishes.
    pub fn subscribe(self: &Arc<Self>, org: &str) -> watch::Receiver<Option<Arc<Published>>> {
        self.channel(org).published.subscribe()
    }

    fn channel(self: &Arc<Self>, org: &str) -> Arc<Channel> {
        let mut channels = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = channels.get(org) {
            return c.clone();
        }
        let channel = Arc::new(Channel {
            committed: watch::Sender::new(0),
            published: watch::Sender::new(None),
            written: std::sync::atomic::AtomicU64::new(0),
            history: Mutex::new(VecDeque::new()),
            mirror: tokio::sync::Mutex::new(None),
            settle: watch::Sender::new(None),
        });
        channels.insert(org.to_string(), channel.clone());
        let task = tokio::spawn(self.clone().run(org.to_string(), channel.clone()));
        self.tasks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(task);
        channel
    }

    async fn run(self: Arc<Self>, org: String, channel: Arc<Channel>) {
        let mut committed = channel.committed.subscribe();
        let mut stop = self.stop.subscribe();
        let (closing, closed) = watch::channel(false);
        let settler = tokio::spawn(self.clone().settling(org.clone(), channel.clone(), closed));
        let mut failures = 0u32;
        loop {
            if *stop.borrow() {
                // After the last publish, so that it is stored before the database closes.
                closing.send_replace(true);
                let _ = settler.await;
                return;
            }
            committed.mark_unchanged();
            let mut following = false;
            match self.publish(&org, &channel).await {
                Ok(Outcome::Done) => failures = 0,
                Ok(Outcome::Following) => {
                    failures = 0;
                    following = true;
                }
                Err(e) => {
                    failures = failures.saturating_add(1);
                    eprintln!("rolegate-server: publishing `{org}` failed: {e}");
                }
            }
            let pause = if failures > 0 {
                Duration::from_millis(200u64.saturating_mul(u64::from(failures.min(10))))
            } else if following {
                FOLLOW
            } else {
                POLL
            };
            tokio::select! {
                _ = committed.changed() => {}
                _ = stop.changed() => {}
                () = tokio::time::sleep(pause) => {}
            }
        }
    }

    /// Publishes the organization's current revision if it is newer than the published one.
    async fn publish(&self, org: &str, channel: &Channel) -> Result<Outcome, PublisherError> {
        let published = channel
            .published
            .borrow()
            .as_ref()
            .map_or(0, |p| p.revision);
        // Cheap check first: most polls find nothing new.
        let revision = match self.store.revision(org).await? {
            Some(r) if r > published => r,
            _ => {
                // A publish directory that could not be written is tried again.
                self.settle_served(channel);
                return Ok(Outcome::Done);
            }
        };
        if let Some(stored) = self.store.snapshot_at(org, revision).await? {
            // Another server (or an earlier run of this one) published it: serve its bytes.
            let published = Arc::new(self.published_from(org, stored, false).await?);
            self.serve(channel, published);
            self.settle_served(channel);
            return Ok(Outcome::Done);
        }
        // One server compiles each revision; the others serve what it stores.
        if !self
            .store
            .try_lease(org, &self.id, crate::clock::now(), LEASE_SECS)
            .await?
        {
            return Ok(Outcome::Following);
        }
        let (revision, issued_at, bytes) = self.compile(org, channel).await?;
        let bytes = Bytes::from(bytes);
        let bases: Vec<Arc<Published>> = channel
            .history
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .rev()
            .cloned()
            .collect();
        // What the watchers need first: the snapshot and the delta from the revision they
        // hold. Served before anything is stored, so a write reaches them in the time of a
        // compile and a diff.
        let mut deltas = BTreeMap::new();
        let mut bases = bases.into_iter();
        if let Some(base) = bases.next() {
            let delta = diff(&base.bytes, &bytes).await?;
            deltas.insert(base.revision, delta);
        }
        let mut published = Published::new(revision, bytes, deltas);
        self.serve(channel, Arc::new(published.clone()));
        // Then the older bases, for clients further behind, added to what is served.
        for base in bases {
            let delta = diff(&base.bytes, &published.bytes).await?;
            published.deltas.insert(base.revision, delta);
        }
        let published = Arc::new(published);
        self.serve(channel, published.clone());
        // Then stored and written, while the next revision compiles.
        channel.settle.send_replace(Some(Settle {
            published,
            store: Some(issued_at),
        }));
        Ok(Outcome::Done)
    }

    /// Compiles the organization at the database's revision: (revision, issued at, signed
    /// bytes). From the publisher's own copy of the live policy, caught up by replaying the
    /// changes committed since (microseconds each) — not from a copy of the writers' policy
    /// taken under their lock, which at L took 118 ms of every publish, with writers
    /// waiting. The copy is made once, from the writers' policy (or loaded if there is none),
    /// and keeps its last compile, which it patches when only users' records changed.
    async fn compile(
        &self,
        org: &str,
        channel: &Channel,
    ) -> Result<(u64, u64, Vec<u8>), PublisherError> {
        let mut mirror = channel.mirror.lock().await;
        if mirror.is_none() {
            *mirror = self.store.live_copy(org).await;
        }
        let revision = self.store.caught_up(org, &mut mirror).await?.revision();
        let mut live = mirror
            .take()
            .ok_or_else(|| PublisherError::Task("the live policy went missing".into()))?;
        let key = self.key.clone();
        let issued_at = crate::clock::now();
        // A compile that panics loses the copy: the next one starts from a new copy.
        let (live, bytes) = blocking(move || {
            let bytes = engine::compile_live(&mut live, issued_at, &key);
            (live, bytes)
        })
        .await?;
        *mirror = Some(live);
        Ok((revision, issued_at, bytes?))
    }

    /// Asks the settling task to write what is served to the publish directory, if it has
    /// not been (a directory that was unwritable), unless it has something newer to do.
    fn settle_served(&self, channel: &Channel) {
        use std::sync::atomic::Ordering;
        let Some(published) = channel.published.borrow().clone() else {
            return;
        };
        if self.dir.is_none() || channel.written.load(Ordering::Acquire) >= published.revision {
            return;
        }
        channel.settle.send_if_modified(|next| {
            if next.is_none() {
                *next = Some(Settle {
                    published,
                    store: None,
                });
            }
            true
        });
    }

    /// The settling task of an organization: stores each published revision, its deltas and
    /// its decode, and writes the publish directory; a failure is tried again (unless a newer
    /// revision replaced it meanwhile). Rests as long as each store took before the next, so
    /// that it keeps the database busy half the time at most. Ends when `closing` is set,
    /// after what was pending.
    async fn settling(
        self: Arc<Self>,
        org: String,
        channel: Arc<Channel>,
        mut closing: watch::Receiver<bool>,
    ) {
        let mut pending = channel.settle.subscribe();
        let mut failures = 0u32;
        loop {
            pending.mark_unchanged();
            let mut taken = None;
            channel.settle.send_if_modified(|next| {
                taken = next.take();
                false
            });
            let mut rest = Duration::ZERO;
            if let Some(settle) = taken {
                let started = std::time::Instant::now();
                match self.settle(&org, &channel, &settle).await {
                    Ok(()) => {
                        failures = 0;
                        if settle.store.is_some() {
                            rest = started.elapsed();
                        }
                    }
                    Err(e) => {
                        failures = failures.saturating_add(1);
                        eprintln!("rolegate-server: storing what `{org}` published failed: {e}");
                        channel.settle.send_if_modified(|next| {
                            next.get_or_insert(settle);
                            false
                        });
                    }
                }
            }
            if *closing.borrow() && (failures > 0 || channel.settle.borrow().is_none()) {
                return;
            }
            if !rest.is_zero() {
                // As long again before the next store: under a burst of writes, storing each
                // newest snapshot back to back would keep the database busy writing them (27 MB
                // each at L) and slow the writers down. What is published meanwhile is served
                // from memory; the newest of it is stored next.
                tokio::select! {
                    () = tokio::time::sleep(rest) => {}
                    _ = closing.changed() => {}
                }
                continue;
            }
            let pause = Duration::from_millis(200u64.saturating_mul(u64::from(failures.min(10))));
            tokio::select! {
                _ = pending.changed(), if failures == 0 => {}
                _ = closing.changed() => {}
                () = tokio::time::sleep(pause), if failures > 0 => {}
            }
        }
    }

    /// Stores a published revision (unless it came from the database), offers its decode to
    /// readers, and writes the publish directory.
    async fn settle(
        &self,
        org: &str,
        channel: &Channel,
        settle: &Settle,
    ) -> Result<(), PublisherError> {
        let published = &settle.published;
        if let Some(issued_at) = settle.store {
            let revision = published.revision;
            // For restarts and the other servers, who are told it is there.
            self.store
                .put_snapshot(org, revision, issued_at, &self.key.id, &published.bytes)
                .await?;
            for (base, (delta, _)) in &published.deltas {
                self.store.put_delta(org, *base, revision, delta).await?;
            }
            self.store.notify(org, revision).await?;
            // Readers of this revision answer from its decode instead of compiling their own.
            if self.store.wants_snapshot(org, revision) {
                let decoded = {
                    let published = published.clone();
                    blocking(move || published.snapshot()).await?
                };
                if let Ok(snapshot) = decoded {
                    self.store.offer_snapshot(org, revision, &snapshot);
                }
            }
        }
        self.write_dir(org, channel).await
    }

    /// Writes the published snapshot and its deltas to the publish directory, if there is one
    /// and it does not hold them yet.
    async fn write_dir(&self, org: &str, channel: &Channel) -> Result<(), PublisherError> {
        use std::sync::atomic::Ordering;
        let (Some(dir), Some(published)) = (self.dir.clone(), channel.published.borrow().clone())
        else {
            return Ok(());
        };
        if channel.written.load(Ordering::Acquire) >= published.revision {
            return Ok(());
        }
        let name = org.to_string();
        let revision = published.revision;
        blocking(move || {
            let refs: Vec<(u64, &[u8])> = published
                .deltas
                .iter()
                .map(|(base, (d, _))| (*base, d.as_ref()))
                .collect();
            dir::publish(&dir, &name, &published.bytes, &refs)
        })
        .await??;
        channel.written.store(revision, Ordering::Release);
        Ok(())
    }

    /// Makes `published` the one served, and remembers it as a base of the next deltas.
    fn serve(&self, channel: &Channel, published: Arc<Published>) {
        let mut history = channel.history.lock().unwrap_or_else(|p| p.into_inner());
        if history
            .back()
            .is_some_and(|last| last.revision == published.revision)
        {
            history.pop_back();
        }
        history.push_back(published.clone());
        while history.len() > DELTA_BASES as usize {
            history.pop_front();
        }
        drop(history);
        channel.published.send_replace(Some(published));
    }

    /// A stored snapshot as served, with the stored deltas to it; with `check`, decoded
    /// first, so that a server starting up never serves stored bytes that do not decode (a
    /// server following another serves them at once: its clients verify them anyway).
    async fn published_from(
        &self,
        org: &str,
        stored: StoredSnapshot,
        check: bool,
    ) -> Result<Published, PublisherError> {
        let deltas = self
            .store
            .deltas_to(org, stored.revision)
            .await?
            .into_iter()
            .filter_map(|d| {
                let base = d.base?;
                Some((base, (Bytes::from(d.bytes), quoted(&d.sha256))))
            })
            .collect();
        let published = Published::new(stored.revision, Bytes::from(stored.bytes), deltas);
        if check {
            let checked = published.clone();
            let revision = published.revision;
            blocking(move || checked.snapshot())
                .await?
                .map_err(|code| PublisherError::Stored { revision, code })?;
        }
        Ok(published)
    }
}

/// The delta that rebuilds `new` from `base`, with its ETag.
async fn diff(base: &Bytes, new: &Bytes) -> Result<(Bytes, String), PublisherError> {
    let (base, new) = (base.clone(), new.clone());
    let delta = blocking(move || engine::diff(&base, &new))
        .await?
        .map_err(PublishError::from)?;
    let etag = quoted(&crate::clock::sha256_hex(&delta));
    Ok((Bytes::from(delta), etag))
}

/// Runs CPU-bound work (compiling, signing, diffing, decoding, file writes) off the async
/// workers.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, PublisherError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| PublisherError::Task(e.to_string()))
}
