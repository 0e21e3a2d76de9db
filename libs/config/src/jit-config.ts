import { Command, Option, type OutputConfiguration } from 'commander';
import { z } from 'zod';
import { ConfigError, describeIssue } from './config-error';
import { inputSpecSchema, parseInputTokens } from './jit-inputs';
import { JIT_INPUT_ARGUMENTS, checkOptionCombinations, jitOptionEntries, jitOptionsCliShape, optionSource, valueName } from './jit-options';

const jitConfigSchema = z
  .object({
    inputs: z.array(inputSpecSchema).min(1, 'at least one input (the video) is required'),
    ...jitOptionsCliShape(),
  })
  .superRefine((c, ctx) => {
    checkOptionCombinations(c, ctx);
    if (c.portMin >= c.portMax) {
      ctx.addIssue({ code: 'custom', path: ['portMax'], message: 'must be greater than JIT_CONTAINER_PORT_MIN' });
    }
  });

export type JitConfig = z.infer<typeof jitConfigSchema>;

/** Where each setting comes from, to name it in error messages. */
const sourceOf = (key: string) => (key === 'inputs' ? '--input' : (optionSource(key) ?? key));

/** The commander option of each JIT option that has a flag (commander names its value by the option key). */
function commanderOptions(): Option[] {
  return jitOptionEntries().flatMap(([, spec]) => {
    if (!spec.flag) return [];
    const flags = `${spec.short ? `${spec.short}, ` : ''}${spec.flag}${spec.type.switch ? '' : ` <${valueName(spec.flag)}>`}`;
    const option = new Option(flags, spec.help);
    if (spec.type.choices) option.choices(spec.type.choices);
    return [option];
  });
}

/** The variables the JIT reads, for --help. */
function environmentHelp(): string {
  const lines = jitOptionEntries()
    .filter(([, spec]) => spec.env)
    .map(([, spec]) => `  ${spec.env}: ${spec.flag ? `${spec.flag}, when the flag is not given` : spec.help}`);
  return `\nEnvironment:\n${lines.join('\n')}`;
}

export function buildJitCommand(): Command {
  const command = new Command('jit')
    .description('JIT WebRTC: transcodes media just in time and streams it to a browser over WebRTC')
    .argument(JIT_INPUT_ARGUMENTS.positional.name, JIT_INPUT_ARGUMENTS.positional.help)
    .option(JIT_INPUT_ARGUMENTS.option.flags, JIT_INPUT_ARGUMENTS.option.help);
  for (const option of commanderOptions()) command.addOption(option);
  return command.addHelpText('after', environmentHelp()).showHelpAfterError('(jit --help lists the options)').exitOverride();
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
  const raw: Record<string, unknown> = { inputs };
  for (const [key, spec] of jitOptionEntries()) {
    // A flag beats its variable; an empty variable is unset.
    const fromFlag = spec.flag ? o[key] : undefined;
    raw[key] = fromFlag ?? ((spec.env && env[spec.env]) || undefined);
  }
  const parsed = jitConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => describeIssue(i, sourceOf)).join('; '));
  }
  return { ...parsed.data, deprecatedPositional: positional.length > 0 };
}
