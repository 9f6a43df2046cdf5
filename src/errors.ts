/**
 * Every fault wardgate raises on purpose is a WfError with a stable `code`.
 * Callers branch on `code`, never on `message`; the message is for the person
 * reading it and says what to do. A block is not an error: it is a Decision.
 * Every code is listed in docs/errors.md (a test keeps the two in step).
 */
export const ERROR_CODES = {
  WF_ERR_CONFIG_INVALID: 'configuration is invalid',
  WF_ERR_USAGE: 'command-line usage error',
  WF_ERR_BAD_TARGET: 'request target cannot be parsed',
  WF_ERR_LIST_INVALID: 'category list could not be loaded',
  WF_ERR_NO_INDEX: 'no category index could be loaded',
  WF_ERR_STORE: 'data store failure',
  WF_ERR_NOT_FOUND: 'record not found',
  WF_ERR_CONFLICT: 'record already exists',
  WF_ERR_INVALID_INPUT: 'invalid input',
  WF_ERR_FORBIDDEN: 'not allowed by the grant rules',
  WF_ERR_GRANT_STATE: 'grant is not in a state that allows this',
  WF_ERR_AUTH: 'staff sign-in refused',
  WF_ERR_UPSTREAM_DNS: 'upstream host name could not be resolved',
  WF_ERR_UPSTREAM_REFUSED: 'upstream refused the connection',
  WF_ERR_UPSTREAM_TIMEOUT: 'upstream timed out',
  WF_ERR_UPSTREAM_RESET: 'upstream closed the connection',
  WF_ERR_UPSTREAM_PROTOCOL: 'upstream sent an invalid response',
  WF_ERR_LOG_WRITE: 'decision log cannot be written',
  WF_ERR_LOG_TAMPERED: 'decision log hash chain is broken',
  WF_ERR_INTERNAL: 'internal error',
} as const;

export type WfErrorCode = keyof typeof ERROR_CODES;

export class WfError extends Error {
  readonly code: WfErrorCode;
  /** HTTP status to answer with when this error ends a proxied request. */
  readonly httpStatus: number | undefined;

  constructor(code: WfErrorCode, message: string, options: { cause?: unknown; httpStatus?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WfError';
    this.code = code;
    this.httpStatus = options.httpStatus;
  }
}

export function isWfError(value: unknown, code?: WfErrorCode): value is WfError {
  return value instanceof WfError && (code === undefined || value.code === code);
}
