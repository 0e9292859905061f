/** `chorus-relay status ID`, `list --needs-action` and `retry ID`: one invoice, the ones that need someone, a retry. */
import { call, invoiceListSchema, invoiceSchema, type InvoiceSummary, type RelayConnection } from './relay-api.js';

export async function status(relay: RelayConnection, id: string): Promise<InvoiceSummary> {
  return (await call(relay, `/v1/invoices/${encodeURIComponent(id)}`, invoiceSchema)).body;
}

export async function needingAction(relay: RelayConnection): Promise<InvoiceSummary[]> {
  return (await call(relay, '/v1/invoices?needsAction=true&limit=100', invoiceListSchema)).body.data;
}

export async function retry(relay: RelayConnection, id: string): Promise<InvoiceSummary> {
  return (await call(relay, `/v1/invoices/${encodeURIComponent(id)}/retry`, invoiceSchema, { method: 'POST' })).body;
}

export function describeInvoice(invoice: InvoiceSummary): string {
  const lines = [
    `Invoice ${invoice.number} (${invoice.id})`,
    `  state           ${invoice.state}`,
    `  Chorus Pro      ${invoice.chorus.status ?? '-'}${invoice.chorus.stageLabel ? ` (${invoice.chorus.stageLabel})` : ''}${invoice.chorus.invoiceId ? `, invoice ${invoice.chorus.invoiceId}` : ''}`,
    `  amount          ${invoice.amountWithVat}`,
  ];
  if (invoice.actionRequired)
    lines.push(`  action needed   ${invoice.actionRequired.reason}: ${invoice.actionRequired.nextStep.en}`);
  if (invoice.lastError) lines.push(`  last error      ${invoice.lastError.code}: ${invoice.lastError.message}`);
  const recent = (invoice.events ?? []).slice(-5);
  if (recent.length > 0) lines.push('  latest events', ...recent.map((e) => `    ${e.at}  ${e.type}: ${e.message}`));
  return lines.join('\n');
}

export function invoiceTable(invoices: InvoiceSummary[]): string {
  if (invoices.length === 0) return 'No invoice needs action.';
  const rows = invoices.map((i) => [
    i.number,
    i.state,
    i.actionRequired?.reason ?? '',
    i.actionRequired?.nextStep.en ?? '',
  ]);
  const widths = [0, 1, 2].map((c) =>
    Math.max(...rows.map((r) => r[c]!.length), ['NUMBER', 'STATE', 'REASON'][c]!.length),
  );
  const line = (r: string[]) => r.map((v, c) => (c < 3 ? v.padEnd(widths[c]!) : v)).join('  ');
  return [line(['NUMBER', 'STATE', 'REASON', 'NEXT STEP']), ...rows.map(line)].join('\n');
}
