// Node benchmark: rolegate's npm engine beside @cedar-policy/cedar-wasm, @casl/ability and
// node casbin, on the organizations `rolegate-bench-data` wrote (the same the Rust peers
// measure). Every engine's decisions are checked against the reference model's first; then
// load time, single-check latency and batch throughput. Each engine runs in its own process,
// so no engine's JIT state or heap affects another's numbers. Prints a table and writes
// DIR/node-results.json for bench/report.mjs.
//
//   cargo run --release -p rolegate-bench --bin rolegate-bench-data -- target/bench-data S,M,L
//   (cd npm && npm run build) && node bench/node/bench.mjs [target/bench-data] [S,M,L]
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join, dirname } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const npmDir = join(root, 'npm');
const dataDir = process.argv[2] ?? join(root, 'target', 'bench-data');
const sizes = (process.argv[3] ?? 'S,M,L').split(',').filter((s) => existsSync(join(dataDir, `${s}.json`)));
const BATCH = 1000;
/** Distinct user names for the name-cache measurement: past what the caches hold (2 × 32,768). */
const DISTINCT_USERS = 200_000;

const npmRequire = createRequire(join(npmDir, 'package.json'));

/** Nanoseconds per call of `fn(i)`: calibrated so a round lasts about 200 ms, then the
 * median of five rounds (the same method as the Rust harness). */
function perCall(fn) {
  let sink = 0;
  let n = 1;
  for (;;) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i += 1) sink += fn(i) ? 1 : 0;
    const took = Number(process.hrtime.bigint() - start);
    if (took >= 50e6 || n >= 2 ** 30) {
      n = Math.max(1, Math.floor(200e6 / (took / n)));
      break;
    }
    n *= 4;
  }
  const rounds = [];
  for (let round = 0; round < 5; round += 1) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i += 1) sink += fn(i) ? 1 : 0;
    rounds.push(Number(process.hrtime.bigint() - start) / n);
  }
  if (sink < 0) console.log(sink);
  return rounds.sort((a, b) => a - b)[2];
}

/** Milliseconds to run `fn` once: the median of three runs, or one over a second. */
async function onceMs(fn) {
  const runs = [];
  for (let k = 0; k < 3; k += 1) {
    const start = process.hrtime.bigint();
    await fn();
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    runs.push(ms);
    if (ms > 1000) return ms;
  }
  return runs.sort((a, b) => a - b)[1];
}

/** An engine's mismatches against the reference, single-check latency, and batch
 * throughput — through `batch` when the engine has a batch API, else a loop of 1,000. */
function measure(requests, allows, batch) {
  const n = requests.length;
  const mismatches = requests.filter((r, i) => allows(i) !== r.allowed).length;
  const singleNs = perCall((i) => allows(i % n));
  let perBatch;
  let batchMismatches = 0;
  if (batch) {
    const answers = Array.from(batch.run(), Boolean);
    batchMismatches = answers.filter((a, i) => a !== requests[i % n].allowed).length;
    perBatch = perCall(() => batch.run().length > 0);
  } else {
    perBatch = perCall(() => { let c = 0; for (let i = 0; i < BATCH; i += 1) c += allows(i % n) ? 1 : 0; return c >= 0; });
  }
  return { single_ns: singleNs, batch_per_s: BATCH / (perBatch * 1e-9), batch_api: Boolean(batch), mismatches: mismatches + batchMismatches };
}

const engines = {
  async rolegate(size, requests) {
    const { Authorizer } = await import(pathToFileURL(join(npmDir, 'src', 'node.js')));
    const bytes = readFileSync(join(dataDir, `${size}.rgs`));
    const loadMs = await onceMs(() => Authorizer.fromSnapshot(bytes, { allowUnsigned: true }));
    const authorizer = Authorizer.fromSnapshot(bytes, { allowUnsigned: true });
    const args = requests.map((r) => ({ user: r.user, permission: r.permission, scope: r.scope, resource: r.resource ?? undefined }));
    const batchArgs = Array.from({ length: BATCH }, (_, i) => args[i % args.length]);
    const can = measure(requests, (i) => { const r = args[i]; return authorizer.can(r.user, r.permission, r.scope, r.resource); },
      { run: () => authorizer.checkBatch(batchArgs) });
    const check = measure(requests, (i) => { const r = args[i]; return authorizer.check(r.user, r.permission, r.scope, r.resource).allowed; });
    // A service that meets more distinct users than the name caches hold: every user of the
    // snapshot, then names it does not have, to 200,000; each check names the next one, so
    // nearly every name has aged out of the caches since it was last seen.
    const names = authorizer.searchUsers().map((e) => e.user.id);
    for (let i = 0; names.length < DISTINCT_USERS; i += 1) names.push(`US${i.toString(16).padStart(32, 'f')}`);
    const distinctNs = perCall((i) => { const r = args[i % args.length]; return authorizer.can(names[i % names.length], r.permission, r.scope, r.resource); });
    return [
      { engine: 'rolegate (npm, wasm)', api: 'can / checkBatch', load_ms: loadMs, ...can, distinct_users: names.length, distinct_users_ns: distinctNs },
      { engine: 'rolegate (npm, wasm)', api: 'check', load_ms: loadMs, ...check },
    ];
  },

  async casl(size, requests, peers) {
    const { createMongoAbility, subject } = await import(pathToFileURL(npmRequire.resolve('@casl/ability')));
    const perms = new Map(peers.role_permissions);
    const resourceRoles = new Set(peers.resource_roles);
    // One ability per user, as a front end builds for its signed-in user: built on demand,
    // outside the timing.
    const rulesOf = new Map();
    for (const [user, role, domain] of peers.held) {
      if (!rulesOf.has(user)) rulesOf.set(user, []);
      const conditions = resourceRoles.has(role) ? { resources: domain } : { chain: domain };
      rulesOf.get(user).push({ action: perms.get(role), subject: 'Scope', conditions });
    }
    const abilities = new Map();
    const abilityOf = (user) => {
      if (!abilities.has(user)) abilities.set(user, createMongoAbility(rulesOf.get(user) ?? []));
      return abilities.get(user);
    };
    const cases = requests.map((r, i) => {
      const d = peers.domains[i];
      return {
        ability: abilityOf(r.user),
        permission: r.permission,
        subject: subject('Scope', { chain: d.scopes.filter(Boolean), resources: d.resources.filter(Boolean) }),
      };
    });
    const result = measure(requests, (i) => cases[i].ability.can(cases[i].permission, cases[i].subject));
    return [{ engine: '@casl/ability', api: 'ability.can', load_ms: null, ...result }];
  },

  async cedar(size, requests, peers) {
    const cedar = npmRequire('@cedar-policy/cedar-wasm/nodejs');
    const loadMs = await onceMs(() => {
      const answer = cedar.preparsePolicySet('rolegate', { staticPolicies: peers.cedar_policies });
      if (answer.type !== 'success') throw new Error(`cedar policies: ${JSON.stringify(answer)}`);
    });
    // cedar-wasm takes entities with every call: each request gets its slice (user, scope,
    // action — the action carrying its parent roles), as Cedar advises.
    const byUid = new Map(peers.cedar_entities.map((e) => [`${e.uid.type}::${e.uid.id}`, e]));
    const none = (type, id) => ({ uid: { type, id }, attrs: {}, parents: [] });
    const calls = requests.map((r, i) => ({
      principal: { type: 'User', id: r.user },
      action: { type: 'Action', id: r.permission },
      resource: { type: 'Scope', id: r.scope },
      context: { resources: peers.domains[i].resources.filter(Boolean) },
      preparsedPolicySetId: 'rolegate',
      validateRequest: false,
      entities: [
        byUid.get(`User::${r.user}`) ?? none('User', r.user),
        byUid.get(`Scope::${r.scope}`) ?? none('Scope', r.scope),
        byUid.get(`Action::${r.permission}`) ?? none('Action', r.permission),
      ],
    }));
    const allows = (i) => {
      const answer = cedar.statefulIsAuthorized(calls[i]);
      if (answer.type !== 'success') throw new Error(JSON.stringify(answer.errors));
      return answer.response.decision === 'allow';
    };
    return [{ engine: '@cedar-policy/cedar-wasm', api: 'statefulIsAuthorized', load_ms: loadMs, ...measure(requests, allows) }];
  },

  async casbin(size, requests, peers) {
    const { newEnforcer, newModelFromString } = npmRequire('casbin');
    const policies = peers.role_permissions.flatMap(([role, ps]) => ps.map((p) => [role, p]));
    const groupings = [...new Map(peers.held.map((h) => [h.join('\u0000'), h])).values()];
    const load = async () => {
      const e = await newEnforcer(newModelFromString(peers.casbin_model));
      await e.addPolicies(policies);
      await e.addGroupingPolicies(groupings);
      return e;
    };
    const loadMs = await onceMs(load);
    const enforcer = await load();
    const args = requests.map((r, i) => {
      const d = peers.domains[i];
      return [r.user, ...d.scopes, ...d.resources, r.permission];
    });
    return [{ engine: 'casbin (node)', api: 'enforceSync', load_ms: loadMs, ...measure(requests, (i) => enforcer.enforceSync(...args[i])) }];
  },
};

if (process.env.ROLEGATE_BENCH_ONE) {
  const [size, engine] = process.env.ROLEGATE_BENCH_ONE.split('/');
  const requests = JSON.parse(readFileSync(join(dataDir, `${size}.requests.json`), 'utf8'));
  const peers = engine === 'rolegate' ? null : JSON.parse(readFileSync(join(dataDir, `${size}.peers.json`), 'utf8'));
  const rows = await engines[engine](size, requests, peers);
  console.log(JSON.stringify(rows));
  process.exit(0);
}

const rows = [];
const organizations = [];
for (const size of sizes) {
  const json = readFileSync(join(dataDir, `${size}.json`), 'utf8');
  organizations.push({ size, json_parse_ms: await onceMs(() => JSON.parse(json)) });
  for (const engine of Object.keys(engines)) {
    process.stderr.write(`${size} ${engine}…\n`);
    const out = execFileSync(process.execPath, ['--max-old-space-size=8192', fileURLToPath(import.meta.url), dataDir], {
      env: { ...process.env, ROLEGATE_BENCH_ONE: `${size}/${engine}` },
      encoding: 'utf8',
      maxBuffer: 1 << 20,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    for (const row of JSON.parse(out.trim().split('\n').pop())) rows.push({ size, runtime: `Node ${process.version}`, ...row });
  }
}
writeFileSync(join(dataDir, 'node-results.json'), JSON.stringify({ organizations, rows }, null, 2));

const fmt = (ns) => (ns < 1000 ? `${ns.toFixed(0)} ns` : ns < 1e6 ? `${(ns / 1000).toFixed(1)} µs` : `${(ns / 1e6).toFixed(2)} ms`);
console.log(`Node ${process.version}; each engine in its own process; medians of 5 rounds\n`);
console.log('| org | engine | api | single check | batch (checks/s) | mismatches |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.size} | ${r.engine} | ${r.api} | ${fmt(r.single_ns)} | ${(r.batch_per_s / 1e6).toFixed(3)} M | ${r.mismatches} |`);
}
const bad = rows.filter((r) => r.mismatches > 0);
if (bad.length) {
  console.error(`decisions differ from the reference: ${bad.map((r) => `${r.size}/${r.engine}`).join(', ')}`);
  process.exit(1);
}
