// A Cloudflare-style worker guarding its answers with rolegate: initialised from the
// precompiled WebAssembly.Module the platform hands over, deciding over HTTP.
import { initialize, Authorizer } from '../../src/edge.js';
import wasm from '../../dist/rolegate_bg.wasm';
import snapshot from './acme.rgs';
import { runCases } from '../signed.mjs';
import { conformance } from './conformance.generated.js';
import cases from '../../fixtures/signed/cases.json';
import key2026 from '../../fixtures/signed/test-2026.key.json';
import key2027 from '../../fixtures/signed/test-2027.key.json';
import r2 from '../../fixtures/signed/acme-r2-test-2026.rgs';
import r3 from '../../fixtures/signed/acme-r3-test-2027.rgs';
import unsigned from '../../fixtures/signed/acme-r2-unsigned.rgs';
import tampered from '../../fixtures/signed/acme-r2-tampered.rgs';
import delta from '../../fixtures/signed/acme-r2-to-r3.rgd';

const signedFiles = Object.fromEntries(Object.entries({
  'acme-r2-test-2026.rgs': r2,
  'acme-r3-test-2027.rgs': r3,
  'acme-r2-unsigned.rgs': unsigned,
  'acme-r2-tampered.rgs': tampered,
  'acme-r2-to-r3.rgd': delta,
}).map(([name, buffer]) => [name, new Uint8Array(buffer)]));
const keys = { 'test-2026': key2026.public, 'test-2027': key2027.public };
// Key order differs between JSON writers: compare canonically.
const canon = (v) => JSON.stringify(v, (k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort()) : x));

initialize(wasm);
const authorizer = Authorizer.fromSnapshot(snapshot, { allowUnsigned: true });

export default {
  async fetch(request) {
    const url = new URL(request.url);
    const q = url.searchParams;
    try {
      switch (url.pathname) {
        case '/meta':
          return Response.json({ organization: authorizer.organization, revision: authorizer.revision });
        case '/check':
          return Response.json(authorizer.check(q.get('user'), q.get('permission'), q.get('scope'), q.get('resource') ?? undefined));
        case '/can': {
          const allowed = authorizer.can(q.get('user'), q.get('permission'), q.get('scope'), q.get('resource') ?? undefined);
          return new Response(allowed ? 'allow' : 'deny', { status: allowed ? 200 : 403 });
        }
        case '/batch':
          return Response.json([...authorizer.checkBatch(await request.json())]);
        case '/conformance': {
          let checked = 0;
          const mismatches = [];
          for (const org of conformance) {
            const a = Authorizer.fromSnapshot(new Uint8Array(org.snapshot), { allowUnsigned: true });
            for (const c of org.cases) {
              const got = a.check(c.user, c.permission, c.scope, c.resource ?? undefined);
              if (canon(got) !== canon(c.decision)) mismatches.push({ org: org.name, c, got });
              checked += 1;
            }
          }
          return Response.json({ checked, mismatches: mismatches.slice(0, 5), count: mismatches.length });
        }
        case '/signed-cases':
          return Response.json(runCases(Authorizer, cases, signedFiles, keys));
        case '/permissions':
          return Response.json(authorizer.permissions(q.get('user'), q.get('scope')));
        default:
          return new Response('not found', { status: 404 });
      }
    } catch (e) {
      return Response.json({ code: e.code ?? 'internal', message: e.message }, { status: 400 });
    }
  },
};
