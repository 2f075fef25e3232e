//! The guest trusts nothing the host passes: driven through its raw exports (as a hostile or
//! buggy host would), every input range outside one live buffer it handed out is a typed
//! refusal — never a read of its own heap, a freed buffer, or two buffers at once.

use rolegate_core::ffi::{ABI_VERSION, Code};
use rolegate_host::EMBEDDED_GUEST;
use wasmtime::{Engine, Instance, Memory, Module, Store, TypedFunc};

use crate::acme;

struct Raw {
    store: Store<()>,
    memory: Memory,
    instance: Instance,
}

impl Raw {
    fn new() -> Raw {
        let engine = Engine::default();
        let module = Module::new(&engine, EMBEDDED_GUEST).unwrap();
        let mut store = Store::new(&engine, ());
        let instance = Instance::new(&mut store, &module, &[]).unwrap();
        let memory = instance.get_memory(&mut store, "memory").unwrap();
        Raw {
            store,
            memory,
            instance,
        }
    }

    fn func<P: wasmtime::WasmParams, R: wasmtime::WasmResults>(
        &mut self,
        name: &str,
    ) -> TypedFunc<P, R> {
        self.instance
            .get_typed_func::<P, R>(&mut self.store, name)
            .unwrap()
    }

    fn alloc(&mut self, len: i32) -> i32 {
        let f = self.func::<i32, i32>("rolegate_alloc");
        let ptr = f.call(&mut self.store, len).unwrap();
        assert_ne!(ptr, 0);
        ptr
    }

    fn free(&mut self, ptr: i32, len: i32) -> i32 {
        let f = self.func::<(i32, i32), i32>("rolegate_free");
        f.call(&mut self.store, (ptr, len)).unwrap()
    }

    fn write(&mut self, ptr: i32, bytes: &[u8]) {
        self.memory
            .write(&mut self.store, ptr as usize, bytes)
            .unwrap();
    }

    /// Sets trust that accepts unsigned snapshots, from a buffer of its own.
    fn trust_unsigned(&mut self) {
        let trust = postcard::to_allocvec(&rolegate_core::Trust::unsigned()).unwrap();
        let ptr = self.alloc(trust.len() as i32);
        self.write(ptr, &trust);
        let f = self.func::<(i32, i32), i32>("rolegate_trust");
        assert_eq!(
            f.call(&mut self.store, (ptr, trust.len() as i32)).unwrap(),
            0
        );
    }

    fn load(&mut self, ptr: i32, len: i32) -> i32 {
        let f = self.func::<(i32, i32, i64), i32>("rolegate_load");
        f.call(&mut self.store, (ptr, len, 1_700_000_000)).unwrap()
    }

    fn index(&mut self, ptr: i32, len: i32) -> i64 {
        let f = self.func::<(i32, i32, i32), i64>("rolegate_index");
        f.call(&mut self.store, (0, ptr, len)).unwrap()
    }
}

const BAD_RANGE: i32 = Code::BadRange.status();

#[test]
fn the_guest_speaks_abi_2() {
    let mut raw = Raw::new();
    let version = raw.func::<(), i32>("rolegate_abi_version");
    assert_eq!(version.call(&mut raw.store, ()).unwrap(), ABI_VERSION);
    assert_eq!(ABI_VERSION, 2);
}

#[test]
fn an_input_inside_a_live_buffer_is_read() {
    let mut raw = Raw::new();
    raw.trust_unsigned();
    let snapshot = acme();
    let ptr = raw.alloc(snapshot.len() as i32);
    raw.write(ptr, &snapshot);
    assert_eq!(raw.load(ptr, snapshot.len() as i32), 0);
    // A sub-range of a live buffer is fine too: here, a name at its start.
    raw.write(ptr, b"US6c63212ab48e8401eaf6b59b95d816a9");
    assert!(raw.index(ptr, 34) >= 0);
}

#[test]
fn a_range_over_the_guests_own_heap_is_refused() {
    let mut raw = Raw::new();
    raw.trust_unsigned();
    let snapshot = acme();
    let ptr = raw.alloc(snapshot.len() as i32);
    raw.write(ptr, &snapshot);
    assert_eq!(raw.load(ptr, snapshot.len() as i32), 0);
    // The bytes just before the buffer are the allocator's and the guest's own state.
    assert_eq!(raw.index(ptr - 64, 34) as i32, BAD_RANGE);
    // A range that starts inside the buffer and runs past its end.
    assert_eq!(
        raw.load(ptr + 16, snapshot.len() as i32) as i64,
        i64::from(BAD_RANGE)
    );
    // Address 0 and the top of memory.
    assert_eq!(raw.index(0, 8) as i32, BAD_RANGE);
    assert_eq!(raw.index(i32::MAX - 8, 8) as i32, BAD_RANGE);
}

#[test]
fn a_freed_buffer_is_refused() {
    let mut raw = Raw::new();
    raw.trust_unsigned();
    let snapshot = acme();
    let len = snapshot.len() as i32;
    let ptr = raw.alloc(len);
    raw.write(ptr, &snapshot);
    assert_eq!(raw.free(ptr, len), 0);
    assert_eq!(raw.load(ptr, len), BAD_RANGE);
    // Freeing twice, or with the wrong length, is refused as well.
    assert_eq!(raw.free(ptr, len), BAD_RANGE);
    let other = raw.alloc(64);
    assert_eq!(raw.free(other, 63), BAD_RANGE);
}

#[test]
fn a_range_across_two_buffers_is_refused() {
    let mut raw = Raw::new();
    raw.trust_unsigned();
    let a = raw.alloc(64);
    let b = raw.alloc(64);
    let (low, high) = (a.min(b), a.max(b));
    // From inside the lower buffer to inside the higher: two live buffers, not one.
    let len = high - low + 8;
    assert_eq!(raw.index(low, len) as i32, BAD_RANGE);
    assert_eq!(raw.load(low, len), BAD_RANGE);
}
