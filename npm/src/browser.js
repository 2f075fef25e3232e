// Browser and bundler entry. Importing it does no work: the engine is fetched and instantiated
// by `init()` (or on demand by `Authorizer.load` and `SnapshotLoader`), so a failure — a
// Content-Security-Policy without 'wasm-unsafe-eval', a wrong URL, a 403 — is a promise the
// caller catches, not a module that fails to import. There is no top-level await either,
// which older bundler targets (Vite 6's default, Safari 14) refuse.
import initWasm from '../dist/rolegate.js';
import { isReady, markReady, setInstantiate } from './engine.js';
import { RolegateError, asRolegateError } from './errors.js';
import { ENGINE, checkStatus, checkBytes } from './http.js';

let loading = null;

/**
 * Fetches and instantiates the engine, once; later calls return the same promise (or, after a
 * failure, try again). Rejects with a RolegateError: `http-status`, `unexpected-content`,
 * `fetch-failed` or `engine-unavailable`.
 * @param {{ wasm?: string | URL | Response | BufferSource | WebAssembly.Module, fetch?: typeof fetch }} [options]
 *   `wasm`: where the engine is, when not beside this file (`rolegate/rolegate.wasm`)
 */
export function init(options = {}) {
  if (isReady()) return Promise.resolve();
  loading ??= instantiate(options ?? {}).then(markReady, (e) => {
    loading = null;
    throw e;
  });
  return loading;
}

setInstantiate(init);

async function instantiate({ wasm, fetch = globalThis.fetch }) {
  let source = wasm ?? new URL('../dist/rolegate_bg.wasm', import.meta.url);
  if (typeof source === 'string' || source instanceof URL) {
    const url = String(source);
    try {
      source = await fetch(url);
    } catch (e) {
      throw new RolegateError('fetch-failed', `request for ${ENGINE.name} at ${url} failed: ${e?.message ?? e}`, { cause: e });
    }
  }
  if (typeof Response !== 'undefined' && source instanceof Response) {
    try {
      checkStatus(source, source.url, ENGINE);
      // Streaming compilation needs the wasm type; anything else is read and looked at first,
      // so an HTML fallback is named as such rather than as "expected magic word 00 61 73 6d".
      if (source.headers.get('content-type')?.split(';')[0].trim() !== 'application/wasm') {
        const bytes = new Uint8Array(await source.arrayBuffer());
        checkBytes(bytes, source, source.url, ENGINE);
        source = bytes;
      }
    } catch (e) {
      throw prebundled(e, source.url);
    }
  }
  try {
    await initWasm({ module_or_path: source });
  } catch (e) {
    throw engineUnavailable(e);
  }
}

/** Vite 6 and 7's dev server pre-bundles dependencies into node_modules/.vite, away from
 * their assets: say what to configure rather than leave people with a missing file. */
function prebundled(e, url) {
  if (!/\/node_modules\/\.vite\//.test(url ?? '')) return e;
  return new RolegateError(e.code, `${e.message} (Vite pre-bundled rolegate away from its wasm: add optimizeDeps: { exclude: ['rolegate'] } to vite.config)`, { cause: e });
}

function engineUnavailable(e) {
  const message = asRolegateError(e).message;
  const csp = /content.security.policy|unsafe-eval|\bCSP\b/i.test(message);
  return new RolegateError('engine-unavailable', csp
    ? `the page's Content-Security-Policy does not allow WebAssembly: add 'wasm-unsafe-eval' to script-src (${message})`
    : `${ENGINE.name} could not be compiled or instantiated: ${message}`, { cause: e });
}

export { Authorizer, CheckBatch } from './authorizer.js';
export { RolegateError } from './errors.js';
export { SnapshotLoader } from './loader.js';
