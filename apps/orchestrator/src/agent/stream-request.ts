import { CommanderError } from 'commander';
import { z } from 'zod';
import { COLORSPACES, ConfigError, THREAD_TYPES, inputSpecSchema, parseJitConfig } from '../../../../libs/config/src';

/**
 * `POST /streams`: what the orchestrator asks for, in the JIT's own option names. Types are
 * checked here; value ranges and combinations are checked by the JIT's own configuration
 * schema (libs/config parseJitConfig) on the command line built from it, so the agent accepts
 * exactly what the JIT accepts.
 */

export const STREAM_ID = /^[A-Za-z0-9_-]{1,64}$/;

const inputSchema = z.strictObject({
  ...inputSpecSchema.shape,
  url: inputSpecSchema.shape.url
    .refine((u) => !u.startsWith('-'), { message: 'must not start with "-"' })
    .refine((u) => !/^(channel_count|id)=/.test(u), { message: 'must not start with channel_count= or id=' }),
});

const integer = z.number().int();

/** Every JIT option a stream may set, with its JSON type (ranges: see parseJitConfig). */
export const streamOptionsSchema = z.strictObject({
  lowres: integer.optional(),
  width: integer.optional(),
  height: integer.optional(),
  frameRateNum: integer.optional(),
  frameRateDen: integer.optional(),
  sampleAspectNum: integer.optional(),
  sampleAspectDen: integer.optional(),
  colorspace: z.enum(COLORSPACES).optional(),
  bt2100ToneMapping: z.boolean().optional(),
  duration: integer.optional(),
  bitrate: integer.optional(),
  region: z.string().optional(),
  channels: integer.optional(),
  cho: integer.optional(),
  threads: integer.optional(),
  threadType: z.enum(THREAD_TYPES).optional(),
  technicalTimeout: z.number().optional(),
});
export type StreamOptions = z.infer<typeof streamOptionsSchema>;

export const streamRequestSchema = z.strictObject({
  id: z.string().regex(STREAM_ID, 'must be 1-64 characters of A-Z a-z 0-9 _ -'),
  /** The orchestrator's session: on the agent's and the JIT's log lines about this stream. */
  sessionId: z.string().regex(STREAM_ID, 'must be 1-64 characters of A-Z a-z 0-9 _ -').optional(),
  /** The token the JIT then requires from viewers (WHEP, /status); without it the JIT is open. */
  viewerToken: z.string().regex(/^[A-Za-z0-9_-]{16,256}$/, 'must be 16-256 characters of A-Z a-z 0-9 _ -').optional(),
  inputs: z.array(inputSchema).min(1, 'at least one input (the video) is required'),
  options: streamOptionsSchema.optional(),
});
export type StreamRequest = z.infer<typeof streamRequestSchema>;

/** The JIT flag of each option: the one place options become command-line flags. */
const FLAGS: { [K in keyof StreamOptions]-?: string } = {
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
  for (const [key, value] of Object.entries(request.options ?? {}) as [keyof StreamOptions, unknown][]) {
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
