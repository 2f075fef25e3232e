// Builds the package's engine: the rolegate-wasm crate (feature `bindgen`) → wasm-opt -Oz
// (Debian's binaryen) → wasm-bindgen (the CLI version pinned by Cargo.lock, installed if
// missing). Output: dist/rolegate.js and dist/rolegate_bg.wasm. Cargo builds into
// CARGO_TARGET_DIR when set (default <repo>/target), so a separate target directory can build
// the wasm without waiting on another build's lock.
//
// wasm-opt runs before wasm-bindgen: Debian's binaryen (108) mistypes the externref table
// that wasm-bindgen adds, so optimising its output breaks instantiation.
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdirSync, statSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, dirname, resolve } from 'node:path';

const npmDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(npmDir, '..');
const dist = join(npmDir, 'dist');

function run(cmd, args, opts = {}) {
  console.log(`$ ${cmd} ${args.join(' ')}`);
  return execFileSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
}

function output(cmd, args) {
  try {
    return execFileSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
}

/** The wasm-bindgen version Cargo.lock pins: the CLI must match it exactly. */
function pinnedBindgen() {
  const lock = readFileSync(join(root, 'Cargo.lock'), 'utf8');
  const m = lock.match(/name = "wasm-bindgen"\nversion = "([^"]+)"/);
  if (!m) throw new Error('Cargo.lock does not pin wasm-bindgen');
  return m[1];
}

const version = pinnedBindgen();
if (!output('wasm-bindgen', ['--version']).includes(version)) {
  run('cargo', ['install', 'wasm-bindgen-cli', '--version', version]);
}
if (!output('rustup', ['target', 'list', '--installed']).split('\n').includes('wasm32-unknown-unknown')) {
  run('rustup', ['target', 'add', 'wasm32-unknown-unknown']);
}
if (!output('wasm-opt', ['--version'])) {
  throw new Error('wasm-opt not found: install binaryen (Debian: apt-get install binaryen)');
}

run('cargo', [
  'build', '--locked', '-p', 'rolegate-wasm', '--features', 'bindgen',
  '--target', 'wasm32-unknown-unknown', '--profile', 'wasm',
]);
mkdirSync(dist, { recursive: true });
const targetDir = process.env.CARGO_TARGET_DIR ? resolve(root, process.env.CARGO_TARGET_DIR) : join(root, 'target');
const built = join(targetDir, 'wasm32-unknown-unknown', 'wasm', 'rolegate_wasm.wasm');
const optimised = join(dist, 'rolegate_opt.wasm');
// The features rustc enables by default for wasm32-unknown-unknown, and SIMD (which
// .cargo/config.toml enables), spelled for binaryen.
run('wasm-opt', [
  '-Oz', '--converge', '--strip-debug', '--strip-producers',
  '--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext',
  '--enable-mutable-globals', '--enable-reference-types', '--enable-multivalue', '--enable-simd',
  built, '-o', optimised,
]);
run('wasm-bindgen', [
  optimised, '--out-dir', dist, '--out-name', 'rolegate', '--target', 'web',
  '--weak-refs', '--no-typescript',
]);
rmSync(optimised);
const wasm = join(dist, 'rolegate_bg.wasm');
console.log(`built ${wasm}: ${statSync(wasm).size} bytes`);
