export interface FieldError {
  field: string;
  message: string;
}

/**
 * A failure the client can act on. Services throw these; the one error handler turns them into
 * problem+json. `code` is stable snake_case for front ends to branch on.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const badRequest = (detail: string, code = 'bad_request') => new AppError(400, code, detail);
export const unauthorized = (detail = 'Authentication required', code = 'unauthorized') =>
  new AppError(401, code, detail, undefined, { 'www-authenticate': 'Bearer' });
export const forbidden = (detail = 'You lack the permission for this action', code = 'forbidden') =>
  new AppError(403, code, detail);
export const notFound = (resource: string, code = 'not_found') => new AppError(404, code, `${resource} not found`);
export const conflict = (detail: string, code = 'conflict', extra?: Record<string, unknown>) =>
  new AppError(409, code, detail, undefined, undefined, extra);
export const preconditionFailed = (detail = 'The resource was changed since you read it (ETag mismatch)') =>
  new AppError(412, 'precondition_failed', detail);
export const tooManyRequests = (retryAfterSeconds: number, detail = 'Too many requests') =>
  new AppError(429, 'rate_limited', detail, undefined, { 'retry-after': String(Math.max(1, retryAfterSeconds)) });
export const serviceUnavailable = (detail: string, retryAfterSeconds?: number) =>
  new AppError(
    503,
    'service_unavailable',
    detail,
    undefined,
    retryAfterSeconds ? { 'retry-after': String(retryAfterSeconds) } : undefined,
  );

/** 422 for input that is well-formed but breaks a rule; name the field when there is one. */
export function validationError(field: string | null, message: string, code = 'validation_failed'): AppError {
  return new AppError(422, code, field ? `${field}: ${message}` : message, field ? [{ field, message }] : []);
}

export const STATUS_TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};
