// Which roles a scope level allows, as the seed says (General or Built-in by scope) and the
// core enforces: organization roles and resource-based roles at the organization only,
// general roles at accounts only, built-in roles at every level down to their lowest.
import type { Role, ScopeLevel } from '../../api/types';

const DEPTH: Record<ScopeLevel, number> = { organization: 0, account: 1, subaccount: 2 };

export function assignableAt(role: Role, level: ScopeLevel): boolean {
  switch (role.kind) {
    case 'organization':
    case 'resource-based':
      return level === 'organization';
    case 'general':
      return level === 'account';
    case 'built-in':
      return DEPTH[level] <= DEPTH[role.lowest_level];
    default:
      return false;
  }
}
