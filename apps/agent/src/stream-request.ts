import type { z } from 'zod';
import { JIT_OPTIONS, type JitOptionSpec } from '@jit/config';
import { StreamRequestError } from '@jit/errors';
import { type LaunchOptions, type StreamRequest, streamRequestSchema } from '@jit/protocol';

/**
 * `POST /streams` (libs/protocol streamRequestSchema): what the orchestrator asks for, in the
 * JIT's own option names, checked with the bounds and combinations of the JIT's option table
 * (libs/config JIT_OPTIONS), so the agent accepts exactly what the JIT accepts.
 */

const flagOf = (key: string): string | undefined => (JIT_OPTIONS as Record<string, JitOptionSpec>)[key]?.flag;

/**
 * The JIT command line for a request (inputs and options; the runtime adds --host, --port and
 * --verbose): `-i URL [channel_count=N] [id=X] … --flag value …`.
 */
export function jitArgs(request: Pick<StreamRequest, 'inputs' | 'options'>): string[] {
  const args = ['-i'];
  for (const input of request.inputs) {
    args.push(input.url);
    if (input.channelCount !== undefined) args.push(`channel_count=${input.channelCount}`);
    if (input.id !== undefined) args.push(`id=${input.id}`);
  }
  for (const [key, value] of Object.entries(request.options ?? {}) as [keyof LaunchOptions, unknown][]) {
    const flag = flagOf(key);
    if (value === undefined || value === false || !flag) continue;
    args.push(flag);
    if (value !== true) args.push(String(value));
  }
  return args;
}

/** `options.width (--width): Too small…`, `options.width: Invalid input: expected number…`, `inputs[0].url: …`. */
function describeZodIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.reduce<string>(
        (acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)),
        '',
      );
      // A value of the wrong type names the field; one the JIT would refuse (range, form, combination) its flag too.
      const refused = issue.code !== 'invalid_type' && issue.code !== 'invalid_value';
      const flag = refused && issue.path.length === 2 && issue.path[0] === 'options' ? flagOf(String(issue.path[1])) : undefined;
      return `${where || 'body'}${flag ? ` (${flag})` : ''}: ${issue.message}`;
    })
    .join('; ');
}

/** Validates a request body. Returns the request and the JIT command line it becomes. */
export function parseStreamRequest(body: unknown): { request: StreamRequest; args: string[] } {
  const parsed = streamRequestSchema.safeParse(body ?? {});
  if (!parsed.success) throw new StreamRequestError(describeZodIssues(parsed.error));
  return { request: parsed.data, args: jitArgs(parsed.data) };
}
