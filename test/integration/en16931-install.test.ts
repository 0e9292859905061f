/**
 * Installing the EN 16931 rules: from a release archive over HTTP, checked against the pinned digests and compiled
 * once (the compiled rules are cached by the stylesheet's digest); anything but the pinned files is refused.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  installRules,
  readInstalledRules,
  RulesInstallError,
} from '../../src/invoices/einvoice/en16931/rules-store.js';
import { RULES_SOURCE_FOLDER, TEST_RULES_DIR } from '../helpers/rules.js';

const UBL = 'ubl/xslt/EN16931-UBL-validation.xslt';
const CII = 'cii/xslt/EN16931-CII-validation.xslt';
let work: string;
let server: Server;
let base: string;
const served = new Map<string, Uint8Array>();

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'cr-rules-install-'));
  server = createServer((req, res) => {
    const body = served.get(req.url ?? '');
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/zip', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(work, { recursive: true, force: true });
});

/** A fresh RULES_DIR holding the compiled rules of the tests' installation, as a cache. */
function dirWithCompiledCache(name: string): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  cpSync(join(TEST_RULES_DIR, 'sef'), join(dir, 'sef'), { recursive: true });
  return dir;
}

describe('npm run rules:install', () => {
  it('installs from a release archive over HTTP, reusing rules already compiled for the same digests', async () => {
    served.set(
      '/validation-1.3.16.zip',
      zipSync({
        [`eInvoicing-EN16931-validation-1.3.16/${UBL}`]: readFileSync(join(RULES_SOURCE_FOLDER, UBL)),
        [`eInvoicing-EN16931-validation-1.3.16/${CII}`]: readFileSync(join(RULES_SOURCE_FOLDER, CII)),
        'eInvoicing-EN16931-validation-1.3.16/README.md': Buffer.from('release'),
      }),
    );
    const dir = dirWithCompiledCache('from-url');
    const before = readInstalledRules(dir);
    expect('missing' in before && before.missing).toMatch(/^no EN 16931 rules in /);
    const said: string[] = [];
    const rules = await installRules(`${base}/validation-1.3.16.zip`, dir, (line) => said.push(line));
    expect(rules.release).toBe('1.3.16');
    expect(said.filter((l) => l.endsWith('already compiled'))).toHaveLength(2);
    expect(readInstalledRules(dir)).toEqual({ rules });
  });

  it('refuses a stylesheet that is not the pinned one, naming it and both digests, and installs nothing', async () => {
    const release = join(work, 'tampered-release');
    cpSync(RULES_SOURCE_FOLDER, release, { recursive: true, filter: (src) => !src.includes('/test') });
    writeFileSync(join(release, CII), `${readFileSync(join(release, CII), 'utf8')}\n<!-- changed -->\n`);
    const dir = dirWithCompiledCache('tampered');
    await expect(installRules(release, dir)).rejects.toThrow(
      /^EN16931-CII-validation\.xslt from .* has SHA-256 [0-9a-f]{64}, not 0b234dea2bbfee739b7761e607a992c17fab88773014ef56355b6158cfb1cc53 \(release 1\.3\.16\): refused$/,
    );
    expect('missing' in readInstalledRules(dir)).toBe(true);
  });

  it('says what is wrong with a source that holds no rules', async () => {
    served.set('/other.zip', zipSync({ 'README.md': Buffer.from('nothing') }));
    const dir = join(work, 'none');
    await expect(installRules(`${base}/other.zip`, dir)).rejects.toBeInstanceOf(RulesInstallError);
    await expect(installRules(`${base}/other.zip`, dir)).rejects.toThrow(/holds no EN16931-UBL-validation\.xslt/);
    await expect(installRules(`${base}/missing.zip`, dir)).rejects.toThrow(/answered HTTP 404/);
    await expect(installRules(join(work, 'no-such-folder'), dir)).rejects.toThrow(
      /neither a folder nor an http\(s\) URL/,
    );
  });
});
