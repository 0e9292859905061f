/** The worker-thread side of rules-checker.ts: one task is one file. */
import { runRules } from './run-rules.js';

export default runRules;
