/**
 * Request bodies are read into memory (a batch's ZIP up to BATCH_MAX_TOTAL_MB, an invoice's JSON up to 15 MB), so a
 * client that declares a large body and stalls one byte short holds that memory until its request times out; ten of
 * them held 1.5 GB. A web process takes bodies up to UPLOAD_BUFFER_MB at once: past it, a new one is refused at once
 * (503, Retry-After) and its body is discarded as it comes, never held, and what a body reserved is given back as soon
 * as its request ends, whether answered, refused or cut off by the request timeout. One body alone may exceed the
 * budget. The refused connection is kept open while its body is discarded: closed at once, it would reset the client
 * still sending, whose stack may then drop the 503 before the client has read it.
 */
import type { RequestHandler } from 'express';
import { sendError } from './errors.js';

export function uploadBudget(maxBytes: number, unknownLengthBytes: number): RequestHandler {
  let held = 0;
  return (req, res, next) => {
    const declared = Number(req.get('content-length'));
    const reserve =
      Number.isFinite(declared) && declared > 0 ? declared : req.get('transfer-encoding') ? unknownLengthBytes : 0;
    if (reserve === 0) return next();
    if (held > 0 && held + reserve > maxBytes) {
      res.setHeader('Retry-After', '5');
      return sendError(
        res,
        503,
        'UPLOADS_BUSY',
        'This server is receiving as many uploads as it holds at once (UPLOAD_BUFFER_MB): send it again in a few seconds.',
      );
    }
    held += reserve;
    res.once('close', () => (held -= reserve));
    next();
  };
}
