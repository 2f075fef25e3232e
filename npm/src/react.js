// React bindings (`rolegate/react`): a provider holding an Authorizer or a SnapshotLoader and
// the user whose permissions the page shows, hooks that ask it, and <Can>. Nothing is decided
// here: every answer is the Authorizer's. While nothing is loaded, or when a question cannot
// be asked (no user, a malformed resource), the answer is Deny.
import { createContext, createElement, useContext, useMemo, useSyncExternalStore } from 'react';
import { RolegateError } from './browser.js';

const RolegateContext = createContext(null);

function isLoader(source) {
  return typeof source?.subscribe === 'function' && typeof source.getSnapshot === 'function';
}

function isAuthorizer(source) {
  return typeof source?.can === 'function' && typeof source.check === 'function';
}

const noSubscription = () => () => {};

/**
 * Makes `source` — an Authorizer, or a SnapshotLoader whose activations re-render the tree —
 * and `user` available to the hooks and <Can> below it. A null or undefined source is
 * "nothing loaded yet": every check denies.
 */
export function RolegateProvider({ source = null, user = null, children }) {
  if (source !== null && !isLoader(source) && !isAuthorizer(source)) {
    throw new RolegateError('bad-argument', '<RolegateProvider source> takes an Authorizer or a SnapshotLoader (a promise? await Authorizer.load first)');
  }
  const loader = isLoader(source) ? source : null;
  const current = () => (loader ? loader.getSnapshot() : source);
  const authorizer = useSyncExternalStore(loader ? loader.subscribe : noSubscription, current, current);
  const value = useMemo(() => ({ source, loader, authorizer, user }), [source, loader, authorizer, user]);
  return createElement(RolegateContext.Provider, { value }, children);
}

function useRolegate(hook) {
  const value = useContext(RolegateContext);
  if (value === null) {
    throw new RolegateError('not-initialized', `${hook} needs a <RolegateProvider> above it`);
  }
  return value;
}

/** A resource as a memo key: equal resources, equal keys, whatever object holds them. */
function resourceKey(resource) {
  if (resource === undefined || resource === null) return '';
  if (typeof resource === 'string') return `s\0${resource}`;
  return `o\0${resource.type}\0${resource.id}`;
}

const reported = new Set();

/** Asks the authorizer; Deny when there is none, no user, or the question is malformed. */
function ask(authorizer, user, question, denied) {
  if (authorizer === null || typeof user !== 'string') return denied;
  try {
    return question(authorizer);
  } catch (e) {
    // A malformed resource is the caller's bug: denied, and said once rather than thrown
    // into the render (a white page for one button).
    if (!reported.has(e?.message) && reported.size < 100) {
      reported.add(e?.message);
      console.error(e);
    }
    return denied;
  }
}

/** Whether the provider's user may do `permission` at `scope` (on `resource`); false while
 * nothing is loaded. */
export function useCan(permission, scope, resource) {
  const { authorizer, user } = useRolegate('useCan');
  const key = resourceKey(resource);
  // `key` stands for `resource`: a new object literal each render is the same question.
  return useMemo(() => ask(authorizer, user, (a) => a.can(user, permission, scope, resource ?? undefined), false),
    [authorizer, user, permission, scope, key]);
}

/** The decision with its reason for the provider's user, or null while nothing is loaded. */
export function useCheck(permission, scope, resource) {
  const { authorizer, user } = useRolegate('useCheck');
  const key = resourceKey(resource);
  return useMemo(() => ask(authorizer, user, (a) => a.check(user, permission, scope, resource ?? undefined), null),
    [authorizer, user, permission, scope, key]);
}

/** The active Authorizer, or null while nothing is loaded. */
export function useAuthorizer() {
  return useRolegate('useAuthorizer').authorizer;
}

const statusOf = new WeakMap();
const NOTHING_LOADED = Object.freeze({
  revision: null, pendingRevision: null, etag: null, error: null, lastSuccess: null, lastError: null, expired: false, watching: false,
});

/** A fixed Authorizer's status: its revision, never an error. */
function fixedStatus(authorizer) {
  if (authorizer === null) return NOTHING_LOADED;
  let status = statusOf.get(authorizer);
  if (status === undefined) {
    status = Object.freeze({ ...NOTHING_LOADED, revision: authorizer.revision });
    statusOf.set(authorizer, status);
  }
  return status;
}

/** The loader's status — revision, the latest pull's error, expiry — for "stale" and "error"
 * banners; re-renders when it changes. A fixed Authorizer's is its revision. */
export function useRolegateStatus() {
  const { loader, authorizer } = useRolegate('useRolegateStatus');
  const current = () => (loader ? loader.status : fixedStatus(authorizer));
  return useSyncExternalStore(loader ? loader.subscribe : noSubscription, current, current);
}

/**
 * Renders `children` when the provider's user may do `permission` at `scope`, `fallback`
 * otherwise (and while nothing is loaded). `children` may be a function of the answer, to
 * render a disabled control rather than none.
 */
export function Can({ permission, scope, resource, fallback = null, children = null }) {
  const allowed = useCan(permission, scope, resource);
  if (typeof children === 'function') return children(allowed);
  return allowed ? children : fallback;
}
