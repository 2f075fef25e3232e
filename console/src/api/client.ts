// Every request the console makes goes through here: same-origin JSON with the session
// cookie, and the session's CSRF token on anything that changes state (the server answers
// 403 `csrf-token-missing` without it). Failures become ApiError with the server's code and
// message, so pages can show the rule that refused a change word for word.

export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, message: string, status: number) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }
}

let csrfToken: string | null = null;

/** Dispatched on `window` when the server no longer knows the session. */
export const SESSION_ENDED = 'console:session-ended';

/** The CSRF token of the signed-in session (null after sign-out). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export async function request<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken !== null) headers['X-CSRF-Token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch (e) {
    throw new ApiError('network-error', `the server could not be reached (${(e as Error).message})`, 0);
  }
  const text = await response.text();
  let json: unknown = null;
  if (text !== '') {
    try {
      json = JSON.parse(text);
    } catch {
      throw new ApiError('unexpected-content', `${method} ${path} answered ${response.status} with something that is not JSON`, response.status);
    }
  }
  if (!response.ok) {
    const error = json as { code?: string; message?: string } | null;
    // A session that ended (expired, signed out in another tab) ends the console's too; the
    // sign-in request itself answers 401 for a wrong password, which is the form's to show.
    if (response.status === 401 && !path.startsWith('/v1/session')) window.dispatchEvent(new Event(SESSION_ENDED));
    throw new ApiError(error?.code ?? 'http-status', error?.message ?? `${method} ${path} answered ${response.status}`, response.status);
  }
  return json as T;
}

export const get = <T>(path: string) => request<T>('GET', path);

/** A query string from the values that are set. */
export function query(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}
