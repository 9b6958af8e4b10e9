/** One field that failed validation (RFC 9457 §3, extension member `errors`). */
export interface FieldError {
  /** The field's name, as the client sent it. */
  readonly field: string;
  /** JSON Pointer to the field in the request body. */
  readonly pointer: string;
  readonly detail: string;
}

/** RFC 9457 problem details, the one error shape of this service. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly errors?: readonly FieldError[];
  readonly [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';
