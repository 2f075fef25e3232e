// A real `rolegate serve --demo` on 127.0.0.1 for the tests that need the control plane: the
// CLI binary as a child process, its printed URL and demo client, and a small JSON client.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { root } from './helpers.mjs';

/** Starts `rolegate serve --demo` on a free port; resolves once it prints `ready`. */
export async function startServer(args = []) {
  const child = spawn('cargo', ['run', '-q', '--locked', '-p', 'rolegate-cli', '--', 'serve', '--demo',
    '--listen', '127.0.0.1:0', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const printed = {};
  const lines = createInterface({ input: child.stdout });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('rolegate serve did not start in 300 s')), 300_000);
    child.once('exit', (code) => reject(new Error(`rolegate serve exited with ${code}`)));
    lines.on('line', (line) => {
      const at = line.indexOf(': ');
      if (line.startsWith('rolegate listening on ')) printed.url = line.slice('rolegate listening on '.length);
      else if (at > 0) printed[line.slice(0, at)] = line.slice(at + 2);
      if (line === 'ready') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const org = printed.organization.split('/organizations/')[1];
  return {
    child,
    url: printed.url,
    org,
    db: printed.database,
    client: { id: printed.client_id, secret: printed.client_secret },
    /** `/v1/organizations/{OR}` + `path`. */
    orgUrl: (path = '') => `${printed.url}/v1/organizations/${org}${path}`,
    stop: () => new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGINT');
    }),
  };
}

/** An access token for a client of the server. */
export async function token(server, client = server.client) {
  const response = await fetch(`${server.url}/v1/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.id, client_secret: client.secret }),
  });
  if (!response.ok) throw new Error(`token: ${response.status} ${await response.text()}`);
  return (await response.json()).access_token;
}

/** A JSON request with a bearer token: `{ status, body }`. */
export async function call(server, bearer, method, path, body) {
  const response = await fetch(server.orgUrl(path), {
    method,
    headers: { Authorization: `Bearer ${bearer}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** The server's snapshot keys as `trustedKeys`. */
export async function trustedKeys(server, bearer) {
  const { body } = await call(server, bearer, 'GET', '/keys');
  return body.keys.map((k) => ({ id: k.id, publicKey: k.public_key_hex }));
}
