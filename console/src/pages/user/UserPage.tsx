// A user: a header with who they are, and two tabs — Details, and Role Assignments (the
// seed's flows: grouped by scope, Create role assignment, Delete, Edit).
import { useCallback, useState } from 'react';
import { getUser } from '../../api/organization';
import { ErrorAlert, Loading, Notice } from '../../components/Alerts';
import { takeFlash } from '../../components/flash';
import { Page } from '../../components/Page';
import { TabLinks } from '../../components/Tabs';
import { DeactivatedBadge } from '../../components/Tag';
import { TRAIL } from '../../components/UserManagementTabs';
import { useFetched } from '../../hooks/useFetched';
import { Link } from '../../router';
import { useSession } from '../../session/SessionContext';
import { RoleAssignments } from './RoleAssignments';
import { UserDetails } from './UserDetails';

export function UserPage({ user, tab }: { user: string; tab: 'details' | 'role-assignments' }) {
  const { organization } = useSession();
  const entry = useFetched(() => getUser(organization.id, user), [organization.id, user]);
  const [notice, setNotice] = useState<string | null>(takeFlash);
  // The confirmation is shown once the page shows the changed state, not before.
  const { reload } = entry;
  const changed = useCallback(async (message: string | null) => {
    await reload();
    setNotice(message);
  }, [reload]);

  const base = `/users/${encodeURIComponent(user)}`;
  if (entry.data === null) {
    return (
      <Page title={entry.error ? 'User not found' : 'User'} trail={TRAIL}>
        <p><Link to="/users">Back to users</Link></p>
        {entry.error ? <ErrorAlert error={entry.error} /> : <Loading what="the user" />}
      </Page>
    );
  }
  const { user: who } = entry.data;
  return (
    <Page title={who.name} trail={<><Link to="/users">User management</Link> › {who.name}</>}>
      <p className="user-facts">
        <span>{who.email}</span> · <span className="sid">{who.id}</span> <DeactivatedBadge active={who.active} />
      </p>
      <TabLinks
        label="User"
        tabs={[
          { to: base, label: 'Details' },
          { to: `${base}/role-assignments`, label: 'Role Assignments' },
        ]}
      />
      {notice && <Notice>{notice}</Notice>}
      <ErrorAlert error={entry.error} />
      {tab === 'details'
        ? <UserDetails organization={organization.id} entry={entry.data} onChanged={changed} />
        : <RoleAssignments organization={organization.id} entry={entry.data} onChanged={changed} />}
    </Page>
  );
}
