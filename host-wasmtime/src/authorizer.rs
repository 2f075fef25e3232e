//! The host's authorizer: a snapshot served by a pool of guest instances, swapped atomically.

use std::sync::Arc;

use crossbeam_queue::ArrayQueue;

use arc_swap::ArcSwap;
use rolegate_core::ffi::{Answer, Query};
use rolegate_core::{Request, ResourceRef, Trust};

use crate::answers::{Decision, Explanation, Holder, Scope, SnapshotInfo};
use crate::engine::Engine;
use crate::error::HostError;
use crate::instance::{GuestInstance, Image};

/// Idle instances kept per snapshot: enough for a busy server's threads; more are created
/// on demand and dropped when the pool is full.
const MAX_IDLE: usize = 256;

/// One snapshot and the instances that have it loaded. Calls hold an `Arc` to the generation
/// they started on, so a swap never changes the snapshot under a call.
struct Generation {
    bytes: Arc<[u8]>,
    info: SnapshotInfo,
    /// The first instance's state right after loading: later instances start from a copy of
    /// it (pre-initialised) instead of decoding the snapshot again. Costs one more copy of the
    /// guest's memory while the snapshot is served.
    image: Image,
    /// Idle instances, boxed so taking and returning one moves a pointer, not a whole store.
    /// A lock-free queue: borrowing an instance costs no lock on the check path.
    idle: ArrayQueue<Box<GuestInstance>>,
}

impl Generation {
    /// Loads `bytes` into a fresh instance — the guest decodes and validates them, so the
    /// host never parses a snapshot itself — and starts a generation with it.
    fn load(
        engine: &Engine,
        bytes: Arc<[u8]>,
        trust: &Trust,
        now: u64,
    ) -> Result<Generation, HostError> {
        let mut instance = GuestInstance::new(&engine.inner)?;
        let info = instance.load(&bytes, trust, now)?;
        let image = instance.image();
        let idle = ArrayQueue::new(MAX_IDLE);
        let _ = idle.push(Box::new(instance));
        Ok(Generation {
            bytes,
            info,
            image,
            idle,
        })
    }

    fn take(&self, engine: &Engine) -> Result<Box<GuestInstance>, HostError> {
        match self.idle.pop() {
            Some(instance) => Ok(instance),
            // Accepted when the generation was made: a later instance starts as the first
            // did right after its load, with no re-check or re-decode.
            None => GuestInstance::from_image(&engine.inner, &self.image).map(Box::new),
        }
    }

    /// Keeps an instance for the next call; past `MAX_IDLE` idle ones, lets it go.
    fn give_back(&self, instance: Box<GuestInstance>) {
        let _ = self.idle.push(instance);
    }
}

/// A snapshot loaded into a guest and checked, not yet served.
pub struct Prepared(Generation);

impl Prepared {
    /// Loads a snapshot for an authorizer that does not exist yet, checked against `trust`
    /// at `now` (seconds since the Unix epoch).
    pub fn standalone(
        engine: &Engine,
        snapshot: &[u8],
        trust: &Trust,
        now: u64,
    ) -> Result<Prepared, HostError> {
        Generation::load(engine, Arc::from(snapshot), trust, now).map(Prepared)
    }

    /// Its organization and revision, as the guest read them.
    pub fn info(&self) -> &SnapshotInfo {
        &self.0.info
    }

    /// Its bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.0.bytes
    }
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Prepared").field(&self.0.info).finish()
    }
}

struct Shared {
    engine: Engine,
    trust: Trust,
    current: ArcSwap<Generation>,
}

/// Seconds since the Unix epoch, by this machine's clock.
pub(crate) fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Answers permission questions from a snapshot through pooled, sandboxed guest instances.
///
/// `Send + Sync`; cloning is an `Arc` bump and clones share the snapshot and the pool. Any
/// number of threads may call at once: each call borrows an idle instance (or instantiates
/// one) of the current snapshot. [`replace`](Self::replace) swaps in a new snapshot
/// atomically — calls in flight finish on the old one. Every error means deny; an instance
/// that trapped, ran out of fuel or memory, or answered garbage is discarded and replaced.
#[derive(Clone)]
pub struct Authorizer {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Authorizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authorizer")
            .field("snapshot", &self.info())
            .finish_non_exhaustive()
    }
}

impl Authorizer {
    /// An authorizer serving `snapshot` (validated by loading it into a guest) that trusts
    /// any well-formed snapshot, signed or not — [`Trust::unsigned`]: for tests, demos and
    /// snapshots that never left this process. Enforcement wants
    /// [`with_trust`](Self::with_trust) and keys.
    pub fn unsigned(engine: &Engine, snapshot: &[u8]) -> Result<Authorizer, HostError> {
        Authorizer::with_trust(engine, snapshot, Trust::unsigned(), now())
    }

    /// An authorizer serving `snapshot` if `trust` accepts it at `now` (seconds since the
    /// Unix epoch) — checked inside the guest — and checking every later snapshot
    /// ([`prepare`](Self::prepare), [`replace`](Self::replace)) against `trust` too.
    pub fn with_trust(
        engine: &Engine,
        snapshot: &[u8],
        trust: Trust,
        now: u64,
    ) -> Result<Authorizer, HostError> {
        let prepared = Prepared::standalone(engine, snapshot, &trust, now)?;
        Ok(Authorizer::from_prepared(engine, prepared, trust))
    }

    /// An authorizer serving a prepared snapshot, checking later ones against `trust`.
    pub fn from_prepared(engine: &Engine, prepared: Prepared, trust: Trust) -> Authorizer {
        Authorizer {
            shared: Arc::new(Shared {
                engine: engine.clone(),
                trust,
                current: ArcSwap::from_pointee(prepared.0),
            }),
        }
    }

    /// The trust settings later snapshots are checked against.
    pub fn trust(&self) -> &Trust {
        &self.shared.trust
    }

    /// Swaps in a new snapshot once a guest has loaded it; on error the current snapshot keeps
    /// serving. No revision policy here: [`Syncer`](crate::Syncer) refuses older revisions.
    pub fn replace(&self, snapshot: &[u8]) -> Result<SnapshotInfo, HostError> {
        let prepared = self.prepare(snapshot)?;
        let info = prepared.info().clone();
        self.commit(prepared);
        Ok(info)
    }

    /// Loads a snapshot into a guest without serving it yet, checked against this
    /// authorizer's trust now: look at its [`info`](Prepared::info), then
    /// [`commit`](Self::commit) it or drop it.
    pub fn prepare(&self, snapshot: &[u8]) -> Result<Prepared, HostError> {
        self.prepare_with(snapshot, &self.shared.trust, now())
    }

    /// [`prepare`](Self::prepare) with other trust settings or another time (a syncer adds
    /// the served organization and revision as the minimum).
    pub fn prepare_with(
        &self,
        snapshot: &[u8],
        trust: &Trust,
        now: u64,
    ) -> Result<Prepared, HostError> {
        Generation::load(&self.shared.engine, Arc::from(snapshot), trust, now).map(Prepared)
    }

    /// The snapshot a delta rebuilds from the current one, rebuilt inside a throwaway guest
    /// instance — never one that serves checks, so a hostile delta cannot leave a serving
    /// instance grown or slowed — once the envelope the delta carries passes this
    /// authorizer's trust now (and its size is bounded). Not yet served:
    /// [`prepare`](Self::prepare) it.
    pub fn apply_delta(&self, delta: &[u8]) -> Result<Vec<u8>, HostError> {
        self.apply_delta_with(delta, &self.shared.trust, now())
    }

    /// [`apply_delta`](Self::apply_delta) checked against other trust settings or at another
    /// time (a syncer pins the served organization and revision).
    pub fn apply_delta_with(
        &self,
        delta: &[u8],
        trust: &Trust,
        now: u64,
    ) -> Result<Vec<u8>, HostError> {
        let bytes = self.shared.current.load().bytes.clone();
        GuestInstance::new(&self.shared.engine.inner)?.apply_delta(&bytes, delta, trust, now)
    }

    /// Serves a prepared snapshot from now on; calls in flight finish on the old one.
    pub fn commit(&self, prepared: Prepared) {
        self.shared.current.store(Arc::new(prepared.0));
    }

    /// The current snapshot's organization and revision.
    pub fn info(&self) -> SnapshotInfo {
        self.shared.current.load().info.clone()
    }

    /// The current snapshot's revision.
    pub fn revision(&self) -> u64 {
        self.shared.current.load().info.revision
    }

    /// The current snapshot's bytes (what a syncer persists).
    pub fn snapshot_bytes(&self) -> Arc<[u8]> {
        self.shared.current.load().bytes.clone()
    }

    /// Runs `f` on an instance of the current snapshot; keeps the instance unless `f` showed
    /// it untrustworthy.
    fn with_instance<T>(
        &self,
        f: impl FnOnce(&mut GuestInstance) -> Result<T, HostError>,
    ) -> Result<T, HostError> {
        // A guard, not a clone: no reference-count traffic on the shared snapshot per call.
        let generation = self.shared.current.load();
        let mut instance = generation.take(&self.shared.engine)?;
        let result = f(&mut instance);
        match &result {
            Err(e) if e.poisons_instance() => drop(instance),
            _ => generation.give_back(instance),
        }
        result
    }

    /// Allow (`true`) or Deny (`false`).
    pub fn can(&self, request: &Request<'_>) -> Result<bool, HostError> {
        self.with_instance(|g| g.can(request))
    }

    /// The decision with its reason.
    pub fn check(&self, request: &Request<'_>) -> Result<Decision, HostError> {
        self.with_instance(|g| g.check(request))
    }

    /// Allow or Deny for each request, in one guest call.
    pub fn check_batch(&self, requests: &[Request<'_>]) -> Result<Vec<bool>, HostError> {
        self.with_instance(|g| g.check_batch(requests))
    }

    /// The decision, every granting assignment, and what would grant it.
    pub fn explain(&self, request: &Request<'_>) -> Result<Explanation, HostError> {
        let query = Query::Explain(*request);
        self.with_instance(|g| {
            g.query(&query, |a| match a {
                Answer::Explanation(e) => Some(e.into()),
                _ => None,
            })
        })
    }

    /// The user's effective permissions at `scope`.
    pub fn permissions(
        &self,
        user: &str,
        scope: &str,
        resource: Option<ResourceRef<'_>>,
    ) -> Result<Vec<String>, HostError> {
        let query = Query::Permissions {
            user,
            scope,
            resource,
        };
        self.with_instance(|g| {
            g.query(&query, |a| match a {
                Answer::Permissions(p) => Some(p.into_iter().map(str::to_owned).collect()),
                _ => None,
            })
        })
    }

    /// Every user who may do `permission` at `scope`.
    pub fn who_can(
        &self,
        permission: &str,
        scope: &str,
        resource: Option<ResourceRef<'_>>,
    ) -> Result<Vec<Holder>, HostError> {
        let query = Query::WhoCan {
            permission,
            scope,
            resource,
        };
        self.with_instance(|g| {
            g.query(&query, |a| match a {
                Answer::Holders(h) => Some(h.into_iter().map(Into::into).collect()),
                _ => None,
            })
        })
    }

    /// Every scope where the user has `permission`.
    pub fn scopes_with(
        &self,
        user: &str,
        permission: &str,
        resource: Option<ResourceRef<'_>>,
    ) -> Result<Vec<Scope>, HostError> {
        let query = Query::ScopesWith {
            user,
            permission,
            resource,
        };
        self.with_instance(|g| {
            g.query(&query, |a| match a {
                Answer::Scopes(s) => Some(s.into_iter().map(Into::into).collect()),
                _ => None,
            })
        })
    }
}
