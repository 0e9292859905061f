/** The producer side of every queue: what the web process adds jobs to and Bull Board shows. */
import { Queue } from 'bullmq';
import type { RedisClient } from './redis.js';
import type { PipelineConfig } from '../config.js';
import { defaultJobOptions, QUEUE_NAMES, type JobPayloads, type QueueName } from './jobs.js';

export type TypedQueue<N extends QueueName> = Queue<JobPayloads[N], unknown, string>;
export type Queues = { readonly [N in QueueName]: TypedQueue<N> };

/** The queues share the caller's connection; the caller closes it after `closeQueues`. */
export function createQueues(
  connection: RedisClient,
  prefix: string,
  pipeline: Pick<PipelineConfig, 'depositBackoffMs' | 'deliveryBackoffMs'>,
): Queues {
  const options = defaultJobOptions(pipeline);
  const make = <N extends QueueName>(name: N): TypedQueue<N> =>
    new Queue<JobPayloads[N], unknown, string>(name, { connection, prefix, defaultJobOptions: options[name] });
  return {
    deposit: make('deposit'),
    'deposit-report': make('deposit-report'),
    'status-sync': make('status-sync'),
    'follow-ups': make('follow-ups'),
    validations: make('validations'),
    alerts: make('alerts'),
    deliveries: make('deliveries'),
    checks: make('checks'),
  };
}

export async function closeQueues(queues: Queues): Promise<void> {
  await Promise.all(QUEUE_NAMES.map((name) => queues[name].close()));
}
