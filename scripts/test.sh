#!/usr/bin/env bash
# Everything CI runs, in one command. Installs what it needs and is quick when it is
# already there. Usage: bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "system packages"
# binaryen (wasm-opt) for the npm build, Chromium for the browser test, nginx for the host's
# sync tests, PostgreSQL for the server's (they start a throwaway cluster): Debian's own.
missing=()
compgen -G '/usr/lib/postgresql/*/bin/initdb' > /dev/null || command -v initdb > /dev/null || missing+=(postgresql)
command -v wasm-opt > /dev/null || missing+=(binaryen)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v nginx > /dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=$([ "$(id -u)" = 0 ] || echo sudo)
  $sudo apt-get update -qq && $sudo apt-get install -y -qq "${missing[@]}" > /dev/null
fi

step "toolchain targets"
for target in wasm32-unknown-unknown wasm32v1-none; do
  rustup target list --installed | grep -qx "$target" || rustup target add "$target"
done

step "format"
cargo fmt --all --check
cargo fmt --manifest-path fuzz/Cargo.toml --check
cargo fmt --manifest-path bench/Cargo.toml --check

step "clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
# The benchmarks are their own workspace (their peers' features stay out of the product's
# build); checked here so they keep building. scripts/bench.sh runs them.
cargo clippy --manifest-path bench/Cargo.toml --target-dir target --all-targets --locked -- -D warnings

step "rolegate-core without std"
# wasm32v1-none has no std at all: this build is the proof that the core needs none.
cargo build -p rolegate-core --locked --release --target wasm32v1-none
cargo build -p rolegate-core --locked --release --target wasm32-unknown-unknown
cargo clippy -p rolegate-wasm --features bindgen --target wasm32-unknown-unknown --locked -- -D warnings
cargo clippy -p rolegate-wasm --features abi,faults --target wasm32-unknown-unknown --locked -- -D warnings

step "tests"
# The host's sync tests start nginx from PATH; Debian installs it under /usr/sbin. The server's
# run on SQLite files and on a PostgreSQL cluster they create (initdb/pg_ctl, 127.0.0.1).
PATH="$PATH:/usr/sbin" cargo test --workspace --locked

step "npm package: install, build, size budget, types"
(
  cd npm
  # npm ci only when the lock file changed since the last install.
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
  fi
  npm run build
  npm run size
  npm run types
)

step "npm package: node, workerd and Chromium tests, bundler fixtures from the packed tarball"
# test/bundlers.test.mjs packs the package and builds each fixture app (npm ci in a fixture only
# when its lock changed) with Vite 6, the current Vite, webpack 5 and no bundler.
# The random differential: 200 organizations × 1,000 requests, the same ones the host test
# generates in-process; Node must give the native decisions for all 200,000.
cargo run -q --locked -p rolegate-tests --bin rolegate-vectors -- target/vectors 200 1000 2026
(cd npm && npm test)

step "console: install, types, build, Chromium tests"
# The management console (React + Vite) against a real rolegate serve on SQLite in Debian's
# Chromium: every seed flow by clicking and by keyboard, refusals, the live update, axe-core.
(
  cd console
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
  fi
  npm run types
  npm run build
  npm test
)

step "fuzz smoke: every target, 30 s each"
# Long runs: bash scripts/fuzz.sh 3600
bash scripts/fuzz.sh 30

step "demo"
cargo run -q --locked -p rolegate-cli -- demo > /dev/null

printf '\nall checks passed\n'
