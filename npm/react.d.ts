// Types of `rolegate/react`: React bindings over the browser entry.
import type { ReactElement, ReactNode } from 'react';
import type { Authorizer, SnapshotLoader, Decision, LoaderStatus, Name, ResourceArg } from './index.js';

export interface RolegateProviderProps {
  /** An Authorizer, or a SnapshotLoader whose activations re-render the tree; null or
   * undefined while nothing is loaded (every check denies). */
  source: Authorizer | SnapshotLoader | null | undefined;
  /** The user whose permissions the hooks and <Can> ask about; none denies. */
  user: Name;
  children?: ReactNode;
}

export function RolegateProvider(props: RolegateProviderProps): ReactElement;

/** Whether the provider's user may do `permission` at `scope` (on `resource`); false while
 * nothing is loaded, or when there is no user or scope. */
export function useCan(permission: Name, scope: Name, resource?: ResourceArg | null): boolean;

/** The decision with its reason, or null while nothing is loaded. */
export function useCheck(permission: Name, scope: Name, resource?: ResourceArg | null): Decision | null;

/** The active Authorizer, or null while nothing is loaded. */
export function useAuthorizer(): Authorizer | null;

/** The loader's status (a fixed Authorizer's: its revision, no error), for "stale" and
 * "error" banners; re-renders when it changes. */
export function useRolegateStatus(): LoaderStatus;

export interface CanProps {
  permission: Name;
  scope: Name;
  resource?: ResourceArg | null;
  /** Rendered when denied (and while nothing is loaded). Default: nothing. */
  fallback?: ReactNode;
  /** Rendered when allowed — or a function of the answer, to render a control disabled
   * rather than hide it. */
  children?: ReactNode | ((allowed: boolean) => ReactNode);
}

/** Renders `children` when allowed, `fallback` otherwise. */
export function Can(props: CanProps): ReactNode;
