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

/** Conformance vectors written by `cargo run -p rolegate-tests --bin rolegate-vectors`. */
export function vectors() {
  const dir = process.env.ROLEGATE_VECTORS ?? join(root, 'target', 'vectors');
  if (!existsSync(join(dir, 'index.json'))) {
    throw new Error(`no vectors in ${dir}: run cargo run -p rolegate-tests --bin rolegate-vectors -- ${dir}`);
  }
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
  return index.orgs.map((name) => ({
    name,
    snapshot: readFileSync(join(dir, `${name}.rgs`)),
    ...JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')),
  }));
}
