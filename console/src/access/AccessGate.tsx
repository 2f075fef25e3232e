// Only Organization Owners and Administrators may open the Access Control pages (the seed's
// note). The console asks its slice whether the signed-in user may read the directory at the
// organization; everyone else is told they lack access — the server would refuse them anyway.
import type { ReactNode } from 'react';
import { useCan, useRolegateStatus, useAuthorizer } from 'rolegate/react';
import { Page } from '../components/Page';
import { ErrorAlert, Loading } from '../components/Alerts';
import { useSession } from '../session/SessionContext';
import { useSliceLoader } from './AccessProvider';
import { PERMISSION } from './permissions';

export function AccessGate({ children }: { children: ReactNode }) {
  const { organization } = useSession();
  const status = useRolegateStatus();
  const { setupError } = useSliceLoader();
  const allowed = useCan(PERMISSION.readUsers, organization.id);
  if (setupError) return <Page title="Access Control"><ErrorAlert error={setupError} title="Your permissions could not be loaded:" /></Page>;
  if (status.revision === null) {
    if (status.error) {
      return (
        <Page title="Access Control">
          <ErrorAlert error={Object.assign(new Error(status.error.message), { code: status.error.code })} title="Your permissions could not be loaded:" />
        </Page>
      );
    }
    return <Loading what="your permissions" />;
  }
  return allowed ? <>{children}</> : <NoAccess />;
}

function NoAccess() {
  const { user } = useSession();
  const authorizer = useAuthorizer();
  let rows: Array<{ key: string; text: string }> = [];
  try {
    rows = (authorizer?.userAssignments(user.id).rows ?? []).map((row, i) => ({
      key: `${row.scope.id}-${i}`,
      text: `${row.roles.map((r) => r.name).join(', ')} at ${row.scope.name}${row.resource ? ` (${row.resource.name})` : ''}`,
    }));
  } catch {
    // A user without assignments has no rows to show; nothing else to say here.
  }
  return (
    <Page title="You don't have access to Access Control">
      <p className="lede">
        Only users with the <strong>Organization Owner</strong> or <strong>Organization Administrator</strong> role can open the
        Access Control pages. Ask one of them if you need access.
      </p>
      <section aria-labelledby="own-roles">
        <h2 id="own-roles">Your role assignments</h2>
        {rows.length === 0 ? <p>You hold no roles in this organization.</p> : (
          <ul>{rows.map((r) => <li key={r.key}>{r.text}</li>)}</ul>
        )}
      </section>
    </Page>
  );
}
