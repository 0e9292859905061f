/**
 * `npm run simulator`: the Chorus Pro simulator on its own, for demos and manual tests.
 * Port: SIMULATOR_PORT (default 3100). Seed: src/simulator/fixtures/structures.json, or the file given as argument.
 */
import { loadSimulatorConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { faultSettingsSchema } from '../src/simulator/faults.js';
import { loadSeed } from '../src/simulator/model.js';
import { startSimulator } from '../src/simulator/server.js';

const config = loadSimulatorConfig();
const logger = createLogger(config.log);
const simulator = await startSimulator({
  port: config.port,
  host: config.host,
  seed: loadSeed(process.argv[2] ?? undefined),
  timing: config.timing,
  faults: faultSettingsSchema.parse(config.faults ?? {}),
});
logger.info(`Chorus Pro simulator listening at ${simulator.url} (PISTE token: ${simulator.url}/api/oauth/token, admin: ${simulator.url}/simulator/counts)`);
const stop = () => void simulator.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
