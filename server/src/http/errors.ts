import { ERROR_CODES, type ErrorBody, type ErrorCode } from '@gridline/core';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';
import type { Logger } from 'pino';

export class HttpError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  get status(): number {
    return ERROR_CODES[this.code];
  }
}

export const notFound = (what: string) => new HttpError('NOT_FOUND', `${what} not found`);
export const conflict = (message: string, details?: unknown) =>
  new HttpError('CONFLICT', message, details);

/** Parses with a zod schema or throws a 400 naming every problem. */
export function parseOr400<T>(schema: z.ZodType<T>, input: unknown, what = 'request body'): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new HttpError(
    'VALIDATION_FAILED',
    `Invalid ${what}`,
    result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
  );
}

export function errorBody(code: ErrorCode, message: string, details?: unknown): ErrorBody {
  return details === undefined
    ? { error: { code, message } }
    : { error: { code, message, details } };
}

export const unknownRoute: RequestHandler = (req, res) => {
  res.status(404).json(errorBody('NOT_FOUND', `No route for ${req.method} ${req.path}`));
};

interface BodyParserError {
  type?: string;
  status?: number;
}

/** Every error leaves as the DESIGN.md error shape; never a stack trace. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (error instanceof HttpError) {
      res.status(error.status).json(errorBody(error.code, error.message, error.details));
      return;
    }
    const parserError = error as BodyParserError;
    if (parserError.type === 'entity.too.large') {
      res.status(413).json(errorBody('PAYLOAD_TOO_LARGE', 'Request body too large'));
      return;
    }
    if (parserError.type === 'entity.parse.failed' || parserError.type?.startsWith('encoding.')) {
      res.status(400).json(errorBody('BAD_REQUEST', 'Malformed JSON body'));
      return;
    }
    if (
      typeof parserError.status === 'number' &&
      parserError.status >= 400 &&
      parserError.status < 500
    ) {
      res.status(parserError.status).json(errorBody('BAD_REQUEST', 'Bad request'));
      return;
    }
    req.log?.error({ err: error }, 'unhandled error');
    if (!req.log) logger.error({ err: error }, 'unhandled error');
    res.status(500).json(errorBody('INTERNAL', 'Internal server error'));
  };
}
