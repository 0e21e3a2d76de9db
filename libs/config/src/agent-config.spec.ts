import { CommanderError } from 'commander';
import { DEFAULT_JIT_IMAGE, parseAgentConfig } from './agent-config';
import { ConfigError } from './config-error';

const SECRET = 'a-secret-of-sixteen+';
const parse = (args: string[], env: NodeJS.ProcessEnv = { JIT_AGENT_SECRET: SECRET }) =>
  parseAgentConfig(args, env, { writeErr: () => undefined, writeOut: () => undefined });

describe('agent configuration', () => {
  it('has the spec defaults', () => {
    expect(parse([])).toEqual({
      host: '0.0.0.0',
      port: 8081,
      verbose: false,
      image: DEFAULT_JIT_IMAGE,
      portMin: 49152,
      portMax: 65535,
      portBlock: 100,
      secret: SECRET,
      insecure: false,
      runtime: 'auto',
      prune: false,
      removeRunning: false,
      keepContainers: false,
      containerNetwork: 'bridge',
      containerBinds: [],
      startTimeout: 30,
    });
    expect(DEFAULT_JIT_IMAGE).toBe('codemill-docker.jfrog.io//accurate-player/accurate-player-jit/jit:latest');
  });

  it('reads every variable', () => {
    const c = parse([], {
      JIT_VERBOSE: 'False',
      JIT_INSTANCE_AGENT_HOST: '127.0.0.1',
      JIT_INSTANCE_AGENT_PORT: '9001',
      JIT_IMAGE: 'jit:dev',
      JIT_CONTAINER_PORT_MIN: '50000',
      JIT_CONTAINER_PORT_MAX: '50999',
      JIT_CONTAINER_PORT_BLOCK: '50',
      DOCKER_REGISTRY_USERNAME: 'user',
      DOCKER_REGISTRY_PASSWORD: 'pass',
      JIT_PUBLIC_IP: '203.0.113.9',
      JIT_AGENT_SECRET: SECRET,
      JIT_AGENT_RUNTIME: 'docker',
      DOCKER_HOST: 'unix:///run/podman.sock',
      JIT_PRUNE: 'YES',
      JIT_REMOVE_RUNNING: '1',
      JIT_KEEP_CONTAINERS: 'true',
      JIT_CONTAINER_NETWORK: 'host',
      JIT_CONTAINER_BINDS: '/media:/media:ro, /usr:/usr:ro',
      JIT_STREAM_START_TIMEOUT: '12.5',
    });
    expect(c).toMatchObject({
      verbose: false,
      host: '127.0.0.1',
      port: 9001,
      image: 'jit:dev',
      portMin: 50000,
      portMax: 50999,
      portBlock: 50,
      registryUsername: 'user',
      registryPassword: 'pass',
      publicIp: '203.0.113.9',
      runtime: 'docker',
      dockerHost: 'unix:///run/podman.sock',
      prune: true,
      removeRunning: true,
      keepContainers: true,
      containerNetwork: 'host',
      containerBinds: ['/media:/media:ro', '/usr:/usr:ro'],
      startTimeout: 12.5,
    });
  });

  it('lets a flag beat its variable, both ways for booleans', () => {
    const env = { JIT_AGENT_SECRET: SECRET, JIT_INSTANCE_AGENT_PORT: '9001', JIT_PRUNE: 'true', JIT_KEEP_CONTAINERS: 'no' };
    const c = parse(['--port', '9002', '--no-prune', '--keep-containers', '--runtime', 'process', '-v'], env);
    expect(c).toMatchObject({ port: 9002, prune: false, keepContainers: true, runtime: 'process', verbose: true });
    expect(parse(['-p', '--remove-running'], { JIT_AGENT_SECRET: SECRET })).toMatchObject({ prune: true, removeRunning: true });
  });

  it('refuses to start without a secret unless insecure', () => {
    expect(() => parse([], {})).toThrow(ConfigError);
    expect(() => parse([], {})).toThrow(/JIT_AGENT_SECRET: is not set.*--insecure/);
    expect(() => parse([], { JIT_AGENT_SECRET: 'short' })).toThrow(/JIT_AGENT_SECRET: must be at least 16 characters/);
    expect(parse(['--insecure'], {}).insecure).toBe(true);
    expect(parse([], { JIT_AGENT_INSECURE: 'TRUE' }).insecure).toBe(true);
  });

  it('names the variable or flag of a bad value', () => {
    expect(() => parse([], { JIT_AGENT_SECRET: SECRET, JIT_PRUNE: 'maybe' })).toThrow(/--prune \(JIT_PRUNE\): must be true or false/);
    expect(() => parse(['--port', '70000'])).toThrow(/--port \(JIT_INSTANCE_AGENT_PORT\)/);
    expect(() => parse([], { JIT_AGENT_SECRET: SECRET, JIT_INSTANCE_AGENT_PORT: 'x' })).toThrow(/JIT_INSTANCE_AGENT_PORT/);
    expect(() => parse([], { JIT_AGENT_SECRET: SECRET, JIT_CONTAINER_PORT_MIN: '60000', JIT_CONTAINER_PORT_MAX: '50000' })).toThrow(
      /JIT_CONTAINER_PORT_MAX\): must be greater than JIT_CONTAINER_PORT_MIN/,
    );
    expect(() => parse([], { JIT_AGENT_SECRET: SECRET, JIT_CONTAINER_PORT_MIN: '60000', JIT_CONTAINER_PORT_MAX: '60010' })).toThrow(
      /JIT_CONTAINER_PORT_BLOCK\): the range 60000-60010 holds fewer than one block of 100 ports/,
    );
    expect(() => parse([], { JIT_AGENT_SECRET: SECRET, JIT_PUBLIC_IP: 'not a host!' })).toThrow(/--public-ip \(JIT_PUBLIC_IP\)/);
    expect(() => parse([], { JIT_AGENT_SECRET: SECRET, DOCKER_REGISTRY_USERNAME: 'u' })).toThrow(/DOCKER_REGISTRY_PASSWORD: give both/);
    expect(() => parse([], { JIT_AGENT_SECRET: SECRET, JIT_AGENT_RUNTIME: 'kubernetes' })).toThrow(/--runtime \(JIT_AGENT_RUNTIME\)/);
    expect(() => parse([], { JIT_AGENT_SECRET: SECRET, JIT_CONTAINER_BINDS: 'media' })).toThrow(/JIT_CONTAINER_BINDS/);
    expect(() => parse(['--runtime', 'vm'])).toThrow(CommanderError);
    expect(() => parse(['--bogus'])).toThrow(CommanderError);
  });

  it('takes a host name or an IP address as the public address, by variable or flag', () => {
    for (const host of ['localhost', 'jit.example.com', '203.0.113.9', '2001:db8::7']) {
      expect(parse([], { JIT_AGENT_SECRET: SECRET, JIT_PUBLIC_IP: host }).publicIp).toBe(host);
      expect(parse(['--public-ip', host]).publicIp).toBe(host);
    }
    for (const garbage of ['not a host!', '999.1.1.1', 'http://jit.example.com', '-jit.example.com']) {
      expect(() => parse(['--public-ip', garbage])).toThrow(/--public-ip \(JIT_PUBLIC_IP\): must be a host name .* or an IP address/);
    }
  });
});
