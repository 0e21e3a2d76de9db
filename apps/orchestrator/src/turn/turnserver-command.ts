import * as path from 'node:path';
import type { OrchestratorConfig } from '@jit/config';

/** Where coturn keeps what it writes, all under JIT_TURN_DATA_DIR (it may run as a non-root user). */
export function turnFiles(dataDir: string) {
  return {
    secret: path.join(dataDir, 'secret'),
    /** Only the shared secret: kept out of the command line, which every local user can read. */
    config: path.join(dataDir, 'turnserver.conf'),
    pid: path.join(dataDir, 'turnserver.pid'),
    database: path.join(dataDir, 'turndb'),
  };
}

/** Peers a relay must never reach: "this network" and link-local (cloud metadata at 169.254.169.254). */
const DENIED_PEERS = ['0.0.0.0-0.255.255.255', '169.254.0.0-169.254.255.255'];

/**
 * coturn's arguments: foreground, shared-secret (TURN REST API) authentication, STUN and TURN on
 * turnPort, TLS on turnTlsPort only with a certificate, no telnet CLI (its port would collide
 * between servers, and 4.6 wants a password for it), log lines on stdout for our logger.
 */
export function turnserverArgs(config: OrchestratorConfig): string[] {
  const files = turnFiles(config.turnDataDir);
  const args = [
    '-c',
    files.config,
    '--use-auth-secret',
    '--realm',
    config.turnRealm,
    '--listening-port',
    String(config.turnPort),
    '--min-port',
    String(config.turnRelayPortMin),
    '--max-port',
    String(config.turnRelayPortMax),
    '--fingerprint',
    '--no-cli',
    '--no-multicast-peers',
    ...DENIED_PEERS.flatMap((range) => ['--denied-peer-ip', range]),
    '--pidfile',
    files.pid,
    '--userdb',
    files.database,
    '--log-file',
    'stdout',
    '--simple-log',
  ];
  if (config.turnTlsCert && config.turnTlsKey) {
    args.push('--tls-listening-port', String(config.turnTlsPort), '--cert', config.turnTlsCert, '--pkey', config.turnTlsKey);
  } else {
    args.push('--no-tls', '--no-dtls');
  }
  if (config.turnAllowLoopbackPeers) args.push('--allow-loopback-peers');
  if (config.verbose) args.push('--verbose');
  return args;
}

export const turnserverConfigFile = (secret: string) => `static-auth-secret=${secret}\n`;
