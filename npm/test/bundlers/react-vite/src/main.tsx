// A console page on rolegate/react, as the web console will be built: a provider fed by a
// SnapshotLoader (or, with ?mode=authorizer, one Authorizer after an explicit init()), a
// grid of actions rendered with <Can> as enabled or disabled buttons, a fallback, a reason
// from useCheck, and a status banner from useRolegateStatus.
//   ?user=US…&snapshot=/snapshots/live.rgs&mode=loader|authorizer
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { Authorizer, RolegateError, SnapshotLoader, init } from 'rolegate';
import { Can, RolegateProvider, useAuthorizer, useCan, useCheck, useRolegateStatus } from 'rolegate/react';

const ACTIONS: [label: string, permission: string][] = [
  ['View messages', 'messaging/messages/read'],
  ['Make calls', 'voice/calls/create'],
  ['Buy numbers', 'phone-numbers/numbers/buy'],
  ['Edit Studio flows', 'studio/flows/update'],
  ['Assign roles', 'iam/role-assignments/create'],
  ['Typo', 'iam/users/raed'],
];

const params = new URLSearchParams(location.search);
const user = params.get('user');
const snapshotUrl = params.get('snapshot') ?? '/snapshots/live.rgs';

declare global {
  interface Window {
    rolegate: { poll(): Promise<string> };
  }
}

function Grid() {
  const authorizer = useAuthorizer();
  const scopes = authorizer?.scopes() ?? [];
  return (
    <table id="grid">
      <tbody>
        {scopes.map((scope) => (
          <tr key={scope.id}>
            <th>{scope.name}</th>
            {ACTIONS.map(([label, permission]) => (
              <td key={permission}>
                <Can permission={permission} scope={scope.id}>
                  {(allowed) => (
                    <button type="button" disabled={!allowed} data-scope={scope.id} data-permission={permission}>
                      {label}
                    </button>
                  )}
                </Can>
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Organization() {
  const authorizer = useAuthorizer();
  const organization = authorizer?.organization;
  const decision = useCheck('iam/users/manage', organization);
  const canBill = useCan('billing/invoices/read', organization, { type: 'billing-group', id: params.get('group') ?? 'BGnone' });
  return (
    <section>
      <Can permission="iam/users/manage" scope={organization} fallback={<p id="manage" data-allowed="false">You cannot manage users</p>}>
        <p id="manage" data-allowed="true">Manage users</p>
      </Can>
      <p id="reason">{decision === null ? 'loading' : decision.reason.kind}</p>
      <p id="billing" data-allowed={String(canBill)}>billing group</p>
    </section>
  );
}

function Status() {
  const status = useRolegateStatus();
  useEffect(() => {
    const body = document.body.dataset;
    if (status.error) {
      body.state = 'error';
      body.code = status.error.code;
    } else if (status.revision !== null) {
      body.state = 'done';
      delete body.code;
    }
    body.revision = String(status.revision);
  }, [status]);
  return (
    <p id="status" role="status">
      {status.revision === null ? 'loading' : `revision ${status.revision}`}
      {status.error ? ` — ${status.error.code}: ${status.error.message}` : ''}
    </p>
  );
}

function Page({ source }: { source: Authorizer | SnapshotLoader | null }) {
  return (
    <RolegateProvider source={source} user={user}>
      <Status />
      <Organization />
      <Grid />
    </RolegateProvider>
  );
}

/** The explicit path: init(), then the snapshot; errors caught and shown. */
function WithAuthorizer() {
  const [authorizer, setAuthorizer] = useState<Authorizer | null>(null);
  const [error, setError] = useState<RolegateError | null>(null);
  useEffect(() => {
    init()
      .then(() => Authorizer.load(snapshotUrl, { allowUnsigned: true }))
      .then(setAuthorizer)
      .catch((e: RolegateError) => {
        setError(e);
        document.body.dataset.state = 'error';
        document.body.dataset.code = e.code;
      });
  }, []);
  if (error) return <p id="error" role="alert">{error.code}: {error.message}</p>;
  return <Page source={authorizer} />;
}

const root = createRoot(document.querySelector('#root')!);
if (params.get('mode') === 'authorizer') {
  root.render(<StrictMode><WithAuthorizer /></StrictMode>);
} else {
  const loader = new SnapshotLoader(snapshotUrl, { allowUnsigned: true, intervalMs: 3_600_000 });
  window.rolegate = { poll: () => loader.poll() };
  void loader.start();
  root.render(<StrictMode><Page source={loader} /></StrictMode>);
}
