// The npm engine against the native one: the random differential (every decision the
// reference model and the native engine agreed on, written by rolegate-vectors — 200,000 in
// the test command) and the committed conformance vectors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Authorizer } from 'rolegate';
import { differential, expand, conformance } from './helpers.mjs';

test('the random differential decides exactly as native (>= 200,000 decisions in the test command)', () => {
  let checks = 0;
  let allowed = 0;
  let mismatches = 0;
  for (const org of differential()) {
    const a = Authorizer.fromSnapshot(org.snapshot, { allowUnsigned: true });
    assert.equal(a.organization, org.organization);
    const cases = org.cases.map((c) => expand(c, org.revision));
    const batch = a.checkBatch(cases);
    cases.forEach((c, i) => {
      const decision = a.check(c.user, c.permission, c.scope, c.resource);
      const same = JSON.stringify(decision) === JSON.stringify(c.decision)
        && a.can(c.user, c.permission, c.scope, c.resource) === c.decision.allowed
        && batch[i] === Number(c.decision.allowed);
      if (!same) {
        mismatches += 1;
        assert.deepEqual(decision, c.decision, `${org.name} case ${i}`);
      }
      checks += 1;
      allowed += Number(c.decision.allowed);
    });
    a.free();
  }
  const expectedChecks = Number(process.env.ROLEGATE_MIN_CHECKS ?? 200_000);
  assert.ok(checks >= expectedChecks, `only ${checks} checks`);
  assert.equal(mismatches, 0);
  assert.ok(allowed > checks / 10 && allowed < checks * 0.9, `${allowed} of ${checks} allowed`);
  console.log(`differential: ${checks} decisions, ${mismatches} mismatches`);
});

test('the conformance vectors hold in Node', () => {
  let seen = 0;
  for (const org of conformance()) {
    const a = Authorizer.fromSnapshot(org.snapshot, { allowUnsigned: true });
    for (const c of org.cases) {
      assert.deepEqual(a.check(c.user, c.permission, c.scope, c.resource ?? undefined), c.decision, `${org.name}`);
      seen += 1;
    }
  }
  assert.ok(seen >= 3_000);
});
