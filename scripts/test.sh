#!/usr/bin/env bash
# Everything CI runs, in one command. Installs what it needs and is quick when it is
# already there. Usage: bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "toolchain targets"
for target in wasm32-unknown-unknown wasm32v1-none; do
  rustup target list --installed | grep -qx "$target" || rustup target add "$target"
done

step "format"
cargo fmt --all --check

step "clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "rolegate-core without std"
# wasm32v1-none has no std at all: this build is the proof that the core needs none.
cargo build -p rolegate-core --locked --release --target wasm32v1-none
cargo build -p rolegate-core --locked --release --target wasm32-unknown-unknown

step "tests"
cargo test --workspace --locked

step "demo"
cargo run -q --locked -p rolegate-cli -- demo > /dev/null

printf '\nall checks passed\n'
