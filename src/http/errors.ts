/**
 * One error body for every refusal: `{ "error": { "code", "message", "details": [ { "path", "code", "message" } ] } }`.
 * Clients branch on `code`; `message` is for people. Unexpected errors answer 500 without their message,
 * which could carry internals.
 */
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import multer from 'multer';
import type { z } from 'zod';
import type { Logger } from '../logger.js';
import { DomainError, type DomainErrorKind, type Issue } from '../shared/domain-error.js';
import { withoutFinalStop } from '../shared/sentences.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly Issue[] = [],
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const STATUS_OF_KIND: Record<DomainErrorKind, number> = { invalid: 422, conflict: 409, 'not-found': 404 };

export function sendError(
  res: Response,
  status: number,
  code: string,
  message: string,
  details: readonly Issue[] = [],
  extra: Record<string, unknown> = {},
): void {
  res.status(status).json({ error: { code, message, details, ...extra } });
}

/** zod's own wording ("Too big: expected number to be <=200"): replaced by a sentence of ours. */
const ZOD_DEFAULT = /^(Too big|Too small|Invalid|Expected)\b/;
const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  int: 'a whole number',
};

function ownWording(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return /received undefined/.test(issue.message)
        ? 'is required'
        : `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'too_small': {
      const at = `${issue.inclusive === false ? 'more than' : 'at least'} ${String(issue.minimum)}`;
      if (issue.origin === 'string')
        return Number(issue.minimum) === 1 ? 'must not be empty' : `must be ${at} characters long`;
      if (issue.origin === 'array' || issue.origin === 'set') return `must hold ${at} item(s)`;
      return `must be ${at}`;
    }
    case 'too_big': {
      const at = `${issue.inclusive === false ? 'less than' : 'at most'} ${String(issue.maximum)}`;
      if (issue.origin === 'string') return `must be ${at} characters long`;
      if (issue.origin === 'array' || issue.origin === 'set') return `must hold ${at} item(s)`;
      return `must be ${at}`;
    }
    case 'invalid_format':
      return issue.format === 'uuid'
        ? 'must be a UUID'
        : issue.format === 'email'
          ? 'must be an e-mail address'
          : issue.format === 'url'
            ? 'must be a URL'
            : `is not a valid ${issue.format}`;
    case 'invalid_value':
      return `must be one of: ${issue.values.map(String).join(', ')}`;
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    case 'unrecognized_keys':
      return `unknown field(s): ${issue.keys.join(', ')}`;
    case 'invalid_union':
      return 'matches none of the accepted forms';
    default:
      return 'is not valid';
  }
}

/** zod issues as our details: the dotted path, our own code when a rule set one, and a sentence of ours. */
export function issuesFromZod(error: z.ZodError, pathPrefix: readonly (string | number)[] = []): Issue[] {
  return error.issues.map((issue) => {
    const path = [...pathPrefix, ...issue.path].map(String).join('.');
    const ownCode = issue.code === 'custom' ? (issue.params as { code?: string } | undefined)?.code : undefined;
    const given = issue.message.replace(/^Invalid input: /, '');
    const alwaysOurs =
      issue.code === 'unrecognized_keys' ||
      issue.code === 'invalid_value' ||
      (issue.code === 'invalid_type' && /received undefined/.test(issue.message));
    const message = alwaysOurs || ZOD_DEFAULT.test(issue.message) ? ownWording(issue) : given;
    return { path, code: ownCode ?? issue.code, message: path ? `${path} ${message}` : message };
  });
}

/** A sentence ends with one full stop, whatever the part before it ended with. */
const sentence = (text: string) => `${withoutFinalStop(text)}.`;

export function validationError(issues: Issue[], what = 'request'): HttpError {
  const first = issues[0];
  const summary = issues.length === 1 && first ? first.message : `${issues.length} problems`;
  return new HttpError(422, 'VALIDATION_FAILED', sentence(`The ${what} is invalid: ${summary}`), issues);
}

export const notFound: RequestHandler = (req, res) => {
  sendError(res, 404, 'NOT_FOUND', `No route for ${req.method} ${req.path}.`);
};

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    if (error instanceof HttpError) {
      for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
      return sendError(res, error.status, error.code, error.message, error.details);
    }
    if (error instanceof DomainError) {
      return sendError(res, STATUS_OF_KIND[error.kind], error.code, error.message, error.details, { ...error.extra });
    }
    if (error instanceof multer.MulterError) {
      if (error.code === 'LIMIT_FILE_SIZE') {
        return sendError(res, 413, 'PAYLOAD_TOO_LARGE', 'The file is larger than 10 MB, the most Chorus Pro accepts.', [
          { path: error.field ?? 'file', code: 'file_too_large', message: 'file must be at most 10485760 bytes' },
        ]);
      }
      return sendError(res, 400, 'MALFORMED_MULTIPART', `The multipart body is malformed: ${error.message}.`, [
        { path: error.field ?? '', code: error.code.toLowerCase(), message: error.message },
      ]);
    }
    const parserError = error as BodyParserError;
    if (parserError.type === 'entity.too.large') {
      return sendError(
        res,
        413,
        'PAYLOAD_TOO_LARGE',
        `The request body is larger than the ${parserError.limit ?? ''} bytes allowed.`,
      );
    }
    if (parserError.type === 'entity.parse.failed') {
      return sendError(res, 400, 'MALFORMED_JSON', 'The request body is not valid JSON.');
    }
    if (typeof parserError.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
      return sendError(res, parserError.status, 'BAD_REQUEST', 'The request could not be read.');
    }
    logger.error('Unhandled error while serving a request', { method: req.method, path: req.path, error });
    return sendError(res, 500, 'INTERNAL_ERROR', 'Something went wrong on our side; the request can be retried.');
  };
}
