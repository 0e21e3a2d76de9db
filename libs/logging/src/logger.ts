import pino, { type Logger } from 'pino';

export type { Logger };

/** JSON logs on stderr (stdout stays free for machine-readable output), one line per event. */
export function createLogger(name: string, verbose: boolean, bindings: Record<string, unknown> = {}): Logger {
  return pino({ name, level: verbose ? 'debug' : 'info', base: { pid: process.pid, ...bindings } }, pino.destination(2));
}
