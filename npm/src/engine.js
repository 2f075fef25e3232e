// Whether the wasm engine is instantiated, and how the entry point in use instantiates it on
// demand: the browser entry fetches it (`init`), the Node entry instantiates it when imported,
// the edge entry only from the module its platform compiled (`initialize`).
import { RolegateError } from './errors.js';

let ready = false;
let instantiate = null;

/** Called by each entry point once the wasm engine is instantiated. */
export function markReady() {
  ready = true;
}

export function isReady() {
  return ready;
}

/** The entry point's way to instantiate the engine when it is first needed. */
export function setInstantiate(load) {
  instantiate = load;
}

export function notInitialized() {
  return new RolegateError('not-initialized', instantiate
    ? 'the wasm engine is not initialised yet: await init() (or use Authorizer.load) before Authorizer.fromSnapshot'
    : 'the wasm engine is not initialised: call initialize(module) from "rolegate/edge" first');
}

/** Resolves once the engine is ready, instantiating it the entry's way; rejects with a
 * RolegateError when it cannot be. `options` go to the entry's instantiation (`wasm`). */
export async function ensureEngine(options) {
  if (ready) return;
  if (instantiate === null) throw notInitialized();
  await instantiate(options);
}
