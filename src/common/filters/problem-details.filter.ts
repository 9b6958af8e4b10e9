import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isFormRequest, isOAuthEndpoint } from '../decorators/oauth-endpoint.decorator.js';
import { isDatabaseUnavailable } from '../../database/database-unavailable.js';
import { PROBLEM_CONTENT_TYPE, type ProblemDetails } from '../problems/problem-details.js';
import { ProblemException } from '../problems/problem.exception.js';
import {
  PROBLEM_TYPES,
  problemKindForStatus,
  type ProblemKind,
} from '../problems/problem-types.js';

/** What the client is told for framework errors: our words, never a library's message. */
const GENERIC_DETAIL: Partial<Record<ProblemKind, string>> = {
  malformedRequest: 'The request body could not be parsed.',
  badRequest: 'The request could not be understood.',
  unauthenticated: 'Not authenticated',
  forbidden: 'You may not do this.',
  notFound: 'There is nothing at this address.',
  methodNotAllowed: 'This method is not allowed here.',
  payloadTooLarge: 'The request body is larger than this service accepts (64 KB).',
  uriTooLong: 'A part of the address is longer than this service accepts.',
  unsupportedMediaType:
    'Send the body as application/json (or application/x-www-form-urlencoded where documented).',
  validation: 'The request failed validation.',
  internal: 'Something went wrong on our side.',
};

/**
 * What a 503 for a database outage asks clients to wait: about how long the pool takes to give up
 * on a connection (5 s), and readiness notices the database is back within it.
 */
const DEPENDENCY_RETRY_AFTER_SECONDS = 5;

/** Fastify's own request errors (URL, body parsing, limits) by code. */
const KIND_FOR_FASTIFY_CODE: Readonly<Record<string, ProblemKind>> = {
  FST_ERR_BAD_URL: 'badRequest',
  FST_ERR_MAX_PARAM_LENGTH: 'uriTooLong',
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformedRequest',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformedRequest',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'malformedRequest',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payloadTooLarge',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupportedMediaType',
};

/**
 * The one place errors become responses: RFC 9457 problem details for every error, ours or the
 * framework's, each carrying the request id (`request_id`) that the logs carry too. Anything
 * unexpected is logged once, with its stack and the request id, and answered as a bare 500.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendProblem(exception, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>());
  }
}

/**
 * Answers an exception as problem details. Also used for what Fastify's router refuses before any
 * Nest code runs (see app.setup.ts).
 */
export function sendProblem(
  exception: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const answer = toProblem(exception, request);
  if (reply.sent) return;
  const oauth = isOAuthEndpoint(request);
  const problem = oauth ? asOAuthError(answer.problem, request) : answer.problem;
  void reply
    .code(problem.status)
    .headers(answer.headers)
    .header('content-type', oauth ? OAUTH_ERROR_CONTENT_TYPE : PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify({ ...problem, request_id: request.id }));
}

/** RFC 6749 §5.2: what OAuth2 clients parse an error from (oauth4webapi checks it exactly). */
const OAUTH_ERROR_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * An OAuth2 endpoint's error keeps the problem-details body and always carries an RFC 6749 §5.2
 * `error` code. A form (what OAuth2 clients send) missing a parameter, or with a bad one, is
 * `400 invalid_request`; the same in a JSON body stays a 422 naming each field.
 */
function asOAuthError(problem: ProblemDetails, request: FastifyRequest): ProblemDetails {
  const fromForm = problem.status === 422 && isFormRequest(request);
  const shaped = fromForm
    ? { ...problem, ...PROBLEM_TYPES.invalidRequest, error: 'invalid_request' }
    : problem;
  if (typeof shaped.error === 'string') return shaped;
  return { ...shaped, error: oauthErrorCode(shaped.status) };
}

function oauthErrorCode(status: number): string {
  if (status === 429 || status === 503) return 'temporarily_unavailable';
  if (status >= 500) return 'server_error';
  if (status === 401) return 'invalid_client';
  return 'invalid_request';
}

function toProblem(
  exception: unknown,
  request: FastifyRequest,
): { problem: ProblemDetails; headers: Readonly<Record<string, string>> } {
  if (exception instanceof ProblemException) {
    return { problem: exception.problem, headers: exception.headers };
  }
  const fastifyKind = kindOfFastifyError(exception);
  if (fastifyKind) return { problem: genericProblem(fastifyKind), headers: {} };
  if (exception instanceof HttpException && exception.getStatus() < 500) {
    return { problem: genericProblem(problemKindForStatus(exception.getStatus())), headers: {} };
  }
  if (isDatabaseUnavailable(exception)) {
    // An outage, not a bug: one line naming the dependency (and the driver's words), no stack.
    request.log.error(
      { dependency: 'database', reason: errorMessage(exception) },
      'Dependency unavailable',
    );
    return {
      problem: {
        ...PROBLEM_TYPES.dependencyUnavailable,
        detail: 'The database is not answering; try again shortly.',
      },
      headers: { 'Retry-After': String(DEPENDENCY_RETRY_AFTER_SECONDS) },
    };
  }
  // request.log carries the request id; pino prints the error's stack.
  request.log.error({ err: exception }, 'Unhandled exception');
  return { problem: genericProblem('internal'), headers: {} };
}

/** A Fastify error we know by its code, as thrown by the router or wrapped by Nest. */
function kindOfFastifyError(exception: unknown): ProblemKind | undefined {
  const error: unknown = exception instanceof HttpException ? exception.cause : exception;
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') {
    return KIND_FOR_FASTIFY_CODE[error.code];
  }
  return undefined;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function genericProblem(kind: ProblemKind): ProblemDetails {
  const { type, title, status } = PROBLEM_TYPES[kind];
  return { type, title, status, detail: GENERIC_DETAIL[kind] ?? title };
}
