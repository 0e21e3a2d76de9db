import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError, HTTP_REASON, HTTP_STATUS } from '@jit/errors';

/** The one place where the domain's errors become HTTP answers: status, Retry-After, a JSON body. */
@Catch(DomainError)
export class DomainErrorFilter implements ExceptionFilter {
  catch(error: DomainError, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const statusCode = HTTP_STATUS[error.kind];
    if (error.retryAfterS !== undefined) res.setHeader('Retry-After', String(error.retryAfterS));
    res.status(statusCode).json({
      statusCode,
      error: HTTP_REASON[error.kind],
      message: error.message,
      ...(error.retryAfterS !== undefined ? { retryAfter: error.retryAfterS } : {}),
      ...error.details,
    });
  }
}
