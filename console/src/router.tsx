// A small router over the History API: the console has a dozen flat routes, which does not
// call for a routing library's weight in the first load. Paths inside the app are written
// without the `/console` base (`/users/US…`); links and history entries carry it.
import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

const BASE = import.meta.env.BASE_URL.replace(/\/$/, '');
const NAVIGATED = 'console:navigate';

function subscribe(listener: () => void): () => void {
  window.addEventListener('popstate', listener);
  window.addEventListener(NAVIGATED, listener);
  return () => {
    window.removeEventListener('popstate', listener);
    window.removeEventListener(NAVIGATED, listener);
  };
}

const currentHref = () => window.location.pathname + window.location.search;

export interface Location {
  /** The path inside the app, such as `/users/US…`. */
  path: string;
  search: URLSearchParams;
}

let cached: { href: string; location: Location } | null = null;

function locationOf(href: string): Location {
  if (cached?.href !== href) {
    const url = new URL(href, window.location.origin);
    const path = url.pathname.startsWith(BASE) ? url.pathname.slice(BASE.length) || '/' : url.pathname;
    cached = { href, location: { path, search: url.searchParams } };
  }
  return cached.location;
}

export function useLocation(): Location {
  const href = useSyncExternalStore(subscribe, currentHref, currentHref);
  return locationOf(href);
}

/** The address of an app path, for `href`s. */
export const hrefOf = (to: string) => BASE + to;

/** Goes to `to`; false when already there (nothing to do — a caller may want to refresh). */
export function navigate(to: string, options: { replace?: boolean } = {}): boolean {
  const href = hrefOf(to);
  if (href === currentHref()) return false;
  if (options.replace) window.history.replaceState(null, '', href);
  else window.history.pushState(null, '', href);
  window.dispatchEvent(new Event(NAVIGATED));
  return true;
}

/** The params of `pattern` (`/users/:user`) in `path`, or null when it does not match. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/');
  const have = path.replace(/\/$/, '').split('/');
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i += 1) {
    if (want[i].startsWith(':')) {
      if (have[i] === '') return null;
      params[want[i].slice(1)] = decodeURIComponent(have[i]);
    } else if (want[i] !== have[i]) {
      return null;
    }
  }
  return params;
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & { to: string };

/** An ordinary link (it opens in a new tab, copies, reads as a link) that navigates in place. */
export function Link({ to, onClick, ...rest }: LinkProps) {
  const follow = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={hrefOf(to)} onClick={follow} {...rest} />;
}
