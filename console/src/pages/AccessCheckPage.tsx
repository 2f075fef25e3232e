// Access check: may user U do permission P at scope S (on resource R)? The server answers
// with the decision and why — the granting assignment — or why not, and which roles at which
// scopes would grant it.
import { useState, type FormEvent } from 'react';
import { useAuthorizer } from 'rolegate/react';
import { explain, getResources, getScopes, type Question } from '../api/organization';
import type { Explanation } from '../api/types';
import { ErrorAlert } from '../components/Alerts';
import { Page } from '../components/Page';
import { useFetched } from '../hooks/useFetched';
import { useLocation } from '../router';
import { useSession } from '../session/SessionContext';

const REASON: Record<string, string> = {
  granted: 'granted',
  'unknown-permission': 'the permission is not in the catalog',
  'unknown-scope': 'there is no such scope',
  'unknown-user': 'there is no such user',
  'no-matching-assignment': 'no assignment of the user grants it here',
};

export function AccessCheckPage() {
  const { organization } = useSession();
  const { search } = useLocation();
  const authorizer = useAuthorizer();
  const data = useFetched(() => Promise.all([getScopes(organization.id), getResources(organization.id)]), [organization.id]);
  const [user, setUser] = useState(search.get('user') ?? '');
  const [permission, setPermission] = useState('');
  const [scope, setScope] = useState(organization.id);
  const [resource, setResource] = useState('');
  const [answer, setAnswer] = useState<Explanation | null>(null);
  const [error, setError] = useState<Error | null>(null);

  // Every permission a check may name: the catalog travels in the signed slice.
  let catalog: string[] = [];
  try {
    catalog = authorizer?.catalog() ?? [];
  } catch {
    catalog = [];
  }
  const [scopes, resources] = data.data ?? [null, null];
  const scopeOptions = scopes
    ? [
      { id: scopes.organization.id, label: `${scopes.organization.name} (organization)` },
      ...scopes.accounts.flatMap((a) => [{ id: a.id, label: `${a.name} (account)` }, ...a.subaccounts.map((s) => ({ id: s.id, label: `${s.name} (subaccount of ${a.name})` }))]),
    ]
    : [];
  const scopeName = (id: string) => scopeOptions.find((s) => s.id === id)?.label ?? id;

  const ask = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setAnswer(null);
    const question: Question = { user: user.trim(), permission: permission.trim(), scope };
    if (resource) {
      const [type, ...id] = resource.split(':');
      question.resource = { type, id: id.join(':') };
    }
    try {
      setAnswer(await explain(organization.id, question));
    } catch (e) {
      setError(e as Error);
    }
  };

  return (
    <Page title="Access check" trail="Settings › Organization settings">
      <p className="lede">May a user do something at a scope? See why, or what would grant it.</p>
      <ErrorAlert error={data.error} />
      <form className="card form check-form" onSubmit={ask}>
        <label htmlFor="check-user">User SID</label>
        <input id="check-user" required value={user} onChange={(e) => setUser(e.target.value)} placeholder="US…" />
        <label htmlFor="check-permission">Permission</label>
        <input id="check-permission" required list="permission-catalog" value={permission} onChange={(e) => setPermission(e.target.value)} placeholder="product/resource/action" />
        <datalist id="permission-catalog">{catalog.map((p) => <option key={p} value={p} />)}</datalist>
        <label htmlFor="check-scope">Scope</label>
        <select id="check-scope" value={scope} onChange={(e) => setScope(e.target.value)}>
          {scopeOptions.map((s) => <option key={s.id} value={s.id}>{s.label}</option>)}
        </select>
        <label htmlFor="check-resource">Resource (for resource-based roles)</label>
        <select id="check-resource" value={resource} onChange={(e) => setResource(e.target.value)}>
          <option value="">None</option>
          {resources?.resources.map((r) => <option key={r.id} value={`${r.type}:${r.id}`}>{r.name} ({r.type})</option>)}
        </select>
        <button type="submit" className="button-primary">Check</button>
      </form>
      <ErrorAlert error={error} title="The check failed:" />
      {answer && (
        <section className="card answer" aria-labelledby="answer-title" aria-live="polite">
          <h2 id="answer-title" className={answer.decision.allowed ? 'allowed' : 'denied'}>
            {answer.decision.allowed ? 'Allowed' : 'Denied'}
          </h2>
          <p>
            Reason: {REASON[answer.decision.reason.kind] ?? answer.decision.reason.kind}
            {answer.decision.reason.kind === 'granted' && ` by the role ${answer.decision.reason.role} at ${scopeName(answer.decision.reason.scope ?? '')}`}
            {' '}(revision {answer.decision.revision}).
          </p>
          {answer.granting.length > 0 && (
            <>
              <h3>Granted by</h3>
              <ul>{answer.granting.map((g) => <li key={g.assignment}>{g.role} at {scopeName(g.scope)}{g.resource ? ` on ${g.resource.type} ${g.resource.id}` : ''} <span className="sid muted">{g.assignment}</span></li>)}</ul>
            </>
          )}
          {answer.elsewhere.length > 0 && (
            <>
              <h3>Held elsewhere (does not reach here)</h3>
              <ul>{answer.elsewhere.map((g) => <li key={g.assignment}>{g.role} at {scopeName(g.scope)}{g.resource ? ` on ${g.resource.type} ${g.resource.id}` : ''}</li>)}</ul>
            </>
          )}
          {!answer.decision.allowed && answer.would_grant.length > 0 && (
            <>
              <h3>Would be granted by</h3>
              <ul className="would-grant">{answer.would_grant.map((w, i) => <li key={`${w.role}-${w.scope}-${i}`}>{w.name} at {scopeName(w.scope)}{w.resource ? ` on ${w.resource.type} ${w.resource.id}` : ''}</li>)}</ul>
            </>
          )}
        </section>
      )}
    </Page>
  );
}
