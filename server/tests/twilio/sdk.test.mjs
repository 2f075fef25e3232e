// Twilio's official Node helper library against `rolegate serve`, unchanged: its
// RequestClient is subclassed only to send `*.twilio.com` requests to the server on
// 127.0.0.1, and its own OrgsCredentialProvider gets tokens from the server's token
// endpoint through the library's own token resource. Started by the Rust test
// `twilio_sdk.rs`, which passes the server, OAuth clients (an Organization Owner, an
// Organization Administrator, a Developer) and a probe in front of a wasmtime host Syncer
// watching the server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import twilio from 'twilio';

const BASE = process.env.ROLEGATE_URL;
const ORG = process.env.ROLEGATE_ORG;
const CLIENTS = JSON.parse(process.env.ROLEGATE_CLIENTS);
const PROBE = process.env.ROLEGATE_PROBE;

// The demo organization (examples/policies/acme.json).
const OLIVIA = 'US47bc17dc1a2f164967f55325d866c75c'; // Organization Owner
const DANA = 'US21cb4e4be93c09542ffa73b2b5cb95ea'; // Developer at Staging
const SAM = 'US332532dcfaa1cbf61e2a266bd723612c'; // Support at Production
const NORA = 'US23f88ac14feead92f4fdf8e640507d3c';
const PAUL = 'US6c63212ab48e8401eaf6b59b95d816a9'; // Owner of Production
const PRODUCTION = 'ACfd89784e59c72499525556f80289b2c7';
const STAGING = 'AC830f78e090fe8aec00891405dfc14824';
const PRODUCTION_EU = 'AC2c93a702ef4b1f1ca99a599c913be643';
const EMEA = 'BG7d81d267f4e09cbd3c8fb2765b28554b';
const DEVELOPER_SID = 'IX00000000000000000000000000000103'; // Twilio's published SID

/** The library's own HTTP client, with Twilio's hosts pointed at the server. */
class LocalRequestClient extends twilio.RequestClient {
  request(opts) {
    const url = new URL(opts.uri);
    if (url.hostname.endsWith('twilio.com')) {
      opts = { ...opts, uri: BASE + url.pathname + url.search };
    }
    return super.request(opts);
  }
}

const httpClient = new LocalRequestClient();

/** A library client signed in as one of the OAuth clients. */
function client(name) {
  const { id, secret } = CLIENTS[name];
  // The token endpoint through the library's own token resource (oauth.v2.token), as its
  // OrgsTokenManager calls it, but on the local client.
  const tokens = twilio(undefined, undefined, { httpClient });
  tokens.setCredentialProvider(new twilio.NoAuthCredentialProvider());
  const tokenManager = {
    fetchToken: () =>
      tokens.oauth.v2.token
        .create({ grantType: 'client_credentials', clientId: id, clientSecret: secret })
        .then((t) => t.accessToken),
  };
  const provider = new twilio.OrgsCredentialProviderBuilder()
    .setClientId(id)
    .setClientSecret(secret)
    .setTokenManager(tokenManager)
    .build();
  const c = twilio(undefined, undefined, { httpClient });
  c.setCredentialProvider(provider);
  return c.previewIam.organization(ORG);
}

const owner = client('owner');
const admin = client('admin');
const member = client('member');

// ---- the server's own view, through its /v1 API ----

async function bearer() {
  const r = await fetch(`${BASE}/v1/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: CLIENTS.owner.id,
      client_secret: CLIENTS.owner.secret,
    }),
  });
  assert.equal(r.status, 200);
  return (await r.json()).access_token;
}

async function v1(path) {
  const r = await fetch(`${BASE}/v1/organizations/${ORG}${path}`, {
    headers: { authorization: `Bearer ${await bearer()}` },
  });
  assert.equal(r.status, 200, `${path}: ${r.status}`);
  return r.json();
}

/** What must not move when a request is refused: the revision and the audit log's head. */
async function fingerprint() {
  const [org, audit] = await Promise.all([v1(''), v1('/audit?page_size=3')]);
  return { revision: org.revision, audit: audit.records };
}

async function revision() {
  return (await v1('')).revision;
}

/** The wasmtime host's decision once it serves at least `atLeast`. */
async function decide(user, permission, scope, atLeast, resource) {
  const q = new URLSearchParams({ user, permission, scope, at_least: String(atLeast) });
  if (resource) q.set('resource', resource);
  const r = await fetch(`${PROBE}/decide?${q}`);
  const d = await r.json();
  assert.ok(d.reached, `the host reached revision ${atLeast}: ${JSON.stringify(d)}`);
  return d;
}

/** Role SIDs by role id, from the /v1 catalog. */
async function roleSids() {
  const { roles } = await v1('/roles');
  return Object.fromEntries(roles.map((r) => [r.id, r.sid]));
}

/**
 * Expects `call` to be refused with the library's RestException, `status` and Twilio
 * `code` (and rolegate's rule in `details.code`), with nothing changed on the server.
 */
async function refused(call, status, code, rule) {
  const before = await fingerprint();
  await assert.rejects(call, (e) => {
    assert.equal(e.constructor.name, 'RestException', `${e}`);
    assert.equal(e.status, status, `${e.message}`);
    assert.equal(e.code, code, `${e.message}`);
    if (rule) assert.equal(e.details?.code, rule, `${JSON.stringify(e.details)}`);
    assert.ok(e.message, 'a message');
    return true;
  });
  assert.deepEqual(await fingerprint(), before, 'nothing changed');
}

// ---- the scenario ----

test('the library fetches its own tokens', async () => {
  const tokens = twilio(undefined, undefined, { httpClient });
  tokens.setCredentialProvider(new twilio.NoAuthCredentialProvider());
  const t = await tokens.oauth.v2.token.create({
    grantType: 'client_credentials',
    clientId: CLIENTS.owner.id,
    clientSecret: CLIENTS.owner.secret,
  });
  assert.equal(t.tokenType, 'Bearer');
  const claims = JSON.parse(Buffer.from(t.accessToken.split('.')[1], 'base64url'));
  assert.ok(claims.exp > Date.now() / 1000, 'the JWT carries a future exp');
  await assert.rejects(
    tokens.oauth.v2.token.create({
      grantType: 'client_credentials',
      clientId: CLIENTS.owner.id,
      clientSecret: 'wrong',
    }),
    (e) => e.status === 401,
  );
});

test('role assignments: create at account and subaccount scope and on a resource; enforced', async () => {
  const sids = await roleSids();
  assert.equal(sids.developer, DEVELOPER_SID);
  assert.ok(!(await decide(SAM, 'voice/calls/create', STAGING, await revision())).allowed);

  // Account scope, snake_case as plain JavaScript sends it.
  const developer = await owner.roleAssignments.create({
    role_sid: DEVELOPER_SID,
    scope: STAGING,
    identity: SAM,
  });
  assert.match(developer.sid, /^IY[0-9a-f]{32}$/);
  assert.equal(developer.roleSid, DEVELOPER_SID);
  assert.equal(developer.scope, STAGING);
  assert.equal(developer.identity, SAM);
  assert.equal(developer.resourceType, null);
  let d = await decide(SAM, 'voice/calls/create', STAGING, await revision());
  assert.ok(d.allowed, JSON.stringify(d));
  assert.equal(d.reason.assignment.replace(/^RA/, 'IY'), developer.sid);

  // Subaccount scope: a built-in role.
  const studio = await owner.roleAssignments.create({
    role_sid: sids['studio-admin'],
    scope: PRODUCTION_EU,
    identity: SAM,
  });
  assert.equal(studio.roleSid, sids['studio-admin']);
  assert.ok((await decide(SAM, 'studio/flows/create', PRODUCTION_EU, await revision())).allowed);
  assert.ok(!(await decide(SAM, 'studio/flows/create', PRODUCTION, await revision())).allowed);

  // A resource-based role at organization scope, camelCase as the TypeScript request
  // class sends it.
  const viewer = await owner.roleAssignments.create({
    roleSid: sids['billing-group-viewer'],
    scope: ORG,
    identity: SAM,
    resourceType: 'billing-group',
    resourceId: EMEA,
  });
  assert.equal(viewer.resourceType, 'billing-group');
  assert.equal(viewer.resourceId, EMEA);
  const at = await revision();
  assert.ok((await decide(SAM, 'billing/invoices/read', ORG, at, `billing-group:${EMEA}`)).allowed);
  assert.ok(!(await decide(SAM, 'billing/invoices/read', ORG, at)).allowed);
});

test('role assignments: listing by identity and by scope pages through every one exactly once', async () => {
  const entry = await v1(`/users/${SAM}`);
  const expected = entry.rows.flatMap((r) => r.assignments).map((id) => id.replace(/^RA/, 'IY')).sort();
  assert.ok(expected.length >= 4);

  const seen = [];
  let page = await owner.roleAssignments.page({ identity: SAM, pageSize: 2 });
  let pages = 1;
  seen.push(...page.instances.map((a) => a.sid));
  while (page.nextPageUrl) {
    assert.ok(page.nextPageUrl.startsWith(BASE), `next_page_url points back here: ${page.nextPageUrl}`);
    assert.match(page.nextPageUrl, new RegExp(`Identity=${SAM}`));
    page = await page.nextPage();
    pages += 1;
    seen.push(...page.instances.map((a) => a.sid));
  }
  assert.ok(pages >= 2);
  assert.deepEqual([...seen].sort(), expected, 'every assignment exactly once');

  // list() follows next_page_url itself.
  const all = await owner.roleAssignments.list({ identity: SAM, pageSize: 1 });
  assert.deepEqual(all.map((a) => a.sid).sort(), expected);

  // By scope: the organization's own assignments, three pages or more.
  const atOrg = await owner.roleAssignments.list({ scope: ORG, pageSize: 2 });
  assert.ok(atOrg.length >= 5, `${atOrg.length} at organization scope`);
  assert.equal(new Set(atOrg.map((a) => a.sid)).size, atOrg.length, 'no repeats');
  assert.ok(atOrg.every((a) => a.scope === ORG));
  const byPage = await owner.roleAssignments.page({ scope: ORG, pageSize: 2 });
  assert.ok(byPage.nextPageUrl, 'more than one page');
});

test('role assignments: delete, and the host stops granting', async () => {
  const [developer] = await owner.roleAssignments.list({ identity: SAM, scope: STAGING });
  assert.equal(developer.roleSid, DEVELOPER_SID);
  assert.equal(await owner.roleAssignments(developer.sid).remove(), true);
  const d = await decide(SAM, 'voice/calls/create', STAGING, await revision());
  assert.ok(!d.allowed);
  assert.equal(d.reason.kind, 'no-matching-assignment');
  const left = await owner.roleAssignments.list({ identity: SAM, scope: STAGING });
  assert.equal(left.length, 0);
});

test('SCIM users: create, filter, fetch, deactivate, replace, delete', async () => {
  const created = await owner.users.create({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName: 'nia@acme.example',
    externalId: 'okta-00u1nia',
    displayName: 'Nia Novak',
    name: { givenName: 'Nia', familyName: 'Novak' },
    emails: [{ value: 'nia@acme.example', primary: true, type: 'work' }],
    active: true,
  });
  assert.match(created.id, /^US[0-9a-f]{32}$/);
  assert.equal(created.userName, 'nia@acme.example');
  assert.equal(created.displayName, 'Nia Novak');
  assert.equal(created.externalId, 'okta-00u1nia');
  assert.equal(created.active, true);
  assert.equal(created.meta.resourceType, 'User');

  const byName = await owner.users.list({ filter: 'userName eq "nia@acme.example"' });
  assert.deepEqual(byName.map((u) => u.id), [created.id]);
  const byExternal = await owner.users.list({ filter: 'externalId eq "okta-00u1nia"' });
  assert.deepEqual(byExternal.map((u) => u.id), [created.id]);
  assert.equal((await owner.users.list({ filter: 'userName eq "nobody@acme.example"' })).length, 0);
  const everyone = await owner.users.list();
  assert.ok(everyone.length >= 11);

  const fetched = await owner.users(created.id).fetch();
  assert.equal(fetched.displayName, 'Nia Novak');

  // Give her a role: the host grants it.
  await owner.roleAssignments.create({ role_sid: DEVELOPER_SID, scope: STAGING, identity: created.id });
  assert.ok((await decide(created.id, 'voice/calls/create', STAGING, await revision())).allowed);

  // Deactivate with PATCH (If-Match on the current version): every decision is Deny.
  const version = (await owner.users(created.id).fetch()).meta.version;
  const off = await owner.users(created.id).patch(
    {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'active', value: false }],
    },
    { 'If-Match': version },
  );
  assert.equal(off.active, false);
  const d = await decide(created.id, 'voice/calls/create', STAGING, await revision());
  assert.ok(!d.allowed);
  assert.equal(d.reason.kind, 'user-inactive');
  // Her assignment stays, ready for reactivation.
  assert.equal((await owner.roleAssignments.list({ identity: created.id })).length, 1);

  // A stale version is a conflict, and changes nothing.
  await refused(
    () =>
      owner.users(created.id).patch(
        { Operations: [{ op: 'replace', path: 'active', value: true }] },
        { 'If-Match': version },
      ),
    409,
    25020,
  );

  // Replace: a new display name, reactivated.
  const replaced = await owner.users(created.id).update({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName: 'nia@acme.example',
    externalId: 'okta-00u1nia',
    displayName: 'Nia Nováková',
    emails: [{ value: 'nia@acme.example', primary: true }],
    active: true,
  });
  assert.equal(replaced.displayName, 'Nia Nováková');
  assert.equal(replaced.active, true);
  assert.ok((await decide(created.id, 'voice/calls/create', STAGING, await revision())).allowed);

  assert.equal(await owner.users(created.id).remove(), true);
  await assert.rejects(owner.users(created.id).fetch(), (e) => e.status === 404 && e.code === 25008);
  const gone = await decide(created.id, 'voice/calls/create', STAGING, await revision());
  assert.equal(gone.reason.kind, 'unknown-user');
});

test('accounts: listed with their subaccounts over pages, and fetched', async () => {
  const all = await owner.accounts.list({ pageSize: 2 });
  assert.equal(all.length, 6, 'three accounts and three subaccounts');
  const production = all.find((a) => a.accountSid === PRODUCTION);
  assert.equal(production.friendlyName, 'Production');
  assert.equal(production.ownerSid, PAUL);
  assert.equal(production.status, 'active');
  assert.ok(production.dateCreated instanceof Date && !Number.isNaN(production.dateCreated.getTime()));
  const first = await owner.accounts.page({ pageSize: 2 });
  assert.ok(first.nextPageUrl, 'more than one page');
  const eu = await owner.accounts(PRODUCTION_EU).fetch();
  assert.equal(eu.friendlyName, 'Production EU');
  assert.equal(eu.ownerSid, PAUL, "a subaccount's owner is its account's");
  await assert.rejects(owner.accounts('AC00000000000000000000000000000000').fetch(), (e) => e.status === 404 && e.code === 25101);
});

test('refusals arrive as RestException with their status and code, and change nothing', async () => {
  const sids = await roleSids();
  // A client acting as a Developer may not manage anything, and is told nothing else.
  await refused(
    () => member.roleAssignments.create({ role_sid: DEVELOPER_SID, scope: STAGING, identity: SAM }),
    403,
    25105,
    'not-authorized',
  );
  await refused(() => member.roleAssignments.list({ identity: SAM }), 403, 25105, 'not-authorized');
  // An administrator cannot create an Organization Owner.
  await refused(
    () => admin.roleAssignments.create({ role_sid: sids['organization-owner'], scope: ORG, identity: DANA }),
    403,
    25105,
    'more-powerful',
  );
  // An account's Owner assignment is not deleted by assignment management.
  const [paulOwns] = await owner.roleAssignments.list({ identity: PAUL, scope: PRODUCTION });
  await refused(() => owner.roleAssignments(paulOwns.sid).remove(), 400, 25019, 'account-owner-protected');
  // The last Organization Owner stays.
  const [oliviaOwns] = await owner.roleAssignments.list({ identity: OLIVIA, scope: ORG });
  await refused(() => owner.roleAssignments(oliviaOwns.sid).remove(), 400, 25016, 'last-organization-owner');
  await refused(() => owner.users(OLIVIA).remove(), 400, 25016, 'last-organization-owner');
  // Twilio's own codes.
  await refused(
    () => owner.roleAssignments.create({ role_sid: DEVELOPER_SID, scope: 'AC00000000000000000000000000000000', identity: SAM }),
    400,
    25200,
  );
  await refused(
    () => owner.roleAssignments.create({ role_sid: DEVELOPER_SID, scope: STAGING, identity: 'US00000000000000000000000000000000' }),
    400,
    25201,
  );
  await refused(
    () => owner.roleAssignments.create({ role_sid: 'IX00000000000000000000000000000999', scope: STAGING, identity: SAM }),
    400,
    25202,
  );
  await refused(() => owner.roleAssignments.list({}), 400, 25203);
  // SCIM.
  await refused(() => owner.users.list({ filter: 'displayName eq "Nia"' }), 400, 25001);
  await refused(
    () => owner.users.create({ userName: 'x@acme.example', emails: [{ value: 'y@acme.example', primary: true }] }),
    400,
    25014,
  );
  await refused(
    () => owner.users.create({ userName: 'dana@acme.example', emails: [{ value: 'dana@acme.example', primary: true }] }),
    409,
    25022,
    'identity-taken',
  );
});

test('the 26th built-in role is refused', async () => {
  const { roles } = await v1('/roles?kind=built-in');
  const { organization, accounts } = await v1('/scopes');
  const scopes = [
    { id: organization.id, level: 'organization' },
    ...accounts.flatMap((a) => [
      { id: a.id, level: 'account' },
      ...a.subaccounts.map((s) => ({ id: s.id, level: 'subaccount' })),
    ]),
  ];
  const depth = { organization: 0, account: 1, subaccount: 2 };
  const combos = [];
  for (const role of roles) {
    for (const scope of scopes) {
      if (depth[scope.level] <= depth[role.lowest_level]) combos.push({ role, scope });
    }
  }
  const { settings } = await v1('/settings');
  const cap = settings.max_built_in_roles_per_user;
  assert.equal(cap, 25);
  // Nora already holds some built-in roles; give her the rest of the cap.
  const held = (await v1(`/users/${NORA}`)).rows.flatMap((r) =>
    r.roles.filter((x) => x.kind === 'built-in').map((x) => `${x.id}@${r.scope.id}`),
  );
  const fresh = combos.filter(({ role, scope }) => !held.includes(`${role.id}@${scope.id}`));
  assert.ok(held.length + fresh.length > cap);
  for (const { role, scope } of fresh.slice(0, cap - held.length)) {
    await owner.roleAssignments.create({ role_sid: role.sid, scope: scope.id, identity: NORA });
  }
  const { role, scope } = fresh[cap - held.length];
  await refused(
    () => owner.roleAssignments.create({ role_sid: role.sid, scope: scope.id, identity: NORA }),
    400,
    25019,
    'built-in-cap-exceeded',
  );
});
