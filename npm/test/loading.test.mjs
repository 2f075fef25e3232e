// Loading as hosts really answer, in Node against a real HTTP server on 127.0.0.1:
// Authorizer.load's typed errors (404, an HTML fallback, JSON, a hang), the loader behind a
// host without deltas or with an SPA fallback, query strings, subscribe/getSnapshot for UI
// frameworks, and a Node script with a started loader that still exits.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { spawn } from 'node:child_process';
import { Authorizer, RolegateError, SnapshotLoader, init } from 'rolegate';
import { deltaUrl } from '../src/loader.js';
import { acmeSnapshot, people, places, npmDir } from './helpers.mjs';

const acme = acmeSnapshot();
const SPA = '<!DOCTYPE html><html><head><title>app</title></head><body></body></html>';
let server;
let base;
const seen = [];

before(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    seen.push(`${url.pathname}${url.search}`);
    const send = (status, type, body) => {
      res.writeHead(status, { 'Content-Type': type });
      res.end(body);
    };
    switch (url.pathname) {
      case '/acme.rgs': return send(200, 'application/octet-stream', acme);
      case '/untyped.rgs': return send(200, '', acme);
      case '/json.rgs': return send(200, 'application/json', '{"error":"no such organization"}');
      case '/html-untyped.rgs': return send(200, 'application/octet-stream', `\n  ${SPA}`);
      case '/gone.rgs': return send(404, 'text/plain', 'not found');
      case '/hang.rgs': return undefined; // never answers
      default:
        if (url.pathname.startsWith('/nodelta/')) {
          return url.pathname.endsWith('.rgs') ? send(200, 'application/octet-stream', acme) : send(404, 'text/plain', 'none');
        }
        return send(200, 'text/html; charset=utf-8', SPA);
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});

after(() => {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(resolve));
});

/** Asserts that `promise` rejects with a RolegateError of this code and a message matching. */
async function rejectsWith(promise, code, message = /./) {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof RolegateError, `${e?.name}: ${e?.message}`);
    assert.equal(e.code, code, e.message);
    assert.match(e.message, message);
    return true;
  });
}

test('init() resolves in Node (the engine is instantiated on import)', async () => {
  await init();
});

test('Authorizer.load: a snapshot, with or without a content type', async () => {
  const a = await Authorizer.load(`${base}/acme.rgs?v=1`, { allowUnsigned: true });
  assert.equal(a.revision, 1);
  assert.equal(a.can(people.olivia, 'iam/users/read', places.acme), true);
  assert.equal((await Authorizer.load(`${base}/untyped.rgs`, { allowUnsigned: true })).revision, 1);
  assert.ok(seen.includes('/acme.rgs?v=1'));
});

test('Authorizer.load: 404, HTML, JSON, a hang and trust are each a typed error', async () => {
  await rejectsWith(Authorizer.load(`${base}/gone.rgs`, { allowUnsigned: true }), 'http-status', /answered 404/);
  await rejectsWith(Authorizer.load(`${base}/app/acme.rgs`, { allowUnsigned: true }), 'unexpected-content',
    /^got HTML \(status 200, text\/html\) where a snapshot was expected from http/);
  await rejectsWith(Authorizer.load(`${base}/html-untyped.rgs`, { allowUnsigned: true }), 'unexpected-content', /application\/octet-stream/);
  await rejectsWith(Authorizer.load(`${base}/json.rgs`, { allowUnsigned: true }), 'unexpected-content', /got application\/json/);
  await rejectsWith(Authorizer.load(`${base}/hang.rgs`, { allowUnsigned: true, timeoutMs: 150 }), 'timeout');
  await rejectsWith(Authorizer.load('http://127.0.0.1:9/acme.rgs', { allowUnsigned: true }), 'fetch-failed');
  await rejectsWith(Authorizer.load(`${base}/acme.rgs`), 'no-trusted-keys');
  await rejectsWith(Authorizer.load(42), 'bad-argument');
});

test('the delta URL keeps the query string', () => {
  assert.equal(deltaUrl('https://cdn.example/org/acme.rgs?token=abc&v=2', 7), 'https://cdn.example/org/acme.rgs.delta-7?token=abc&v=2');
  assert.throws(() => new SnapshotLoader('/relative.rgs'), (e) => e instanceof RolegateError && e.code === 'bad-argument');
});

test('a host without the delta is asked for it once per revision, quietly', async () => {
  const errors = [];
  const loader = new SnapshotLoader(`${base}/nodelta/acme.rgs?org=acme`, { allowUnsigned: true, onError: (e) => errors.push(e) });
  seen.length = 0;
  for (let i = 0; i < 4; i += 1) await loader.poll();
  assert.deepEqual(seen.filter((p) => p.includes('.delta-')), ['/nodelta/acme.rgs.delta-1?org=acme']);
  assert.equal(seen.filter((p) => p === '/nodelta/acme.rgs?org=acme').length, 4);
  assert.deepEqual(errors, []);
  assert.equal(loader.status.error, null);
});

test('behind an SPA fallback: deltas asked for once, the snapshot URL reported as HTML', async () => {
  const errors = [];
  const ok = new SnapshotLoader(`${base}/acme.rgs`, { allowUnsigned: true, onError: (e) => errors.push(e) });
  seen.length = 0;
  for (let i = 0; i < 3; i += 1) await ok.poll();
  assert.deepEqual(seen.filter((p) => p.includes('.delta-')), ['/acme.rgs.delta-1'], 'the HTML delta is remembered');
  assert.deepEqual(errors, [], 'and never reported');

  const wrong = new SnapshotLoader(`${base}/app/acme.rgs`, { allowUnsigned: true, onError: (e) => errors.push(e) });
  assert.equal(await wrong.poll(), 'failed');
  assert.equal(errors[0].code, 'unexpected-content');
  assert.ok(errors[0] instanceof RolegateError);
  assert.equal(wrong.status.error.code, 'unexpected-content');
});

test('subscribe, getSnapshot and status for UI frameworks', async () => {
  const loader = new SnapshotLoader(`${base}/acme.rgs`, { allowUnsigned: true });
  const { subscribe, getSnapshot } = loader; // bound: usable detached
  const calls = [];
  const unsubscribe = subscribe(() => calls.push(getSnapshot()?.revision ?? null));
  assert.equal(getSnapshot(), null);
  const before = loader.status;
  assert.equal(loader.status, before, 'the same object until something changes');
  assert.ok(Object.isFrozen(before));
  assert.equal(await loader.poll(), 'updated');
  const active = getSnapshot();
  assert.equal(active.revision, 1);
  assert.notEqual(loader.status, before);
  assert.equal(loader.status.revision, 1);
  assert.equal(loader.status, loader.status);
  await loader.poll();
  assert.equal(getSnapshot(), active, 'an unchanged poll keeps the same authorizer');
  assert.deepEqual(calls, [1, 1]);
  unsubscribe();
  await loader.poll();
  assert.equal(calls.length, 2);

  // A failure after a success: `error` is set, then cleared by the next success.
  const flaky = new SnapshotLoader(`${base}/acme.rgs`, { allowUnsigned: true, fetch: (url, init) => (String(url).includes('.delta-') || flaky.fail ? Promise.reject(new Error('offline')) : fetch(url, init)) });
  await flaky.poll();
  flaky.fail = true;
  assert.equal(await flaky.poll(), 'failed');
  assert.equal(flaky.status.error.code, 'fetch-failed');
  flaky.fail = false;
  await flaky.poll();
  assert.equal(flaky.status.error, null);
  assert.equal(flaky.status.lastError.code, 'fetch-failed');
});

test('a Node script with a started loader exits when its work is done', async () => {
  const script = `
    import { SnapshotLoader } from 'rolegate';
    const loader = new SnapshotLoader(${JSON.stringify(`${base}/acme.rgs`)}, { allowUnsigned: true, intervalMs: 60_000 });
    console.log(await loader.start(), loader.can(${JSON.stringify(people.olivia)}, 'iam/users/read', ${JSON.stringify(places.acme)}));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: npmDir });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  const started = performance.now();
  const code = await new Promise((resolve) => {
    const kill = setTimeout(() => child.kill(), 10_000);
    child.on('exit', (c) => {
      clearTimeout(kill);
      resolve(c);
    });
  });
  assert.equal(code, 0, `exit ${code} after ${performance.now() - started} ms`);
  assert.equal(out.trim(), 'updated true');
});
