// Browser and bundler entry: fetches and instantiates the engine (top-level await), so
// `Authorizer` is usable as soon as the import resolves.
import init from '../dist/rolegate.js';
import { markReady } from './authorizer.js';

await init({ module_or_path: new URL('../dist/rolegate_bg.wasm', import.meta.url) });
markReady();

export { Authorizer, RolegateError } from './authorizer.js';
export { SnapshotLoader } from './loader.js';
