// Types of the `rolegate` package (browser, bundler, Node and Deno entries).

/** Names a resource for resource-based roles: `{ type, id }` or `"type:id"`. */
export type ResourceArg = { type: string; id: string } | `${string}:${string}`;

export interface ResourceRef {
  type: string;
  id: string;
}

export interface Grant {
  /** The assignment that grants the request. */
  assignment: string;
  role: string;
  /** The scope the assignment is at: the target or one of its ancestors. */
  scope: string;
  resource: ResourceRef | null;
}

export type Reason =
  | ({ kind: 'granted' } & Grant)
  | { kind: 'unknown-permission' }
  | { kind: 'unknown-scope' }
  | { kind: 'unknown-user' }
  | { kind: 'no-matching-assignment' }
  /** The user is deactivated: every decision for them is Deny. */
  | { kind: 'user-inactive' };

export interface Decision {
  allowed: boolean;
  revision: number;
  /** Frozen: decisions granted by the same assignment share one reason object. */
  reason: Readonly<Reason>;
}

export type ScopeLevel = 'organization' | 'account' | 'subaccount';
export type RoleKind = 'organization' | 'general' | 'built-in' | 'resource-based';

export interface RoleOption {
  role: string;
  name: string;
  scope: string;
  level: ScopeLevel;
  resource: ResourceRef | null;
}

export interface Explanation {
  decision: Decision;
  /** Every assignment of the user that grants the request. */
  granting: Grant[];
  /** The user's assignments with the permission that do not reach this scope or resource. */
  elsewhere: Grant[];
  /** When denied: roles that would grant it, and where. */
  wouldGrant: RoleOption[];
}

export interface BatchRequest {
  user: string;
  permission: string;
  scope: string;
  resource?: ResourceArg;
}

export interface User {
  id: string;
  name: string;
  email: string;
  /** False once deactivated: every decision for them is Deny. */
  active: boolean;
}

export interface Scope {
  id: string;
  name: string;
  level: ScopeLevel;
  parent: string | null;
}

export interface Holder {
  user: User;
  grant: Grant;
}

export interface Resource {
  type: string;
  id: string;
  name: string;
}

export interface RoleName {
  id: string;
  name: string;
  kind: RoleKind;
}

export interface AssignmentRow {
  scope: Scope;
  resource: Resource | null;
  roles: RoleName[];
  assignments: string[];
}

export type MatchField = 'name' | 'email' | 'id' | 'role-name' | 'scope-name';

export interface DirectoryEntry {
  user: User;
  rows: AssignmentRow[];
  matched?: MatchField[];
}

export interface Role {
  id: string;
  /** Twilio SID (`IX…`): Twilio's published one for the general roles, else derived from the id. */
  sid: string;
  name: string;
  description: string;
  kind: RoleKind;
  lowestLevel: ScopeLevel;
  allow: string[];
  deny: string[];
  resourceTypes: string[];
}

export interface RoleDetails {
  role: Role;
  assignableAt: ScopeLevel[];
  permissions: string[];
}

export interface RoleFilter {
  kind?: RoleKind;
  product?: string;
  level?: ScopeLevel;
}

/** A public key snapshots may be signed with: 32 bytes, or 64 hex digits. */
export interface TrustedKey {
  id: string;
  publicKey: Uint8Array | string;
}

/** What a snapshot must satisfy to be accepted. Trust fails closed: give `trustedKeys`, or
 * `allowUnsigned: true` to accept unsigned snapshots on purpose; with neither, nothing loads
 * (`no-trusted-keys`). */
export interface TrustSettings {
  /** Require a valid signature by one of these keys (several during a rotation). */
  trustedKeys?: TrustedKey[];
  /** Accept snapshots without a signature (with no keys: check no signature at all). */
  allowUnsigned?: boolean;
  /** The only organization accepted. */
  organization?: string;
  /** Refuse revisions below this: no rollback. A whole number below 2^53 (or a bigint). */
  minRevision?: number | bigint;
  /** Refuse snapshots issued more than this many seconds before `now`. */
  maxAgeSeconds?: number;
  /** Load this user's slice (and nothing else). Without it only the organization's full
   * snapshot loads: a slice never passes for it. */
  sliceOf?: string;
  /** Seconds since the Unix epoch; default `Date.now() / 1000`. */
  now?: number;
}

/** Trust settings, and what the Authorizer does beside deciding. */
export interface AuthorizerOptions extends TrustSettings {
  /** Warn once on the console for each permission or scope a check names that the snapshot
   * does not know (a typo denies like anything else). For development. Default false. */
  warnUnknownNames?: boolean;
}

/** Where the engine (rolegate_bg.wasm) comes from, when not from beside the package's JS:
 * a URL (such as Vite's `import wasmUrl from 'rolegate/rolegate.wasm?url'`), a fetch
 * Response, its bytes, or a compiled module. */
export type WasmSource = string | URL | Response | BufferSource | WebAssembly.Module;

export interface InitOptions {
  wasm?: WasmSource;
  fetch?: typeof fetch;
}

/** How `Authorizer.load` fetches. */
export interface LoadOptions extends AuthorizerOptions {
  fetch?: typeof fetch;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Abandon the snapshot request after this long (`timeout`). Default 10000. */
  timeoutMs?: number;
  /** Largest snapshot accepted, in bytes. Default 256 MiB. */
  maxBytes?: number;
  wasm?: WasmSource;
}

/**
 * Instantiates the engine (browser entry: fetches rolegate_bg.wasm; Node: already done on
 * import; edge: from the precompiled module in `wasm`). Call once, before
 * `Authorizer.fromSnapshot`; `Authorizer.load` and `SnapshotLoader` call it themselves.
 * Rejects with a RolegateError: `http-status`, `unexpected-content`, `fetch-failed`,
 * `engine-unavailable` (a Content-Security-Policy without 'wasm-unsafe-eval').
 */
export function init(options?: InitOptions): Promise<void>;

/** Every `code` an error from this package can carry. */
export type ErrorCode =
  | 'bad-argument'
  | 'not-initialized'
  | 'unknown-user'
  | 'unknown-scope'
  | 'unknown-permission'
  | 'unknown-role'
  | 'snapshot-too-large'
  | 'snapshot-bad-magic'
  | 'snapshot-unsupported-format'
  | 'snapshot-malformed'
  | 'snapshot-checksum-mismatch'
  | 'snapshot-too-many'
  | 'snapshot-invalid'
  | 'unsigned'
  | 'unknown-key'
  | 'bad-signature'
  | 'expired'
  | 'delta-bad-magic'
  | 'delta-unsupported-format'
  | 'delta-wrong-base'
  | 'delta-malformed'
  | 'delta-wrong-organization'
  | 'http-status'
  | 'fetch-failed'
  | 'timeout'
  | 'stale-revision'
  | 'wrong-organization'
  | 'wrong-kind'
  | 'issued-in-future'
  | 'no-trusted-keys'
  | 'revision-out-of-range'
  | 'delta-too-large'
  | 'no-snapshot'
  | 'engine-unavailable'
  | 'unexpected-content'
  | 'internal';

/** Every error the package throws or rejects with. */
export class RolegateError extends Error {
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown });
  readonly code: ErrorCode;
}

/** Checks to decide together, packed once: each distinct name kept once, the requests as
 * numbers pointing at them. It holds names, not indexes: one batch serves every authorizer. */
export class CheckBatch {
  constructor(requests?: Iterable<BatchRequest>);
  /** Adds a check; its answer is at the returned position of `checkBatch`'s result. A name
   * that is not a string is one no snapshot has: Deny. */
  add(user: Name, permission: Name, scope: Name, resource?: ResourceArg | null): number;
  /** How many checks it holds. */
  readonly length: number;
}

/** One organization's snapshot, decoded. Immutable: load a new one to move on. */
export class Authorizer {
  private constructor();
  /** Throws an error whose code says why the bytes are not a valid, trusted snapshot
   * (`not-initialized` in a browser before `init()`). */
  static fromSnapshot(bytes: Uint8Array | ArrayBuffer | ArrayBufferView, options?: AuthorizerOptions): Authorizer;
  /** Fetches the snapshot and, at the same time, the engine; rejects with a RolegateError
   * (`http-status`, `unexpected-content`, `fetch-failed`, `timeout`, `engine-unavailable`, or
   * the snapshot's own code). */
  static load(url: string | URL, options?: LoadOptions): Promise<Authorizer>;
  /** The snapshot a delta produces from this one, checked with `trust` (default: this one's). */
  applyDelta(delta: Uint8Array | ArrayBuffer | ArrayBufferView, trust?: TrustSettings): Authorizer;
  /** The snapshot bytes it was made from. */
  readonly bytes: Uint8Array;
  /** A user, permission or scope that is not a string is one no snapshot has: Deny. */
  can(user: Name, permission: Name, scope: Name, resource?: ResourceArg | null): boolean;
  check(user: Name, permission: Name, scope: Name, resource?: ResourceArg | null): Decision;
  explain(user: string, permission: string, scope: string, resource?: ResourceArg): Explanation;
  /** 1 for Allow, 0 for Deny, in request order. A CheckBatch's names are resolved once per
   * authorizer: deciding it again costs only the decisions. */
  checkBatch(requests: BatchRequest[] | CheckBatch): Uint8Array;
  permissions(user: string, scope: string, resource?: ResourceArg): string[];
  whoCan(permission: string, scope: string, resource?: ResourceArg): Holder[];
  scopesWith(user: string, permission: string, resource?: ResourceArg): Scope[];
  searchUsers(query?: string): DirectoryEntry[];
  userAssignments(user: string): DirectoryEntry;
  roles(filter?: RoleFilter): Role[];
  role(id: string): RoleDetails;
  scopes(): Scope[];
  /** Every permission a check may name, sorted. */
  catalog(): string[];
  /** The most built-in roles one user may hold (the organization's setting). */
  readonly builtInCap: number;
  readonly revision: number;
  readonly issuedAt: number;
  readonly organization: string;
  readonly organizationName: string;
  /** Releases the engine's memory now; any later use throws `no-snapshot`. */
  free(): void;
}

/** A name in a check: a string, or nothing yet (which denies). */
export type Name = string | null | undefined;

export type PollOutcome = 'updated' | 'deferred' | 'unchanged' | 'failed';

export interface LoaderOptions {
  /** How often start() polls. Default 30000. */
  intervalMs?: number;
  /** Abandon a request after this long. Default 10000. */
  timeoutMs?: number;
  /** Hold a new snapshot until activate(). Default false. */
  deferActivation?: boolean;
  /** Refuse snapshots of any other organization. */
  organization?: string;
  /** Require a signature by one of these keys. */
  trustedKeys?: TrustedKey[];
  /** Refuse snapshots older than this; `status.expired` reports an active one that is. */
  maxAgeSeconds?: number;
  /** `can` denies once the active snapshot is older than `maxAgeSeconds`. Default false. */
  denyWhenExpired?: boolean;
  /** Load this user's slice (a console's), and nothing else. */
  sliceOf?: string;
  /** Accept unsigned snapshots (a choice: with neither this nor keys, nothing loads). */
  allowUnsigned?: boolean;
  /** Ask for `<url>.delta-<revision>` before the full snapshot. Default true. */
  deltas?: boolean;
  /** Long-poll a `rolegate serve` snapshot URL, each request held up to this long; a plain
   * server is polled every `intervalMs` instead. Default: poll. */
  watchSeconds?: number;
  /** Largest snapshot accepted, in bytes. Default 256 MiB. */
  maxBytes?: number;
  /** Largest delta accepted, in bytes. Default 16 MiB. */
  maxDeltaBytes?: number;
  /** Headers for every snapshot and delta request (such as `Authorization`), or a function
   * giving them for each request. */
  headers?: Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);
  /** OAuth 2.0 client credentials for a `rolegate serve` URL: the bearer token is fetched from
   * `tokenUrl` and renewed before it expires. Server-side only. */
  clientCredentials?: { tokenUrl: string | URL; clientId: string; clientSecret: string };
  fetch?: typeof fetch;
  /** Where the engine is, for the browser entry (see `init`). */
  wasm?: WasmSource;
  onUpdate?: (authorizer: Authorizer, info: { activated: boolean }) => void;
  onError?: (error: RolegateError) => void;
}

export interface LoaderError {
  code: ErrorCode;
  message: string;
  /** When, in milliseconds since the Unix epoch. */
  at: number;
}

export interface LoaderStatus {
  revision: number | null;
  pendingRevision: number | null;
  etag: string | null;
  /** The latest pull's failure; null once a pull succeeds. */
  error: LoaderError | null;
  lastSuccess: number | null;
  /** The most recent failure, even if a pull has succeeded since. */
  lastError: LoaderError | null;
  expired: boolean;
  /** Whether the server answered the last request as a watch. */
  watching: boolean;
}

/** Keeps an Authorizer fed from a snapshot URL; a bad or older snapshot never replaces a good one. */
export class SnapshotLoader {
  constructor(url: string | URL, options?: LoaderOptions);
  readonly authorizer: Authorizer | null;
  readonly pending: Authorizer | null;
  readonly revision: number | null;
  /** The same frozen object until something changes. */
  readonly status: LoaderStatus;
  readonly expired: boolean;
  /** Calls `listener` after every change (an activation, a pull that failed or succeeded);
   * returns the unsubscribe function. Bound: pass it as is to useSyncExternalStore. */
  readonly subscribe: (listener: () => void) => () => void;
  /** The active authorizer, the same object until the next activation. Bound. */
  readonly getSnapshot: () => Authorizer | null;
  /** Deny until a snapshot is loaded. */
  can(user: Name, permission: Name, scope: Name, resource?: ResourceArg | null): boolean;
  /** One pull (after any in flight). Never rejects. */
  poll(): Promise<PollOutcome>;
  activate(): boolean;
  /** Resolves true once the active revision is at least `revision`, false after `timeoutMs`. */
  waitForRevision(revision: number, timeoutMs?: number): Promise<boolean>;
  start(): Promise<PollOutcome>;
  /** Stops polling and abandons any request in flight; the active snapshot keeps answering. */
  stop(): void;
}
