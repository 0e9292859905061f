/**
 * Who may do what. A key has a role and a scope: the suppliers it acts for (null: all). A reader reads; a
 * submitter also submits and fixes invoices; an admin also registers suppliers, their credentials, keys and
 * subscriptions. Outside its scope a key sees nothing: what it may not see does not exist for it (404).
 */
export const ROLES = ['reader', 'submitter', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What a route needs, from least to most. */
export type Permission = 'read' | 'submit' | 'admin';

const RANK: Record<Permission, number> = { read: 0, submit: 1, admin: 2 };
const GRANTS: Record<Role, Permission> = { reader: 'read', submitter: 'submit', admin: 'admin' };
/** The least role that holds each permission, to tell a refused caller what it would take. */
export const ROLE_NEEDED: Record<Permission, Role> = { read: 'reader', submit: 'submitter', admin: 'admin' };

/** SIRETs a caller may act for; null: every supplier. */
export type Scope = readonly string[] | null;

export interface Caller {
  /** The key's id, or `API_KEYS#n` for a bootstrap key. */
  keyId: string;
  keyName: string;
  role: Role;
  scope: Scope;
}

export function allows(role: Role, needed: Permission): boolean {
  return RANK[GRANTS[role]] >= RANK[needed];
}

export function inScope(scope: Scope, siret: string): boolean {
  return scope === null || scope.includes(siret);
}

/** Whether `inner` is within `outer` (a key cannot create a key that reaches further than itself). */
export function scopeWithin(inner: Scope, outer: Scope): boolean {
  if (outer === null) return true;
  return inner !== null && inner.every((siret) => outer.includes(siret));
}
