// The Roles tab: every role with its kind and lowest level, and View details. Resource-based
// roles carry a tag below their name, as in the seed.
import { getRoles } from '../api/organization';
import type { RoleKind } from '../api/types';
import { ErrorAlert, Loading } from '../components/Alerts';
import { Page } from '../components/Page';
import { ResourceBasedTag, kindLabel } from '../components/Tag';
import { TRAIL, UserManagementTabs } from '../components/UserManagementTabs';
import { useFetched } from '../hooks/useFetched';
import { Link, navigate, useLocation } from '../router';
import { useSession } from '../session/SessionContext';

const KINDS: RoleKind[] = ['organization', 'general', 'built-in', 'resource-based'];
const LEVEL = { organization: 'Organization', account: 'Account', subaccount: 'Subaccount' } as const;

export function RolesPage() {
  const { organization } = useSession();
  const { search } = useLocation();
  const kind = (KINDS as string[]).includes(search.get('kind') ?? '') ? (search.get('kind') as RoleKind) : undefined;
  const roles = useFetched(() => getRoles(organization.id, { kind }), [organization.id, kind]);
  return (
    <Page title="User management" trail={TRAIL}>
      <UserManagementTabs />
      <h2>Roles</h2>
      <div className="field inline-field">
        <label htmlFor="kind-filter">Kind</label>
        <select id="kind-filter" value={kind ?? ''} onChange={(e) => navigate(e.target.value ? `/roles?kind=${e.target.value}` : '/roles')}>
          <option value="">All kinds</option>
          {KINDS.map((k) => <option key={k} value={k}>{kindLabel(k)}</option>)}
        </select>
      </div>
      <ErrorAlert error={roles.error} />
      {roles.loading && !roles.data && <Loading what="roles" />}
      {roles.data && (
        <table className="table roles-table">
          <caption className="visually-hidden">Roles</caption>
          <thead>
            <tr>
              <th scope="col">Role</th>
              <th scope="col">Kind</th>
              <th scope="col">Lowest level</th>
              <th scope="col">Description</th>
              <th scope="col"><span className="visually-hidden">Details</span></th>
            </tr>
          </thead>
          <tbody>
            {roles.data.roles.map((r) => (
              <tr key={r.id} data-role={r.id}>
                <th scope="row">
                  {r.name}
                  {r.kind === 'resource-based' && <div><ResourceBasedTag /></div>}
                </th>
                <td>{kindLabel(r.kind)}</td>
                <td>{LEVEL[r.lowest_level]}</td>
                <td>{r.description}</td>
                <td><Link to={`/roles/${encodeURIComponent(r.id)}`} aria-label={`View details of ${r.name}`}>View details</Link></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}
