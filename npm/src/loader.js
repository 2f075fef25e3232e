// SnapshotLoader: keeps an Authorizer fed from a snapshot URL. Polls with If-None-Match — or,
// against `rolegate serve`, watches with long polls — first asking for a delta from the
// revision it has (`<url>.delta-<revision>`) when the server offers one, decodes what arrives,
// and swaps only when the new snapshot is trusted, of the same organization and newer: a bad
// snapshot never replaces a good one, and one pull runs at a time, so an older revision can
// never land after a newer one. A host that has no deltas (404, or an index.html from a
// single-page-app fallback) is remembered, not asked again on every poll.
import { Authorizer } from './authorizer.js';
import { RolegateError, asRolegateError } from './errors.js';
import { isReady, ensureEngine } from './engine.js';
import { SNAPSHOT, DELTA, checkBytes } from './http.js';

/** The header a watching server puts on every watch answer (see rolegate-host's `watch`). */
const WATCH_HEADER = 'rolegate-watch';
/** On a delta, the ETag of the snapshot it rebuilds. */
const SNAPSHOT_ETAG_HEADER = 'rolegate-snapshot-etag';

/** `url` resolved against the page (relative URLs work in browsers only). */
function absolute(url) {
  try {
    return new URL(url, globalThis.location?.href).href;
  } catch {
    throw new RolegateError('bad-argument', `${url} is not a URL${globalThis.location ? '' : ' (outside a browser, give an absolute URL)'}`);
  }
}

/** `url` with `.delta-<base>` on its path, before any query string (which is kept). */
export function deltaUrl(url, base) {
  const u = new URL(url, globalThis.location?.href);
  u.pathname = `${u.pathname}.delta-${base}`;
  return u.href;
}

/** `url` with `params` added to its query string. */
function withParams(url, params) {
  const u = new URL(url, globalThis.location?.href);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, String(v));
  return u.href;
}

/** Renew an access token a minute before it expires, or halfway for short-lived ones. */
function renewAfterMs(expiresIn) {
  const seconds = Number(expiresIn) > 0 ? Number(expiresIn) : 60;
  return 1000 * (seconds > 120 ? seconds - 60 : seconds / 2);
}

/** A timer that does not keep a Node process alive (browsers have no `unref`). */
function unrefd(timer) {
  timer?.unref?.();
  return timer;
}

export class SnapshotLoader {
  #url;
  #options;
  #current = null;
  #pending = null;
  #etag = null;
  #timer = null;
  #running = false;
  #lastError = null;
  #lastSuccess = null;
  /** The pull in flight, if any: a second poll() waits for it rather than racing it. */
  #inFlight = null;
  /** Whether the server answered the last request as a watch. */
  #watching = false;
  /** Callers of waitForRevision(), woken on every activation. */
  #waiters = new Set();
  /** The access token from `clientCredentials`: `{ value, renewAt }`. */
  #token = null;
  /** Aborts the requests in flight when stop() is called (a watch may be held for long). */
  #stopping = new AbortController();
  /** The failure of the latest pull, null once one succeeds. */
  #error = null;
  /** The base revision whose delta the host does not have (404): not asked for again. */
  #deltaMissing = null;
  /** The host answers delta URLs with a page (an SPA fallback): deltas are not asked for. */
  #deltasOff = false;
  /** Called on every change of the authorizer or the status (`subscribe`). */
  #listeners = new Set();
  /** The status object until something changes, so UI frameworks see a stable value. */
  #statusCache = null;

  /**
   * @param {string | URL} url
   * @param {object} [options]
   * @param {number} [options.intervalMs=30000] how often start() polls (when not watching)
   * @param {number} [options.timeoutMs=10000] abandon a request after this long (a watch adds its wait)
   * @param {boolean} [options.deferActivation=false] hold a new snapshot until activate()
   * @param {string} [options.organization] refuse snapshots of any other organization
   * @param {{ id: string, publicKey: Uint8Array | string }[]} [options.trustedKeys] require a
   *   signature by one of these keys (several during a rotation)
   * @param {boolean} [options.allowUnsigned=false] accept unsigned snapshots — a choice, for
   *   demos and trusted networks; without it and without keys nothing is accepted
   * @param {string} [options.sliceOf] load this user's slice (a console's), and nothing else
   * @param {number} [options.maxAgeSeconds] refuse snapshots issued longer ago than this;
   *   `status.expired` reports when the active one outlives it
   * @param {boolean} [options.denyWhenExpired=false] `can` denies once the active snapshot expires
   * @param {boolean} [options.deltas=true] ask for a delta before the full snapshot
   * @param {number} [options.watchSeconds] long-poll a `rolegate serve` URL, each request held
   *   up to this long; plain servers are polled every `intervalMs` instead
   * @param {number} [options.maxBytes=268435456] largest snapshot accepted
   * @param {number} [options.maxDeltaBytes=16777216] largest delta accepted
   * @param {Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>)} [options.headers]
   *   headers for every snapshot and delta request (such as `Authorization`), or a function
   *   giving them for each request
   * @param {{ tokenUrl: string | URL, clientId: string, clientSecret: string }} [options.clientCredentials]
   *   OAuth 2.0 client credentials for a `rolegate serve` URL: the bearer token is fetched
   *   from `tokenUrl` and renewed before it expires (server-side only: a secret has no place
   *   in a browser)
   * @param {typeof fetch} [options.fetch] the fetch to use
   * @param {string | URL | BufferSource | WebAssembly.Module} [options.wasm] where the engine
   *   is, for the browser entry when it is not beside the package's JS (see init)
   * @param {(authorizer: Authorizer, info: { activated: boolean }) => void} [options.onUpdate]
   * @param {(error: Error) => void} [options.onError]
   */
  constructor(url, options = {}) {
    this.#url = absolute(String(url));
    this.#options = {
      intervalMs: 30_000, timeoutMs: 10_000, deferActivation: false, deltas: true, denyWhenExpired: false,
      maxBytes: 256 << 20, maxDeltaBytes: 16 << 20, ...options,
    };
  }

  /** The active authorizer, or null before the first good snapshot. */
  get authorizer() {
    return this.#current;
  }

  /** A verified snapshot waiting for activate(), or null. */
  get pending() {
    return this.#pending;
  }

  /** The active revision, or null. */
  get revision() {
    return this.#current ? this.#current.revision : null;
  }

  /** Whether the active snapshot is older than `maxAgeSeconds` — also when every poll
   * answers "not modified": a source that stopped publishing goes stale. */
  get expired() {
    const { maxAgeSeconds } = this.#options;
    return this.#current !== null && maxAgeSeconds !== undefined
      && Date.now() / 1000 - this.#current.issuedAt > maxAgeSeconds;
  }

  /** What the loader knows: revision, pending revision, the latest pull's error (null once
   * one succeeds), last success and last error, expiry. The same frozen object until
   * something changes, so `useSyncExternalStore(loader.subscribe, () => loader.status)`
   * re-renders only on a change. */
  get status() {
    const expired = this.expired;
    if (this.#statusCache === null || this.#statusCache.expired !== expired) {
      this.#statusCache = Object.freeze({
        revision: this.revision,
        pendingRevision: this.#pending ? this.#pending.revision : null,
        etag: this.#etag,
        error: this.#error,
        lastSuccess: this.#lastSuccess,
        lastError: this.#lastError,
        expired,
        watching: this.#watching,
      });
    }
    return this.#statusCache;
  }

  /**
   * Calls `listener` after every change: a snapshot activated or held for activate(), a pull
   * that failed or succeeded. Returns the function that unsubscribes. Bound, so it can be
   * handed over as is (React's useSyncExternalStore(loader.subscribe, loader.getSnapshot)).
   */
  subscribe = (listener) => {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  };

  /** The active authorizer (or null): the same object until a new snapshot is activated. */
  getSnapshot = () => this.#current;

  #changed() {
    this.#statusCache = null;
    for (const listener of [...this.#listeners]) {
      try {
        listener();
      } catch (e) {
        // A listener's bug is its own; the loader and the other listeners go on.
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }

  /** Allow or Deny with the active snapshot; Deny when none is loaded yet (or, with
   * `denyWhenExpired`, when it has expired). */
  can(user, permission, scope, resource) {
    if (this.#current === null || (this.#options.denyWhenExpired && this.expired)) return false;
    return this.#current.can(user, permission, scope, resource);
  }

  /** The trust settings for the next snapshot: ours, no going back, and the organization
   * we already serve. */
  #trust(base) {
    const { trustedKeys, allowUnsigned, maxAgeSeconds, sliceOf } = this.#options;
    return {
      trustedKeys: trustedKeys ?? [],
      allowUnsigned: allowUnsigned === true,
      sliceOf,
      organization: this.#options.organization ?? base?.organization,
      minRevision: base?.revision,
      maxAgeSeconds,
    };
  }

  #fetch(url, init) {
    return (this.#options.fetch ?? globalThis.fetch)(url, init);
  }

  /** The bearer token from `clientCredentials`, fetched or renewed when due. */
  async #bearer() {
    const credentials = this.#options.clientCredentials;
    if (!credentials) return null;
    if (this.#token && Date.now() < this.#token.renewAt) return this.#token.value;
    const { tokenUrl, clientId, clientSecret } = credentials;
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret });
    let response;
    let answer;
    try {
      response = await this.#fetch(String(tokenUrl), { method: 'POST', body, signal: AbortSignal.timeout(this.#options.timeoutMs) });
      answer = response.ok ? await response.json() : null;
    } catch (e) {
      throw new RolegateError('fetch-failed', `token request to ${tokenUrl} failed: ${e.message}`);
    }
    if (typeof answer?.access_token !== 'string') {
      throw new RolegateError('http-status', `token request to ${tokenUrl} answered ${response.status}`);
    }
    this.#token = { value: answer.access_token, renewAt: Date.now() + renewAfterMs(answer.expires_in) };
    return this.#token.value;
  }

  /** The headers of a snapshot or delta request: the caller's, and the bearer token. */
  async #headers(extra) {
    const { headers } = this.#options;
    const own = typeof headers === 'function' ? await headers() : headers;
    const bearer = await this.#bearer();
    return { ...own, ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}), ...extra };
  }

  /** GET `url`: the response and, for 200, its bytes (refused past `maxBytes`). */
  async #get(url, extraHeaders, maxBytes, waitMs, stopping) {
    const headers = await this.#headers(extraHeaders);
    const abort = new AbortController();
    const timer = unrefd(setTimeout(() => abort.abort(), this.#options.timeoutMs + waitMs));
    const onStop = () => abort.abort();
    stopping.addEventListener('abort', onStop);
    try {
      const response = await this.#fetch(url, { headers, signal: abort.signal, cache: 'no-cache' });
      // A token the server no longer takes (revoked, or its key rotated): ask for a new one.
      if (response.status === 401) this.#token = null;
      const length = Number(response.headers.get('content-length'));
      if (response.ok && length > maxBytes) {
        abort.abort();
        throw new RolegateError('snapshot-too-large', `${url} is ${length} bytes; the limit is ${maxBytes}`);
      }
      const bytes = response.ok ? new Uint8Array(await response.arrayBuffer()) : null;
      if (bytes !== null && bytes.length > maxBytes) {
        throw new RolegateError('snapshot-too-large', `${url} sent ${bytes.length} bytes; the limit is ${maxBytes}`);
      }
      this.#watching = response.headers.has(WATCH_HEADER);
      return { response, bytes };
    } catch (e) {
      if (e instanceof RolegateError) throw e;
      const code = abort.signal.aborted && !stopping.aborted ? 'timeout' : 'fetch-failed';
      throw new RolegateError(code, `snapshot request to ${url} failed: ${e.message}`);
    } finally {
      clearTimeout(timer);
      stopping.removeEventListener('abort', onStop);
    }
  }

  #waitMs() {
    return this.#options.watchSeconds ? this.#options.watchSeconds * 1000 : 0;
  }

  /** A newer snapshot through a delta from `base`: `{ next, etag }`, `'not-modified'` when a
   * watch ended with nothing newer, or null when none is offered or it does not apply (the
   * full snapshot is fetched instead). */
  async #viaDelta(base, stopping) {
    if (!this.#options.deltas || base === null || this.#deltasOff || this.#deltaMissing === base.revision) return null;
    const { watchSeconds } = this.#options;
    let url = deltaUrl(this.#url, base.revision);
    if (watchSeconds) url = withParams(url, { wait: watchSeconds });
    let got;
    try {
      got = await this.#get(url, {}, this.#options.maxDeltaBytes, this.#waitMs(), stopping);
    } catch {
      return null;
    }
    if (got.response.status === 304 && this.#watching) return 'not-modified';
    // The snapshot itself is the fallback, quietly: a host without this delta is not asked
    // for it again, and one that answers with a page is not asked for deltas at all.
    if (got.response.status === 404 || got.response.status === 410) this.#deltaMissing = base.revision;
    if (got.bytes === null) return null;
    try {
      checkBytes(got.bytes, got.response, url, DELTA);
    } catch {
      this.#deltasOff = true;
      return null;
    }
    try {
      return { next: base.applyDelta(got.bytes, this.#trust(base)), etag: got.response.headers.get(SNAPSHOT_ETAG_HEADER) };
    } catch (e) {
      // A delta that does not apply is reported; bytes that are no delta at all mean the
      // host has none to offer.
      if (e.code === 'delta-bad-magic') this.#deltasOff = true;
      else this.#options.onError?.(e);
      return null;
    }
  }

  #fail(e) {
    const error = asRolegateError(e);
    this.#error = { code: error.code, message: error.message, at: Date.now() };
    this.#lastError = this.#error;
    this.#changed();
    this.#options.onError?.(error);
    return 'failed';
  }

  #succeeded() {
    this.#lastSuccess = Date.now();
    this.#error = null;
    this.#changed();
  }

  /**
   * Fetches once (after any pull in flight). Resolves to 'updated', 'deferred', 'unchanged'
   * or 'failed'; never rejects (errors go to onError and `status.lastError`).
   */
  poll() {
    // A stop() before this pull begins, or while it runs, abandons it quietly.
    const stopping = this.#stopping.signal;
    const run = (this.#inFlight ?? Promise.resolve())
      .then(() => (stopping.aborted ? 'unchanged' : this.#pull(stopping)));
    const tracked = run.finally(() => {
      if (this.#inFlight === tracked) this.#inFlight = null;
    });
    this.#inFlight = tracked;
    return tracked;
  }

  async #pull(stopping) {
    const base = this.#pending ?? this.#current;
    // The engine (in a browser, fetched by the entry) loads while the snapshot downloads.
    const engine = isReady() ? null : ensureEngine({ wasm: this.#options.wasm, fetch: this.#options.fetch }).then(() => null, (e) => e);
    const delta = await this.#viaDelta(base, stopping);
    if (stopping.aborted) return 'unchanged';
    if (delta === 'not-modified') {
      this.#succeeded();
      return 'unchanged';
    }
    let next = delta?.next ?? null;
    let etag = delta?.etag ?? null;
    if (next === null) {
      const { watchSeconds } = this.#options;
      // With nothing loaded, `after=0` answers at once, and says whether the server watches.
      const url = watchSeconds ? withParams(this.#url, { after: base?.revision ?? 0, wait: watchSeconds }) : this.#url;
      let got;
      try {
        got = await this.#get(url, this.#etag ? { 'If-None-Match': this.#etag } : {}, this.#options.maxBytes, this.#waitMs(), stopping);
      } catch (e) {
        return stopping.aborted ? 'unchanged' : this.#fail(e);
      }
      if (got.response.status === 304) {
        if (!this.#etag && !this.#watching) {
          return this.#fail(new RolegateError('http-status', `${this.#url} answered 304 to a request without a validator`));
        }
        this.#succeeded();
        return 'unchanged';
      }
      if (got.bytes === null) {
        return this.#fail(new RolegateError('http-status', `snapshot request to ${this.#url} answered ${got.response.status}`));
      }
      const failedEngine = await engine;
      if (failedEngine) return this.#fail(failedEngine);
      try {
        checkBytes(got.bytes, got.response, this.#url, SNAPSHOT);
        next = Authorizer.fromSnapshot(got.bytes, this.#trust(base));
      } catch (e) {
        return this.#fail(e);
      }
      etag = got.response.headers.get('etag');
    }
    this.#etag = etag;
    // The check at commit: only a newer revision than what is held ever replaces it.
    const held = this.#pending ?? this.#current;
    if (held && next.revision <= held.revision) {
      this.#succeeded();
      return 'unchanged';
    }
    if (this.#options.deferActivation) {
      this.#pending = next;
      this.#succeeded();
      this.#options.onUpdate?.(next, { activated: false });
      return 'deferred';
    }
    this.#activate(next);
    return 'updated';
  }

  #activate(next) {
    this.#current = next;
    this.#lastSuccess = Date.now();
    this.#error = null;
    this.#changed();
    this.#options.onUpdate?.(next, { activated: true });
    for (const wake of this.#waiters) wake();
  }

  /** Makes the pending snapshot active. Returns whether there was one. */
  activate() {
    if (this.#pending === null) return false;
    const next = this.#pending;
    this.#pending = null;
    this.#activate(next);
    return true;
  }

  /**
   * Resolves `true` once the active revision is at least `revision` — read-your-writes for a
   * page that just changed the policy — or `false` after `timeoutMs`.
   */
  waitForRevision(revision, timeoutMs = 10_000) {
    return new Promise((resolve) => {
      const done = (result) => {
        this.#waiters.delete(check);
        clearTimeout(timer);
        resolve(result);
      };
      const check = () => {
        if (this.revision !== null && this.revision >= revision) done(true);
      };
      const timer = unrefd(setTimeout(() => done(false), timeoutMs));
      this.#waiters.add(check);
      check();
    });
  }

  /** Polls now, then every `intervalMs` — or, against a watching server, again as soon as
   * each long poll answers. Resolves after the first poll. */
  async start() {
    this.stop();
    this.#running = true;
    const outcome = await this.poll();
    this.#schedule(outcome);
    return outcome;
  }

  #schedule(outcome) {
    if (!this.#running) return;
    const watching = this.#options.watchSeconds && this.#watching && outcome !== 'failed';
    const wait = watching ? 0 : this.#options.intervalMs;
    this.#timer = unrefd(setTimeout(async () => {
      this.#timer = null;
      const next = await this.poll();
      this.#schedule(next);
    }, wait));
  }

  /** Stops polling and abandons any request in flight (a watch included). The active
   * snapshot keeps answering. */
  stop() {
    this.#stopping.abort();
    this.#stopping = new AbortController();
    this.#running = false;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
