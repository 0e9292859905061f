/**
 * Real Redis deployments for the failover tests and the bench, each started in a temporary directory from the
 * `redis-server` and `redis-cli` binaries and stopped after: a Redis Cluster of 3 primaries and 3 replicas, and a
 * primary with one replica watched by 3 sentinels. Independent of the relay's code: they ask Redis itself (ROLE,
 * CLUSTER NODES, SENTINEL) where the primary is.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** How often the helpers look again while waiting for Redis to reach a state. */
const POLL_MS = 100;

async function waitUntil(what: string, condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function portIsFree(port: number): Promise<boolean> {
  const probe = createServer();
  return new Promise((resolve) => {
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/**
 * The first port the system hands out by itself (Linux's ip_local_port_range starts there): to listeners asking
 * for any port, and to every outgoing connection. A killed node's port inside that range can be taken by one of
 * them, or by a client's own reconnection, which then talks to itself: the relay would hang on a node that is not
 * Redis. Below it, a killed node's port stays dead.
 */
const SYSTEM_PORTS_START = 32_768;

/**
 * `count` ports whose port + 10000 is free too (a cluster node's bus listens there), both below the ports the system
 * hands out, consecutive runs of them chosen at random so that test files running side by side do not meet.
 */
async function freePorts(count: number): Promise<number[]> {
  for (let tries = 0; tries < 200; tries++) {
    const first = 20_000 + Math.floor(Math.random() * (SYSTEM_PORTS_START - 10_000 - 20_000 - count));
    const ports = Array.from({ length: count }, (_, i) => first + i);
    const free = await Promise.all(ports.flatMap((p) => [portIsFree(p), portIsFree(p + 10_000)]));
    if (free.every(Boolean)) return ports;
  }
  throw new Error('No free ports for a Redis deployment');
}

/** A redis-cli call against one node; its output, trimmed. */
export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args]);
  return stdout.trim();
}

/** Whether the node on `port` is a primary now (ROLE's first word). */
export async function isPrimary(port: number): Promise<boolean> {
  return (await redisCli(port, 'ROLE')).split('\n')[0] === 'master';
}

interface Node {
  port: number;
  process: ChildProcess;
}

export interface RedisDeployment {
  /** The environment variables that point the relay at it. */
  env: Record<string, string>;
  /** The port of the primary that holds `key` now. */
  primaryFor(key: string): Promise<number>;
  /** SIGKILLs the primary holding `key`; resolves with its port and the replica that should take over. */
  killPrimaryFor(key: string): Promise<{ killed: number; replica: number }>;
  stop(): Promise<void>;
}

class Processes {
  readonly dir = mkdtempSync(join(tmpdir(), 'cr-redis-'));
  readonly nodes: Node[] = [];

  start(port: number, args: string[]): Node {
    const child = spawn('redis-server', args, { cwd: this.dir, stdio: 'ignore' });
    const node = { port, process: child };
    this.nodes.push(node);
    return node;
  }

  kill(port: number): void {
    this.nodes.find((n) => n.port === port)?.process.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.nodes.map(
        (n) =>
          new Promise<void>((resolve) => {
            if (n.process.exitCode !== null || n.process.signalCode !== null) return resolve();
            n.process.once('exit', () => resolve());
            n.process.kill('SIGKILL');
          }),
      ),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const ephemeral = ['--save', '', '--appendonly', 'no', '--bind', '127.0.0.1'];

async function answers(port: number): Promise<boolean> {
  return (await redisCli(port, 'PING')) === 'PONG';
}

/**
 * A Redis Cluster of 3 primaries and 3 replicas on loopback, `cluster-node-timeout` 2000 ms. A replica is promoted
 * a few seconds after its primary stops answering.
 */
export async function startRedisCluster(): Promise<RedisDeployment> {
  const processes = new Processes();
  try {
    const ports = await freePorts(6);
    for (const port of ports) {
      processes.start(port, [
        '--port',
        String(port),
        ...ephemeral,
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        `nodes-${port}.conf`,
        '--cluster-node-timeout',
        '2000',
        // A replica takes over however long ago it last heard from its primary.
        '--cluster-replica-validity-factor',
        '0',
        '--dir',
        processes.dir,
      ]);
    }
    for (const port of ports) await waitUntil(`node ${port} to answer`, () => answers(port));
    await run('redis-cli', [
      '--cluster',
      'create',
      ...ports.map((p) => `127.0.0.1:${p}`),
      '--cluster-replicas',
      '1',
      '--cluster-yes',
    ]);
    for (const port of ports)
      await waitUntil(`node ${port} to see the cluster ok`, async () =>
        (await redisCli(port, 'CLUSTER', 'INFO')).includes('cluster_state:ok'),
      );
    const replicaOf = async (primary: number): Promise<number> => {
      for (const port of ports) {
        const role = (await redisCli(port, 'ROLE')).split('\n');
        if (role[0] === 'slave' && Number(role[2]) === primary) return port;
      }
      throw new Error(`no replica of ${primary}`);
    };
    // Every replica has its primary's data before anything is written.
    for (const port of ports)
      await waitUntil(`node ${port} to be a synced primary or replica`, async () => {
        const info = await redisCli(port, 'INFO', 'replication');
        return info.includes('role:master') || info.includes('master_link_status:up');
      });

    const primaryFor = async (key: string): Promise<number> => {
      const alive: number[] = [];
      for (const port of ports) if (await answers(port).catch(() => false)) alive.push(port);
      const ask = alive[0]!;
      const slot = Number(await redisCli(ask, 'CLUSTER', 'KEYSLOT', key));
      for (const line of (await redisCli(ask, 'CLUSTER', 'NODES')).split('\n')) {
        const [, address, flags, , , , , , ...ranges] = line.split(' ');
        if (!flags?.includes('master') || flags.includes('fail')) continue;
        const holds = ranges.some((range) => {
          const [from, to] = range.split('-').map(Number);
          return slot >= from! && slot <= (to ?? from!);
        });
        if (holds) return Number(address!.split('@')[0]!.split(':')[1]);
      }
      throw new Error(`no primary holds slot ${slot}`);
    };
    return {
      env: { REDIS_CLUSTER_NODES: ports.map((p) => `127.0.0.1:${p}`).join(','), REDIS_URL: '' },
      primaryFor,
      async killPrimaryFor(key) {
        const killed = await primaryFor(key);
        const replica = await replicaOf(killed);
        processes.kill(killed);
        return { killed, replica };
      },
      stop: () => processes.stop(),
    };
  } catch (error) {
    await processes.stop();
    throw error;
  }
}

export const SENTINEL_NAME = 'relay-primary';

/**
 * A primary and one replica, watched by 3 sentinels (quorum 2, `down-after-milliseconds` 1000): the replica is
 * promoted a few seconds after the primary stops answering.
 */
export async function startRedisSentinel(): Promise<RedisDeployment> {
  const processes = new Processes();
  try {
    const [primary, replica, ...sentinels] = await freePorts(5);
    processes.start(primary!, ['--port', String(primary), ...ephemeral, '--dir', processes.dir]);
    await waitUntil('the primary to answer', () => answers(primary!));
    processes.start(replica!, [
      '--port',
      String(replica),
      ...ephemeral,
      '--dir',
      processes.dir,
      '--replicaof',
      '127.0.0.1',
      String(primary),
    ]);
    await waitUntil('the replica to sync', async () =>
      (await redisCli(replica!, 'INFO', 'replication')).includes('master_link_status:up'),
    );
    for (const port of sentinels) {
      // Sentinel rewrites its configuration file: one each, in the temporary directory.
      const file = join(processes.dir, `sentinel-${port}.conf`);
      writeFileSync(
        file,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `sentinel monitor ${SENTINEL_NAME} 127.0.0.1 ${primary} 2`,
          `sentinel down-after-milliseconds ${SENTINEL_NAME} 1000`,
          `sentinel failover-timeout ${SENTINEL_NAME} 10000`,
          '',
        ].join('\n'),
      );
      processes.start(port, [file, '--sentinel']);
    }
    // Each sentinel knows the replica and the two other sentinels before anything can fail over.
    for (const port of sentinels) {
      await waitUntil(`sentinel ${port} to see the replica and its peers`, async () => {
        const replicas = await redisCli(port, 'SENTINEL', 'REPLICAS', SENTINEL_NAME);
        const peers = await redisCli(port, 'SENTINEL', 'SENTINELS', SENTINEL_NAME);
        return (
          replicas.includes(String(replica)) &&
          sentinels.filter((s) => s !== port).every((s) => peers.includes(String(s)))
        );
      });
    }
    const primaryNow = async (): Promise<number> => {
      for (const port of sentinels) {
        const answer = await redisCli(port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_NAME).catch(() => '');
        const [, reported] = answer.split('\n');
        if (reported) return Number(reported);
      }
      throw new Error('no sentinel answers');
    };
    return {
      env: {
        REDIS_SENTINELS: sentinels.map((p) => `127.0.0.1:${p}`).join(','),
        REDIS_SENTINEL_NAME: SENTINEL_NAME,
        REDIS_URL: '',
      },
      primaryFor: () => primaryNow(),
      async killPrimaryFor() {
        const killed = await primaryNow();
        processes.kill(killed);
        return { killed, replica: killed === primary ? replica! : primary! };
      },
      stop: () => processes.stop(),
    };
  } catch (error) {
    await processes.stop();
    throw error;
  }
}
