// Types of `rolegate/edge`: the same API, initialised from a precompiled WebAssembly.Module.
export * from './index.js';

/** Instantiates the engine from the module your platform gives for `rolegate/rolegate.wasm`
 * (`init({ wasm: module })` does the same). */
export function initialize(module: WebAssembly.Module): void;
