/**
 * The pages read and act through the API itself, over loopback, with the signed-in key: its checks, its scoping by
 * role and supplier, its audit and its errors are the pages' too. No second implementation.
 */
import type { Request } from 'express';

export interface ApiAnswer<T> {
  status: number;
  body: T;
}

/** An API error as the API writes it: a code, a sentence, the fields. */
export interface ApiError {
  error?: { code?: string; message?: string; details?: Array<{ path?: string; message?: string }> };
}

export function apiFor(req: Request, apiKey: string) {
  const address = req.socket.localAddress ?? '127.0.0.1';
  const host =
    address.includes(':') && !address.startsWith('::ffff:') ? `[${address}]` : address.replace(/^::ffff:/, '');
  const base = `http://${host}:${req.socket.localPort ?? 80}/v1`;
  const call = async <T>(method: string, path: string, body?: unknown, accept = 'application/json') => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${apiKey}`,
        accept,
        'x-request-id': String(req.headers['x-request-id'] ?? ''),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (accept !== 'application/json') return { status: res.status, body: (await res.text()) as T };
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
  };
  return {
    get: <T>(path: string) => call<T>('GET', path),
    post: <T>(path: string, body: unknown) => call<T>('POST', path, body),
    csv: (path: string) => call<string>('GET', path, undefined, 'text/csv'),
  };
}

export type Api = ReturnType<typeof apiFor>;
