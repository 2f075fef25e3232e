// The edge entry in a real workerd (npm package `workerd`) on 127.0.0.1, answering checks
// over HTTP; and the edge entry's own errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { writeFileSync, rmSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Authorizer } from 'rolegate';
import { npmDir, root, acmeSnapshot, people, places, groups } from './helpers.mjs';
import { expected } from './signed.mjs';

const native = Authorizer.fromSnapshot(acmeSnapshot(), { allowUnsigned: true });
let workerd;
let base;
let log = '';

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const signed = ['cases.json', 'test-2026.key.json', 'test-2027.key.json', 'acme-r2-test-2026.rgs',
  'acme-r3-test-2027.rgs', 'acme-r2-unsigned.rgs', 'acme-r2-tampered.rgs', 'acme-r2-to-r3.rgd',
  'acme-r2-slice-test-2026.rgs'];

// Embeds resolve relative to the config file, so it is written beside the worker.
const configDir = join(npmDir, 'test', 'workerd');

const conformanceDir = join(root, 'tests', 'conformance', 'v1');
const conformanceOrgs = JSON.parse(readFileSync(join(conformanceDir, 'manifest.json'), 'utf8')).organizations;

/** An ES module importing every conformance file (workerd modules are declared up front). */
function conformanceModule() {
  const lines = [];
  const entries = [];
  conformanceOrgs.forEach((org, i) => {
    lines.push(`import snapshot${i} from '../../conformance/${org.snapshot}';`);
    lines.push(`import cases${i} from '../../conformance/${org.cases}';`);
    entries.push(`{ name: ${JSON.stringify(org.name)}, snapshot: snapshot${i}, cases: cases${i} }`);
  });
  return `${lines.join('\n')}\nexport const conformance = [\n  ${entries.join(',\n  ')},\n];\n`;
}

function config(port) {
  const embed = (path) => `embed "${relative(configDir, path)}"`;
  const js = (name, path) => `(name = "${name}", esModule = ${embed(path)})`;
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .worker)],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [
    ${js('test/workerd/worker.js', join(npmDir, 'test', 'workerd', 'worker.js'))},
    ${js('src/edge.js', join(npmDir, 'src', 'edge.js'))},
    ${js('src/authorizer.js', join(npmDir, 'src', 'authorizer.js'))},
    ${js('src/loader.js', join(npmDir, 'src', 'loader.js'))},
    ${js('src/engine.js', join(npmDir, 'src', 'engine.js'))},
    ${js('src/errors.js', join(npmDir, 'src', 'errors.js'))},
    ${js('src/values.js', join(npmDir, 'src', 'values.js'))},
    ${js('src/http.js', join(npmDir, 'src', 'http.js'))},
    ${js('dist/rolegate.js', join(npmDir, 'dist', 'rolegate.js'))},
    (name = "dist/rolegate_bg.wasm", wasm = ${embed(join(npmDir, 'dist', 'rolegate_bg.wasm'))}),
    (name = "test/workerd/acme.rgs", data = ${embed(join(root, 'tests', 'fixtures', 'acme-r1.rgs'))}),
    ${js('test/signed.mjs', join(npmDir, 'test', 'signed.mjs'))},
    ${js('test/workerd/conformance.generated.js', join(configDir, 'conformance.generated.js'))},
    ${conformanceOrgs.flatMap((o) => [
    `(name = "conformance/${o.snapshot}", data = ${embed(join(conformanceDir, o.snapshot))})`,
    `(name = "conformance/${o.cases}", json = ${embed(join(conformanceDir, o.cases))})`,
  ]).join(',\n    ')},
    ${signed.map((f) => `(name = "fixtures/signed/${f}", ${f.endsWith('.json') ? 'json' : 'data'} = ${embed(join(root, 'tests', 'fixtures', 'signed', f))})`).join(',\n    ')},
  ],
  compatibilityDate = "2025-09-01",
);
`;
}

before(async () => {
  const port = await freePort();
  const file = join(configDir, `config-${process.pid}.capnp`);
  writeFileSync(join(configDir, 'conformance.generated.js'), conformanceModule());
  writeFileSync(file, config(port));
  workerd = spawn(join(npmDir, 'node_modules', '.bin', 'workerd'), ['serve', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  workerd.stdout.on('data', (d) => { log += d; });
  workerd.stderr.on('data', (d) => { log += d; });
  base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i += 1) {
    try {
      const r = await fetch(`${base}/meta`);
      if (r.ok) return;
    } catch { /* not up yet */ }
    if (workerd.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`workerd did not start:\n${log}`);
});

after(() => {
  workerd?.kill();
  rmSync(join(configDir, `config-${process.pid}.capnp`), { force: true });
});

test('workerd runs the edge entry from a precompiled module', async () => {
  const meta = await (await fetch(`${base}/meta`)).json();
  assert.deepEqual(meta, { organization: places.acme, revision: 1 });
});

test('workerd answers checks exactly as Node does', async () => {
  const questions = [];
  for (const user of Object.values(people)) {
    for (const scope of Object.values(places)) {
      for (const permission of ['iam/users/read', 'voice/calls/create', 'studio/flows/update', 'billing/invoices/read', 'campaigns/campaigns/launch', 'nope/nope/nope']) {
        questions.push({ user, permission, scope });
      }
    }
  }
  questions.push({ user: people.gary, permission: 'billing/invoices/read', scope: places.acme, resource: `billing-group:${groups['EMEA billing'].id}` });
  let allowed = 0;
  for (const q of questions) {
    const params = new URLSearchParams(q);
    const decision = await (await fetch(`${base}/check?${params}`)).json();
    assert.deepEqual(decision, native.check(q.user, q.permission, q.scope, q.resource));
    allowed += Number(decision.allowed);
  }
  assert.ok(allowed > 20 && allowed < questions.length - 20);
  const batch = await (await fetch(`${base}/batch`, { method: 'POST', body: JSON.stringify(questions) })).json();
  assert.deepEqual(batch, [...native.checkBatch(questions)]);
});

test('workerd guards a route: 200 on Allow, 403 on Deny', async () => {
  const yes = await fetch(`${base}/can?${new URLSearchParams({ user: people.paul, permission: 'voice/calls/create', scope: places['Production EU'] })}`);
  assert.equal(yes.status, 200);
  assert.equal(await yes.text(), 'allow');
  const no = await fetch(`${base}/can?${new URLSearchParams({ user: people.paul, permission: 'voice/calls/create', scope: places.Marketing })}`);
  assert.equal(no.status, 403);
});

test('the conformance vectors hold in workerd', async () => {
  const result = await (await fetch(`${base}/conformance`)).json();
  assert.ok(result.checked >= 3_000, `${result.checked} checked`);
  assert.deepEqual(result.mismatches, []);
  assert.equal(result.count, 0);
});

test('workerd decides the signed fixtures as the native core does', async () => {
  const cases = JSON.parse(readFileSync(join(root, 'tests', 'fixtures', 'signed', 'cases.json'), 'utf8'));
  const outcomes = await (await fetch(`${base}/signed-cases`)).json();
  assert.deepEqual(outcomes, expected(cases));
});

test('workerd reports typed errors', async () => {
  const r = await fetch(`${base}/permissions?${new URLSearchParams({ user: 'USnope', scope: places.acme })}`);
  assert.equal(r.status, 400);
  assert.equal((await r.json()).code, 'unknown-user');
});

test('the edge entry refuses to work uninitialised, and takes only a Module', () => {
  const script = `
    import('rolegate/edge').then(({ Authorizer, initialize }) => {
      const codes = [];
      try { Authorizer.fromSnapshot(new Uint8Array(8), { allowUnsigned: true }); } catch (e) { codes.push(e.code); }
      try { initialize(new Uint8Array(8)); } catch (e) { codes.push(e.code); }
      console.log(JSON.stringify(codes));
    });`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: npmDir, encoding: 'utf8' });
  assert.deepEqual(JSON.parse(out), ['not-initialized', 'bad-argument']);
});
