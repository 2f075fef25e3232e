// SnapshotLoader against a real HTTP server on 127.0.0.1: ETag/304, swaps, refusals, deferred
// activation, timeouts, and a server that goes away.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SnapshotLoader } from 'rolegate';
import { conformance, acmeSnapshot, people, places, root } from './helpers.mjs';

/** A generated organization: "another organization" to the demo one. */
const other = conformance().find((o) => o.name !== 'acme');

/** The demo organization compiled by the CLI at a revision and issue time. */
function acmeAt(revision, issuedAt) {
  const out = join(mkdtempSync(join(tmpdir(), 'rolegate-')), 'acme.rgs');
  execFileSync('cargo', ['run', '-q', '--locked', '-p', 'rolegate-cli', '--', 'compile',
    join(root, 'examples', 'policies', 'acme.json'), '-o', out,
    '--revision', String(revision), '--issued-at', String(issuedAt)],
  { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  return readFileSync(out);
}

const rev1 = acmeSnapshot();
const rev1Again = acmeAt(1, 1_700_000_050); // same revision, other bytes
const rev2 = acmeAt(2, 1_700_000_100);

let server;
let url;
const state = { body: null, status: 200, delayMs: 0, requests: [], deltas: {}, deltaRequests: [] };

function etagOf(bytes) {
  return `"${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}"`;
}

before(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    const delta = path.match(/^\/acme\.rgs\.delta-(\d+)$/);
    if (delta) {
      const body = state.deltas[delta[1]];
      state.deltaRequests.push(path);
      res.writeHead(body ? 200 : 404);
      res.end(body ?? 'no delta');
      return;
    }
    state.requests.push({ ifNoneMatch: req.headers['if-none-match'] ?? null });
    setTimeout(() => {
      if (state.status !== 200) {
        res.writeHead(state.status);
        res.end();
        return;
      }
      const etag = etagOf(state.body);
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { ETag: etag });
        res.end();
        return;
      }
      res.writeHead(200, { ETag: etag, 'Content-Type': 'application/octet-stream' });
      res.end(state.body);
    }, state.delayMs);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${server.address().port}/acme.rgs`;
});

after(() => new Promise((resolve) => server.close(resolve)));

function serve(bytes, { status = 200, delayMs = 0, deltas = {} } = {}) {
  Object.assign(state, { body: bytes, status, delayMs, deltas });
}

test('first poll loads; 304 keeps the snapshot; ETag is sent', async () => {
  const updates = [];
  const loader = new SnapshotLoader(url, { allowUnsigned: true, onUpdate: (a) => updates.push(a.revision) });
  assert.equal(loader.can(people.olivia, 'iam/users/read', places.acme), false, 'deny before any snapshot');
  serve(rev1);
  state.requests.length = 0;
  assert.equal(await loader.poll(), 'updated');
  assert.equal(loader.revision, 1);
  assert.equal(loader.can(people.olivia, 'iam/users/read', places.acme), true);
  assert.equal(await loader.poll(), 'unchanged');
  assert.equal(state.requests[0].ifNoneMatch, null);
  assert.equal(state.requests[1].ifNoneMatch, etagOf(rev1));
  assert.deepEqual(updates, [1]);
});

test('the same revision is unchanged; another organization is refused', async () => {
  const errors = [];
  const loader = new SnapshotLoader(url, { allowUnsigned: true, onError: (e) => errors.push(e.code) });
  serve(rev1);
  assert.equal(await loader.poll(), 'updated');
  const base = loader.authorizer;
  // The same revision with other bytes (a fresh ETag, so no 304): kept, not swapped.
  serve(rev1Again);
  assert.equal(await loader.poll(), 'unchanged');
  assert.equal(loader.authorizer, base);
  assert.equal(loader.authorizer.issuedAt, 1_700_000_000);
  serve(other.snapshot);
  assert.equal(await loader.poll(), 'failed');
  assert.deepEqual(errors, ['wrong-organization']);
  assert.equal(loader.authorizer, base, 'the old snapshot keeps answering');
  // An expected organization refuses even the first snapshot.
  const pinned = new SnapshotLoader(url, { allowUnsigned: true, organization: places.acme, onError: (e) => errors.push(e.code) });
  assert.equal(await pinned.poll(), 'failed');
  assert.equal(pinned.authorizer, null);
  assert.deepEqual(errors, ['wrong-organization', 'wrong-organization']);
});

test('revisions: newer swaps, older is refused and the newer keeps answering', async () => {
  const errors = [];
  const loader = new SnapshotLoader(url, { allowUnsigned: true, onError: (e) => errors.push(e.code) });
  serve(rev1);
  assert.equal(await loader.poll(), 'updated');
  assert.equal(loader.revision, 1);
  serve(rev2);
  assert.equal(await loader.poll(), 'updated');
  assert.equal(loader.revision, 2);
  serve(rev1);
  assert.equal(await loader.poll(), 'failed');
  assert.deepEqual(errors, ['stale-revision']);
  assert.equal(loader.revision, 2);
  assert.equal(loader.status.lastError.code, 'stale-revision');
});

test('corrupt bytes and HTTP errors are refused; the good snapshot keeps answering', async () => {
  const errors = [];
  const loader = new SnapshotLoader(url, { allowUnsigned: true, onError: (e) => errors.push(e.code) });
  serve(rev1);
  await loader.poll();
  const corrupt = Uint8Array.from(rev1);
  corrupt[corrupt.length - 3] ^= 0xff;
  serve(corrupt);
  assert.equal(await loader.poll(), 'failed');
  serve(rev1.subarray(0, 50));
  assert.equal(await loader.poll(), 'failed');
  // A page is named as a page, even sent as a binary type; other bytes are not a snapshot.
  serve(new TextEncoder().encode('<html>not found</html>'));
  assert.equal(await loader.poll(), 'failed');
  serve(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
  assert.equal(await loader.poll(), 'failed');
  serve(rev1, { status: 503 });
  assert.equal(await loader.poll(), 'failed');
  assert.deepEqual(errors, ['snapshot-checksum-mismatch', 'snapshot-malformed', 'unexpected-content', 'snapshot-bad-magic', 'http-status']);
  assert.equal(loader.revision, 1);
  assert.equal(loader.can(people.olivia, 'iam/users/read', places.acme), true);
});

test('deferred activation holds the new snapshot until activate()', async () => {
  const seen = [];
  const loader = new SnapshotLoader(url, { allowUnsigned: true, deferActivation: true, onUpdate: (a, info) => seen.push([a.revision, info.activated]) });
  serve(rev1);
  assert.equal(await loader.poll(), 'deferred');
  assert.equal(loader.authorizer, null);
  assert.equal(loader.activate(), true);
  assert.equal(loader.revision, 1);
  serve(rev2);
  assert.equal(await loader.poll(), 'deferred');
  assert.equal(loader.revision, 1, 'still the old one until activate()');
  assert.equal(loader.pending.revision, 2);
  assert.equal(loader.activate(), true);
  assert.equal(loader.revision, 2);
  assert.equal(loader.activate(), false);
  assert.deepEqual(seen, [[1, false], [1, true], [2, false], [2, true]]);
});

test('a slow server times out; a server that is gone fails; the snapshot stays', async () => {
  const errors = [];
  const loader = new SnapshotLoader(url, { allowUnsigned: true, timeoutMs: 100, onError: (e) => errors.push(e.code) });
  serve(rev1);
  await loader.poll();
  serve(rev1, { delayMs: 400 });
  assert.equal(await loader.poll(), 'failed');
  const gone = new SnapshotLoader('http://127.0.0.1:9/acme.rgs', { allowUnsigned: true, onError: (e) => errors.push(e.code) });
  assert.equal(await gone.poll(), 'failed');
  assert.deepEqual(errors, ['timeout', 'fetch-failed']);
  assert.equal(loader.revision, 1);
  serve(rev1);
});

test('start() polls at once and then on an interval; stop() ends it', async () => {
  serve(rev1);
  state.requests.length = 0;
  const loader = new SnapshotLoader(url, { allowUnsigned: true, intervalMs: 30 });
  assert.equal(await loader.start(), 'updated');
  await new Promise((r) => setTimeout(r, 120));
  loader.stop();
  const polled = state.requests.length;
  assert.ok(polled >= 3, `${polled} polls`);
  await new Promise((r) => setTimeout(r, 80));
  assert.equal(state.requests.length, polled);
});
