/**
 * `npm run simulator`: the Chorus Pro simulator on its own, for demos and manual tests.
 * Port: SIMULATOR_PORT (default 3100). World: the scenario in SIMULATOR_SCENARIO (default scenarios/demo.json),
 * or the scenario file given as argument. State kept in SIMULATOR_STATE_FILE (default .simulator-state.json).
 */
import { loadSimulatorConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { faultSettingsSchema } from '../src/simulator/faults.js';
import { loadScenario } from '../src/simulator/scenario.js';
import { startSimulator } from '../src/simulator/server.js';

const config = loadSimulatorConfig();
const logger = createLogger(config.log);
const scenarioPath = process.argv[2] ?? config.scenario;
const scenario = scenarioPath ? loadScenario(scenarioPath) : undefined;
const simulator = await startSimulator({
  port: config.port,
  host: config.host,
  ...(scenario ? { scenario } : {}),
  ...(config.stateFile ? { stateFile: config.stateFile } : {}),
  timing: config.timing,
  ...(config.faults ? { faults: faultSettingsSchema.parse(config.faults) } : {}),
});
logger.info(
  `Chorus Pro simulator listening at ${simulator.url} (PISTE token: ${simulator.url}/api/oauth/token, admin: ${simulator.url}/simulator/counts)`,
  {
    scenario: scenarioPath ?? 'none (the base seed)',
    scenarioDescription: scenario?.description,
    stateFile: config.stateFile,
    restoredInvoices: simulator.restoredInvoices,
  },
);
const stop = () => void simulator.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
