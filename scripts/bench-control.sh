#!/usr/bin/env bash
# The control plane at scale, in one command: an admin operation in the core (S, M, L), the
# console's users search on 100,000 users, each stage of a publish, then through real servers
# the import of L, publishing at S/M/L, 16 writers on L on SQLite and PostgreSQL and two
# replicas, and write-to-decision at M and L with a crowd of watchers. Writes the figures into
# BENCHMARKS.md (its "control plane at scale" section). Takes about an hour; best run on an
# idle machine. Usage: bash scripts/bench-control.sh [WRITES] [WATCHERS]
set -euo pipefail
cd "$(dirname "$0")/.."

data=target/bench-data
writes=${1:-500}
watchers=${2:-5000}

(
  cd npm
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
  fi
  npm run build > /dev/null
)
# PostgreSQL for the writers and replicas: a throwaway cluster the harness starts itself.
compgen -G '/usr/lib/postgresql/*/bin/initdb' > /dev/null || command -v initdb > /dev/null || {
  sudo=$([ "$(id -u)" = 0 ] || echo sudo)
  $sudo apt-get update -qq && $sudo apt-get install -y -qq postgresql > /dev/null
}
bench=(--manifest-path bench/Cargo.toml --target-dir target)
cargo build --release --locked "${bench[@]}" --bins
# The import is timed as an administrator runs it: the rolegate-server binary, in its own process.
cargo build --release --locked "${bench[@]}" -p rolegate-server --bin rolegate-server
mkdir -p "$data"
target/release/rolegate-bench-admin "$data" S,M,L
target/release/rolegate-bench-search "$data"
target/release/rolegate-bench-publish "$data" S,M,L
target/release/rolegate-bench-control "$data" S,M,L
# Every watcher holds a connection: raise the open-file limit as far as allowed.
ulimit -n "$(ulimit -Hn)" 2> /dev/null || true
target/release/rolegate-bench-sync "$data" "$writes" M "$watchers"
target/release/rolegate-bench-sync "$data" "$writes" L "$watchers"
node bench/control-report.mjs "$data" BENCHMARKS.md
