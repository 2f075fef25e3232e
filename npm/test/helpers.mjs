// Shared by the node tests: paths, the demo organization, and the generated vectors.
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, dirname } from 'node:path';

export const npmDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const root = join(npmDir, '..');

/** The demo organization's snapshot (the golden fixture) and policy. */
export const acmeSnapshot = () => readFileSync(join(root, 'tests', 'fixtures', 'acme-r1.rgs'));
export const acmePolicy = JSON.parse(readFileSync(join(root, 'examples', 'policies', 'acme.json'), 'utf8'));

export const people = Object.fromEntries(acmePolicy.users.map((u) => [u.email.split('@')[0], u.id]));
export const places = {
  acme: acmePolicy.organization.id,
  ...Object.fromEntries([...acmePolicy.accounts, ...acmePolicy.subaccounts].map((s) => [s.name, s.id])),
};
export const groups = Object.fromEntries(acmePolicy.resources.map((r) => [r.name, { type: r.type, id: r.id }]));

/** The random differential written by `rolegate-vectors` (the test command writes 200,000
 * decisions to target/vectors; ROLEGATE_VECTORS points elsewhere), one organization at a
 * time so ten million fit in memory. */
export function* differential() {
  const dir = process.env.ROLEGATE_VECTORS ?? join(root, 'target', 'vectors');
  if (!existsSync(join(dir, 'index.json'))) {
    throw new Error(`no vectors in ${dir}: run cargo run --release -p rolegate-tests --bin rolegate-vectors -- ${dir}`);
  }
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
  for (let n = 0; n < index.orgs; n += 1) {
    const name = `org-${String(n).padStart(5, '0')}`;
    yield {
      name,
      snapshot: readFileSync(join(dir, `${name}.rgs`)),
      ...JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')),
    };
  }
}

/** A compact case `[user, permission, scope, type, id, allowed, kind, assignment, role,
 * scope, granted resource]` as a request and the decision it must get. */
export function expand(c, revision) {
  const [user, permission, scope, type, id, allowed, kind, assignment, role, grantScope, granted] = c;
  const resource = type === null ? undefined : { type, id };
  const reason = kind === 'granted'
    ? { kind, assignment, role, scope: grantScope, resource: granted && { type: granted[0], id: granted[1] } }
    : { kind };
  return { user, permission, scope, resource, decision: { allowed, revision, reason } };
}

/** The committed conformance vectors (tests/conformance/v1). */
export function conformance() {
  const dir = join(root, 'tests', 'conformance', 'v1');
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  return manifest.organizations.map((org) => ({
    name: org.name,
    snapshot: readFileSync(join(dir, org.snapshot)),
    cases: JSON.parse(readFileSync(join(dir, org.cases), 'utf8')),
  }));
}
