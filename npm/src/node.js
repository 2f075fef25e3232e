// Node (and Deno) entry: instantiates the engine from the packaged .wasm at import time.
import { readFileSync } from 'node:fs';
import { initSync } from '../dist/rolegate.js';
import { markReady } from './authorizer.js';

initSync({ module: readFileSync(new URL('../dist/rolegate_bg.wasm', import.meta.url)) });
markReady();

export { Authorizer, RolegateError } from './authorizer.js';
export { SnapshotLoader } from './loader.js';
