/** Headers of every HTML page the web process serves (Bull Board, its retry page). */
import type { RequestHandler } from 'express';

/**
 * Pages that must never be framed by another site (clickjacking: a framed page's clicks carry its own Origin, which
 * the same-origin check would take as the operator's), nor sniffed, nor tell other sites where the operator was.
 */
export const pageHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Content-Security-Policy', "frame-ancestors 'none'");
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'same-origin');
  next();
};
