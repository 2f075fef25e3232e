// The npm engine against the native one: generated organizations and requests whose
// decisions the reference model and the native engine agreed on (rolegate-vectors).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Authorizer } from 'rolegate';
import { vectors } from './helpers.mjs';

const all = vectors();

test('at least 10,000 generated checks decide exactly as native', () => {
  let checks = 0;
  let allowed = 0;
  for (const org of all) {
    const a = Authorizer.fromSnapshot(org.snapshot);
    assert.equal(a.organization, org.organization);
    assert.equal(a.revision, org.revision);
    const batch = a.checkBatch(org.cases);
    org.cases.forEach((c, i) => {
      const decision = a.check(c.user, c.permission, c.scope, c.resource ?? undefined);
      assert.deepEqual(decision, c.decision, `${org.name} case ${i}`);
      assert.equal(a.can(c.user, c.permission, c.scope, c.resource ?? undefined), c.decision.allowed);
      assert.equal(batch[i], Number(c.decision.allowed));
      checks += 1;
      allowed += Number(c.decision.allowed);
    });
  }
  assert.ok(checks >= 10_000, `only ${checks} checks`);
  // Both answers are well represented.
  assert.ok(allowed > checks / 10 && allowed < checks * 0.9, `${allowed} of ${checks} allowed`);
});

test('console queries answer as native', () => {
  for (const org of all) {
    const a = Authorizer.fromSnapshot(org.snapshot);
    for (const q of org.queries) {
      if (q.kind === 'permissions') assert.deepEqual(a.permissions(q.user, q.scope), q.answer);
      if (q.kind === 'directory') assert.deepEqual(a.userAssignments(q.user), q.answer);
    }
  }
});
