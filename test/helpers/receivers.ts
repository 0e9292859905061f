/** Real SMTP and HTTP servers that record what they receive: the far ends of e-mail alerts and webhooks. */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  subject: string;
  text: string;
  headers: Map<string, unknown>;
}

/** With `credentials`, the server requires them (AUTH PLAIN/LOGIN over the loopback connection). */
export async function startSmtpServer(credentials?: {
  user: string;
  password: string;
}): Promise<{ url: string; mails: ReceivedMail[]; logins: string[]; close(): Promise<void> }> {
  const mails: ReceivedMail[] = [];
  const logins: string[] = [];
  const server = new SMTPServer({
    authOptional: !credentials,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    onAuth(auth, _session, callback) {
      if (!credentials || auth.username !== credentials.user || auth.password !== credentials.password)
        return callback(new Error('Invalid username or password'));
      logins.push(auth.username ?? '');
      callback(null, { user: auth.username });
    },
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          mails.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            headers: parsed.headers,
          });
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  const { port } = server.server.address() as AddressInfo;
  const auth = credentials
    ? `${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@`
    : '';
  return {
    url: `smtp://${auth}127.0.0.1:${port}`,
    mails,
    logins,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface ReceivedCall {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Answers each call with `status()` (200 unless told otherwise). */
export async function startWebhookReceiver(
  status: (call: ReceivedCall, index: number) => number = () => 200,
): Promise<{ url: string; calls: ReceivedCall[]; close(): Promise<void> }> {
  const calls: ReceivedCall[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const call = { path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      calls.push(call);
      res.statusCode = status(call, calls.length - 1);
      res.end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/chorus`,
    calls,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
