// Measures the console's first load — the bytes of its JS, CSS, wasm and the signed-in
// user's slice, raw and gzip-compressed (level 9, as a CDN would send them) — and its time to
// interactive (navigation start to the `console-interactive` mark: permissions verified and
// the Users page's first results on screen), on the demo organization and on an M-size one
// (10,000 users, 200 accounts, 1,000 subaccounts, ~50,000 assignments), each in a fresh
// browser context with nothing cached. Prints its figures to stdout.
// Usage: node scripts/measure.mjs [runs per organization, default 5]   (after npm run build)
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DEMO, consoleDir, launchBrowser, serverBinary, startServer } from '../test/harness.mjs';

const RUNS = Number(process.argv[2] ?? 5);
const BUDGET_GZIP = 250 * 1024;

const hex = (prefix, n) => `${prefix}${n.toString(16).padStart(32, '0')}`;

/** An M-size organization: every account with its one Owner, five assignments per user, at
 * most four built-in roles each. User 0 is the Organization Owner who signs in. */
function mediumPolicy() {
  const org = hex('OR', 1);
  const accounts = Array.from({ length: 200 }, (_, i) => ({ id: hex('AC', 0x1000 + i), name: `Account ${i}` }));
  const subaccounts = Array.from({ length: 1000 }, (_, i) => ({ id: hex('AC', 0x10000 + i), name: `Subaccount ${i}`, account: accounts[i % 200].id }));
  const users = Array.from({ length: 10_000 }, (_, i) => ({ id: hex('US', i), name: `User ${i}`, email: `user${i}@m.example` }));
  const assignments = [];
  const give = (user, role, scope) => assignments.push({ id: hex('RA', assignments.length), user, role, scope });
  give(users[0].id, 'organization-owner', org);
  accounts.forEach((a, i) => give(users[i + 1].id, 'owner', a.id));
  const general = ['developer', 'support', 'billing-manager', 'administrator'];
  for (let u = 1; u < users.length; u += 1) {
    const id = users[u].id;
    give(id, general[u % 4], accounts[u % 200].id);
    give(id, 'studio-viewer', subaccounts[u % 1000].id);
    give(id, 'voice-viewer', subaccounts[(u * 7 + 1) % 1000].id);
    give(id, 'messaging-services-viewer', accounts[(u * 3 + 1) % 200].id);
    give(id, 'monitor-viewer', subaccounts[(u * 13 + 2) % 1000].id);
  }
  return {
    policy: {
      revision: 1,
      organization: { id: org, name: 'M Corp' },
      accounts, subaccounts, users, permissions: [], roles: [], resources: [], assignments,
      settings: { max_built_in_roles_per_user: 25 },
    },
    admin: users[0],
  };
}

/** `rolegate serve` on an imported M-size organization, with a password for its Owner. */
async function startMedium() {
  const dir = mkdtempSync(join(tmpdir(), 'rolegate-measure-'));
  const db = join(dir, 'm.db');
  const { policy, admin } = mediumPolicy();
  writeFileSync(join(dir, 'm.json'), JSON.stringify(policy));
  const bin = serverBinary();
  execFileSync(bin, ['import', '--db', db, '--policy', join(dir, 'm.json')], { stdio: ['ignore', 'ignore', 'inherit'] });
  const password = 'measure the console';
  execFileSync(bin, ['passwords', 'set', '--db', db, '--org', policy.organization.id, '--user', admin.id], { input: `${password}\n`, stdio: ['pipe', 'ignore', 'inherit'] });
  const child = spawn(bin, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--console-dir', join(consoleDir, 'dist')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.on('exit', (c) => reject(new Error(`rolegate serve exited ${c}`)));
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m && /^ready$/m.test(out)) resolve(m[1]);
    });
  });
  child.removeAllListeners('exit');
  return {
    url,
    counts: { users: policy.users.length, accounts: policy.accounts.length, subaccounts: policy.subaccounts.length, assignments: policy.assignments.length },
    signIn: async (page) => {
      await page.goto(`${url}/console/`);
      await page.getByLabel('Email').fill(admin.email);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'User management' }).waitFor();
    },
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function kind(url) {
  if (/\/slice(\?|$)/.test(url)) return 'slice';
  if (url.endsWith('.wasm')) return 'wasm';
  if (url.endsWith('.js')) return 'js';
  if (url.endsWith('.css')) return 'css';
  if (/\/console\/[^.]*$/.test(new URL(url).pathname)) return 'html';
  return null;
}

/** One cold load of /console/users by a signed-in user: bytes by kind and time to interactive. */
async function coldLoad(browser, signIn) {
  const context = await browser.newContext();
  try {
    await signIn(await context.newPage());
    const page = await context.newPage();
    const bodies = [];
    page.on('response', async (response) => {
      const k = kind(response.url());
      if (k && response.status() === 200 && !(k === 'slice' && bodies.some((b) => b.kind === 'slice'))) {
        bodies.push({ kind: k, body: response.body().catch(() => Buffer.alloc(0)) });
      }
    });
    await page.goto(page.context().pages()[0].url().replace(/\/console\/.*/, '/console/users'));
    await page.waitForFunction(() => performance.getEntriesByName('console-interactive').length > 0, null, { timeout: 60_000 });
    const tti = await page.evaluate(() => performance.getEntriesByName('console-interactive')[0].startTime);
    const bytes = {};
    for (const { kind: k, body } of bodies) {
      const b = await body;
      bytes[k] ??= { raw: 0, gzip: 0 };
      bytes[k].raw += b.length;
      bytes[k].gzip += gzipSync(b, { level: 9 }).length;
    }
    return { tti, bytes };
  } finally {
    await context.close();
  }
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(browser, name, signIn, counts) {
  const runs = [];
  await coldLoad(browser, signIn); // warm the server's caches, not the browser's
  for (let i = 0; i < RUNS; i += 1) runs.push(await coldLoad(browser, signIn));
  const { bytes } = runs[runs.length - 1];
  const total = Object.values(bytes).reduce((s, b) => ({ raw: s.raw + b.raw, gzip: s.gzip + b.gzip }), { raw: 0, gzip: 0 });
  const ttis = runs.map((r) => r.tti);
  console.log(`\n## ${name}${counts ? ` (${counts.users.toLocaleString('en')} users, ${counts.accounts} accounts, ${counts.subaccounts.toLocaleString('en')} subaccounts, ${counts.assignments.toLocaleString('en')} assignments)` : ''}`);
  console.log('| part | raw | gzip |');
  console.log('|---|---|---|');
  for (const k of ['html', 'js', 'css', 'wasm', 'slice']) {
    if (bytes[k]) console.log(`| ${k} | ${kb(bytes[k].raw)} | ${kb(bytes[k].gzip)} |`);
  }
  console.log(`| **first load, all included** | ${kb(total.raw)} | **${kb(total.gzip)}** (budget ${kb(BUDGET_GZIP)}: ${total.gzip <= BUDGET_GZIP ? 'within' : 'OVER'}) |`);
  console.log(`time to interactive: median ${median(ttis).toFixed(0)} ms, min ${Math.min(...ttis).toFixed(0)}, max ${Math.max(...ttis).toFixed(0)} (${RUNS} cold loads, local server)`);
  return total.gzip <= BUDGET_GZIP;
}

const browser = await launchBrowser();
let within = true;
try {
  const demo = await startServer();
  try {
    within = await measure(browser, 'demo organization (Acme)', async (page) => {
      await page.goto(`${demo.url}/console/`);
      await page.getByRole('button', { name: `Sign in as ${DEMO.olivia.name}` }).click();
      await page.getByRole('heading', { level: 1, name: 'User management' }).waitFor();
    }) && within;
  } finally {
    await demo.stop();
  }
  const medium = await startMedium();
  try {
    within = await measure(browser, 'M-size organization', medium.signIn, medium.counts) && within;
  } finally {
    await medium.stop();
  }
} finally {
  await browser.close();
}
process.exitCode = within ? 0 : 1;
