/**
 * A TCP proxy on loopback that a test can cut: every open connection is destroyed and new ones are dropped on
 * arrival, which is what a process sees when the server behind it restarts. Real sockets, no mock. While cut, it
 * counts the connections it turned away, so a test can wait until a client has felt the outage.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  /** Drops every connection and turns new ones away until `restore()`. */
  cut(): Promise<void>;
  /** Connections turned away since the last `cut()`: a client tried to reconnect. */
  readonly turnedAway: number;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let port = 0;
  let turnedAway = 0;
  let server: Server;
  const listen = async (handler: (client: Socket) => void) => {
    server = createServer(handler);
    server.listen(port, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    port = (server.address() as { port: number }).port;
  };
  const forward = (client: Socket) => {
    const upstream = connect(targetPort, targetHost);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  };
  const refuse = (client: Socket) => {
    turnedAway += 1;
    client.destroy();
  };
  const stop = async () => {
    await new Promise((resolve) => {
      server.close(resolve);
      for (const s of sockets) s.destroy();
    });
  };
  await listen(forward);
  return {
    get port() {
      return port;
    },
    get turnedAway() {
      return turnedAway;
    },
    async cut() {
      await stop();
      turnedAway = 0;
      await listen(refuse);
    },
    async restore() {
      await stop();
      await listen(forward);
    },
    close: stop,
  };
}
