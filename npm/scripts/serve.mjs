// A small static server for the browser console demo (and its test): serves the repository
// root on 127.0.0.1, with the demo organization's snapshot at /examples/console/acme.rgs.
//   npm run console            → http://127.0.0.1:8787/examples/console/
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join, dirname, normalize, extname } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const aliases = { '/examples/console/acme.rgs': 'tests/fixtures/acme-r1.rgs' };
const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.rgs': 'application/octet-stream',
  '.json': 'application/json',
};

/** Starts the server; resolves to its base URL and a close function. */
export async function startServer(port = 0) {
  const server = createServer(async (req, res) => {
    let path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (path.endsWith('/')) path += 'index.html';
    const file = aliases[path] ?? normalize(path).replace(/^(\.\.[/\\])+/, '').slice(1);
    try {
      const body = await readFile(join(root, file));
      res.writeHead(200, { 'Content-Type': types[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end('not found');
    }
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  return { base, close: () => new Promise((resolve) => server.close(resolve)) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { base } = await startServer(Number(process.env.PORT ?? 8787));
  console.log(`rolegate console demo: ${base}/examples/console/`);
}
