// The dry run's verdict before a change is saved: what it would add and remove, or every
// rule it would break, in the server's words.
import type { DryRun } from '../api/types';

interface VerdictProps {
  /** One dry run per request the change makes (a change over several scopes makes several). */
  runs: DryRun[] | null;
  checking: boolean;
  error?: Error | null;
  describe?: (run: DryRun) => string;
}

function summary(run: DryRun): string {
  const added = run.change.added.length;
  const removed = run.change.removed.length;
  const parts = [];
  if (added) parts.push(`adds ${added} assignment${added === 1 ? '' : 's'}`);
  if (removed) parts.push(`removes ${removed} assignment${removed === 1 ? '' : 's'}`);
  return parts.length ? parts.join(' and ') : 'no role assignment changes';
}

export function Verdict({ runs, checking, error, describe = summary }: VerdictProps) {
  const violations = runs?.flatMap((run) => run.violations) ?? [];
  return (
    <section className="verdict" aria-labelledby="verdict-title" aria-live="polite" aria-busy={checking}>
      <h3 id="verdict-title">Dry run</h3>
      {checking && <p>Checking the change with the server…</p>}
      {!checking && error && <p className="verdict-refused">The dry run failed: {error.message}</p>}
      {!checking && !error && runs === null && <p className="muted">Choose what to change to see whether it would be accepted.</p>}
      {!checking && !error && runs !== null && violations.length === 0 && (
        <p className="verdict-accepted">Would be accepted: {runs.map(describe).join('; ')}.</p>
      )}
      {!checking && !error && violations.length > 0 && (
        <>
          <p className="verdict-refused">Would be refused: it breaks {violations.length === 1 ? 'this rule' : `these ${violations.length} rules`}.</p>
          <ul className="violations">
            {violations.map((v, i) => (
              <li key={`${v.code}-${i}`}>
                <span className="violation-message">{v.message}</span> <span className="code">({v.code})</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
