// What Delete and Edit send. Deleting a plain row is deleting the user's assignments at that
// scope — unless the same scope also has resource-based rows (they sit at the organization),
// which a whole-scope delete would take too; then, like a resource row, it is removed role by
// role, so Delete takes exactly the row it is on.
import type { AssignmentRow, DryRun, Committed } from '../../api/types';
import {
  deleteScope, deleteScopeDryRun, removeRole, removeRoleDryRun, type ResourceKey,
} from '../../api/organization';

export type Removal =
  | { kind: 'scope'; scope: string }
  | { kind: 'role'; scope: string; role: string; resource: ResourceKey | null };

const resourceOf = (row: AssignmentRow): ResourceKey | null => (row.resource ? { type: row.resource.type, id: row.resource.id } : null);

export function rowRemovals(row: AssignmentRow, all: AssignmentRow[]): Removal[] {
  const shared = all.filter((r) => r.scope.id === row.scope.id).length > 1;
  if (row.resource === null && !shared) return [{ kind: 'scope', scope: row.scope.id }];
  return row.roles.map((r) => ({ kind: 'role', scope: row.scope.id, role: r.id, resource: resourceOf(row) }));
}

export function roleRemovals(row: AssignmentRow, roles: string[]): Removal[] {
  return roles.map((role) => ({ kind: 'role', scope: row.scope.id, role, resource: resourceOf(row) }));
}

export function dryRun(org: string, user: string, removal: Removal): Promise<DryRun> {
  return removal.kind === 'scope'
    ? deleteScopeDryRun(org, user, removal.scope)
    : removeRoleDryRun(org, user, removal.scope, removal.role, removal.resource);
}

export function apply(org: string, user: string, removal: Removal): Promise<Committed> {
  return removal.kind === 'scope'
    ? deleteScope(org, user, removal.scope)
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
