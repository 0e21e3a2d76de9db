import { parseOrchestratorConfig } from '@jit/config';
import { turnserverArgs } from './turnserver-command';

const config = (env: NodeJS.ProcessEnv) => parseOrchestratorConfig(['--turn'], { JIT_TURN_DATA_DIR: '/var/lib/jit-turn', ...env });
const valueOf = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

describe('coturn arguments', () => {
  it('authenticate by the shared secret kept in a 0600 file, never on the command line', () => {
    const args = turnserverArgs(config({ JIT_TURN_SECRET: 'a-secret-of-16-chars' }));
    expect(args.join(' ')).not.toContain('a-secret-of-16-chars');
    expect(args).toContain('--use-auth-secret');
    expect(valueOf(args, '-c')).toBe('/var/lib/jit-turn/turnserver.conf');
    expect(valueOf(args, '--pidfile')).toBe('/var/lib/jit-turn/turnserver.pid');
    expect(args).toContain('--no-cli');
  });

  it('listen on the configured ports, TLS only with a certificate, loopback peers only when asked', () => {
    const plain = turnserverArgs(config({ JIT_TURN_PORT: '19478', JIT_TURN_RELAY_PORT_MIN: '30000', JIT_TURN_RELAY_PORT_MAX: '30999' }));
    expect([valueOf(plain, '--listening-port'), valueOf(plain, '--min-port'), valueOf(plain, '--max-port')]).toEqual([
      '19478',
      '30000',
      '30999',
    ]);
    expect(plain).toEqual(expect.arrayContaining(['--no-tls', '--no-dtls']));
    expect(plain).not.toContain('--allow-loopback-peers');
    expect(plain).toEqual(expect.arrayContaining(['--denied-peer-ip', '169.254.0.0-169.254.255.255']));
    const tls = turnserverArgs(config({ JIT_TURN_TLS_CERT: '/c.pem', JIT_TURN_TLS_KEY: '/k.pem', JIT_TURN_ALLOW_LOOPBACK_PEERS: 'true' }));
    expect([valueOf(tls, '--tls-listening-port'), valueOf(tls, '--cert'), valueOf(tls, '--pkey')]).toEqual(['5349', '/c.pem', '/k.pem']);
    expect(tls).not.toContain('--no-tls');
    expect(tls).toContain('--allow-loopback-peers');
  });
});
