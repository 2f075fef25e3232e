// SnapshotLoader: keeps an Authorizer fed from a snapshot URL. Polls with If-None-Match
// (first asking for a delta from the revision it has, `<url>.delta-<revision>`, when the
// server offers one), decodes what arrives, and swaps only when the new snapshot is trusted,
// of the same organization and not older: a bad snapshot never replaces a good one.
import { Authorizer, RolegateError } from './authorizer.js';

export class SnapshotLoader {
  #url;
  #options;
  #current = null;
  #pending = null;
  #etag = null;
  #timer = null;
  #lastError = null;
  #lastSuccess = null;

  /**
   * @param {string | URL} url
   * @param {object} [options]
   * @param {number} [options.intervalMs=30000] how often start() polls
   * @param {number} [options.timeoutMs=10000] abandon a request after this long
   * @param {boolean} [options.deferActivation=false] hold a new snapshot until activate()
   * @param {string} [options.organization] refuse snapshots of any other organization
   * @param {{ id: string, publicKey: Uint8Array | string }[]} [options.trustedKeys] require a
   *   signature by one of these keys (several during a rotation)
   * @param {number} [options.maxAgeSeconds] refuse snapshots issued longer ago than this;
   *   `status.expired` reports when the active one outlives it
   * @param {boolean} [options.denyWhenExpired=false] `can` denies once the active snapshot expires
   * @param {boolean} [options.deltas=true] ask for a delta before the full snapshot
   * @param {typeof fetch} [options.fetch] the fetch to use
   * @param {(authorizer: Authorizer, info: { activated: boolean }) => void} [options.onUpdate]
   * @param {(error: Error) => void} [options.onError]
   */
  constructor(url, options = {}) {
    this.#url = url;
    this.#options = {
      intervalMs: 30_000, timeoutMs: 10_000, deferActivation: false, deltas: true, denyWhenExpired: false, ...options,
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

  /** Whether the active snapshot is older than `maxAgeSeconds`. */
  get expired() {
    const { maxAgeSeconds } = this.#options;
    return this.#current !== null && maxAgeSeconds !== undefined
      && Date.now() / 1000 - this.#current.issuedAt > maxAgeSeconds;
  }

  /** What the loader knows: revision, pending revision, last success and error, expiry. */
  get status() {
    return {
      revision: this.revision,
      pendingRevision: this.#pending ? this.#pending.revision : null,
      etag: this.#etag,
      lastSuccess: this.#lastSuccess,
      lastError: this.#lastError,
      expired: this.expired,
    };
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
    const { trustedKeys, maxAgeSeconds } = this.#options;
    return {
      trustedKeys: trustedKeys ?? [],
      organization: this.#options.organization ?? base?.organization,
      minRevision: base?.revision,
      maxAgeSeconds,
    };
  }

  async #get(url, headers) {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.#options.timeoutMs);
    try {
      const response = await (this.#options.fetch ?? globalThis.fetch)(url, { headers, signal: abort.signal, cache: 'no-cache' });
      const bytes = response.ok ? new Uint8Array(await response.arrayBuffer()) : null;
      return { response, bytes };
    } catch (e) {
      const code = abort.signal.aborted ? 'timeout' : 'fetch-failed';
      throw new RolegateError(code, `snapshot request to ${url} failed: ${e.message}`);
    } finally {
      clearTimeout(timer);
    }
  }

  /** A newer snapshot through a delta from `base`, or null when none is offered or it does
   * not apply (the full snapshot is fetched instead). */
  async #viaDelta(base) {
    if (!this.#options.deltas || base === null) return null;
    let got;
    try {
      got = await this.#get(`${this.#url}.delta-${base.revision}`, {});
    } catch {
      return null;
    }
    if (got.bytes === null) return null;
    try {
      return base.applyDelta(got.bytes, this.#trust(base));
    } catch (e) {
      this.#options.onError?.(e);
      return null;
    }
  }

  #fail(error) {
    this.#lastError = { code: error.code ?? 'fetch-failed', message: error.message, at: Date.now() };
    this.#options.onError?.(error);
    return 'failed';
  }

  /**
   * Fetches once. Resolves to 'updated', 'deferred', 'unchanged' or 'failed'; never rejects
   * (errors go to onError and `status.lastError`).
   */
  async poll() {
    const base = this.#pending ?? this.#current;
    let next = await this.#viaDelta(base);
    let etag = this.#etag;
    if (next === null) {
      let got;
      try {
        got = await this.#get(this.#url, this.#etag ? { 'If-None-Match': this.#etag } : {});
      } catch (e) {
        return this.#fail(e);
      }
      if (got.response.status === 304) {
        this.#lastSuccess = Date.now();
        return 'unchanged';
      }
      if (got.bytes === null) {
        return this.#fail(new RolegateError('http-status', `snapshot request to ${this.#url} answered ${got.response.status}`));
      }
      try {
        next = Authorizer.fromSnapshot(got.bytes, this.#trust(base));
      } catch (e) {
        return this.#fail(e instanceof Error ? e : new RolegateError('snapshot-invalid', String(e)));
      }
      etag = got.response.headers.get('etag');
    }
    this.#etag = etag;
    this.#lastSuccess = Date.now();
    if (base && next.revision === base.revision) return 'unchanged';
    if (this.#options.deferActivation) {
      this.#pending = next;
      this.#options.onUpdate?.(next, { activated: false });
      return 'deferred';
    }
    this.#current = next;
    this.#options.onUpdate?.(next, { activated: true });
    return 'updated';
  }

  /** Makes the pending snapshot active. Returns whether there was one. */
  activate() {
    if (this.#pending === null) return false;
    this.#current = this.#pending;
    this.#pending = null;
    this.#options.onUpdate?.(this.#current, { activated: true });
    return true;
  }

  /** Polls now and then every `intervalMs`. Resolves after the first poll. */
  async start() {
    this.stop();
    const outcome = await this.poll();
    this.#timer = setInterval(() => { this.poll(); }, this.#options.intervalMs);
    return outcome;
  }

  /** Stops polling. The active snapshot keeps answering. */
  stop() {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }
}
