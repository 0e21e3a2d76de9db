import { networkInterfaces } from 'node:os';
import type { OrchestratorConfig } from '@jit/config';
import { type IceServer, type TurnEndpoint, iceServersFor, turnCredential } from './turn-credentials';

/** Seconds a credential outlives the longest session by default. */
const TTL_MARGIN_S = 600;

/** This machine's first external IPv4 address (what a browser elsewhere can reach), else loopback. */
function externalIPv4(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    const found = addresses?.find((a) => a.family === 'IPv4' && !a.internal);
    if (found) return found.address;
  }
  return '127.0.0.1';
}

/** The iceServers a session's player gets: none without --turn, else STUN and fresh TURN credentials. */
export class IceServers {
  private readonly endpoint: TurnEndpoint | null;
  private readonly ttlS: number;

  constructor(
    config: OrchestratorConfig,
    private readonly secret: string | null,
  ) {
    this.endpoint = config.turn
      ? {
          host: config.turnHost ?? config.publicIp ?? externalIPv4(),
          port: config.turnPort,
          tlsPort: config.turnTlsCert ? config.turnTlsPort : undefined,
        }
      : null;
    this.ttlS = config.turnCredentialTtl ?? config.pollMaxUpTime + TTL_MARGIN_S;
  }

  /** Made at each call, so every GET of a session hands out a credential valid from now. */
  forSession(sessionId: string): IceServer[] {
    if (!this.endpoint || !this.secret) return [];
    return iceServersFor(this.endpoint, turnCredential(this.secret, sessionId, Date.now() / 1000 + this.ttlS));
  }
}
