// rolegate/react as the console uses it, on real signed slices from a real `rolegate serve`:
// <Can>, its render-prop form and useCan render with and without the permission, deny while
// nothing is loaded, and follow a SnapshotLoader to a new slice after a role is removed.
// (The live re-render of an open page is the Chromium suite's "live update" test.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createElement as h } from 'react';
import { renderToString } from 'react-dom/server';
import { Authorizer, SnapshotLoader } from 'rolegate';
import { Can, RolegateProvider, useCan } from 'rolegate/react';
import { DEMO, SCOPES, startServer } from './harness.mjs';

const REFUSED = 'refused';

function Probe({ permission, scope }) {
  return h('span', null, useCan(permission, scope) ? 'useCan:yes' : 'useCan:no');
}

/** What the tree shows for `user` with `source`, asking `permission` at `scope`. */
function show(source, user, permission, scope) {
  return renderToString(h(RolegateProvider, { source, user },
    h(Can, { permission, scope, fallback: REFUSED }, 'granted'),
    h(Can, { permission, scope }, (allowed) => (allowed ? '|button' : '|button disabled')),
    h(Probe, { permission, scope })));
}

async function trustOf(server) {
  const { keys } = await server.api.get('/keys');
  return keys.map((k) => ({ id: k.id, publicKey: k.public_key_hex }));
}

async function bearer(server) {
  const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: server.clientId, client_secret: server.clientSecret });
  return (await (await fetch(`${server.url}/v1/token`, { method: 'POST', body })).json()).access_token;
}

async function slice(server, user, token) {
  const r = await fetch(`${server.url}/v1/organizations/${server.org}/users/${user}/slice`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(r.status, 200);
  return new Uint8Array(await r.arrayBuffer());
}

test('rolegate/react renders with and without the permission, from signed slices', async (t) => {
  const server = await startServer();
  t.after(() => server.stop());
  const trustedKeys = await trustOf(server);
  const token = await bearer(server);
  const olivia = Authorizer.fromSnapshot(await slice(server, DEMO.olivia.id, token), { trustedKeys, sliceOf: DEMO.olivia.id });
  const dana = Authorizer.fromSnapshot(await slice(server, DEMO.dana.id, token), { trustedKeys, sliceOf: DEMO.dana.id });

  const admin = show(olivia, DEMO.olivia.id, 'iam/users/read', server.org);
  assert.match(admin, /granted/);
  assert.match(admin, /\|button</);
  assert.match(admin, /useCan:yes/);

  const developer = show(dana, DEMO.dana.id, 'iam/users/read', server.org);
  assert.match(developer, new RegExp(REFUSED));
  assert.match(developer, /\|button disabled/);
  assert.match(developer, /useCan:no/);
  // Her slice still answers for what she does hold.
  assert.match(show(dana, DEMO.dana.id, 'studio/flows/update', SCOPES.productionEu), /useCan:yes/);

  // Nothing loaded yet: denied, never an error.
  assert.match(show(null, DEMO.olivia.id, 'iam/users/read', server.org), /useCan:no/);
  // A slice is one user's: it does not answer for anyone else.
  assert.match(show(dana, DEMO.olivia.id, 'iam/users/read', server.org), /useCan:no/);
});

test('rolegate/react follows a SnapshotLoader to the new slice after a role is removed', async (t) => {
  const server = await startServer();
  t.after(() => server.stop());
  await server.api.post(`/users/${DEMO.adam.id}/assignments`, { scope: server.org, roles: ['organization-owner'] });
  const token = await bearer(server);
  const loader = new SnapshotLoader(`${server.url}/v1/organizations/${server.org}/users/${DEMO.adam.id}/slice`, {
    trustedKeys: await trustOf(server), sliceOf: DEMO.adam.id, deltas: false, headers: { Authorization: `Bearer ${token}` },
  });
  t.after(() => loader.stop());
  const transfer = () => show(loader, DEMO.adam.id, 'iam/ownership/transfer', SCOPES.staging);

  assert.match(transfer(), /useCan:no/, 'denied before the first slice');
  assert.equal(await loader.poll(), 'updated');
  assert.match(transfer(), /useCan:yes/, 'an Organization Owner may transfer ownership');

  let notified = 0;
  const unsubscribe = loader.subscribe(() => { notified += 1; });
  await server.api.del(`/users/${DEMO.adam.id}/scopes/${server.org}/roles/organization-owner`);
  // The write is acknowledged at commit; the slice is published just after.
  let outcome = 'unchanged';
  for (let i = 0; i < 50 && outcome !== 'updated'; i += 1) {
    outcome = await loader.poll();
    if (outcome !== 'updated') await new Promise((r) => setTimeout(r, 50));
  }
  unsubscribe();
  assert.equal(outcome, 'updated');
  assert.ok(notified > 0, 'subscribers hear of the new slice');
  assert.match(transfer(), /useCan:no/, 'the removed role no longer grants it');
  assert.match(show(loader, DEMO.adam.id, 'iam/users/read', server.org), /useCan:yes/, 'what he still holds still shows');
});
