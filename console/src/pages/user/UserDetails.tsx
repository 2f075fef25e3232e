// A user's details, and their console password (set by an administrator; the server hashes
// it with argon2 and asks for at least 12 characters).
import { useState, type FormEvent } from 'react';
import { useCan } from 'rolegate/react';
import { removeUser, removeUserDryRun, setPassword, updateUser } from '../../api/organization';
import { Dialog } from '../../components/Dialog';
import { setFlash } from '../../components/flash';
import { Verdict } from '../../components/Verdict';
import { useDryRuns } from '../../hooks/useDryRuns';
import { navigate } from '../../router';
import type { DirectoryEntry } from '../../api/types';
import { ErrorAlert, Notice } from '../../components/Alerts';
import { PERMISSION } from '../../access/permissions';

export function UserDetails({ organization, entry, onChanged }: { organization: string; entry: DirectoryEntry; onChanged: (message: string | null) => Promise<void> }) {
  const { user } = entry;
  const canManage = useCan(PERMISSION.manageUsers, organization);
  const [password, setPasswordText] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [done, setDone] = useState(false);

  const [statusError, setStatusError] = useState<Error | null>(null);
  const [removing, setRemoving] = useState(false);
  // Deactivating keeps the user's assignments but denies them everything (the server's rule);
  // reactivating gives them back.
  const setActive = async (active: boolean) => {
    setStatusError(null);
    try {
      await updateUser(organization, user.id, { active });
      onChanged(`${user.name} is ${active ? 'reactivated' : 'deactivated'}.`);
    } catch (e) {
      setStatusError(e as Error);
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setDone(false);
    try {
      await setPassword(organization, user.id, password);
      setPasswordText('');
      setDone(true);
    } catch (e) {
      setError(e as Error);
    }
  };

  return (
    <>
      <dl className="facts">
        <dt>Name</dt><dd>{user.name}</dd>
        <dt>Email</dt><dd>{user.email}</dd>
        <dt>SID</dt><dd className="sid">{user.id}</dd>
        {user.external_id && <><dt>External id</dt><dd>{user.external_id}</dd></>}
        <dt>Status</dt><dd>{user.active === false ? 'Deactivated' : 'Active'}</dd>
      </dl>
      {user.active !== undefined && (
        <p>
          <button type="button" onClick={() => void setActive(user.active === false)} disabled={!canManage}>
            {user.active === false ? 'Reactivate user' : 'Deactivate user'}
          </button>{' '}
          <button type="button" className="button-danger" onClick={() => setRemoving(true)} disabled={!canManage}>Remove user</button>
        </p>
      )}
      <ErrorAlert error={statusError} title="The server refused the change:" />
      {removing && <RemoveUserDialog organization={organization} entry={entry} onClose={() => setRemoving(false)} />}
      <section aria-labelledby="password-title" className="card">
        <h2 id="password-title">Console password</h2>
        <form className="form inline-form" onSubmit={submit}>
          <label htmlFor="new-password">New password</label>
          <input
            id="new-password"
            type="password"
            autoComplete="new-password"
            minLength={12}
            value={password}
            onChange={(e) => setPasswordText(e.target.value)}
            aria-describedby="password-hint"
            disabled={!canManage}
          />
          <span id="password-hint" className="hint">
            {canManage ? 'At least 12 characters.' : 'You need iam/users/manage at the organization to set passwords.'}
          </span>
          <button type="submit" disabled={!canManage || password.length === 0}>Set password</button>
        </form>
        {done && <Notice>The password is set.</Notice>}
        <ErrorAlert error={error} title="The server refused the password:" />
      </section>
    </>
  );
}

/** Remove user: the user and every assignment they hold, after the dry run. */
function RemoveUserDialog({ organization, entry, onClose }: { organization: string; entry: DirectoryEntry; onClose: () => void }) {
  const { user } = entry;
  const verdict = useDryRuns(() => removeUserDryRun(organization, user.id).then((run) => [run]), user.id);
  const [error, setError] = useState<Error | null>(null);
  const confirm = async () => {
    setError(null);
    try {
      await removeUser(organization, user.id);
      setFlash(`Removed ${user.name} and their role assignments.`);
      navigate('/users');
    } catch (e) {
      setError(e as Error);
    }
  };
  return (
    <Dialog title={`Remove ${user.name}`} onClose={onClose}>
      <p>This removes <strong>{user.name}</strong> ({user.email}) from the organization, with every role assignment they hold.</p>
      <Verdict runs={verdict.runs} checking={verdict.checking} error={verdict.error} />
      <ErrorAlert error={error} title="The server refused the change:" />
      <div className="dialog-actions">
        <button type="button" className="button-danger" onClick={() => void confirm()}>Remove user</button>
        <button type="button" onClick={onClose} data-autofocus>Cancel</button>
      </div>
    </Dialog>
  );
}
