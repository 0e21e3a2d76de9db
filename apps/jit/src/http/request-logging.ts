import { Logger as NestPinoLogger, type Params, PinoLogger } from 'nestjs-pino';
import { pinoHttp } from 'pino-http';
import type { Logger } from '@jit/logging';

/*
 * Not nestjs-pino's LoggerModule: its per-request AsyncLocalStorage switches async hooks on for
 * every promise for the rest of the process, about a tenth of the main thread's time while a
 * viewer plays (werift makes promises per RTP packet). The JIT needs no request-scoped logger.
 */

/** Nest's own log lines through the JIT's pino logger. */
export function nestLogger(log: Logger): NestPinoLogger {
  const params: Params = { pinoHttp: { logger: log } };
  return new NestPinoLogger(new PinoLogger(params), params);
}

/** One line per HTTP request (verbose only): no headers (a bearer token, a Location with ?token=), the URL's ?token= masked. */
export function requestLogger(log: Logger) {
  return pinoHttp({
    logger: log,
    serializers: {
      req: (req: { id: unknown; method: string; url: string; remoteAddress?: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url.replace(/([?&]token=)[^&]*/g, '$1…'),
        remoteAddress: req.remoteAddress,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  });
}
