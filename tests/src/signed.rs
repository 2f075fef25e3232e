//! The signed fixtures (`tests/fixtures/signed/`) and their cases, parsed once for every Rust
//! runner — the native core here, the wasmtime host in its tests. Node and workerd read the
//! same `cases.json` (`npm/test/signed.mjs`).

use std::path::PathBuf;

use rolegate_core::{Trust, TrustedKey};
use serde_json::Value;

/// Where the signed fixtures live.
pub fn signed_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/signed"))
}

/// A signed fixture's bytes; empty when it does not exist (yet).
pub fn signed_fixture(name: &str) -> Vec<u8> {
    std::fs::read(signed_dir().join(name)).unwrap_or_default()
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bytes of lowercase or uppercase hex; `None` for anything else.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// A trusted test key, from its `<id>.key.json` fixture.
pub fn signed_key(id: &str) -> Option<TrustedKey> {
    let file: Value = serde_json::from_slice(&signed_fixture(&format!("{id}.key.json"))).ok()?;
    let public = unhex(field(&file, "public").as_str()?)?;
    Some(TrustedKey {
        id: id.into(),
        public: public.try_into().ok()?,
    })
}

/// One case of `cases.json`.
#[derive(Debug, Clone)]
pub enum SignedCase {
    /// Load `file` under `trust` at `now`: `expect` is `ok` (then at `revision`) or a code.
    Load {
        /// The snapshot file.
        file: String,
        /// The trust settings.
        trust: Trust,
        /// The time to check at.
        now: u64,
        /// `ok` or the refusal's code.
        expect: String,
        /// The revision when `ok`.
        revision: Option<u64>,
    },
    /// Apply `delta` to `base`: `expect` is the file it rebuilds, or a code.
    Delta {
        /// The delta file.
        delta: String,
        /// The base snapshot file.
        base: String,
        /// The rebuilt file's name, or the refusal's code.
        expect: String,
    },
}

fn field<'v>(value: &'v Value, name: &str) -> &'v Value {
    value.get(name).unwrap_or(&Value::Null)
}

fn text(case: &Value, name: &str) -> String {
    field(case, name).as_str().unwrap_or_default().to_owned()
}

/// Every case of `cases.json`.
pub fn signed_cases() -> Vec<SignedCase> {
    let cases: Value = serde_json::from_slice(&signed_fixture("cases.json")).unwrap_or_default();
    cases
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|case| {
            if field(case, "delta").is_string() {
                return SignedCase::Delta {
                    delta: text(case, "delta"),
                    base: text(case, "base"),
                    expect: text(case, "expect"),
                };
            }
            let keys = field(case, "keys")
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default();
            SignedCase::Load {
                file: text(case, "file"),
                trust: Trust {
                    keys: keys
                        .iter()
                        .filter_map(|k| signed_key(k.as_str()?))
                        .collect(),
                    allow_unsigned: field(case, "allow_unsigned").as_bool().unwrap_or(false),
                    organization: field(case, "organization").as_str().map(str::to_owned),
                    min_revision: field(case, "min_revision").as_u64(),
                    max_age: field(case, "max_age").as_u64(),
                },
                now: field(case, "now").as_u64().unwrap_or_default(),
                expect: text(case, "expect"),
                revision: field(case, "revision").as_u64(),
            }
        })
        .collect()
}
