/**
 * The parts of docs/ that are generated from the code (the configuration tables from src/config.ts, the route table
 * from src/http/routes.ts), so that they cannot drift: each stands between
 * `<!-- generated: NAME -->` and `<!-- /generated: NAME -->` in its page. `npm run docs` writes them; a test
 * (test/unit/generated-docs.test.ts) fails when a page differs from what the code says.
 */
import { readFileSync } from 'node:fs';
import { ROLE_NEEDED } from '../../src/access/roles.js';
import { configurationTables } from '../../src/config.js';
import { openApiPath, ROUTES } from '../../src/http/routes.js';

/** docs/api.md's route table, from the route table of src/http/routes.ts. */
function routesTable(): string {
  // A table cell cannot hold a bare `|`.
  const cell = (text: string) => text.replaceAll('|', '\\|');
  const rows = ROUTES.map((r) => [
    `\`${r.method.toUpperCase()} ${openApiPath(r)}\``,
    r.operationId,
    ROLE_NEEDED[r.permission],
    cell(r.description ?? r.summary),
  ]);
  const cells = [['Route', 'Operation', 'Role', 'What it does'], ...rows];
  const widths = [0, 1, 2, 3].map((i) => Math.max(3, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(cells[0]!), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...cells.slice(1).map(line)].join(
    '\n',
  );
}

export const GENERATED: ReadonlyArray<{ page: string; name: string; make: () => string }> = [
  { page: 'docs/configuration.md', name: 'relay variables', make: () => configurationTables().relay },
  { page: 'docs/configuration.md', name: 'simulator variables', make: () => configurationTables().simulator },
  { page: 'docs/api.md', name: 'routes', make: routesTable },
];

/** `text` with each generated region of `page` replaced by what the code says now. */
export function regenerate(page: string, text: string): string {
  let out = text;
  for (const region of GENERATED.filter((g) => g.page === page)) {
    const open = `<!-- generated: ${region.name} -->`;
    const close = `<!-- /generated: ${region.name} -->`;
    const start = out.indexOf(open);
    const end = out.indexOf(close);
    if (start < 0 || end < start) throw new Error(`${page} has no region ${open} ... ${close}`);
    out = `${out.slice(0, start + open.length)}\n\n${region.make()}\n\n${out.slice(end)}`;
  }
  return out;
}

export const pages = (): string[] => [...new Set(GENERATED.map((g) => g.page))];

export const readPage = (page: string): string => readFileSync(page, 'utf8');
