// Writes the control plane's figures at scale into BENCHMARKS.md, between the
// `<!-- control-plane -->` markers (added at the end when missing), from what
// rolegate-bench-{admin,search,publish,control,sync} left in the data directory. Each part is
// written when its results are there, with the command that produced them.
//
//   node bench/control-report.mjs [target/bench-data] [BENCHMARKS.md]
import { readFileSync, writeFileSync, existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, dirname } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = process.argv[2] ?? join(root, 'target', 'bench-data');
const outPath = process.argv[3] ?? join(root, 'BENCHMARKS.md');
export const START = '<!-- control-plane -->';
export const END = '<!-- /control-plane -->';

const read = (name) => {
  const path = join(dataDir, name);
  return existsSync(path) ? { ...JSON.parse(readFileSync(path, 'utf8')), measured: statSync(path).mtime } : null;
};
const ms = (v) => (v == null ? '—' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : v >= 10 ? `${v.toFixed(0)} ms` : `${v.toFixed(1)} ms`);
const us = (v) => (v >= 1000 ? `${(v / 1000).toFixed(2)} ms` : `${v.toFixed(1)} µs`);
const bytes = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} MB` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} KB` : `${n} B`);
const n = (v) => v.toLocaleString('en');
const ratio = (v) => `${v >= 100 ? v.toFixed(0) : v.toFixed(1)}×`;
const within = (value, budget) => (value <= budget ? 'within budget' : `**over budget** (${ratio(value / budget)})`);
const day = (d) => d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';

const out = [];
const line = (s = '') => out.push(s);
line(START);
line('## The control plane at scale');
line();
line('Generated organizations S, M and L (L: 100,000 users, 10,000 subaccounts, 500,000 assignments). Every');
line('figure below comes from `bash scripts/bench-control.sh`, which runs each harness and then');
line('`node bench/control-report.mjs`; each part says when it was measured. Budgets are the ones the control plane');
line('is held to; a figure over its budget says so.');

const admin = read('admin-results.json');
if (admin) {
  line();
  line('### An admin operation in the core');
  line();
  line(`Each operation (grant a role at an account, take it back, rename, deactivate, reactivate) judged and applied by a`);
  line('`LivePolicy`, which touches only what the operation changes, beside the full path (plan the change on a copy of');
  line(`the organization and recompile it). \`rolegate-bench-admin\`, measured ${day(admin.measured)}. Budget: p99 ≤ 1 ms at L.`);
  line();
  line('| size | users | assignments | ops | live p50 | live p99 | live max | full path p50 | full ÷ live p50 | indexing once |');
  line('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of admin.results) {
    line(`| ${r.size} | ${n(r.users)} | ${n(r.assignments)} | ${n(r.ops)} | ${us(r.live_p50_us)} | ${us(r.live_p99_us)} | ${us(r.live_max_us)} | ${us(r.plain_p50_us)} | ${ratio(r.plain_p50_us / r.live_p50_us)} | ${ms(r.index_ms)} |`);
  }
  const l = admin.results.find((r) => r.size === 'L');
  if (l) line(`\nAt L: p99 ${us(l.live_p99_us)}, ${within(l.live_p99_us, 1000)}.`);
}

const stages = read('publish-results.json');
const control = read('control-results.json');
if (stages || control?.publish) {
  line();
  line('### Publishing');
  line();
  if (control?.publish) {
    line(`From an acknowledged write through the API to its signed snapshot and delta being served (\`rolegate-bench-control\`,`);
    line(`measured ${day(control.measured)}). Budget: ≤ 250 ms at L, judged on p99.`);
    line();
    line('| size | writes | p50 | p99 | snapshot | delta | |');
    line('|---|---|---|---|---|---|---|');
    for (const r of control.publish) {
      line(`| ${r.size} | ${r.writes} | ${ms(r.p50_ms)} | ${ms(r.p99_ms)} | ${bytes(r.snapshot_bytes)} | ${bytes(r.delta_bytes)} | ${r.size === 'L' ? within(r.p99_ms, 250) : ''} |`);
    }
  }
  if (stages) {
    line();
    line(`Where a publish's time goes, stage by stage (\`rolegate-bench-publish\`, median of ${stages.rounds}, measured ${day(stages.measured)}).`);
    line('The publisher keeps a `LivePolicy` that follows each change and patches its last compile when only users\' records');
    line('changed (here: one user renamed); beside it, a full compile and signing in one pass (what the first publish');
    line('and a change of users or settings cost), a copy of the policy, the SHA-256 of every byte, the delta against');
    line('the previous revision, and, off the path, signing compiled bytes apart and decoding.');
    line();
    line('| size | the publisher: patch + sign | + delta = path | full compile + sign | of it compile | copy of the policy | SHA-256 of the bytes | delta | decode | sign apart |');
    line('|---|---|---|---|---|---|---|---|---|---|');
    for (const r of stages.results) {
      line(`| ${r.size} | ${ms(r.patch_ms)} | ${ms(r.patched_path_ms)} | ${ms(r.compile_signed_ms)} | ${ms(r.compile_ms)} | ${ms(r.clone_ms)} | ${ms(r.sha256_ms)} | ${ms(r.diff_ms)} (${bytes(r.delta_bytes)}) | ${ms(r.decode_ms)} | ${ms(r.sign_ms)} |`);
    }
  }
}

if (control?.writers) {
  line();
  line('### Concurrent writers');
  line();
  line(`16 API writers on the L organization, each granting roles as fast as it is answered (\`rolegate-bench-control\`,`);
  line(`measured ${day(control.measured)}); afterwards every acknowledged write is looked up and the audit chain verified.`);
  line('Budget: ≥ 200 acknowledged writes/s on each database.');
  line();
  line('| database | writers | seconds | acknowledged | writes/s | p50 | p99 | lost | audit chain | |');
  line('|---|---|---|---|---|---|---|---|---|---|');
  const rows = [...control.writers, ...(control.replicas?.writers ? [control.replicas.writers] : [])];
  for (const r of rows) {
    line(`| ${r.database} | ${r.writers} | ${r.seconds.toFixed(0)} | ${n(r.writes)} | ${r.writes_per_second.toFixed(0)} | ${ms(r.p50_ms)} | ${ms(r.p99_ms)} | ${r.lost} | ${r.audit_verified ? 'verified' : '**broken**'} | ${r.writes_per_second >= 200 ? 'within budget' : '**under budget**'} |`);
  }
  if (control.replicas) {
    line();
    line(`Two replicas on one PostgreSQL (${control.replicas.size}): a write through one seen by a watcher on the other after p50`);
    line(`${ms(control.replicas.write_to_other_replica_p50_ms)}, p99 ${ms(control.replicas.write_to_other_replica_p99_ms)} (LISTEN/NOTIFY wakes the other replica, which serves what the publisher stored).`);
  }
}

if (control?.import) {
  line();
  line('### Import');
  line();
  line(`\`rolegate import\` of the L organization into an empty database, in one audited revision (\`rolegate-bench-control\`,`);
  line(`measured ${day(control.measured)}; peak resident memory of the importing process). Budget: ≤ 60 s.`);
  line();
  line('| database | users | assignments | wall time | peak memory | |');
  line('|---|---|---|---|---|---|');
  for (const r of control.import) {
    line(`| ${r.database} | ${n(r.users)} | ${n(r.assignments)} | ${r.seconds.toFixed(1)} s | ${r.peak_mib.toFixed(0)} MiB | ${within(r.seconds, 60)} |`);
  }
}

const syncs = readdirSync(existsSync(dataDir) ? dataDir : '.')
  .filter((f) => /^sync-results-[A-Z]+(-\d+)?\.json$/.test(f))
  .sort((a, b) => 'SML'.indexOf(a[13]) - 'SML'.indexOf(b[13]) || a.localeCompare(b))
  .map(read);
if (syncs.length) {
  line();
  line('### Write-to-decision with a crowd of watchers');
  line();
  line('As in "Write-to-decision latency" above, with a crowd of other clients long-polling');
  line('the same organization the whole time (`rolegate-bench-sync OUT WRITES SIZE WATCHERS`). Budget: p99 ≤ 1 s at L.');
  for (const s of syncs) {
    line();
    line(`${s.organization.size}, ${n(s.writes)} writes, ${n(s.watchers)} more watchers (${n(s.watcher_answers)} answers to them), ${bytes(s.organization.snapshot_bytes ?? 0)} snapshot, measured ${day(s.measured)}:`);
    line();
    line('| path | runtime | p50 | p99 | max | |');
    line('|---|---|---|---|---|---|');
    for (const r of s.rows) {
      const verdict = r.mode === 'watch' && s.organization.size === 'L' ? within(r.p99_ms, 1000) : '';
      line(`| ${r.name} | ${r.runtime} | ${ms(r.p50_ms)} | ${ms(r.p99_ms)} | ${ms(r.max_ms)} | ${verdict} |`);
    }
  }
}

const search = read('search-results.json');
if (search) {
  line();
  line('### Users search');
  line();
  line(`The console's users search through the API on ${n(search.users)} users (${n(search.assignments)} assignments), pages of`);
  line(`${search.page_size} (\`rolegate-bench-search\`, measured ${day(search.measured)}). Over every query: p50 ${ms(search.p50_ms)}, p99 ${ms(search.p99_ms)}`);
  line(`(budget p99 ≤ 100 ms: ${search.p99_ms <= 100 ? 'within' : '**over**'}).`);
  line();
  line('| query | matches | p50 | p99 |');
  line('|---|---|---|---|');
  for (const q of search.queries) line(`| ${q.kind} | ${n(q.matches)} | ${ms(q.p50_ms)} | ${ms(q.p99_ms)} |`);
}
line(END);

const section = out.join('\n');
const before = existsSync(outPath) ? readFileSync(outPath, 'utf8') : '# Benchmarks\n';
const at = before.indexOf(START);
const end = before.indexOf(END);
const next = at >= 0 && end > at
  ? before.slice(0, at) + section + before.slice(end + END.length)
  : `${before.trimEnd()}\n\n${section}\n`;
writeFileSync(outPath, next);
console.log(`wrote the control plane's figures into ${outPath}`);
