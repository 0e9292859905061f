// Development and tests run the TypeScript sources: the worker thread registers tsx before loading the worker.
// A build (dist/) loads rules-worker.js directly and never reads this file.
import { register } from 'tsx/esm/api';

register();
const { default: run } = await import('./rules-worker.ts');
export default run;
