//! Keys and trust on the command line: keygen, sign, verify, and the key files they use.
//!
//! A key file is JSON: `{"key_id": "…", "public": "<64 hex>", "secret": "<64 hex>"}`; a
//! public key file is the same without `secret`. Give `verify` (and the loaders) public key
//! files; keep secret ones where snapshots are signed.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use rolegate_core::{Trust, TrustedKey, public_key, sign as sign_snapshot};
use serde::{Deserialize, Serialize};

use crate::args::{Format, TrustArgs};
use crate::clock::now;
use crate::failure::Failure;
use crate::files::{write_atomic, write_secret};
use crate::output::{print, print_json};

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// The key id snapshots will name.
    #[arg(long)]
    key_id: String,
    /// Where to write the secret key file (created new, mode 0600).
    #[arg(short, long)]
    output: PathBuf,
}

#[derive(Debug, Args)]
pub struct SignArgs {
    /// The snapshot.
    snapshot: PathBuf,
    /// The secret key file.
    #[arg(long)]
    key: PathBuf,
    /// Where to write the signed snapshot.
    #[arg(short, long)]
    output: PathBuf,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The snapshot.
    snapshot: PathBuf,
    #[command(flatten)]
    trust: TrustArgs,
    #[command(flatten)]
    format: Format,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyFile {
    pub key_id: String,
    pub public: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

fn hex(bytes: &[u8]) -> String {
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

/// Refuses a secret key file that anyone but its owner can read, as ssh does: whoever can
/// read it can sign snapshots every client trusts.
#[cfg(unix)]
fn private_to_owner(path: &Path) -> Result<(), Failure> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map_err(|e| Failure::in_file(path, e))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(Failure::in_file(
            path,
            format!(
                "the secret key file is readable by others (mode {:o}); it must be private to its owner: `chmod 600 {}`",
                mode & 0o777,
                path.display()
            ),
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn private_to_owner(_: &Path) -> Result<(), Failure> {
    Ok(())
}

/// A secret key file: (key id, secret).
pub fn read_secret(path: &Path) -> Result<(String, [u8; 32]), Failure> {
    let file = read_key_file(path)?;
    if file.secret.is_some() {
        private_to_owner(path)?;
    }
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

pub fn keygen(args: &KeygenArgs) -> Result<ExitCode, Failure> {
    let (key_id, output) = (&args.key_id, &args.output);
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret)
        .map_err(|e| Failure::new(format!("no randomness for a key: {e}")))?;
    let file = KeyFile {
        key_id: key_id.into(),
        public: hex(&public_key(&secret)),
        secret: Some(hex(&secret)),
    };
    let text = serde_json::to_string_pretty(&file).map_err(|e| Failure::new(e.to_string()))?;
    write_secret(output, format!("{text}\n").as_bytes())?;
    let public = KeyFile {
        secret: None,
        ..file
    };
    print_json(&public)?;
    Ok(ExitCode::SUCCESS)
}

pub fn sign(args: &SignArgs) -> Result<ExitCode, Failure> {
    let (snapshot, key, output) = (&args.snapshot, &args.key, &args.output);
    let bytes = std::fs::read(snapshot).map_err(|e| Failure::in_file(snapshot, e))?;
    let (key_id, secret) = read_secret(key)?;
    let signed =
        sign_snapshot(&bytes, &key_id, &secret).map_err(|e| Failure::in_file(snapshot, e))?;
    write_atomic(output, &signed)?;
    print(&format!(
        "signed {} with key {key_id} → {}\n",
        snapshot.display(),
        output.display()
    ));
    Ok(ExitCode::SUCCESS)
}

/// The trust `verify` and the trusting commands build from their flags.
pub fn trust(args: &TrustArgs) -> Result<Trust, Failure> {
    Ok(Trust {
        keys: args
            .keys
            .iter()
            .map(|k| read_trusted(k))
            .collect::<Result<_, _>>()?,
        allow_unsigned: args.allow_unsigned,
        organization: args.organization.clone(),
        min_revision: args.min_revision,
        max_age: args.max_age,
    })
}

pub fn verify(args: &VerifyArgs) -> Result<ExitCode, Failure> {
    let (snapshot, json) = (&args.snapshot, args.format.json);
    let trust = trust(&args.trust)?;
    let bytes = std::fs::read(snapshot).map_err(|e| Failure::in_file(snapshot, e))?;
    match trust.verify(&bytes, now()) {
        Ok(meta) => {
            // With no keys, only --allow-unsigned gets here: nothing about the signer is known.
            let verified_by = (!trust.keys.is_empty())
                .then_some(meta.key_id.as_deref())
                .flatten();
            if json {
                print_json(&serde_json::json!({
                    "trusted": true, "organization": meta.organization,
                    "revision": meta.revision, "signature_verified": verified_by.is_some(),
                    "key_id": verified_by,
                }))?;
            } else {
                print(&format!(
                    "{}: trusted — organization {}, revision {}, {}\n",
                    snapshot.display(),
                    meta.organization,
                    meta.revision,
                    verified_by.map_or_else(
                        || "signature NOT checked (--allow-unsigned and no --trust)".to_owned(),
                        |k| format!("signed by {k} (verified)")
                    )
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
            let hint = if e.code() == rolegate_core::ffi::Code::NoTrustedKeys {
                ": give --trust KEY_FILE (or --allow-unsigned to check nothing)"
            } else {
                ""
            };
            Err(Failure::in_file(
                snapshot,
                format!("{e} ({}){hint}", e.code()),
            ))
        }
    }
}
