// Builds every bundler fixture from the package as users get it: `npm pack` makes the tarball,
// each fixture installs its own pinned tools (`npm ci`, only when its lock changed), the
// tarball is unpacked as its node_modules/rolegate — what `npm install rolegate-….tgz` puts
// there, without npm re-resolving the fixture's tree — and the fixture builds.
//   node test/bundlers/prepare.mjs      (the bundlers test calls it first)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, dirname } from 'node:path';

export const bundlersDir = dirname(fileURLToPath(import.meta.url));
const npmDir = join(bundlersDir, '..', '..');
export const FIXTURES = ['plain', 'vite6', 'webpack5', 'react-vite'];

const quiet = { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' };

/** `npm pack` of the package: the tarball's path and the files it holds. */
export function pack() {
  const dest = join(bundlersDir, '.pack');
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  const [info] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', dest], { ...quiet, cwd: npmDir }));
  return { tarball: join(dest, info.filename), files: info.files.map((f) => ({ path: f.path, size: f.size })), size: info.size };
}

function install(dir, tarball) {
  const lock = join(dir, 'package-lock.json');
  const installed = join(dir, 'node_modules', '.package-lock.json');
  if (!existsSync(installed) || statSync(lock).mtimeMs > statSync(installed).mtimeMs) {
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { ...quiet, cwd: dir });
  }
  const target = join(dir, 'node_modules', 'rolegate');
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', target, '--strip-components=1'], quiet);
}

/** Packs, installs and builds every fixture; returns the pack and each build's seconds. */
export function prepare() {
  const packed = pack();
  const seconds = {};
  for (const name of FIXTURES) {
    const dir = join(bundlersDir, name);
    const started = performance.now();
    install(dir, packed.tarball);
    if (name !== 'plain') execFileSync('npm', ['run', '--silent', 'build'], { ...quiet, cwd: dir });
    seconds[name] = (performance.now() - started) / 1000;
  }
  return { ...packed, seconds };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { files, seconds } = prepare();
  console.log(files.map((f) => `${f.path} ${f.size}`).join('\n'));
  console.log(seconds);
}
