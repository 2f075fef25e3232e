//! Builds the guest so that the host crate works from a fresh clone with plain `cargo build`:
//! the `rolegate-wasm` crate for `wasm32-unknown-unknown` with feature `abi` (the guest the
//! host embeds) and with `faults` (the deliberately faulty guest its tests use), in a nested
//! cargo invocation with its own target directory.

// A build script reports failure by panicking.
#![allow(clippy::expect_used, clippy::panic, clippy::unwrap_used)]

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "wasm32-unknown-unknown";

fn main() {
    let manifest_dir =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let workspace = manifest_dir
        .parent()
        .expect("host-wasmtime/ sits in the workspace")
        .to_path_buf();
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    // Shared by every profile of the host, so the guest's dependencies build once.
    // A relative CARGO_TARGET_DIR is relative to where cargo was run (the workspace, as the
    // README's commands run it), not to this script's directory.
    let target_dir = env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace.join("target"), |dir| workspace.join(dir))
        .join("guest");

    for dir in [
        "core/src",
        "core/Cargo.toml",
        "wasm/src",
        "wasm/Cargo.toml",
        "Cargo.lock",
        "Cargo.toml",
    ] {
        println!("cargo:rerun-if-changed={}", workspace.join(dir).display());
    }

    for (features, name) in [
        ("abi", "rolegate_guest.wasm"),
        ("abi,faults", "rolegate_guest_faulty.wasm"),
    ] {
        let dir = target_dir.join(features.replace(',', "-"));
        // A build script never changes the toolchain: a missing target is the caller's to add.
        assert!(
            build(&workspace, &dir, features),
            "building the rolegate guest failed; if the {TARGET} target is missing, add it with `rustup target add {TARGET}`"
        );
        let built = dir.join(TARGET).join("guest").join("rolegate_wasm.wasm");
        std::fs::copy(&built, out.join(name))
            .unwrap_or_else(|e| panic!("copying {}: {e}", built.display()));
    }
}

fn build(workspace: &Path, target_dir: &Path, features: &str) -> bool {
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(workspace)
        .args([
            "build",
            "-p",
            "rolegate-wasm",
            "--lib",
            "--profile",
            "guest",
            "--target",
            TARGET,
        ])
        .args(["--features", features])
        .arg("--target-dir")
        .arg(target_dir);
    // The outer build's flags are for the host, not the guest.
    for var in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
    ] {
        command.env_remove(var);
    }
    command.status().is_ok_and(|s| s.success())
}
