// The Authorizer: a thin JS face on the wasm engine. Arguments are checked here; decisions
// come from the core, unchanged. What the boundary means — codes, the "unknown" sentinel, the
// trust settings — is defined once, in the core (`rolegate_core::ffi`); this file only
// translates.
import { WasmAuthorizer } from '../dist/rolegate.js';
import { RolegateError, asRolegateError } from './errors.js';
import { isReady, ensureEngine, notInitialized } from './engine.js';
import { fetchArtifact, SNAPSHOT } from './http.js';

export { RolegateError };

const NONE = '';
const NO_BYTES = new Uint8Array(0);
/** The engine's "unknown" / "no resource" index (`ffi::UNKNOWN`). */
const UNKNOWN = 0xffffffff;
/** The longest id and permission a snapshot can hold (`rolegate_core::limits`): longer
 * names are unknown without asking the engine, and never fill a cache. */
const MAX_ID_LEN = 64;
const MAX_PERMISSION_LEN = 128;
/** Characters of names one authorizer remembers before its caches start over: bounds memory
 * against callers that pass endless distinct strings. */
const CACHE_CHARS = 1 << 22;

function badArgument(message) {
  return new RolegateError('bad-argument', message);
}

function text(name, value) {
  if (typeof value !== 'string') throw badArgument(`${name} must be a string, not ${typeof value}`);
  return value;
}

/** `undefined`/`null`, `{ type, id }` or `"type:id"` → [type, id] (empty strings for none). */
function resourceParts(resource) {
  if (resource === undefined || resource === null) return [NONE, NONE];
  if (typeof resource === 'string') {
    const at = resource.indexOf(':');
    if (at > 0 && at < resource.length - 1) return [resource.slice(0, at), resource.slice(at + 1)];
  } else if (typeof resource === 'object' && typeof resource.type === 'string' && typeof resource.id === 'string'
    && resource.type !== NONE && resource.id !== NONE) {
    return [resource.type, resource.id];
  }
  throw badArgument('resource must be { type, id } or "type:id"');
}

/** `[{ id, publicKey }]` with `publicKey` as 32 bytes or 64 hex digits → the core's
 * `TrustedKey`s, `{ id, public }`. */
function trustedKeys(list) {
  if (!Array.isArray(list)) throw badArgument('trustedKeys must be an array of { id, publicKey }');
  return list.map((k) => {
    const id = text('trusted key id', k?.id);
    if (id === NONE) throw badArgument('a trusted key id must be a non-empty name');
    let key = k.publicKey;
    if (typeof key === 'string' && /^[0-9a-fA-F]{64}$/.test(key)) {
      key = Uint8Array.from(key.match(/../g), (h) => parseInt(h, 16));
    }
    if (!(key instanceof Uint8Array) || key.length !== 32) {
      throw badArgument(`trusted key ${id}: publicKey must be 32 bytes or 64 hex digits`);
    }
    return { id, public: key };
  });
}

/** A non-negative whole number (or bigint) option, or undefined. */
function whole(name, value) {
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'bigint' ? Number(value) : value;
  // Exact or refused: a rounded revision would open a rollback window.
  if (typeof n === 'number' && Number.isSafeInteger(n) && n >= 0) return n;
  throw badArgument(`${name} must be a whole number from 0 to 2^53 - 1`);
}

/** The package's trust settings → the core's `Trust` (its serde form). */
export function coreTrust(trust) {
  if (typeof trust !== 'object' || trust === null) throw badArgument('trust settings must be an object');
  const keys = trustedKeys(trust.trustedKeys ?? []);
  return {
    keys,
    allowUnsigned: trust.allowUnsigned === true,
    organization: trust.organization === undefined ? undefined : text('organization', trust.organization),
    minRevision: whole('minRevision', trust.minRevision),
    maxAge: whole('maxAgeSeconds', trust.maxAgeSeconds),
    sliceOf: trust.sliceOf === undefined ? undefined : text('sliceOf', trust.sliceOf),
  };
}

/** The trust settings as the engine takes them: the core `Trust`'s fields, one argument each,
 * then the time to check at. */
function trustArguments(trust) {
  const settings = coreTrust(trust);
  const now = trust.now ?? Date.now() / 1000;
  if (!Number.isFinite(now) || now < 0) throw badArgument('now must be seconds since 1970');
  const keys = new Uint8Array(settings.keys.length * 32);
  settings.keys.forEach((k, i) => keys.set(k.public, i * 32));
  return [settings.keys.map((k) => k.id), keys, settings.allowUnsigned, settings.organization,
    settings.minRevision, settings.maxAge, settings.sliceOf, now];
}

function toBytes(bytes) {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  throw badArgument('snapshot bytes must be a Uint8Array, an ArrayBuffer or a typed array view');
}

function engine(call) {
  try {
    return call();
  } catch (e) {
    throw asRolegateError(e);
  }
}

/** What a freed authorizer's engine is: every use throws `no-snapshot`, so the hot path needs
 * no check of its own (wasm-bindgen would throw "null pointer passed to rust"). */
const FREED = new Proxy({}, {
  get() {
    throw new RolegateError('no-snapshot', 'this Authorizer was freed: it holds no snapshot any more');
  },
});

/** Names already warned about (`warnUnknownNames`), bounded: a warning, not a log. */
const warned = new Set();
function warnUnknown(kind, name) {
  if (warned.size > 1000 || warned.has(`${kind}\0${name}`)) return;
  warned.add(`${kind}\0${name}`);
  const hint = kind === 'permission' ? ' (a typo? authorizer.catalog() lists every permission)' : '';
  console.warn(`rolegate: the snapshot has no ${kind} \`${name}\`: checks that name it are denied${hint}`);
}

/** `snake_case` keys → `camelCase`, deeply: every answer in the package's one convention. */
function camel(value) {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) value[i] = camel(value[i]);
    return value;
  }
  if (value === null || typeof value !== 'object') return value;
  const out = {};
  for (const [key, v] of Object.entries(value)) {
    out[key.includes('_') ? key.replace(/_([a-z])/g, (_, c) => c.toUpperCase()) : key] = camel(v);
  }
  return out;
}

function deepFreeze(reason) {
  if (reason.resource) Object.freeze(reason.resource);
  return Object.freeze(reason);
}

export class Authorizer {
  #engine;
  // Names resolved to the engine's indexes, so the hot path passes numbers into wasm rather
  // than encoding strings on every call. A snapshot never changes, so neither do these.
  #users = new Map();
  #permissions = new Map();
  #scopes = new Map();
  /** type → id → index: nested, so no string can stand for another resource. */
  #resources = new Map();
  #cachedChars = 0;
  // The reason of each granting assignment met so far (and of each denial), frozen so every
  // decision may share it.
  #reasons = new Map();
  #revision;

  #bytes;
  #trust;
  #warn;

  /** @private Use Authorizer.fromSnapshot. */
  constructor(wasm, bytes, trust) {
    this.#engine = wasm;
    this.#bytes = bytes;
    this.#trust = trust;
    this.#warn = trust.warnUnknownNames === true;
    this.#revision = wasm.revision;
  }

  /**
   * Decodes snapshot bytes, refusing what `trust` does not accept. Signatures are required:
   * give `trustedKeys`, or `allowUnsigned: true` to accept unsigned snapshots on purpose.
   * Throws a RolegateError whose `code` names why (`snapshot-checksum-mismatch`,
   * `no-trusted-keys`, `unsigned`, `bad-signature`, …).
   * @param trust { trustedKeys?: [{ id, publicKey }], allowUnsigned?, organization?,
   *   minRevision?, maxAgeSeconds?, sliceOf?, now? } — `sliceOf: userId` to load that user's
   *   slice (and nothing else); without it only the organization's snapshot loads;
   *   `warnUnknownNames: true` warns once on the console for each permission or scope a check
   *   names that the snapshot does not know (for development)
   */
  static fromSnapshot(bytes, trust = {}) {
    if (!isReady()) throw notInitialized();
    const view = toBytes(bytes);
    const args = trustArguments(trust);
    const wasm = engine(() => WasmAuthorizer.load(view, NO_BYTES, ...args));
    return new Authorizer(wasm, view, trust);
  }

  /**
   * Fetches the snapshot at `url` and, at the same time, the engine if it is not loaded yet;
   * then decodes the snapshot under the trust settings in `options`. Rejects with a
   * RolegateError: `http-status` (404, 403, …), `unexpected-content` (an HTML page where the
   * snapshot was expected), `fetch-failed`, `timeout`, `engine-unavailable` (the browser
   * refused the wasm: a Content-Security-Policy without 'wasm-unsafe-eval'), or the
   * snapshot's own code.
   * @param options trust settings (see fromSnapshot) and { fetch?, headers?, signal?,
   *   timeoutMs?, maxBytes?, wasm? } — `wasm` says where the engine is (see init)
   */
  static async load(url, options = {}) {
    const { fetch, headers, signal, timeoutMs, maxBytes, wasm, ...trust } = options;
    const href = typeof url === 'string' || url instanceof URL ? String(url) : null;
    if (href === null) throw badArgument('Authorizer.load takes the snapshot URL as a string or URL');
    const [bytes] = await Promise.all([
      fetchArtifact(href, SNAPSHOT, { fetch, headers, signal, timeoutMs, maxBytes }),
      ensureEngine({ wasm, fetch }),
    ]);
    return Authorizer.fromSnapshot(bytes, trust);
  }

  /**
   * The snapshot a delta produces from this one, as a new Authorizer, checked with `trust`
   * (by default the trust this one was made with) — the envelope the delta carries before
   * anything is rebuilt, so an untrusted or oversized delta costs nothing. Throws
   * `delta-wrong-base` for a delta of another base, `delta-too-large`, or a trust code.
   */
  applyDelta(delta, trust = this.#trust) {
    const args = trustArguments(trust);
    const wasm = engine(() => WasmAuthorizer.load(this.#bytes, toBytes(delta), ...args));
    return new Authorizer(wasm, wasm.takeRebuilt(), trust);
  }

  /** The snapshot bytes this authorizer was made from. */
  get bytes() {
    return this.#bytes;
  }

  #remember(map, key, index) {
    this.#cachedChars += key.length + 16;
    if (this.#cachedChars > CACHE_CHARS) {
      for (const m of [this.#users, this.#permissions, this.#scopes, this.#resources]) m.clear();
      this.#cachedChars = key.length + 16;
    }
    map.set(key, index);
    return index;
  }

  /** A name's index; a name that is not a string is one no snapshot holds (Deny). */
  #index(map, name, key, longest, resolve) {
    if (typeof key !== 'string') return UNKNOWN;
    const index = map.get(key);
    if (index !== undefined) return index;
    if (key.length > longest) return UNKNOWN;
    const found = resolve(key);
    if (found === UNKNOWN && this.#warn && name !== 'user') warnUnknown(name, key);
    return this.#remember(map, key, found);
  }

  #resource(resource) {
    if (resource === undefined || resource === null) return UNKNOWN;
    const [type, id] = resourceParts(resource);
    let ids = this.#resources.get(type);
    const index = ids?.get(id);
    if (index !== undefined) return index;
    if (type.length > MAX_ID_LEN || id.length > MAX_ID_LEN) return UNKNOWN;
    if (ids === undefined) {
      ids = new Map();
      this.#resources.set(type, ids);
    }
    return this.#remember(ids, id, this.#engine.resourceIndex(type, id));
  }

  /** Resolves one request to the engine's three name indexes. */
  #indexes(user, permission, scope) {
    const e = this.#engine;
    return [
      this.#index(this.#users, 'user', user, MAX_ID_LEN, (k) => e.userIndex(k)),
      this.#index(this.#permissions, 'permission', permission, MAX_PERMISSION_LEN, (k) => e.permissionIndex(k)),
      this.#index(this.#scopes, 'scope', scope, MAX_ID_LEN, (k) => e.scopeIndex(k)),
    ];
  }

  /** Allow (true) or Deny (false). */
  can(user, permission, scope, resource) {
    const [u, p, s] = this.#indexes(user, permission, scope);
    return this.#engine.canAt(u, p, s, this.#resource(resource));
  }

  /** The frozen reason of a `decideAt` answer: an assignment index, or a denial status. */
  #reason(at) {
    let reason = this.#reasons.get(at);
    if (reason === undefined) {
      reason = deepFreeze(engine(() => this.#engine.reason(at)));
      this.#reasons.set(at, reason);
    }
    return reason;
  }

  /** The decision with its reason (reason objects are frozen and shared). */
  check(user, permission, scope, resource) {
    const [u, p, s] = this.#indexes(user, permission, scope);
    const at = this.#engine.decideAt(u, p, s, this.#resource(resource));
    return { allowed: at >= 0, revision: this.#revision, reason: this.#reason(at) };
  }

  /** The decision, every assignment behind it, and what would grant it. */
  explain(user, permission, scope, resource) {
    const [type, id] = resourceParts(resource);
    return camel(engine(() => this.#engine.explain(text('user', user), text('permission', permission), text('scope', scope), type, id)));
  }

  /** Many checks, one crossing into wasm: a Uint8Array of 1 (Allow) and 0 (Deny), in order. */
  checkBatch(requests) {
    if (!Array.isArray(requests)) throw badArgument('checkBatch takes an array of { user, permission, scope, resource? }');
    const ids = new Uint32Array(requests.length * 4);
    let at = 0;
    for (const r of requests) {
      if (typeof r !== 'object' || r === null) throw badArgument('each checkBatch request is { user, permission, scope, resource? }');
      const [u, p, s] = this.#indexes(r.user, r.permission, r.scope);
      ids[at] = u;
      ids[at + 1] = p;
      ids[at + 2] = s;
      ids[at + 3] = this.#resource(r.resource);
      at += 4;
    }
    return engine(() => this.#engine.checkBatchAt(ids));
  }

  /** The user's effective permissions at a scope, sorted. Throws `unknown-user` / `unknown-scope`. */
  permissions(user, scope, resource) {
    const [type, id] = resourceParts(resource);
    return engine(() => this.#engine.permissions(text('user', user), text('scope', scope), type, id));
  }

  /** Every user who may do `permission` at `scope`, with the granting assignment. */
  whoCan(permission, scope, resource) {
    const [type, id] = resourceParts(resource);
    return camel(engine(() => this.#engine.whoCan(text('permission', permission), text('scope', scope), type, id)));
  }

  /** Every scope where the user has `permission`. */
  scopesWith(user, permission, resource) {
    const [type, id] = resourceParts(resource);
    return camel(engine(() => this.#engine.scopesWith(text('user', user), text('permission', permission), type, id)));
  }

  /** Users whose name, email, id, role name or scope name contains `query` (case-insensitive). */
  searchUsers(query = '') {
    return camel(engine(() => this.#engine.searchUsers(text('query', query))));
  }

  /** One user's role assignments, grouped by scope. Throws `unknown-user`. */
  userAssignments(user) {
    return camel(engine(() => this.#engine.directoryEntry(text('user', user))));
  }

  /** The role catalog, optionally filtered by kind, product and level. */
  roles(filter = {}) {
    const { kind = NONE, product = NONE, level = NONE } = filter;
    return camel(engine(() => this.#engine.roles(text('kind', kind), text('product', product), text('level', level))));
  }

  /** One role with its permissions expanded. Throws `unknown-role`. */
  role(id) {
    return camel(engine(() => this.#engine.role(text('role', id))));
  }

  /** Every scope: the organization, its accounts, their subaccounts. */
  scopes() {
    return camel(engine(() => this.#engine.scopes()));
  }

  /** Every permission a check may name, sorted. */
  catalog() {
    return engine(() => this.#engine.catalog()).split('\n').slice(0, -1);
  }

  get revision() {
    return this.#revision;
  }

  get issuedAt() {
    return this.#engine.issuedAt;
  }

  get organization() {
    return this.#engine.organization;
  }

  get organizationName() {
    return this.#engine.organizationName;
  }

  /** The most built-in roles one user may hold (the organization's setting). */
  get builtInCap() {
    return this.#engine.builtInCap;
  }

  /** Releases the engine's memory now rather than at garbage collection. Any use after
   * this throws `no-snapshot`; freeing twice is harmless. */
  free() {
    if (this.#engine === FREED) return;
    const wasm = this.#engine;
    this.#engine = FREED;
    wasm.free();
  }
}
