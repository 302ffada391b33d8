/**
 * @file Every failure becomes one JSON answer, `{ error: { code, message, ... } }`, with the
 * status a client can act on: 4xx for what the request got wrong (naming the field or limit),
 * 429/503 for load (with Retry-After), 500 only for the server's own faults. Clients branch on
 * `code`, never on the message.
 */
import {
  AbortError,
  DecodeError,
  EmptyInputError,
  InputLimitError,
  InputTooLargeError,
  InvalidArgumentError,
  LatentkitError,
  ShapeMismatchError,
  UnsupportedFormatError,
} from '@latentkit/core';
import { QueueFullError } from './batcher.js';

/** A request the server refuses, with its HTTP status. */
export class HttpError extends LatentkitError {
  override readonly code: string;
  constructor(
    readonly status: number,
    code: string,
    message: string,
    /** Extra fields of the answer (e.g. `limit`, `max`). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.code = code;
  }
}

/** A request waited longer than the server's `timeoutMs`. */
export class RequestTimeoutError extends LatentkitError {
  override readonly code: string = 'LK_REQUEST_TIMEOUT';
}

/** The body of every error answer. */
export interface ErrorBody {
  error: { code: string; message: string; hint?: string; [key: string]: unknown };
}

/** Fastify's own error codes (body parsing, validation, routing) by the status they mean. */
const FASTIFY_STATUS: Record<string, [number, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'LK_BODY_TOO_LARGE'],
  FST_REQ_FILE_TOO_LARGE: [413, 'LK_BODY_TOO_LARGE'],
  FST_PARTS_LIMIT: [413, 'LK_TOO_MANY_PARTS'],
  FST_FILES_LIMIT: [413, 'LK_TOO_MANY_PARTS'],
  FST_FIELDS_LIMIT: [413, 'LK_TOO_MANY_PARTS'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'LK_UNSUPPORTED_MEDIA_TYPE'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'LK_BAD_REQUEST'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'LK_BAD_REQUEST'],
  FST_ERR_CTP_EMPTY_TYPE: [415, 'LK_UNSUPPORTED_MEDIA_TYPE'],
  FST_ERR_CTP_INVALID_TYPE: [415, 'LK_UNSUPPORTED_MEDIA_TYPE'],
  FST_ERR_VALIDATION: [400, 'LK_BAD_REQUEST'],
  FST_INVALID_MULTIPART_CONTENT_TYPE: [415, 'LK_UNSUPPORTED_MEDIA_TYPE'],
  FST_PROTO_VIOLATION: [400, 'LK_BAD_REQUEST'],
};

/**
 * The status and body for an error thrown while handling a request.
 * @param e anything thrown.
 * @param limits the body-size limit, named in 413 answers.
 */
export function errorReply(e: unknown, limits: { maxBodyBytes: number }): { status: number; body: ErrorBody; retryAfter?: number } {
  const body = (code: string, message: string, extra: Record<string, unknown> = {}): ErrorBody => ({ error: { code, message, ...extra } });
  if (e instanceof HttpError) return { status: e.status, body: body(e.code, e.message, e.details) };
  if (e instanceof QueueFullError) return { status: 429, body: body(e.code, e.message), retryAfter: 1 };
  if (e instanceof RequestTimeoutError || e instanceof AbortError) return { status: 503, body: body('LK_REQUEST_TIMEOUT', e.message), retryAfter: 1 };
  if (e instanceof InputLimitError) {
    return { status: 422, body: body(e.code, e.message, { limit: e.limit, max: e.max, actual: e.actual, ...(e.hint ? { hint: e.hint } : {}) }) };
  }
  if (e instanceof InputTooLargeError) return { status: 413, body: body(e.code, e.message) };
  if (e instanceof UnsupportedFormatError) return { status: 415, body: body(e.code, e.message) };
  if (e instanceof DecodeError || e instanceof EmptyInputError || e instanceof ShapeMismatchError || e instanceof InvalidArgumentError) {
    return { status: 422, body: body(e.code, e.message) };
  }
  const fe = e as { code?: unknown; statusCode?: unknown; message?: unknown };
  if (typeof fe?.code === 'string' && fe.code in FASTIFY_STATUS) {
    const [status, code] = FASTIFY_STATUS[fe.code];
    const message = status === 413 && code === 'LK_BODY_TOO_LARGE' ? `The request body is larger than maxBodyBytes=${limits.maxBodyBytes}.` : String(fe.message);
    return { status, body: body(code, message, status === 413 && code === 'LK_BODY_TOO_LARGE' ? { limit: 'maxBodyBytes', max: limits.maxBodyBytes } : {}) };
  }
  // Body parsing errors of Fastify and its plugins carry a 4xx statusCode (bad JSON, aborted uploads).
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: fe.statusCode, body: body('LK_BAD_REQUEST', String(fe.message)) };
  }
  if (e instanceof LatentkitError) return { status: 500, body: body(e.code, e.message) };
  return { status: 500, body: body('LK_INTERNAL', 'The server failed on this request; its log has the details.') };
}
