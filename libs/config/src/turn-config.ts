import { z } from 'zod';
import { booleanSetting, integerSetting, secondsSetting } from './settings';

/**
 * The STUN/TURN server the orchestrator supervises with `--turn`/`JIT_TURN` (Debian's coturn).
 * Spread into the orchestrator's settings table and schema: one parse, one place.
 */
export const TURN_SETTINGS = {
  turnSecret: { env: 'JIT_TURN_SECRET' },
  turnDataDir: { env: 'JIT_TURN_DATA_DIR' },
  turnRealm: { env: 'JIT_TURN_REALM' },
  turnHost: { env: 'JIT_TURN_HOST' },
  turnPort: { env: 'JIT_TURN_PORT' },
  turnTlsPort: { env: 'JIT_TURN_TLS_PORT' },
  turnTlsCert: { env: 'JIT_TURN_TLS_CERT' },
  turnTlsKey: { env: 'JIT_TURN_TLS_KEY' },
  turnCredentialTtl: { env: 'JIT_TURN_CREDENTIAL_TTL' },
  turnRelayPortMin: { env: 'JIT_TURN_RELAY_PORT_MIN' },
  turnRelayPortMax: { env: 'JIT_TURN_RELAY_PORT_MAX' },
  turnAllowLoopbackPeers: { env: 'JIT_TURN_ALLOW_LOOPBACK_PEERS' },
  turnServerPath: { env: 'JIT_TURN_SERVER_PATH' },
} as const satisfies Record<string, { env: string }>;

/** The fields, validated as the orchestrator's other settings are. */
export const turnSettingsShape = {
  /** The TURN REST API shared secret; when not given, the one kept in turnDataDir (made once). */
  turnSecret: z.string().min(16, 'must be at least 16 characters').optional(),
  /** coturn's state: the generated secret, its configuration file (the secret, 0600), pid file and database. */
  turnDataDir: z.string().min(1).default('.cache/turn'),
  turnRealm: z
    .string()
    .regex(/^[A-Za-z0-9.-]+$/, 'must be a domain-like name')
    .default('jit'),
  /** The address put in iceServers; default JIT_PUBLIC_IP, else this machine's first external IPv4 address. */
  turnHost: z
    .string()
    .regex(/^[A-Za-z0-9.:-]+$/, 'must be a host name or an IP address')
    .optional(),
  turnPort: integerSetting(1, 65535).default(3478),
  turnTlsPort: integerSetting(1, 65535).default(5349),
  turnTlsCert: z.string().min(1).optional(),
  turnTlsKey: z.string().min(1).optional(),
  /**
   * Seconds a credential is valid. coturn checks it on every refresh of an allocation, so it must
   * cover a session: default the session's maximum up time plus 10 minutes.
   */
  turnCredentialTtl: secondsSetting.optional(),
  /** UDP ports coturn relays on; kept apart from the JITs' media ports (JIT_CONTAINER_PORT_MIN..MAX). */
  turnRelayPortMin: integerSetting(1024, 65535).default(40000),
  turnRelayPortMax: integerSetting(1024, 65535).default(49151),
  /** Relay to 127.0.0.0/8 peers too (tests, where the JITs listen on loopback); never in production. */
  turnAllowLoopbackPeers: booleanSetting.default(false),
  turnServerPath: z.string().min(1).default('turnserver'),
};

interface TurnFields {
  turnTlsCert?: string;
  turnTlsKey?: string;
  turnRelayPortMin: number;
  turnRelayPortMax: number;
  containerPortMin: number;
  containerPortMax: number;
}

/** Cross-field checks, for the orchestrator schema's superRefine. */
export function checkTurnSettings(c: TurnFields, ctx: z.RefinementCtx): void {
  if ((c.turnTlsCert === undefined) !== (c.turnTlsKey === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['turnTlsKey'], message: 'give both JIT_TURN_TLS_CERT and JIT_TURN_TLS_KEY' });
  }
  if (c.turnRelayPortMin > c.turnRelayPortMax) {
    ctx.addIssue({ code: 'custom', path: ['turnRelayPortMax'], message: 'must not be below JIT_TURN_RELAY_PORT_MIN' });
  } else if (c.turnRelayPortMin <= c.containerPortMax && c.containerPortMin <= c.turnRelayPortMax) {
    ctx.addIssue({ code: 'custom', path: ['turnRelayPortMin'], message: 'overlaps the JITs’ media ports (JIT_CONTAINER_PORT_MIN..MAX)' });
  }
}
