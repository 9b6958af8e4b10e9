import { HttpException } from '@nestjs/common';
import type { FieldError, ProblemDetails } from './problem-details.js';
import { PROBLEM_TYPES, type ProblemKind } from './problem-types.js';

export interface ProblemOptions {
  /** Response headers that belong to this error (WWW-Authenticate, Retry-After…). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly errors?: readonly FieldError[];
  /** Extension members (RFC 9457 §3.2), e.g. the OAuth2 `error` code of a token endpoint. */
  readonly extensions?: Readonly<Record<string, unknown>>;
}

/** The one exception the service throws on purpose; the global filter renders it as-is. */
export class ProblemException extends HttpException {
  readonly problem: ProblemDetails;
  readonly headers: Readonly<Record<string, string>>;

  constructor(kind: ProblemKind, detail: string, options: ProblemOptions = {}) {
    const { type, title, status } = PROBLEM_TYPES[kind];
    super(detail, status);
    this.problem = {
      type,
      title,
      status,
      detail,
      ...(options.errors ? { errors: options.errors } : {}),
      ...options.extensions,
    };
    this.headers = options.headers ?? {};
  }
}
