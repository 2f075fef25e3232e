//! One guest instance: a wasmtime store with the guest in it, its exports, and a scratch
//! buffer in its memory for requests. Every call is metered with fuel and every answer
//! checked: nothing the guest returns is trusted.

use rolegate_core::Request;
use rolegate_wasm::protocol::{
    Answer, BAD_REQUEST, NO_SNAPSHOT, OUT_OF_MEMORY, Query, WireRequest, status_code,
};
use serde::Serialize;
use wasmtime::{Memory, ResourceLimiter, Store, Trap, TypedFunc, WasmParams, WasmResults};

use crate::answers::Decision;
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
    load: TypedFunc<(i32, i32), i32>,
    can: TypedFunc<(i32, i32), i32>,
    check: TypedFunc<(i32, i32), i64>,
    check_batch: TypedFunc<(i32, i32), i64>,
    query: TypedFunc<(i32, i32), i64>,
}

pub(crate) struct GuestInstance {
    store: Store<StoreState>,
    memory: Memory,
    exports: Exports,
    abi_version: i32,
    /// A buffer the guest allocated for requests: (address, capacity).
    scratch: (i32, usize),
    limits: Limits,
}

const INITIAL_SCRATCH: usize = 4096;

fn export<P: WasmParams, R: WasmResults>(
    store: &mut Store<StoreState>,
    instance: &wasmtime::Instance,
    name: &'static str,
) -> Result<TypedFunc<P, R>, HostError> {
    instance
        .get_typed_func::<P, R>(&mut *store, name)
        .map_err(|_| HostError::MissingExport(name))
}

impl GuestInstance {
    pub(crate) fn new(engine: &EngineInner) -> Result<GuestInstance, HostError> {
        let mut store = Store::new(
            &engine.engine,
            StoreState {
                memory_cap: engine.limits.memory_bytes,
                memory_exceeded: false,
            },
        );
        store.limiter(|state| state);
        store
            .set_fuel(engine.limits.fuel_per_call)
            .map_err(|e| HostError::Instantiate(e.to_string()))?;
        let instance = engine
            .pre
            .instantiate(&mut store)
            .map_err(|e| HostError::Instantiate(e.to_string()))?;
        let memory = instance
            .get_memory(&mut store, "memory")
            .ok_or(HostError::MissingExport("memory"))?;
        let version: TypedFunc<(), i32> = export(&mut store, &instance, "rolegate_abi_version")?;
        let exports = Exports {
            alloc: export(&mut store, &instance, "rolegate_alloc")?,
            free: export(&mut store, &instance, "rolegate_free")?,
            load: export(&mut store, &instance, "rolegate_load")?,
            can: export(&mut store, &instance, "rolegate_can")?,
            check: export(&mut store, &instance, "rolegate_check")?,
            check_batch: export(&mut store, &instance, "rolegate_check_batch")?,
            query: export(&mut store, &instance, "rolegate_query")?,
        };
        let mut guest = GuestInstance {
            store,
            memory,
            exports,
            abi_version: 0,
            scratch: (0, 0),
            limits: engine.limits,
        };
        guest.abi_version = guest.call(&version, (), guest.limits.fuel_per_call)?;
        guest.scratch = (guest.allocate(INITIAL_SCRATCH)?, INITIAL_SCRATCH);
        Ok(guest)
    }

    pub(crate) fn abi_version(&self) -> i32 {
        self.abi_version
    }

    /// Calls a guest export with `fuel`, turning traps and overruns into errors.
    fn call<P: WasmParams, R: WasmResults>(
        &mut self,
        f: &TypedFunc<P, R>,
        params: P,
        fuel: u64,
    ) -> Result<R, HostError> {
        self.store
            .set_fuel(fuel)
            .map_err(|e| HostError::Trap(e.to_string()))?;
        f.call(&mut self.store, params).map_err(|e| {
            if self.store.data().memory_exceeded {
                HostError::MemoryLimit {
                    bytes: self.limits.memory_bytes,
                }
            } else if matches!(e.downcast_ref::<Trap>(), Some(Trap::OutOfFuel)) {
                HostError::OutOfFuel { fuel }
            } else {
                HostError::Trap(e.to_string())
            }
        })
    }

    /// A buffer of `len` bytes in guest memory.
    fn allocate(&mut self, len: usize) -> Result<i32, HostError> {
        let len_i32 = i32::try_from(len).map_err(|_| HostError::Request("larger than 2 GiB"))?;
        let alloc = self.exports.alloc.clone();
        let ptr = self.call(&alloc, len_i32, self.limits.fuel_per_call)?;
        let end = (ptr as u32 as usize).checked_add(len);
        if ptr == 0 || end.is_none_or(|end| end > self.memory.data_size(&self.store)) {
            return Err(HostError::BadResponse(
                "the guest's buffer lies outside its memory",
            ));
        }
        Ok(ptr)
    }

    fn release(&mut self, ptr: i32, len: usize) -> Result<(), HostError> {
        let free = self.exports.free.clone();
        let status = self.call(&free, (ptr, len as i32), self.limits.fuel_per_call)?;
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

    /// The guest's answer bytes for an `i64` result: a range of its memory, or an error.
    fn answer(
        &self,
        result: i64,
        refused: fn(&'static str) -> HostError,
    ) -> Result<&[u8], HostError> {
        if result < 0 {
            let status = i32::try_from(result).unwrap_or(BAD_REQUEST);
            return Err(match status {
                NO_SNAPSHOT | BAD_REQUEST | OUT_OF_MEMORY => {
                    HostError::BadResponse("the guest refused a well-formed request")
                }
                other => match status_code(other) {
                    "unknown-status" => {
                        HostError::BadResponse("the guest answered an unknown status")
                    }
                    code => refused(code),
                },
            });
        }
        let (ptr, len) = ((result >> 32) as u32 as usize, result as u32 as usize);
        self.memory
            .data(&self.store)
            .get(ptr..ptr.saturating_add(len))
            .ok_or(HostError::BadResponse(
                "the answer lies outside the guest's memory",
            ))
    }

    /// Decodes snapshot bytes in the guest and makes them current there.
    pub(crate) fn load(&mut self, snapshot: &[u8]) -> Result<(), HostError> {
        let ptr = self.allocate(snapshot.len().max(1))?;
        self.write(ptr, snapshot)?;
        let fuel = self.limits.fuel_per_call.saturating_add(
            self.limits
                .fuel_per_snapshot_byte
                .saturating_mul(snapshot.len() as u64),
        );
        let load = self.exports.load.clone();
        let status = self.call(&load, (ptr, snapshot.len() as i32), fuel)?;
        self.release(ptr, snapshot.len().max(1))?;
        match status {
            0 => Ok(()),
            s => match status_code(s) {
                code if code.starts_with("snapshot-") => Err(HostError::Snapshot { code }),
                _ => Err(HostError::BadResponse(
                    "the guest answered an unknown load status",
                )),
            },
        }
    }

    pub(crate) fn can(&mut self, request: &Request<'_>) -> Result<bool, HostError> {
        let (ptr, len) = self.request(&wire(request))?;
        let can = self.exports.can.clone();
        match self.call(&can, (ptr, len), self.limits.fuel_per_call)? {
            1 => Ok(true),
            0 => Ok(false),
            _ => Err(HostError::BadResponse("`can` answered neither 0 nor 1")),
        }
    }

    pub(crate) fn check(&mut self, request: &Request<'_>) -> Result<Decision, HostError> {
        let (ptr, len) = self.request(&wire(request))?;
        let check = self.exports.check.clone();
        let result = self.call(&check, (ptr, len), self.limits.fuel_per_call)?;
        let bytes = self.answer(result, |_| HostError::BadResponse("`check` refused"))?;
        match postcard::from_bytes::<rolegate_core::Decision<'_>>(bytes) {
            Ok(decision) => Ok(decision.into()),
            Err(_) => Err(HostError::BadResponse("the decision does not parse")),
        }
    }

    pub(crate) fn check_batch(&mut self, requests: &[Request<'_>]) -> Result<Vec<bool>, HostError> {
        let wires: Vec<WireRequest<'_>> = requests.iter().map(wire).collect();
        let (ptr, len) = self.request(&wires)?;
        let fuel = self.limits.fuel_per_call.saturating_add(
            self.limits
                .fuel_per_batch_request
                .saturating_mul(requests.len() as u64),
        );
        let batch = self.exports.check_batch.clone();
        let result = self.call(&batch, (ptr, len), fuel)?;
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
        let call = self.exports.query.clone();
        let result = self.call(&call, (ptr, len), self.limits.fuel_per_call)?;
        let bytes = self.answer(result, |code| HostError::Query { code })?;
        let answer = postcard::from_bytes::<Answer<'_>>(bytes)
            .map_err(|_| HostError::BadResponse("the answer does not parse"))?;
        read(answer).ok_or(HostError::BadResponse("the answer is of the wrong kind"))
    }
}

pub(crate) fn wire<'a>(request: &Request<'a>) -> WireRequest<'a> {
    WireRequest {
        user: request.user,
        permission: request.permission,
        scope: request.scope,
        resource: request.resource,
    }
}
