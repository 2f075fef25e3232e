//! The host answers as the native core does, on every API.

use rolegate_core::{Request, ResourceRef, Snapshot};
use rolegate_host::{Authorizer, Engine, EngineConfig, HostError};

use crate::{acme, acme_at, cache_dir, engine};

#[test]
fn host_answers_like_native_on_the_demo() {
    let native = Snapshot::decode(&acme()).unwrap();
    let host = Authorizer::unsigned(&engine(), &acme()).unwrap();
    assert_eq!(host.revision(), 1);
    assert_eq!(host.info().organization, native.organization());
    let mut n = 0;
    for user in native.users() {
        for scope in native.scopes() {
            for permission in native.catalog() {
                let request = Request::new(user.id, permission, scope.id);
                let want = native.check(&request);
                assert_eq!(host.check(&request).unwrap(), want);
                assert_eq!(host.can(&request).unwrap(), want.allowed);
                n += 1;
            }
        }
    }
    assert!(n > 3000);
}

#[test]
fn queries_answer_like_native() {
    let native = Snapshot::decode(&acme()).unwrap();
    let host = Authorizer::unsigned(&engine(), &acme()).unwrap();
    for user in native.users() {
        for scope in native.scopes() {
            let want = native
                .effective_permissions(user.id, scope.id, None)
                .unwrap();
            assert_eq!(host.permissions(user.id, scope.id, None).unwrap(), want);
        }
        for permission in native.catalog().take(12) {
            let want: Vec<&str> = native
                .scopes_with(user.id, permission, None)
                .unwrap()
                .iter()
                .map(|s| s.id)
                .collect();
            let got: Vec<String> = host
                .scopes_with(user.id, permission, None)
                .unwrap()
                .into_iter()
                .map(|s| s.id)
                .collect();
            assert_eq!(got, want);
        }
    }
    for permission in native.catalog() {
        let scope = native.organization();
        let want = native.who_can(permission, scope, None).unwrap();
        let got = host.who_can(permission, scope, None).unwrap();
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(g.user, w.user.id);
            assert_eq!(g.grant, w.grant);
        }
    }
    let group = native.resources().next().unwrap();
    let on = Some(ResourceRef {
        resource_type: group.resource_type,
        id: group.id,
    });
    let gary = native.users().find(|u| u.name == "Gary Gupta").unwrap().id;
    let explained = host
        .explain(&Request::new(
            gary,
            "billing/invoices/read",
            native.organization(),
        ))
        .unwrap();
    assert!(!explained.decision.allowed);
    assert!(explained.elsewhere.len() == 2);
    assert_eq!(
        host.permissions(gary, native.organization(), on)
            .unwrap()
            .len(),
        4
    );
    // Unknown names are typed query errors, not faults.
    let e = host
        .permissions("USnope", native.organization(), None)
        .unwrap_err();
    assert_eq!(e.code(), "unknown-user");
}

#[test]
fn bad_snapshots_are_refused_with_their_code_and_the_old_one_keeps_serving() {
    let host = Authorizer::unsigned(&engine(), &acme()).unwrap();
    let mut damaged = acme();
    let last = damaged.len() - 1;
    damaged[last] ^= 1;
    for (bytes, code) in [
        (damaged, "snapshot-checksum-mismatch"),
        (b"not a snapshot".to_vec(), "snapshot-bad-magic"),
        (acme()[..200].to_vec(), "snapshot-malformed"),
        (Vec::new(), "snapshot-bad-magic"),
    ] {
        let e = host.replace(&bytes).unwrap_err();
        assert!(matches!(e, HostError::Snapshot { .. }), "{e:?}");
        assert_eq!(e.code(), code);
        assert_eq!(host.revision(), 1);
    }
    assert!(Authorizer::unsigned(&engine(), b"junk").is_err());
    let info = host.replace(&acme_at(5)).unwrap();
    assert_eq!(info.revision, 5);
    assert_eq!(host.revision(), 5);
}

#[test]
fn the_compiled_guest_is_cached_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let config = EngineConfig {
        cache_dir: Some(dir.path().to_path_buf()),
        ..EngineConfig::default()
    };
    Engine::new(config.clone()).unwrap();
    // The compiled artifacts (wasmtime also keeps `.stats` files it touches on every use).
    let files: Vec<_> = walk(dir.path())
        .into_iter()
        .filter(|f| f.extension().is_none_or(|e| e != "stats"))
        .collect();
    assert!(!files.is_empty(), "nothing was cached");
    // A second engine starts from the cache: the artifacts are reused, not rewritten.
    let before: Vec<_> = files
        .iter()
        .map(|f| std::fs::metadata(f).unwrap().modified().unwrap())
        .collect();
    Engine::new(config).unwrap();
    let after: Vec<_> = files
        .iter()
        .map(|f| std::fs::metadata(f).unwrap().modified().unwrap())
        .collect();
    assert_eq!(before, after);
    let _ = cache_dir();
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn other_guests_are_checked_before_use() {
    let config = || EngineConfig {
        cache_dir: None,
        ..EngineConfig::default()
    };
    // An ABI-1 guest (its exports have version 1's signatures): refused cleanly, as such.
    let wrong_version = r#"(module (memory (export "memory") 1)
        (func (export "rolegate_abi_version") (result i32) i32.const 1)
        (func (export "rolegate_alloc") (param i32) (result i32) i32.const 1024)
        (func (export "rolegate_free") (param i32 i32) (result i32) i32.const 0)
        (func (export "rolegate_load") (param i32 i32 i64) (result i32) i32.const 0)
        (func (export "rolegate_trust") (param i32 i32) (result i32) i32.const 0)
        (func (export "rolegate_apply_delta") (param i32 i32 i32 i32) (result i64) i64.const -2)
        (func (export "rolegate_can") (param i32 i32) (result i32) i32.const 1)
        (func (export "rolegate_check") (param i32 i32) (result i64) i64.const -2)
        (func (export "rolegate_check_batch") (param i32 i32) (result i64) i64.const -2)
        (func (export "rolegate_query") (param i32 i32) (result i64) i64.const -2)
        (func (export "rolegate_index") (param i32 i32 i32) (result i32) i32.const -1)
        (func (export "rolegate_can_at") (param i32 i32 i32 i32) (result i32) i32.const 1)
        (func (export "rolegate_decide_at") (param i32 i32 i32 i32) (result i64) i64.const -104)
        (func (export "rolegate_grant") (param i32) (result i64) i64.const -2)
        (func (export "rolegate_check_batch_at") (param i32 i32) (result i64) i64.const -2))"#;
    let e = Engine::from_bytes(wrong_version.as_bytes(), config()).unwrap_err();
    assert!(
        matches!(
            e,
            HostError::AbiVersion {
                found: 1,
                expected: 2
            }
        ),
        "{e:?}"
    );
    let missing = r#"(module (memory (export "memory") 1)
        (func (export "rolegate_abi_version") (result i32) i32.const 2))"#;
    assert_eq!(
        Engine::from_bytes(missing.as_bytes(), config())
            .unwrap_err()
            .code(),
        "missing-export"
    );
    assert_eq!(
        Engine::from_bytes(b"\0asm garbage", config())
            .unwrap_err()
            .code(),
        "compile"
    );
    let importer = r#"(module (import "env" "clock" (func)) (memory (export "memory") 1))"#;
    assert_eq!(
        Engine::from_bytes(importer.as_bytes(), config())
            .unwrap_err()
            .code(),
        "instantiate"
    );
    assert!(Engine::from_file("/nonexistent/guest.wasm", config()).is_err());
}
