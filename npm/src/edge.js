// Edge entry (Cloudflare Workers / workerd, Deno Deploy, Vercel Edge): these runtimes forbid
// compiling wasm from bytes at run time, so the caller hands over the precompiled
// WebAssembly.Module its platform gives for `import wasm from "rolegate/rolegate.wasm"`.
import { initSync } from '../dist/rolegate.js';
import { markReady, isReady } from './engine.js';
import { RolegateError, asRolegateError } from './errors.js';

/** Instantiates the engine from a precompiled module. Safe to call more than once. */
export function initialize(module) {
  if (isReady()) return;
  if (!(module instanceof WebAssembly.Module)) {
    throw new RolegateError('bad-argument', 'initialize() takes the precompiled WebAssembly.Module of rolegate.wasm');
  }
  try {
    initSync({ module });
  } catch (e) {
    throw new RolegateError('engine-unavailable', `the engine could not be instantiated: ${asRolegateError(e).message}`, { cause: e });
  }
  markReady();
}

/** `initialize` in the shape of the browser entry's `init`, so code written for both runs
 * unchanged: `await init({ wasm })` with the precompiled module. */
export async function init(options = {}) {
  initialize(options?.wasm);
}

export { Authorizer, CheckBatch } from './authorizer.js';
export { RolegateError } from './errors.js';
export { SnapshotLoader } from './loader.js';
