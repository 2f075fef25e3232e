//! The compiled guest: one per process, shared by every authorizer.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use wasmtime::{
    Cache, CacheConfig, InstanceAllocationStrategy, InstancePre, Linker, Module, ModuleExport,
    PoolingAllocationConfig,
};

use crate::error::{Cause, HostError};
use crate::instance::{GuestInstance, StoreState};
use crate::limits::Limits;

/// Bytes at the start of each pooled memory slot kept mapped between instances (the guest's
/// stack and its first heap pages), so a new instance starts without page faults there; the
/// rest is returned to the kernel.
const KEEP_RESIDENT: usize = 64 << 10;

/// The guest this crate was built with: `rolegate-wasm` with feature `abi` (for tools and
/// fuzzers that drive its ABI directly).
pub const EMBEDDED_GUEST: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/rolegate_guest.wasm"));

/// How to build an [`Engine`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineConfig {
    /// Where compiled guests are cached, keyed by wasmtime's version, its settings and the
    /// guest's hash, so later starts skip compilation. Default: `$XDG_CACHE_HOME/rolegate`,
    /// else `$HOME/.cache/rolegate`; `None` compiles every time.
    pub cache_dir: Option<PathBuf>,
    /// Limits on every guest call. Default [`Limits::default`].
    pub limits: Limits,
    /// Most guest instances alive at once across every authorizer of this engine, idle ones
    /// included (an authorizer keeps up to 256 idle per snapshot). Instances come from a pool
    /// of this many slots reserved when the engine is built — address space only, about
    /// 4 GiB each, no memory — so making one takes microseconds rather than a fresh mapping;
    /// past it, making one fails (and the call denies). Default 1,000.
    pub max_instances: u32,
}

impl Default for EngineConfig {
    fn default() -> Self {
        let cache_dir = std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
            .map(|base| base.join("rolegate"));
        EngineConfig {
            cache_dir,
            limits: Limits::default(),
            max_instances: 1_000,
        }
    }
}

/// The guest module, compiled and linked, ready to instantiate.
///
/// Build one per process and share it: it is `Send + Sync` and cloning is an `Arc` bump.
/// It lives as long as any clone or any [`Authorizer`](crate::Authorizer) made from it.
#[derive(Clone)]
pub struct Engine {
    pub(crate) inner: Arc<EngineInner>,
}

pub(crate) struct EngineInner {
    pub(crate) engine: wasmtime::Engine,
    pub(crate) pre: InstancePre<StoreState>,
    pub(crate) limits: Limits,
    /// The guest's exports, found by name once: an instance looks them up by index.
    pub(crate) exports: ExportIndexes,
}

/// Where each export the host calls sits in the guest module.
pub(crate) struct ExportIndexes {
    pub(crate) memory: ModuleExport,
    pub(crate) alloc: ModuleExport,
    pub(crate) free: ModuleExport,
    pub(crate) load: ModuleExport,
    pub(crate) trust: ModuleExport,
    pub(crate) apply_delta: ModuleExport,
    pub(crate) query: ModuleExport,
    pub(crate) index: ModuleExport,
    pub(crate) can_at: ModuleExport,
    pub(crate) decide_at: ModuleExport,
    pub(crate) grant: ModuleExport,
    pub(crate) check_batch_at: ModuleExport,
}

impl ExportIndexes {
    fn of(module: &Module) -> Result<ExportIndexes, HostError> {
        let find = |name: &'static str| {
            module
                .get_export_index(name)
                .ok_or(HostError::MissingExport(name))
        };
        Ok(ExportIndexes {
            memory: find("memory")?,
            alloc: find("rolegate_alloc")?,
            free: find("rolegate_free")?,
            load: find("rolegate_load")?,
            trust: find("rolegate_trust")?,
            apply_delta: find("rolegate_apply_delta")?,
            query: find("rolegate_query")?,
            index: find("rolegate_index")?,
            can_at: find("rolegate_can_at")?,
            decide_at: find("rolegate_decide_at")?,
            grant: find("rolegate_grant")?,
            check_batch_at: find("rolegate_check_batch_at")?,
        })
    }
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("limits", &self.inner.limits)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// The engine for the guest built into this crate.
    pub fn new(config: EngineConfig) -> Result<Engine, HostError> {
        Engine::from_bytes(EMBEDDED_GUEST, config)
    }

    /// The engine for another guest, read from a `.wasm` (or `.wat`) file.
    pub fn from_file(path: impl AsRef<Path>, config: EngineConfig) -> Result<Engine, HostError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| HostError::Read {
            path: path.to_owned(),
            source,
        })?;
        Engine::from_bytes(&bytes, config)
    }

    /// The engine for a guest given as bytes (WebAssembly binary or text).
    pub fn from_bytes(guest: &[u8], config: EngineConfig) -> Result<Engine, HostError> {
        let mut wasm = wasmtime::Config::new();
        wasm.consume_fuel(true);
        // Instances from a pool of slots mapped once: instantiating is a few microseconds
        // (the module's data copy-on-write from its image, the kept-resident prefix reset in
        // place) instead of a fresh mapping and its page faults. Each slot holds at most the
        // memory cap, which the limiter enforces first (so a guest past it is reported as such).
        let mut pool = PoolingAllocationConfig::new();
        pool.total_core_instances(config.max_instances)
            .total_memories(config.max_instances)
            .total_tables(config.max_instances)
            .max_memory_size(config.limits.memory_bytes)
            .linear_memory_keep_resident(KEEP_RESIDENT.min(config.limits.memory_bytes));
        wasm.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        if let Some(dir) = &config.cache_dir {
            let failed = |source: Cause| HostError::Cache {
                path: dir.clone(),
                source,
            };
            std::fs::create_dir_all(dir).map_err(|e| failed(e.into()))?;
            let mut cache = CacheConfig::new();
            cache.with_directory(dir);
            let cache = Cache::new(cache).map_err(|e| failed(e.into()))?;
            wasm.cache(Some(cache));
        }
        let engine = wasmtime::Engine::new(&wasm).map_err(|e| HostError::Compile(e.into()))?;
        let module = Module::new(&engine, guest).map_err(|e| HostError::Compile(e.into()))?;
        // The guest may import nothing: it is a pure function of its inputs.
        let linker: Linker<StoreState> = Linker::new(&engine);
        let pre = linker
            .instantiate_pre(&module)
            .map_err(|e| HostError::Instantiate(e.into()))?;
        // The version first: a guest of another ABI is refused as such, whatever it exports.
        crate::instance::check_abi(&engine, &pre, &module, &config.limits)?;
        let exports = ExportIndexes::of(&module)?;
        let engine = Engine {
            inner: Arc::new(EngineInner {
                engine,
                pre,
                limits: config.limits,
                exports,
            }),
        };
        // Prove the exports have the ABI's signatures before anyone relies on them: every
        // later instance is of this same module.
        GuestInstance::new(&engine.inner)?;
        Ok(engine)
    }

    /// The limits every call runs under.
    pub fn limits(&self) -> Limits {
        self.inner.limits
    }

    /// Creates a guest instance and drops it: a health check, and what the instantiation
    /// benchmark measures.
    pub fn instantiate(&self) -> Result<(), HostError> {
        GuestInstance::new(&self.inner).map(drop)
    }
}
