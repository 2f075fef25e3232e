// One role's details: what it is, where it can be assigned, its allow and deny patterns and
// the permissions they expand to.
import { getRole } from '../api/organization';
import { ErrorAlert, Loading } from '../components/Alerts';
import { Page } from '../components/Page';
import { ResourceBasedTag, kindLabel } from '../components/Tag';
import { useFetched } from '../hooks/useFetched';
import { Link } from '../router';
import { useSession } from '../session/SessionContext';

const LEVEL = { organization: 'Organization', account: 'Account', subaccount: 'Subaccount' } as const;

export function RoleDetailsPage({ role }: { role: string }) {
  const { organization } = useSession();
  const details = useFetched(() => getRole(organization.id, role), [organization.id, role]);
  const trail = <><Link to="/users">User management</Link> › <Link to="/roles">Roles</Link></>;
  if (!details.data) {
    return (
      <Page title={details.error ? 'Role not found' : 'Role'} trail={trail}>
        {details.error ? <ErrorAlert error={details.error} /> : <Loading what="the role" />}
      </Page>
    );
  }
  const { role: r, assignable_at: at, permissions } = details.data;
  return (
    <Page title={r.name} trail={trail}>
      {r.kind === 'resource-based' && <p><ResourceBasedTag /></p>}
      <p className="lede">{r.description}</p>
      <dl className="facts">
        <dt>Kind</dt><dd>{kindLabel(r.kind)}</dd>
        <dt>Lowest level</dt><dd>{LEVEL[r.lowest_level]}</dd>
        <dt>Assignable at</dt><dd>{at.map((l) => LEVEL[l]).join(', ')}</dd>
        {r.resource_types.length > 0 && <><dt>Resource types</dt><dd>{r.resource_types.join(', ')}</dd></>}
        <dt>Id</dt><dd className="sid">{r.id}</dd>
        {r.sid && <><dt>SID</dt><dd className="sid">{r.sid}</dd></>}
      </dl>
      <div className="columns">
        <section aria-labelledby="policy-title">
          <h2 id="policy-title">Policy</h2>
          <h3>Allows</h3>
          <ul className="mono-list">{r.allow.map((p) => <li key={p}>{p}</li>)}</ul>
          <h3>Denies</h3>
          {r.deny.length === 0 ? <p className="muted">Nothing</p> : <ul className="mono-list">{r.deny.map((p) => <li key={p}>{p}</li>)}</ul>}
        </section>
        <section aria-labelledby="permissions-title">
          <h2 id="permissions-title">Permissions ({permissions.length})</h2>
          <ul className="mono-list permissions">{permissions.map((p) => <li key={p}>{p}</li>)}</ul>
        </section>
      </div>
    </Page>
  );
}
