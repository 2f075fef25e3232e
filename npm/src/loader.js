// SnapshotLoader: keeps an Authorizer fed from a snapshot URL. Polls with If-None-Match,
// decodes what arrives, and swaps only when the new snapshot is valid, of the same
// organization and not older: a bad snapshot never replaces a good one.
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
   * @param {typeof fetch} [options.fetch] the fetch to use
   * @param {(authorizer: Authorizer, info: { activated: boolean }) => void} [options.onUpdate]
   * @param {(error: Error) => void} [options.onError]
   */
  constructor(url, options = {}) {
    this.#url = url;
    this.#options = { intervalMs: 30_000, timeoutMs: 10_000, deferActivation: false, ...options };
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

  /** What the loader knows: revision, pending revision, last success and error. */
  get status() {
    return {
      revision: this.revision,
      pendingRevision: this.#pending ? this.#pending.revision : null,
      etag: this.#etag,
      lastSuccess: this.#lastSuccess,
      lastError: this.#lastError,
    };
  }

  /** Allow or Deny with the active snapshot; Deny when none is loaded yet. */
  can(user, permission, scope, resource) {
    return this.#current !== null && this.#current.can(user, permission, scope, resource);
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
    const { fetch: fetchImpl = globalThis.fetch, timeoutMs } = this.#options;
    const headers = this.#etag ? { 'If-None-Match': this.#etag } : {};
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    let response;
    let bytes;
    try {
      response = await fetchImpl(this.#url, { headers, signal: abort.signal, cache: 'no-cache' });
      if (response.status === 304) {
        this.#lastSuccess = Date.now();
        return 'unchanged';
      }
      if (!response.ok) {
        return this.#fail(new RolegateError('http-status', `snapshot request to ${this.#url} answered ${response.status}`));
      }
      bytes = new Uint8Array(await response.arrayBuffer());
    } catch (e) {
      const code = abort.signal.aborted ? 'timeout' : 'fetch-failed';
      return this.#fail(new RolegateError(code, `snapshot request to ${this.#url} failed: ${e.message}`));
    } finally {
      clearTimeout(timer);
    }
    let next;
    try {
      next = Authorizer.fromSnapshot(bytes);
    } catch (e) {
      return this.#fail(e instanceof Error ? e : new RolegateError('snapshot-invalid', String(e)));
    }
    const base = this.#pending ?? this.#current;
    const organization = this.#options.organization ?? base?.organization;
    if (organization !== undefined && next.organization !== organization) {
      return this.#fail(new RolegateError('wrong-organization',
        `snapshot is for organization ${next.organization}, not ${organization}`));
    }
    if (base && next.revision < base.revision) {
      return this.#fail(new RolegateError('stale-revision',
        `snapshot revision ${next.revision} is older than revision ${base.revision}`));
    }
    this.#etag = response.headers.get('etag');
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
