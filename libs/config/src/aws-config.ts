import { z } from 'zod';
import { ConfigError, describeIssue } from './config-error';
import { integerSetting } from './settings';

/** The spec's AWSInstanceProvider settings (and ours: JIT_AWS_AGENT_PORT), by their variables. */
const AWS_SETTINGS = {
  amiId: 'JIT_AWS_AMI_ID',
  securityGroupId: 'JIT_AWS_SECURITY_GROUP_ID',
  region: 'AWS_REGION',
  instanceType: 'JIT_AWS_INSTANCE_TYPE',
  instanceProfileName: 'JIT_AWS_AGENT_INSTANCE_PROFILE_NAME',
  keyPairName: 'JIT_AWS_KEY_PAIR_NAME',
  subnetId: 'JIT_AWS_SUBNET_ID',
  managedTagKey: 'JIT_AWS_MANAGED_TAG_KEY',
  managedTagValue: 'JIT_AWS_MANAGED_TAG_VALUE',
  resourceTags: 'JIT_AWS_RESOURCES_TAGS',
  agentPort: 'JIT_AWS_AGENT_PORT',
} as const;

/** EC2 tag limits: keys up to 128 characters, values up to 256. */
const tagKey = z
  .string()
  .min(1)
  .max(128)
  .refine((k) => !k.toLowerCase().startsWith('aws:'), 'tag keys may not start with aws:');
const tagValue = z.string().max(256);

/** `K1=V1,K2=V2` (spaces around keys and values trimmed; a value may be empty, a key may not). */
const resourceTags = z
  .string()
  .transform((text, ctx) => {
    const tags: Record<string, string> = {};
    for (const pair of text
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const eq = pair.indexOf('=');
      const key = eq < 0 ? '' : pair.slice(0, eq).trim();
      if (!key) {
        ctx.addIssue({ code: 'custom', message: `"${pair}" is not KEY=VALUE (give K1=V1,K2=V2)` });
        return z.NEVER;
      }
      tags[key] = pair.slice(eq + 1).trim();
    }
    return tags;
  })
  .pipe(z.record(tagKey, tagValue));

const required = (what: string) => ({
  error: (issue: { input: unknown }) => (issue.input === undefined ? `is required with the AWSInstanceProvider (${what})` : undefined),
});

const awsConfigSchema = z
  .object({
    amiId: z
      .string(required('the AMI the JIT instances boot'))
      .regex(/^ami-[0-9a-zA-Z]+$/, 'must be an AMI id such as ami-0123456789abcdef0'),
    securityGroupId: z
      .string(required('the security group of the JIT instances'))
      .regex(/^sg-[0-9a-zA-Z]+$/, 'must be a security group id such as sg-0123456789abcdef0'),
    /** Unset: the region the orchestrator runs in, from the instance metadata service (at the first use). */
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as eu-north-1')
      .optional(),
    instanceType: z.string().min(1).default('c5n.xlarge'),
    instanceProfileName: z.string().min(1).optional(),
    keyPairName: z.string().min(1).default('JIT-Key-Pair'),
    subnetId: z
      .string()
      .regex(/^subnet-[0-9a-zA-Z]+$/, 'must be a subnet id such as subnet-0123456789abcdef0')
      .optional(),
    managedTagKey: tagKey.default('Managing-JIT-Orchestrator-ID'),
    managedTagValue: tagValue.min(1),
    resourceTags: resourceTags.default({}),
    /** Where the agent listens on each instance (its JIT_INSTANCE_AGENT_PORT). */
    agentPort: integerSetting(1, 65535).default(8081),
  })
  .superRefine((c, ctx) => {
    if (c.managedTagKey in c.resourceTags) {
      ctx.addIssue({
        code: 'custom',
        path: ['resourceTags'],
        message: `must not set the managed tag ${c.managedTagKey} (JIT_AWS_MANAGED_TAG_KEY)`,
      });
    }
  });

export type AwsConfig = z.infer<typeof awsConfigSchema>;

/**
 * The AWSInstanceProvider's settings from the environment; the managed tag value defaults to
 * `orchestratorId` (a UUID made at start-up). Throws ConfigError naming each variable at fault.
 */
export function parseAwsConfig(env: NodeJS.ProcessEnv, orchestratorId: string): AwsConfig {
  const raw: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(AWS_SETTINGS)) raw[key] = env[name] === '' ? undefined : env[name];
  raw.managedTagValue ??= orchestratorId;
  const parsed = awsConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const sourceOf = (key: string) => AWS_SETTINGS[key as keyof typeof AWS_SETTINGS] ?? key;
    throw new ConfigError(parsed.error.issues.map((i) => describeIssue(i, sourceOf)).join('; '));
  }
  return parsed.data;
}
