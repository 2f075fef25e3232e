//! Keys and trust on the command line: keygen, sign, verify, and the key files they use.
//!
//! A key file is JSON: `{"key_id": "…", "public": "<64 hex>", "secret": "<64 hex>"}`; a
//! public key file is the same without `secret`. Give `verify` (and the loaders) public key
//! files; keep secret ones where snapshots are signed.

use std::path::Path;
use std::process::ExitCode;

use rolegate_core::{Trust, TrustedKey, public_key, sign};
use serde::{Deserialize, Serialize};

use crate::build::now;
use crate::failure::Failure;
use crate::files::write_atomic;
use crate::output::{print, print_json};

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyFile {
    pub key_id: String,
    pub public: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex32(path: &Path, field: &str, text: &str) -> Result<[u8; 32], Failure> {
    let bad = || Failure::in_file(path, format!("`{field}` must be 64 hex digits"));
    if text.len() != 64 || !text.is_ascii() {
        return Err(bad());
    }
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(text.get(2 * i..2 * i + 2).ok_or_else(bad)?, 16)
            .map_err(|_| bad())?;
    }
    Ok(out)
}

fn read_key_file(path: &Path) -> Result<KeyFile, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| Failure::in_file(path, e))?;
    serde_json::from_str(&text).map_err(|e| Failure::in_file(path, e))
}

/// A secret key file: (key id, secret).
pub fn read_secret(path: &Path) -> Result<(String, [u8; 32]), Failure> {
    let file = read_key_file(path)?;
    let secret = file
        .secret
        .as_deref()
        .ok_or_else(|| Failure::in_file(path, "not a secret key file (no `secret`)"))?;
    let secret = unhex32(path, "secret", secret)?;
    if hex(&public_key(&secret)) != file.public {
        return Err(Failure::in_file(path, "`public` does not match `secret`"));
    }
    Ok((file.key_id, secret))
}

/// A trusted public key from a key file (secret or public).
pub fn read_trusted(path: &Path) -> Result<TrustedKey, Failure> {
    let file = read_key_file(path)?;
    Ok(TrustedKey {
        public: unhex32(path, "public", &file.public)?,
        id: file.key_id,
    })
}

pub fn keygen(key_id: &str, output: &Path) -> Result<ExitCode, Failure> {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret)
        .map_err(|e| Failure::new(format!("no randomness for a key: {e}")))?;
    let file = KeyFile {
        key_id: key_id.into(),
        public: hex(&public_key(&secret)),
        secret: Some(hex(&secret)),
    };
    let text = serde_json::to_string_pretty(&file).map_err(|e| Failure::new(e.to_string()))?;
    write_atomic(output, format!("{text}\n").as_bytes())?;
    let public = KeyFile {
        secret: None,
        ..file
    };
    print_json(&public)?;
    Ok(ExitCode::SUCCESS)
}

pub fn run_sign(snapshot: &Path, key: &Path, output: &Path) -> Result<ExitCode, Failure> {
    let bytes = std::fs::read(snapshot).map_err(|e| Failure::in_file(snapshot, e))?;
    let (key_id, secret) = read_secret(key)?;
    let signed = sign(&bytes, &key_id, &secret).map_err(|e| Failure::in_file(snapshot, e))?;
    write_atomic(output, &signed)?;
    print(&format!(
        "signed {} with key {key_id} → {}\n",
        snapshot.display(),
        output.display()
    ));
    Ok(ExitCode::SUCCESS)
}

/// The trust `verify` and the trusting commands build from their flags.
pub fn trust(
    keys: &[std::path::PathBuf],
    organization: Option<&str>,
    min_revision: Option<u64>,
    max_age: Option<u64>,
) -> Result<Trust, Failure> {
    Ok(Trust {
        keys: keys
            .iter()
            .map(|k| read_trusted(k))
            .collect::<Result<_, _>>()?,
        organization: organization.map(str::to_owned),
        min_revision,
        max_age,
    })
}

pub fn run_verify(snapshot: &Path, trust: &Trust, json: bool) -> Result<ExitCode, Failure> {
    let bytes = std::fs::read(snapshot).map_err(|e| Failure::in_file(snapshot, e))?;
    match trust.verify(&bytes, now()) {
        Ok(meta) => {
            if json {
                print_json(&serde_json::json!({
                    "trusted": true, "organization": meta.organization,
                    "revision": meta.revision, "key_id": meta.key_id,
                }))?;
            } else {
                print(&format!(
                    "{}: trusted — organization {}, revision {}, signed by {}\n",
                    snapshot.display(),
                    meta.organization,
                    meta.revision,
                    meta.key_id
                        .as_deref()
                        .unwrap_or("nobody (no keys required)")
                ));
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            if json {
                print_json(
                    &serde_json::json!({ "trusted": false, "code": e.code(), "error": e.to_string() }),
                )?;
            }
            Err(Failure::in_file(snapshot, format!("{e} ({})", e.code())))
        }
    }
}
