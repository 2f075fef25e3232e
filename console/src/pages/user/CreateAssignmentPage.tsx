// Create role assignment: the scope type, the scope(s), then one or more of the roles that
// level allows — and for a resource-based role, the resource type and values. The dry run's
// verdict (every rule the change would break) is on the page before Save changes.
import { useMemo, useState, type FormEvent } from 'react';
import { assign, assignDryRun, getResources, getRoles, getScopes, getUser, type AssignmentRequest } from '../../api/organization';
import type { Role, RoleKind, ScopeLevel, Scopes } from '../../api/types';
import { ErrorAlert, Loading } from '../../components/Alerts';
import { setFlash } from '../../components/flash';
import { Page } from '../../components/Page';
import { ResourceBasedTag, kindLabel } from '../../components/Tag';
import { Verdict } from '../../components/Verdict';
import { useDryRuns } from '../../hooks/useDryRuns';
import { useFetched } from '../../hooks/useFetched';
import { Link, navigate } from '../../router';
import { useSession } from '../../session/SessionContext';
import { assignableAt } from './levels';

const LEVELS: Array<{ level: ScopeLevel; label: string }> = [
  { level: 'organization', label: 'Organization' },
  { level: 'account', label: 'Account' },
  { level: 'subaccount', label: 'Subaccount' },
];

const KIND_ORDER: RoleKind[] = ['organization', 'general', 'built-in', 'resource-based'];

function scopeChoices(scopes: Scopes, level: ScopeLevel): Array<{ id: string; label: string }> {
  if (level === 'organization') return [{ id: scopes.organization.id, label: scopes.organization.name }];
  if (level === 'account') return scopes.accounts.map((a) => ({ id: a.id, label: a.name }));
  return scopes.accounts.flatMap((a) => a.subaccounts.map((s) => ({ id: s.id, label: `${s.name} (in ${a.name})` })));
}

export function CreateAssignmentPage({ user }: { user: string }) {
  const { organization } = useSession();
  const org = organization.id;
  const data = useFetched(
    () => Promise.all([getUser(org, user), getScopes(org), getRoles(org), getResources(org)]),
    [org, user],
  );

  const [level, setLevel] = useState<ScopeLevel>('account');
  const [scopes, setScopes] = useState<string[]>([]);
  const [roles, setRoles] = useState<string[]>([]);
  const [resourceType, setResourceType] = useState('');
  const [resourceIds, setResourceIds] = useState<string[]>([]);
  const [error, setError] = useState<Error | null>(null);
  const [saving, setSaving] = useState(false);

  const [entry, scopeTree, roleList, resourceList] = data.data ?? [null, null, null, null];
  const allowedRoles = useMemo(() => (roleList?.roles ?? []).filter((r) => assignableAt(r, level)), [roleList, level]);
  const chosenRoles = allowedRoles.filter((r) => roles.includes(r.id));
  const resourceTypes = [...new Set(chosenRoles.flatMap((r) => r.resource_types))];
  const needsResource = chosenRoles.some((r) => r.kind === 'resource-based');
  const effectiveType = resourceTypes.includes(resourceType) ? resourceType : (resourceTypes[0] ?? '');
  const resourceValues = (resourceList?.resources ?? []).filter((r) => r.type === effectiveType);
  const chosenResources = needsResource ? resourceValues.filter((r) => resourceIds.includes(r.id)) : [];
  const effectiveScopes = level === 'organization' && scopeTree ? [scopeTree.organization.id] : scopes;

  const requests: AssignmentRequest[] = effectiveScopes.map((scope) => ({
    scope,
    roles: chosenRoles.map((r) => r.id),
    resources: chosenResources.map((r) => ({ type: r.type, id: r.id })),
  }));
  const complete = requests.length > 0 && chosenRoles.length > 0 && (!needsResource || chosenResources.length > 0);
  const verdict = useDryRuns(
    complete ? () => Promise.all(requests.map((body) => assignDryRun(org, user, body))) : null,
    complete ? JSON.stringify(requests) : '',
  );

  const chooseLevel = (next: ScopeLevel) => {
    setLevel(next);
    setScopes([]);
    setRoles([]);
    setResourceIds([]);
  };
  const toggle = (list: string[], set: (v: string[]) => void, id: string) => set(list.includes(id) ? list.filter((x) => x !== id) : [...list, id]);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (!complete) return;
    setSaving(true);
    setError(null);
    let created = 0;
    for (const body of requests) {
      try {
        await assign(org, user, body);
        created += 1;
      } catch (e) {
        setSaving(false);
        setError(created === 0 ? (e as Error) : new Error(`${created} of ${requests.length} scopes were assigned; then: ${(e as Error).message}`));
        return;
      }
    }
    setFlash(`Role assignment created: ${chosenRoles.map((r) => r.name).join(', ')} for ${entry?.user.name ?? user}.`);
    navigate(`/users/${encodeURIComponent(user)}/role-assignments`);
  };

  const back = `/users/${encodeURIComponent(user)}/role-assignments`;
  if (!data.data) {
    return (
      <Page title="Create role assignment">
        {data.error ? <ErrorAlert error={data.error} /> : <Loading what="scopes and roles" />}
      </Page>
    );
  }
  const choices = scopeChoices(scopeTree!, level);

  return (
    <Page
      title="Create role assignment"
      trail={<><Link to="/users">User management</Link> › <Link to={back}>{entry!.user.name}</Link> › Create role assignment</>}
    >
      <p className="lede">For <strong>{entry!.user.name}</strong> ({entry!.user.email}).</p>
      <form className="form create-form" onSubmit={save} aria-describedby="verdict-title">
        <fieldset>
          <legend>Scope type</legend>
          {LEVELS.map((l) => (
            <label key={l.level} className="choice">
              <input type="radio" name="scope-type" value={l.level} checked={level === l.level} onChange={() => chooseLevel(l.level)} />
              {l.label}
            </label>
          ))}
        </fieldset>

        <fieldset>
          <legend>{level === 'organization' ? 'Scope' : 'Scopes'}</legend>
          {level === 'organization' ? (
            <p>{scopeTree!.organization.name} <span className="muted">(the organization: every account and subaccount)</span></p>
          ) : choices.length === 0 ? <p>There are no {level}s.</p> : choices.map((c) => (
            <label key={c.id} className="choice">
              <input type="checkbox" name="scope" value={c.id} checked={scopes.includes(c.id)} onChange={() => toggle(scopes, setScopes, c.id)} />
              {c.label}
            </label>
          ))}
        </fieldset>

        <fieldset>
          <legend>Roles</legend>
          <p className="hint">
            {level === 'organization' && 'Organization, built-in and resource-based roles can be assigned at the organization.'}
            {level === 'account' && 'General and built-in roles can be assigned at an account.'}
            {level === 'subaccount' && 'Built-in roles whose lowest level is the subaccount can be assigned at a subaccount.'}
          </p>
          {KIND_ORDER.map((kind) => {
            const ofKind = allowedRoles.filter((r) => r.kind === kind);
            if (ofKind.length === 0) return null;
            return (
              <fieldset key={kind} className="role-group">
                <legend>{kindLabel(kind)} roles</legend>
                {ofKind.map((r) => <RoleChoice key={r.id} role={r} checked={roles.includes(r.id)} onToggle={() => toggle(roles, setRoles, r.id)} />)}
              </fieldset>
            );
          })}
        </fieldset>

        {needsResource && (
          <fieldset>
            <legend>Resource</legend>
            <div className="field">
              <label htmlFor="resource-type">Resource type</label>
              <select id="resource-type" value={effectiveType} onChange={(e) => { setResourceType(e.target.value); setResourceIds([]); }}>
                {resourceTypes.map((t) => <option key={t} value={t}>{t}</option>)}
              </select>
            </div>
            <fieldset className="role-group">
              <legend>Resource values</legend>
              {resourceValues.length === 0 ? <p>There are no resources of this type.</p> : resourceValues.map((r) => (
                <label key={r.id} className="choice">
                  <input type="checkbox" name="resource" value={r.id} checked={resourceIds.includes(r.id)} onChange={() => toggle(resourceIds, setResourceIds, r.id)} />
                  {r.name} <span className="muted sid">{r.id}</span>
                </label>
              ))}
            </fieldset>
          </fieldset>
        )}

        <Verdict runs={verdict.runs} checking={verdict.checking} error={verdict.error} />
        <ErrorAlert error={error} title="The server refused the change:" />
        <div className="form-actions">
          <button type="submit" className="button-primary" disabled={!complete || saving}>Save changes</button>
          <Link to={back} className="button">Cancel</Link>
        </div>
      </form>
    </Page>
  );
}

function RoleChoice({ role, checked, onToggle }: { role: Role; checked: boolean; onToggle: () => void }) {
  const hint = `role-hint-${role.id}`;
  return (
    <label className="choice role-choice">
      <input type="checkbox" name="role" value={role.id} checked={checked} onChange={onToggle} aria-describedby={hint} />
      <span>
        {role.name} {role.kind === 'resource-based' && <ResourceBasedTag />}
        <span id={hint} className="hint"> {role.description}</span>
      </span>
    </label>
  );
}
