// A Cloudflare-style worker guarding its answers with rolegate: initialised from the
// precompiled WebAssembly.Module the platform hands over, deciding over HTTP.
import { initialize, Authorizer } from '../../src/edge.js';
import wasm from '../../dist/rolegate_bg.wasm';
import snapshot from './acme.rgs';

initialize(wasm);
const authorizer = Authorizer.fromSnapshot(snapshot);

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
