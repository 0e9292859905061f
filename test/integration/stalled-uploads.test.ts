/**
 * Uploads that declare a large body and stall one byte short: a web process holds at most UPLOAD_BUFFER_MB of them,
 * refuses the others at once (503) before reading them, and gives the memory back when their requests time out.
 * Before, ten stalled uploads of 150 MB grew a web process by 1.5 GB. A real web process; its memory read in /proc.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rssMb } from '../../scripts/lib/responsiveness.js';
import { API_KEY, createHarness, simulatorEnv, type Harness } from '../helpers/harness.js';
import { invoiceBody, jsonInit, supplierBody } from '../helpers/invoices.js';
import { freePort } from '../helpers/ports.js';
import { startProcess, type RunningProcess } from '../helpers/processes.js';

const UPLOAD_MB = 40;
const BUDGET_MB = 100;

let h: Harness;
let web: RunningProcess;
let port = 0;
beforeAll(async () => {
  h = await createHarness({ http: false, env: simulatorEnv({ url: 'http://127.0.0.1:9' }) });
  port = await freePort();
  web = startProcess('src/web.ts', {
    ...h.env,
    PORT: String(port),
    UPLOAD_BUFFER_MB: String(BUDGET_MB),
    REQUEST_TIMEOUT_SECONDS: '8',
  });
  await web.waitFor(/Intake API listening/);
}, 60_000);
afterAll(async () => {
  web.child.kill('SIGKILL');
  await web.exited();
  await h.close();
});

interface Stalled {
  socket: Socket;
  /** The server's answer, once it came (the status line). */
  answer(): string;
  closed(): boolean;
}

/** A batch upload that declares UPLOAD_MB and sends all of it but the last byte, then waits. */
function stalledUpload(): Promise<Stalled> {
  return new Promise((resolve) => {
    let answer = '';
    let closed = false;
    const size = UPLOAD_MB * 1024 * 1024;
    // Settled when all but the last byte is sent, or when the server answered or closed first.
    const done = () => resolve({ socket, answer: () => answer, closed: () => closed });
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        `POST /v1/batches HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${API_KEY}\r\nContent-Type: application/zip\r\nContent-Length: ${size}\r\n\r\n`,
      );
      const chunk = Buffer.alloc(1024 * 1024);
      let sent = 0;
      const pump = (): void => {
        while (sent < size - 1 && answer === '' && !closed) {
          const part = Math.min(chunk.length, size - 1 - sent);
          sent += part;
          if (!socket.write(chunk.subarray(0, part))) {
            socket.once('drain', pump);
            return;
          }
        }
        done();
      };
      pump();
    });
    socket.on('data', (data: Buffer) => {
      answer ||= data.toString('latin1').split('\r\n')[0]!;
      done();
    });
    socket.on('close', () => {
      closed = true;
      done();
    });
    socket.on('error', () => undefined);
  });
}

describe('uploads that stall one byte short', () => {
  it(`hold at most UPLOAD_BUFFER_MB (${BUDGET_MB} MB) of memory, the others refused at once, and are released at the request timeout`, async () => {
    const post = (path: string, body: unknown) =>
      fetch(`http://127.0.0.1:${port}${path}`, {
        ...jsonInit(body),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
      });
    expect((await post('/v1/suppliers', supplierBody())).status).toBe(201);
    const idle = rssMb(web.child.pid!);
    const uploads = await Promise.all(Array.from({ length: 10 }, stalledUpload));
    const busy = 'HTTP/1.1 503 Service Unavailable';
    await expect
      .poll(() => uploads.filter((u) => u.answer() === busy).length, { timeout: 30_000 })
      .toBe(10 - Math.floor(BUDGET_MB / UPLOAD_MB));
    // The held ones got no answer but the request timeout's (408), if it already came on a slow machine.
    const held = uploads.filter((u) => u.answer() !== busy);
    expect(held.map((u) => u.answer()).filter((a) => a !== '' && !a.startsWith('HTTP/1.1 408'))).toEqual([]);
    const heldRss = rssMb(web.child.pid!);
    console.log(
      `stalled uploads, 10 × ${UPLOAD_MB} MB, budget ${BUDGET_MB} MB: ${JSON.stringify({ idleRssMb: Math.round(idle), heldRssMb: Math.round(heldRss) })}`,
    );
    // Loose: the budget and what reading it costs; without it, 10 × 40 MB = 400 MB more.
    expect(heldRss - idle).toBeLessThan(BUDGET_MB * 2);

    // The request timeout cuts the stalled ones off, and what they held is given back: a new upload is taken.
    await expect.poll(() => uploads.every((u) => u.closed()), { timeout: 20_000 }).toBe(true);
    const batch = await post('/v1/batches', { invoices: [await invoiceBody()] });
    expect(batch.status).toBe(202);
  });
});
