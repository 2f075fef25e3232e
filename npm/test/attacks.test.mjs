// The trust chain under attack, in Node: each test pins one hardening and fails on the code
// before it. The delta bomb is the one every runtime refuses (rolegate_tests::attacks),
// written beside the vectors by `rolegate-vectors`.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Authorizer, SnapshotLoader } from 'rolegate';
import { initSync } from '../dist/rolegate.js';
import { root, acmePolicy } from './helpers.mjs';

const vectors = process.env.ROLEGATE_VECTORS ?? join(root, 'target', 'vectors');
const signedDir = join(root, 'tests', 'fixtures', 'signed');
const files = Object.fromEntries(readdirSync(signedDir).map((f) => [f, new Uint8Array(readFileSync(join(signedDir, f)))]));
const key = (id) => ({ id, publicKey: JSON.parse(readFileSync(join(signedDir, `${id}.key.json`), 'utf8')).public });
const NOW = 1_700_000_010;

/** The engine's linear memory: already instantiated, `initSync` hands back its exports. */
const memory = () => initSync({ module: readFileSync(join(root, 'npm', 'dist', 'rolegate_bg.wasm')) }).memory;

test('a delta bomb is refused before anything is rebuilt, and the engine does not grow', () => {
  const base = Authorizer.fromSnapshot(readFileSync(join(vectors, 'bomb-base.rgs')), { allowUnsigned: true, now: NOW });
  const bomb = readFileSync(join(vectors, 'bomb.rgd'));
  assert.ok(bomb.length < 60_000, `${bomb.length} bytes`);
  const before = memory().buffer.byteLength;
  const started = performance.now();
  assert.throws(() => base.applyDelta(bomb, { allowUnsigned: true, now: NOW }), (e) => e.code === 'delta-too-large');
  const took = performance.now() - started;
  const grown = memory().buffer.byteLength - before;
  assert.ok(grown < 1 << 20, `wasm memory grew by ${grown} bytes`);
  console.log(`# node: a ${bomb.length}-byte delta bomb refused in ${took.toFixed(2)} ms, wasm memory +${grown} bytes`);
  // With keys it is refused on its envelope, earlier still.
  const trusted = Authorizer.fromSnapshot(files['acme-r2-test-2026.rgs'], { trustedKeys: [key('test-2026')], now: NOW });
  assert.throws(() => trusted.applyDelta(files['acme-r2-to-r3.rgd'], { trustedKeys: [key('test-2026')], now: NOW }),
    (e) => e.code === 'unknown-key');
});

test('a signed slice never passes for the organization snapshot, nor for another user', () => {
  const slice = files['acme-r2-slice-test-2026.rgs'];
  const trust = { trustedKeys: [key('test-2026')], now: NOW };
  assert.throws(() => Authorizer.fromSnapshot(slice, trust), (e) => e.code === 'wrong-kind');
  // The fixture is the first user's slice (tests/tests/signed_fixtures.rs).
  const [olivia, other] = acmePolicy.users.map((u) => u.id);
  const mine = Authorizer.fromSnapshot(slice, { ...trust, sliceOf: olivia });
  assert.equal(mine.searchUsers('').length, 1);
  assert.throws(() => Authorizer.fromSnapshot(slice, { ...trust, sliceOf: other }), (e) => e.code === 'wrong-kind');
});

test('revisions are exact or refused; malformed trust is a typed error', () => {
  const bytes = files['acme-r2-test-2026.rgs'];
  const trust = { trustedKeys: [key('test-2026')], now: NOW };
  assert.throws(() => Authorizer.fromSnapshot(bytes, { ...trust, minRevision: 2 ** 53 }), (e) => e.code === 'bad-argument');
  assert.throws(() => Authorizer.fromSnapshot(bytes, { ...trust, minRevision: 1.5 }), (e) => e.code === 'bad-argument');
  assert.equal(Authorizer.fromSnapshot(bytes, { ...trust, minRevision: 2n }).revision, 2);
  assert.throws(() => Authorizer.fromSnapshot(bytes, { ...trust, now: Number.NaN }), (e) => e.code === 'bad-argument');
  assert.throws(() => Authorizer.fromSnapshot(bytes, { now: NOW }), (e) => e.code === 'no-trusted-keys');
  assert.throws(() => Authorizer.fromSnapshot(bytes, { ...trust, now: NOW - 1000 }), (e) => e.code === 'issued-in-future');
});

/** A server whose snapshot answers come from a script of { delayMs, status, body }. */
function scripted(script) {
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    const next = path === '/acme.rgs' ? script.shift() : undefined;
    if (!next) {
      res.writeHead(404);
      res.end();
      return;
    }
    setTimeout(() => {
      res.writeHead(next.status ?? 200, next.headers ?? {});
      res.end(next.body ?? '');
    }, next.delayMs ?? 0);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const servers = [];
after(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

test('overlapping polls never land an older revision after a newer one', async () => {
  const r2 = files['acme-r2-test-2026.rgs'];
  const r3 = files['acme-r3-test-2027.rgs'];
  // The slow answer is the older one: a racing poll must not let it win.
  const server = await scripted([{ body: r2 }, { delayMs: 500, body: r2 }, { body: r3 }]);
  servers.push(server);
  const url = `http://127.0.0.1:${server.address().port}/acme.rgs`;
  const loader = new SnapshotLoader(url, { trustedKeys: [key('test-2026'), key('test-2027')], deltas: false });
  assert.equal(await loader.poll(), 'updated');
  const slow = loader.poll();
  await new Promise((r) => setTimeout(r, 100));
  const fast = loader.poll();
  await Promise.all([slow, fast]);
  assert.equal(loader.revision, 3);
});

test('size caps, and a 304 that answers no validator is a failure', async () => {
  const big = files['acme-r2-test-2026.rgs'];
  const server = await scripted([{ body: big }, { status: 304 }]);
  servers.push(server);
  const url = `http://127.0.0.1:${server.address().port}/acme.rgs`;
  const errors = [];
  const capped = new SnapshotLoader(url, { trustedKeys: [key('test-2026')], maxBytes: 1000, onError: (e) => errors.push(e.code) });
  assert.equal(await capped.poll(), 'failed');
  assert.deepEqual(errors, ['snapshot-too-large']);
  const loader = new SnapshotLoader(url, { trustedKeys: [key('test-2026')], onError: (e) => errors.push(e.code) });
  assert.equal(await loader.poll(), 'failed', 'a 304 with nothing to compare against');
  assert.equal(errors.at(-1), 'http-status');
  assert.equal(loader.revision, null);
});
