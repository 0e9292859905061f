/**
 * What can go wrong when calling Chorus Pro, decided once, here, so that workers act on a class and never
 * on raw HTTP details. `kind` is the decision:
 * - transient: try again later (network, timeout, 5xx, maintenance);
 * - rate-limited: every caller slows down for `retryAfterMs`;
 * - auth: stop for that account or application and alert; retrying would only hammer a locked door;
 * - business: Chorus said no; retrying the same request gives the same answer;
 * - invalid-request: we built a request the contract refuses, so it was never sent: our bug, not Chorus's.
 */
export type ChorusErrorKind = 'transient' | 'rate-limited' | 'auth' | 'business' | 'invalid-request';

export interface ChorusErrorInfo {
  /** The endpoint, e.g. `deposerFlux`. */
  operation: string;
  httpStatus?: number;
  codeRetour?: number;
  libelle?: string;
  /** A short excerpt of the answer, for the logs and the timeline; never the request. */
  body?: string;
}

export abstract class ChorusError extends Error {
  abstract readonly kind: ChorusErrorKind;
  constructor(
    message: string,
    readonly info: ChorusErrorInfo,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Network failure, timeout, 5xx or maintenance. Retry with backoff. */
export class ChorusTransientError extends ChorusError {
  readonly kind = 'transient';
  constructor(
    message: string,
    info: ChorusErrorInfo,
    /** The request may have reached Chorus (a timeout after sending): look before depositing again. */
    readonly maybeDelivered: boolean,
    options?: ErrorOptions,
  ) {
    super(message, info, options);
  }
}

/** HTTP 429, or another caller's 429 still in force. Every caller waits `retryAfterMs`. */
export class ChorusRateLimitError extends ChorusError {
  readonly kind = 'rate-limited';
  constructor(
    message: string,
    info: ChorusErrorInfo,
    readonly retryAfterMs: number,
  ) {
    super(message, info);
  }
}

/**
 * 401 or 403 that a fresh token did not cure. `reason` tells who must act:
 * - application: the PISTE client id/secret is wrong, or the application is not subscribed to this API (403);
 * - technical-account: Chorus refused the technical account's login or password (it may have expired).
 */
export class ChorusAuthError extends ChorusError {
  readonly kind = 'auth';
  constructor(
    message: string,
    info: ChorusErrorInfo,
    readonly reason: 'application' | 'technical-account',
  ) {
    super(message, info);
  }
}

/** Chorus refused the request: `codeRetour` ≠ 0, or a 4xx that says the request itself is wrong. */
export class ChorusBusinessError extends ChorusError {
  readonly kind = 'business';
}

/** A request that breaks the Chorus Pro contract, refused before sending. `field` names the first offending field. */
export class ChorusRequestInvalidError extends ChorusError {
  readonly kind = 'invalid-request';
  constructor(
    message: string,
    info: ChorusErrorInfo,
    readonly field: string,
  ) {
    super(message, info);
  }
}
