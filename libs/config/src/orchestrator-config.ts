import { randomUUID } from 'node:crypto';
import { Command, type OutputConfiguration } from 'commander';
import { z } from 'zod';
import { AGENT_RUNTIMES, DEFAULT_JIT_IMAGE } from './agent-config';
import { type AwsConfig, parseAwsConfig } from './aws-config';
import { ConfigError, describeIssue } from './config-error';
import { SECURITY_SETTINGS, securitySettingsShape } from './security-config';
import { booleanSetting, hostSetting, integerSetting, secondsSetting } from './settings';
import { TURN_SETTINGS, checkTurnSettings, turnSettingsShape } from './turn-config';

export const SINGLE_INSTANCE_PROVIDER = 'orchestrator.providers.single_instance_provider.SingleInstanceProvider';
export const AWS_INSTANCE_PROVIDER = 'orchestrator.providers.aws_instance_provider.AWSInstanceProvider';
export const DEFAULT_AGENT_IMAGE = 'codemill-docker.jfrog.io/accurate-player/accurate-player-jit/jit-orchestrator:latest';

/**
 * Every orchestrator setting: the spec's environment variable (or our own, for Temporal and the
 * worker), its CLI flag where the spec has one, and the default.
 */
const SETTINGS = {
  mainModule: { env: 'MAIN_MODULE' },
  verbose: { env: 'JIT_VERBOSE', flag: '--verbose' },
  host: { env: 'JIT_ORCHESTRATOR_HOST', flag: '--host' },
  port: { env: 'JIT_ORCHESTRATOR_PORT', flag: '--port' },
  publicIp: { env: 'JIT_PUBLIC_IP', flag: '--public-ip' },
  capacity: { env: 'JIT_CAPACITY', flag: '--capacity' },
  turn: { env: 'JIT_TURN', flag: '--turn' },
  providerClassPath: { env: 'JIT_INSTANCE_PROVIDER_CLASS_PATH', flag: '--instance-provider-path' },
  instanceReadyTimeout: { env: 'JIT_INSTANCE_READY_TIMEOUT' },
  sessionIdleTimeout: { env: 'JIT_SESSION_IDLE_TIMEOUT' },
  sessionRunningTimeout: { env: 'JIT_SESSION_RUNNING_TIMEOUT' },
  pollInterval: { env: 'JIT_INSTANCE_AGENT_STATUS_POLL_INTERVAL', flag: '--instance-agent-status-poll-interval' },
  pollMaxIdleTime: { env: 'JIT_INSTANCE_AGENT_STATUS_POLL_MAX_IDLE_TIME', flag: '--instance-agent-status-poll-max-idle-time' },
  pollMaxUpTime: { env: 'JIT_INSTANCE_AGENT_STATUS_POLL_MAX_UP_TIME', flag: '--instance-agent-status-poll-max-up-time' },
  agentImage: { env: 'JIT_INSTANCE_AGENT_IMAGE' },
  agentRuntime: { env: 'JIT_INSTANCE_AGENT_RUNTIME' },
  agentBinds: { env: 'JIT_INSTANCE_AGENT_BINDS' },
  agentSpares: { env: 'JIT_INSTANCE_AGENT_SPARES' },
  agentPortMin: { env: 'JIT_INSTANCE_AGENT_PORT_MIN' },
  agentPortMax: { env: 'JIT_INSTANCE_AGENT_PORT_MAX' },
  jitImage: { env: 'JIT_IMAGE', flag: '--image' },
  containerPortMin: { env: 'JIT_CONTAINER_PORT_MIN', flag: '--container-port-min' },
  containerPortMax: { env: 'JIT_CONTAINER_PORT_MAX', flag: '--container-port-max' },
  registryUsername: { env: 'DOCKER_REGISTRY_USERNAME' },
  registryPassword: { env: 'DOCKER_REGISTRY_PASSWORD' },
  prune: { env: 'JIT_PRUNE', flag: '--prune' },
  removeRunning: { env: 'JIT_REMOVE_RUNNING', flag: '--remove-running' },
  keepContainers: { env: 'JIT_KEEP_CONTAINERS', flag: '--keep-containers' },
  agentSecret: { env: 'JIT_AGENT_SECRET' },
  agentSecretFile: { env: 'JIT_AGENT_SECRET_FILE' },
  temporalAddress: { env: 'TEMPORAL_ADDRESS' },
  temporalNamespace: { env: 'TEMPORAL_NAMESPACE' },
  temporalTaskQueue: { env: 'TEMPORAL_TASK_QUEUE' },
  temporalDataDir: { env: 'JIT_TEMPORAL_DATA_DIR' },
  worker: { env: 'JIT_ORCHESTRATOR_WORKER', flag: '--no-worker' },
  ...SECURITY_SETTINGS,
  ...TURN_SETTINGS,
} as const satisfies Record<string, { env: string; flag?: string }>;

type SettingKey = keyof typeof SETTINGS;

const orchestratorConfigSchema = z
  .object({
    mainModule: z.enum(['orchestrator', 'agent']).default('orchestrator'),
    verbose: booleanSetting.default(false),
    host: z.string().min(1).default('0.0.0.0'),
    port: integerSetting(0, 65535).default(8080),
    /** Host name or IP address of the jitUrl (and the TURN server) in /session answers. */
    publicIp: hostSetting.optional(),
    capacity: integerSetting(1, 100_000).default(64),
    turn: booleanSetting.default(false),
    providerClassPath: z.string().min(1).default(SINGLE_INSTANCE_PROVIDER),
    instanceReadyTimeout: secondsSetting.default(120),
    sessionIdleTimeout: secondsSetting.default(120),
    sessionRunningTimeout: secondsSetting.default(120),
    pollInterval: secondsSetting.default(5),
    pollMaxIdleTime: secondsSetting.default(600),
    pollMaxUpTime: secondsSetting.default(14400),
    agentImage: z.string().min(1).default(DEFAULT_AGENT_IMAGE),
    /** SingleInstanceProvider: agents as containers of agentImage (`docker`), child processes (`process`), or docker when it can be had (`auto`). */
    agentRuntime: z.enum(AGENT_RUNTIMES).default('auto'),
    /** Extra `/host:/container[:ro]` binds (comma-separated) for agent containers. */
    agentBinds: z
      .string()
      .transform((s) =>
        s
          .split(',')
          .map((b) => b.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.string().regex(/^\/[^:]*:\/[^:]*(:(ro|rw))?$/, 'each bind must be /host/path:/container/path[:ro]')))
      .default([]),
    /** SingleInstanceProvider, process form: agents kept started ahead of sessions (0: none). */
    agentSpares: integerSetting(0, 16).default(1),
    agentPortMin: integerSetting(1, 65535).default(8081),
    agentPortMax: integerSetting(1, 65535).default(8090),
    jitImage: z.string().min(1).default(DEFAULT_JIT_IMAGE),
    containerPortMin: integerSetting(1024, 65535).default(49152),
    containerPortMax: integerSetting(1024, 65535).default(65535),
    registryUsername: z.string().min(1).optional(),
    registryPassword: z.string().min(1).optional(),
    prune: booleanSetting.default(false),
    removeRunning: booleanSetting.default(false),
    keepContainers: booleanSetting.default(false),
    /** Shared with the agents; when not given, the one kept in agentSecretFile (made once). */
    agentSecret: z.string().min(16, 'must be at least 16 characters').optional(),
    /** Where the generated agent secret is kept, so agents outlive an orchestrator restart. */
    agentSecretFile: z.string().min(1).default('.cache/agent-secret'),
    /** Unset: the orchestrator starts its own Temporal development server. */
    temporalAddress: z.string().min(1).optional(),
    temporalNamespace: z.string().min(1).default('default'),
    temporalTaskQueue: z.string().min(1).default('jit-sessions'),
    temporalDataDir: z.string().min(1).default('.cache/temporal'),
    /** Run the Temporal worker inside the orchestrator (default); false when workers run on their own. */
    worker: booleanSetting.default(true),
    /** Names this orchestrator's resources (the AWS managed tag value, …). */
    orchestratorId: z.string().default(() => randomUUID()),
    ...securitySettingsShape,
    ...turnSettingsShape,
  })
  .superRefine((c, ctx) => {
    checkTurnSettings(c, ctx);
    if (c.agentPortMin > c.agentPortMax) {
      ctx.addIssue({ code: 'custom', path: ['agentPortMax'], message: 'must not be below JIT_INSTANCE_AGENT_PORT_MIN' });
    }
    if (c.containerPortMin >= c.containerPortMax) {
      ctx.addIssue({ code: 'custom', path: ['containerPortMax'], message: 'must be above the minimum container port' });
    } else if ((c.containerPortMax - c.containerPortMin + 1) / (c.agentPortMax - c.agentPortMin + 1) < 100) {
      // Each local agent gets its own slice of the media ports; a JIT takes a block of 100 of them.
      ctx.addIssue({
        code: 'custom',
        path: ['containerPortMax'],
        message: 'leaves fewer than 100 media ports per agent port (JIT_INSTANCE_AGENT_PORT_MIN..MAX)',
      });
    }
    if ((c.registryUsername === undefined) !== (c.registryPassword === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['registryPassword'],
        message: 'give both DOCKER_REGISTRY_USERNAME and DOCKER_REGISTRY_PASSWORD',
      });
    }
  });

/** `aws`: the AWSInstanceProvider's settings, parsed (and required) only when that provider is chosen or JIT_AWS_* are set. */
export type OrchestratorConfig = z.infer<typeof orchestratorConfigSchema> & { aws?: AwsConfig };

/** The names that choose the AWSInstanceProvider (JIT_INSTANCE_PROVIDER_CLASS_PATH). */
export const AWS_PROVIDER_NAMES = [AWS_INSTANCE_PROVIDER, 'AWSInstanceProvider'];

function sourceOf(key: string): string {
  const setting = SETTINGS[key as SettingKey];
  if (!setting) return key;
  return 'flag' in setting ? `${setting.flag}/${setting.env}` : setting.env;
}

/** `--dev`: what a developer wants locally; explicit flags still win. */
const DEV: Partial<Record<SettingKey, string | boolean>> = {
  verbose: true,
  removeRunning: true,
  prune: true,
  turn: true,
  // Everything runs on this machine: coturn must relay to the JITs on its own addresses.
  turnAllowLoopbackPeers: true,
  jitImage: 'jit-orchestrator',
  host: '0.0.0.0',
  port: '8080',
};

export function buildOrchestratorCommand(): Command {
  return new Command('orchestrator')
    .description('JIT Orchestrator')
    .option(
      '--public-ip <PUBLIC_IP>',
      'Used when building the jitUrl in /session response. If omitted, env JIT_PUBLIC_IP (else PUBLIC_IP) is used.',
    )
    .option('--host <HOST>', 'Host for HTTP server. Default: 0.0.0.0')
    .option('--port <PORT>', 'Port for HTTP server. Default: 8080')
    .option('--container-port-min <CONTAINER_PORT_MIN>', 'Container port range min. Default: 49152')
    .option('--container-port-max <CONTAINER_PORT_MAX>', 'Container port range max. Default: 65535')
    .option('--capacity <CAPACITY>', 'Max concurrent streaming services. Default: 64')
    .option('-t, --turn', 'Starts a TURN server on ports 3478 and 5349')
    .option('-i, --image <IMAGE>', `Remote Docker image (default: ${DEFAULT_JIT_IMAGE})`)
    .option('-p, --prune', 'Prune non-running containers with label jit')
    .option('--remove-running', 'Remove running containers with label jit')
    .option('--keep-containers', "Don't remove stopped containers (Docker: remove=False)")
    .option('-v, --verbose', 'Verbose logging')
    .option(
      '--dev',
      'Shortcut for: --verbose --remove-running --prune --turn --image jit-orchestrator --host 0.0.0.0 --port 8080, specific parameters may be overridden',
    )
    .option('--instance-provider-path <INSTANCE_PROVIDER_PATH>', 'Path to the instance provider implementation')
    .option('--instance-agent-status-poll-interval <S>', 'Interval for which the status of the agents will be polled')
    .option('--instance-agent-status-poll-max-idle-time <S>', 'Max amount of time an agent can be idle before it is killed')
    .option('--instance-agent-status-poll-max-up-time <S>', 'Max amount of time an agent can be running before it is killed')
    .option('--no-worker', 'Do not run a Temporal worker in this process (run apps/worker instead)')
    .addHelpText(
      'after',
      '\nEnvironment: every JIT_* variable of the spec, MAIN_MODULE, TEMPORAL_ADDRESS (unset: a Temporal dev server is started),\nTEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE, JIT_AGENT_SECRET,\nJIT_API_TOKEN (bearer token of the REST API), JIT_MEDIA_ROOTS (comma-separated folders and URL prefixes inputs must be under).\nCLI beats environment beats default.',
    )
    .showHelpAfterError('(orchestrator --help lists the options)')
    .exitOverride();
}

/** commander's key for a flag: `--instance-provider-path` → instanceProviderPath, `--no-worker` → worker. */
const optionKey = (flag: string) => flag.replace(/^--(no-)?/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * Parses the orchestrator's command line and environment: an explicit flag beats --dev, which
 * beats the environment, which beats the default. Throws ConfigError naming the setting at fault.
 */
export function parseOrchestratorConfig(argv: readonly string[], env: NodeJS.ProcessEnv, output?: OutputConfiguration): OrchestratorConfig {
  const command = buildOrchestratorCommand();
  if (output) command.configureOutput(output);
  command.parse(argv as string[], { from: 'user' });
  const flags = command.opts<Record<string, string | boolean | undefined>>();
  const raw: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(SETTINGS) as [SettingKey, { env: string; flag?: string }][]) {
    const fromFlag = setting.flag ? flags[optionKey(setting.flag)] : undefined;
    const fromEnv = env[setting.env];
    raw[key] = fromFlag ?? (flags.dev ? DEV[key] : undefined) ?? (fromEnv === '' ? undefined : fromEnv);
  }
  // The spec's help names env PUBLIC_IP for --public-ip, its table JIT_PUBLIC_IP: either is taken, JIT_PUBLIC_IP first.
  raw.publicIp ??= env.PUBLIC_IP || undefined;
  // commander's --no-worker sets worker=false, and true when absent: only false is a choice.
  raw.worker = flags.worker === false ? false : env.JIT_ORCHESTRATOR_WORKER || undefined;
  const parsed = orchestratorConfigSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => describeIssue(i, sourceOf)).join('; '));
  // A provider of one's own (by path) that extends the AWS one gets them when JIT_AWS_* are set.
  const awsChosen =
    AWS_PROVIDER_NAMES.includes(parsed.data.providerClassPath) || Object.keys(env).some((k) => k.startsWith('JIT_AWS_') && env[k]);
  if (!awsChosen) return parsed.data;
  return { ...parsed.data, aws: parseAwsConfig(env, parsed.data.orchestratorId) };
}
