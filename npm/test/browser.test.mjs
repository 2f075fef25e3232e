// The console demo in real headless Chromium (Debian's, driven by playwright-core): which
// buttons are enabled for several users, and a screenshot of each.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { Authorizer } from 'rolegate';
import { startServer } from '../scripts/serve.mjs';
import { npmDir, acmeSnapshot, people } from './helpers.mjs';

const shots = join(npmDir, 'test-results');
const native = Authorizer.fromSnapshot(acmeSnapshot(), { allowUnsigned: true });
const ACTIONS = {
  'View messages': 'messaging/messages/read',
  'Send messages': 'messaging/messages/send',
  'Buy numbers': 'phone-numbers/numbers/buy',
  'Edit Studio flows': 'studio/flows/update',
  'Manage users': 'iam/users/manage',
  'Assign roles': 'iam/role-assignments/create',
  'View billing': 'billing/invoices/read',
};

let server;
let browser;
let page;
const pageErrors = [];

before(async () => {
  server = await startServer();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 700 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${server.base}/examples/console/`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
  mkdirSync(shots, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Selects a user and returns the enabled buttons as "scope|action". */
async function enabledFor(user) {
  await page.selectOption('#user', user);
  await page.waitForSelector(`body[data-user="${user}"]`);
  return page.$$eval('#actions button:not([disabled])', (buttons) =>
    buttons.map((b) => `${b.dataset.scope}|${b.dataset.action}`).sort());
}

function expectedFor(user) {
  const enabled = [];
  for (const scope of native.scopes()) {
    for (const [label, permission] of Object.entries(ACTIONS)) {
      if (native.can(user, permission, scope.id)) enabled.push(`${scope.name}|${label}`);
    }
  }
  return enabled.sort();
}

test('the page loads the snapshot in the browser', async () => {
  assert.equal(await page.textContent('#snapshot'), 'Acme Corp · snapshot revision 1');
  assert.equal(await page.$$eval('#user option', (o) => o.length), 10);
});

test('Paul (Owner of Production and Staging) may buy numbers there, and nowhere else', async () => {
  const enabled = await enabledFor(people.paul);
  assert.deepEqual(enabled, expectedFor(people.paul));
  const buy = enabled.filter((e) => e.endsWith('|Buy numbers')).map((e) => e.split('|')[0]).sort();
  assert.deepEqual(buy, ['Production', 'Production EU', 'Production US', 'Staging']);
  assert.ok(!enabled.some((e) => e.startsWith('Marketing')), 'nothing sideways in Marketing');
  assert.ok(!enabled.some((e) => e.startsWith('Acme Corp|')), 'nothing upward at the organization');
  await page.screenshot({ path: join(shots, 'console-paul.png'), fullPage: true });
});

test('Dana (Developer at Staging, Studio Admin at Production EU)', async () => {
  const enabled = await enabledFor(people.dana);
  assert.deepEqual(enabled, expectedFor(people.dana));
  const studio = enabled.filter((e) => e.endsWith('|Edit Studio flows')).map((e) => e.split('|')[0]).sort();
  assert.deepEqual(studio, ['Production EU', 'Staging']);
  assert.ok(!enabled.some((e) => e.endsWith('|Manage users')));
  const title = await page.getAttribute('button[data-scope="Production"][data-action="Edit Studio flows"]', 'title');
  assert.equal(title, 'Denied: no role assignment grants this here');
  await page.screenshot({ path: join(shots, 'console-dana.png'), fullPage: true });
});

test('Olivia (Organization Owner) may do everything everywhere', async () => {
  const enabled = await enabledFor(people.olivia);
  assert.equal(enabled.length, 7 * Object.keys(ACTIONS).length);
  const title = await page.getAttribute('button[data-scope="Marketing Campaigns"][data-action="Assign roles"]', 'title');
  assert.match(title, /^Allowed: Organization Owner at Acme Corp \(RA[0-9a-f]{32}\)$/);
  await page.screenshot({ path: join(shots, 'console-olivia.png'), fullPage: true });
});

test('Bella (Organization Billing Viewer) may only view billing', async () => {
  const enabled = await enabledFor(people.bella);
  assert.deepEqual(enabled, expectedFor(people.bella));
  assert.ok(enabled.length === 7 && enabled.every((e) => e.endsWith('|View billing')), enabled.join(', '));
  await page.screenshot({ path: join(shots, 'console-bella.png'), fullPage: true });
});

test('the conformance vectors hold in Chromium', async () => {
  const conformance = await browser.newPage();
  conformance.on('pageerror', (e) => pageErrors.push(e.message));
  await conformance.goto(`${server.base}/npm/test/browser/conformance.html`);
  await conformance.waitForSelector('body[data-done="true"]', { timeout: 30_000 });
  const result = JSON.parse(await conformance.textContent('#result'));
  assert.ok(result.checked >= 3_000, `${result.checked} checked`);
  assert.deepEqual(result.mismatches, []);
  assert.equal(result.count, 0);
  await conformance.close();
});

test('the page raised no errors', () => {
  assert.deepEqual(pageErrors, []);
});
