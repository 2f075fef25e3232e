// Node (and Deno) entry: instantiates the engine from the packaged .wasm when imported — a
// synchronous file read, so there is nothing to await and nothing that can fail later.
import { readFileSync } from 'node:fs';
import { initSync } from '../dist/rolegate.js';
import { markReady } from './engine.js';

initSync({ module: readFileSync(new URL('../dist/rolegate_bg.wasm', import.meta.url)) });
markReady();

/** The engine is instantiated on import here; `init()` is the browser entry's, kept so code
 * written for both runs unchanged. */
export async function init() {}

export { Authorizer, CheckBatch } from './authorizer.js';
export { RolegateError } from './errors.js';
export { SnapshotLoader } from './loader.js';
