import type { RequestHandler } from 'express';
import type { AppContext } from '../../context.js';

/** GET /healthz: the process answers. */
export const healthz: RequestHandler = (_req, res) => {
  res.json({ status: 'ok' });
};

const CHECK_TIMEOUT_MS = 2_000;

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error(`${what} did not answer within ${CHECK_TIMEOUT_MS} ms`)),
        CHECK_TIMEOUT_MS,
      ).unref(),
    ),
  ]);
}

/** GET /readyz: Redis and PostgreSQL answer; 503 otherwise, with which one failed. Details: the EN 16931 check. */
export function readyz(ctx: AppContext): RequestHandler {
  return async (_req, res) => {
    const check = async (what: string, probe: () => Promise<unknown>): Promise<[string, 'ok' | 'down']> => {
      try {
        await withTimeout(probe(), what);
        return [what, 'ok'];
      } catch {
        return [what, 'down'];
      }
    };
    const results = Object.fromEntries(
      await Promise.all([
        check('postgres', () => ctx.orm.em.fork().getConnection().execute('select 1')),
        // A read of a key of ours, not PING: on a Redis Cluster it reaches the primary holding the relay's slot.
        check('redis', () => ctx.redis.exists(`${ctx.config.queuePrefix}:readyz`)),
      ]),
    );
    const ready = Object.values(results).every((v) => v === 'ok');
    // Said, never a reason to be unready: without the rules, invoices are deposited unchecked.
    const rules = ctx.rulesChecker.status();
    const details = { en16931: rules.on ? `on: rules ${rules.release}` : `off: ${rules.reason}` };
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks: results, details });
  };
}
