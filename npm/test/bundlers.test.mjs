// The packed tarball in every bundler a front end meets — Vite 6, the current Vite (a React +
// TypeScript app on rolegate/react), webpack 5, and a plain <script type="module"> page — each
// built by its own pinned tools and loaded in real headless Chromium (one launch for all):
// decisions must be exactly `rolegate check`'s, and a strict CSP, a 404 and an HTML answer
// must each end as a RolegateError whose code the page shows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { readFileSync, readdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join, normalize, extname, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { prepare, bundlersDir } from './bundlers/prepare.mjs';
import { root, npmDir, acmePolicy, people, places, groups } from './helpers.mjs';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.css': 'text/css', '.wasm': 'application/wasm', '.rgs': 'application/octet-stream', '.json': 'application/json',
};
/** Where each fixture's page is served from: a bundle's output, or the folder itself. */
const SERVED = {
  plain: join(bundlersDir, 'plain'),
  vite6: join(bundlersDir, 'vite6', 'dist'),
  webpack5: join(bundlersDir, 'webpack5'),
  'react-vite': join(bundlersDir, 'react-vite', 'dist'),
  shared: join(bundlersDir, 'shared'),
};
const SPA_FALLBACK = '<!doctype html><html><body><div id="app"></div></body></html>';
const STRICT_CSP = "default-src 'self'; script-src 'self'";

let cli;
const acmeFile = join(root, 'tests', 'fixtures', 'acme-r1.rgs');
const live = { body: null, status: 200, requests: [] };
let server;
let base;
let browser;
let packed;

const cliAnswers = new Map();

/** `rolegate check --json` for one question: the CLI's decision (each asked once). */
function cliCheck(snapshot, question) {
  const key = JSON.stringify([snapshot, question]);
  if (!cliAnswers.has(key)) cliAnswers.set(key, askCli(snapshot, question));
  return cliAnswers.get(key);
}

function askCli(snapshot, [user, permission, scope, resource]) {
  const args = ['check', '--snapshot', snapshot, '--user', user, '--permission', permission, '--scope', scope, '--json'];
  if (resource) args.push('--resource', `${resource.type}:${resource.id}`);
  const run = spawnSync(cli, args, { encoding: 'utf8' });
  assert.ok(run.status === 0 || run.status === 1, `rolegate ${args.join(' ')}: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

/** Key order differs between JSON writers: compare canonically. */
const canon = (v) => JSON.stringify(v, (k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort()) : x));

/** Every user × scope × a few permissions (one a typo), and resource-based questions. */
const QUESTIONS = [];
for (const user of Object.values(people)) {
  for (const scope of Object.values(places)) {
    for (const permission of ['iam/users/read', 'voice/calls/create', 'studio/flows/update', 'billing/invoices/read', 'iam/users/raed']) {
      QUESTIONS.push([user, permission, scope]);
    }
  }
}
for (const group of Object.values(groups)) QUESTIONS.push([people.gary, 'billing/billing-groups/manage', places.acme, group]);

/** The demo organization at revision 2, where Dana is also a Developer at Production: the
 * compiled file's path. */
function acmeRevision2() {
  const dir = mkdtempSync(join(tmpdir(), 'rolegate-bundlers-'));
  const policy = structuredClone(acmePolicy);
  policy.revision = 2;
  policy.assignments.push({ id: 'RA00000000000000000000000000000042', user: people.dana, role: 'developer', scope: places.Production });
  writeFileSync(join(dir, 'acme-r2.json'), JSON.stringify(policy));
  execFileSync(cli, ['compile', join(dir, 'acme-r2.json'), '-o', join(dir, 'acme-r2.rgs'), '--issued-at', '1700000100']);
  return join(dir, 'acme-r2.rgs');
}

async function answer(req, res) {
  const url = new URL(req.url, 'http://x');
  const path = decodeURIComponent(url.pathname);
  const headers = {};
  if (url.searchParams.has('csp')) headers['Content-Security-Policy'] = STRICT_CSP;
  if (path === '/snapshots/acme.rgs') return send(res, 200, TYPES['.rgs'], readFileSync(acmeFile));
  if (path === '/snapshots/questions.json') return send(res, 200, TYPES['.json'], JSON.stringify(QUESTIONS));
  if (path === '/snapshots/missing.rgs') return send(res, 404, 'text/plain', 'not found');
  if (path.startsWith('/snapshots/live.rgs')) {
    live.requests.push(path);
    if (path !== '/snapshots/live.rgs') return send(res, 200, TYPES['.html'], SPA_FALLBACK);
    return live.status === 200 ? send(res, 200, TYPES['.rgs'], live.body) : send(res, live.status, 'text/plain', 'unavailable');
  }
  const [, fixture, rest] = path.match(/^\/([^/]+)(\/.*)?$/) ?? [];
  const dir = SERVED[fixture];
  if (dir) {
    const file = join(dir, normalize(rest && rest !== '/' ? rest : '/index.html'));
    if (file.startsWith(dir)) {
      try {
        const body = await readFile(file);
        return send(res, 200, TYPES[extname(file)] ?? 'application/octet-stream', body, headers);
      } catch { /* fall through */ }
    }
  }
  // What a dev server or an SPA host does with every unknown path.
  return send(res, 200, TYPES['.html'], SPA_FALLBACK);
}

function send(res, status, type, body, headers = {}) {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...headers });
  res.end(body);
}

before(async () => {
  const started = performance.now();
  execFileSync('cargo', ['build', '-q', '--locked', '-p', 'rolegate-cli'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  cli = join(resolve(root, process.env.CARGO_TARGET_DIR ?? 'target'), 'debug', 'rolegate');
  packed = prepare();
  console.log(`# npm pack: ${packed.files.map((f) => f.path).sort().join(', ')} (${packed.size} bytes packed)`);
  console.log(`# prepared in ${((performance.now() - started) / 1000).toFixed(1)} s: ${Object.entries(packed.seconds).map(([k, s]) => `${k} ${s.toFixed(1)} s`).join(', ')}`);
  server = createServer((req, res) => {
    answer(req, res).catch((e) => send(res, 500, 'text/plain', String(e)));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
});

/** Opens `path` in a fresh page and waits until it shows a result or an error. */
async function open(path) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}${path}`);
  await page.waitForSelector('body[data-state]', { timeout: 20_000 });
  return { page, errors };
}

test('the tarball holds the README, the LICENSE, the types and both wasm entries', () => {
  const paths = packed.files.map((f) => f.path);
  for (const f of ['README.md', 'LICENSE', 'package.json', 'index.d.ts', 'edge.d.ts', 'react.d.ts',
    'dist/rolegate.js', 'dist/rolegate_bg.wasm', 'src/browser.js', 'src/node.js', 'src/edge.js', 'src/react.js']) {
    assert.ok(paths.includes(f), `${f} is not in the tarball: ${paths.join(', ')}`);
  }
  assert.ok(!paths.some((p) => p.startsWith('test/') || p.startsWith('scripts/')), 'tests and scripts stay out');
  // Links in the README that point into the package must resolve inside the tarball.
  const readme = readFileSync(join(npmDir, 'README.md'), 'utf8');
  for (const [, link] of readme.matchAll(/\]\((?!https?:|#)([^)]+)\)/g)) {
    assert.ok(paths.includes(link.replace(/^\.\//, '')), `README links to ${link}, which the tarball lacks`);
  }
});

for (const fixture of ['plain', 'vite6', 'webpack5']) {
  test(`${fixture}: decides in Chromium exactly as rolegate check does`, async () => {
    const { page, errors } = await open(`/${fixture}/`);
    assert.equal(await page.getAttribute('body', 'data-state'), 'done', await page.textContent('#error'));
    const { revision, answers } = JSON.parse(await page.textContent('#result'));
    assert.equal(revision, 1);
    assert.equal(answers.length, QUESTIONS.length);
    const expected = QUESTIONS.map((q) => cliCheck(acmeFile, q));
    const mismatches = answers.map((a, i) => [QUESTIONS[i], a, expected[i]]).filter(([, a, e]) => canon(a) !== canon(e));
    assert.deepEqual(mismatches, []);
    const allowed = answers.filter((a) => a.allowed).length;
    assert.ok(allowed > 40 && allowed < answers.length - 40, `${allowed} allowed`);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test(`${fixture}: a strict CSP, a 404 and an HTML answer are each a RolegateError the page shows`, async () => {
    const cases = [
      ['?csp', 'engine-unavailable', /wasm-unsafe-eval/],
      ['?snapshot=/snapshots/missing.rgs', 'http-status', /404/],
      ['?snapshot=/snapshots/nowhere.rgs', 'unexpected-content', /got HTML \(status 200, text\/html\) where a snapshot was expected/],
    ];
    for (const [query, code, message] of cases) {
      const { page, errors } = await open(`/${fixture}/${query}`);
      assert.equal(await page.getAttribute('body', 'data-state'), 'error', query);
      assert.equal(await page.getAttribute('body', 'data-code'), code, query);
      assert.equal(await page.getAttribute('body', 'data-typed'), 'true', `${query}: instanceof RolegateError`);
      assert.match(await page.textContent('#error'), message);
      assert.deepEqual(errors, [], query);
      await page.close();
    }
  });
}

/** The grid's buttons: [scope, permission, enabled]. */
function grid(page) {
  return page.$$eval('#grid button', (buttons) => buttons.map((b) => [b.dataset.scope, b.dataset.permission, !b.disabled]));
}

test('react: <Can> enables exactly what rolegate check allows, for each user', async () => {
  live.body = readFileSync(acmeFile);
  live.status = 200;
  for (const user of [people.paul, people.dana, people.olivia, people.bella]) {
    const { page, errors } = await open(`/react-vite/?user=${user}`);
    assert.equal(await page.getAttribute('body', 'data-state'), 'done');
    const buttons = await grid(page);
    assert.equal(buttons.length, 7 * 6);
    const wrong = buttons.filter(([scope, permission, enabled]) => cliCheck(acmeFile, [user, permission, scope]).allowed !== enabled);
    assert.deepEqual(wrong, [], user);
    const manage = cliCheck(acmeFile, [user, 'iam/users/manage', places.acme]);
    assert.equal(await page.getAttribute('#manage', 'data-allowed'), String(manage.allowed), 'children or fallback');
    assert.equal(await page.textContent('#reason'), manage.reason.kind);
    assert.deepEqual(errors, []);
    await page.close();
  }
});

test('react: a new snapshot from the loader re-renders; a failed poll shows its code and keeps the decisions', async () => {
  live.body = readFileSync(acmeFile);
  live.status = 200;
  live.requests.length = 0;
  const { page, errors } = await open(`/react-vite/?user=${people.dana}`);
  const calls = `#grid button[data-scope="${places.Production}"][data-permission="voice/calls/create"]`;
  assert.equal(await page.isDisabled(calls), true, 'Dana may not make calls at Production in revision 1');
  assert.equal(await page.textContent('#status'), 'revision 1');

  const revision2 = acmeRevision2();
  assert.equal(cliCheck(revision2, [people.dana, 'voice/calls/create', places.Production]).allowed, true);
  live.body = readFileSync(revision2);
  assert.equal(await page.evaluate(() => window.rolegate.poll()), 'updated');
  await page.waitForSelector(`${calls}:not([disabled])`, { timeout: 5_000 });
  assert.equal(await page.textContent('#status'), 'revision 2');
  const wrong = (await grid(page)).filter(([scope, permission, enabled]) => cliCheck(revision2, [people.dana, permission, scope]).allowed !== enabled);
  assert.deepEqual(wrong, [], 'the whole grid follows revision 2');

  live.status = 503;
  assert.equal(await page.evaluate(() => window.rolegate.poll()), 'failed');
  await page.waitForSelector('body[data-code="http-status"]');
  assert.match(await page.textContent('#status'), /^revision 2 — http-status: /);
  assert.equal(await page.isDisabled(calls), false, 'the good snapshot keeps answering');
  // Behind an SPA fallback the delta URL answers HTML: asked once, then never again.
  assert.equal(live.requests.filter((p) => p.includes('.delta-')).length, 1, live.requests.join(' '));
  assert.deepEqual(errors, []);
  await page.close();
});

test('react: init() and Authorizer source; a strict CSP, a 404 and HTML are shown, not a white page', async () => {
  live.body = readFileSync(acmeFile);
  live.status = 200;
  const { page } = await open(`/react-vite/?mode=authorizer&user=${people.olivia}`);
  assert.equal(await page.getAttribute('body', 'data-state'), 'done');
  assert.equal(await page.getAttribute('#manage', 'data-allowed'), 'true');
  await page.close();
  const cases = [
    ['&csp', 'engine-unavailable'],
    ['&snapshot=/snapshots/missing.rgs', 'http-status'],
    ['&snapshot=/snapshots/nowhere.rgs', 'unexpected-content'],
  ];
  for (const mode of ['loader', 'authorizer']) {
    for (const [query, code] of cases) {
      const { page: p, errors } = await open(`/react-vite/?mode=${mode}&user=${people.olivia}${query}`);
      assert.equal(await p.getAttribute('body', 'data-code'), code, `${mode} ${query}`);
      const shown = await p.textContent(mode === 'loader' ? '#status' : '#error');
      assert.ok(shown.includes(`${code}: `), shown);
      assert.deepEqual(errors, []);
      await p.close();
    }
  }
});

test('first-load bytes, JS and wasm gzipped: a Vite 6 build and the plain page', () => {
  const gz = (b) => gzipSync(b, { level: 9 }).length;
  const assets = join(bundlersDir, 'vite6', 'dist', 'assets');
  const built = readdirSync(assets).map((f) => readFileSync(join(assets, f)));
  const builtGzip = built.reduce((n, b) => n + gz(b), 0);
  const dir = join(bundlersDir, 'plain', 'node_modules', 'rolegate');
  const plain = ['src/browser.js', 'src/authorizer.js', 'src/loader.js', 'src/engine.js', 'src/errors.js', 'src/http.js',
    'src/values.js', 'dist/rolegate.js', 'dist/rolegate_bg.wasm'].map((f) => readFileSync(join(dir, f)));
  const plainGzip = plain.reduce((n, b) => n + gz(b), 0);
  console.log(`# first load, gzip -9: Vite 6 build ${builtGzip} B (${built.length} files), plain page ${plainGzip} B (${plain.length} files)`);
  assert.ok(builtGzip < 75 * 1024 && plainGzip < 90 * 1024);
});
