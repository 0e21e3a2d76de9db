import { parseAwsConfig } from './aws-config';
import { ConfigError } from './config-error';
import { AWS_INSTANCE_PROVIDER, parseOrchestratorConfig } from './orchestrator-config';

const REQUIRED = { JIT_AWS_AMI_ID: 'ami-0123456789abcdef0', JIT_AWS_SECURITY_GROUP_ID: 'sg-0123456789abcdef0' };

describe('AWSInstanceProvider configuration', () => {
  it('has the spec defaults; the managed tag value is the orchestrator id', () => {
    expect(parseAwsConfig(REQUIRED, 'orch-uuid')).toEqual({
      amiId: 'ami-0123456789abcdef0',
      securityGroupId: 'sg-0123456789abcdef0',
      instanceType: 'c5n.xlarge',
      keyPairName: 'JIT-Key-Pair',
      managedTagKey: 'Managing-JIT-Orchestrator-ID',
      managedTagValue: 'orch-uuid',
      resourceTags: {},
      agentPort: 8081,
    });
  });

  it('reads every variable; tags are K1=V1,K2=V2', () => {
    const c = parseAwsConfig(
      {
        ...REQUIRED,
        AWS_REGION: 'eu-north-1',
        JIT_AWS_INSTANCE_TYPE: 'g5.xlarge',
        JIT_AWS_AGENT_INSTANCE_PROFILE_NAME: 'jit-agent',
        JIT_AWS_KEY_PAIR_NAME: 'ops',
        JIT_AWS_SUBNET_ID: 'subnet-0abc',
        JIT_AWS_MANAGED_TAG_KEY: 'Owner',
        JIT_AWS_MANAGED_TAG_VALUE: 'orchestrator-a',
        JIT_AWS_RESOURCES_TAGS: 'Team=review, Cost Center = 42 ,Empty=',
        JIT_AWS_AGENT_PORT: '9000',
      },
      'ignored',
    );
    expect(c).toEqual({
      amiId: 'ami-0123456789abcdef0',
      securityGroupId: 'sg-0123456789abcdef0',
      region: 'eu-north-1',
      instanceType: 'g5.xlarge',
      instanceProfileName: 'jit-agent',
      keyPairName: 'ops',
      subnetId: 'subnet-0abc',
      managedTagKey: 'Owner',
      managedTagValue: 'orchestrator-a',
      resourceTags: { Team: 'review', 'Cost Center': '42', Empty: '' },
      agentPort: 9000,
    });
  });

  it('names the missing required variables', () => {
    expect(() => parseAwsConfig({}, 'x')).toThrow(ConfigError);
    expect(() => parseAwsConfig({}, 'x')).toThrow(/JIT_AWS_AMI_ID: is required.*JIT_AWS_SECURITY_GROUP_ID: is required/);
    expect(() => parseAwsConfig({ JIT_AWS_AMI_ID: 'ami-1' }, 'x')).toThrow(/^JIT_AWS_SECURITY_GROUP_ID: is required/);
  });

  it('refuses values that make no sense, naming the variable', () => {
    expect(() => parseAwsConfig({ ...REQUIRED, JIT_AWS_AMI_ID: 'ubuntu' }, 'x')).toThrow(/JIT_AWS_AMI_ID: must be an AMI id/);
    expect(() => parseAwsConfig({ ...REQUIRED, AWS_REGION: 'Europe' }, 'x')).toThrow(/AWS_REGION: must be an AWS region/);
    expect(() => parseAwsConfig({ ...REQUIRED, JIT_AWS_RESOURCES_TAGS: 'a=1,b' }, 'x')).toThrow(
      /JIT_AWS_RESOURCES_TAGS: "b" is not KEY=VALUE/,
    );
    expect(() => parseAwsConfig({ ...REQUIRED, JIT_AWS_RESOURCES_TAGS: 'aws:x=1' }, 'x')).toThrow(/JIT_AWS_RESOURCES_TAGS.*aws:/);
    expect(() => parseAwsConfig({ ...REQUIRED, JIT_AWS_RESOURCES_TAGS: 'Managing-JIT-Orchestrator-ID=me' }, 'x')).toThrow(
      /JIT_AWS_RESOURCES_TAGS: must not set the managed tag/,
    );
    expect(() => parseAwsConfig({ ...REQUIRED, JIT_AWS_SUBNET_ID: 'vpc-1' }, 'x')).toThrow(/JIT_AWS_SUBNET_ID/);
  });

  it('is parsed with the orchestrator configuration only when the AWS provider is chosen', () => {
    const quiet = { writeErr: () => undefined };
    expect(parseOrchestratorConfig([], {}, quiet).aws).toBeUndefined();
    expect(() => parseOrchestratorConfig(['--instance-provider-path', AWS_INSTANCE_PROVIDER], {}, quiet)).toThrow(
      /JIT_AWS_AMI_ID: is required/,
    );
    const c = parseOrchestratorConfig([], { JIT_INSTANCE_PROVIDER_CLASS_PATH: 'AWSInstanceProvider', ...REQUIRED }, quiet);
    expect(c.aws).toMatchObject({ amiId: REQUIRED.JIT_AWS_AMI_ID, managedTagValue: c.orchestratorId });
    // A provider loaded by path that extends the AWS one.
    expect(parseOrchestratorConfig([], { JIT_INSTANCE_PROVIDER_CLASS_PATH: './mine.js', ...REQUIRED }, quiet).aws).toMatchObject({
      amiId: REQUIRED.JIT_AWS_AMI_ID,
    });
    expect(() => parseOrchestratorConfig([], { JIT_INSTANCE_PROVIDER_CLASS_PATH: './mine.js', JIT_AWS_AMI_ID: 'ami-1' }, quiet)).toThrow(
      /JIT_AWS_SECURITY_GROUP_ID/,
    );
  });
});
