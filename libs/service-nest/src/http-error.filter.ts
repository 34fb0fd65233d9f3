import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
} from '@nestjs/common';
import type { Response } from 'express';

import { ServiceInvocationError } from '@tessera/registry-api';

interface BodyParserError {
  type?: string;
  status?: number;
}

/** The HTTP status and message for any error: status-coded errors keep theirs, the rest is a 500. */
export function httpErrorOf(error: unknown): { status: number; message: string } {
  if (error instanceof ServiceInvocationError)
    return { status: error.status, message: error.message };
  if (error instanceof HttpException) {
    const status = error.getStatus();
    return { status, message: status === 404 ? 'resource not found' : error.message };
  }
  const parser = error as BodyParserError;
  switch (parser.type) {
    case 'entity.parse.failed':
      return { status: 400, message: 'request body is not valid JSON' };
    case 'entity.too.large':
      return { status: 413, message: 'request body too large' };
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return { status: 415, message: 'unsupported request body encoding' };
    case 'request.aborted':
      return { status: 400, message: 'request aborted' };
    default:
      break;
  }
  if (typeof parser.status === 'number' && parser.status >= 400 && parser.status < 500) {
    return { status: parser.status, message: 'bad request' };
  }
  return { status: 500, message: 'internal error' };
}

/**
 * The one place where errors become HTTP responses, with Hono's `{"error": "…"}` body. Details of
 * unexpected errors are logged (never request bodies, which may hold secrets), not returned.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { status, message } = httpErrorOf(error);
    if (status >= 500) {
      this.logger.error(
        error instanceof Error ? `${error.name}: ${error.message}` : 'unexpected error',
      );
    }
    if (response.headersSent) return;
    if (status === 401) response.setHeader('WWW-Authenticate', 'Basic realm="Tessera"');
    response.status(status).json({ error: message });
  }
}
