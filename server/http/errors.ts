import type { FastifyError, FastifyInstance } from 'fastify';
import { DuplicateError, InUseError, InvalidValueError, UnknownReferenceError } from '../../db/errors.ts';

/** Stable error codes; the HTTP status of each is mapped here and only here. */
export const ERROR_STATUS = {
  ERR_VALIDATION: 400,
  ERR_UNAUTHENTICATED: 401,
  ERR_BAD_CREDENTIALS: 401,
  ERR_FORBIDDEN: 403,
  ERR_NOT_FOUND: 404,
  ERR_UNKNOWN_QUEUE: 404,
  ERR_DUPLICATE: 409,
  ERR_IN_USE: 409,
  ERR_CLOSED: 409,
  ERR_INVALID_STATE: 409,
  ERR_UNAVAILABLE_FEATURE: 409,
  ERR_UNKNOWN_REFERENCE: 422,
  ERR_TOO_MANY_REQUESTS: 429,
  ERR_UNAVAILABLE: 503,
  ERR_INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
  get statusCode(): number {
    return ERROR_STATUS[this.code];
  }
}

export function notFound(what: string, id: number | string): ApiError {
  return new ApiError('ERR_NOT_FOUND', `${what} ${id} not found`);
}

/** The body of every error response. */
export interface ErrorBody {
  statusCode: number;
  code: ErrorCode;
  error: string;
  message: string;
  field?: string;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict',
  413: 'Payload Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Entity', 429: 'Too Many Requests',
  500: 'Internal Server Error', 503: 'Service Unavailable',
};

function body(code: ErrorCode, statusCode: number, message: string, field?: string): ErrorBody {
  return { statusCode, code, error: REASONS[statusCode] ?? 'Error', message, ...(field ? { field } : {}) };
}

/** Maps every error to a clear JSON answer: schema violations name the field; unexpected errors say nothing inside. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | Error, request, reply) => {
    if (err instanceof ApiError) return reply.status(err.statusCode).send(body(err.code, err.statusCode, err.message, err.field));
    if (err instanceof DuplicateError) {
      return reply.status(409).send(body('ERR_DUPLICATE', 409, err.message, err.field));
    }
    if (err instanceof UnknownReferenceError) {
      return reply.status(422).send(body('ERR_UNKNOWN_REFERENCE', 422, err.message, err.field));
    }
    if (err instanceof InUseError) return reply.status(409).send(body('ERR_IN_USE', 409, err.message));
    if (err instanceof InvalidValueError) return reply.status(400).send(body('ERR_VALIDATION', 400, err.message, err.field));
    const fe = err as FastifyError;
    if (fe.validation) {
      const first = fe.validation[0];
      const where = fe.validationContext ?? 'body';
      const field = first ? fieldOf(first.instancePath, first.params) : undefined;
      const reason = first?.message ?? 'is invalid';
      const message = field ? `${where}.${field} ${reason}` : `${where} ${reason}`;
      return reply.status(400).send(body('ERR_VALIDATION', 400, message, field ? `${where}.${field}` : where));
    }
    if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
      return reply.status(fe.statusCode).send(body('ERR_VALIDATION', fe.statusCode, fe.message));
    }
    request.log.error({ err }, 'request failed');
    return reply.status(500).send(body('ERR_INTERNAL', 500, 'internal error'));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(body('ERR_NOT_FOUND', 404, `no route ${request.method} ${request.url.split('?')[0]}`)),
  );
}

function fieldOf(instancePath: string, params: Record<string, unknown>): string {
  const path = instancePath.replace(/^\//, '').replace(/\//g, '.');
  const extra = (params.missingProperty ?? params.additionalProperty) as string | undefined;
  return [path, extra].filter((p) => p !== undefined && p !== '').join('.');
}
