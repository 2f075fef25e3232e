// Small labels: a role's kind, the resource-based tag the seed asks for under a role's name,
// a deactivated user.
import type { RoleKind } from '../api/types';

const KIND_LABEL: Record<RoleKind, string> = {
  organization: 'Organization',
  general: 'General',
  'built-in': 'Built-in',
  'resource-based': 'Resource-based',
};

export const kindLabel = (kind: RoleKind) => KIND_LABEL[kind] ?? kind;

export function Tag({ children, tone = 'plain' }: { children: string; tone?: 'plain' | 'resource' | 'warning' | 'demo' }) {
  return <span className={`tag tag-${tone}`}>{children}</span>;
}

export function ResourceBasedTag() {
  return <Tag tone="resource">Resource-based</Tag>;
}

export function DeactivatedBadge({ active }: { active?: boolean }) {
  return active === false ? <Tag tone="warning">Deactivated</Tag> : null;
}
