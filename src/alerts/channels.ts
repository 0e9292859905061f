/**
 * The two ways out: SMTP (nodemailer) and webhooks (fetch). Each send either resolves (delivered) or throws a
 * DeliveryError whose message is safe to store and show: no secret, no credentials of the target URL.
 */
import nodemailer, { type Transporter } from 'nodemailer';
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

  constructor(private readonly settings: { smtpUrl: string | null; from: string }) {}

  async send(to: readonly string[], message: EmailMessage, headers: Record<string, string>): Promise<string> {
    if (!this.settings.smtpUrl) throw new DeliveryError('No SMTP server is configured: set SMTP_URL.');
    this.#transport ??= nodemailer.createTransport(this.settings.smtpUrl);
    try {
      const info = (await this.#transport.sendMail({ from: this.settings.from, to: [...to], subject: message.subject, text: message.text, headers })) as { messageId?: string };
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
}

export async function sendWebhook(call: WebhookCall): Promise<number> {
  let res: Response;
  try {
    res = await fetch(call.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'chorus-relay-webhooks/1',
        [SIGNATURE_HEADER]: signWebhook(call.secret, call.nowSeconds, call.body),
        'Chorus-Relay-Event': call.event,
        'Chorus-Relay-Delivery': call.deliveryId,
      },
      body: call.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(call.timeoutMs),
    });
  } catch (error) {
    const cause =
      error instanceof Error && error.name === 'TimeoutError'
        ? `no answer within ${call.timeoutMs} ms`
        : error instanceof Error
          ? ((error.cause as Error | undefined)?.message ?? error.message)
          : String(error);
    throw new DeliveryError(`POST ${displayUrl(call.url)}: ${cause}`);
  }
  await res.body?.cancel();
  if (res.status < 200 || res.status >= 300) throw new DeliveryError(`POST ${displayUrl(call.url)} answered HTTP ${res.status}`, res.status);
  return res.status;
}
