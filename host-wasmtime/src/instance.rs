//! One guest instance: a wasmtime store with the guest in it, its exports, and a scratch
//! buffer in its memory for requests. Every call is metered with fuel and every answer
//! checked: nothing the guest returns is trusted.

use rolegate_core::ffi::{self, Answer, Code, NameKind, Query, UNKNOWN};
use rolegate_core::limits::{MAX_ID_LEN, MAX_PERMISSION_LEN};
use rolegate_core::{Reason as CoreReason, Request, Trust};
use serde::Serialize;
use wasmtime::{
    InstancePre, Memory, Module, ModuleExport, ResourceLimiter, Store, Trap, TypedFunc, WasmParams,
    WasmResults,
};

use crate::answers::{Decision, Grant, Reason, SnapshotInfo};
use crate::engine::EngineInner;
use crate::error::HostError;
use crate::limits::Limits;

/// A store's data: the memory cap, and whether the guest hit it.
pub(crate) struct StoreState {
    memory_cap: usize,
    memory_exceeded: bool,
}

impl ResourceLimiter for StoreState {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.memory_cap {
            self.memory_exceeded = true;
            // Trap rather than fail the grow: a guest that cannot allocate would abort anyway.
            return Err(wasmtime::format_err!(
                "memory cap of {} bytes reached",
                self.memory_cap
            ));
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 1 << 16)
    }
}

/// The guest's exports, resolved once per instance.
struct Exports {
    alloc: TypedFunc<i32, i32>,
    free: TypedFunc<(i32, i32), i32>,
    load: TypedFunc<(i32, i32, i64), i32>,
    trust: TypedFunc<(i32, i32), i32>,
    apply_delta: TypedFunc<(i32, i32, i32, i32, i64), i64>,
    query: TypedFunc<(i32, i32), i64>,
    index: TypedFunc<(i32, i32, i32), i64>,
    can_at: TypedFunc<(i32, i32, i32, i32), i32>,
    decide_at: TypedFunc<(i32, i32, i32, i32), i64>,
    grant: TypedFunc<i32, i64>,
    check_batch_at: TypedFunc<(i32, i32), i64>,
}

type Map<V> = std::collections::HashMap<String, V, foldhash::fast::RandomState>;

/// Names this instance's guest has resolved to indexes. A guest instance serves one snapshot
/// for its whole life, so an index never goes stale. The caches are bounded by the bytes they
/// hold and start over past the bound, so callers passing endless distinct names cannot grow
/// them; names longer than any id or permission can be never reach them (or the guest).
#[derive(Default)]
struct Names {
    users: Map<u32>,
    permissions: Map<u32>,
    scopes: Map<u32>,
    resources: Map<Map<u32>>,
    /// What each assignment index the guest reported names.
    grants: std::collections::HashMap<u32, Grant, foldhash::fast::RandomState>,
    /// Bytes of names held, roughly (key bytes plus a per-entry overhead).
    bytes: usize,
}

/// Bytes of names one instance remembers before its caches start over.
const NAMES_BYTES: usize = 4 << 20;
/// What one cache entry costs besides its key, roughly.
const ENTRY_BYTES: usize = 48;

impl Names {
    /// Makes room for an entry of `len` key bytes.
    fn reserve(&mut self, len: usize) {
        self.bytes = self.bytes.saturating_add(len + ENTRY_BYTES);
        if self.bytes > NAMES_BYTES {
            *self = Names::default();
            self.bytes = len + ENTRY_BYTES;
        }
    }

    fn map(&mut self, kind: NameKind) -> &mut Map<u32> {
        match kind {
            NameKind::User => &mut self.users,
            NameKind::Permission => &mut self.permissions,
            NameKind::Scope | NameKind::Resource => &mut self.scopes,
        }
    }
}

pub(crate) struct GuestInstance {
    store: Store<StoreState>,
    memory: Memory,
    exports: Exports,
    /// A buffer the guest allocated for requests: (address, capacity).
    scratch: (i32, usize),
    limits: Limits,
    names: Names,
    /// The revision of the loaded snapshot (0 before `load`).
    revision: u64,
}

const INITIAL_SCRATCH: usize = 4096;
/// A WebAssembly page.
const WASM_PAGE: usize = 64 << 10;

/// Calls a guest export with `fuel`, turning traps and overruns into errors. A free function
/// so callers can borrow the store and an export (two fields of one instance) at once.
fn invoke<P: WasmParams, R: WasmResults>(
    store: &mut Store<StoreState>,
    f: &TypedFunc<P, R>,
    params: P,
    fuel: u64,
) -> Result<R, HostError> {
    store
        .set_fuel(fuel)
        .map_err(|e| HostError::Trap(e.into()))?;
    f.call(&mut *store, params).map_err(|e| {
        if store.data().memory_exceeded {
            HostError::MemoryLimit {
                bytes: store.data().memory_cap,
            }
        } else if matches!(e.downcast_ref::<Trap>(), Some(Trap::OutOfFuel)) {
            HostError::OutOfFuel { fuel }
        } else {
            HostError::Trap(e.into())
        }
    })
}

fn export<P: WasmParams, R: WasmResults>(
    store: &mut Store<StoreState>,
    instance: &wasmtime::Instance,
    index: &ModuleExport,
    name: &'static str,
) -> Result<TypedFunc<P, R>, HostError> {
    instance
        .get_module_export(&mut *store, index)
        .and_then(wasmtime::Extern::into_func)
        .and_then(|f| f.typed::<P, R>(&*store).ok())
        .ok_or(HostError::MissingExport(name))
}

/// A store for one instance: its memory cap, and fuel for its first call.
fn store(engine: &wasmtime::Engine, limits: &Limits) -> Result<Store<StoreState>, HostError> {
    let mut store = Store::new(
        engine,
        StoreState {
            memory_cap: limits.memory_bytes,
            memory_exceeded: false,
        },
    );
    store.limiter(|state| state);
    store
        .set_fuel(limits.fuel_per_call)
        .map_err(|e| HostError::Instantiate(e.into()))?;
    Ok(store)
}

/// Checks that the guest speaks this host's ABI: its version, asked before anything else.
pub(crate) fn check_abi(
    engine: &wasmtime::Engine,
    pre: &InstancePre<StoreState>,
    module: &Module,
    limits: &Limits,
) -> Result<(), HostError> {
    const NAME: &str = "rolegate_abi_version";
    let mut store = store(engine, limits)?;
    let instance = pre
        .instantiate(&mut store)
        .map_err(|e| HostError::Instantiate(e.into()))?;
    let index = module
        .get_export_index(NAME)
        .ok_or(HostError::MissingExport(NAME))?;
    let version: TypedFunc<(), i32> = export(&mut store, &instance, &index, NAME)?;
    let found = invoke(&mut store, &version, (), limits.fuel_per_call)?;
    if found == ffi::ABI_VERSION {
        Ok(())
    } else {
        Err(HostError::AbiVersion {
            found,
            expected: ffi::ABI_VERSION,
        })
    }
}

/// A loaded instance's state, to start others in: its linear memory — which holds
/// everything the guest has, the decoded snapshot, its allocator and its buffers — and the
/// host's view of it. (The guest's one mutable global, its stack pointer, is back at its
/// initial value between calls, as every fresh instance has it.)
pub(crate) struct Image {
    memory: Vec<u8>,
    scratch: (i32, usize),
    revision: u64,
}

impl GuestInstance {
    /// A fresh instance, its scratch buffer allocated.
    pub(crate) fn new(engine: &EngineInner) -> Result<GuestInstance, HostError> {
        let mut guest = GuestInstance::instantiate(engine)?;
        guest.scratch = (guest.allocate(INITIAL_SCRATCH)?, INITIAL_SCRATCH);
        Ok(guest)
    }

    /// An instance in the state `image` was taken in: instantiated from the pool, its memory
    /// grown to the image's size and the image copied in. Much cheaper than loading the
    /// snapshot again (a copy, where loading decodes and validates every byte).
    pub(crate) fn from_image(
        engine: &EngineInner,
        image: &Image,
    ) -> Result<GuestInstance, HostError> {
        let mut guest = GuestInstance::instantiate(engine)?;
        let have = guest.memory.data_size(&guest.store);
        if image.memory.len() > have {
            let pages = (image.memory.len() - have).div_ceil(WASM_PAGE) as u64;
            guest
                .memory
                .grow(&mut guest.store, pages)
                .map_err(|e| HostError::Instantiate(e.into()))?;
        }
        guest.write(0, &image.memory)?;
        guest.scratch = image.scratch;
        guest.revision = image.revision;
        Ok(guest)
    }

    /// This instance's state, for [`from_image`](Self::from_image).
    pub(crate) fn image(&self) -> Image {
        Image {
            memory: self.memory.data(&self.store).to_vec(),
            scratch: self.scratch,
            revision: self.revision,
        }
    }

    fn instantiate(engine: &EngineInner) -> Result<GuestInstance, HostError> {
        let mut store = store(&engine.engine, &engine.limits)?;
        let instance = engine
            .pre
            .instantiate(&mut store)
            .map_err(|e| HostError::Instantiate(e.into()))?;
        let x = &engine.exports;
        let memory = instance
            .get_module_export(&mut store, &x.memory)
            .and_then(wasmtime::Extern::into_memory)
            .ok_or(HostError::MissingExport("memory"))?;
        let exports = Exports {
            alloc: export(&mut store, &instance, &x.alloc, "rolegate_alloc")?,
            free: export(&mut store, &instance, &x.free, "rolegate_free")?,
            load: export(&mut store, &instance, &x.load, "rolegate_load")?,
            trust: export(&mut store, &instance, &x.trust, "rolegate_trust")?,
            apply_delta: export(
                &mut store,
                &instance,
                &x.apply_delta,
                "rolegate_apply_delta",
            )?,
            query: export(&mut store, &instance, &x.query, "rolegate_query")?,
            index: export(&mut store, &instance, &x.index, "rolegate_index")?,
            can_at: export(&mut store, &instance, &x.can_at, "rolegate_can_at")?,
            decide_at: export(&mut store, &instance, &x.decide_at, "rolegate_decide_at")?,
            grant: export(&mut store, &instance, &x.grant, "rolegate_grant")?,
            check_batch_at: export(
                &mut store,
                &instance,
                &x.check_batch_at,
                "rolegate_check_batch_at",
            )?,
        };
        Ok(GuestInstance {
            store,
            memory,
            exports,
            scratch: (0, 0),
            limits: engine.limits,
            names: Names::default(),
            revision: 0,
        })
    }

    /// A buffer of `len` bytes in guest memory.
    fn allocate(&mut self, len: usize) -> Result<i32, HostError> {
        let len_i32 = i32::try_from(len).map_err(|_| HostError::Request("larger than 2 GiB"))?;

        let ptr = invoke(
            &mut self.store,
            &self.exports.alloc,
            len_i32,
            self.limits.fuel_per_call,
        )?;
        let end = (ptr as u32 as usize).checked_add(len);
        if ptr == 0 || end.is_none_or(|end| end > self.memory.data_size(&self.store)) {
            return Err(HostError::BadResponse(
                "the guest's buffer lies outside its memory",
            ));
        }
        Ok(ptr)
    }

    fn release(&mut self, ptr: i32, len: usize) -> Result<(), HostError> {
        let status = invoke(
            &mut self.store,
            &self.exports.free,
            (ptr, len as i32),
            self.limits.fuel_per_call,
        )?;
        if status == 0 {
            Ok(())
        } else {
            Err(HostError::BadResponse(
                "the guest refused to free its own buffer",
            ))
        }
    }

    /// Writes `bytes` into guest memory at `ptr`.
    fn write(&mut self, ptr: i32, bytes: &[u8]) -> Result<(), HostError> {
        self.memory
            .write(&mut self.store, ptr as u32 as usize, bytes)
            .map_err(|_| HostError::BadResponse("the guest's buffer lies outside its memory"))
    }

    /// Encodes `value` into the scratch buffer (growing it when needed): (address, length).
    fn request<T: Serialize>(&mut self, value: &T) -> Result<(i32, i32), HostError> {
        let (ptr, cap) = self.scratch;
        let start = ptr as u32 as usize;
        let memory = self.memory.data_mut(&mut self.store);
        if let Some(buffer) = memory.get_mut(start..start + cap)
            && let Ok(used) = postcard::to_slice(value, buffer)
        {
            return Ok((ptr, used.len() as i32));
        }
        let bytes =
            postcard::to_allocvec(value).map_err(|_| HostError::Request("could not be encoded"))?;
        let grown = bytes.len().next_power_of_two();
        self.release(ptr, cap)?;
        self.scratch = (0, 0);
        let fresh = self.allocate(grown)?;
        self.scratch = (fresh, grown);
        self.write(fresh, &bytes)?;
        Ok((fresh, bytes.len() as i32))
    }

    /// The guest's answer bytes for an `i64` result: a range of its memory, or an error
    /// (`refused` makes the error for a status that is a refusal rather than a fault).
    fn answer(&self, result: i64, refused: fn(Code) -> HostError) -> Result<&[u8], HostError> {
        let (ptr, len) = ffi::unpack(result).map_err(|status| match status {
            Some(code) => refusal(code, refused),
            None => HostError::BadResponse("the guest answered an unknown status"),
        })?;
        let (ptr, len) = (ptr as usize, len as usize);
        self.memory
            .data(&self.store)
            .get(ptr..ptr.saturating_add(len))
            .ok_or(HostError::BadResponse(
                "the answer lies outside the guest's memory",
            ))
    }

    /// Loads snapshot bytes in the guest — checked there against `trust` at `now` — and makes
    /// them current there; what the guest read.
    pub(crate) fn load(
        &mut self,
        snapshot: &[u8],
        trust: &Trust,
        now: u64,
    ) -> Result<SnapshotInfo, HostError> {
        self.set_trust(trust)?;
        let now = i64::try_from(now).unwrap_or(i64::MAX);
        let ptr = self.allocate(snapshot.len().max(1))?;
        self.write(ptr, snapshot)?;
        let fuel = self.limits.fuel_per_call.saturating_add(
            self.limits
                .fuel_per_snapshot_byte
                .saturating_mul(snapshot.len() as u64),
        );
        let status = invoke(
            &mut self.store,
            &self.exports.load,
            (ptr, snapshot.len() as i32, now),
            fuel,
        )?;
        self.release(ptr, snapshot.len().max(1))?;
        if status != 0 {
            return Err(match Code::from_status(status) {
                Some(code) => refusal(code, |code| HostError::Snapshot { code }),
                None => HostError::BadResponse("the guest answered an unknown load status"),
            });
        }
        let info = self.query(&Query::Meta, |a| match a {
            Answer::Meta {
                organization,
                revision,
                issued_at,
            } => Some(SnapshotInfo {
                organization: organization.to_owned(),
                revision,
                issued_at,
            }),
            _ => None,
        })?;
        self.revision = info.revision;
        Ok(info)
    }

    /// Hands the guest the trust settings its next load checks.
    fn set_trust(&mut self, trust: &Trust) -> Result<(), HostError> {
        let (ptr, len) = self.request(trust)?;
        match invoke(
            &mut self.store,
            &self.exports.trust,
            (ptr, len),
            self.limits.fuel_per_call,
        )? {
            0 => Ok(()),
            _ => Err(HostError::BadResponse(
                "the guest refused well-formed trust settings",
            )),
        }
    }

    /// The snapshot `delta` rebuilds from `base`, rebuilt inside the guest (the host never
    /// parses a delta itself) once the envelope it carries passes `trust` at `now`. Load the
    /// result to verify it in full.
    pub(crate) fn apply_delta(
        &mut self,
        base: &[u8],
        delta: &[u8],
        trust: &Trust,
        now: u64,
    ) -> Result<Vec<u8>, HostError> {
        self.set_trust(trust)?;
        let now = i64::try_from(now).unwrap_or(i64::MAX);
        let base_ptr = self.allocate(base.len().max(1))?;
        self.write(base_ptr, base)?;
        let delta_ptr = self.allocate(delta.len().max(1))?;
        self.write(delta_ptr, delta)?;
        let fuel = self.limits.fuel_per_call.saturating_add(
            self.limits
                .fuel_per_snapshot_byte
                .saturating_mul((base.len() + delta.len()) as u64),
        );
        let result = invoke(
            &mut self.store,
            &self.exports.apply_delta,
            (
                base_ptr,
                base.len() as i32,
                delta_ptr,
                delta.len() as i32,
                now,
            ),
            fuel,
        )?;
        let rebuilt = self
            .answer(result, |code| HostError::Snapshot { code })
            .map(<[u8]>::to_vec);
        self.release(delta_ptr, delta.len().max(1))?;
        self.release(base_ptr, base.len().max(1))?;
        rebuilt
    }

    /// Writes `bytes` to the scratch buffer, growing it when needed: (address, length).
    fn scratch_bytes(&mut self, bytes: &[u8]) -> Result<(i32, i32), HostError> {
        if bytes.len() > self.scratch.1 {
            let (ptr, cap) = self.scratch;
            self.release(ptr, cap)?;
            self.scratch = (0, 0);
            let grown = bytes.len().next_power_of_two();
            self.scratch = (self.allocate(grown)?, grown);
        }
        self.write(self.scratch.0, bytes)?;
        Ok((self.scratch.0, bytes.len() as i32))
    }

    /// Asks the guest for a name's index; [`UNKNOWN`] when it has none.
    fn resolve(&mut self, kind: NameKind, name: &[u8]) -> Result<u32, HostError> {
        let (ptr, len) = self.scratch_bytes(name)?;
        let result = invoke(
            &mut self.store,
            &self.exports.index,
            (kind as i32, ptr, len),
            self.limits.fuel_per_call,
        )?;
        match ffi::unpack(result) {
            // An index is a plain non-negative number, not a packed range.
            Ok(_) => u32::try_from(result)
                .map_err(|_| HostError::BadResponse("`index` answered an impossible index")),
            Err(Some(code)) => Err(refusal(code, |_| {
                HostError::BadResponse("`index` refused a well-formed name")
            })),
            Err(None) => Err(HostError::BadResponse("`index` answered an unknown status")),
        }
    }

    fn cached(&mut self, kind: NameKind, name: &str) -> Result<u32, HostError> {
        let longest = match kind {
            NameKind::Permission => MAX_PERMISSION_LEN,
            _ => MAX_ID_LEN,
        };
        if name.len() > longest {
            // No snapshot has such a name: unknown, without a guest call or a cache entry.
            return Ok(UNKNOWN);
        }
        if let Some(&i) = self.names.map(kind).get(name) {
            return Ok(i);
        }
        let i = self.resolve(kind, name.as_bytes())?;
        self.names.reserve(name.len());
        self.names.map(kind).insert(name.to_owned(), i);
        Ok(i)
    }

    fn cached_resource(
        &mut self,
        resource: Option<rolegate_core::ResourceRef<'_>>,
    ) -> Result<u32, HostError> {
        let Some(r) = resource else {
            return Ok(UNKNOWN);
        };
        if r.resource_type.len() > MAX_ID_LEN || r.id.len() > MAX_ID_LEN {
            return Ok(UNKNOWN);
        }
        if let Some(&i) = self
            .names
            .resources
            .get(r.resource_type)
            .and_then(|ids| ids.get(r.id))
        {
            return Ok(i);
        }
        let key = [r.resource_type.as_bytes(), b"\0", r.id.as_bytes()].concat();
        let i = self.resolve(NameKind::Resource, &key)?;
        self.names.reserve(key.len());
        self.names
            .resources
            .entry(r.resource_type.to_owned())
            .or_default()
            .insert(r.id.to_owned(), i);
        Ok(i)
    }

    /// The request's four indexes, as the guest's `_at` exports take them.
    fn indexes(&mut self, request: &Request<'_>) -> Result<[u32; 4], HostError> {
        Ok([
            self.cached(NameKind::User, request.user)?,
            self.cached(NameKind::Permission, request.permission)?,
            self.cached(NameKind::Scope, request.scope)?,
            self.cached_resource(request.resource)?,
        ])
    }

    pub(crate) fn can(&mut self, request: &Request<'_>) -> Result<bool, HostError> {
        let [u, p, s, r] = self.indexes(request)?;

        match invoke(
            &mut self.store,
            &self.exports.can_at,
            (u as i32, p as i32, s as i32, r as i32),
            self.limits.fuel_per_call,
        )? {
            1 => Ok(true),
            0 => Ok(false),
            _ => Err(HostError::BadResponse("`can` answered neither 0 nor 1")),
        }
    }

    pub(crate) fn check(&mut self, request: &Request<'_>) -> Result<Decision, HostError> {
        let [u, p, s, r] = self.indexes(request)?;
        let number = invoke(
            &mut self.store,
            &self.exports.decide_at,
            (u as i32, p as i32, s as i32, r as i32),
            self.limits.fuel_per_call,
        )?;
        let reason = match ffi::decided_from_number(number) {
            Some(Ok(assignment)) => Reason::Granted(self.grant(assignment)?),
            Some(Err(code)) => match CoreReason::denied_by(code) {
                Some(denial) => denial.into(),
                None => return Err(HostError::BadResponse("`decide_at` answered a non-denial")),
            },
            None => {
                return Err(HostError::BadResponse(
                    "`decide_at` answered an unknown code",
                ));
            }
        };
        Ok(Decision {
            allowed: matches!(reason, Reason::Granted(_)),
            revision: self.revision,
            reason,
        })
    }

    /// What assignment number `assignment` names, remembered after the first time.
    fn grant(&mut self, assignment: u32) -> Result<Grant, HostError> {
        if let Some(g) = self.names.grants.get(&assignment) {
            return Ok(g.clone());
        }
        let result = invoke(
            &mut self.store,
            &self.exports.grant,
            assignment as i32,
            self.limits.fuel_per_call,
        )?;
        let bytes = self.answer(result, |_| HostError::BadResponse("`grant` refused"))?;
        let grant: Grant = postcard::from_bytes::<rolegate_core::Grant<'_>>(bytes)
            .map_err(|_| HostError::BadResponse("the grant does not parse"))?
            .into();
        self.names.reserve(64);
        self.names.grants.insert(assignment, grant.clone());
        Ok(grant)
    }

    pub(crate) fn check_batch(&mut self, requests: &[Request<'_>]) -> Result<Vec<bool>, HostError> {
        let mut quads = Vec::with_capacity(requests.len() * 16);
        for request in requests {
            for index in self.indexes(request)? {
                quads.extend_from_slice(&index.to_le_bytes());
            }
        }
        let (ptr, len) = self.scratch_bytes(&quads)?;
        let fuel = self.limits.fuel_per_call.saturating_add(
            self.limits
                .fuel_per_batch_request
                .saturating_mul(requests.len() as u64),
        );

        let result = invoke(
            &mut self.store,
            &self.exports.check_batch_at,
            (ptr, len),
            fuel,
        )?;
        let bytes = self.answer(result, |_| HostError::BadResponse("`check_batch` refused"))?;
        if bytes.len() != requests.len() {
            return Err(HostError::BadResponse(
                "the batch answer has the wrong length",
            ));
        }
        bytes
            .iter()
            .map(|&b| match b {
                0 => Ok(false),
                1 => Ok(true),
                _ => Err(HostError::BadResponse("a batch answer is neither 0 nor 1")),
            })
            .collect()
    }

    /// Asks a query; `read` turns the borrowed answer into an owned one, or `None` when the
    /// guest answered the wrong kind.
    pub(crate) fn query<T>(
        &mut self,
        query: &Query<'_>,
        read: impl FnOnce(Answer<'_>) -> Option<T>,
    ) -> Result<T, HostError> {
        let (ptr, len) = self.request(query)?;

        let result = invoke(
            &mut self.store,
            &self.exports.query,
            (ptr, len),
            self.limits.fuel_per_call,
        )?;
        let bytes = self.answer(result, |code| HostError::Query { code })?;
        let answer = postcard::from_bytes::<Answer<'_>>(bytes)
            .map_err(|_| HostError::BadResponse("the answer does not parse"))?;
        read(answer).ok_or(HostError::BadResponse("the answer is of the wrong kind"))
    }
}

/// The error for a status the guest answered: a refusal of what was asked (`refused`), or,
/// for the boundary's own statuses, a guest that turned down a request this host formed
/// correctly — which only a broken guest does.
fn refusal(code: Code, refused: fn(Code) -> HostError) -> HostError {
    match code {
        Code::NoSnapshot
        | Code::BadRequest
        | Code::OutOfMemory
        | Code::BadArgument
        | Code::BadRange
        | Code::Internal => HostError::BadResponse("the guest refused a well-formed request"),
        code => refused(code),
    }
}
