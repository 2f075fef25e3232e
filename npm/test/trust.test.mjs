// Signatures, rollback, freshness and deltas in Node: the shared signed fixtures, and the
// loader preferring deltas and refusing untrusted snapshots, against a local HTTP server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Authorizer, SnapshotLoader } from 'rolegate';
import { root } from './helpers.mjs';
import { runCases, expected } from './signed.mjs';

const dir = join(root, 'tests', 'fixtures', 'signed');
const files = Object.fromEntries(readdirSync(dir).map((f) => [f, new Uint8Array(readFileSync(join(dir, f)))]));
const cases = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8'));
const keys = Object.fromEntries(['test-2026', 'test-2027'].map((id) => [id, JSON.parse(readFileSync(join(dir, `${id}.key.json`), 'utf8')).public]));
const key = (id) => ({ id, publicKey: keys[id] });

test('the signed fixtures decide as the native core says', () => {
  assert.deepEqual(runCases(Authorizer, cases, files, keys), expected(cases));
  assert.ok(cases.length >= 14);
});

test('trust arguments are checked', () => {
  for (const bad of [[{ id: 'x', publicKey: 'abcd' }], [{ id: '', publicKey: keys['test-2026'] }], 'nope']) {
    assert.throws(() => Authorizer.fromSnapshot(files['acme-r2-test-2026.rgs'], { trustedKeys: bad }), (e) => e.code === 'bad-argument');
  }
});

let server;
let url;
const state = { body: null, deltas: {}, full: 0, delta: [] };

before(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    const m = path.match(/^\/acme\.rgs\.delta-(\d+)$/);
    if (m) {
      state.delta.push(Number(m[1]));
      const body = state.deltas[m[1]];
      res.writeHead(body ? 200 : 404);
      res.end(body ?? '');
      return;
    }
    state.full += 1;
    res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
    res.end(state.body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${server.address().port}/acme.rgs`;
});

after(() => new Promise((resolve) => server.close(resolve)));

test('the loader refuses untrusted snapshots, then takes a delta when offered', async () => {
  const errors = [];
  const loader = new SnapshotLoader(url, { trustedKeys: [key('test-2026'), key('test-2027')], onError: (e) => errors.push(e.code) });
  state.body = files['acme-r2-unsigned.rgs'];
  assert.equal(await loader.poll(), 'failed');
  state.body = files['acme-r2-tampered.rgs'];
  assert.equal(await loader.poll(), 'failed');
  state.body = files['acme-r2-test-2026.rgs'];
  assert.equal(await loader.poll(), 'updated');
  assert.deepEqual(errors, ['unsigned', 'bad-signature']);
  assert.equal(loader.revision, 2);

  // The server offers the delta 2 → 3: the loader takes it and never fetches the full one.
  state.deltas = { 2: files['acme-r2-to-r3.rgd'] };
  state.body = files['acme-r3-test-2027.rgs'];
  const full = state.full;
  assert.equal(await loader.poll(), 'updated');
  assert.equal(loader.revision, 3);
  assert.equal(state.full, full, 'the full snapshot was not downloaded');
  assert.deepEqual(loader.authorizer.bytes, files['acme-r3-test-2027.rgs']);

  // A delta for the wrong base is reported and the full snapshot used instead.
  state.deltas = { 3: files['acme-r2-to-r3.rgd'] };
  assert.equal(await loader.poll(), 'unchanged');
  assert.deepEqual(errors, ['unsigned', 'bad-signature', 'delta-wrong-base']);
  assert.equal(state.full, full + 1);

  // An older snapshot, validly signed, is a rollback.
  state.deltas = {};
  state.body = files['acme-r2-test-2026.rgs'];
  assert.equal(await loader.poll(), 'failed');
  assert.equal(errors.at(-1), 'stale-revision');
  assert.equal(loader.revision, 3);
});

test('a retired key is refused after rotation', async () => {
  const errors = [];
  const loader = new SnapshotLoader(url, { trustedKeys: [key('test-2027')], onError: (e) => errors.push(e.code) });
  state.deltas = {};
  state.body = files['acme-r2-test-2026.rgs'];
  assert.equal(await loader.poll(), 'failed');
  assert.deepEqual(errors, ['unknown-key']);
  state.body = files['acme-r3-test-2027.rgs'];
  assert.equal(await loader.poll(), 'updated');
});

test('freshness: an expired snapshot is refused; an active one that outlives the limit is reported and, if asked, denies', async () => {
  const errors = [];
  const issuedAt = Authorizer.fromSnapshot(files['acme-r2-test-2026.rgs'], { allowUnsigned: true }).issuedAt;
  const realNow = Date.now;
  try {
    Date.now = () => (issuedAt + 60) * 1000;
    const stale = new SnapshotLoader(url, { allowUnsigned: true, maxAgeSeconds: 30, onError: (e) => errors.push(e.code) });
    state.deltas = {};
    state.body = files['acme-r2-test-2026.rgs'];
    assert.equal(await stale.poll(), 'failed');
    assert.deepEqual(errors, ['expired']);

    const loader = new SnapshotLoader(url, { allowUnsigned: true, maxAgeSeconds: 3_600, denyWhenExpired: true });
    assert.equal(await loader.poll(), 'updated');
    const olivia = 'US47bc17dc1a2f164967f55325d866c75c';
    const acme = 'OR53bce4f1dfa0fe8e7ca126f91b35d3a6';
    assert.equal(loader.can(olivia, 'iam/users/read', acme), true);
    assert.equal(loader.status.expired, false);
    Date.now = () => (issuedAt + 7_200) * 1000;
    assert.equal(loader.status.expired, true);
    assert.equal(loader.can(olivia, 'iam/users/read', acme), false);
  } finally {
    Date.now = realNow;
  }
});
