/**
 * One table from WfError codes to HTTP statuses for the admin web UI and the
 * JSON API, so both answer the same failure the same way.
 */
import { isWfError, type WfErrorCode } from '../errors.ts';

const STATUS: Partial<Record<WfErrorCode, number>> = {
  WF_ERR_INVALID_INPUT: 400,
  WF_ERR_USAGE: 400,
  WF_ERR_AUTH: 401,
  WF_ERR_FORBIDDEN: 403,
  WF_ERR_NOT_FOUND: 404,
  WF_ERR_CONFLICT: 409,
  WF_ERR_GRANT_STATE: 409,
};

export interface HttpProblem {
  readonly status: number;
  readonly code: string;
  /** Safe to show: a WfError's message is written for the user; anything else is not shown. */
  readonly message: string;
}

/** The status, code and message for an error thrown while serving a request. */
export function toHttpProblem(error: unknown): HttpProblem {
  if (isWfError(error)) {
    const status = STATUS[error.code] ?? 500;
    return { status, code: error.code, message: status === 500 ? 'an internal error occurred; it has been logged' : error.message };
  }
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    // fastify's own errors (bad JSON body, body too large, unsupported media type): the request
    // itself is at fault; their messages are generic and safe. Scripts see one of our codes.
    return { status: statusCode, code: 'WF_ERR_INVALID_INPUT', message: `the request could not be read: ${(error as Error).message}` };
  }
  return { status: 500, code: 'WF_ERR_INTERNAL', message: 'an internal error occurred; it has been logged' };
}
