/**
 * The AWSInstanceProvider against moto's EC2 (started on loopback by scripts/moto.sh), through
 * real orchestrators on a real Temporal dev server, sessions played in Chromium.
 *
 * Test seam: no instance boots under moto, so the agent an instance's user data would start runs
 * on this machine instead — test/aws/fixtures/local-agent-aws-provider.js, a subclass of the
 * provider that starts that agent as a local process with the settings read back from the
 * instance's user data. Launching, readiness (instance state), termination and orphan cleanup
 * are the provider's own calls to moto's EC2.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  CreateKeyPairCommand,
  CreateSecurityGroupCommand,
  DescribeImagesCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeSubnetsCommand,
  DescribeVolumesCommand,
  EC2Client,
  RunInstancesCommand,
  type Tag,
} from '@aws-sdk/client-ec2';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Client, Connection } from '@temporalio/client';
import type { Browser } from 'playwright-core';
import { parseOrchestratorConfig } from '@jit/config';
import { createLogger } from '@jit/logging';
import { AWSInstanceProvider } from '@jit/providers';
import { eventually } from '../support/eventually';
import { launchBrowser } from '../support/browser';
import { makeIndexedClip } from '../support/media';
import { type Moto, motoQuery, startMoto } from '../support/moto';
import { orchestratorMain, startOrchestrator, type RunningOrchestrator } from '../support/orchestrator-process';
import { playStream } from '../support/player';
import { http } from '../support/service-process';
import { ensureTemporal, type TemporalServer } from '../support/temporal';

jest.setTimeout(300_000);

const MOTO_PORT = 15000;
const PROVIDER = path.join(__dirname, 'fixtures', 'local-agent-aws-provider.js');
const SECRET = `aws-test-secret-${randomBytes(8).toString('hex')}`;
const TAG_VALUE = `jit-test-${randomBytes(4).toString('hex')}`;
const MANAGED = 'Managing-JIT-Orchestrator-ID';

let moto: Moto;
let temporal: TemporalServer;
let browser: Browser;
let clip: string;
let ec2: EC2Client;
let client: Client;
/** What the launches must carry: made in moto before the orchestrators start. */
const launch = { ami: '', securityGroup: '', subnet: '', keyPair: 'jit-test-keys', profile: 'jit-test-agent' };

beforeAll(async () => {
  [moto, temporal, browser, clip] = await Promise.all([
    startMoto(MOTO_PORT),
    ensureTemporal(),
    launchBrowser(),
    makeIndexedClip({ codec: 'prores', width: 640, height: 360, frames: 200 }),
  ]);
  ec2 = new EC2Client({});
  client = new Client({ connection: await Connection.connect({ address: temporal.address }), namespace: temporal.namespace });
  launch.ami = (await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }))).Images![0].ImageId!;
  const subnet = (await ec2.send(new DescribeSubnetsCommand({}))).Subnets![0];
  launch.subnet = subnet.SubnetId!;
  launch.securityGroup = (
    await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'jit-test', Description: 'JIT instances', VpcId: subnet.VpcId }))
  ).GroupId!;
  await ec2.send(new CreateKeyPairCommand({ KeyName: launch.keyPair }));
  await motoQuery(moto, 'iam', { Action: 'CreateInstanceProfile', InstanceProfileName: launch.profile, Version: '2010-05-08' });
});
afterAll(async () => {
  await browser?.close();
  await client?.connection.close();
  await temporal?.stop();
  await moto?.stop();
});

/** An orchestrator with the AWS provider (the local-agent seam) on its own task queue and ports. */
function orchestrator(
  name: string,
  agentPorts: [number, number],
  mediaPorts: number,
  env: NodeJS.ProcessEnv = {},
): Promise<RunningOrchestrator> {
  return startOrchestrator({
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: temporal.namespace,
    TEMPORAL_TASK_QUEUE: `aws-${name}`,
    JIT_INSTANCE_PROVIDER_CLASS_PATH: PROVIDER,
    JIT_AGENT_SECRET: SECRET,
    JIT_AWS_AMI_ID: launch.ami,
    JIT_AWS_SECURITY_GROUP_ID: launch.securityGroup,
    JIT_AWS_SUBNET_ID: launch.subnet,
    JIT_AWS_KEY_PAIR_NAME: launch.keyPair,
    JIT_AWS_AGENT_INSTANCE_PROFILE_NAME: launch.profile,
    JIT_AWS_INSTANCE_TYPE: 't3.small',
    JIT_AWS_MANAGED_TAG_VALUE: TAG_VALUE,
    JIT_AWS_RESOURCES_TAGS: 'Team=review,Cost Center=42',
    AWS_TEST_AGENT_PORT_MIN: String(agentPorts[0]),
    AWS_TEST_AGENT_PORT_MAX: String(agentPorts[1]),
    // One agent port for this provider's settings check; the JITs' ports below the ephemeral range.
    JIT_INSTANCE_AGENT_PORT_MIN: String(agentPorts[0]),
    JIT_INSTANCE_AGENT_PORT_MAX: String(agentPorts[0]),
    JIT_CONTAINER_PORT_MIN: String(mediaPorts),
    JIT_CONTAINER_PORT_MAX: String(mediaPorts + 199),
    ...env,
  });
}

const describeInstance = async (id: string) =>
  (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations![0].Instances![0];
const stateOf = async (id: string) => (await describeInstance(id)).State!.Name;
const sorted = (tags: Tag[] | undefined) => [...(tags ?? [])].map((t) => `${t.Key}=${t.Value}`).sort();

it('stops at start-up naming JIT_AWS_AMI_ID and JIT_AWS_SECURITY_GROUP_ID when they are missing', () => {
  const run = spawnSync(process.execPath, [orchestratorMain, '--instance-provider-path', 'AWSInstanceProvider'], {
    env: { PATH: process.env.PATH, TEMPORAL_ADDRESS: '127.0.0.1:1' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(run.status).toBe(2);
  expect(run.stderr).toMatch(/JIT_AWS_AMI_ID: is required.*JIT_AWS_SECURITY_GROUP_ID: is required/);
});

describe('sessions on EC2 instances', () => {
  let orch: RunningOrchestrator;
  beforeAll(async () => {
    orch = await orchestrator('main', [18500, 18509], 28000, { JIT_INSTANCE_AGENT_STATUS_POLL_INTERVAL: '1' });
  });
  afterAll(async () => orch?.stop());

  it('launches exactly the configured instance, plays through its agent, and terminates it when killed', async () => {
    const created = await http('POST', `${orch.url}/session`, { inputs: [{ url: clip }] });
    expect(created.status).toBe(201);
    const session = created.body;
    expect(session.instance.id).toMatch(/^i-[0-9a-f]+$/);

    const instance = await describeInstance(session.instance.id);
    expect(instance).toMatchObject({
      ImageId: launch.ami,
      InstanceType: 't3.small',
      KeyName: launch.keyPair,
      SubnetId: launch.subnet,
      State: { Name: 'running' },
      MetadataOptions: { HttpEndpoint: 'enabled', HttpTokens: 'required', HttpPutResponseHopLimit: 2 },
    });
    expect(instance.SecurityGroups!.map((g) => g.GroupId)).toEqual([launch.securityGroup]);
    expect(instance.IamInstanceProfile!.Arn).toMatch(new RegExp(`:instance-profile/${launch.profile}$`));
    const tags = [`${MANAGED}=${TAG_VALUE}`, 'Cost Center=42', `JIT-Session-ID=${session.sessionId}`, 'Team=review'].sort();
    expect(sorted(instance.Tags)).toEqual(tags);
    const volumes = (
      await ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [instance.InstanceId!] }] }))
    ).Volumes!;
    expect(volumes.length).toBeGreaterThan(0);
    for (const volume of volumes) expect(sorted(volume.Tags)).toEqual(tags);
    const userData = Buffer.from(
      (await ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: instance.InstanceId, Attribute: 'userData' }))).UserData!.Value!,
      'base64',
    ).toString();
    expect(userData).toMatch(/^#!\/bin\/bash\n/);
    expect(userData).toContain('\nMAIN_MODULE=agent\n');
    expect(userData).toContain(`\nJIT_AGENT_SECRET=${SECRET}\n`);
    expect(userData).toContain('--env-file /etc/jit-agent.env');

    await playStream(browser, session.jitUrl, 50);

    const ended = await http('DELETE', `${orch.url}/session/${session.sessionId}`);
    expect(ended.body).toMatchObject({ state: 'ended', endReason: 'killed' });
    expect(['shutting-down', 'terminated']).toContain(await stateOf(session.instance.id));
  });

  it('plays an s3:// input in a session: the JIT on the instance reads it with the instance role', async () => {
    const s3 = new S3Client({});
    await s3.send(new CreateBucketCommand({ Bucket: 'jit-review' }));
    await s3.send(new PutObjectCommand({ Bucket: 'jit-review', Key: 'cuts/clip.mov', Body: readFileSync(clip) }));
    s3.destroy();
    const created = await http('POST', `${orch.url}/session`, { inputs: [{ url: 's3://jit-review/cuts/clip.mov' }], region: 'us-east-1' });
    expect(created.status).toBe(201);
    await playStream(browser, created.body.jitUrl, 120);
    const missing = await http('POST', `${orch.url}/session`, { inputs: [{ url: 's3://jit-review/cuts/none.mov' }], region: 'us-east-1' });
    expect(missing.status).toBe(422);
    expect(missing.body.message).toContain('input s3://jit-review/cuts/none.mov: no object cuts/none.mov in bucket jit-review');
    expect((await http('DELETE', `${orch.url}/session/${created.body.sessionId}`)).body.state).toBe('ended');
    for (const s of [created.body, missing.body.session]) expect(await stateOf(s.instance.id)).toMatch(/shutting-down|terminated/);
  });

  it('is ready when EC2 would launch its instance (a dry run), and not when EC2 cannot be reached', async () => {
    const ready = await http('GET', `${orch.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(ready.body.info.instanceProvider).toMatchObject({
      status: 'up',
      region: 'us-east-1',
      ami: launch.ami,
      instanceType: 't3.small',
    });
    const cut = await orchestrator('unreachable', [18512, 18513], 28200, { AWS_ENDPOINT_URL: 'http://127.0.0.1:15049' });
    try {
      const notReady = await http('GET', `${cut.url}/health/ready`);
      expect(notReady.status).toBe(503);
      expect(notReady.body.error.instanceProvider.status).toBe('down');
    } finally {
      await cut.stop();
    }
  });

  it('fails a session on a bad AMI with the EC2 message, at once and with no instance left', async () => {
    const bad = await orchestrator('bad-ami', [18510, 18511], 28200, { JIT_AWS_AMI_ID: 'ami-00000000000000bad' });
    try {
      const started = Date.now();
      const failed = await http('POST', `${bad.url}/session`, { inputs: [{ url: clip }] });
      expect(failed.status).toBe(503);
      // Not retried: five attempts would take 15 s of back-off.
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(failed.body.session).toMatchObject({ state: 'failed', failedStep: 'instance', endReason: 'failed', instance: null });
      expect(failed.body.session.lastError).toMatch(/^EC2 RunInstances: InvalidAMIID\.NotFound: .*ami-00000000000000bad/);
      const launched = await ec2.send(
        new DescribeInstancesCommand({ Filters: [{ Name: 'tag:JIT-Session-ID', Values: [failed.body.session.sessionId] }] }),
      );
      expect(launched.Reservations ?? []).toEqual([]);
      // Its workflow ends before its worker does: a session workflow left without a worker would
      // make the next orchestrator's orphan cleanup stand back (it cannot read that session).
      await client.workflow.getHandle(failed.body.session.sessionId).result();
    } finally {
      await bad.stop();
    }
  });

  it('terminates, at start-up, only instances with its managed tag that no running session holds', async () => {
    const held = (await http('POST', `${orch.url}/session`, { inputs: [{ url: clip }] })).body;
    expect(held.state).toBe('running');
    const run = async (tags: Tag[]) =>
      (
        await ec2.send(
          new RunInstancesCommand({
            ImageId: launch.ami,
            MinCount: 1,
            MaxCount: 1,
            TagSpecifications: tags.length ? [{ ResourceType: 'instance', Tags: tags }] : undefined,
          }),
        )
      ).Instances![0].InstanceId!;
    const orphan = await run([
      { Key: MANAGED, Value: TAG_VALUE },
      { Key: 'JIT-Session-ID', Value: 'session-2020-01-01-0000000000' },
    ]);
    const untagged = await run([]);
    const otherOrchestrators = await run([{ Key: MANAGED, Value: 'another-orchestrator' }]);

    // A second orchestrator with the same managed tag, as after a restart: it cleans up at start-up.
    const second = await orchestrator('second', [18520, 18521], 28400);
    try {
      const orphanState = await eventually(
        () => stateOf(orphan),
        (s) => s !== 'running',
      );
      if (orphanState === 'running') throw new Error(`the orphan still runs; the second orchestrator's log:\n${second.output()}`);
      expect(orphanState).toMatch(/shutting-down|terminated/);
      expect(second.output()).toMatch(/terminated EC2 instances no running session holds/);
      expect(await stateOf(held.instance.id)).toBe('running');
      expect(await stateOf(untagged)).toBe('running');
      expect(await stateOf(otherOrchestrators)).toBe('running');
      await playStream(browser, held.jitUrl, 10);
    } finally {
      await second.stop();
    }
    expect((await http('DELETE', `${orch.url}/session/${held.sessionId}`)).body.state).toBe('ended');
    expect(await stateOf(held.instance.id)).toMatch(/shutting-down|terminated/);
  });
});

it('terminates an instance that fails after its launch, and says why', async () => {
  const config = parseOrchestratorConfig(['--instance-provider-path', 'AWSInstanceProvider'], {
    JIT_AWS_AMI_ID: launch.ami,
    JIT_AWS_SECURITY_GROUP_ID: launch.securityGroup,
    JIT_AWS_KEY_PAIR_NAME: launch.keyPair,
    AWS_REGION: moto.env.AWS_REGION,
  });
  // An instance EC2 launched but that cannot be used (here: as if it had no private address).
  class Unusable extends AWSInstanceProvider {
    protected override instanceOf(): never {
      throw new Error('unusable instance');
    }
  }
  const provider = new Unusable({ config, log: createLogger('test', false), agentEntry: '', agentSecret: SECRET });
  await expect(provider.provision('session-2026-01-01-00000000ff')).rejects.toThrow('unusable instance');
  const launched = (
    await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:JIT-Session-ID', Values: ['session-2026-01-01-00000000ff'] }] }))
  ).Reservations!.flatMap((r) => r.Instances!);
  expect(launched.map((i) => i.State!.Name)).toEqual([expect.stringMatching(/shutting-down|terminated/)]);
});

describe('sessions that end by themselves', () => {
  it('terminates the instance of an idle session and of one past its maximum up time', async () => {
    const idleOrch = await orchestrator('idle', [18530, 18534], 28600, {
      JIT_INSTANCE_AGENT_STATUS_POLL_INTERVAL: '0.5',
      JIT_INSTANCE_AGENT_STATUS_POLL_MAX_IDLE_TIME: '2',
    });
    const oldOrch = await orchestrator('old', [18535, 18539], 28800, {
      JIT_INSTANCE_AGENT_STATUS_POLL_INTERVAL: '0.5',
      JIT_INSTANCE_AGENT_STATUS_POLL_MAX_UP_TIME: '5',
    });
    try {
      const idle = (await http('POST', `${idleOrch.url}/session`, { inputs: [{ url: clip }] })).body;
      expect([idle.state, await stateOf(idle.instance.id)]).toEqual(['running', 'running']);
      const old = (await http('POST', `${oldOrch.url}/session`, { inputs: [{ url: clip }] })).body;
      expect([old.state, await stateOf(old.instance.id)]).toEqual(['running', 'running']);
      const read = (o: RunningOrchestrator, s: { sessionId: string }) => async () =>
        (await http('GET', `${o.url}/session/${s.sessionId}`)).body;
      expect(await eventually(read(idleOrch, idle), (b) => b.state === 'ended')).toMatchObject({ endReason: 'idle' });
      expect(await eventually(read(oldOrch, old), (b) => b.state === 'ended')).toMatchObject({ endReason: 'max-uptime' });
      for (const s of [idle, old]) expect(await stateOf(s.instance.id)).toMatch(/shutting-down|terminated/);
    } finally {
      await Promise.all([idleOrch.stop(), oldOrch.stop()]);
    }
  });
});
