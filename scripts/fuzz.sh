#!/usr/bin/env bash
# Runs every cargo-fuzz target for a while, each seeded from the repository's fixtures.
# Usage: bash scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]   (default: 30 s, all targets)
# A crash leaves its input in fuzz/artifacts/TARGET/ and fails the run; reproduce it with
#   cargo +nightly fuzz run TARGET fuzz/artifacts/TARGET/crash-…
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-30}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(snapshot_decode payload_decode trusted_verify delta_apply policy_compile reference_vs_engine guest_abi)
fi

rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
# The guest_abi target embeds the wasm guest, which rolegate-host's build script compiles with
# the same (nightly) toolchain: it needs the wasm target too.
rustup target list --installed --toolchain nightly | grep -qx wasm32-unknown-unknown \
  || rustup target add --toolchain nightly wasm32-unknown-unknown
command -v cargo-fuzz > /dev/null || cargo install cargo-fuzz --locked

# Seeds: real snapshots, signed ones, a delta, policies — and, for the payload decoder, the
# payloads cut out of real envelopes (the payload is the envelope's last, length-prefixed field).
seed() {
  local dir=fuzz/corpus/$1
  shift
  mkdir -p "$dir"
  for f in "$@"; do cp -f "$f" "$dir/seed-$(basename "$f")"; done
}
snapshots=(tests/fixtures/acme-r1.rgs tests/fixtures/signed/*.rgs tests/conformance/v1/*.rgs)
policies=(examples/policies/acme.json tests/conformance/v1/*.policy.json)
seed snapshot_decode "${snapshots[@]}"
seed trusted_verify "${snapshots[@]}"
seed delta_apply tests/fixtures/signed/*.rgd "${snapshots[@]}"
seed policy_compile "${policies[@]}"
seed reference_vs_engine tests/fixtures/acme-r1.rgs
seed guest_abi tests/fixtures/acme-r1.rgs tests/fixtures/signed/*.rgd
mkdir -p fuzz/corpus/payload_decode
node -e '
  const fs = require("fs"), path = require("path");
  for (const file of process.argv.slice(1)) {
    const b = fs.readFileSync(file);
    for (let i = 0; i < b.length; i++) {
      let n = 0, shift = 0, j = i;
      while (j < b.length && b[j] & 0x80 && shift < 28) n |= (b[j++] & 0x7f) << shift, shift += 7;
      if (j >= b.length) break;
      n |= b[j++] << shift;
      if (n > 0 && j + n === b.length) {
        fs.writeFileSync(path.join("fuzz/corpus/payload_decode", "seed-" + path.basename(file)), b.subarray(j));
        break;
      }
    }
  }' "${snapshots[@]}"

cargo +nightly fuzz build -O
mkdir -p target/fuzz-logs
for target in "${targets[@]}"; do
  printf '\n== fuzz %s for %s s\n' "$target" "$seconds"
  log=target/fuzz-logs/$target.log
  if ! cargo +nightly fuzz run -O "$target" -- -max_total_time="$seconds" -print_final_stats=1 > "$log" 2>&1; then
    tail -n 60 "$log" >&2
    echo "fuzz target $target failed; its input is in fuzz/artifacts/$target/" >&2
    exit 1
  fi
  grep -E '^(Done [0-9]+ runs|stat::number_of_executed_units|stat::peak_rss_mb|INFO: seed corpus)' "$log" || true
done
