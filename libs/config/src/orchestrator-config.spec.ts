import { ConfigError } from './config-error';
import { DEFAULT_JIT_IMAGE } from './agent-config';
import { SINGLE_INSTANCE_PROVIDER, parseOrchestratorConfig } from './orchestrator-config';

const parse = (args: string[], env: NodeJS.ProcessEnv = {}) => parseOrchestratorConfig(args, env, { writeErr: () => undefined });

describe('orchestrator configuration', () => {
  it('has the spec defaults', () => {
    expect(parse([])).toMatchObject({
      mainModule: 'orchestrator',
      verbose: false,
      host: '0.0.0.0',
      port: 8080,
      capacity: 64,
      turn: false,
      providerClassPath: SINGLE_INSTANCE_PROVIDER,
      instanceReadyTimeout: 120,
      sessionIdleTimeout: 120,
      sessionRunningTimeout: 120,
      pollInterval: 5,
      pollMaxIdleTime: 600,
      pollMaxUpTime: 14400,
      agentPortMin: 8081,
      agentPortMax: 8090,
      agentRuntime: 'auto',
      agentBinds: [],
      jitImage: DEFAULT_JIT_IMAGE,
      containerPortMin: 49152,
      containerPortMax: 65535,
      prune: false,
      removeRunning: false,
      keepContainers: false,
      temporalNamespace: 'default',
      worker: true,
    });
  });

  it('reads the environment, with the spec’s spelling of booleans', () => {
    const c = parse([], {
      JIT_VERBOSE: 'True',
      JIT_CAPACITY: '2',
      JIT_TURN: 'False',
      JIT_PUBLIC_IP: '203.0.113.9',
      JIT_INSTANCE_AGENT_STATUS_POLL_INTERVAL: '0.5',
      MAIN_MODULE: 'agent',
      TEMPORAL_ADDRESS: 'temporal:7233',
      JIT_ORCHESTRATOR_WORKER: 'false',
    });
    expect(c).toMatchObject({ verbose: true, capacity: 2, turn: false, publicIp: '203.0.113.9', pollInterval: 0.5, mainModule: 'agent' });
    expect(c).toMatchObject({ temporalAddress: 'temporal:7233', worker: false });
  });

  it('lets a flag beat the environment, and --dev beat the environment but not a flag', () => {
    expect(parse(['--port', '9000', '--capacity', '3'], { JIT_ORCHESTRATOR_PORT: '7000', JIT_CAPACITY: '9' })).toMatchObject({
      port: 9000,
      capacity: 3,
    });
    const dev = parse(['--dev', '--port', '9001'], { JIT_VERBOSE: 'false', JIT_IMAGE: 'other' });
    expect(dev).toMatchObject({
      verbose: true,
      removeRunning: true,
      prune: true,
      turn: true,
      jitImage: 'jit-orchestrator',
      host: '0.0.0.0',
      port: 9001,
    });
    expect(parse(['--no-worker']).worker).toBe(false);
  });

  it.each([
    [['--port', 'eighty'], {}, /--port\/JIT_ORCHESTRATOR_PORT/],
    [['--capacity', '0'], {}, /--capacity\/JIT_CAPACITY/],
    [[], { JIT_TURN: 'maybe' }, /--turn\/JIT_TURN: must be true or false/],
    [[], { JIT_INSTANCE_READY_TIMEOUT: '-1' }, /JIT_INSTANCE_READY_TIMEOUT/],
    [[], { JIT_INSTANCE_AGENT_PORT_MIN: '8090', JIT_INSTANCE_AGENT_PORT_MAX: '8081' }, /JIT_INSTANCE_AGENT_PORT_MAX/],
    [[], { DOCKER_REGISTRY_USERNAME: 'me' }, /DOCKER_REGISTRY_PASSWORD/],
    [[], { MAIN_MODULE: 'worker' }, /MAIN_MODULE/],
    [[], { JIT_AGENT_SECRET: 'short' }, /JIT_AGENT_SECRET/],
    [[], { JIT_PUBLIC_IP: 'not a host!' }, /--public-ip\/JIT_PUBLIC_IP: must be a host name/],
    [['--public-ip', 'not a host!'], {}, /--public-ip\/JIT_PUBLIC_IP: must be a host name/],
  ])('refuses %j %j naming the setting', (args, env, message) => {
    expect(() => parse(args, env)).toThrow(ConfigError);
    expect(() => parse(args, env)).toThrow(message);
  });

  it('takes a host name or an IP address as the public address', () => {
    for (const host of ['localhost', 'jit.example.com', '203.0.113.9', '2001:db8::7']) {
      expect(parse([], { JIT_PUBLIC_IP: host }).publicIp).toBe(host);
      expect(parse(['--public-ip', host]).publicIp).toBe(host);
    }
  });

  it("falls back to PUBLIC_IP, as the spec's --help says, behind JIT_PUBLIC_IP and the flag", () => {
    expect(parse([], { PUBLIC_IP: 'jit.example.com' }).publicIp).toBe('jit.example.com');
    expect(parse([], { PUBLIC_IP: 'a.example.com', JIT_PUBLIC_IP: 'b.example.com' }).publicIp).toBe('b.example.com');
    expect(parse(['--public-ip', 'c.example.com'], { PUBLIC_IP: 'a.example.com' }).publicIp).toBe('c.example.com');
  });
});
