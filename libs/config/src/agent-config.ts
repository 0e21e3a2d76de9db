import { Command, Option, type OutputConfiguration } from 'commander';
import { z } from 'zod';
import { ConfigError, describeIssue } from './config-error';
import { hostSetting } from './settings';

/**
 * The instance agent's settings (`MAIN_MODULE=agent` or the `agent` subcommand): where it
 * serves, how it runs JITs (child processes or Docker containers) and which ports they get.
 * Every setting has an environment variable (the spec's names where the spec has one) and a
 * command-line flag; the flag beats the variable, the variable beats the default.
 */

/** The spec's default JIT image, spelled exactly as the spec spells it (double slash included). */
export const DEFAULT_JIT_IMAGE = 'codemill-docker.jfrog.io//accurate-player/accurate-player-jit/jit:latest';
export const AGENT_RUNTIMES = ['auto', 'docker', 'process'] as const;
export const CONTAINER_NETWORKS = ['bridge', 'host'] as const;
/** Shortest shared secret accepted: a guessable one is refused at start. */
export const MIN_AGENT_SECRET_LENGTH = 16;

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** true/false/1/0/yes/no/on/off, any case (the spec writes `False`); the empty string is "unset". */
const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);
const bool = z.preprocess(
  (v) => (typeof v === 'boolean' ? String(v) : v),
  z.string().transform((s, ctx) => {
    const v = s.trim().toLowerCase();
    if (TRUE.has(v)) return true;
    if (FALSE.has(v)) return false;
    ctx.addIssue({ code: 'custom', message: `must be true or false (or 1/0, yes/no), got "${s}"` });
    return z.NEVER;
  }),
);

const agentConfigSchema = z
  .object({
    host: z.string().min(1).default('0.0.0.0'),
    port: int(0, 65535).default(8081),
    verbose: bool.default(false),
    image: z.string().min(1).default(DEFAULT_JIT_IMAGE),
    portMin: int(1024, 65535).default(49152),
    portMax: int(1024, 65535).default(65535),
    portBlock: int(2, 64512).default(100),
    registryUsername: z.string().min(1).optional(),
    registryPassword: z.string().min(1).optional(),
    publicIp: hostSetting.optional(),
    secret: z.string().optional(),
    insecure: bool.default(false),
    runtime: z.enum(AGENT_RUNTIMES).default('auto'),
    dockerHost: z
      .string()
      .regex(/^(unix|tcp|http|https|npipe):\/\/.+/, 'must be unix:///path/docker.sock or tcp://host:port')
      .optional(),
    prune: bool.default(false),
    removeRunning: bool.default(false),
    keepContainers: bool.default(false),
    containerNetwork: z.enum(CONTAINER_NETWORKS).default('bridge'),
    containerBinds: z
      .string()
      .transform((s) =>
        s
          .split(',')
          .map((b) => b.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.string().regex(/^\/[^:]*:\/[^:]*(:(ro|rw|z|Z|ro,z|ro,Z))?$/, 'each bind must be /host/path:/container/path[:ro]')))
      .default([]),
    startTimeout: z.coerce.number().positive().max(3600).default(30),
  })
  .superRefine((c, ctx) => {
    if (c.portMin >= c.portMax) {
      ctx.addIssue({ code: 'custom', path: ['portMax'], message: `must be greater than JIT_CONTAINER_PORT_MIN (${c.portMin})` });
    } else if (c.portMax - c.portMin + 1 < c.portBlock) {
      ctx.addIssue({
        code: 'custom',
        path: ['portBlock'],
        message: `the range ${c.portMin}-${c.portMax} holds fewer than one block of ${c.portBlock} ports`,
      });
    }
    if ((c.registryUsername === undefined) !== (c.registryPassword === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['registryPassword'],
        message: 'give both DOCKER_REGISTRY_USERNAME and DOCKER_REGISTRY_PASSWORD',
      });
    }
    if (!c.insecure) {
      if (!c.secret) {
        ctx.addIssue({
          code: 'custom',
          path: ['secret'],
          message:
            'is not set: the agent API needs a shared secret (the orchestrator passes it to the agents it starts); ' +
            'set it, or start with --insecure (JIT_AGENT_INSECURE=true) to serve without authentication',
        });
      } else if (c.secret.length < MIN_AGENT_SECRET_LENGTH) {
        ctx.addIssue({ code: 'custom', path: ['secret'], message: `must be at least ${MIN_AGENT_SECRET_LENGTH} characters` });
      }
    }
  });

export type AgentConfig = z.infer<typeof agentConfigSchema>;

/** Each setting: its environment variable and its flag (for error messages and parsing). */
const SETTINGS = {
  host: { env: 'JIT_INSTANCE_AGENT_HOST', flag: '--host' },
  port: { env: 'JIT_INSTANCE_AGENT_PORT', flag: '--port' },
  verbose: { env: 'JIT_VERBOSE', flag: '--verbose' },
  image: { env: 'JIT_IMAGE', flag: '--image' },
  portMin: { env: 'JIT_CONTAINER_PORT_MIN', flag: '--container-port-min' },
  portMax: { env: 'JIT_CONTAINER_PORT_MAX', flag: '--container-port-max' },
  portBlock: { env: 'JIT_CONTAINER_PORT_BLOCK', flag: '--container-port-block' },
  registryUsername: { env: 'DOCKER_REGISTRY_USERNAME', flag: undefined },
  registryPassword: { env: 'DOCKER_REGISTRY_PASSWORD', flag: undefined },
  publicIp: { env: 'JIT_PUBLIC_IP', flag: '--public-ip' },
  secret: { env: 'JIT_AGENT_SECRET', flag: undefined },
  insecure: { env: 'JIT_AGENT_INSECURE', flag: '--insecure' },
  runtime: { env: 'JIT_AGENT_RUNTIME', flag: '--runtime' },
  dockerHost: { env: 'DOCKER_HOST', flag: undefined },
  prune: { env: 'JIT_PRUNE', flag: '--prune' },
  removeRunning: { env: 'JIT_REMOVE_RUNNING', flag: '--remove-running' },
  keepContainers: { env: 'JIT_KEEP_CONTAINERS', flag: '--keep-containers' },
  containerNetwork: { env: 'JIT_CONTAINER_NETWORK', flag: '--container-network' },
  containerBinds: { env: 'JIT_CONTAINER_BINDS', flag: '--container-binds' },
  startTimeout: { env: 'JIT_STREAM_START_TIMEOUT', flag: '--stream-start-timeout' },
} as const satisfies Record<keyof AgentConfig, { env: string; flag: string | undefined }>;

type Key = keyof typeof SETTINGS;

export function buildAgentCommand(): Command {
  return new Command('agent')
    .description('JIT instance agent: starts and stops JIT streams on this instance for the orchestrator (HTTP API, bearer secret)')
    .option('--host <HOST>', 'Address to listen on (env JIT_INSTANCE_AGENT_HOST, default: 0.0.0.0)')
    .option('--port <PORT>', 'Port (TCP) to listen on (env JIT_INSTANCE_AGENT_PORT, default: 8081)')
    .option('-v, --verbose', 'Verbose logging, also passed to the JITs (env JIT_VERBOSE)')
    .option('--no-verbose', 'Overrides JIT_VERBOSE=true')
    .option('-i, --image <IMAGE>', `Docker image of the JIT (env JIT_IMAGE, default: ${DEFAULT_JIT_IMAGE})`)
    .option('--container-port-min <N>', 'Lowest port (UDP media, TCP HTTP) of the JITs (env JIT_CONTAINER_PORT_MIN, default: 49152)')
    .option('--container-port-max <N>', 'Highest port of the JITs (env JIT_CONTAINER_PORT_MAX, default: 65535)')
    .option(
      '--container-port-block <N>',
      'Ports per stream: each stream gets its own block of the range (env JIT_CONTAINER_PORT_BLOCK, default: 100)',
    )
    .option('--public-ip <HOST>', 'Host name or IP address, passed to the JITs as PUBLIC_IP (env JIT_PUBLIC_IP)')
    .option('--insecure', 'Serve without a shared secret (env JIT_AGENT_INSECURE); only on a trusted network')
    .addOption(
      new Option(
        '--runtime <RUNTIME>',
        'How JITs run: docker, process, or auto (docker when the engine answers) (env JIT_AGENT_RUNTIME, default: auto)',
      ).choices(AGENT_RUNTIMES),
    )
    .option('-p, --prune', 'Remove non-running containers labelled jit at start (env JIT_PRUNE)')
    .option('--no-prune', 'Overrides JIT_PRUNE=true')
    .option('--remove-running', 'Remove running containers labelled jit at start (env JIT_REMOVE_RUNNING)')
    .option('--no-remove-running', 'Overrides JIT_REMOVE_RUNNING=true')
    .option('--keep-containers', "Don't remove stopped JIT containers (env JIT_KEEP_CONTAINERS)")
    .option('--no-keep-containers', 'Overrides JIT_KEEP_CONTAINERS=true')
    .addOption(
      new Option('--container-network <MODE>', 'Network of JIT containers (env JIT_CONTAINER_NETWORK, default: bridge)').choices(
        CONTAINER_NETWORKS,
      ),
    )
    .option(
      '--container-binds <BINDS>',
      'Comma-separated /host:/container[:ro] binds for JIT containers, e.g. a media folder (env JIT_CONTAINER_BINDS)',
    )
    .option('--stream-start-timeout <S>', 'Seconds a new JIT has to answer /health (env JIT_STREAM_START_TIMEOUT, default: 30)')
    .addHelpText(
      'after',
      '\nEnvironment only: JIT_AGENT_SECRET (required unless --insecure: clients send Authorization: Bearer <secret>), ' +
        'DOCKER_REGISTRY_USERNAME/DOCKER_REGISTRY_PASSWORD (login for pulling JIT_IMAGE), DOCKER_HOST (the Docker engine).',
    )
    .showHelpAfterError('(agent --help lists the options)')
    .exitOverride();
}

function sourceOf(key: string): string {
  const s = SETTINGS[key as Key];
  if (!s) return key;
  return s.flag ? `${s.flag} (${s.env})` : s.env;
}

/**
 * Parses and validates the agent's command line and environment. Throws ConfigError naming
 * the flag and variable at fault; commander's own errors (unknown flag, --help) surface as
 * CommanderError.
 */
export function parseAgentConfig(argv: readonly string[], env: NodeJS.ProcessEnv, output?: OutputConfiguration): AgentConfig {
  const command = buildAgentCommand();
  if (output) command.configureOutput(output);
  command.parse(argv as string[], { from: 'user' });
  const opts = command.opts<Record<string, string | boolean | undefined>>();
  const raw: Record<string, unknown> = {};
  for (const [key, { env: name }] of Object.entries(SETTINGS)) {
    // `--no-x` gives commander a default of true for x: only an explicit flag counts.
    const fromCli = command.getOptionValueSource(key) === 'cli' ? opts[key] : undefined;
    const fromEnv = env[name] === undefined || env[name] === '' ? undefined : env[name];
    const value = fromCli ?? fromEnv;
    if (value !== undefined) raw[key] = value;
  }
  const parsed = agentConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => describeIssue(i, sourceOf)).join('; '));
  }
  return parsed.data;
}

/** The config with the secrets masked, for logs. */
export function describeAgentConfig(config: AgentConfig): Record<string, unknown> {
  return {
    ...config,
    secret: config.secret ? '***' : undefined,
    registryPassword: config.registryPassword ? '***' : undefined,
  };
}
