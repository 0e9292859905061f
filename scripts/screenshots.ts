/**
 * `npm run screenshots -- <baseUrl>`: the pictures of docs/images, taken in Debian's Chromium (playwright-core, no
 * browser download) from a running relay: Bull Board's overview, logged in with BOARD_USER and BOARD_PASSWORD from
 * the environment (.env with npm start). Run `npm run demo` first for queues with something in them.
 */
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const baseUrl = process.argv[2] ?? `http://localhost:${process.env.PORT ?? '3000'}`;
const user = process.env.BOARD_USER;
const password = process.env.BOARD_PASSWORD;
if (!user || !password) throw new Error('Set BOARD_USER and BOARD_PASSWORD (they are in .env with npm start)');

mkdirSync('docs/images', { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
try {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 760 },
    httpCredentials: { username: user, password },
  });
  const page = await context.newPage();
  await page.goto(`${baseUrl}/admin/queues`, { waitUntil: 'networkidle' });
  await page.screenshot({ path: 'docs/images/bull-board.png' });
  console.log('docs/images/bull-board.png');
} finally {
  await browser.close();
}
