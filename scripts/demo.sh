#!/usr/bin/env bash
# The newcomer's first command: the control plane with the demo organization (Acme) and its
# management console. Builds what the console needs when it is missing or stale — the npm
# package's engine, the console itself — then starts `rolegate serve --demo`, which prints
# the console's URL. Extra arguments go to `rolegate serve` (e.g. --listen 127.0.0.1:9000).
# Usage: bash scripts/demo.sh [serve options]
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '%s\n' "$*" >&2; }

# True when $1 is missing or any file under the other paths is newer than it.
stale() {
  local built=$1
  shift
  [ ! -e "$built" ] && return 0
  [ -n "$(find "$@" -newer "$built" -type f -print -quit 2> /dev/null)" ]
}

command -v npm > /dev/null || { say "demo: npm is needed (Debian: apt-get install nodejs npm)"; exit 2; }

# The npm package's engine (rolegate_bg.wasm) is the core compiled to wasm: rebuilt when the
# core or its shims changed since, so the console never meets a snapshot format it cannot read.
if stale npm/dist/rolegate_bg.wasm core/src wasm/src wasm/Cargo.toml npm/scripts/build.mjs; then
  if ! command -v wasm-opt > /dev/null; then
    say "demo: installing Debian's binaryen (wasm-opt) for the npm build"
    sudo=$([ "$(id -u)" = 0 ] || echo sudo)
    $sudo apt-get update -qq && $sudo apt-get install -y -qq binaryen > /dev/null
  fi
  say "demo: building the npm package's engine"
  (cd npm && { [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error; } && npm run build --silent)
fi

# The console: installed when its lock changed, built when anything it is made of changed.
(
  cd console
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "demo: installing the console's packages"
    npm ci --no-audit --no-fund --loglevel=error
  fi
  if stale dist/index.html src index.html vite.config.ts package.json package-lock.json ../npm/src ../npm/dist; then
    say "demo: building the console"
    npm run build --silent > /dev/null
  fi
)

exec cargo run -q -p rolegate-cli -- serve --demo "$@"
