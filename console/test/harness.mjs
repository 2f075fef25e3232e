// The suite's real parts: a `rolegate serve --demo` on a fresh SQLite file and port 0 per
// test, Debian's Chromium driven by playwright-core (one launch for the whole suite), and
// axe-core injected into pages to scan them.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const consoleDir = resolve(here, '..');
export const repoRoot = resolve(consoleDir, '..');
export const resultsDir = join(consoleDir, 'test-results');
mkdirSync(resultsDir, { recursive: true });

/** The server binary; built once when missing (CI builds it earlier in the same run). */
export function serverBinary() {
  const target = process.env.CARGO_TARGET_DIR ?? join(repoRoot, 'target');
  const binary = join(target, 'debug', 'rolegate');
  if (!existsSync(binary)) {
    execFileSync('cargo', ['build', '-q', '-p', 'rolegate-cli'], { cwd: repoRoot, stdio: 'inherit' });
  }
  return binary;
}

/**
 * Starts `rolegate serve --demo` on a fresh SQLite file and any free port, serving the built
 * console. Resolves once it prints `ready`, with its URL, the demo organization, and an OAuth
 * client acting as the Organization Owner (for setting the scene through the API).
 */
export async function startServer({ demo = true, args = [] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'rolegate-console-'));
  const db = join(dir, 'console.db');
  if (!demo) {
    // The same organization, imported as any real one would be: no picker, no OAuth client.
    execFileSync(serverBinary(), ['import', '--db', db, '--policy', join(repoRoot, 'examples/policies/acme.json')], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const child = spawn(serverBinary(), [
    'serve', ...(demo ? ['--demo'] : []), '--listen', '127.0.0.1:0', '--db', db,
    '--console-dir', join(consoleDir, 'dist'), ...args,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  const info = await new Promise((resolveInfo, reject) => {
    const timer = setTimeout(() => reject(new Error(`rolegate serve did not start in 30 s:\n${out}\n${err}`)), 30_000);
    child.on('exit', (code) => reject(new Error(`rolegate serve exited with ${code}:\n${out}\n${err}`)));
    child.stdout.on('data', (d) => {
      out += d;
      if (/^ready$/m.test(out)) {
        clearTimeout(timer);
        const field = (name) => out.match(new RegExp(`^${name}: (\\S+)`, 'm'))?.[1];
        resolveInfo({
          url: out.match(/listening on (http:\/\/\S+)/)[1],
          org: field('organization')?.split('/').pop() ?? 'OR53bce4f1dfa0fe8e7ca126f91b35d3a6',
          clientId: field('client_id'),
          clientSecret: field('client_secret'),
          consoleUrl: field('console'),
        });
      }
    });
  });
  child.removeAllListeners('exit');
  const server = {
    ...info,
    db,
    /** `echo PASSWORD | rolegate passwords set …`: the CLI way to set a console password. */
    setPassword(user, password) {
      execFileSync(serverBinary(), ['passwords', 'set', '--db', db, '--org', server.org, '--user', user], { input: `${password}\n`, stdio: ['pipe', 'ignore', 'inherit'] });
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  server.api = adminApi(server);
  return server;
}

/** The organization's API as its Owner (the demo's OAuth client), to set scenes and check
 * what changed — never to do what a test claims the console does. */
function adminApi(server) {
  let token = null;
  const bearer = async () => {
    if (token) return token;
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: server.clientId, client_secret: server.clientSecret });
    const r = await fetch(`${server.url}/v1/token`, { method: 'POST', body });
    token = (await r.json()).access_token;
    return token;
  };
  const call = async (method, path, body) => {
    const r = await fetch(`${server.url}/v1/organizations/${server.org}${path}`, {
      method,
      headers: { Authorization: `Bearer ${await bearer()}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = await r.json().catch(() => null);
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(json)}`);
    return json;
  };
  return {
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body),
    put: (path, body) => call('PUT', path, body),
    patch: (path, body) => call('PATCH', path, body),
    del: (path) => call('DELETE', path),
  };
}

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export function launchBrowser() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Runs axe-core on the page as it is and returns its serious and critical violations (as
 * "rule: target" lines, empty when there are none). Injected through the debugging protocol,
 * which the page's Content-Security-Policy does not govern, so the page runs under its real
 * policy.
 */
export async function seriousViolations(page) {
  await page.evaluate(axeSource);
  const results = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
  return results
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.targets.slice(0, 3).join(', ')}`);
}

/** Saves a full-page screenshot as test-results/NAME.png. */
export function screenshot(page, name) {
  return page.screenshot({ path: join(resultsDir, `${name}.png`), fullPage: true });
}

/** The demo's people, by first name. */
export const DEMO = {
  olivia: { id: 'US47bc17dc1a2f164967f55325d866c75c', name: 'Olivia Okafor', email: 'olivia@acme.example' },
  adam: { id: 'US1d7c2923c1684726dc23d2901c4d8157', name: 'Adam Alvarez', email: 'adam@acme.example' },
  paul: { id: 'US6c63212ab48e8401eaf6b59b95d816a9', name: 'Paul Park', email: 'paul@acme.example' },
  mia: { id: 'US5102ecd3d47f6561de70979017b87a80', name: 'Mia Moreau', email: 'mia@acme.example' },
  dana: { id: 'US21cb4e4be93c09542ffa73b2b5cb95ea', name: 'Dana Diaz', email: 'dana@acme.example' },
  sam: { id: 'US332532dcfaa1cbf61e2a266bd723612c', name: 'Sam Sato', email: 'sam@acme.example' },
  nora: { id: 'US23f88ac14feead92f4fdf8e640507d3c', name: 'Nora Nakamura', email: 'nora@acme.example' },
  gary: { id: 'US03b083fd0aadc8883198881ba88111ab', name: 'Gary Gupta', email: 'gary@acme.example' },
};

export const SCOPES = {
  production: 'ACfd89784e59c72499525556f80289b2c7',
  productionEu: 'AC2c93a702ef4b1f1ca99a599c913be643',
  productionUs: 'ACe51ef7b3014c7cc1f66fc588329911b4',
  staging: 'AC830f78e090fe8aec00891405dfc14824',
  marketing: 'ACc769c2bd15500dd906102d9be97fdceb',
  marketingCampaigns: 'AC41dfabce9999260428c407d1922e2109',
};

export const RESOURCES = {
  emea: 'BG7d81d267f4e09cbd3c8fb2765b28554b',
  americas: 'BG8db1b09d6cb44d4150b68a5310688024',
};

/** Opens the console and signs in through the demo picker, as `person`. */
export async function signInAsDemo(page, server, person) {
  await page.goto(`${server.url}/console/users`);
  await page.getByRole('button', { name: `Sign in as ${person.name}` }).click();
  await page.getByText(`Signed in as ${person.name}`).waitFor();
}
