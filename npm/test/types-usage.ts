// Compiled by `tsc --noEmit` (npm run types): the declarations must accept real usage and
// reject misuse (the @ts-expect-error lines fail the build if they start compiling).
import { Authorizer, SnapshotLoader, RolegateError, type Decision, type ErrorCode } from 'rolegate';
import { initialize } from 'rolegate/edge';

declare const bytes: Uint8Array;
declare const module: WebAssembly.Module;

initialize(module);
const authorizer = Authorizer.fromSnapshot(bytes, { allowUnsigned: true });
const permissions: string[] = authorizer.catalog();
const cap: number = authorizer.builtInCap;
const trusted = Authorizer.fromSnapshot(bytes, {
  trustedKeys: [{ id: 'ops-2026', publicKey: 'f3e01d0c8f87c61021c94296e4c48d460c3b846884f0b5e43ec390bb74726af0' }],
  organization: 'OR1',
  maxAgeSeconds: 86_400,
});
const next: Authorizer = trusted.applyDelta(new Uint8Array(16));
const raw: Uint8Array = next.bytes;
const allowed: boolean = authorizer.can('US1', 'messaging/services/read', 'AC1');
authorizer.can('US1', 'billing/invoices/read', 'OR1', { type: 'billing-group', id: 'BG1' });
authorizer.can('US1', 'billing/invoices/read', 'OR1', 'billing-group:BG1');
const decision: Decision = authorizer.check('US1', 'iam/users/read', 'AC1');
if (decision.reason.kind === 'granted') {
  const assignment: string = decision.reason.assignment;
  void assignment;
}
const batch: Uint8Array = authorizer.checkBatch([{ user: 'US1', permission: 'iam/users/read', scope: 'AC1' }]);
const revision: number = authorizer.revision;
const why = authorizer.explain('US1', 'iam/users/read', 'AC1').wouldGrant.map((o) => o.role);
const names = authorizer.searchUsers('ada').map((e) => e.user.name);
const roles = authorizer.roles({ kind: 'built-in', level: 'subaccount' }).map((r) => r.id);
const perms: string[] = authorizer.role('studio-admin').permissions;
const holders = authorizer.whoCan('iam/users/read', 'AC1').map((h) => h.grant.assignment);
const scopes = authorizer.scopesWith('US1', 'iam/users/read').map((s) => s.level);
const rows = authorizer.userAssignments('US1').rows.map((r) => r.roles.length);

const loader = new SnapshotLoader('https://cdn.example/acme.rgs', {
  deferActivation: true,
  trustedKeys: [{ id: 'ops-2026', publicKey: new Uint8Array(32) }],
  maxAgeSeconds: 3_600,
  denyWhenExpired: true,
  onUpdate: (a, { activated }) => void [a.revision, activated],
  onError: (e) => {
    const code: ErrorCode = e.code;
    void code;
  },
});
void loader.poll().then((outcome) => outcome === 'deferred' && loader.activate());

try {
  Authorizer.fromSnapshot(bytes);
} catch (e) {
  if (e instanceof RolegateError && e.code === 'snapshot-checksum-mismatch') {
    /* refused */
  }
}

// @ts-expect-error: the permission is required
authorizer.can('US1');
// @ts-expect-error: resources are { type, id } or "type:id"
authorizer.can('US1', 'p', 's', { kind: 'billing-group' });
// @ts-expect-error: not a role kind
authorizer.roles({ kind: 'superuser' });
// @ts-expect-error: revision is read-only
authorizer.revision = 2;
// @ts-expect-error: trusted keys have an id
Authorizer.fromSnapshot(bytes, { trustedKeys: [{ publicKey: 'ab' }] });

void [allowed, batch, revision, why, names, roles, perms, holders, scopes, rows, raw, loader.status.expired];
