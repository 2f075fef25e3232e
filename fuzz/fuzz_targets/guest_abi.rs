//! The guest's ABI entry points with arbitrary arguments and bytes: the guest trusts nothing
//! the host passes, so no call may trap — every one returns a value or a status.
#![no_main]

use std::sync::OnceLock;

use wasmtime::{Engine, Instance, Module, Store, TypedFunc};

fn module() -> &'static (Engine, Module) {
    static MODULE: OnceLock<(Engine, Module)> = OnceLock::new();
    MODULE.get_or_init(|| {
        let engine = Engine::default();
        let module = Module::new(&engine, rolegate_host::EMBEDDED_GUEST).unwrap();
        (engine, module)
    })
}

fn word(data: &[u8], at: usize) -> i32 {
    let mut w = [0u8; 4];
    for (i, b) in w.iter_mut().enumerate() {
        *b = data.get(at + i).copied().unwrap_or(0);
    }
    i32::from_le_bytes(w)
}

/// Whether `(ptr, len)` lies inside the one live buffer `(buf, size)`.
fn inside(ptr: i32, len: i32, buf: i32, size: i32) -> bool {
    let (ptr, len, buf, size) = (
        ptr as u32 as u64,
        len as u32 as u64,
        buf as u64,
        size as u64,
    );
    ptr >= buf && ptr + len <= buf + size
}

const BAD_RANGE: i32 = rolegate_core::ffi::Code::BadRange.status();

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let (engine, module) = module();
    let mut store = Store::new(engine, ());
    let instance = Instance::new(&mut store, module, &[]).unwrap();
    let memory = instance.get_memory(&mut store, "memory").unwrap();
    let f2 = |store: &mut Store<()>, name| {
        instance
            .get_typed_func::<(i32, i32), i32>(store, name)
            .unwrap()
    };
    let f2w = |store: &mut Store<()>, name| {
        instance
            .get_typed_func::<(i32, i32), i64>(store, name)
            .unwrap()
    };
    let alloc: TypedFunc<i32, i32> = instance
        .get_typed_func(&mut store, "rolegate_alloc")
        .unwrap();
    let load: TypedFunc<(i32, i32, i64), i32> = instance
        .get_typed_func(&mut store, "rolegate_load")
        .unwrap();
    let index: TypedFunc<(i32, i32, i32), i64> = instance
        .get_typed_func(&mut store, "rolegate_index")
        .unwrap();

    // The fuzzer's bytes in a guest buffer, then every entry point on them — and on raw
    // (pointer, length) pairs straight from the input, which may point anywhere: outside the
    // one live buffer, every one must be refused as a bad range (never read).
    let len = data.len().max(1) as i32;
    let buf = alloc.call(&mut store, len).expect("alloc does not trap");
    assert!(buf > 0);
    memory.write(&mut store, buf as usize, data).unwrap();
    let (raw_ptr, raw_len) = (word(data, 0), word(data, 4));
    for (ptr, len) in [(buf, data.len() as i32), (raw_ptr, raw_len)] {
        let outside = !inside(ptr, len, buf, data.len() as i32);
        let status = load
            .call(&mut store, (ptr, len, 1_700_000_000))
            .expect("load does not trap");
        assert!(
            !outside || status == BAD_RANGE,
            "load read outside its buffer"
        );
        f2(&mut store, "rolegate_trust")
            .call(&mut store, (ptr, len))
            .expect("no trap");
        for name in ["rolegate_query", "rolegate_check_batch_at"] {
            let answer = f2w(&mut store, name)
                .call(&mut store, (ptr, len))
                .expect("no trap");
            assert!(
                !outside || answer == i64::from(BAD_RANGE),
                "{name} read outside its buffer"
            );
        }
        let found = index
            .call(&mut store, (word(data, 8), ptr, len))
            .expect("index does not trap");
        assert!(
            !outside || found == i64::from(BAD_RANGE),
            "index read outside its buffer"
        );
        let apply: TypedFunc<(i32, i32, i32, i32, i64), i64> = instance
            .get_typed_func(&mut store, "rolegate_apply_delta")
            .unwrap();
        let applied = apply
            .call(&mut store, (ptr, len, raw_ptr, raw_len, 1_700_000_000))
            .expect("apply_delta does not trap");
        assert!(
            !(outside || !inside(raw_ptr, raw_len, buf, data.len() as i32))
                || applied == i64::from(BAD_RANGE),
            "apply_delta read outside its buffers"
        );
        f2(&mut store, "rolegate_free")
            .call(&mut store, (raw_ptr, raw_len))
            .expect("free does not trap");
    }
    // Index calls with arbitrary numbers, before and after a real snapshot is loaded.
    let can_at: TypedFunc<(i32, i32, i32, i32), i32> = instance
        .get_typed_func(&mut store, "rolegate_can_at")
        .unwrap();
    let decide_at: TypedFunc<(i32, i32, i32, i32), i64> = instance
        .get_typed_func(&mut store, "rolegate_decide_at")
        .unwrap();
    let grant: TypedFunc<i32, i64> = instance
        .get_typed_func(&mut store, "rolegate_grant")
        .unwrap();
    let acme = include_bytes!("../../tests/fixtures/acme-r1.rgs");
    let snap = alloc.call(&mut store, acme.len() as i32).unwrap();
    memory.write(&mut store, snap as usize, acme).unwrap();
    let trust = postcard::to_allocvec(&rolegate_core::Trust::unsigned()).unwrap();
    let at = alloc.call(&mut store, trust.len() as i32).unwrap();
    memory.write(&mut store, at as usize, &trust).unwrap();
    for loaded in [false, true] {
        if loaded {
            assert_eq!(
                f2(&mut store, "rolegate_trust")
                    .call(&mut store, (at, trust.len() as i32))
                    .unwrap(),
                0
            );
            assert_eq!(
                load.call(&mut store, (snap, acme.len() as i32, 1_700_000_000))
                    .unwrap(),
                0
            );
        }
        let q = (word(data, 0), word(data, 4), word(data, 8), word(data, 12));
        can_at.call(&mut store, q).expect("can_at does not trap");
        decide_at
            .call(&mut store, q)
            .expect("decide_at does not trap");
        grant
            .call(&mut store, word(data, 0))
            .expect("grant does not trap");
    }
});
