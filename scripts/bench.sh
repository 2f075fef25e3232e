#!/usr/bin/env bash
# The comparison with the peers, in one command: generates the S, M and L organizations,
# measures rolegate (native, wasmtime, npm) beside Cedar, Casbin, cedar-wasm, CASL and node
# casbin on them, then the control plane's write-to-decision latency (200 writes through the
# API on M, to the host and npm enforcement points, watching and polling), and writes
# BENCHMARKS.md. Usage: bash scripts/bench.sh [S,M,L] [WRITES]
# Takes a while on L (about half of it loading the peers); best run on an idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=${1:-S,M,L}
data=target/bench-data

(
  cd npm
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
  fi
  npm run build > /dev/null
)
# The benchmarks are their own workspace (bench/Cargo.toml); they share the main target dir.
bench=(--manifest-path bench/Cargo.toml --target-dir target)
# First, that the peers as modelled decide as the reference model does.
cargo test --release --locked "${bench[@]}"
cargo build --release --locked "${bench[@]}" --bins
target/release/rolegate-bench-data "$data" "$sizes"
target/release/rolegate-bench-peers "$data" "$sizes"
node bench/node/bench.mjs "$data" "$sizes"
target/release/rolegate-bench-sync "$data" "${2:-200}"
node bench/report.mjs "$data" BENCHMARKS.md
