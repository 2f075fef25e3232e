// Every API of the Node entry on the demo organization, and every error code the engine and
// the wrapper can raise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Authorizer, RolegateError } from 'rolegate';
import { acmeSnapshot, people, places, groups } from './helpers.mjs';

const acme = Authorizer.fromSnapshot(acmeSnapshot(), { allowUnsigned: true });

test('metadata', () => {
  assert.equal(acme.organization, places.acme);
  assert.equal(acme.organizationName, 'Acme Corp');
  assert.equal(acme.revision, 1);
  assert.equal(acme.issuedAt, 1_700_000_000);
});

test('can follows the scope tree: down, never up or sideways', () => {
  assert.equal(acme.can(people.paul, 'voice/calls/create', places['Production EU']), true);
  assert.equal(acme.can(people.paul, 'voice/calls/create', places.Production), true);
  assert.equal(acme.can(people.paul, 'messaging/messages/send', places.Marketing), false);
  assert.equal(acme.can(people.dana, 'studio/flows/update', places['Production EU']), true);
  assert.equal(acme.can(people.dana, 'studio/flows/update', places.Production), false);
});

test('resource-based roles need their resource, in either spelling', () => {
  const emea = groups['EMEA billing'];
  assert.equal(acme.can(people.gary, 'billing/invoices/read', places.acme, emea), true);
  assert.equal(acme.can(people.gary, 'billing/invoices/read', places.acme, `${emea.type}:${emea.id}`), true);
  assert.equal(acme.can(people.gary, 'billing/invoices/read', places.acme), false);
  assert.equal(acme.can(people.gary, 'billing/billing-groups/manage', places.acme, groups['Americas billing']), false);
});

test('check carries the revision and the reason', () => {
  const allowed = acme.check(people.paul, 'voice/calls/create', places['Production EU']);
  assert.deepEqual(allowed, {
    allowed: true,
    revision: 1,
    reason: { kind: 'granted', assignment: allowed.reason.assignment, role: 'owner', scope: places.Production, resource: null },
  });
  assert.match(allowed.reason.assignment, /^RA[0-9a-f]{32}$/);
  assert.deepEqual(acme.check(people.paul, 'messaging/messages/send', places.Marketing).reason, { kind: 'no-matching-assignment' });
  assert.deepEqual(acme.check(people.paul, 'billing/invoice/read', places.Marketing).reason, { kind: 'unknown-permission' });
  assert.deepEqual(acme.check(people.paul, 'billing/invoices/read', 'ACnope').reason, { kind: 'unknown-scope' });
  assert.deepEqual(acme.check('USnope', 'billing/invoices/read', places.acme).reason, { kind: 'unknown-user' });
  const onGroup = acme.check(people.gary, 'billing/invoices/read', places.acme, groups['EMEA billing']);
  assert.deepEqual(onGroup.reason.resource, groups['EMEA billing']);
});

test('check reasons are shared and frozen: one caller cannot change what another is told', () => {
  const first = acme.check(people.gary, 'billing/invoices/read', places.acme, groups['EMEA billing']);
  assert.throws(() => { 'use strict'; first.reason.role = 'owner'; }, TypeError);
  assert.throws(() => { 'use strict'; first.reason.resource.id = 'BGother'; }, TypeError);
  assert.throws(() => { 'use strict'; acme.check('USnope', 'billing/invoices/read', places.acme).reason.kind = 'granted'; }, TypeError);
  const again = acme.check(people.gary, 'billing/invoices/read', places.acme, groups['EMEA billing']);
  assert.equal(again.reason.role, 'billing-group-admin');
  assert.deepEqual(again.reason.resource, groups['EMEA billing']);
  assert.equal(acme.check('USnope', 'billing/invoices/read', places.acme).reason.kind, 'unknown-user');
  // The decision object itself is the caller's own.
  first.allowed = false;
  assert.equal(again.allowed, true);
});

test('explain says why not and what would grant it', () => {
  const e = acme.explain(people.paul, 'messaging/messages/send', places.Marketing);
  assert.equal(e.decision.allowed, false);
  assert.deepEqual(e.granting, []);
  assert.deepEqual(e.elsewhere.map((g) => g.scope).sort(), [places.Production, places.Staging].sort());
  assert.ok(e.wouldGrant.some((o) => o.role === 'developer' && o.scope === places.Marketing && o.level === 'account'));
  const yes = acme.explain(people.paul, 'voice/calls/create', places['Production EU']);
  assert.equal(yes.granting.length, 1);
  assert.deepEqual(yes.wouldGrant, []);
});

test('checkBatch answers many requests in order', () => {
  const requests = [
    { user: people.paul, permission: 'voice/calls/create', scope: places['Production EU'] },
    { user: people.paul, permission: 'messaging/messages/send', scope: places.Marketing },
    { user: people.gary, permission: 'billing/invoices/read', scope: places.acme, resource: groups['EMEA billing'] },
    { user: people.gary, permission: 'billing/invoices/read', scope: places.acme },
    { user: 'USnope', permission: 'iam/users/read', scope: places.acme },
  ];
  const answers = acme.checkBatch(requests);
  assert.ok(answers instanceof Uint8Array);
  assert.deepEqual([...answers], [1, 0, 1, 0, 0]);
  assert.deepEqual([...answers], requests.map((r) => Number(acme.can(r.user, r.permission, r.scope, r.resource))));
  assert.deepEqual([...acme.checkBatch([])], []);
  // A name smuggling NUL is just an unknown user in the index path.
  assert.deepEqual([...acme.checkBatch([{ user: `${people.paul}\0x`, permission: 'iam/users/read', scope: places.acme }])], [0]);
});

test('queries: permissions, whoCan, scopesWith, scopes', () => {
  assert.deepEqual(acme.permissions(people.nora, places['Production US']), [
    'messaging/services/read', 'phone-numbers/numbers/configure', 'phone-numbers/numbers/read',
  ]);
  assert.deepEqual(acme.permissions(people.gary, places.acme, groups['EMEA billing']), [
    'billing/billing-groups/manage', 'billing/billing-groups/read', 'billing/invoices/read', 'billing/usage/read',
  ]);
  const holders = acme.whoCan('iam/ownership/transfer', places.Production).map((h) => h.user.name).sort();
  assert.deepEqual(holders, ['Olivia Okafor', 'Paul Park']);
  assert.deepEqual(acme.scopesWith(people.dana, 'studio/flows/update').map((s) => s.name), ['Staging', 'Production EU']);
  const scopes = acme.scopes();
  assert.equal(scopes.length, 7);
  assert.deepEqual(scopes[0], { id: places.acme, name: 'Acme Corp', level: 'organization', parent: null });
});

test('directory: search, user assignments, roles, role', () => {
  const byName = acme.searchUsers('okafor');
  assert.deepEqual(byName.map((h) => h.user.id), [people.olivia]);
  assert.deepEqual(byName[0].matched, ['name']);
  assert.deepEqual(acme.searchUsers('production eu').map((h) => h.user.id), [people.dana]);
  assert.equal(acme.searchUsers().length, 10);
  const gary = acme.userAssignments(people.gary);
  assert.equal(gary.rows.length, 2);
  assert.deepEqual(gary.rows.map((r) => r.resource.name).sort(), ['Americas billing', 'EMEA billing']);
  const resourceRoles = acme.roles({ kind: 'resource-based' }).map((r) => r.id);
  assert.deepEqual(resourceRoles, ['billing-group-admin', 'billing-group-viewer']);
  assert.ok(acme.roles({ product: 'campaigns', level: 'subaccount' }).some((r) => r.id === 'campaign-manager'));
  assert.ok(acme.roles().length >= 20);
  const studio = acme.role('studio-admin');
  assert.deepEqual(studio.assignableAt, ['organization', 'account', 'subaccount']);
  assert.deepEqual(studio.permissions, ['studio/executions/read', 'studio/flows/create', 'studio/flows/delete', 'studio/flows/read', 'studio/flows/update']);
});

/** Asserts that `fn` throws a RolegateError with this code. */
function throwsCode(fn, code) {
  assert.throws(fn, (e) => e instanceof RolegateError && e.code === code, `expected a RolegateError with code ${code}`);
}

test('every error code', async () => {
  const bytes = acmeSnapshot();
  // Snapshot errors, from the engine's decoder.
  throwsCode(() => Authorizer.fromSnapshot(new Uint8Array([1, 2, 3]), { allowUnsigned: true }), 'snapshot-bad-magic');
  throwsCode(() => Authorizer.fromSnapshot(bytes.subarray(0, 100), { allowUnsigned: true }), 'snapshot-malformed');
  const trailing = new Uint8Array(bytes.length + 1);
  trailing.set(bytes);
  throwsCode(() => Authorizer.fromSnapshot(trailing, { allowUnsigned: true }), 'snapshot-malformed');
  const flipped = Uint8Array.from(bytes);
  flipped[flipped.length - 1] ^= 1;
  throwsCode(() => Authorizer.fromSnapshot(flipped, { allowUnsigned: true }), 'snapshot-checksum-mismatch');
  const newer = Uint8Array.from(bytes);
  newer[4] += 1;
  throwsCode(() => Authorizer.fromSnapshot(newer, { allowUnsigned: true }), 'snapshot-unsupported-format');
  // Queries about unknown names.
  throwsCode(() => acme.permissions('USnope', places.acme), 'unknown-user');
  throwsCode(() => acme.permissions(people.paul, 'ACnope'), 'unknown-scope');
  throwsCode(() => acme.whoCan('iam/users/raed', places.acme), 'unknown-permission');
  throwsCode(() => acme.scopesWith(people.paul, 'iam/users/raed'), 'unknown-permission');
  throwsCode(() => acme.userAssignments('USnope'), 'unknown-user');
  throwsCode(() => acme.role('superuser'), 'unknown-role');
  // Arguments.
  throwsCode(() => acme.permissions(undefined, places.acme), 'bad-argument');
  throwsCode(() => acme.whoCan(42, places.acme), 'bad-argument');
  throwsCode(() => acme.checkBatch([null]), 'bad-argument');
  throwsCode(() => acme.can(people.paul, 'iam/users/read', places.acme, { kind: 'x' }), 'bad-argument');
  throwsCode(() => acme.can(people.paul, 'iam/users/read', places.acme, 'no-colon'), 'bad-argument');
  throwsCode(() => acme.roles({ kind: 'superuser' }), 'bad-argument');
  throwsCode(() => acme.roles({ level: 'galaxy' }), 'bad-argument');
  throwsCode(() => Authorizer.fromSnapshot('not bytes', { allowUnsigned: true }), 'bad-argument');
  throwsCode(() => acme.checkBatch('nope'), 'bad-argument');
  // An index batch of the wrong shape is refused by the engine.
  throwsCode(() => acme.checkBatch([{ user: people.paul, permission: 'iam/users/read', scope: places.acme, resource: 7 }]), 'bad-argument');
  // The loader's codes (http-status, fetch-failed, timeout, stale-revision,
  // wrong-organization) are exercised in loader.test.mjs; not-initialized in edge.test.mjs.
});

test('an authorizer can be freed; any use after that is a no-snapshot RolegateError', () => {
  const a = Authorizer.fromSnapshot(acmeSnapshot(), { allowUnsigned: true });
  assert.equal(a.can(people.olivia, 'iam/users/read', places.acme), true);
  a.free();
  a.free();
  // Names already resolved (cached on the JS side) and new ones alike.
  throwsCode(() => a.can(people.olivia, 'iam/users/read', places.acme), 'no-snapshot');
  throwsCode(() => a.can(people.paul, 'voice/calls/create', places.Production), 'no-snapshot');
  throwsCode(() => a.check(people.olivia, 'iam/users/read', places.acme), 'no-snapshot');
  throwsCode(() => a.checkBatch([{ user: people.olivia, permission: 'iam/users/read', scope: places.acme }]), 'no-snapshot');
  throwsCode(() => a.permissions(people.olivia, places.acme), 'no-snapshot');
  throwsCode(() => a.catalog(), 'no-snapshot');
  throwsCode(() => a.organization, 'no-snapshot');
});

test('names that are not strings are unknown names: Deny with the reason, never a throw', () => {
  assert.equal(acme.can(undefined, 'iam/users/read', places.acme), false);
  assert.equal(acme.can(people.olivia, null, places.acme), false);
  assert.equal(acme.can(people.olivia, 'iam/users/read', undefined), false);
  assert.equal(acme.can(1, 2, 3), false);
  assert.deepEqual(acme.check(undefined, 'iam/users/read', places.acme).reason, { kind: 'unknown-user' });
  assert.deepEqual(acme.check(people.olivia, { toString: () => 'iam/users/read' }, places.acme).reason, { kind: 'unknown-permission' });
  assert.deepEqual(acme.check(people.olivia, 'iam/users/read', null).reason, { kind: 'unknown-scope' });
  assert.deepEqual([...acme.checkBatch([{ user: people.olivia, permission: 'iam/users/read' }])], [0]);
  // The same names as strings are allowed: nothing about them was cached wrongly.
  assert.equal(acme.can(people.olivia, 'iam/users/read', places.acme), true);
});

test('warnUnknownNames: one console warning per unknown permission or scope', (t) => {
  const warnings = [];
  t.mock.method(console, 'warn', (message) => warnings.push(message));
  const a = Authorizer.fromSnapshot(acmeSnapshot(), { allowUnsigned: true, warnUnknownNames: true });
  assert.equal(a.can(people.olivia, 'iam/users/raed', places.acme), false);
  assert.equal(a.can(people.olivia, 'iam/users/raed', places.acme), false);
  assert.equal(a.can(people.olivia, 'iam/users/read', 'ACnowhere'), false);
  assert.equal(a.can('USnobody', 'iam/users/read', places.acme), false);
  assert.equal(warnings.length, 2, warnings.join('\n'));
  assert.match(warnings[0], /no permission `iam\/users\/raed`.*a typo\?/);
  assert.match(warnings[1], /no scope `ACnowhere`/);
  // Without the option, nothing is said.
  acme.can(people.olivia, 'iam/users/raad', places.acme);
  assert.equal(warnings.length, 2);
});
