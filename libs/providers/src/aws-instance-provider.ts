import {
  DescribeInstancesCommand,
  EC2Client,
  type Instance as Ec2Instance,
  RunInstancesCommand,
  type RunInstancesCommandInput,
  type Tag,
  TerminateInstancesCommand,
  paginateDescribeInstances,
} from '@aws-sdk/client-ec2';
import { setTimeout as sleep } from 'node:timers/promises';
import { AWS_INSTANCE_PROVIDER, type AwsConfig, ConfigError } from '@jit/config';
import { ec2Failure, isNotFound, stateReasonFailure } from './aws-ec2-errors';
import { instanceRegion } from './aws-region';
import { agentUserData } from './aws-user-data';
import { type Instance, type InstanceProvider, ProvisionError, type ProviderContext, type RunningSession } from './instance-provider';

/** Tag naming the session an instance was launched for (next to the managed tag). */
export const SESSION_TAG_KEY = 'JIT-Session-ID';
/**
 * How long a provision waits for its instance to leave `pending` (EC2 takes 10–60 s): below the
 * provision activity's 2-minute limit, so a slow instance is terminated here rather than left
 * behind by an activity that timed out.
 */
const RUNNING_WAIT_S = 90;
const RUNNING_POLL_MS = 2000;
/** How long an isAlive answer is reused: the readiness wait asks every 50 ms, EC2 throttles. */
const ALIVE_CACHE_MS = 2000;
/** How long a readiness answer (a dry-run launch) is reused. */
const READY_CACHE_MS = 30_000;
/** States of an instance that is still ours to end (terminated ones are gone). */
const LIVE_STATES = ['pending', 'running', 'stopping', 'stopped'];

/**
 * One EC2 instance per session, launched from JIT_AWS_AMI_ID with the configured type, key pair,
 * security group, subnet and instance profile, and tagged (instance and volumes) with the managed
 * tag, the session and JIT_AWS_RESOURCES_TAGS. Its user data starts the agent on boot with the
 * shared secret. Released means terminated. The SDK's standard chains give the credentials and
 * honour AWS_ENDPOINT_URL(_EC2) (the tests point it at moto).
 */
export class AWSInstanceProvider implements InstanceProvider {
  protected readonly aws: AwsConfig;
  private client?: Promise<EC2Client>;
  private readonly alive = new Map<string, { at: number; alive: boolean }>();
  private ready?: { at: number; answer: Promise<Record<string, unknown>> };

  constructor(protected readonly context: ProviderContext) {
    if (!context.config.aws)
      throw new ConfigError('the AWSInstanceProvider needs its settings (JIT_AWS_AMI_ID, JIT_AWS_SECURITY_GROUP_ID, …)');
    this.aws = context.config.aws;
  }

  /** The EC2 client, in AWS_REGION or this machine's own region (a ProvisionError naming AWS_REGION when neither is known). */
  protected ec2(): Promise<EC2Client> {
    this.client ??= instanceRegion(this.aws.region).then((region) => new EC2Client({ region, maxAttempts: 5 }));
    return this.client.catch((error: unknown) => {
      this.client = undefined;
      throw error instanceof ConfigError ? new ProvisionError(error.message) : error;
    });
  }

  async provision(sessionId: string): Promise<Instance> {
    const ec2 = await this.ec2();
    let launched: Ec2Instance | undefined;
    try {
      launched = (await ec2.send(new RunInstancesCommand(this.launchRequest(sessionId)))).Instances?.[0];
    } catch (error) {
      throw ec2Failure('RunInstances', error);
    }
    const instanceId = launched?.InstanceId;
    if (!instanceId) throw new Error('EC2 RunInstances answered without an instance');
    this.context.log.info({ sessionId, instanceId, ami: this.aws.amiId, type: this.aws.instanceType }, 'EC2 instance launched');
    try {
      return this.instanceOf(await this.untilRunning(instanceId));
    } catch (error) {
      // Whatever went wrong, the instance is not left behind.
      await this.terminate([instanceId]).catch((e: unknown) =>
        this.context.log.error({ instanceId, err: e }, 'could not terminate a failed instance'),
      );
      throw error;
    }
  }

  async release(instance: Instance): Promise<void> {
    this.alive.delete(instance.id);
    await this.terminate([instance.details.instanceId ?? instance.id]);
    this.context.log.info({ instance: instance.id }, 'EC2 instance terminated');
  }

  async isAlive(instance: Instance): Promise<boolean> {
    const id = instance.details.instanceId ?? instance.id;
    const cached = this.alive.get(id);
    if (cached && Date.now() - cached.at < ALIVE_CACHE_MS) return cached.alive;
    let state: string | undefined;
    try {
      state = (await this.describe(id))?.State?.Name;
    } catch (error) {
      // EC2 not answering now (throttled) says nothing about the instance: the readiness wait has its own limit.
      this.context.log.warn({ instance: id, err: error }, 'EC2 DescribeInstances failed; the instance is taken as still up');
      return cached?.alive ?? true;
    }
    const alive = state === 'pending' || state === 'running';
    this.alive.set(id, { at: Date.now(), alive });
    return alive;
  }

  /**
   * Readiness (`GET /health/ready`): a dry run of the launch (EC2 checks the rights and the
   * request without launching), its answer reused for READY_CACHE_MS since the check is polled.
   */
  checkReady(): Promise<Record<string, unknown>> {
    if (!this.ready || Date.now() - this.ready.at > READY_CACHE_MS) this.ready = { at: Date.now(), answer: this.dryRun() };
    return this.ready.answer;
  }

  private async dryRun(): Promise<Record<string, unknown>> {
    const ec2 = await this.ec2();
    try {
      await ec2.send(new RunInstancesCommand({ ...this.launchRequest('readiness-check'), DryRun: true }));
    } catch (error) {
      if ((error as { name?: string }).name !== 'DryRunOperation') throw ec2Failure('RunInstances (dry run)', error);
    }
    return { region: await ec2.config.region(), ami: this.aws.amiId, instanceType: this.aws.instanceType };
  }

  /** The launch of a session's instance: exactly the configured settings and tags, one instance. */
  protected launchRequest(sessionId: string): RunInstancesCommandInput {
    const { aws } = this;
    const tags: Tag[] = [
      ...Object.entries(aws.resourceTags).map(([Key, Value]) => ({ Key, Value })),
      { Key: aws.managedTagKey, Value: aws.managedTagValue },
      { Key: SESSION_TAG_KEY, Value: sessionId },
    ];
    return {
      ImageId: aws.amiId,
      InstanceType: aws.instanceType as RunInstancesCommandInput['InstanceType'],
      KeyName: aws.keyPairName,
      SecurityGroupIds: [aws.securityGroupId],
      SubnetId: aws.subnetId,
      IamInstanceProfile: aws.instanceProfileName ? { Name: aws.instanceProfileName } : undefined,
      MinCount: 1,
      MaxCount: 1,
      // A shutdown from inside the instance ends it too: nothing stopped is left to pay for.
      InstanceInitiatedShutdownBehavior: 'terminate',
      // IMDSv2 only; two hops so the JIT containers (bridge network) get the instance role's
      // credentials for s3:// inputs.
      MetadataOptions: { HttpEndpoint: 'enabled', HttpTokens: 'required', HttpPutResponseHopLimit: 2 },
      UserData: Buffer.from(agentUserData(this.agentBoot(sessionId))).toString('base64'),
      TagSpecifications: [
        { ResourceType: 'instance', Tags: tags },
        { ResourceType: 'volume', Tags: tags },
      ],
    };
  }

  /**
   * Terminates the instances with this orchestrator's managed tag (key and value) that no running
   * session holds: a session holds its instance, and a session still provisioning holds the
   * instances tagged with its id; instances launched after `listedAt` belong to sessions started
   * since. Instances without the tag, or with another value, are never looked at.
   */
  async releaseOrphans(running: RunningSession[], listedAt: Date): Promise<void> {
    const ec2 = await this.ec2();
    const held = new Set(running.flatMap((s) => (s.instanceId ? [s.instanceId] : [])));
    const provisioning = new Set(running.filter((s) => !s.instanceId).map((s) => s.sessionId));
    const orphans: string[] = [];
    try {
      const pages = paginateDescribeInstances(
        { client: ec2 },
        {
          Filters: [
            { Name: `tag:${this.aws.managedTagKey}`, Values: [this.aws.managedTagValue] },
            { Name: 'instance-state-name', Values: LIVE_STATES },
          ],
        },
      );
      for await (const page of pages) {
        for (const found of (page.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
          const session = found.Tags?.find((t) => t.Key === SESSION_TAG_KEY)?.Value;
          const launchedBefore = found.LaunchTime !== undefined && found.LaunchTime < listedAt;
          if (found.InstanceId && launchedBefore && !held.has(found.InstanceId) && !(session && provisioning.has(session)))
            orphans.push(found.InstanceId);
        }
      }
    } catch (error) {
      throw ec2Failure('DescribeInstances', error);
    }
    const tag = `${this.aws.managedTagKey}=${this.aws.managedTagValue}`;
    if (orphans.length === 0) {
      this.context.log.info({ tag, held: held.size }, 'no orphaned EC2 instances');
      return;
    }
    await this.terminate(orphans);
    this.context.log.warn({ tag, instances: orphans }, 'terminated EC2 instances no running session holds');
  }

  /** The agent's settings on the instance: agent mode, the shared secret, this orchestrator's JIT settings. */
  protected agentBoot(sessionId: string) {
    const { config, agentSecret } = this.context;
    const env: Record<string, string> = {
      MAIN_MODULE: 'agent',
      JIT_INSTANCE_AGENT_HOST: '0.0.0.0',
      JIT_INSTANCE_AGENT_PORT: String(this.aws.agentPort),
      JIT_AGENT_SECRET: agentSecret,
      JIT_AGENT_RUNTIME: 'docker',
      JIT_IMAGE: config.jitImage,
      JIT_VERBOSE: String(config.verbose),
      JIT_CONTAINER_PORT_MIN: String(config.containerPortMin),
      JIT_CONTAINER_PORT_MAX: String(config.containerPortMax),
      JIT_PRUNE: String(config.prune),
      JIT_REMOVE_RUNNING: String(config.removeRunning),
      JIT_KEEP_CONTAINERS: String(config.keepContainers),
      ...(config.registryUsername && config.registryPassword
        ? { DOCKER_REGISTRY_USERNAME: config.registryUsername, DOCKER_REGISTRY_PASSWORD: config.registryPassword }
        : {}),
    };
    const registry =
      config.registryUsername && config.registryPassword
        ? { username: config.registryUsername, password: config.registryPassword }
        : undefined;
    return { sessionId, image: config.agentImage, env, registry };
  }

  /**
   * The instance as the orchestrator uses it: its agent on its private address (the orchestrator
   * runs in the same VPC), its streams on its public address when it has one.
   */
  protected instanceOf(described: Ec2Instance): Instance {
    const instanceId = described.InstanceId!;
    const privateIp = described.PrivateIpAddress;
    if (!privateIp) throw new ProvisionError(`EC2 instance ${instanceId} runs without a private address`);
    const publicIp = described.PublicIpAddress;
    return {
      id: instanceId,
      provider: AWS_INSTANCE_PROVIDER,
      agentUrl: `http://${privateIp}:${this.aws.agentPort}`,
      streamHost: publicIp ?? privateIp,
      details: {
        instanceId,
        privateIp,
        ...(publicIp ? { publicIp } : {}),
        ...(described.Placement?.AvailabilityZone ? { zone: described.Placement.AvailabilityZone } : {}),
      },
    };
  }

  private async untilRunning(instanceId: string): Promise<Ec2Instance> {
    const deadline = Date.now() + RUNNING_WAIT_S * 1000;
    for (;;) {
      // Just after RunInstances, EC2 may not know the id yet (eventual consistency): still pending.
      const described = await this.describe(instanceId);
      const state = described?.State?.Name ?? 'pending';
      if (described && state === 'running') return described;
      if (state !== 'pending') throw stateReasonFailure(instanceId, state, described?.StateReason);
      if (Date.now() > deadline) throw new Error(`EC2 instance ${instanceId} still pending after ${RUNNING_WAIT_S} s`);
      await sleep(RUNNING_POLL_MS);
    }
  }

  private async describe(instanceId: string): Promise<Ec2Instance | undefined> {
    const ec2 = await this.ec2();
    try {
      const answer = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
      return answer.Reservations?.[0]?.Instances?.[0];
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw ec2Failure('DescribeInstances', error);
    }
  }

  /** Terminates instances; ones already gone are fine. */
  private async terminate(instanceIds: string[]): Promise<void> {
    const ec2 = await this.ec2();
    try {
      await ec2.send(new TerminateInstancesCommand({ InstanceIds: instanceIds }));
    } catch (error) {
      if (isNotFound(error) && instanceIds.length === 1) return;
      throw ec2Failure('TerminateInstances', error);
    }
  }
}
