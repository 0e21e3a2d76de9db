import { CommanderError } from 'commander';
import type { z } from 'zod';
import { ConfigError, parseJitConfig } from '../../../../libs/config/src';
import { type LaunchOptions, type StreamRequest, streamRequestSchema } from '../../../../libs/protocol/src';

/**
 * `POST /streams` (libs/protocol streamRequestSchema): what the orchestrator asks for, in the
 * JIT's own option names. Types are checked by the schema; value ranges and combinations are
 * checked by the JIT's own configuration schema (libs/config parseJitConfig) on the command line
 * built from it, so the agent accepts exactly what the JIT accepts.
 */

/** The JIT flag of each option: the one place options become command-line flags. */
const FLAGS: { [K in keyof LaunchOptions]-?: string } = {
  lowres: '--lowres',
  width: '--width',
  height: '--height',
  frameRateNum: '--frame-rate-num',
  frameRateDen: '--frame-rate-den',
  sampleAspectNum: '--sample-aspect-num',
  sampleAspectDen: '--sample-aspect-den',
  colorspace: '--colorspace',
  bt2100ToneMapping: '--bt2100-tone-mapping',
  duration: '--duration',
  bitrate: '--bitrate',
  region: '--region',
  channels: '--channels',
  cho: '--cho',
  threads: '--threads',
  threadType: '--thread-type',
  technicalTimeout: '--technical-timeout',
};

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
    if (value === undefined || value === false) continue;
    args.push(FLAGS[key]);
    if (value !== true) args.push(String(value));
  }
  return args;
}

/** A request that is not valid; the message names the field at fault. */
export class StreamRequestError extends Error {
  override readonly name = 'StreamRequestError';
}

const FIELD_OF_FLAG = new Map<string, string>([
  ['--input', 'inputs'],
  ...Object.entries(FLAGS).map(([key, flag]) => [flag, `options.${key}`] as [string, string]),
]);

/** `--lowres: Too big…` from the JIT's schema becomes `options.lowres (--lowres): Too big…`. */
function renameFlags(message: string): string {
  return message.replace(/(^|; )(--[a-z0-9-]+)/g, (whole, sep: string, flag: string) => {
    const field = FIELD_OF_FLAG.get(flag);
    return field ? `${sep}${field} (${flag})` : whole;
  });
}

function describeZodIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.reduce<string>(
        (acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)),
        '',
      );
      return `${where || 'body'}: ${issue.message}`;
    })
    .join('; ');
}

/**
 * Validates a request body: its shape with the schema above, then its values with the JIT's own
 * configuration parser on the command line it becomes. Returns the request and that command line.
 */
export function parseStreamRequest(body: unknown): { request: StreamRequest; args: string[] } {
  const parsed = streamRequestSchema.safeParse(body ?? {});
  if (!parsed.success) throw new StreamRequestError(describeZodIssues(parsed.error));
  const request = parsed.data;
  const args = jitArgs(request);
  try {
    parseJitConfig(args, {}, { writeErr: () => undefined, writeOut: () => undefined });
  } catch (error) {
    if (error instanceof ConfigError) throw new StreamRequestError(renameFlags(error.message));
    if (error instanceof CommanderError) throw new StreamRequestError(renameFlags(error.message));
    throw error;
  }
  return { request, args };
}
