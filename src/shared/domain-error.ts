/**
 * A refusal the caller can act on. `kind` says what sort of refusal it is; the HTTP layer maps it to a status.
 * `code` is stable and machine-readable; `message` is a sentence for a person.
 */
export type DomainErrorKind = 'invalid' | 'conflict' | 'not-found';

export interface Issue {
  /** Where the problem is, as a dotted path into the request ("file.contentBase64"). */
  path: string;
  code: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    readonly code: string,
    message: string,
    readonly details: readonly Issue[] = [],
    /** Extra fields a client may need, e.g. the id of the invoice a duplicate collides with. */
    readonly extra: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
