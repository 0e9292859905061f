/** Where the tests find the official EN 16931 artefacts, and where they install the rules from them. */
import { resolve } from 'node:path';
import { ROOT } from './processes.js';

/** The official artefacts (release 1.3.16) in the workplace's shared reference folder, beside the repository. */
export const RULES_SOURCE_FOLDER = resolve(ROOT, '../shared/reference/en16931');
export const TEST_RULES_DIR = process.env.TEST_RULES_DIR ?? resolve(ROOT, '.rules');
