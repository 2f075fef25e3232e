// The Authorizer: a thin JS face on the wasm engine. Arguments are checked here; decisions
// come from the core, unchanged. What the boundary means — codes, the "unknown" sentinel, the
// trust settings — is defined once, in the core (`rolegate_core::ffi`); this file only
// translates.
import { WasmAuthorizer } from '../dist/rolegate.js';
import { RolegateError, asRolegateError } from './errors.js';
import { isReady, ensureEngine, notInitialized } from './engine.js';
import { fetchArtifact, SNAPSHOT } from './http.js';
import { decode } from './values.js';

export { RolegateError };

const NONE = '';
const NO_BYTES = new Uint8Array(0);
/** The engine's "unknown" / "no resource" index (`ffi::UNKNOWN`). */
const UNKNOWN = 0xffffffff;
/** The longest id and permission a snapshot can hold (`rolegate_core::limits`): longer
 * names are unknown without asking the engine, and never fill a cache. */
const MAX_ID_LEN = 64;
const MAX_PERMISSION_LEN = 128;
/** Most resource types a snapshot holds (`rolegate_core::limits`): past that many, names of
 * other types are resolved without being remembered. */
const MAX_RESOURCE_TYPES = 64;
/** Names each cache holds in its young generation (see NameCache): with the old generation,
 * at most twice this many. */
const CACHE_ENTRIES = 1 << 15;
/** The engine's kinds of names (`ffi::NameKind`). */
const USER = 0;
const PERMISSION = 1;
const SCOPE = 2;
const RESOURCE = 3;
/** Names that cannot be in any snapshot and would break a batch's one-per-line list. */
const UNLISTABLE = /[\t\n]/;

/**
 * Names resolved to the engine's indexes, bounded: two generations of Maps. A lookup that
 * misses the young generation is promoted from the old one; when the young one is full it
 * becomes the old one, and the old one is dropped. Names in use stay (each turn keeps every
 * name used since the last), names no longer asked for age out, and a caller passing endless
 * distinct names costs one engine call per new name — never a cache that starts over and
 * forgets the names in use. (Maps rather than objects: a name parsed from each request is a
 * new string every time, which a Map hashes and compares, and an object would first
 * internalise into V8's string table.)
 */
class NameCache {
  young = new Map();
  old = new Map();

  get(key) {
    const index = this.young.get(key);
    return index !== undefined ? index : this.fromOld(key);
  }

  /** After a miss in the young generation: the old one's entry, promoted. */
  fromOld(key) {
    const older = this.old.get(key);
    if (older !== undefined) this.set(key, older);
    return older;
  }

  set(key, index) {
    if (this.young.size >= CACHE_ENTRIES) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, index);
    return index;
  }
}

/** A NameCache whose generations are prototype-less objects: for permissions, which code
 * names with literals (strings V8 has internalised already) from a catalog of a few thousand
 * at most, an object is looked up about twice as fast as a Map. Keys must be strings. */
class ObjectCache {
  young = Object.create(null);
  old = Object.create(null);
  size = 0;

  get(key) {
    const index = this.young[key];
    return index !== undefined ? index : this.fromOld(key);
  }

  fromOld(key) {
    const older = this.old[key];
    if (older !== undefined) this.set(key, older);
    return older;
  }

  set(key, index) {
    if (this.size >= CACHE_ENTRIES) {
      this.old = this.young;
      this.young = Object.create(null);
      this.size = 0;
    }
    this.young[key] = index;
    this.size += 1;
    return index;
  }
}

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
    if (id === NONE || id.includes('\n')) throw badArgument('a trusted key id must be a non-empty name on one line');
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
  return [settings.keys.map((k) => k.id).join('\n'), keys, settings.allowUnsigned, settings.organization,
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

function deepFreeze(reason) {
  if (reason.resource) Object.freeze(reason.resource);
  return Object.freeze(reason);
}

/** The state of each CheckBatch, private to this module. */
const batches = new WeakMap();

/**
 * Checks to decide together, packed once: each distinct name is kept once, and the requests
 * are numbers pointing at them. `authorizer.checkBatch(batch)` resolves the names once per
 * authorizer (in one engine call per kind of name) and decides every request in one more —
 * the names never cross the boundary again. A batch holds names, not indexes, so one batch
 * serves every authorizer and every later snapshot.
 */
export class CheckBatch {
  /** @param requests optional `{ user, permission, scope, resource? }`s to add, in order */
  constructor(requests) {
    batches.set(this, {
      names: [new Map(), new Map(), new Map(), new Map()],
      lists: [[], [], [], []],
      quads: new Uint32Array(64),
      count: 0,
      resolved: new WeakMap(),
    });
    if (requests !== undefined) {
      if (typeof requests?.[Symbol.iterator] !== 'function') throw badArgument('CheckBatch takes an iterable of { user, permission, scope, resource? }');
      for (const r of requests) {
        if (typeof r !== 'object' || r === null) throw badArgument('each CheckBatch request is { user, permission, scope, resource? }');
        this.add(r.user, r.permission, r.scope, r.resource);
      }
    }
  }

  /** Adds a check; its answer is at the returned position of `checkBatch`'s result. */
  add(user, permission, scope, resource) {
    const state = batches.get(this);
    const at = state.count * 4;
    if (at === state.quads.length) {
      const grown = new Uint32Array(at * 2);
      grown.set(state.quads);
      state.quads = grown;
    }
    const resourceKey = resource === undefined || resource === null ? undefined : resourceParts(resource).join('\t');
    state.quads[at] = listed(state, USER, user, MAX_ID_LEN);
    state.quads[at + 1] = listed(state, PERMISSION, permission, MAX_PERMISSION_LEN);
    state.quads[at + 2] = listed(state, SCOPE, scope, MAX_ID_LEN);
    state.quads[at + 3] = listed(state, RESOURCE, resourceKey, 2 * MAX_ID_LEN + 1);
    state.count += 1;
    return state.count - 1;
  }

  /** How many checks the batch holds. */
  get length() {
    return batches.get(this).count;
  }
}

/** The position of a name in the batch's list of its kind; UNKNOWN for one no snapshot can
 * hold (not a string, too long, or with a tab or line break). */
function listed(state, kind, name, longest) {
  if (typeof name !== 'string' || name.length > longest || UNLISTABLE.test(kind === RESOURCE ? name.replace('\t', '') : name)) return UNKNOWN;
  const names = state.names[kind];
  let at = names.get(name);
  if (at === undefined) {
    at = state.lists[kind].length;
    state.lists[kind].push(name);
    names.set(name, at);
  }
  return at;
}

export class Authorizer {
  #engine;
  // Names resolved to the engine's indexes, so the hot path passes numbers into wasm rather
  // than encoding strings on every call. A snapshot never changes, so neither do these.
  #users = new NameCache();
  #permissions = new ObjectCache();
  #scopes = new NameCache();
  /** "type:id" strings → index. */
  #resourceNames = new NameCache();
  /** type → (id → index), for `{ type, id }` resources: no string can stand for another. */
  #resources = new Map();
  // The reason of each granting assignment met so far (and of each denial), frozen so every
  // decision may share it.
  #reasons = new NameCache();
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

  /** A name of `kind` the young generation missed: the old one's, or resolved by the engine
   * and remembered; a name that is not a string, or longer than any the snapshot can hold, is
   * unknown without either. */
  #resolve(cache, kind, name, longest) {
    if (typeof name !== 'string') return UNKNOWN;
    const cached = cache.fromOld(name);
    if (cached !== undefined) return cached;
    if (name.length > longest) return UNKNOWN;
    const e = this.#engine;
    const index = kind === USER ? e.userIndex(name) : kind === PERMISSION ? e.permissionIndex(name) : e.scopeIndex(name);
    if (index === UNKNOWN && this.#warn && kind !== USER) warnUnknown(kind === PERMISSION ? 'permission' : 'scope', name);
    return cache.set(name, index);
  }

  #user(name) {
    const index = this.#users.young.get(name);
    return index !== undefined ? index : this.#resolve(this.#users, USER, name, MAX_ID_LEN);
  }

  #permission(name) {
    if (typeof name === 'string') {
      const index = this.#permissions.young[name];
      if (index !== undefined) return index;
    }
    return this.#resolve(this.#permissions, PERMISSION, name, MAX_PERMISSION_LEN);
  }

  #scope(name) {
    const index = this.#scopes.young.get(name);
    return index !== undefined ? index : this.#resolve(this.#scopes, SCOPE, name, MAX_ID_LEN);
  }

  /** A resource's index; UNKNOWN for none. */
  #resource(resource) {
    if (resource === undefined || resource === null) return UNKNOWN;
    if (typeof resource === 'string') {
      const index = this.#resourceNames.get(resource);
      if (index !== undefined) return index;
      const [type, id] = resourceParts(resource);
      return this.#resourceNames.set(resource, this.#resourceIndex(type, id));
    }
    const [type, id] = resourceParts(resource);
    let ids = this.#resources.get(type);
    const index = ids?.get(id);
    if (index !== undefined) return index;
    if (ids === undefined) {
      if (this.#resources.size >= MAX_RESOURCE_TYPES) return this.#resourceIndex(type, id);
      ids = new NameCache();
      this.#resources.set(type, ids);
    }
    return ids.set(id, this.#resourceIndex(type, id));
  }

  #resourceIndex(type, id) {
    return type.length > MAX_ID_LEN || id.length > MAX_ID_LEN ? UNKNOWN : this.#engine.resourceIndex(type, id);
  }

  /** Allow (true) or Deny (false). */
  can(user, permission, scope, resource) {
    return this.#engine.canAt(this.#user(user), this.#permission(permission), this.#scope(scope), this.#resource(resource));
  }

  /** The frozen reason of a `decideAt` answer: an assignment index, or a denial status. */
  #reason(at) {
    let reason = this.#reasons.get(at);
    if (reason === undefined) {
      reason = this.#reasons.set(at, deepFreeze(decode(engine(() => this.#engine.reason(at)))));
    }
    return reason;
  }

  /** The decision with its reason (reason objects are frozen and shared). */
  check(user, permission, scope, resource) {
    const at = this.#engine.decideAt(this.#user(user), this.#permission(permission), this.#scope(scope), this.#resource(resource));
    return { allowed: at >= 0, revision: this.#revision, reason: this.#reason(at) };
  }

  /** The decision, every assignment behind it, and what would grant it. */
  explain(user, permission, scope, resource) {
    const [type, id] = resourceParts(resource);
    return decode(engine(() => this.#engine.explain(text('user', user), text('permission', permission), text('scope', scope), type, id)));
  }

  /**
   * Many checks, one crossing into wasm: a Uint8Array of 1 (Allow) and 0 (Deny), in order.
   * `requests` is an array of `{ user, permission, scope, resource? }`, or a CheckBatch —
   * whose names are resolved once for this authorizer, so deciding it again costs only the
   * decisions.
   */
  checkBatch(requests) {
    if (requests instanceof CheckBatch) return this.#checkPacked(batches.get(requests));
    if (!Array.isArray(requests)) throw badArgument('checkBatch takes an array of { user, permission, scope, resource? } or a CheckBatch');
    const ids = new Uint32Array(requests.length * 4);
    for (let i = 0, at = 0; i < requests.length; i++, at += 4) {
      const r = requests[i];
      if (typeof r !== 'object' || r === null) throw badArgument('each checkBatch request is { user, permission, scope, resource? }');
      ids[at] = this.#user(r.user);
      ids[at + 1] = this.#permission(r.permission);
      ids[at + 2] = this.#scope(r.scope);
      ids[at + 3] = this.#resource(r.resource);
    }
    return this.#engine.checkBatchAt(ids);
  }

  /** A CheckBatch: its requests as this snapshot's indexes (resolved when the batch is new
   * to this authorizer or has grown), decided in one call. */
  #checkPacked(state) {
    let resolved = state.resolved.get(this);
    if (resolved === undefined || resolved.count !== state.count) {
      const e = this.#engine;
      const tables = state.lists.map((names, kind) => (names.length === 0 ? null : e.indexes(kind, names.join('\n'))));
      const quads = new Uint32Array(state.count * 4);
      for (let i = 0; i < quads.length; i++) {
        const at = state.quads[i];
        quads[i] = at === UNKNOWN ? UNKNOWN : tables[i & 3][at];
      }
      resolved = { count: state.count, quads };
      state.resolved.set(this, resolved);
    }
    return this.#engine.checkBatchAt(resolved.quads);
  }

  /** The user's effective permissions at a scope, sorted. Throws `unknown-user` / `unknown-scope`. */
  permissions(user, scope, resource) {
    const [type, id] = resourceParts(resource);
    return decode(engine(() => this.#engine.permissions(text('user', user), text('scope', scope), type, id)));
  }

  /** Every user who may do `permission` at `scope`, with the granting assignment. */
  whoCan(permission, scope, resource) {
    const [type, id] = resourceParts(resource);
    return decode(engine(() => this.#engine.whoCan(text('permission', permission), text('scope', scope), type, id)));
  }

  /** Every scope where the user has `permission`. */
  scopesWith(user, permission, resource) {
    const [type, id] = resourceParts(resource);
    return decode(engine(() => this.#engine.scopesWith(text('user', user), text('permission', permission), type, id)));
  }

  /** Users whose name, email, id, role name or scope name contains `query` (case-insensitive). */
  searchUsers(query = '') {
    return decode(engine(() => this.#engine.searchUsers(text('query', query))));
  }

  /** One user's role assignments, grouped by scope. Throws `unknown-user`. */
  userAssignments(user) {
    return decode(engine(() => this.#engine.directoryEntry(text('user', user))));
  }

  /** The role catalog, optionally filtered by kind, product and level. */
  roles(filter = {}) {
    const { kind = NONE, product = NONE, level = NONE } = filter;
    return decode(engine(() => this.#engine.roles(text('kind', kind), text('product', product), text('level', level))));
  }

  /** One role with its permissions expanded. Throws `unknown-role`. */
  role(id) {
    return decode(engine(() => this.#engine.role(text('role', id))));
  }

  /** Every scope: the organization, its accounts, their subaccounts. */
  scopes() {
    return decode(engine(() => this.#engine.scopes()));
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
