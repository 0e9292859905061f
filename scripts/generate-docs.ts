/** `npm run docs`: writes the generated parts of docs/ (see scripts/lib/generated-docs.ts), then formats them. */
import { writeFileSync } from 'node:fs';
import { pages, readPage, regenerate } from './lib/generated-docs.js';

for (const page of pages()) {
  const before = readPage(page);
  const after = regenerate(page, before);
  if (after !== before) writeFileSync(page, after);
  console.log(`${page}: ${after === before ? 'up to date' : 'written'}`);
}
