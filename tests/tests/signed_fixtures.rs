//! The signed fixtures every runtime checks: snapshots signed with two test keys, a tampered
//! one, an unsigned one, a delta, and `tests/fixtures/signed/cases.json` — which trust
//! settings accept or refuse which file, with what code. The bytes are deterministic (ed25519
//! signs deterministically); rewrite with `ROLEGATE_BLESS=1 cargo test -p rolegate-tests signed`.
//! Native, Node, workerd and the wasmtime host all read the same cases.

use rolegate_core::testing::reseal_keeping_signature;
use rolegate_core::{CompileOptions, Snapshot, apply_delta, compile, diff, public_key, sign};
use rolegate_tests::{SignedCase, hex, signed_cases, signed_dir, signed_fixture};
use serde_json::{Value, json};

use crate::common::acme;

/// Test keys. Their secrets are in the fixtures on purpose: they sign nothing real.
const KEYS: [(&str, [u8; 32]); 2] = [("test-2026", [26; 32]), ("test-2027", [27; 32])];
const ISSUED: u64 = 1_700_000_000;

/// Every fixture file, by name.
fn files() -> Vec<(String, Vec<u8>)> {
    let policy = acme();
    let at = |revision: u64| {
        compile(
            &policy,
            &CompileOptions {
                revision,
                issued_at: ISSUED + revision,
            },
        )
        .unwrap()
    };
    let r2 = sign(&at(2), KEYS[0].0, &KEYS[0].1).unwrap();
    let r3 = sign(&at(3), KEYS[1].0, &KEYS[1].1).unwrap();
    let tampered = reseal_keeping_signature(&r2, |p| {
        let n = p.len();
        p[n - 1] ^= 1;
    })
    .unwrap();
    let mut files = vec![
        ("acme-r2-test-2026.rgs".to_string(), r2.clone()),
        ("acme-r3-test-2027.rgs".to_string(), r3.clone()),
        ("acme-r2-unsigned.rgs".to_string(), at(2)),
        ("acme-r2-tampered.rgs".to_string(), tampered),
        ("acme-r2-to-r3.rgd".to_string(), diff(&r2, &r3).unwrap()),
    ];
    for (id, secret) in KEYS {
        let key =
            json!({"key_id": id, "public": hex(&public_key(&secret)), "secret": hex(&secret)});
        files.push((
            format!("{id}.key.json"),
            format!("{}\n", serde_json::to_string_pretty(&key).unwrap()).into_bytes(),
        ));
    }
    files.push((
        "cases.json".to_string(),
        format!("{}\n", serde_json::to_string_pretty(&cases()).unwrap()).into_bytes(),
    ));
    files
}

/// Trust settings × files → expected outcome. `now` is the time to check at.
fn cases() -> Value {
    let organization = acme().organization.id;
    json!([
        {"file": "acme-r2-test-2026.rgs", "keys": ["test-2026"], "now": ISSUED + 10, "expect": "ok", "revision": 2},
        {"file": "acme-r3-test-2027.rgs", "keys": ["test-2026"], "now": ISSUED + 10, "expect": "unknown-key"},
        {"file": "acme-r3-test-2027.rgs", "keys": ["test-2026", "test-2027"], "now": ISSUED + 10, "expect": "ok", "revision": 3},
        {"file": "acme-r2-unsigned.rgs", "keys": ["test-2026"], "now": ISSUED + 10, "expect": "unsigned"},
        {"file": "acme-r2-unsigned.rgs", "keys": [], "now": ISSUED + 10, "expect": "no-trusted-keys"},
        {"file": "acme-r2-test-2026.rgs", "keys": [], "now": ISSUED + 10, "expect": "no-trusted-keys"},
        {"file": "acme-r2-unsigned.rgs", "keys": [], "allow_unsigned": true, "now": ISSUED + 10, "expect": "ok", "revision": 2},
        {"file": "acme-r2-test-2026.rgs", "keys": [], "allow_unsigned": true, "now": ISSUED + 10, "expect": "ok", "revision": 2},
        {"file": "acme-r2-unsigned.rgs", "keys": ["test-2026"], "allow_unsigned": true, "now": ISSUED + 10, "expect": "ok", "revision": 2},
        {"file": "acme-r2-tampered.rgs", "keys": ["test-2026"], "allow_unsigned": true, "now": ISSUED + 10, "expect": "bad-signature"},
        {"file": "acme-r2-tampered.rgs", "keys": ["test-2026"], "now": ISSUED + 10, "expect": "bad-signature"},
        {"file": "acme-r2-test-2026.rgs", "keys": ["test-2026"], "min_revision": 3, "now": ISSUED + 10, "expect": "stale-revision"},
        {"file": "acme-r2-test-2026.rgs", "keys": ["test-2026"], "organization": "ORsomeoneelse", "now": ISSUED + 10, "expect": "wrong-organization"},
        {"file": "acme-r2-test-2026.rgs", "keys": ["test-2026"], "organization": organization, "now": ISSUED + 10, "expect": "ok", "revision": 2},
        {"file": "acme-r2-test-2026.rgs", "keys": ["test-2026"], "max_age": 3600, "now": ISSUED + 7200, "expect": "expired"},
        {"file": "acme-r2-test-2026.rgs", "keys": ["test-2026"], "max_age": 3600, "now": ISSUED + 60, "expect": "ok", "revision": 2},
        {"delta": "acme-r2-to-r3.rgd", "base": "acme-r2-test-2026.rgs", "expect": "acme-r3-test-2027.rgs"},
        {"delta": "acme-r2-to-r3.rgd", "base": "acme-r3-test-2027.rgs", "expect": "delta-wrong-base"},
    ])
}

#[test]
fn signed_fixtures_are_current_and_decide_as_stated() {
    let files = files();
    if std::env::var_os("ROLEGATE_BLESS").is_some() {
        for (name, bytes) in &files {
            std::fs::write(signed_dir().join(name), bytes).unwrap();
        }
    }
    for (name, bytes) in &files {
        assert!(
            &signed_fixture(name) == bytes,
            "fixture {name} is stale; re-bless"
        );
    }
    let cases = signed_cases();
    assert!(cases.len() >= 16);
    for case in cases {
        match &case {
            SignedCase::Delta {
                delta,
                base,
                expect,
            } => match apply_delta(&signed_fixture(base), &signed_fixture(delta)) {
                Ok(bytes) => assert_eq!(bytes, signed_fixture(expect), "{case:?}"),
                Err(e) => assert_eq!(e.code().as_str(), expect, "{case:?}"),
            },
            SignedCase::Load {
                file,
                trust,
                now,
                expect,
                revision,
            } => match Snapshot::decode_trusted(&signed_fixture(file), trust, *now) {
                Ok(s) => {
                    assert_eq!(expect, "ok", "{case:?}");
                    assert_eq!(Some(s.revision()), *revision);
                }
                Err(e) => assert_eq!(e.code().as_str(), expect, "{case:?}"),
            },
        }
    }
}
