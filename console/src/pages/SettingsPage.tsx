// The organization's settings: how many built-in roles one user may hold across all scopes
// (25 unless changed). A change is an audited operation like any other.
import { useEffect, useState, type FormEvent } from 'react';
import { useCan } from 'rolegate/react';
import { getSettings, putSettings } from '../api/organization';
import { PERMISSION } from '../access/permissions';
import { ErrorAlert, Loading, Notice } from '../components/Alerts';
import { Page } from '../components/Page';
import { useFetched } from '../hooks/useFetched';
import { useSession } from '../session/SessionContext';

export function SettingsPage() {
  const { organization } = useSession();
  const settings = useFetched(() => getSettings(organization.id), [organization.id]);
  const canManage = useCan(PERMISSION.manageOrganization, organization.id);
  const [cap, setCap] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    if (settings.data) setCap(String(settings.data.settings.max_built_in_roles_per_user));
  }, [settings.data]);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setNotice(null);
    try {
      const committed = await putSettings(organization.id, { max_built_in_roles_per_user: Number(cap) });
      setNotice(`Saved: at most ${cap} built-in roles per user (revision ${committed.revision}).`);
      settings.reload();
    } catch (e) {
      setError(e as Error);
    }
  };

  return (
    <Page title="Settings" trail="Settings › Organization settings">
      {!settings.data && settings.loading && <Loading what="settings" />}
      <ErrorAlert error={settings.error} />
      {settings.data && (
        <form className="card form" onSubmit={save}>
          <label htmlFor="built-in-cap">Built-in roles per user</label>
          <input
            id="built-in-cap"
            type="number"
            min={0}
            step={1}
            required
            value={cap}
            onChange={(e) => setCap(e.target.value)}
            disabled={!canManage}
            aria-describedby="built-in-cap-hint"
          />
          <span id="built-in-cap-hint" className="hint">
            The most built-in roles one user may hold across all scopes.
            {!canManage && ' You need iam/organization/manage at the organization to change it.'}
          </span>
          <button type="submit" className="button-primary" disabled={!canManage}>Save changes</button>
        </form>
      )}
      {notice && <Notice>{notice}</Notice>}
      <ErrorAlert error={error} title="The server refused the change:" />
    </Page>
  );
}
