// The audit log, newest first: every change with its revision, actor and hash (each record's
// hash chains the one before it, so a rewritten history shows).
import { useEffect, useState } from 'react';
import { getAudit } from '../api/organization';
import type { AuditRecord } from '../api/types';
import { ErrorAlert, Loading } from '../components/Alerts';
import { Page } from '../components/Page';
import { useSession } from '../session/SessionContext';

const PAGE_SIZE = 25;

function describe(entry: AuditRecord['entry']): string {
  const e = entry as Record<string, unknown>;
  const op = (e.operation ?? null) as Record<string, unknown> | null;
  if (entry.kind === 'import') return 'Organization imported';
  if (op && typeof op.op === 'string') {
    const details = Object.entries(op)
      .filter(([k]) => k !== 'op')
      .map(([k, v]) => `${k} ${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(', ');
    return `${op.op}${details ? `: ${details}` : ''}`;
  }
  return entry.kind;
}

const when = (at: number) => new Date(at * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');

export function AuditPage() {
  const { organization } = useSession();
  const [records, setRecords] = useState<AuditRecord[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<Error | null>(null);

  const load = async (before: number | null) => {
    setLoading(true);
    try {
      const page = await getAudit(organization.id, before, PAGE_SIZE);
      setRecords((now) => (before === null ? page.records : [...now, ...page.records]));
      setNext(page.next_before);
      setError(null);
    } catch (e) {
      setError(e as Error);
    } finally {
      setLoading(false);
    }
  };

  useEffect(() => {
    void load(null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [organization.id]);

  return (
    <Page title="Audit log" trail="Settings › Organization settings">
      <ErrorAlert error={error} />
      {records.length === 0 && loading && <Loading what="the audit log" />}
      {records.length > 0 && (
        <table className="table audit-table">
          <caption className="visually-hidden">Audit log, newest first</caption>
          <thead>
            <tr><th scope="col">Revision</th><th scope="col">When</th><th scope="col">Actor</th><th scope="col">Change</th><th scope="col">Hash</th></tr>
          </thead>
          <tbody>
            {records.map((r) => (
              <tr key={r.hash}>
                <th scope="row">{r.revision}</th>
                <td>{when(r.at)}</td>
                <td className="sid">{r.actor}</td>
                <td>{describe(r.entry)}</td>
                <td className="sid" title={r.hash}>{r.hash.slice(0, 12)}…</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next !== null && <button type="button" onClick={() => void load(next)} disabled={loading}>Older entries</button>}
    </Page>
  );
}
