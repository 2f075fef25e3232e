// The npm side of the write-to-decision benchmark (driven by `rolegate-bench-sync`, which
// holds the server and makes the writes): two SnapshotLoaders on the server's snapshot URL,
// one watching with long polls, one polling with If-None-Match. For each write the driver
// says `go 1` (a grant) or `go 0` (a removal) on stdin just before sending it; this answers
// `armed`, then, once both loaders decide the new way, the milliseconds each took.
//
//   node bench/node/sync.mjs SNAPSHOT_URL TOKEN_URL CLIENT_ID SECRET KEYS_JSON ORG USER PERMISSION SCOPE POLL_MS
import { createInterface } from 'node:readline';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { join, dirname } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { SnapshotLoader } = await import(pathToFileURL(join(root, 'npm', 'src', 'node.js')));
const [url, tokenUrl, clientId, clientSecret, keysJson, organization, user, permission, scope, pollMs] = process.argv.slice(2);

const trustedKeys = JSON.parse(keysJson).map((k) => ({ id: k.id, publicKey: k.public_key_hex }));
const options = { trustedKeys, organization, clientCredentials: { tokenUrl, clientId, clientSecret }, onUpdate: () => settle() };
const watching = new SnapshotLoader(url, { ...options, watchSeconds: 30 });
const polling = new SnapshotLoader(url, { ...options, intervalMs: Number(pollMs) });
const loaders = [watching, polling];

// Each loader reports when it first decides `expected` after `t0`.
let round = null;
function settle() {
  if (round === null) return;
  loaders.forEach((l, i) => {
    if (round.ms[i] === null && l.can(user, permission, scope) === round.expected) {
      round.ms[i] = performance.now() - round.t0;
    }
  });
  if (round.ms.every((m) => m !== null)) {
    process.stdout.write(`${round.ms.map((m) => m.toFixed(3)).join(' ')}\n`);
    round = null;
  }
}

for (const l of loaders) {
  const outcome = await l.start();
  if (outcome !== 'updated') throw new Error(`first load: ${outcome} ${JSON.stringify(l.status)}`);
}
process.stdout.write('ready\n');

for await (const line of createInterface({ input: process.stdin })) {
  const [command, value] = line.split(' ');
  if (command !== 'go') continue;
  round = { expected: value === '1', t0: performance.now(), ms: [null, null] };
  process.stdout.write('armed\n');
}
loaders.forEach((l) => l.stop());
