// The Role Assignments tab: every assignment grouped by scope, one row per scope (and a row
// of its own for each resource of a resource-based role), with Edit and Delete. Each control
// is enabled by the signed-in user's own slice, asked at the row's scope; the server judges
// the change itself.
import { useState } from 'react';
import { Can, useCan } from 'rolegate/react';
import type { AssignmentRow, DirectoryEntry } from '../../api/types';
import { PERMISSION } from '../../access/permissions';
import { ResourceBasedTag } from '../../components/Tag';
import { Link } from '../../router';
import { DeleteDialog } from './DeleteDialog';
import { EditDialog } from './EditDialog';
import { rowName } from './removals';

interface Props {
  organization: string;
  entry: DirectoryEntry;
  onChanged: (message: string | null) => Promise<void>;
}

type Open = { action: 'edit' | 'delete'; row: AssignmentRow } | null;

const LEVEL_LABEL = { organization: 'Organization', account: 'Account', subaccount: 'Subaccount' } as const;

export function RoleAssignments({ organization, entry, onChanged }: Props) {
  const [open, setOpen] = useState<Open>(null);
  const createHref = `/users/${encodeURIComponent(entry.user.id)}/role-assignments/new`;
  const done = (message: string | null) => {
    if (message !== null) setOpen(null);
    void onChanged(message);
  };
  return (
    <section aria-labelledby="assignments-title">
      <div className="section-head">
        <h2 id="assignments-title">Role Assignments</h2>
        <Can permission={PERMISSION.createAssignments} scope={organization}>
          {(allowed) => allowed
            ? <Link to={createHref} className="button button-primary">Create role assignment</Link>
            : <button type="button" className="button-primary" disabled>Create role assignment</button>}
        </Can>
      </div>
      {entry.rows.length === 0 ? <p>{entry.user.name} holds no roles.</p> : (
        <table className="table assignments-table">
          <caption className="visually-hidden">{entry.user.name}'s role assignments, grouped by scope</caption>
          <thead>
            <tr>
              <th scope="col">Scope</th>
              <th scope="col">Scope type</th>
              <th scope="col">Resource</th>
              <th scope="col">Roles</th>
              <th scope="col"><span className="visually-hidden">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {entry.rows.map((row, i) => (
              <AssignmentRowView
                key={`${row.scope.id}-${row.resource?.type ?? ''}-${row.resource?.id ?? ''}-${i}`}
                row={row}
                onEdit={() => setOpen({ action: 'edit', row })}
                onDelete={() => setOpen({ action: 'delete', row })}
              />
            ))}
          </tbody>
        </table>
      )}
      {open?.action === 'delete' && (
        <DeleteDialog organization={organization} entry={entry} row={open.row} onClose={() => setOpen(null)} onDone={done} />
      )}
      {open?.action === 'edit' && (
        <EditDialog organization={organization} entry={entry} row={open.row} onClose={() => setOpen(null)} onDone={done} />
      )}
    </section>
  );
}

function AssignmentRowView({ row, onEdit, onDelete }: { row: AssignmentRow; onEdit: () => void; onDelete: () => void }) {
  // Removing a role is deleting (part of) an assignment: both controls need the delete permission.
  const canDelete = useCan(PERMISSION.deleteAssignments, row.scope.id);
  const name = rowName(row);
  return (
    <tr data-scope={row.scope.id} data-resource={row.resource?.id ?? undefined}>
      <th scope="row">
        {row.scope.name}
        <div className="sid muted">{row.scope.id}</div>
      </th>
      <td>{LEVEL_LABEL[row.scope.level]}</td>
      <td>
        {row.resource ? (
          <>
            {row.resource.name ?? row.resource.id}
            <div className="muted">{row.resource.type} · <span className="sid">{row.resource.id}</span></div>
          </>
        ) : <span className="muted">—</span>}
      </td>
      <td>
        <ul className="plain-list">
          {row.roles.map((r) => (
            <li key={r.id}>{r.name} {r.kind === 'resource-based' && <ResourceBasedTag />}</li>
          ))}
        </ul>
      </td>
      <td className="row-actions">
        <button type="button" onClick={onEdit} disabled={!canDelete} aria-label={`Edit role assignment at ${name}`}>Edit</button>
        <button type="button" className="button-danger" onClick={onDelete} disabled={!canDelete} aria-label={`Delete role assignment at ${name}`}>Delete</button>
      </td>
    </tr>
  );
}
