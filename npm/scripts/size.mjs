// Measures the optimised wasm (raw and gzip -9) and enforces the size budget:
// at most 110 KB raw and 49 KB gzipped (about 107 / 48 KB today: no serde-wasm-bindgen, js-sys
// or std in the npm engine, fat LTO, answers as compact byte strings).
// Prints cedar-wasm's sizes beside ours when installed.
import { readFileSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { join, dirname } from 'node:path';

const npmDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const KB = 1024;
const BUDGET = { raw: 110 * KB, gzip: 49 * KB };

export function measure(path) {
  const bytes = readFileSync(path);
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

const ours = measure(join(npmDir, 'dist', 'rolegate_bg.wasm'));
const cedarPath = join(npmDir, 'node_modules', '@cedar-policy', 'cedar-wasm', 'web', 'cedar_wasm_bg.wasm');
const cedar = existsSync(cedarPath) ? measure(cedarPath) : null;
const kb = (n) => `${(n / KB).toFixed(1)} KB`;
console.log(`rolegate wasm: ${kb(ours.raw)} raw, ${kb(ours.gzip)} gzip -9 (budget ${kb(BUDGET.raw)} / ${kb(BUDGET.gzip)})`);
if (cedar) {
  console.log(`cedar-wasm:    ${kb(cedar.raw)} raw, ${kb(cedar.gzip)} gzip -9 (${(cedar.raw / ours.raw).toFixed(1)}× / ${(cedar.gzip / ours.gzip).toFixed(1)}× ours)`);
}
// What a page downloads before its first decision: the browser entry's modules and the wasm.
const browserJs = ['browser.js', 'authorizer.js', 'loader.js', 'engine.js', 'errors.js', 'http.js', 'values.js']
  .map((f) => join(npmDir, 'src', f)).concat(join(npmDir, 'dist', 'rolegate.js'))
  .map(measure).reduce((a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip }));
console.log(`first load (browser entry JS + wasm): JS ${kb(browserJs.raw)} (${kb(browserJs.gzip)} gzip), total ${kb(browserJs.gzip + ours.gzip)} gzip -9, each file compressed alone`);
if (ours.raw > BUDGET.raw || ours.gzip > BUDGET.gzip) {
  console.error('rolegate wasm is over its size budget');
  process.exit(1);
}
