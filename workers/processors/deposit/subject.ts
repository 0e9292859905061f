/** What a deposit job works on: the invoice, its last attempt (an earlier run's), and this run's attempt. */
import type { DepositAttempt } from '../../../src/db/entities/deposit-attempt.js';
import type { Invoice } from '../../../src/db/entities/invoice.js';
import type { JobPayloads } from '../../../src/queues/jobs.js';
import type { ChorusJobRun } from '../../chorus-job.js';

export interface DepositSubject {
  invoice: Invoice;
  /** The latest attempt when the job started, if any. */
  last: DepositAttempt | null;
  /** The attempt of this run, once prepared. */
  attempt: DepositAttempt | null;
}

export type DepositRun = ChorusJobRun<DepositSubject, JobPayloads['deposit']>;

export interface DepositResult {
  outcome: 'deposited' | 'reconciled' | 'precheck-failed' | 'refused' | 'needs-attention' | 'nothing-to-do';
  detail?: string;
}
