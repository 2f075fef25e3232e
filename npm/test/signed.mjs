// The signed fixtures (tests/fixtures/signed) and their cases, run by any Authorizer: Node
// imports this directly; the workerd test runs the same function inside a worker.

/** Runs every case of `cases.json`; `files` maps file names to bytes, `keys` key ids to hex
 * public keys. Returns one outcome per case: "ok:<revision>", the rebuilt file's name, or the
 * error code. */
export function runCases(Authorizer, cases, files, keys) {
  return cases.map((c) => {
    try {
      if (c.delta) {
        const base = Authorizer.fromSnapshot(files[c.base], { allowUnsigned: true });
        const rebuilt = base.applyDelta(files[c.delta]);
        const same = Object.entries(files).find(([, bytes]) => equal(bytes, rebuilt.bytes));
        return same ? same[0] : 'rebuilt-something-else';
      }
      const a = Authorizer.fromSnapshot(files[c.file], {
        trustedKeys: c.keys.map((id) => ({ id, publicKey: keys[id] })),
        allowUnsigned: c.allow_unsigned === true,
        organization: c.organization,
        minRevision: c.min_revision,
        maxAgeSeconds: c.max_age,
        now: c.now,
      });
      return `ok:${a.revision}`;
    } catch (e) {
      return e.code ?? `uncoded: ${e.message}`;
    }
  });
}

/** What each case should give. */
export function expected(cases) {
  return cases.map((c) => (c.expect === 'ok' ? `ok:${c.revision}` : c.expect));
}

function equal(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
