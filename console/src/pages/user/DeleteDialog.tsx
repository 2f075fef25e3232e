// Delete: removes the row's role assignment for its scope, after showing the dry run (an
// account's Owner, or the last Organization Owner, are refused by the server's rules).
import { useState } from 'react';
import type { AssignmentRow, DirectoryEntry } from '../../api/types';
import { Dialog } from '../../components/Dialog';
import { ErrorAlert } from '../../components/Alerts';
import { Verdict } from '../../components/Verdict';
import { useDryRuns } from '../../hooks/useDryRuns';
import { applyAll, dryRun, rowName, rowRemovals } from './removals';

interface Props {
  organization: string;
  entry: DirectoryEntry;
  row: AssignmentRow;
  onClose: () => void;
  onDone: (message: string | null) => void;
}

export function DeleteDialog({ organization, entry, row, onClose, onDone }: Props) {
  const removals = rowRemovals(row);
  const verdict = useDryRuns(() => Promise.all(removals.map((r) => dryRun(organization, entry.user.id, r))), `${row.scope.id}/${row.resource?.id ?? ''}`);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    const { done, error: refused } = await applyAll(organization, entry.user.id, removals);
    setBusy(false);
    if (refused) {
      setError(refused);
      // Whatever did go through is on the page behind the dialog.
      if (done > 0) onDone(null);
      return;
    }
    onDone(`Deleted ${entry.user.name}'s role assignment at ${rowName(row)}.`);
  };

  return (
    <Dialog title={`Delete role assignment at ${rowName(row)}`} onClose={onClose}>
      <p>
        This removes {row.roles.map((r) => r.name).join(', ')} from <strong>{entry.user.name}</strong> at{' '}
        <strong>{rowName(row)}</strong>.
      </p>
      <Verdict runs={verdict.runs} checking={verdict.checking} error={verdict.error} />
      <ErrorAlert error={error} title="The server refused the change:" />
      <div className="dialog-actions">
        <button type="button" className="button-danger" onClick={() => void confirm()} disabled={busy}>Delete</button>
        <button type="button" onClick={onClose} data-autofocus>Cancel</button>
      </div>
    </Dialog>
  );
}
