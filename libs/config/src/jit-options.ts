import { z } from 'zod';
import { hostSetting } from './settings';

/**
 * The JIT's options, once: each one's value (type and bounds), default, command-line flag,
 * environment variable, help, and who may set it for a stream. The JIT's command line and
 * configuration (jit-config.ts), the session and restart request (libs/sessions), the agent's
 * start-stream request and the JIT command line it becomes (libs/protocol, the agent's
 * stream-request.ts), the OpenAPI document and docs/jit-cli.md (jit-options-doc.ts) are made
 * from this table.
 */

/** Default seconds a JIT waits without any viewer before it exits by itself. */
export const DEFAULT_TECHNICAL_TIMEOUT_S = 60;

export const COLORSPACES = ['bt709', 'bt601', 'bt470bg', 'smpte170m', 'smpte240m', 'fcc', 'bt2020'] as const;
export const THREAD_TYPES = ['slice', 'frame'] as const;

/** The inputs on the JIT's command line: `-i` and the deprecated positional form. */
export const JIT_INPUT_ARGUMENTS = {
  option: {
    flags: '-i, --input <URL...>',
    doc: '-i, --input URL [channel_count=N] [id=X] [URL …]',
    help: 'URL [channel_count=...] [id=...] [URL [channel_count=...] [id=...] ...]: specify input files with optional channel count and id. The first is the video file; others are audio.',
    details:
      'Inputs: the first is the video, the others audio. `-i` may be repeated. A local path, `file://`, `http://`, `https://` or `s3://bucket/key` URL (read through a presigned https URL, see `--region`; a missing bucket or key, a refusal or no credentials end the JIT at start-up naming the input). `channel_count=N` takes the first N channels of that file; `id=X` names the input in `/status`.',
  },
  positional: {
    name: '[URLS...]',
    doc: 'URLS (positional)',
    details: 'Deprecated form of `-i`; still works and logs a warning.',
    help: 'Deprecated, use -i,--input instead. Specify input files. The first is the video file; others are audio.',
  },
} as const;

/** An option's value: its schema as a JSON value, and how a command line or the environment gives it. */
export interface OptionType<S extends z.ZodType = z.ZodType> {
  readonly schema: S;
  /** A string on the command line or in the environment, read as a number. */
  readonly numeric?: true;
  /** A flag without a value. */
  readonly switch?: true;
  readonly choices?: readonly string[];
  /** The value column of the option table. */
  readonly text: string;
}

const integer = (min: number, max: number) =>
  ({ schema: z.number().int().min(min).max(max), numeric: true, text: `integer ${min}–${max}` }) as const;
const positiveNumber = (max: number) =>
  ({ schema: z.number().positive().max(max), numeric: true, text: `number > 0, at most ${max}` }) as const;
const oneOf = <const V extends readonly [string, ...string[]]>(values: V) =>
  ({ schema: z.enum(values), choices: values, text: values.map((v) => `\`${v}\``).join(', ') }) as const;
const pattern = (regex: RegExp, message: string, text: string) => ({ schema: z.string().regex(regex, message), text }) as const;
const onOff = { schema: z.boolean(), switch: true, text: 'switch' } as const;

export interface JitOptionSpec {
  readonly type: OptionType;
  /** The long flag; its value is named after it (`--frame-rate-num FRAME_RATE_NUM`). None: environment only. */
  readonly flag?: `--${string}`;
  readonly short?: `-${string}`;
  /** The variable read when the flag is not given (or, without a flag, the only source). */
  readonly env?: string;
  readonly default?: number | string | boolean;
  /** What happens when it is not given and has no default, for the docs. */
  readonly unset?: string;
  /** One line, for `jit --help` and the API's schemas. */
  readonly help: string;
  /** What it does, for docs/jit-cli.md (else the help). */
  readonly details?: string;
  /** Who may set it for a stream: a REST client (session and restart requests; so the agent too), or only the agent's start-stream request. None: the agent's runtime or the JIT itself. */
  readonly stream?: 'session' | 'agent';
}

/** In the order of `jit --help`: the spec's flags, the project's own, then the environment. */
export const JIT_OPTIONS = {
  lowres: {
    type: integer(0, 3),
    flag: '--lowres',
    default: 0,
    help: 'lowres scaling factor (0-3: divide the picture size by 2^LOWRES)',
    details: "Picture divided by 2^LOWRES in both directions; the decoder's own lowres is used where it has one.",
    stream: 'session',
  },
  sampleAspectNum: {
    type: integer(1, 1_000_000),
    flag: '--sample-aspect-num',
    unset: 'source',
    help: 'SAR numerator',
    details:
      'Pixel aspect of the source (with `--sample-aspect-den`), overriding its tag. Browsers ignore pixel aspect in a stream, so the picture is sent with square pixels: a 720×576 picture with 16:15 becomes 768×576.',
    stream: 'session',
  },
  sampleAspectDen: {
    type: integer(1, 1_000_000),
    flag: '--sample-aspect-den',
    unset: 'source',
    help: 'SAR denominator',
    details: 'Denominator of the pixel aspect (see `--sample-aspect-num`; give both).',
    stream: 'session',
  },
  colorspace: {
    type: oneOf(COLORSPACES),
    flag: '--colorspace',
    unset: 'source tag',
    help: 'Colorspace of the source (overrides its tag)',
    details:
      'Colour matrix of the source, overriding its tag. An untagged source is read as BT.709 from 720 lines up and BT.601 below, as players do. The output is always BT.709, limited range.',
    stream: 'session',
  },
  host: {
    type: { schema: z.string().min(1), text: 'address' },
    flag: '--host',
    default: '0.0.0.0',
    help: 'Host for HTTP server (default: 0.0.0.0)',
    details: 'HTTP address.',
  },
  port: {
    type: integer(0, 65535),
    flag: '--port',
    default: 8080,
    help: 'Port for HTTP server (default: 8080)',
    details: 'HTTP port (0: any free port; the port is logged).',
  },
  verbose: {
    type: onOff,
    flag: '--verbose',
    short: '-v',
    default: false,
    help: 'Verbose logging',
    details: 'Debug logs (every control command with its server-side time, connection states, FFmpeg warnings).',
  },
  channels: {
    type: integer(1, 256),
    flag: '--channels',
    unset: 'sum of the audio inputs',
    help: 'Expected number of channels',
    details:
      'Expected number of audio channels. The audio inputs form one row of channels, input after input; with `--channels` the row is cut or padded with silence to CHANNELS (a mismatch is logged), so channel numbers stay what the player expects.',
    stream: 'session',
  },
  cho: {
    type: integer(0, 255),
    flag: '--cho',
    default: 0,
    help: 'Initial channel offset',
    details: 'Initial audio channel offset: channels CHO and CHO+1 of the row are heard (left, right); below `--channels`.',
    stream: 'session',
  },
  threads: {
    type: integer(0, 64),
    flag: '--threads',
    default: 0,
    help: 'Number of threads to request (0: automatic)',
    details: 'Threads for the decoder and the encoder (0: automatic).',
    stream: 'session',
  },
  threadType: {
    type: oneOf(THREAD_TYPES),
    flag: '--thread-type',
    unset: 'per codec',
    help: 'Thread type (default: slice for intra-only codecs such as ProRes, frame for long-GOP ones)',
    details:
      "Decoder threading. By default `slice` for intra-only codecs (ProRes, DNxHD: a single frame decodes on every core, which is what a seek wants) and `frame` for long-GOP ones (a seek decodes a run of frames, which one-slice-per-frame streams such as x264's cannot share out by slices; frame threads then cut it by a fifth to a third on two cores). With `frame` and `--threads 0` the decoder gets as many threads as cores, at most 4 (each more holds a frame back).",
    stream: 'session',
  },
  bt2100ToneMapping: {
    type: onOff,
    flag: '--bt2100-tone-mapping',
    default: false,
    help: 'Deal with BT.2100 by inserting rudimentary tonemapping',
    details:
      'Tone-maps BT.2100 (PQ or HLG, from the source tags; an untagged source is taken as PQ BT.2020) to BT.709 SDR (zscale + hable).',
    stream: 'session',
  },
  width: {
    type: integer(16, 8192),
    flag: '--width',
    unset: 'source',
    help: 'Resolution width',
    details:
      "Output width. With only one of `--width` and `--height` the other keeps the picture's aspect. Sizes are rounded to even numbers.",
    stream: 'session',
  },
  height: {
    type: integer(16, 8192),
    flag: '--height',
    unset: 'source',
    help: 'Resolution height',
    details: 'Output height (see `--width`).',
    stream: 'session',
  },
  frameRateNum: {
    type: integer(1, 1_000_000),
    flag: '--frame-rate-num',
    unset: 'source rate',
    help: 'FPS numerator',
    details:
      "Output frame rate (over `--frame-rate-den`). Frame numbers (seek, step, state, `--duration`) count output frames; output frame *n* shows the source frame on screen at *n*/rate. The `tc` of the control messages counts output frames too, from the source's start timecode (its FF scaled to the new rate; drop-frame only when the new rate is 29.97 or 59.94).",
    stream: 'session',
  },
  frameRateDen: {
    type: integer(1, 1_000_000),
    flag: '--frame-rate-den',
    unset: '1',
    help: 'FPS denominator',
    details: 'Denominator of the output frame rate; only with `--frame-rate-num`.',
    stream: 'session',
  },
  region: {
    type: pattern(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as eu-north-1', 'AWS region'),
    flag: '--region',
    help: 'AWS S3 region',
    details:
      "AWS region of the `s3://` inputs (else the SDK's `AWS_REGION`/profile; neither: exit 2 naming the input). The presigned URLs (12 h, or until temporary credentials expire) are made with the standard AWS credential chain (environment, profile, SSO, instance role), never from the request; `AWS_ENDPOINT_URL(_S3)` is honoured by the SDK.",
    stream: 'session',
  },
  bitrate: {
    type: integer(1, 10_000_000_000),
    flag: '--bitrate',
    help: 'Bitrate in bits/s. Used for setting read-ahead defaults for S3 URLs. Give maximum peak bitrate of all files',
    details:
      "Peak bitrate of the inputs in bit/s. For remote inputs, each HTTP range request then fetches about two seconds of media (1–64 MiB) instead of FFmpeg's default, so playback does not wait on a round trip per chunk.",
    stream: 'session',
  },
  technicalTimeout: {
    type: positiveNumber(7 * 24 * 3600),
    flag: '--technical-timeout',
    default: DEFAULT_TECHNICAL_TIMEOUT_S,
    help: `Seconds without any viewer before the JIT exits by itself (default: ${DEFAULT_TECHNICAL_TIMEOUT_S}); extend it for debugging`,
    details:
      'Seconds the process waits without any viewer (from start, or since the last viewer left) before it exits by itself with code 0. Extend it for debugging.',
    stream: 'agent',
  },
  duration: {
    type: integer(1, 1_000_000_000),
    flag: '--duration',
    unset: 'whole clip',
    help: 'Duration in frames (exclusive).',
    details: 'Frames that can be shown: 0 … DURATION−1. Playing stops at DURATION−1 with state `ended`.',
    stream: 'session',
  },
  publicIp: {
    type: { schema: hostSetting, text: 'host name or IP address' },
    flag: '--public-ip',
    env: 'PUBLIC_IP',
    help: 'Public (internet facing) host name or IP address of this instance, announced as an extra ICE host candidate. If omitted, env PUBLIC_IP is used.',
    details:
      "Public (internet facing) host name or IP address of this instance, announced as an extra ICE host candidate on the same sockets (1:1 NAT), so a browser outside the host's network can reach it. A name is resolved once at start-up (one that does not resolve: exit 2).",
  },
  portMin: {
    type: integer(1024, 65535),
    env: 'JIT_CONTAINER_PORT_MIN',
    default: 49152,
    help: 'Lowest UDP port for media',
    details: 'UDP ports used for media stay in JIT_CONTAINER_PORT_MIN..JIT_CONTAINER_PORT_MAX (the agent passes its port block).',
  },
  portMax: {
    type: integer(1024, 65535),
    env: 'JIT_CONTAINER_PORT_MAX',
    default: 65535,
    help: 'Highest UDP port for media',
  },
  viewerToken: {
    type: pattern(/^[A-Za-z0-9_-]{16,256}$/, 'must be 16-256 characters of A-Z a-z 0-9 _ -', '16-256 characters of A-Z a-z 0-9 _ -'),
    env: 'JIT_VIEWER_TOKEN',
    unset: 'open',
    help: 'Viewers must present it on WHEP and /status',
    details:
      'Viewers must present it (`?token=` or `Authorization: Bearer`) on WHEP and /status; unset: open (standalone use). The agent sets it per session.',
  },
  sessionId: {
    type: pattern(/^[A-Za-z0-9_-]{1,100}$/, 'must be 1-100 characters of A-Z a-z 0-9 _ -', '1-100 characters of A-Z a-z 0-9 _ -'),
    env: 'JIT_SESSION_ID',
    help: 'Logged on every line',
    details: "The orchestrator's session this JIT serves: on every log line.",
  },
} as const satisfies Record<string, JitOptionSpec>;

export type JitOptionKey = keyof typeof JIT_OPTIONS;
type Options = typeof JIT_OPTIONS;

/** Every option, in table order. */
export const jitOptionEntries = () => Object.entries(JIT_OPTIONS) as [JitOptionKey, JitOptionSpec][];

/** `--frame-rate-num` → `FRAME_RATE_NUM`: the value's name in help and docs. */
export const valueName = (flag: string) => flag.replace(/^--/, '').replace(/-/g, '_').toUpperCase();

/** Where a setting comes from, for messages: `--port`, `--public-ip (PUBLIC_IP)`, `JIT_SESSION_ID`. */
export function optionSource(key: string): string | undefined {
  const spec = (JIT_OPTIONS as Record<string, JitOptionSpec>)[key];
  if (!spec) return undefined;
  if (spec.flag && spec.env) return `${spec.flag} (${spec.env})`;
  return spec.flag ?? spec.env;
}

// ---------------------------------------------------------------------------------------------
// Schemas made from the table

type SchemaOf<K extends JitOptionKey> = Options[K]['type']['schema'];
type CliField<K extends JitOptionKey> = Options[K] extends { default: unknown }
  ? z.ZodDefault<z.ZodPreprocess<SchemaOf<K>>>
  : z.ZodOptional<z.ZodPreprocess<SchemaOf<K>>>;
type StreamKeys<W> = { [K in JitOptionKey]: Options[K] extends { stream: W } ? K : never }[JitOptionKey];
type JsonShape<Keys extends JitOptionKey> = { [K in Keys]: z.ZodOptional<SchemaOf<K>> };

const numberFromText = (value: unknown) => (typeof value === 'string' ? Number(value) : value);

/** Each option as the JIT reads it (strings from its command line and environment), with its default. */
export function jitOptionsCliShape(): { [K in JitOptionKey]: CliField<K> } {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, spec] of jitOptionEntries()) {
    const value = z.preprocess((v: unknown) => (spec.type.numeric ? numberFromText(v) : v), spec.type.schema);
    shape[key] = spec.default === undefined ? value.optional() : value.default(spec.default as never);
  }
  return shape as { [K in JitOptionKey]: CliField<K> };
}

function jsonShape(who: readonly ('session' | 'agent')[]): Record<string, z.ZodType> {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, spec] of jitOptionEntries()) {
    if (!spec.stream || !who.includes(spec.stream)) continue;
    const meta = { description: spec.help, ...(spec.default === undefined ? {} : { default: spec.default }) };
    shape[key] = spec.type.schema.optional().meta(meta);
  }
  return shape;
}

/** The options a REST client may set (session and restart requests), as JSON values. */
export const sessionOptionsShape = () => jsonShape(['session']) as JsonShape<StreamKeys<'session'>>;

/** The options of the agent's start-stream request: the session's and those only the orchestrator sets. */
export const launchOptionsShape = () => jsonShape(['session', 'agent']) as JsonShape<StreamKeys<'session' | 'agent'>>;

type Combination = Partial<
  Pick<
    z.output<z.ZodObject<JsonShape<StreamKeys<'session'>>>>,
    'sampleAspectNum' | 'sampleAspectDen' | 'frameRateNum' | 'frameRateDen' | 'channels' | 'cho'
  >
>;

/** What the options must be together; the JIT's configuration and the agent's request both check it. */
export function checkOptionCombinations(c: Combination, ctx: z.RefinementCtx): void {
  if ((c.sampleAspectNum === undefined) !== (c.sampleAspectDen === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['sampleAspectDen'], message: 'give both --sample-aspect-num and --sample-aspect-den' });
  }
  if (c.frameRateDen !== undefined && c.frameRateNum === undefined) {
    ctx.addIssue({ code: 'custom', path: ['frameRateNum'], message: 'is required when --frame-rate-den is given' });
  }
  if (c.channels !== undefined && c.cho !== undefined && c.cho >= c.channels) {
    ctx.addIssue({ code: 'custom', path: ['cho'], message: `must be below --channels (${c.channels})` });
  }
}
