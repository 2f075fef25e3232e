// Edge entry (Cloudflare Workers / workerd, Deno Deploy, Vercel Edge): these runtimes forbid
// compiling wasm from bytes at run time, so the caller hands over the precompiled
// WebAssembly.Module its platform gives for `import wasm from "rolegate/rolegate.wasm"`.
import { initSync } from '../dist/rolegate.js';
import { markReady, isReady, RolegateError } from './authorizer.js';

/** Instantiates the engine from a precompiled module. Safe to call more than once. */
export function initialize(module) {
  if (isReady()) return;
  if (!(module instanceof WebAssembly.Module)) {
    throw new RolegateError('bad-argument', 'initialize() takes the precompiled WebAssembly.Module of rolegate.wasm');
  }
  initSync({ module });
  markReady();
}

export { Authorizer, RolegateError } from './authorizer.js';
export { SnapshotLoader } from './loader.js';
