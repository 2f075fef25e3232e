// Users: every user with their role assignments; search by name, email, SID, role name or
// scope name, filter by role, one page at a time from the server (the directory may hold
// 100,000 users). The search lives in the address, so a result can be reloaded and shared.
import { useEffect, useState, type FormEvent } from 'react';
import { useCan } from 'rolegate/react';
import { getRoles, searchUsers } from '../api/organization';
import { PERMISSION } from '../access/permissions';
import { AddUserDialog } from './AddUserDialog';
import type { DirectoryEntry, MatchField } from '../api/types';
import { ErrorAlert, Loading, Notice } from '../components/Alerts';
import { takeFlash } from '../components/flash';
import { markInteractive } from '../components/interactive';
import { Page } from '../components/Page';
import { DeactivatedBadge } from '../components/Tag';
import { TRAIL, UserManagementTabs } from '../components/UserManagementTabs';
import { useFetched } from '../hooks/useFetched';
import { Link, navigate, useLocation } from '../router';
import { useSession } from '../session/SessionContext';

const PAGE_SIZE = 25;

const MATCH_LABEL: Record<MatchField, string> = {
  name: 'name',
  email: 'email',
  id: 'SID',
  'role-name': 'role name',
  'scope-name': 'scope name',
};

function usersHref(q: string, role: string, page: number): string {
  const params = new URLSearchParams();
  if (q) params.set('q', q);
  if (role) params.set('role', role);
  if (page > 0) params.set('page', String(page));
  const text = params.toString();
  return text ? `/users?${text}` : '/users';
}

export function UsersPage() {
  const { organization } = useSession();
  const { search } = useLocation();
  const q = search.get('q') ?? '';
  const role = search.get('role') ?? '';
  const page = Math.max(0, Number(search.get('page') ?? 0) || 0);

  const [text, setText] = useState(q);
  const [roleChoice, setRoleChoice] = useState(role);
  useEffect(() => {
    setText(q);
    setRoleChoice(role);
  }, [q, role]);

  const canManage = useCan(PERMISSION.manageUsers, organization.id);
  const [adding, setAdding] = useState(false);
  const [notice] = useState<string | null>(takeFlash);
  const roles = useFetched(() => getRoles(organization.id), [organization.id]);
  const users = useFetched(() => searchUsers(organization.id, { q, role, page, pageSize: PAGE_SIZE }), [organization.id, q, role, page]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    // Searching again for the same thing asks the server again: the directory may have changed.
    if (!navigate(usersHref(text.trim(), roleChoice, 0))) void users.reload();
  };

  const result = users.data;
  useEffect(() => {
    if (result) markInteractive();
  }, [result]);
  const pages = result ? Math.max(1, Math.ceil(result.total / result.page_size)) : 1;

  return (
    <Page
      title="User management"
      trail={TRAIL}
      actions={<button type="button" className="button-primary" onClick={() => setAdding(true)} disabled={!canManage}>Add user</button>}
    >
      <UserManagementTabs />
      {notice && <Notice>{notice}</Notice>}
      {adding && <AddUserDialog organization={organization.id} onClose={() => setAdding(false)} />}
      <form className="search" role="search" aria-label="Users" onSubmit={submit}>
        <div className="field">
          <label htmlFor="user-search">Search users</label>
          <input
            id="user-search"
            type="search"
            value={text}
            onChange={(e) => setText(e.target.value)}
            aria-describedby="user-search-hint"
          />
          <span id="user-search-hint" className="hint">Name, email, SID, role name or scope name</span>
        </div>
        <div className="field">
          <label htmlFor="role-filter">Role</label>
          <select id="role-filter" value={roleChoice} onChange={(e) => setRoleChoice(e.target.value)}>
            <option value="">Any role</option>
            {roles.data?.roles.map((r) => <option key={r.id} value={r.id}>{r.name}</option>)}
          </select>
        </div>
        <button type="submit" className="button-primary">Search</button>
      </form>
      <ErrorAlert error={users.error} />
      <p className="result-count" role="status">
        {users.loading ? 'Searching…' : result ? `${result.total} ${result.total === 1 ? 'user' : 'users'}${q || role ? ' found' : ''}` : ''}
      </p>
      {result === null && users.loading && <Loading what="users" />}
      {result && (
        <>
          <table className="table users-table" aria-busy={users.loading}>
            <caption className="visually-hidden">Users and their role assignments</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">SID</th>
                <th scope="col">Role assignments</th>
                {q && <th scope="col">Matched on</th>}
              </tr>
            </thead>
            <tbody>
              {result.users.map((entry) => <UserRow key={entry.user.id} entry={entry} showMatch={q !== ''} />)}
            </tbody>
          </table>
          {result.users.length === 0 && <p>No users match.</p>}
          <nav className="pager" aria-label="Pages of users">
            {/* The page shown is the answer's own: until the next page's answer is in, the
                rows on screen are still the last page's. */}
            {result.page > 0 ? <Link to={usersHref(q, role, result.page - 1)} rel="prev">Previous page</Link> : <span className="muted">Previous page</span>}
            <span>Page {result.page + 1} of {pages}</span>
            {result.next_page !== null ? <Link to={usersHref(q, role, result.next_page)} rel="next">Next page</Link> : <span className="muted">Next page</span>}
          </nav>
        </>
      )}
    </Page>
  );
}

function UserRow({ entry, showMatch }: { entry: DirectoryEntry; showMatch: boolean }) {
  const { user, rows } = entry;
  return (
    <tr>
      <th scope="row">
        <Link to={`/users/${encodeURIComponent(user.id)}`}>{user.name}</Link> <DeactivatedBadge active={user.active} />
      </th>
      <td>{user.email}</td>
      <td className="sid">{user.id}</td>
      <td>
        {rows.length === 0 ? <span className="muted">No roles</span> : (
          <ul className="plain-list">
            {rows.map((row, i) => (
              <li key={`${row.scope.id}-${row.resource?.id ?? ''}-${i}`}>
                {row.roles.map((r) => r.name).join(', ')} <span className="muted">at {row.scope.name}{row.resource ? ` · ${row.resource.name ?? row.resource.id}` : ''}</span>
              </li>
            ))}
          </ul>
        )}
      </td>
      {showMatch && <td>{(entry.matched ?? []).map((m) => MATCH_LABEL[m] ?? m).join(', ')}</td>}
    </tr>
  );
}
