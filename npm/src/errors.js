// The one error type of the package. Every failure — the engine's, the wrapper's, the
// loader's, the network's — reaches the caller as a RolegateError whose `code` is one of the
// core's stable codes (`rolegate_core::ffi::Code`) or the loading codes JavaScript alone
// meets (`not-initialized`, `http-status`, `fetch-failed`, `timeout`).

/** An Error with a stable `code`; `cause` keeps the underlying error when there is one. */
export class RolegateError extends Error {
  constructor(code, message, options) {
    super(message, options);
    this.name = 'RolegateError';
    this.code = code;
  }
}

/** Any thrown value as a RolegateError: the engine's failures (thrown as `code\tmessage`)
 * and coded Errors keep their code and message; anything else — a trap included — is a bug
 * reported as `internal`, never passed through untyped. */
export function asRolegateError(e) {
  if (e instanceof RolegateError) return e;
  if (typeof e === 'string') {
    const tab = e.indexOf('\t');
    if (tab > 0) return new RolegateError(e.slice(0, tab), e.slice(tab + 1));
    return new RolegateError('internal', e);
  }
  const code = typeof e?.code === 'string' ? e.code : 'internal';
  return new RolegateError(code, e?.message ?? String(e), { cause: e });
}
