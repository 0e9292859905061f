/**
 * Text that looks like one thing and is another is refused in every field, query parameter and file name:
 * C0 and C1 control characters (tab and line breaks only where a field is free text), bidirectional overrides
 * and isolates (they reorder what a person reads), and lone UTF-16 surrogates (no character at all). A NUL
 * also breaks PostgreSQL text columns.
 */
import type { RequestHandler } from 'express';
import type { Issue } from '../shared/domain-error.js';
import { firstHiddenCharacter } from '../shared/hidden-characters.js';
import { HttpError, validationError } from './errors.js';

/** Free-text fields, where a person may write several lines. */
const MULTILINE = new Set(['comment']);
/** No request of this API nests deeper; a deeper body is refused before anything walks it. */
const MAX_DEPTH = 16;

function findIn(value: unknown, path: string[], found: Issue[]): void {
  if (found.length >= 10) return;
  if (path.length > MAX_DEPTH)
    throw new HttpError(
      400,
      'MALFORMED_BODY',
      `The body nests deeper than ${MAX_DEPTH} levels; no request of this API does.`,
    );
  if (typeof value === 'string') {
    const bad = firstHiddenCharacter(value, MULTILINE.has(path.at(-1) ?? ''));
    if (bad) {
      const where = path.join('.');
      const code = `U+${bad.code.toString(16).toUpperCase().padStart(4, '0')}`;
      found.push({
        path: where,
        code: 'forbidden_character',
        message: `${where} contains ${code} at position ${bad.index}: control, bidirectional and unpaired surrogate characters are refused`,
      });
    }
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => findIn(v, [...path, String(i)], found));
  } else if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
    // A file's base64 is checked as base64 by its schema (only A-Z a-z 0-9 + / =): walking its megabytes here would
    // hold the event loop.
    for (const [key, v] of Object.entries(value)) if (key !== 'contentBase64') findIn(v, [...path, key], found);
  }
}

/** The hidden characters in a value that did not come through the request body (a batch's manifest row). */
export function hiddenCharactersIn(value: unknown): Issue[] {
  const found: Issue[] = [];
  findIn(value, [], found);
  return found;
}

/** Runs after the body is parsed (JSON or multipart); a file's own bytes are not text and are not looked at. */
export const refuseHiddenCharacters: RequestHandler = (req, _res, next) => {
  const found: Issue[] = [];
  findIn(req.body, [], found);
  findIn(req.query, [], found);
  if (req.file) findIn(req.file.originalname, ['file', 'name'], found);
  if (found.length > 0) throw validationError(found, 'request');
  next();
};
