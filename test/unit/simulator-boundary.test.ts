/**
 * The lint rule that keeps the simulator able to disagree with the client: it may import the contract and
 * itself, nothing else of ours; the contract imports nothing of ours; service code never imports the simulator.
 */
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const RULE = 'boundaries/simulator-shares-only-the-contract';
let eslint: ESLint;
beforeAll(() => {
  // Without type information: with CI=true, typescript-eslint builds its program once from the files on disk
  // and would lint world.ts as written, not the snippet given here. The boundary rule needs no types.
  eslint = new ESLint({ cwd: process.cwd(), overrideConfig: tseslint.configs.disableTypeChecked });
});

/** The boundary messages for `code`, linted as if it were the file at `filePath`. */
async function boundaryMessages(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  expect(result!.messages.filter((m) => m.fatal === true || m.ruleId === null)).toEqual([]);
  return result!.messages.filter((m) => m.ruleId === RULE).map((m) => m.message);
}

describe('the simulator boundary', () => {
  it('refuses client or intake code in the simulator', async () => {
    expect(
      await boundaryMessages(
        'src/simulator/world.ts',
        "import { parseChorusDate } from '../chorus/dates.js';\nexport const d = parseChorusDate('2026-01-01');\n",
      ),
    ).toEqual([expect.stringContaining('src/chorus/dates.js is client or intake code') as unknown]);
    expect(
      await boundaryMessages(
        'src/simulator/api/factures.ts',
        "export { readEInvoice } from '../../invoices/einvoice/read-invoice.js';\n",
      ),
    ).toHaveLength(1);
    expect(
      await boundaryMessages(
        'src/simulator/files/pdf.ts',
        "export const m = await import('../../chorus/client.js');\n",
      ),
    ).toHaveLength(1);
  });

  it('lets the simulator import the contract and its own modules', async () => {
    expect(
      await boundaryMessages(
        'src/simulator/api/factures.ts',
        "export { ENDPOINTS } from '../../chorus/contract/endpoints.js';\nexport { ChorusWorld } from '../world.js';\n",
      ),
    ).toEqual([]);
  });

  it('keeps the contract free of client code, and service code free of the simulator', async () => {
    expect(
      await boundaryMessages('src/chorus/contract/factures.ts', "export { chorusDay } from '../dates.js';\n"),
    ).toEqual([expect.stringContaining('outside src/chorus/contract') as unknown]);
    expect(
      await boundaryMessages('workers/worker.ts', "export { startSimulator } from '../src/simulator/server.js';\n"),
    ).toEqual([expect.stringContaining('must not depend on the simulator') as unknown]);
    expect(
      await boundaryMessages('scripts/start.ts', "export { startSimulator } from '../src/simulator/server.js';\n"),
    ).toEqual([]);
  });

  it('keeps the intake’s XML and ZIP libraries out of the simulator', async () => {
    const [result] = await eslint.lintText(
      "import { SaxesParser } from 'saxes';\nexport const p = new SaxesParser();\n",
      { filePath: 'src/simulator/files/invoice-xml.ts' },
    );
    expect(result!.messages.map((m) => m.ruleId)).toContain('no-restricted-imports');
  });
});
