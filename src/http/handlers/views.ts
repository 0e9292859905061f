/** GET /v1/invoices (JSON pages or a CSV export) and GET /v1/stats. */
import type { RequestHandler } from 'express';
import { callerOf } from '../auth.js';
import type { AppContext } from '../../context.js';
import {
  eachInvoice,
  invoiceStats,
  listInvoices,
  type InvoiceFilters,
  type SortField,
} from '../../invoices/listing.js';
import { failingSyncs } from '../../suppliers/sync-health.js';
import { HttpError } from '../errors.js';
import { queryOf } from '../params.js';
import { CSV_BOM, CSV_COLUMNS, csvLine, csvRow, invoiceView } from '../presenters.js';
import { invoiceListQuerySchema, statsQuerySchema } from '../schemas.js';

function parseQuery(query: unknown) {
  const { sort, limit, cursor, ...rest } = queryOf(invoiceListQuerySchema, query);
  const filters = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as InvoiceFilters;
  return { filters, sort: sort.replace(/^-/, '') as SortField, descending: sort.startsWith('-'), limit, cursor };
}

export function listInvoicesHandler(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const { filters: asked, sort, descending, limit, cursor } = parseQuery(req.query);
    const { scope } = callerOf(res);
    const filters: InvoiceFilters = scope === null ? asked : { ...asked, supplierSirets: scope };
    const wantsCsv = req.accepts(['application/json', 'text/csv']) === 'text/csv';
    if (wantsCsv) {
      // The whole selection, streamed page by page: an export is not limited to one page.
      res.status(200).type('text/csv; charset=utf-8').attachment('invoices.csv');
      res.write(CSV_BOM + csvLine(CSV_COLUMNS));
      for await (const invoice of eachInvoice(ctx.orm.em, filters, { sort, descending })) {
        if (!res.write(csvLine(csvRow(invoice)))) await new Promise((resolve) => res.once('drain', resolve));
      }
      res.end();
      return;
    }
    if (req.accepts(['application/json']) === false)
      throw new HttpError(406, 'NOT_ACCEPTABLE', 'This list is available as application/json or text/csv.');
    const page = await listInvoices(ctx.orm.em.fork(), filters, {
      sort,
      descending,
      limit,
      ...(cursor ? { cursor } : {}),
    });
    res.json({
      data: page.invoices.map((i) => invoiceView(i, i.supplier.getEntity().siret)),
      nextCursor: page.nextCursor,
    });
  };
}

export function statsHandler(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const { supplierSiret, marketNumber } = queryOf(statsQuerySchema, req.query);
    const { scope } = callerOf(res);
    const stats = await invoiceStats(ctx.orm.em.fork(), supplierSiret, scope, marketNumber);
    const failing = await failingSyncs(ctx.orm.em.fork(), supplierSiret ? [supplierSiret] : scope);
    res.json({ ...stats, suppliersSyncFailing: failing.length });
  };
}
