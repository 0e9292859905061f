/**
 * The floor the intake is measured against (`npm run bench`, stage a): the least a durable intake on this stack
 * can do. Express 5, `express.json`, one INSERT of the row with the file's bytes through `pg`, one BullMQ `add`,
 * 202. No validation, no idempotency, no file reading: what is left is the cost of the stack itself.
 * Environment: DATABASE_URL, REDIS_URL, QUEUE_PREFIX, PORT.
 */
import { Queue } from 'bullmq';
import express from 'express';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
await pool.query(
  'create table if not exists floor_invoice (id uuid primary key default gen_random_uuid(), number text not null, fields jsonb not null, file bytea not null, created_at timestamptz not null default now())',
);
const redis = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const queue = new Queue('floor', {
  connection: { host: redis.hostname, port: Number(redis.port || 6379) },
  prefix: `{${process.env.QUEUE_PREFIX ?? 'floor'}}`,
});

const app = express();
app.post('/v1/invoices', express.json({ limit: '15mb' }), async (req, res) => {
  const { file, ...fields } = req.body as { number: string; file: { contentBase64: string } };
  const { rows } = await pool.query<{ id: string }>(
    'insert into floor_invoice (number, fields, file) values ($1, $2, $3) returning id',
    [fields.number, JSON.stringify(fields), Buffer.from(file.contentBase64, 'base64')],
  );
  await queue.add('deposit', { invoiceId: rows[0]!.id }, { jobId: rows[0]!.id });
  res.status(202).json({ id: rows[0]!.id });
});
const server = app.listen(Number(process.env.PORT ?? 3999), () =>
  console.log(`Floor intake listening on ${process.env.PORT ?? 3999}`),
);
process.once('SIGTERM', () => {
  server.close();
  void Promise.all([pool.end(), queue.close()]).then(() => process.exit(0));
});
