#!/usr/bin/env node
/**
 * The command line for people who are not integrators (the package's `bin`):
 *   chorus-relay submit FILES|ZIP [--manifest m.csv] [--wait 300] [--idempotency-key K] [--json]
 *   chorus-relay status ID [--json]
 *   chorus-relay list --needs-action [--json]
 *   chorus-relay retry ID [--json]
 *   chorus-relay validations [--json]
 *   chorus-relay approve ID [--comment TEXT] [--json]
 *   chorus-relay refuse ID --reason TEXT [--json]
 *   chorus-relay validate FILE... [--json]
 * It talks to the API at CHORUS_RELAY_URL with CHORUS_RELAY_API_KEY. Exit status: 0 all went through, 1 an entry
 * (or the invoice) was refused or needs action, 2 the command could not run (usage, connection, API error).
 * `validate` runs here, with the EN 16931 rules in RULES_DIR: 0 every file valid, 1 one invalid, 2 one not checked.
 */
import { parseArgs } from 'node:util';
import { describeInvoice, invoiceTable, needingAction, retry, status } from './cli/invoices.js';
import { connectionFromEnv, RelayError } from './cli/relay-api.js';
import { submit, summarise, summaryTable } from './cli/submit.js';
import { exitCodeOf, validateFiles, verdictText } from './cli/validate.js';
import { decide, pendingValidations, validationTable } from './cli/validations.js';

const USAGE = `Usage:
  chorus-relay submit FILES|ZIP [--manifest m.csv] [--wait SECONDS] [--idempotency-key KEY] [--json]
  chorus-relay status ID [--json]
  chorus-relay list --needs-action [--json]
  chorus-relay retry ID [--json]
  chorus-relay validations [--json]              your subcontractors' invoices waiting for your decision
  chorus-relay approve ID [--comment TEXT] [--json]
  chorus-relay refuse ID --reason TEXT [--json]
  chorus-relay validate FILE... [--json]         each file against the EN 16931 rules, here (RULES_DIR)
Environment: CHORUS_RELAY_URL (default http://localhost:3000), CHORUS_RELAY_API_KEY; RULES_DIR for validate.`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      manifest: { type: 'string' },
      wait: { type: 'string', default: '300' },
      'idempotency-key': { type: 'string' },
      'needs-action': { type: 'boolean', default: false },
      comment: { type: 'string' },
      reason: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...args] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  // Every command but validate talks to the relay.
  const relay = () => connectionFromEnv(process.env);
  const print = (json: unknown, text: string) =>
    process.stdout.write(`${values.json ? JSON.stringify(json, null, 2) : text}\n`);
  switch (command) {
    case 'submit': {
      if (args.length === 0) throw new RelayError('submit needs the files (or one ZIP) to send.', null);
      const wait = Number(values.wait);
      if (!Number.isFinite(wait) || wait < 0) throw new RelayError('--wait takes a number of seconds.', null);
      const batch = await submit(relay(), {
        files: args,
        manifest: values.manifest,
        waitSeconds: wait,
        idempotencyKey: values['idempotency-key'],
        out: process.stderr,
        interactive: !values.json && process.stderr.isTTY === true,
      });
      const summary = summarise(batch);
      print({ summary, batch }, summaryTable(summary));
      return summary.refused.length > 0 ? 1 : 0;
    }
    case 'status': {
      if (args.length !== 1) throw new RelayError('status needs one invoice id.', null);
      const invoice = await status(relay(), args[0]!);
      print(invoice, describeInvoice(invoice));
      return invoice.actionRequired ? 1 : 0;
    }
    case 'list': {
      if (!values['needs-action'])
        throw new RelayError('list takes --needs-action (the invoices someone must act on).', null);
      const invoices = await needingAction(relay());
      print(invoices, invoiceTable(invoices));
      return 0;
    }
    case 'retry': {
      if (args.length !== 1) throw new RelayError('retry needs one invoice id.', null);
      const invoice = await retry(relay(), args[0]!);
      print(invoice, `Invoice ${invoice.number} is back in the deposit queue (${invoice.state}).`);
      return 0;
    }
    case 'validations': {
      const pending = await pendingValidations(relay());
      print(pending, validationTable(pending));
      return 0;
    }
    case 'approve':
    case 'refuse': {
      if (args.length !== 1)
        throw new RelayError(`${command} needs one validation id (see chorus-relay validations).`, null);
      if (command === 'refuse' && !values.reason)
        throw new RelayError('refuse needs --reason: the subcontractor is shown why.', null);
      const answer = await decide(
        relay(),
        args[0]!,
        command === 'approve'
          ? { action: 'approve', comment: values.comment }
          : { action: 'refuse', reason: values.reason! },
      );
      print(
        answer,
        `The ${command === 'approve' ? 'approval' : 'refusal'} is on its way to Chorus Pro (${answer.decision.state ?? 'queued'}); see chorus-relay validations.`,
      );
      return 0;
    }
    case 'validate': {
      if (args.length === 0) throw new RelayError('validate needs the invoice files to check.', null);
      const verdicts = await validateFiles(args, process.env);
      print(verdicts, verdictText(verdicts));
      return exitCodeOf(verdicts);
    }
    default:
      throw new RelayError(`Unknown command "${command}".\n${USAGE}`, null);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`chorus-relay: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
