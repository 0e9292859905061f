/** How POST /v1/invoices reads its body: JSON or multipart, nothing else. */
import type { RequestHandler } from 'express';
import multer from 'multer';
import { MAX_FILE_BYTES } from '../invoices/submission.js';
import { HttpError } from './errors.js';
import { refuseHiddenCharacters } from './text-guard.js';

/** Parses JSON or multipart; anything else is refused with 415 before a handler sees it. */
export function invoiceBody(): RequestHandler[] {
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: MAX_FILE_BYTES, files: 1, fields: 30, fieldSize: 1024, parts: 40, headerPairs: 100 },
    // File names as UTF-8 (busboy's default is latin1, which turns "Facture été.pdf" into mojibake).
    defParamCharset: 'utf8',
  }).single('file');
  const accept: RequestHandler = (req, _res, next) => {
    if (!req.is('application/json') && !req.is('multipart/form-data')) {
      throw new HttpError(
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        'Send the invoice as application/json (file in base64) or multipart/form-data.',
      );
    }
    next();
  };
  // A body busboy cannot read is the caller's mistake: 400, not a 500.
  const readMultipart: RequestHandler = (req, res, next) => {
    if (!req.is('multipart/form-data')) return next();
    upload(req, res, (error: unknown) => {
      if (error === undefined || error === null || error instanceof multer.MulterError) return next(error);
      next(
        new HttpError(
          400,
          'MALFORMED_MULTIPART',
          `The multipart body is malformed: ${error instanceof Error ? error.message : 'unreadable'}.`,
        ),
      );
    });
  };
  return [accept, readMultipart, refuseHiddenCharacters];
}
