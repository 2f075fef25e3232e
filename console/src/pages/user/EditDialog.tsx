// Edit: remove one (or more) of the row's roles, see the dry run, and Save changes.
import { useState } from 'react';
import type { AssignmentRow, DirectoryEntry } from '../../api/types';
import { Dialog } from '../../components/Dialog';
import { ErrorAlert } from '../../components/Alerts';
import { ResourceBasedTag } from '../../components/Tag';
import { Verdict } from '../../components/Verdict';
import { useDryRuns } from '../../hooks/useDryRuns';
import { applyAll, dryRun, roleRemovals, rowName } from './removals';

interface Props {
  organization: string;
  entry: DirectoryEntry;
  row: AssignmentRow;
  onClose: () => void;
  onDone: (message: string | null) => void;
}

export function EditDialog({ organization, entry, row, onClose, onDone }: Props) {
  const [removed, setRemoved] = useState<string[]>([]);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const removals = roleRemovals(row, removed);
  const verdict = useDryRuns(
    removed.length === 0 ? null : () => Promise.all(removals.map((r) => dryRun(organization, entry.user.id, r))),
    removed.join(','),
  );

  const toggle = (role: string) => setRemoved((now) => (now.includes(role) ? now.filter((r) => r !== role) : [...now, role]));

  const save = async () => {
    setBusy(true);
    setError(null);
    const { done, error: refused } = await applyAll(organization, entry.user.id, removals);
    setBusy(false);
    if (refused) {
      setError(refused);
      if (done > 0) onDone(null);
      return;
    }
    const names = row.roles.filter((r) => removed.includes(r.id)).map((r) => r.name).join(', ');
    onDone(`Removed ${names} from ${entry.user.name} at ${rowName(row)}.`);
  };

  return (
    <Dialog title={`Edit role assignment at ${rowName(row)}`} onClose={onClose}>
      <p>Remove the roles {entry.user.name} should no longer hold at {rowName(row)}, then save.</p>
      <ul className="edit-roles">
        {row.roles.map((r) => {
          const isRemoved = removed.includes(r.id);
          return (
            <li key={r.id} className={isRemoved ? 'removed' : undefined}>
              <span className="role-name">{r.name}</span> {r.kind === 'resource-based' && <ResourceBasedTag />}
              {isRemoved && <span className="muted"> (will be removed)</span>}
              <button type="button" onClick={() => toggle(r.id)} aria-label={`${isRemoved ? 'Keep' : 'Remove'} ${r.name}`}>
                {isRemoved ? 'Keep' : 'Remove'}
              </button>
            </li>
          );
        })}
      </ul>
      <Verdict runs={verdict.runs} checking={verdict.checking} error={verdict.error} />
      <ErrorAlert error={error} title="The server refused the change:" />
      <div className="dialog-actions">
        <button type="button" className="button-primary" onClick={() => void save()} disabled={busy || removed.length === 0}>Save changes</button>
        <button type="button" onClick={onClose}>Cancel</button>
      </div>
    </Dialog>
  );
}
