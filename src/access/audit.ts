/** The audit trail: every mutating API call, who made it, on what, and how it ended. Read by admins at GET /v1/audit. */
import type { EntityManager } from '@mikro-orm/postgresql';
import { AuditEntry } from '../db/entities/audit-entry.js';
import type { Caller } from './roles.js';

export interface AuditedCall {
  caller: Caller;
  method: string;
  route: string;
  target: string | null;
  status: number;
}

export async function recordCall(em: EntityManager, call: AuditedCall): Promise<void> {
  em.create(AuditEntry, {
    keyId: call.caller.keyId,
    keyName: call.caller.keyName,
    method: call.method,
    route: call.route.slice(0, 100),
    target: call.target?.slice(0, 100) ?? null,
    status: call.status,
  });
  await em.flush();
}

export async function listAudit(em: EntityManager, limit: number, before?: string): Promise<AuditEntry[]> {
  return em.find(AuditEntry, before ? { id: { $lt: before } } : {}, { orderBy: { id: 'desc' }, limit });
}
