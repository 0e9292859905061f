/**
 * Fault injection, per endpoint (an endpoint name such as `deposerFlux`, `oauthToken`, `healthCheck`, or `*`
 * for all), set at start-up and changed at run time through `PUT /simulator/faults`.
 */
import { z } from 'zod';

export const endpointFaultsSchema = z.strictObject({
  /** Added to every answer. */
  latencyMs: z.number().int().nonnegative().optional(),
  /** Share of requests that never get an answer (the client's timeout fires). */
  hangRatio: z.number().min(0).max(1).optional(),
  /** Share of requests answered 500. */
  error5xxRatio: z.number().min(0).max(1).optional(),
  /** Share of requests answered 503 (maintenance). */
  error503Ratio: z.number().min(0).max(1).optional(),
  /** Above this many requests in the current second, answer 429 with Retry-After. */
  rateLimitRps: z.number().int().positive().optional(),
  retryAfterSeconds: z.number().int().nonnegative().optional(),
  /** Deterministic faults for tests: the next `count` requests get `status` (or hang when status is 0). */
  failNext: z
    .array(
      z.strictObject({
        status: z.number().int(),
        count: z.number().int().positive(),
        retryAfterSeconds: z.number().int().optional(),
      }),
    )
    .optional(),
  /** The next `count` requests are processed, then answered 200 with a body that is not JSON (a gateway's page). */
  garbleAnswerNext: z.number().int().positive().optional(),
  /**
   * The next `count` requests are not processed and get this JSON body instead: a refusal (`codeRetour`, `libelle`,
   * with the status business errors use) or an answer the simulator never gives on its own (an empty list).
   */
  answerNext: z
    .array(z.strictObject({ count: z.number().int().positive(), body: z.record(z.string(), z.unknown()) }))
    .optional(),
});
export type EndpointFaults = z.infer<typeof endpointFaultsSchema>;

export const faultSettingsSchema = z.strictObject({
  endpoints: z.record(z.string(), endpointFaultsSchema).default({}),
  /** Lifetime of issued tokens; PISTE's is 3600 s. */
  tokenLifetimeSeconds: z.number().int().positive().default(3600),
  /** The next deposited flux stays in this state (an undocumented one such as IN_A_RELANCER, seen in the field). */
  nextFluxStuckIn: z
    .string()
    .regex(/^[A-Z_]+$/)
    .nullable()
    .default(null),
  /** Outcome forced on the next deposited flux (e.g. IN_INCIDENTE). */
  nextFluxState: z.enum(['IN_INTEGRE', 'IN_INTEGRE_PARTIEL', 'IN_REJETE', 'IN_INCIDENTE']).nullable().default(null),
});
export type FaultSettings = z.infer<typeof faultSettingsSchema>;

export type FaultDecision =
  { kind: 'none' } | { kind: 'hang' } | { kind: 'status'; status: number; retryAfterSeconds?: number };

export class Faults {
  settings: FaultSettings;
  readonly #perSecond = new Map<string, { second: number; count: number }>();

  constructor(initial: Partial<FaultSettings> = {}) {
    this.settings = faultSettingsSchema.parse(initial);
  }

  replace(settings: unknown): void {
    this.settings = faultSettingsSchema.parse(settings);
  }

  latencyFor(endpoint: string): number {
    return (this.settings.endpoints[endpoint]?.latencyMs ?? 0) + (this.settings.endpoints['*']?.latencyMs ?? 0);
  }

  /** Whether this request, once processed, gets an unreadable answer (consumes one). */
  garbleAnswer(endpoint: string): boolean {
    const f = this.settings.endpoints[endpoint];
    if (!f?.garbleAnswerNext) return false;
    f.garbleAnswerNext -= 1;
    if (f.garbleAnswerNext <= 0) delete f.garbleAnswerNext;
    return true;
  }

  /** The body to answer this request with instead of processing it, if one is queued (consumes one). */
  cannedAnswer(endpoint: string): Record<string, unknown> | null {
    const f = this.settings.endpoints[endpoint];
    const next = f?.answerNext?.[0];
    if (!next) return null;
    next.count -= 1;
    if (next.count <= 0) f.answerNext!.shift();
    return next.body;
  }

  /** What to do with this request, consuming deterministic faults first. */
  decide(endpoint: string, nowMs: number, random: () => number = Math.random): FaultDecision {
    for (const key of [endpoint, '*']) {
      const f = this.settings.endpoints[key];
      if (!f) continue;
      const next = f.failNext?.[0];
      if (next) {
        next.count -= 1;
        if (next.count <= 0) f.failNext!.shift();
        return next.status === 0
          ? { kind: 'hang' }
          : {
              kind: 'status',
              status: next.status,
              ...(next.retryAfterSeconds !== undefined ? { retryAfterSeconds: next.retryAfterSeconds } : {}),
            };
      }
      if (f.rateLimitRps !== undefined) {
        const second = Math.floor(nowMs / 1000);
        const bucket = this.#perSecond.get(key);
        const current = bucket && bucket.second === second ? bucket : { second, count: 0 };
        current.count += 1;
        this.#perSecond.set(key, current);
        if (current.count > f.rateLimitRps)
          return { kind: 'status', status: 429, retryAfterSeconds: f.retryAfterSeconds ?? 1 };
      }
      if (f.hangRatio && random() < f.hangRatio) return { kind: 'hang' };
      if (f.error503Ratio && random() < f.error503Ratio) return { kind: 'status', status: 503 };
      if (f.error5xxRatio && random() < f.error5xxRatio) return { kind: 'status', status: 500 };
    }
    return { kind: 'none' };
  }
}
