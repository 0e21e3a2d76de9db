import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { Logger } from '@jit/logging';

/** The API's own routes (not probes, metrics, docs or the player page's files). */
const API_ROUTE = /^\/(session|sessions|media)(\/|\?|$)/;
const SESSION_IN_PATH = /^\/session\/(session-[0-9a-z-]{1,64})(\/|\?|$)/;

/** Where a controller puts the session a request made (POST /session), for its request log line. */
export const SESSION_LOCAL = 'sessionId';

/** The session a request concerns: in its path, or the one it created. */
function sessionFields(req: IncomingMessage, res: ServerResponse): Record<string, string> {
  const locals = (res as ServerResponse & { locals?: Record<string, unknown> }).locals;
  const id = SESSION_IN_PATH.exec(req.url ?? '')?.[1] ?? (typeof locals?.[SESSION_LOCAL] === 'string' ? locals[SESSION_LOCAL] : undefined);
  return id ? { sessionId: id, workflowId: id } : {};
}

/**
 * One JSON line per API request (method, path, status, time), with the session and workflow id
 * when it concerns a session; probes, /metrics and static files only with --verbose. Headers are
 * left out: they carry the API token.
 */
export function requestLogOptions(log: Logger, verbose: boolean): Params {
  return {
    pinoHttp: {
      logger: log,
      autoLogging: { ignore: (req) => !verbose && !API_ROUTE.test(req.url ?? '') },
      customProps: sessionFields,
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    },
  };
}
