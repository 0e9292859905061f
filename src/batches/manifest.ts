/**
 * A batch's manifest: one row per file of the archive, `file` naming it, the other columns the invoice request's
 * fields (the API's names; `vatBreakdown` and `lines` as JSON text in a CSV). CSV with a header line, comma or
 * semicolon separated (spreadsheets in France write semicolons), quotes as RFC 4180; or a JSON array of objects.
 */
import { DomainError } from '../shared/domain-error.js';
import type { ArchiveEntry } from './archive.js';

export interface ManifestRow {
  /** CSV: the line (the header is line 1); JSON: the item, from 1. */
  row: number;
  file: string | null;
  fields: Record<string, unknown>;
}

function refuse(message: string): never {
  throw new DomainError('invalid', 'MANIFEST_UNREADABLE', message, [
    { path: 'manifest', code: 'manifest_unreadable', message },
  ]);
}

/**
 * RFC 4180 records: quoted fields may hold the separator, line breaks and doubled quotes. Reading stops once there
 * are more than `maxRecords` records that are not blank.
 */
function csvRecords(text: string, separator: string, maxRecords: number): string[][] {
  const records: string[][] = [];
  let filled = 0;
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === separator) {
      record.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      if (record.some((v) => v.trim() !== '') && ++filled > maxRecords) return records;
      record = [];
      field = '';
    } else field += c;
  }
  if (quoted) refuse('The manifest has a quoted field that is never closed.');
  if (field !== '' || record.length > 0) records.push([...record, field]);
  return records;
}

function tooManyRows(maxRows: number): never {
  throw new DomainError(
    'invalid',
    'MANIFEST_TOO_MANY_ROWS',
    `The manifest has more than ${maxRows} rows; at most ${maxRows} invoices are taken in one batch (BATCH_MAX_ENTRIES).`,
    [{ path: 'manifest', code: 'too_big', message: `At most ${maxRows} rows.` }],
  );
}

function fromCsv(text: string, maxRows: number): ManifestRow[] {
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const separator = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  // The header, the rows allowed and one more: enough to know there are too many.
  const [header, ...records] = csvRecords(text, separator, maxRows + 1);
  const names = (header ?? []).map((n) => n.trim());
  if (!names.includes('file')) refuse('The manifest’s header line has no "file" column naming each row’s file.');
  const rows = records.flatMap((values, i) => {
    if (values.every((v) => v.trim() === '')) return [];
    const fields: Record<string, unknown> = {};
    names.forEach((name, j) => {
      if (name && name !== 'file') fields[name] = values[j] ?? '';
    });
    const file = values[names.indexOf('file')]?.trim() || null;
    return [{ row: i + 2, file, fields }];
  });
  if (rows.length > maxRows) tooManyRows(maxRows);
  return rows;
}

function fromJson(text: string, maxRows: number): ManifestRow[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    refuse('manifest.json is not valid JSON.');
  }
  if (!Array.isArray(parsed)) refuse('manifest.json must be an array of objects, one per file.');
  if (parsed.length > maxRows) tooManyRows(maxRows);
  return parsed.map((item: unknown, i) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item))
      refuse(`Item ${i + 1} of manifest.json is not an object.`);
    const { file, ...fields } = item as Record<string, unknown>;
    return { row: i + 1, file: typeof file === 'string' && file !== '' ? file : null, fields };
  });
}

/** The manifest's rows; more than `maxRows` (BATCH_MAX_ENTRIES) is refused before any is taken. */
export function readManifest(manifest: ArchiveEntry, maxRows: number): ManifestRow[] {
  // Spreadsheets save UTF-8 CSV with a byte-order mark.
  const text = manifest.content.toString('utf8').replace(/^\uFEFF/, '');
  return manifest.name.toLowerCase().endsWith('.json') ? fromJson(text, maxRows) : fromCsv(text, maxRows);
}
