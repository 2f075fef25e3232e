// The Authorizer: a thin JS face on the wasm engine. Arguments are checked here (a wrong type
// is a `bad-argument` error, not a silent Deny); decisions come from the core, unchanged.
import { WasmAuthorizer } from '../dist/rolegate.js';

/** An Error with a stable `code`. The engine's own errors carry the same property. */
export class RolegateError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'RolegateError';
    this.code = code;
  }
}

let ready = false;

/** Called by each entry point once the wasm engine is instantiated. */
export function markReady() {
  ready = true;
}

export function isReady() {
  return ready;
}

const NONE = '';
/** The engine's "unknown" / "no resource" index. */
const UNKNOWN = 0xffffffff;
/** Names remembered per kind before a cache starts over: bounds memory against callers
 * that pass endless distinct strings. */
const CACHE_LIMIT = 65_536;

/** `map.get(key)`, resolving and remembering it on a miss. */
function cached(map, key, resolve) {
  let index = map.get(key);
  if (index === undefined) {
    if (map.size >= CACHE_LIMIT) map.clear();
    index = resolve(key);
    map.set(key, index);
  }
  return index;
}

/** The reasons of `decideAt`'s negative codes -1…-4, in order. */
const DENIALS = ['unknown-permission', 'unknown-scope', 'unknown-user', 'no-matching-assignment']
  .map((kind) => Object.freeze({ kind }));

function deepFreeze(reason) {
  if (reason.resource) Object.freeze(reason.resource);
  return Object.freeze(reason);
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

/** `[{ id, publicKey }]` with `publicKey` as 32 bytes or 64 hex digits → `[{ id, key }]`. */
function trustedKeys(list) {
  if (!Array.isArray(list)) throw badArgument('trustedKeys must be an array of { id, publicKey }');
  return list.map((k) => {
    const id = text('trusted key id', k?.id);
    if (id === NONE || id.includes('\0')) throw badArgument('a trusted key id must be a non-empty name');
    let key = k.publicKey;
    if (typeof key === 'string' && /^[0-9a-fA-F]{64}$/.test(key)) {
      key = Uint8Array.from(key.match(/../g), (h) => parseInt(h, 16));
    }
    if (!(key instanceof Uint8Array) || key.length !== 32) {
      throw badArgument(`trusted key ${id}: publicKey must be 32 bytes or 64 hex digits`);
    }
    return { id, key };
  });
}

function concatKeys(keys) {
  const out = new Uint8Array(keys.length * 32);
  keys.forEach((k, i) => out.set(k.key, i * 32));
  return out;
}

function toBytes(bytes) {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  throw badArgument('snapshot bytes must be a Uint8Array, an ArrayBuffer or a typed array view');
}

export class Authorizer {
  #engine;
  // Names resolved to the engine's indexes, so the hot path passes numbers into wasm rather
  // than encoding strings on every call. A snapshot never changes, so neither do these.
  #users = new Map();
  #permissions = new Map();
  #scopes = new Map();
  #resources = new Map();
  // The reason of each granting assignment met so far, frozen so every decision may share it.
  #grants = new Map();
  #revision;

  #bytes;
  #trust;

  /** @private Use Authorizer.fromSnapshot. */
  constructor(engine, bytes, trust) {
    this.#engine = engine;
    this.#bytes = bytes;
    this.#trust = trust;
    this.#revision = engine.revision;
  }

  /**
   * Decodes snapshot bytes, refusing what `trust` does not accept. Throws an Error whose
   * `code` names why (`snapshot-checksum-mismatch`, `unsigned`, `bad-signature`, …).
   * @param trust { trustedKeys?: [{ id, publicKey }], organization?, minRevision?, maxAgeSeconds?, now? }
   */
  static fromSnapshot(bytes, trust = {}) {
    if (!ready) {
      throw new RolegateError('not-initialized', 'the wasm engine is not initialised: call initialize(module) from "rolegate/edge" first');
    }
    const view = toBytes(bytes);
    const keys = trustedKeys(trust.trustedKeys ?? []);
    const engine = WasmAuthorizer.fromTrustedSnapshot(
      view,
      keys.map((k) => `${k.id}\0`).join(''),
      concatKeys(keys),
      trust.organization ?? NONE,
      trust.minRevision ?? -1,
      trust.maxAgeSeconds ?? -1,
      trust.now ?? Date.now() / 1000,
    );
    return new Authorizer(engine, view, trust);
  }

  /**
   * The snapshot a delta produces from this one, as a new Authorizer, checked with `trust`
   * (by default the trust this one was made with). Throws `delta-wrong-base` for a delta of
   * another base.
   */
  applyDelta(delta, trust = this.#trust) {
    const next = WasmAuthorizer.applyDelta(this.#bytes, toBytes(delta));
    return Authorizer.fromSnapshot(next, trust);
  }

  /** The snapshot bytes this authorizer was made from. */
  get bytes() {
    return this.#bytes;
  }

  #resource(resource) {
    if (resource === undefined || resource === null) return UNKNOWN;
    const key = typeof resource === 'string' ? resource : `${resource.type}\0${resource.id}`;
    return cached(this.#resources, key, () => {
      const [type, id] = resourceParts(resource);
      return this.#engine.resourceIndex(type, id);
    });
  }

  /** Resolves one request to the engine's four indexes. */
  #indexes(user, permission, scope) {
    const engine = this.#engine;
    return [
      cached(this.#users, text('user', user), (k) => engine.userIndex(k)),
      cached(this.#permissions, text('permission', permission), (k) => engine.permissionIndex(k)),
      cached(this.#scopes, text('scope', scope), (k) => engine.scopeIndex(k)),
    ];
  }

  /** Allow (true) or Deny (false). */
  can(user, permission, scope, resource) {
    const [u, p, s] = this.#indexes(user, permission, scope);
    return this.#engine.canAt(u, p, s, this.#resource(resource));
  }

  /** The decision with its reason (reason objects are frozen and shared). */
  check(user, permission, scope, resource) {
    const [u, p, s] = this.#indexes(user, permission, scope);
    const at = this.#engine.decideAt(u, p, s, this.#resource(resource));
    const reason = at >= 0
      ? cached(this.#grants, at, (a) => deepFreeze(this.#engine.grantReason(a)))
      : DENIALS[-1 - at] ?? DENIALS[3];
    return { allowed: at >= 0, revision: this.#revision, reason };
  }

  /** The decision, every assignment behind it, and what would grant it. */
  explain(user, permission, scope, resource) {
    const [type, id] = resourceParts(resource);
    return this.#engine.explain(text('user', user), text('permission', permission), text('scope', scope), type, id);
  }

  /** Many checks, one crossing into wasm: a Uint8Array of 1 (Allow) and 0 (Deny), in order. */
  checkBatch(requests) {
    if (!Array.isArray(requests)) throw badArgument('checkBatch takes an array of { user, permission, scope, resource? }');
    const ids = new Uint32Array(requests.length * 4);
    let at = 0;
    for (const r of requests) {
      const [u, p, s] = this.#indexes(r.user, r.permission, r.scope);
      ids[at] = u;
      ids[at + 1] = p;
      ids[at + 2] = s;
      ids[at + 3] = this.#resource(r.resource);
      at += 4;
    }
    return this.#engine.checkBatchAt(ids);
  }

  /** The user's effective permissions at a scope, sorted. Throws `unknown-user` / `unknown-scope`. */
  permissions(user, scope, resource) {
    const [type, id] = resourceParts(resource);
    return this.#engine.permissions(text('user', user), text('scope', scope), type, id);
  }

  /** Every user who may do `permission` at `scope`, with the granting assignment. */
  whoCan(permission, scope, resource) {
    const [type, id] = resourceParts(resource);
    return this.#engine.whoCan(text('permission', permission), text('scope', scope), type, id);
  }

  /** Every scope where the user has `permission`. */
  scopesWith(user, permission, resource) {
    const [type, id] = resourceParts(resource);
    return this.#engine.scopesWith(text('user', user), text('permission', permission), type, id);
  }

  /** Users whose name, email, id, role name or scope name contains `query` (case-insensitive). */
  searchUsers(query = '') {
    return this.#engine.searchUsers(text('query', query));
  }

  /** One user's role assignments, grouped by scope. Throws `unknown-user`. */
  userAssignments(user) {
    return this.#engine.userAssignments(text('user', user));
  }

  /** The role catalog, optionally filtered by kind, product and level. */
  roles(filter = {}) {
    const { kind = NONE, product = NONE, level = NONE } = filter;
    return this.#engine.roles(text('kind', kind), text('product', product), text('level', level));
  }

  /** One role with its permissions expanded. Throws `unknown-role`. */
  role(id) {
    return this.#engine.role(text('role', id));
  }

  /** Every scope: the organization, its accounts, their subaccounts. */
  scopes() {
    return this.#engine.scopes();
  }

  get revision() {
    return this.#engine.revision;
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

  /** Releases the engine's memory now rather than at garbage collection. */
  free() {
    this.#engine.free();
  }
}
