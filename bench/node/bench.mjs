// Node benchmark: rolegate's npm engine beside @cedar-policy/cedar-wasm and @casl/ability on
// the same generated organizations (S and M), single checks and batches. Every peer's
// decisions are checked against rolegate's first; timings are reported as ns per check and
// as ratios.
//
//   cargo run --release -p rolegate-bench --bin rolegate-bench-data -- target/bench-data S,M
//   (cd npm && npm run build) && node bench/node/bench.mjs [target/bench-data]
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join, dirname } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const npmDir = join(root, 'npm');
const dataDir = process.argv[2] ?? join(root, 'target', 'bench-data');
const sizes = (process.env.ROLEGATE_BENCH_SIZES ?? 'S,M').split(',');

const { Authorizer } = await import(pathToFileURL(join(npmDir, 'src', 'node.js')));
const cedar = createRequire(join(npmDir, 'package.json'))('@cedar-policy/cedar-wasm/nodejs');
const { createMongoAbility, subject } = await import(pathToFileURL(join(npmDir, 'node_modules', '@casl', 'ability', 'dist', 'esm', 'index.mjs')));

/** Runs `fn(i)` `n` times after a warm-up; the median ns per call of five rounds. */
function time(fn, n) {
  let sink = 0;
  for (let i = 0; i < Math.min(n, 10_000); i += 1) sink += fn(i) ? 1 : 0;
  const rounds = [];
  for (let round = 0; round < 5; round += 1) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i += 1) sink += fn(i) ? 1 : 0;
    rounds.push(Number(process.hrtime.bigint() - start) / n);
  }
  if (sink < 0) console.log(sink);
  return rounds.sort((a, b) => a - b)[2];
}

/** Every permission each role grants, from rolegate's catalog of this snapshot. */
function rolePermissions(authorizer) {
  return new Map(authorizer.roles().map((r) => [r.id, authorizer.role(r.id).permissions]));
}

function chains(policy) {
  const parent = new Map();
  for (const a of policy.accounts) parent.set(a.id, policy.organization.id);
  for (const s of policy.subaccounts) parent.set(s.id, s.account);
  const chain = new Map();
  for (const id of [policy.organization.id, ...parent.keys()]) {
    const c = [id];
    while (parent.has(c[c.length - 1])) c.push(parent.get(c[c.length - 1]));
    chain.set(id, c);
  }
  return chain;
}

function resourceBased(policy, authorizer) {
  return new Set(authorizer.roles({ kind: 'resource-based' }).map((r) => r.id));
}

/** CASL: one ability per user (as a front-end builds for its signed-in user), a rule per
 * assignment; subjects carry their scope chain and the request's resource. */
function buildCasl(policy, perms, resourceRoles) {
  const byUser = new Map();
  for (const a of policy.assignments) {
    if (!byUser.has(a.user)) byUser.set(a.user, []);
    const conditions = { chain: a.scope };
    if (resourceRoles.has(a.role)) conditions.resource = `${a.resource.type}:${a.resource.id}`;
    byUser.get(a.user).push({ action: perms.get(a.role), subject: 'Scope', conditions });
  }
  const abilities = new Map();
  return (user) => {
    if (!abilities.has(user)) abilities.set(user, createMongoAbility(byUser.get(user) ?? []));
    return abilities.get(user);
  };
}

/** Cedar: a policy per role — `principal["role"].containsAny(resource.chain)`, or for
 * resource-based roles `.contains(context.resource)` — with users carrying, per role, the
 * scopes (or resources) they hold it at. Entities are sliced per request, as Cedar advises. */
function buildCedar(policy, perms, resourceRoles) {
  const policies = [...perms.keys()].map((role) => {
    const held = resourceRoles.has(role)
      ? `principal["${role}"].contains(context.resource)`
      : `principal["${role}"].containsAny(resource.chain)`;
    return `permit (principal, action in Action::"role:${role}", resource) when { principal has "${role}" && ${held} };`;
  }).join('\n');
  const answer = cedar.preparsePolicySet('rolegate', { staticPolicies: policies });
  if (answer.type !== 'success') throw new Error(`cedar policies: ${JSON.stringify(answer)}`);
  const attrs = new Map();
  for (const a of policy.assignments) {
    if (!attrs.has(a.user)) attrs.set(a.user, {});
    const held = attrs.get(a.user);
    const value = resourceRoles.has(a.role) ? `${a.resource.type}:${a.resource.id}` : a.scope;
    (held[a.role] ??= []).push(value);
  }
  const actionParents = new Map();
  for (const [role, list] of perms) {
    for (const p of list) {
      if (!actionParents.has(p)) actionParents.set(p, []);
      actionParents.get(p).push({ type: 'Action', id: `role:${role}` });
    }
  }
  const chain = chains(policy);
  return (r) => ({
    principal: { type: 'User', id: r.user },
    action: { type: 'Action', id: r.permission },
    resource: { type: 'Scope', id: r.scope },
    context: { resource: r.resource ?? '' },
    preparsedPolicySetId: 'rolegate',
    validateRequest: false,
    entities: [
      { uid: { type: 'User', id: r.user }, attrs: attrs.get(r.user) ?? {}, parents: [] },
      { uid: { type: 'Scope', id: r.scope }, attrs: { chain: chain.get(r.scope) ?? [r.scope] }, parents: [] },
      { uid: { type: 'Action', id: r.permission }, attrs: {}, parents: actionParents.get(r.permission) ?? [] },
    ],
  });
}

function cedarAllows(call) {
  const answer = cedar.statefulIsAuthorized(call);
  if (answer.type !== 'success') throw new Error(JSON.stringify(answer.errors));
  return answer.response.decision === 'allow';
}

/** Measures one engine on one organization: its decisions against rolegate's first, then
 * single checks (and batches, for rolegate). Each runs in its own process, so no engine's
 * JIT state or heap affects another's numbers. */
function measure(size, engine) {
  const policy = JSON.parse(readFileSync(join(dataDir, `${size}.json`), 'utf8'));
  const requests = JSON.parse(readFileSync(join(dataDir, `${size}.requests.json`), 'utf8'));
  const authorizer = Authorizer.fromSnapshot(readFileSync(join(dataDir, `${size}.rgs`)));
  const perms = rolePermissions(authorizer);
  const resourceRoles = resourceBased(policy, authorizer);
  const expected = requests.map((r) => r.allowed);
  const n = requests.length;
  if (engine === 'rolegate') {
    const mismatches = requests.filter((r, i) => authorizer.can(r.user, r.permission, r.scope, r.resource ?? undefined) !== expected[i]).length;
    const single = time((i) => { const r = requests[i % n]; return authorizer.can(r.user, r.permission, r.scope, r.resource ?? undefined); }, 1_000_000);
    const batch = requests.slice(0, 1000).map((r) => ({ ...r, resource: r.resource ?? undefined }));
    const perBatch = time(() => authorizer.checkBatch(batch).length > 0, 2_000);
    return { single, batch: 1e9 / (perBatch / 1000), mismatches };
  }
  if (engine === 'casl') {
    const abilityOf = buildCasl(policy, perms, resourceRoles);
    const chain = chains(policy);
    const cases = requests.map((r) => ({
      ability: abilityOf(r.user),
      permission: r.permission,
      subject: subject('Scope', r.resource ? { chain: chain.get(r.scope) ?? [r.scope], resource: r.resource } : { chain: chain.get(r.scope) ?? [r.scope] }),
    }));
    const mismatches = cases.filter((c, i) => c.ability.can(c.permission, c.subject) !== expected[i]).length;
    const single = time((i) => { const c = cases[i % n]; return c.ability.can(c.permission, c.subject); }, 400_000);
    return { single, mismatches };
  }
  const calls = requests.map(buildCedar(policy, perms, resourceRoles));
  const mismatches = calls.filter((c, i) => cedarAllows(c) !== expected[i]).length;
  const single = time((i) => cedarAllows(calls[i % n]), 4_000);
  return { single, mismatches };
}

const ENGINES = { rolegate: 'rolegate (wasm)', casl: '@casl/ability', cedar: '@cedar-policy/cedar-wasm' };

if (process.env.ROLEGATE_BENCH_ONE) {
  const [size, engine] = process.env.ROLEGATE_BENCH_ONE.split('/');
  console.log(JSON.stringify(measure(size, engine)));
  process.exit(0);
}

const rows = [];
for (const size of sizes) {
  for (const engine of Object.keys(ENGINES)) {
    const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), dataDir], {
      env: { ...process.env, ROLEGATE_BENCH_ONE: `${size}/${engine}` },
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    rows.push({ size, engine: ENGINES[engine], ...JSON.parse(out.trim().split('\n').pop()) });
  }
}

const fmt = (ns) => (ns < 1000 ? `${ns.toFixed(0)} ns` : `${(ns / 1000).toFixed(1)} µs`);
console.log(`Node ${process.version}; organizations ${sizes.join(', ')}; each engine in its own process; medians of 5 rounds\n`);
console.log('| org | engine | single check | vs rolegate | batch (checks/s) | mismatches |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) {
  const ours = rows.find((x) => x.size === r.size && x.engine === ENGINES.rolegate);
  const ratio = r === ours ? '1×' : `${(r.single / ours.single).toFixed(1)}× slower`;
  const batch = r.batch ? `${(r.batch / 1e6).toFixed(2)} M` : '—';
  console.log(`| ${r.size} | ${r.engine} | ${fmt(r.single)} | ${ratio} | ${batch} | ${r.mismatches} |`);
}
const bad = rows.filter((r) => r.mismatches > 0);
if (bad.length) {
  console.error(`decisions differ: ${bad.map((r) => `${r.size}/${r.engine}`).join(', ')}`);
  process.exit(1);
}
