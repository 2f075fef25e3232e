// The shapes of the server's /v1 JSON API, as the console reads them (see
// server/src/api/mod.rs for the route table). Fields announced but not yet served everywhere
// (`active`, `external_id`, a role's `sid`) are optional.

export type ScopeLevel = 'organization' | 'account' | 'subaccount';
export type RoleKind = 'organization' | 'general' | 'built-in' | 'resource-based';

export interface UserRef {
  id: string;
  name: string;
  email: string;
  /** false: deactivated. Absent on servers that do not deactivate users. */
  active?: boolean;
  external_id?: string | null;
}

export interface Session {
  organization: { id: string; name: string };
  user: UserRef | null;
  csrf: string;
  expires_at?: number;
  demo: boolean;
}

export interface DemoUsers {
  organization: { id: string; name: string };
  users: Array<UserRef & { roles: string[] }>;
}

export interface ScopeRef {
  id: string;
  name: string;
  level: ScopeLevel;
  parent: string | null;
}

export interface ResourceRef {
  type: string;
  id: string;
  name?: string;
}

export interface RoleName {
  id: string;
  name: string;
  kind: RoleKind;
}

/** One row of a user's Role Assignments: a scope (and, for resource-based roles, a resource)
 * with the roles held there. */
export interface AssignmentRow {
  scope: ScopeRef;
  resource: ResourceRef | null;
  roles: RoleName[];
  assignments: string[];
}

export type MatchField = 'name' | 'email' | 'id' | 'role-name' | 'scope-name';

export interface DirectoryEntry {
  user: UserRef;
  rows: AssignmentRow[];
  matched?: MatchField[];
}

export interface UserPage {
  users: DirectoryEntry[];
  total: number;
  page: number;
  page_size: number;
  next_page: number | null;
}

export interface Role {
  id: string;
  name: string;
  description: string;
  kind: RoleKind;
  lowest_level: ScopeLevel;
  allow: string[];
  deny: string[];
  resource_types: string[];
  /** Twilio's role SID (`IX…`), where the server has one. */
  sid?: string;
}

export interface RoleDetails {
  role: Role;
  assignable_at: ScopeLevel[];
  permissions: string[];
}

export interface Account {
  id: string;
  name: string;
  owner: { id: string; name: string } | null;
  subaccounts: Array<{ id: string; name: string }>;
}

export interface Scopes {
  organization: { id: string; name: string };
  accounts: Account[];
}

export interface Resource {
  type: string;
  id: string;
  name: string;
}

export interface Assignment {
  id: string;
  user: string;
  role: string;
  scope: string;
  resource?: { type: string; id: string } | null;
}

export interface Violation {
  code: string;
  message: string;
}

export interface Change {
  removed: Assignment[];
  added: Assignment[];
}

export interface DryRun {
  revision: number;
  accepted: boolean;
  change: Change;
  violations: Violation[];
}

export interface Committed {
  revision: number;
  change: Change;
}

export interface Settings {
  max_built_in_roles_per_user: number;
}

export interface AuditRecord {
  revision: number;
  at: number;
  actor: string;
  entry: { kind: string; [field: string]: unknown };
  prev_hash: string;
  hash: string;
}

export interface AuditPage {
  records: AuditRecord[];
  next_before: number | null;
}

export interface Grant {
  assignment: string;
  role: string;
  scope: string;
  resource: { type: string; id: string } | null;
}

export interface Explanation {
  decision: {
    allowed: boolean;
    revision: number;
    reason: { kind: string; assignment?: string; role?: string; scope?: string; resource?: { type: string; id: string } | null };
  };
  granting: Grant[];
  elsewhere: Grant[];
  would_grant: Array<{ role: string; name: string; scope: string; level: ScopeLevel; resource: { type: string; id: string } | null }>;
}

export interface Keys {
  keys: Array<{ id: string; public_key_hex: string }>;
}
