import { parseOrchestratorConfig } from './orchestrator-config';

const parse = (args: string[], env: NodeJS.ProcessEnv = {}) => parseOrchestratorConfig(args, env, { writeErr: () => undefined });

describe('TURN settings', () => {
  it('has defaults that keep coturn’s relay ports apart from the JITs’ media ports', () => {
    expect(parse([])).toMatchObject({
      turn: false,
      turnRealm: 'jit',
      turnPort: 3478,
      turnTlsPort: 5349,
      turnRelayPortMin: 40000,
      turnRelayPortMax: 49151,
      turnAllowLoopbackPeers: false,
      turnServerPath: 'turnserver',
      turnDataDir: '.cache/turn',
    });
    expect(parse([]).turnSecret).toBeUndefined();
    expect(parse([]).turnCredentialTtl).toBeUndefined();
  });

  it('--dev, where everything runs on one machine, lets coturn relay to this machine’s own addresses', () => {
    expect(parse(['--dev'])).toMatchObject({ turn: true, turnAllowLoopbackPeers: true });
    expect(parse(['--dev'], { JIT_TURN_ALLOW_LOOPBACK_PEERS: 'false' }).turnAllowLoopbackPeers).toBe(true);
  });

  it('reads the JIT_TURN_* variables', () => {
    const c = parse(['-t'], {
      JIT_TURN_SECRET: 'a-secret-of-16-chars',
      JIT_TURN_HOST: 'turn.example.com',
      JIT_TURN_PORT: '19478',
      JIT_TURN_TLS_CERT: '/etc/ssl/turn.pem',
      JIT_TURN_TLS_KEY: '/etc/ssl/turn.key',
      JIT_TURN_CREDENTIAL_TTL: '600',
      JIT_TURN_ALLOW_LOOPBACK_PEERS: 'yes',
    });
    expect(c).toMatchObject({
      turn: true,
      turnHost: 'turn.example.com',
      turnPort: 19478,
      turnCredentialTtl: 600,
      turnAllowLoopbackPeers: true,
    });
  });

  it.each([
    [{ JIT_TURN_SECRET: 'short' }, /JIT_TURN_SECRET: must be at least 16 characters/],
    [{ JIT_TURN_TLS_CERT: '/c.pem' }, /JIT_TURN_TLS_KEY: give both JIT_TURN_TLS_CERT and JIT_TURN_TLS_KEY/],
    [{ JIT_TURN_RELAY_PORT_MIN: '50000' }, /JIT_TURN_RELAY_PORT_MAX: must not be below JIT_TURN_RELAY_PORT_MIN/],
    [{ JIT_TURN_RELAY_PORT_MIN: '49000', JIT_TURN_RELAY_PORT_MAX: '50000' }, /JIT_TURN_RELAY_PORT_MIN: overlaps the JITs’ media ports/],
    [{ JIT_TURN_PORT: '70000' }, /JIT_TURN_PORT/],
    [{ JIT_TURN_REALM: 'a b' }, /JIT_TURN_REALM: must be a domain-like name/],
    [{ JIT_TURN_CREDENTIAL_TTL: '-1' }, /JIT_TURN_CREDENTIAL_TTL/],
  ])('refuses %j naming the variable', (env, message) => {
    expect(() => parse([], env)).toThrow(message);
  });
});
