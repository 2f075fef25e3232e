//! The compiled guest: one per process, shared by every authorizer.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use wasmtime::{Cache, CacheConfig, InstancePre, Linker, Module};

use crate::error::{Cause, HostError};
use crate::instance::{GuestInstance, StoreState};
use crate::limits::Limits;

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
        let engine = Engine {
            inner: Arc::new(EngineInner {
                engine,
                pre,
                limits: config.limits,
            }),
        };
        // Prove the guest speaks our ABI (an instance checks the version first) before anyone
        // relies on it.
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
