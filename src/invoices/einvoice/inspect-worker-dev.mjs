// Development and tests run the TypeScript sources: the worker thread registers tsx before loading the worker.
// A build (dist/) loads inspect-worker.js directly and never reads this file.
import { register } from 'tsx/esm/api';

register();
const { default: inspect } = await import('./inspect-worker.ts');
export default inspect;
