/** Base of every error the service raises on purpose; `code` is stable and maps to an HTTP status at the edge. */
export abstract class DomainError extends Error {
  abstract readonly code: string;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export interface ValidationIssue {
  /** Where the problem is, e.g. `[3, "domains", 0]` for the first domain of the fourth row. */
  path: (string | number)[];
  message: string;
}

export class ValidationFailedError extends DomainError {
  readonly code = 'validation_failed';

  constructor(
    readonly issues: ValidationIssue[],
    message = 'The request is invalid',
  ) {
    super(message);
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'not_found';
}
