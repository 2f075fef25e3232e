// The organization's /v1 routes, one function each. Every call is made with the session
// cookie; the server re-checks each one with the signed-in user as the actor.
import { get, query, request } from './client';
import type {
  AuditPage, Committed, DemoUsers, DryRun, Explanation, Keys, Resource, Role, RoleDetails,
  Scopes, Session, Settings, UserPage, DirectoryEntry, ScopeLevel, RoleKind,
} from './types';

const org = (id: string) => `/v1/organizations/${encodeURIComponent(id)}`;
const seg = encodeURIComponent;

// Session

export const getSession = () => get<Session>('/v1/session');
export const signIn = (email: string, password: string) => request<Session>('POST', '/v1/session', { email, password });
export const signOut = () => request<unknown>('DELETE', '/v1/session');
export const getDemoUsers = () => get<DemoUsers>('/v1/session/demo-users');
export const demoSignIn = (user: string) => request<Session>('POST', '/v1/session/demo', { user });

// Directory

export interface UserSearch {
  q?: string;
  role?: string;
  page?: number;
  pageSize?: number;
}

export const searchUsers = (o: string, s: UserSearch) =>
  get<UserPage>(`${org(o)}/users${query({ q: s.q, role: s.role, page: s.page, page_size: s.pageSize })}`);
export const getUser = (o: string, user: string) => get<DirectoryEntry>(`${org(o)}/users/${seg(user)}`);
export const addUser = (o: string, user: { id: string; name: string; email: string }) =>
  request<Committed>('POST', `${org(o)}/users`, user);
export const removeUser = (o: string, user: string) => request<Committed>('DELETE', `${org(o)}/users/${seg(user)}`);
export const removeUserDryRun = (o: string, user: string) =>
  request<DryRun>('POST', `${org(o)}/operations/dry-run`, { op: 'remove-user', user });
export const updateUser = (o: string, user: string, change: { name?: string; email?: string; active?: boolean }) =>
  request<Committed>('PATCH', `${org(o)}/users/${seg(user)}`, change);
export const setPassword = (o: string, user: string, password: string) =>
  request<unknown>('PUT', `${org(o)}/users/${seg(user)}/password`, { password });

// Role assignments

export interface ResourceKey {
  type: string;
  id: string;
}

export interface AssignmentRequest {
  scope: string;
  roles: string[];
  resources: Array<{ type: string; id: string }>;
}

export const assign = (o: string, user: string, body: AssignmentRequest) =>
  request<Committed>('POST', `${org(o)}/users/${seg(user)}/assignments`, body);
export const assignDryRun = (o: string, user: string, body: AssignmentRequest) =>
  request<DryRun>('POST', `${org(o)}/users/${seg(user)}/assignments/dry-run`, body);

/** Deletes one row of the user's Role Assignments: the scope's plain assignments (`resource`
 * null), or those bound to one resource — never the other rows that share the scope. */
export const deleteRow = (o: string, user: string, scope: string, resource: ResourceKey | null) =>
  request<Committed>('DELETE', `${org(o)}/users/${seg(user)}/scopes/${seg(scope)}${query({ resource: resource ? `${resource.type}:${resource.id}` : 'none' })}`);
export const deleteRowDryRun = (o: string, user: string, scope: string, resource: ResourceKey | null) =>
  request<DryRun>('POST', `${org(o)}/operations/dry-run`, { op: 'unassign', user, scope, resource: resource ? { type: resource.type, id: resource.id } : null });

export const removeRole = (o: string, user: string, scope: string, role: string, resource: ResourceKey | null) =>
  request<Committed>('DELETE', `${org(o)}/users/${seg(user)}/scopes/${seg(scope)}/roles/${seg(role)}${query({ resource: resource ? `${resource.type}:${resource.id}` : null })}`);
export const removeRoleDryRun = (o: string, user: string, scope: string, role: string, resource: ResourceKey | null) =>
  request<DryRun>('POST', `${org(o)}/operations/dry-run`, {
    op: 'remove-role', user, scope, role, ...(resource ? { resource: { type: resource.type, id: resource.id } } : {}),
  });

// Ownership, settings, audit

export const transferOwner = (o: string, account: string, to: string) =>
  request<Committed>('POST', `${org(o)}/accounts/${seg(account)}/owner`, { to });
export const transferOwnerDryRun = (o: string, account: string, to: string) =>
  request<DryRun>('POST', `${org(o)}/accounts/${seg(account)}/owner/dry-run`, { to });

export const getSettings = (o: string) => get<{ revision: number; settings: Settings }>(`${org(o)}/settings`);
export const putSettings = (o: string, settings: Settings) => request<Committed>('PUT', `${org(o)}/settings`, settings);

export const getAudit = (o: string, before: number | null, pageSize = 25) =>
  get<AuditPage>(`${org(o)}/audit${query({ before, page_size: pageSize })}`);

// Catalog

export interface RoleQuery {
  kind?: RoleKind;
  level?: ScopeLevel;
}

export const getRoles = (o: string, q: RoleQuery = {}) => get<{ roles: Role[] }>(`${org(o)}/roles${query({ kind: q.kind, level: q.level })}`);
export const getRole = (o: string, role: string) => get<RoleDetails>(`${org(o)}/roles/${seg(role)}`);
export const getScopes = (o: string) => get<Scopes>(`${org(o)}/scopes`);
export const getResources = (o: string) => get<{ resources: Resource[] }>(`${org(o)}/resources`);
export const getKeys = (o: string) => get<Keys>(`${org(o)}/keys`);

// Decisions

export interface Question {
  user: string;
  permission: string;
  scope: string;
  resource?: ResourceKey;
}

export const explain = (o: string, q: Question) => request<Explanation>('POST', `${org(o)}/explain`, q);

/** The URL of a user's signed slice (what the console decides with). */
export const sliceUrl = (o: string, user: string) => `${org(o)}/users/${seg(user)}/slice`;
