/**
 * The command line (scripts/chorus-relay.ts, the package's bin) against a running relay, worker and simulator:
 * `submit` on a ZIP through its --json output and once in a pseudo-terminal (util-linux `script`), where it draws
 * its progress bar; `status`, `list --needs-action` and `retry` with their exit statuses; a main contractor's
 * `validations`, `approve` and `refuse`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSampleInvoice } from '../../scripts/lib/sample-invoices.js';
import { startWorker, type RunningWorker } from '../../workers/worker.js';
import { API_KEY } from '../helpers/harness.js';
import { registerMainContractor, subcontractorInvoice } from '../helpers/btp.js';
import { invoiceNumber, jsonInit, RECIPIENT_SIRET, sampleOf, SUPPLIER_SIRET } from '../helpers/invoices.js';
import { createPipelineHarness, type PipelineHarness } from '../helpers/pipeline.js';
import { ROOT } from '../helpers/processes.js';

let p: PipelineHarness;
let worker: RunningWorker;
let dir: string;
beforeAll(async () => {
  p = await createPipelineHarness();
  worker = startWorker(p.h.ctx);
  dir = mkdtempSync(join(tmpdir(), 'chorus-relay-cli-'));
});
afterAll(async () => {
  await worker.stop();
  await p.close();
});

const CLI = [process.execPath, '--import', import.meta.resolve('tsx'), resolve(ROOT, 'scripts/chorus-relay.ts')];
const cliEnv = () => ({
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '',
  TSX_TSCONFIG_PATH: resolve(ROOT, 'tsconfig.json'),
  CHORUS_RELAY_URL: p.h.baseUrl,
  CHORUS_RELAY_API_KEY: API_KEY,
});

function run(command: string[], args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      command[0]!,
      [...command.slice(1), ...args],
      { env: cliEnv(), cwd: dir, timeout: 120_000, maxBuffer: 10 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}
const cli = (...args: string[]) => run(CLI, args);

/**
 * A ZIP of UBL invoices and its manifest (semicolons, as a French spreadsheet writes it); `bad` rows get a wrong
 * recipient SIRET.
 */
async function batchZip(name: string, count: number, bad: number[] = []): Promise<{ path: string; numbers: string[] }> {
  const files: Record<string, Uint8Array> = {};
  const rows = [
    'file;supplierSiret;recipientSiret;serviceCode;engagementNumber;number;issueDate;type;amountWithoutVat;vatAmount;amountWithVat;syntaxeFlux',
  ];
  const numbers: string[] = [];
  for (let i = 0; i < count; i++) {
    const number = invoiceNumber();
    numbers.push(number);
    files[`${number}.xml`] = await generateSampleInvoice(sampleOf(number), 'UBL');
    const recipient = bad.includes(i) ? '11000201100045' : RECIPIENT_SIRET;
    rows.push(
      `${number}.xml;${SUPPLIER_SIRET};${recipient};SERVICE-BTP;BDC-2026-77;${number};2026-11-20;FACTURE;1000.00;200.00;1200.00;IN_DP_E1_UBL_INVOICE`,
    );
  }
  const path = join(dir, name);
  writeFileSync(path, zipSync({ ...files, 'manifest.csv': new TextEncoder().encode(rows.join('\n')) }));
  return { path, numbers };
}

interface SubmitJson {
  summary: {
    batchId: string;
    deposited: number;
    refused: Array<{ file: string; manifestRow: number; reason: string }>;
    stillRunning: number;
  };
  batch: { entries: Array<{ invoiceId: string | null; state: string | null }> };
}

describe('chorus-relay submit', () => {
  it('sends a ZIP, follows it to the end, and says what was deposited and what was refused (--json); exit 1 for a refusal', async () => {
    const { path, numbers } = await batchZip('novembre.zip', 4, [2]);
    const { code, stdout, stderr } = await cli('submit', path, '--json');
    expect(code, stderr).toBe(1);
    const out = JSON.parse(stdout) as SubmitJson;
    expect(out.summary).toMatchObject({ deposited: 3, stillRunning: 0 });
    expect(out.summary.refused).toEqual([
      {
        file: `${numbers[2]}.xml`,
        manifestRow: 4,
        number: null,
        reason: expect.stringContaining('recipientSiret') as string,
      },
    ]);
    for (const n of [0, 1, 3]) expect(p.simulator.world.depositsByInvoiceNumber.get(numbers[n]!)).toBe(1);

    // The invoices it made, one by one.
    const deposited = out.batch.entries.find((e) => e.invoiceId)!.invoiceId!;
    const shown = await cli('status', deposited, '--json');
    expect([shown.code, (JSON.parse(shown.stdout) as { state: string }).state]).toEqual([0, 'integrated']);
    const listed = await cli('list', '--needs-action', '--json');
    expect(listed.code).toBe(0);
    expect(Array.isArray(JSON.parse(listed.stdout))).toBe(true);
    // An integrated invoice is not to be retried: the API says why, the command exits 2 with it.
    const retried = await cli('retry', deposited);
    expect(retried.code).toBe(2);
    expect(retried.stderr).toContain('INVOICE_NOT_RETRYABLE');
  }, 120_000);

  it('draws a progress bar and ends with the summary table in a terminal; exit 0 when all went through', async () => {
    const { path } = await batchZip('decembre.zip', 2);
    // util-linux `script` runs the command in a pseudo-terminal: what a person at a terminal sees.
    const command = CLI.map((part) => `'${part}'`).join(' ');
    const { code, stdout } = await run(['script', '-qfec', `${command} submit '${path}'`, '/dev/null'], []);
    expect(code).toBe(0);
    expect(stdout).toMatch(/[█░]+ \d\/2 entries settled/);
    expect(stdout).toContain('2 deposited, 0 refused');
    expect(stdout).toMatch(/deposited\s+2/);
    expect(stdout).toMatch(/refused\s+0/);
  }, 120_000);

  it('refuses to run without an API key, saying which variable to set (exit 2)', async () => {
    const { code, stderr } = await run(['env', '-u', 'CHORUS_RELAY_API_KEY', ...CLI], ['list', '--needs-action']);
    expect(code).toBe(2);
    expect(stderr).toContain('CHORUS_RELAY_API_KEY is not set');
  });
});

describe('chorus-relay validations, approve and refuse', () => {
  it('lists the subcontractor invoices waiting for the main contractor, and sends its decision', async () => {
    await registerMainContractor(p);
    const number = invoiceNumber();
    const res = await p.h.api('/v1/invoices', jsonInit(subcontractorInvoice(number)));
    expect(res.status).toBe(202);
    const pending = async () =>
      (
        (await (await p.h.api('/v1/validations?pending=true')).json()) as {
          data: Array<{ id: string; invoice: { number: string } }>;
        }
      ).data;
    await expect
      .poll(async () => (await pending()).map((v) => v.invoice.number), { timeout: 30_000 })
      .toEqual([number]);
    const id = (await pending())[0]!.id;

    const listed = await cli('validations');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^NUMBER\s+SUPPLIER\s+AMOUNT\s+DEADLINE\s+DECISION\s+ID$/m);
    expect(listed.stdout).toMatch(
      new RegExp(`^${number}\\s+BTP MARTIN SARL\\s+1200\\.00\\s+\\d{4}-\\d{2}-\\d{2} \\(1[45] d\\)\\s+${id}$`, 'm'),
    );
    // A refusal without its reason is not sent: the subcontractor must be told why.
    const noReason = await cli('refuse', id);
    expect([noReason.code, noReason.stderr]).toEqual([2, expect.stringContaining('--reason')]);
    const approved = await cli('approve', id, '--json');
    expect(approved.code).toBe(0);
    expect(JSON.parse(approved.stdout)).toMatchObject({ id, decision: { action: 'approve', state: 'queued' } });
    await expect.poll(async () => (await pending()).length, { timeout: 30_000 }).toBe(0);
    expect((await cli('validations')).stdout.trim()).toBe('No invoice waits for your decision.');
  }, 120_000);
});
