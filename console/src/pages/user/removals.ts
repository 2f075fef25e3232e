// What Delete and Edit send. Delete takes exactly the row it is on, in one change: the scope's
// plain assignments, or those bound to the row's resource (resource-based rows share the
// organization's scope with its plain row).
import type { AssignmentRow, DryRun, Committed } from '../../api/types';
import {
  deleteRow, deleteRowDryRun, removeRole, removeRoleDryRun, type ResourceKey,
} from '../../api/organization';

export type Removal =
  | { kind: 'row'; scope: string; resource: ResourceKey | null }
  | { kind: 'role'; scope: string; role: string; resource: ResourceKey | null };

const resourceOf = (row: AssignmentRow): ResourceKey | null => (row.resource ? { type: row.resource.type, id: row.resource.id } : null);

export function rowRemovals(row: AssignmentRow): Removal[] {
  return [{ kind: 'row', scope: row.scope.id, resource: resourceOf(row) }];
}

export function roleRemovals(row: AssignmentRow, roles: string[]): Removal[] {
  return roles.map((role) => ({ kind: 'role', scope: row.scope.id, role, resource: resourceOf(row) }));
}

export function dryRun(org: string, user: string, removal: Removal): Promise<DryRun> {
  return removal.kind === 'row'
    ? deleteRowDryRun(org, user, removal.scope, removal.resource)
    : removeRoleDryRun(org, user, removal.scope, removal.role, removal.resource);
}

export function apply(org: string, user: string, removal: Removal): Promise<Committed> {
  return removal.kind === 'row'
    ? deleteRow(org, user, removal.scope, removal.resource)
    : removeRole(org, user, removal.scope, removal.role, removal.resource);
}

/** Applies each removal in turn, stopping at the first the server refuses. */
export async function applyAll(org: string, user: string, removals: Removal[]): Promise<{ done: number; error: Error | null }> {
  let done = 0;
  for (const removal of removals) {
    try {
      await apply(org, user, removal);
      done += 1;
    } catch (error) {
      return { done, error: error as Error };
    }
  }
  return { done, error: null };
}

/** "Staging", or "Acme Corp · EMEA billing" for a resource row. */
export const rowName = (row: AssignmentRow) => (row.resource ? `${row.scope.name} · ${row.resource.name ?? row.resource.id}` : row.scope.name);
