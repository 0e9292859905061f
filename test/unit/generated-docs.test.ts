/**
 * The parts of docs/ generated from the code (the configuration tables from the schema of src/config.ts) are what
 * the code says now: a variable added, removed, renamed or given another default without `npm run docs` fails here.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GENERATED, pages, readPage, regenerate } from '../../scripts/lib/generated-docs.js';

describe('the generated parts of docs/', () => {
  it.each(pages())('%s is up to date (npm run docs)', (page) => {
    const text = readPage(page);
    expect(regenerate(page, text)).toBe(text);
  });

  it('would notice a page that says something else', () => {
    const page = 'docs/configuration.md';
    const drifted = readPage(page).replace('| `PORT`', '| `HTTP_PORT`');
    expect(regenerate(page, drifted)).not.toBe(drifted);
    expect(GENERATED.every((g) => readPage(g.page).includes(`<!-- generated: ${g.name} -->`))).toBe(true);
  });
});

describe('the documentation', () => {
  const docs = readdirSync('docs').filter((f) => f.endsWith('.md'));

  it('has every page of docs/ reachable from the README', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(docs.filter((page) => !readme.includes(`](docs/${page})`))).toEqual([]);
  });

  it('links only to files that exist', () => {
    const broken: string[] = [];
    for (const page of ['README.md', ...docs.map((d) => `docs/${d}`)]) {
      for (const [, target] of readFileSync(page, 'utf8').matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        if (!existsSync(join(dirname(page), target!))) broken.push(`${page} -> ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
