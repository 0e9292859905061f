/**
 * How many connections a web process holds, and for how long. Each open connection costs a file descriptor; a
 * process that runs out of them can accept nothing (health checks included) and fails wherever it opens a file or
 * a socket. So: a cap below the descriptor limit (MAX_CONNECTIONS, else sized from that limit at start), and past
 * it, a connection is closed for the newcomer: the longest-open one that has not sent a whole request yet (a client
 * that trickles its headers), else the longest-open idle keep-alive one; only when every connection has a request
 * under way is the newcomer refused. Slow clients are shed by the header and request timeouts as well.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { HttpConfig } from '../config.js';

/** Descriptors kept for the rest of the process: database pool, Redis, worker threads, files, logs. */
const RESERVED_DESCRIPTORS = 128;
/** How often Node checks the header and request timeouts (its default, 30 s, would let slow clients linger). */
export const TIMEOUT_CHECK_MS = 1_000;

/** The process's soft limit of open files, from /proc (Linux); null where it cannot be read. */
export function descriptorLimit(): number | null {
  try {
    const line = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (!line) return null;
    return line[1] === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(line[1]);
  } catch {
    return null;
  }
}

export interface ConnectionBudget {
  maxConnections: number;
  descriptorLimit: number | null;
  /** Why the operator should look (a cap set above what the process can hold); null when sound. */
  warning: string | null;
}

/** The cap: MAX_CONNECTIONS, or what the descriptor limit leaves once the rest of the process has its share. */
export function connectionBudget(
  http: Pick<HttpConfig, 'maxConnections'>,
  limit: number | null = descriptorLimit(),
): ConnectionBudget {
  const room = limit === null ? null : Math.max(16, limit - RESERVED_DESCRIPTORS);
  const maxConnections = http.maxConnections ?? Math.min(room ?? 1_024, 10_000);
  const warning =
    room !== null && maxConnections > room
      ? `MAX_CONNECTIONS is ${maxConnections}, but this process may open only ${limit} files: past about ${room} connections it would fail (raise the limit with ulimit -n, or lower MAX_CONNECTIONS)`
      : null;
  return { maxConnections, descriptorLimit: limit, warning };
}

/** Applies the cap and the timeouts to `server`. */
export function guardConnections(
  server: Server,
  http: Pick<HttpConfig, 'headersTimeoutMs' | 'requestTimeoutMs'>,
  maxConnections: number,
): { open(): number } {
  server.headersTimeout = http.headersTimeoutMs;
  server.requestTimeout = http.requestTimeoutMs;
  // Oldest first (a Map keeps insertion order): requests under way on each connection, and whether it sent one.
  const open = new Map<Socket, { busy: number; served: boolean }>();
  const oldestIdle = (): Socket | null => {
    let keptAlive: Socket | null = null;
    for (const [socket, state] of open) {
      if (state.busy > 0) continue;
      if (!state.served) return socket;
      keptAlive ??= socket;
    }
    return keptAlive;
  };
  server.on('connection', (socket: Socket) => {
    if (open.size >= maxConnections) {
      const idle = oldestIdle();
      if (!idle) {
        socket.destroy();
        return;
      }
      open.delete(idle);
      idle.destroy();
    }
    open.set(socket, { busy: 0, served: false });
    socket.once('close', () => open.delete(socket));
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const state = open.get(req.socket);
    if (!state) return;
    state.busy += 1;
    state.served = true;
    res.once('close', () => (state.busy -= 1));
  });
  return { open: () => open.size };
}
