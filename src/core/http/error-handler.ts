import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type FieldError, STATUS_TITLES } from './errors.ts';
import { fieldErrorsFromValidation } from './validation.ts';

interface PgLikeError {
  code?: string;
  constraint?: string;
  detail?: string;
  table?: string;
  column?: string;
}

/** Drizzle wraps driver errors; walk the cause chain to the one that carries a SQLSTATE. */
function findPgError(error: unknown): PgLikeError | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    const candidate = current as PgLikeError & { cause?: unknown };
    if (typeof candidate.code === 'string' && /^[0-9A-Z]{5}$/.test(candidate.code)) return candidate;
    current = candidate.cause;
  }
  return null;
}

/** `employees_department_id_departments_id_fk` → `department_id`; `employees_email_unique` → `email`. */
function fieldFromConstraint(pgError: PgLikeError): string {
  const keyMatch = pgError.detail?.match(/^Key \((?:lower\()?([a-z_]+)/);
  if (keyMatch?.[1]) return keyMatch[1];
  if (pgError.column) return pgError.column;
  let name = pgError.constraint ?? 'value';
  if (pgError.table && name.startsWith(`${pgError.table}_`)) name = name.slice(pgError.table.length + 1);
  return name.replace(/_[a-z]+_id_fk$/, '').replace(/_(unique|key|idx|fk|check)$/, '');
}

/** Maps a PostgreSQL constraint error to the client's mistake; null when it is ours (500). */
export function appErrorFromPg(pgError: PgLikeError): AppError | null {
  switch (pgError.code) {
    case '23505': {
      const field = fieldFromConstraint(pgError);
      return new AppError(409, 'duplicate', `A record with this ${field} already exists`, [
        { field, message: 'already exists' },
      ]);
    }
    case '23503': {
      if (pgError.detail?.includes('is still referenced')) {
        return new AppError(409, 'still_referenced', 'The record is still referenced by other records');
      }
      const field = fieldFromConstraint(pgError);
      return new AppError(422, 'unknown_reference', `${field}: the referenced record does not exist`, [
        { field, message: 'the referenced record does not exist' },
      ]);
    }
    case '23514':
    case '23502': {
      const field = fieldFromConstraint(pgError);
      return new AppError(422, 'constraint_violated', `${field}: the value breaks a rule`, [
        { field, message: 'the value breaks a rule' },
      ]);
    }
    case '23P01':
      return new AppError(409, 'conflict', 'The record conflicts with an existing one');
    case '22P02':
    case '22007':
    case '22008':
    case '22003':
    case '22001':
      return new AppError(422, 'invalid_value', 'A value has the wrong format or is out of range');
    case '40001':
    case '40P01':
      return new AppError(409, 'concurrent_update', 'A concurrent change interfered; retry the request');
    default:
      return null;
  }
}

export function sendProblem(
  reply: FastifyReply,
  request: FastifyRequest,
  status: number,
  detail: string,
  options: {
    code?: string;
    errors?: FieldError[];
    headers?: Record<string, string>;
    extra?: Record<string, unknown>;
  } = {},
): FastifyReply {
  const code = options.code ?? (STATUS_TITLES[status] ?? 'error').toLowerCase().replace(/\s+/g, '_');
  if (options.headers) reply.headers(options.headers);
  return reply
    .code(status)
    .type('application/problem+json')
    .send({
      type: `urn:workmate:problem:${code}`,
      title: STATUS_TITLES[status] ?? 'Error',
      status,
      detail,
      code,
      ...(options.errors ? { errors: options.errors } : {}),
      ...options.extra,
      request_id: request.id,
    });
}

/** The one error handler: domain errors, validation, PostgreSQL constraints, framework errors. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      return sendProblem(reply, request, error.status, error.message, {
        code: error.code,
        errors: error.errors,
        headers: error.headers,
        extra: error.extra,
      });
    }
    const fastifyError = error as FastifyError;
    if (fastifyError.validation) {
      const errors = fieldErrorsFromValidation(fastifyError.validation, fastifyError.validationContext);
      return sendProblem(reply, request, 422, errors.map((e) => `${e.field}: ${e.message}`).join('; '), {
        code: 'validation_failed',
        errors,
      });
    }
    const pgError = findPgError(error);
    if (pgError) {
      const mapped = appErrorFromPg(pgError);
      if (mapped) {
        return sendProblem(reply, request, mapped.status, mapped.message, { code: mapped.code, errors: mapped.errors });
      }
    }
    const status = fastifyError.statusCode;
    if (status && status >= 400 && status < 500) {
      // Framework errors (malformed JSON, body too large, unsupported media type) carry safe messages.
      return sendProblem(reply, request, status, fastifyError.message);
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(reply, request, 500, `Internal error; quote request id ${request.id} when reporting it`, {
      code: 'internal_error',
    });
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, request, 404, `No route ${request.method} ${request.url.split('?')[0]}`, {
      code: 'route_not_found',
    }),
  );
}
