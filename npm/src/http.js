// What an HTTP answer must be before its bytes go to the engine: a success, and the artifact
// asked for rather than a web page. Dev servers and single-page-app fallbacks answer unknown
// paths with index.html (status 200); reporting that as "bad magic" sends people looking for
// a damaged snapshot instead of a wrong URL.
import { RolegateError } from './errors.js';

/** The artifacts the package fetches, each with the bytes it begins with. */
export const SNAPSHOT = { name: 'a snapshot', magic: [0x89, 0x52, 0x47, 0x53] }; // \x89RGS
export const DELTA = { name: 'a delta', magic: [0x89, 0x52, 0x47, 0x44] }; // \x89RGD
export const ENGINE = { name: "rolegate's engine (rolegate_bg.wasm)", magic: [0x00, 0x61, 0x73, 0x6d] }; // \0asm

function contentType(response) {
  return response.headers.get('content-type')?.split(';')[0].trim().toLowerCase() || null;
}

function begins(bytes, magic) {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}

/** A text type (HTML, JSON, XML, plain text): what an error page or a fallback sends. */
function isTextType(type) {
  return type !== null && (type.startsWith('text/') || type.endsWith('json') || type.endsWith('xml'));
}

/** Whether the first bytes look like markup or JSON (after any whitespace). */
function looksLikeText(bytes) {
  for (let i = 0; i < Math.min(bytes.length, 64); i += 1) {
    const c = bytes[i];
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0xef || c === 0xbb || c === 0xbf) continue;
    return c === 0x3c /* < */ || c === 0x7b /* { */;
  }
  return false;
}

function what(type) {
  if (type === 'text/html') return 'HTML';
  return type ?? 'text';
}

/** Refuses a non-2xx answer (`http-status`) or, before any body is read, one that declares
 * itself HTML (`unexpected-content`). */
export function checkStatus(response, url, artifact) {
  if (!response.ok) {
    throw new RolegateError('http-status', `${url} answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''} where ${artifact.name} was expected`);
  }
  const type = contentType(response);
  if (type === 'text/html') throw unexpected(response, url, artifact, type);
}

/** Refuses bytes that are not the artifact but a page or a JSON answer
 * (`unexpected-content`); anything else goes to the engine, which names what is wrong. */
export function checkBytes(bytes, response, url, artifact) {
  if (begins(bytes, artifact.magic)) return;
  const type = contentType(response);
  if (isTextType(type) || looksLikeText(bytes)) throw unexpected(response, url, artifact, type);
}

function unexpected(response, url, artifact, type) {
  return new RolegateError('unexpected-content',
    `got ${what(type)} (status ${response.status}, ${type ?? 'no content type'}) where ${artifact.name} was expected from ${url}: `
    + 'a dev server or a single-page-app fallback answers unknown paths with its index.html — is the file where the URL says?');
}

/** GET `url` as `artifact`: its bytes, or a RolegateError (`http-status`,
 * `unexpected-content`, `fetch-failed`, `timeout`, `snapshot-too-large`). */
export async function fetchArtifact(url, artifact, options = {}) {
  const { fetch = globalThis.fetch, headers, signal, timeoutMs = 10_000, maxBytes = 256 << 20 } = options;
  const timeout = AbortSignal.timeout(timeoutMs);
  const both = signal ? anySignal([signal, timeout]) : timeout;
  let response;
  let bytes;
  try {
    response = await fetch(url, { headers, signal: both });
    checkStatus(response, url, artifact);
    const length = Number(response.headers.get('content-length'));
    if (length > maxBytes) throw new RolegateError('snapshot-too-large', `${url} is ${length} bytes; the limit is ${maxBytes}`);
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch (e) {
    if (e instanceof RolegateError) throw e;
    const code = timeout.aborted ? 'timeout' : 'fetch-failed';
    throw new RolegateError(code, `request for ${artifact.name} at ${url} failed: ${e?.message ?? e}`, { cause: e });
  }
  if (bytes.length > maxBytes) throw new RolegateError('snapshot-too-large', `${url} sent ${bytes.length} bytes; the limit is ${maxBytes}`);
  checkBytes(bytes, response, url, artifact);
  return bytes;
}

/** AbortSignal.any where it exists (Node 20, current browsers), a relay elsewhere. */
function anySignal(signals) {
  if (AbortSignal.any) return AbortSignal.any(signals);
  const relay = new AbortController();
  for (const s of signals) {
    if (s.aborted) relay.abort(s.reason);
    else s.addEventListener('abort', () => relay.abort(s.reason), { once: true });
  }
  return relay.signal;
}
