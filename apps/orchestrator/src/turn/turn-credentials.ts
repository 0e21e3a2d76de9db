import { createHmac } from 'node:crypto';

/** One entry of RTCConfiguration.iceServers, as the REST API hands it to a player. */
export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

/**
 * A TURN credential by the TURN REST API scheme (coturn's --use-auth-secret): the username is
 * `<expiry unix time>:<name>`, the password base64(HMAC-SHA1(secret, username)). coturn refuses
 * it once the expiry has passed, so no password is ever fixed.
 */
export function turnCredential(secret: string, name: string, expiresAtS: number): { username: string; credential: string } {
  const username = `${Math.floor(expiresAtS)}:${name}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}

export interface TurnEndpoint {
  host: string;
  port: number;
  /** The TLS port, when coturn has a certificate. */
  tlsPort?: number;
}

/** The STUN URL, then the TURN URLs (UDP, TCP, TLS when configured) with a credential for `name`. */
export function iceServersFor(endpoint: TurnEndpoint, credential: { username: string; credential: string }): IceServer[] {
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  const turn = [`turn:${host}:${endpoint.port}?transport=udp`, `turn:${host}:${endpoint.port}?transport=tcp`];
  if (endpoint.tlsPort) turn.push(`turns:${host}:${endpoint.tlsPort}?transport=tcp`);
  return [{ urls: [`stun:${host}:${endpoint.port}`] }, { urls: turn, ...credential }];
}
