/**
 * The two ways out: SMTP (nodemailer) and webhooks (fetch). Each send either resolves (delivered) or throws a
 * DeliveryError whose message is safe to store and show: no secret, no credentials of the target URL.
 */
import http from 'node:http';
import { isIP } from 'node:net';
import https from 'node:https';
import nodemailer, { type Transporter } from 'nodemailer';
import { ForbiddenTargetError, guardedLookup, isForbiddenAddress } from './safe-target.js';
import type { EmailMessage } from './messages.js';
import { SIGNATURE_HEADER, signWebhook } from './webhook-signature.js';

export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly responseStatus: number | null = null,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** Opened on first use, closed by whoever created it (the worker, on shutdown). */
export class EmailChannel {
  #transport: Transporter | null = null;

  constructor(private readonly settings: { smtpUrl: string | null; from: string; allowPlaintext?: boolean }) {}

  async send(to: readonly string[], message: EmailMessage, headers: Record<string, string>): Promise<string> {
    if (!this.settings.smtpUrl) throw new DeliveryError('No SMTP server is configured: set SMTP_URL.');
    this.#transport ??= nodemailer.createTransport(
      smtpTransportOptions(this.settings.smtpUrl, this.settings.allowPlaintext ?? false),
    );
    try {
      const info = (await this.#transport.sendMail({
        from: this.settings.from,
        to: [...to],
        subject: message.subject,
        text: message.text,
        headers,
      })) as { messageId?: string };
      return info.messageId ?? '';
    } catch (error) {
      // nodemailer's messages name the server's answer, never the password of the URL.
      throw new DeliveryError(`SMTP: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  close(): void {
    this.#transport?.close();
    this.#transport = null;
  }
}

/**
 * The login and the mail go encrypted to any server but loopback: `smtps://`, or STARTTLS required
 * (`requireTLS`, so a server that offers none is refused rather than spoken to in clear) unless SMTP_ALLOW_PLAINTEXT.
 */
export function smtpTransportOptions(smtpUrl: string, allowPlaintext: boolean): { url: string; requireTLS?: true } {
  const url = new URL(smtpUrl);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || (isIP(host) !== 0 && (host === '::1' || host.startsWith('127.')));
  return url.protocol === 'smtps:' || loopback || allowPlaintext
    ? { url: smtpUrl }
    : { url: smtpUrl, requireTLS: true };
}

/** Where a webhook goes, without any credentials the URL might hold: what logs and the delivery log show. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

export interface WebhookCall {
  url: string;
  secret: string;
  event: string;
  deliveryId: string;
  body: string;
  timeoutMs: number;
  nowSeconds: number;
  /** WEBHOOK_ALLOW_PRIVATE_NETWORKS: let the connection reach loopback and private addresses. */
  allowPrivate: boolean;
}

/**
 * POSTs with node's http(s) client: its `lookup` is called when the connection opens, where the address checks
 * run; redirects are not followed (an answer 3xx is a failure).
 */
export async function sendWebhook(call: WebhookCall): Promise<number> {
  const url = new URL(call.url);
  const target = displayUrl(call.url);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!call.allowPrivate && isForbiddenAddress(host))
    throw new DeliveryError(`POST ${target}: ${new ForbiddenTargetError(host).message}`);
  const status = await new Promise<number>((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).request(
      url,
      {
        method: 'POST',
        lookup: guardedLookup(call.allowPrivate),
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(call.body),
          'user-agent': 'chorus-relay-webhooks/1',
          [SIGNATURE_HEADER]: signWebhook(call.secret, call.nowSeconds, call.body),
          'Chorus-Relay-Event': call.event,
          'Chorus-Relay-Delivery': call.deliveryId,
        },
        signal: AbortSignal.timeout(call.timeoutMs),
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(call.body);
  }).catch((error: unknown) => {
    const cause =
      error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')
        ? `no answer within ${call.timeoutMs} ms`
        : error instanceof Error
          ? error.message
          : 'the request failed';
    throw new DeliveryError(`POST ${target}: ${withoutUrls(cause)}`);
  });
  if (status < 200 || status >= 300) throw new DeliveryError(`POST ${target} answered HTTP ${status}`, status);
  return status;
}

/** Error texts are stored and shown: any URL in them loses its credentials and query string. */
function withoutUrls(text: string): string {
  return text.replace(/\bhttps?:\/\/[^\s'"]+/g, (found) => displayUrl(found));
}
