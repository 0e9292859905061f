/**
 * The audit trail: every mutating API call, who made it, on what, and how it ended. Read by admins at GET /v1/audit.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { clockOf } from '../db/clock.js';
import { AuditEntry } from '../db/entities/audit-entry.js';

/** Who made a mutating call, on which route and target; the status comes when it ends. */
export interface AuditLine {
  keyId: string;
  keyName: string;
  method: string;
  route: string;
  target: string | null;
}

export interface AuditedCall extends AuditLine {
  status: number;
}

/** Columns are bounded: a long route or target is cut, never refused. */
export const auditRoute = (route: string) => route.slice(0, 100);
export const auditTarget = (target: string | null) => target?.slice(0, 100) ?? null;

/** One INSERT, no unit of work: it runs after every mutating call. */
export async function recordCall(em: EntityManager, call: AuditedCall): Promise<void> {
  await em.insert(AuditEntry, {
    at: clockOf(em).now(),
    keyId: call.keyId,
    keyName: call.keyName,
    method: call.method,
    route: auditRoute(call.route),
    target: auditTarget(call.target),
    status: call.status,
  });
}

export async function listAudit(em: EntityManager, limit: number, before?: string): Promise<AuditEntry[]> {
  return em.find(AuditEntry, before ? { id: { $lt: before } } : {}, { orderBy: { id: 'desc' }, limit });
}
