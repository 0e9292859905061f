/**
 * `chorus-relay validations`, `approve ID [--comment]` and `refuse ID --reason`: the main contractor's inbox of its
 * subcontractors' invoices, soonest deadline first, and its decisions (each sent to Chorus Pro by a job).
 */
import { z } from 'zod';
import { call, type RelayConnection } from './relay-api.js';

export const validationSchema = z.object({
  id: z.string(),
  invoice: z.object({
    number: z.string(),
    supplierSiret: z.string().nullable(),
    supplierName: z.string().nullable(),
    amountWithVat: z.string().nullable(),
  }),
  chorusStatus: z.string(),
  stage: z.string(),
  deadline: z.string(),
  decision: z.object({ action: z.string(), state: z.string().nullable() }).nullable(),
});
export type ValidationSummary = z.infer<typeof validationSchema>;
const decisionAnswer = z.object({
  id: z.string(),
  stage: z.string(),
  decision: z.object({ action: z.string(), state: z.string().nullable() }),
});

export async function pendingValidations(relay: RelayConnection): Promise<ValidationSummary[]> {
  return (await call(relay, '/v1/validations?pending=true&limit=200', z.object({ data: z.array(validationSchema) })))
    .body.data;
}

export async function decide(
  relay: RelayConnection,
  id: string,
  decision: { action: 'approve'; comment?: string | undefined } | { action: 'refuse'; reason: string },
) {
  const body =
    decision.action === 'approve'
      ? decision.comment
        ? { comment: decision.comment }
        : {}
      : { reason: decision.reason };
  return (
    await call(relay, `/v1/validations/${encodeURIComponent(id)}/${decision.action}`, decisionAnswer, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
  ).body;
}

/** Days left, rounded down, from `now`: what the accountant reads first. */
const daysLeft = (deadline: string, now: Date) => Math.floor((Date.parse(deadline) - now.getTime()) / 86_400_000);

export function validationTable(validations: ValidationSummary[], now = new Date()): string {
  if (validations.length === 0) return 'No invoice waits for your decision.';
  const rows = validations.map((v) => [
    v.invoice.number,
    v.invoice.supplierName ?? v.invoice.supplierSiret ?? '-',
    v.invoice.amountWithVat ?? '-',
    `${v.deadline.slice(0, 10)} (${daysLeft(v.deadline, now)} d)`,
    v.decision ? `${v.decision.action} ${v.decision.state ?? ''}`.trim() : '',
    v.id,
  ]);
  const header = ['NUMBER', 'SUPPLIER', 'AMOUNT', 'DEADLINE', 'DECISION', 'ID'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((v, c) => (c < r.length - 1 ? v.padEnd(widths[c]!) : v)).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}
