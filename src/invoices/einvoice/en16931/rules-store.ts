/**
 * Where the EN 16931 rules live on this machine (RULES_DIR), how they get there, and how they are read back.
 *
 * Installing takes the two stylesheets from a release folder or a release archive (a URL to a ZIP), checks each
 * against its pinned SHA-256, copies them, and compiles each once to SaxonJS's SEF form with `xslt3` (12 to 15 s
 * each here), caching the result under the stylesheet's SHA-256: installing the same release again compiles nothing.
 * `installed.json` is written last, so a folder with one is complete.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join, resolve } from 'node:path';
import { unzipSync } from 'fflate';
import { z } from 'zod';
import { PINNED_STYLESHEETS, RULES_RELEASE, type RuleSyntax } from './release.js';
import { systemClock } from '../../../shared/clock.js';

const SYNTAXES: readonly RuleSyntax[] = ['UBL', 'CII'];
const MANIFEST = 'installed.json';
/** A release archive is a few MB; anything far larger is not one. */
const MAX_ARCHIVE_BYTES = 200 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 60_000;

export class RulesInstallError extends Error {}

export interface InstalledRules {
  release: string;
  /** The compiled stylesheet (SEF, JSON) of each syntax, as absolute paths. */
  compiled: Readonly<Record<RuleSyntax, string>>;
}

const manifestSchema = z.object({
  release: z.string(),
  stylesheets: z.object({
    UBL: z.object({ sha256: z.string(), sef: z.string() }),
    CII: z.object({ sha256: z.string(), sef: z.string() }),
  }),
  installedAt: z.string(),
});

export type RulesLookup = { rules: InstalledRules } | { missing: string };

/** The rules installed in `rulesDir`, or why there are none to use. */
export function readInstalledRules(rulesDir: string): RulesLookup {
  const file = join(rulesDir, MANIFEST);
  if (!existsSync(file)) return { missing: `no EN 16931 rules in ${resolve(rulesDir)} (RULES_DIR)` };
  let parsed: z.infer<typeof manifestSchema>;
  try {
    parsed = manifestSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return { missing: `${file} is unreadable: install the rules again` };
  }
  if (parsed.release !== RULES_RELEASE)
    return { missing: `the rules in ${resolve(rulesDir)} are release ${parsed.release}, not ${RULES_RELEASE}` };
  const compiled = {} as Record<RuleSyntax, string>;
  for (const syntax of SYNTAXES) {
    const entry = parsed.stylesheets[syntax];
    if (entry.sha256 !== PINNED_STYLESHEETS[syntax].sha256)
      return { missing: `the ${syntax} rules in ${resolve(rulesDir)} are not the pinned ones` };
    const sef = resolve(rulesDir, entry.sef);
    if (!existsSync(sef)) return { missing: `${sef} is missing: install the rules again` };
    compiled[syntax] = sef;
  }
  return { rules: { release: parsed.release, compiled } };
}

/** The modification time of the manifest, to notice an installation made while a process runs. */
export function rulesVersionStamp(rulesDir: string): number {
  try {
    return statSync(join(rulesDir, MANIFEST)).mtimeMs;
  } catch {
    return 0;
  }
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A file named `name` under `folder`, the release layout first, then anywhere a few levels down. */
function findInFolder(folder: string, name: string, releasePath: string): string | null {
  const direct = join(folder, releasePath);
  if (existsSync(direct)) return direct;
  const walk = (dir: string, depth: number): string | null => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isFile() && entry.name === name) return path;
      if (entry.isDirectory() && depth > 0) {
        const found = walk(path, depth - 1);
        if (found) return found;
      }
    }
    return null;
  };
  return walk(folder, 4);
}

async function fetchArchive(url: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'follow' });
  } catch (error) {
    throw new RulesInstallError(`Could not fetch ${url}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!response.ok) throw new RulesInstallError(`${url} answered HTTP ${response.status}`);
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > MAX_ARCHIVE_BYTES) throw new RulesInstallError(`${url} is ${declared} bytes: not a release archive`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length > MAX_ARCHIVE_BYTES) throw new RulesInstallError(`${url} is too large to be a release archive`);
  return bytes;
}

/** The two stylesheets' bytes from a folder or an archive URL. */
async function stylesheetsFrom(source: string): Promise<Record<RuleSyntax, Uint8Array>> {
  const found = {} as Record<RuleSyntax, Uint8Array>;
  if (/^https?:\/\//i.test(source)) {
    const archive = await fetchArchive(source);
    let entries: Record<string, Uint8Array>;
    try {
      const names = new Set(SYNTAXES.map((s) => PINNED_STYLESHEETS[s].fileName));
      entries = unzipSync(archive, {
        filter: (file) => names.has(basename(file.name)) && file.originalSize < 20 * 1024 * 1024,
      });
    } catch (error) {
      throw new RulesInstallError(
        `${source} is not a readable ZIP archive: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    for (const syntax of SYNTAXES) {
      const name = Object.keys(entries).find((n) => basename(n) === PINNED_STYLESHEETS[syntax].fileName);
      if (!name) throw new RulesInstallError(`${source} holds no ${PINNED_STYLESHEETS[syntax].fileName}`);
      found[syntax] = entries[name]!;
    }
    return found;
  }
  if (!existsSync(source) || !statSync(source).isDirectory())
    throw new RulesInstallError(`${source} is neither a folder nor an http(s) URL`);
  for (const syntax of SYNTAXES) {
    const { fileName, releasePath } = PINNED_STYLESHEETS[syntax];
    const path = findInFolder(source, fileName, releasePath);
    if (!path) throw new RulesInstallError(`${source} holds no ${fileName} (expected at ${releasePath})`);
    found[syntax] = readFileSync(path);
  }
  return found;
}

/** Compiles one stylesheet to SEF with xslt3, in a child process (it takes seconds of CPU). */
async function compile(stylesheet: string, sef: string): Promise<void> {
  const xslt3 = createRequire(import.meta.url).resolve('xslt3/xslt3.js');
  const partial = `${sef}.partial`;
  await new Promise<void>((done, fail) => {
    const child = spawn(
      process.execPath,
      [xslt3, `-xsl:${stylesheet}`, `-export:${partial}`, '-nogo', '-relocate:on'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')));
    child.on('error', fail);
    child.on('exit', (code) =>
      code === 0 ? done() : fail(new RulesInstallError(`xslt3 could not compile ${stylesheet}: ${errors.trim()}`)),
    );
  });
  renameSync(partial, sef);
}

/**
 * Checks, copies and compiles the pinned release's stylesheets from `source` (a folder or a ZIP's URL) into
 * `rulesDir`. Refuses stylesheets that are not the pinned ones, naming the file and both digests.
 */
export async function installRules(
  source: string,
  rulesDir: string,
  say: (line: string) => void = () => undefined,
): Promise<InstalledRules> {
  const stylesheets = await stylesheetsFrom(source);
  const stylesheetDir = join(rulesDir, RULES_RELEASE);
  const sefDir = join(rulesDir, 'sef');
  mkdirSync(stylesheetDir, { recursive: true });
  mkdirSync(sefDir, { recursive: true });
  const entries = {} as Record<RuleSyntax, { sha256: string; sef: string }>;
  for (const syntax of SYNTAXES) {
    const pin = PINNED_STYLESHEETS[syntax];
    const digest = sha256(stylesheets[syntax]);
    if (digest !== pin.sha256)
      throw new RulesInstallError(
        `${pin.fileName} from ${source} has SHA-256 ${digest}, not ${pin.sha256} (release ${RULES_RELEASE}): refused`,
      );
    const copy = join(stylesheetDir, pin.fileName);
    writeFileSync(copy, stylesheets[syntax]);
    const sef = join(sefDir, `${digest}.sef.json`);
    if (existsSync(sef)) say(`${syntax}: ${pin.fileName} checked (SHA-256 ${digest.slice(0, 12)}…), already compiled`);
    else {
      const started = performance.now();
      say(`${syntax}: ${pin.fileName} checked (SHA-256 ${digest.slice(0, 12)}…), compiling to SEF…`);
      await compile(copy, sef);
      say(`${syntax}: compiled in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    entries[syntax] = { sha256: digest, sef: join('sef', basename(sef)) };
  }
  const licence = /^https?:/i.test(source) ? null : findInFolder(source, 'LICENSE.txt', 'LICENSE.txt');
  if (licence) writeFileSync(join(stylesheetDir, 'LICENSE.txt'), readFileSync(licence));
  const manifest = join(rulesDir, MANIFEST);
  writeFileSync(
    `${manifest}.partial`,
    JSON.stringify(
      { release: RULES_RELEASE, stylesheets: entries, installedAt: systemClock.now().toISOString() },
      null,
      2,
    ),
  );
  renameSync(`${manifest}.partial`, manifest);
  const lookup = readInstalledRules(rulesDir);
  if ('missing' in lookup) throw new RulesInstallError(lookup.missing);
  return lookup.rules;
}
