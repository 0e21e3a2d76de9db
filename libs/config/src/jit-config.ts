import { Command, Option, type OutputConfiguration } from 'commander';
import { z } from 'zod';
import { ConfigError, describeIssue } from './config-error';
import { inputSpecSchema, parseInputTokens } from './jit-inputs';
import { hostSetting } from './settings';

/** Default seconds a JIT waits without any viewer before it exits by itself. */
export const DEFAULT_TECHNICAL_TIMEOUT_S = 60;

export const COLORSPACES = ['bt709', 'bt601', 'bt470bg', 'smpte170m', 'smpte240m', 'fcc', 'bt2020'] as const;
export const THREAD_TYPES = ['slice', 'frame'] as const;

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const jitConfigSchema = z
  .object({
    inputs: z.array(inputSpecSchema).min(1, 'at least one input (the video) is required'),
    lowres: int(0, 3).default(0),
    sampleAspectNum: int(1, 1_000_000).optional(),
    sampleAspectDen: int(1, 1_000_000).optional(),
    colorspace: z.enum(COLORSPACES).optional(),
    host: z.string().min(1).default('0.0.0.0'),
    port: int(0, 65535).default(8080),
    verbose: z.boolean().default(false),
    channels: int(1, 256).optional(),
    cho: int(0, 255).default(0),
    threads: int(0, 64).default(0),
    threadType: z.enum(THREAD_TYPES).optional(),
    bt2100ToneMapping: z.boolean().default(false),
    width: int(16, 8192).optional(),
    height: int(16, 8192).optional(),
    frameRateNum: int(1, 1_000_000).optional(),
    frameRateDen: int(1, 1_000_000).optional(),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as eu-north-1').optional(),
    bitrate: int(1, 10_000_000_000).optional(),
    technicalTimeout: z.coerce.number().positive().max(7 * 24 * 3600).default(DEFAULT_TECHNICAL_TIMEOUT_S),
    duration: int(1, 1_000_000_000).optional(),
    /** Announced as an extra ICE host candidate; a name is resolved once at start-up. */
    publicIp: hostSetting.optional(),
    portMin: int(1024, 65535).default(49152),
    portMax: int(1024, 65535).default(65535),
    /** Viewers must present it (`?token=` or `Authorization: Bearer`) on WHEP and /status; unset: open (standalone use). */
    viewerToken: z.string().regex(/^[A-Za-z0-9_-]{16,256}$/, 'must be 16-256 characters of A-Z a-z 0-9 _ -').optional(),
    /** The orchestrator's session this JIT serves: on every log line. */
    sessionId: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'must be 1-100 characters of A-Z a-z 0-9 _ -').optional(),
  })
  .superRefine((c, ctx) => {
    if ((c.sampleAspectNum === undefined) !== (c.sampleAspectDen === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['sampleAspectDen'], message: 'give both --sample-aspect-num and --sample-aspect-den' });
    }
    if (c.frameRateDen !== undefined && c.frameRateNum === undefined) {
      ctx.addIssue({ code: 'custom', path: ['frameRateNum'], message: 'is required when --frame-rate-den is given' });
    }
    if (c.portMin >= c.portMax) {
      ctx.addIssue({ code: 'custom', path: ['portMax'], message: 'must be greater than JIT_CONTAINER_PORT_MIN' });
    }
    if (c.channels !== undefined && c.cho >= c.channels) {
      ctx.addIssue({ code: 'custom', path: ['cho'], message: `must be below --channels (${c.channels})` });
    }
  });

export type JitConfig = z.infer<typeof jitConfigSchema>;

/** Where each setting comes from, to name it in error messages. */
const SOURCES: Record<string, string> = {
  inputs: '--input',
  sampleAspectNum: '--sample-aspect-num',
  sampleAspectDen: '--sample-aspect-den',
  threadType: '--thread-type',
  bt2100ToneMapping: '--bt2100-tone-mapping',
  frameRateNum: '--frame-rate-num',
  frameRateDen: '--frame-rate-den',
  technicalTimeout: '--technical-timeout',
  publicIp: '--public-ip (PUBLIC_IP)',
  portMin: 'JIT_CONTAINER_PORT_MIN',
  portMax: 'JIT_CONTAINER_PORT_MAX',
  viewerToken: 'JIT_VIEWER_TOKEN',
  sessionId: 'JIT_SESSION_ID',
};
const sourceOf = (key: string) => SOURCES[key] ?? `--${key}`;

export function buildJitCommand(): Command {
  return new Command('jit')
    .description('JIT WebRTC: transcodes media just in time and streams it to a browser over WebRTC')
    .argument('[URLS...]', 'Deprecated, use -i,--input instead. Specify input files. The first is the video file; others are audio.')
    .option(
      '-i, --input <URL...>',
      'URL [channel_count=...] [id=...] [URL [channel_count=...] [id=...] ...]: specify input files with optional channel count and id. The first is the video file; others are audio.',
    )
    .option('--lowres <LOWRES>', 'lowres scaling factor (0-3: divide the picture size by 2^LOWRES)')
    .option('--sample-aspect-num <SAMPLE_ASPECT_NUM>', 'SAR numerator')
    .option('--sample-aspect-den <SAMPLE_ASPECT_DEN>', 'SAR denominator')
    .addOption(new Option('--colorspace <COLORSPACE>', 'Colorspace of the source (overrides its tag)').choices(COLORSPACES))
    .option('--host <HOST>', 'Host for HTTP server (default: 0.0.0.0)')
    .option('--port <PORT>', 'Port for HTTP server (default: 8080)')
    .option('-v, --verbose', 'Verbose logging')
    .option('--channels <CHANNELS>', 'Expected number of channels')
    .option('--cho <CHO>', 'Initial channel offset')
    .option('--threads <THREADS>', 'Number of threads to request (0: automatic)')
    .addOption(new Option('--thread-type <THREAD_TYPE>', 'Thread type (default: slice for intra-only codecs such as ProRes, frame for long-GOP ones)').choices(THREAD_TYPES))
    .option('--bt2100-tone-mapping', 'Deal with BT.2100 by inserting rudimentary tonemapping')
    .option('--width <WIDTH>', 'Resolution width')
    .option('--height <HEIGHT>', 'Resolution height')
    .option('--frame-rate-num <FRAME_RATE_NUM>', 'FPS numerator')
    .option('--frame-rate-den <FRAME_RATE_DEN>', 'FPS denominator')
    .option('--region <REGION>', 'AWS S3 region')
    .option(
      '--bitrate <BITRATE>',
      'Bitrate in bits/s. Used for setting read-ahead defaults for S3 URLs. Give maximum peak bitrate of all files',
    )
    .option(
      '--technical-timeout <TECHNICAL_TIMEOUT>',
      `Seconds without any viewer before the JIT exits by itself (default: ${DEFAULT_TECHNICAL_TIMEOUT_S}); extend it for debugging`,
    )
    .option('--duration <DURATION>', 'Duration in frames (exclusive).')
    .option(
      '--public-ip <PUBLIC_IP>',
      'Public (internet facing) host name or IP address of this instance, announced as an extra ICE host candidate. If omitted, env PUBLIC_IP is used.',
    )
    .addHelpText('after', '\nEnvironment: PUBLIC_IP (when --public-ip is not given), JIT_CONTAINER_PORT_MIN/MAX (UDP port range for media),\nJIT_VIEWER_TOKEN (viewers must present it on WHEP and /status), JIT_SESSION_ID (logged on every line).')
    .showHelpAfterError('(jit --help lists the options)')
    .exitOverride();
}

/**
 * Parses and validates the JIT command line and environment. Throws ConfigError naming
 * the flag at fault; commander's own errors (unknown flag, --help) surface as CommanderError.
 */
export function parseJitConfig(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  output?: OutputConfiguration,
): JitConfig & { deprecatedPositional: boolean } {
  const command = buildJitCommand();
  if (output) command.configureOutput(output);
  command.parse(argv as string[], { from: 'user' });
  const o = command.opts<Record<string, string | boolean | string[] | undefined>>();
  const positional = command.args;
  const inputTokens = [...positional, ...((o.input as string[] | undefined) ?? [])];
  let inputs;
  try {
    inputs = parseInputTokens(inputTokens);
  } catch (e) {
    throw new ConfigError(`--input: ${(e as Error).message}`);
  }
  const raw = {
    ...o,
    input: undefined,
    inputs,
    verbose: o.verbose === true,
    bt2100ToneMapping: o.bt2100ToneMapping === true,
    publicIp: (o.publicIp as string | undefined) ?? (env.PUBLIC_IP || undefined),
    portMin: env.JIT_CONTAINER_PORT_MIN || undefined,
    portMax: env.JIT_CONTAINER_PORT_MAX || undefined,
    viewerToken: env.JIT_VIEWER_TOKEN || undefined,
    sessionId: env.JIT_SESSION_ID || undefined,
  };
  const parsed = jitConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => describeIssue(i, sourceOf)).join('; '));
  }
  return { ...parsed.data, deprecatedPositional: positional.length > 0 };
}
