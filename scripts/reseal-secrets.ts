/**
 * `npm run secrets:reseal`: after adding a new key in front of SECRET_KEYS, seals every stored secret again under
 * it (and binds values of the first format to their row). Then the older keys can be removed from SECRET_KEYS.
 */
import { loadConfig } from '../src/config.js';
import { resealSecrets } from '../src/db/reseal-secrets.js';
import { initOrm } from '../src/db/orm.js';
import { createLogger } from '../src/logger.js';
import { SecretBox } from '../src/shared/secret-box.js';

const config = loadConfig();
const logger = createLogger(config.log);
const box = new SecretBox(config.secretKeys);
const orm = await initOrm({ url: config.database.url, ssl: config.database.ssl, logger });
try {
  const { checked, resealed } = await resealSecrets(orm.em.fork(), box);
  logger.info(`Secrets resealed under key ${box.currentKeyId}: ${resealed} of ${checked} stored secrets needed it`);
} finally {
  await orm.close(true);
}
