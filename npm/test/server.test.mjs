// SnapshotLoader against a real `rolegate serve`: signed in with client credentials (or its
// own headers), watching with long polls and, beside it, polling with If-None-Match; a write
// through the API changes the loader's decision as soon as it is published, and a page that
// just wrote waits for its revision. A user's slice is watched the same way.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { SnapshotLoader } from 'rolegate';
import { people, places, root } from './helpers.mjs';
import { startServer, token, call, trustedKeys } from './server.mjs';

const CALLS = 'voice/calls/create';
let server;
let bearer;
let keys;

before(async () => {
  server = await startServer();
  bearer = await token(server);
  keys = await trustedKeys(server, bearer);
});

after(async () => {
  await server?.stop();
});

const loaders = [];
function loader(url, options) {
  const l = new SnapshotLoader(url, { trustedKeys: keys, organization: server.org, ...options });
  loaders.push(l);
  return l;
}
after(() => loaders.forEach((l) => l.stop()));

const grant = () => call(server, bearer, 'POST', `/users/${people.dana}/assignments`,
  { scope: places.Production, roles: ['developer'] });
const revoke = () => call(server, bearer, 'DELETE', `/users/${people.dana}/scopes/${places.Production}/roles/developer`);

test('a write reaches a watching and a polling loader, each signed in', async () => {
  const credentials = { tokenUrl: `${server.url}/v1/token`, clientId: server.client.id, clientSecret: server.client.secret };
  const watching = loader(server.orgUrl('/snapshot'), { clientCredentials: credentials, watchSeconds: 20 });
  const polling = loader(server.orgUrl('/snapshot'), { headers: () => ({ Authorization: `Bearer ${bearer}` }), intervalMs: 100 });
  assert.equal(await watching.start(), 'updated');
  assert.equal(await polling.start(), 'updated');
  assert.equal(watching.status.watching, true, 'rolegate serve answers as a watch');
  assert.equal(polling.status.watching, false);
  for (const l of [watching, polling]) assert.equal(l.can(people.dana, CALLS, places.Production), false);

  for (let round = 0; round < 3; round += 1) {
    const granted = await grant();
    assert.equal(granted.status, 201, JSON.stringify(granted.body));
    for (const l of [watching, polling]) {
      assert.equal(await l.waitForRevision(granted.body.revision, 15_000), true, JSON.stringify(l.status));
      assert.equal(l.can(people.dana, CALLS, places.Production), true, `round ${round}: the grant is enforced`);
    }
    const revoked = await revoke();
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    for (const l of [watching, polling]) {
      assert.equal(await l.waitForRevision(revoked.body.revision, 15_000), true, JSON.stringify(l.status));
      assert.equal(l.can(people.dana, CALLS, places.Production), false, `round ${round}: the removal is enforced`);
    }
  }
  assert.equal(watching.status.lastError, null);

  // stop() abandons the long poll in flight (held for up to 20 s) at once, quietly.
  const held = watching.poll();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const t0 = performance.now();
  watching.stop();
  assert.equal(await held, 'unchanged');
  assert.ok(performance.now() - t0 < 5_000, `${performance.now() - t0} ms`);
  assert.equal(watching.status.lastError, null);
});

test('without credentials, or with wrong ones, nothing loads', async () => {
  const anonymous = loader(server.orgUrl('/snapshot'));
  assert.equal(await anonymous.poll(), 'failed');
  assert.equal(anonymous.status.lastError.code, 'http-status');
  assert.match(anonymous.status.lastError.message, /401/);
  assert.equal(anonymous.authorizer, null);
  assert.equal(anonymous.can(people.olivia, 'iam/users/read', server.org), false);

  const wrong = loader(server.orgUrl('/snapshot'), {
    clientCredentials: { tokenUrl: `${server.url}/v1/token`, clientId: server.client.id, clientSecret: '0'.repeat(64) },
  });
  assert.equal(await wrong.poll(), 'failed');
  assert.match(wrong.status.lastError.message, /token request/);
  assert.equal(wrong.authorizer, null);
});

test("a user's own slice, watched: her new role arrives, and no one else's policy", async () => {
  // A client acting as Dana, made with the CLI against the server's database.
  const out = execFileSync('cargo', ['run', '-q', '--locked', '-p', 'rolegate-cli', '--', 'clients', 'create',
    '--db', server.db, '--org', server.org, '--actor', people.dana, '--name', 'dana-console'], { cwd: root, encoding: 'utf8' });
  const dana = Object.fromEntries(out.trim().split('\n').map((l) => l.split(': ')));
  const danaToken = await token(server, { id: dana.client_id, secret: dana.client_secret });
  const slice = loader(server.orgUrl(`/users/${people.dana}/slice`), {
    sliceOf: people.dana, watchSeconds: 20, headers: { Authorization: `Bearer ${danaToken}` },
  });
  assert.equal(await slice.start(), 'updated');
  assert.equal(slice.status.watching, true);
  assert.equal(slice.can(people.dana, CALLS, places.Production), false);
  const granted = await grant();
  assert.equal(granted.status, 201);
  assert.equal(await slice.waitForRevision(granted.body.revision, 15_000), true, JSON.stringify(slice.status));
  assert.equal(slice.can(people.dana, CALLS, places.Production), true);
  assert.equal(slice.can(people.olivia, 'iam/users/read', server.org), false, 'the slice holds Dana only');
  // Dana may not read anyone else's slice.
  const other = loader(server.orgUrl(`/users/${people.olivia}/slice`), {
    sliceOf: people.olivia, headers: { Authorization: `Bearer ${danaToken}` },
  });
  assert.equal(await other.poll(), 'failed');
  assert.match(other.status.lastError.message, /403/);
  assert.equal((await revoke()).status, 200);
});
