import { createHmac } from 'node:crypto';
import { iceServersFor, turnCredential } from './turn-credentials';

describe('TURN REST API credentials', () => {
  it('signs <expiry>:<name> with HMAC-SHA1 of the shared secret, in base64', () => {
    const c = turnCredential('0123456789abcdef', 'session-1', 1_900_000_000.7);
    expect(c.username).toBe('1900000000:session-1');
    // RFC 2104 HMAC computed by hand from the definition, not by the function under test's path.
    const key = Buffer.alloc(64);
    Buffer.from('0123456789abcdef').copy(key);
    const pad = (b: number) => Buffer.from(key.map((k) => k ^ b));
    const sha1 = (b: Buffer) => require('node:crypto').createHash('sha1').update(b).digest() as Buffer;
    const expected = sha1(Buffer.concat([pad(0x5c), sha1(Buffer.concat([pad(0x36), Buffer.from(c.username)]))])).toString('base64');
    expect(c.credential).toBe(expected);
    expect(c.credential).toBe(createHmac('sha1', '0123456789abcdef').update(c.username).digest('base64'));
    expect(turnCredential('another-secret-16', 'session-1', 1_900_000_000).credential).not.toBe(c.credential);
  });

  it('lists STUN, TURN over UDP and TCP, and TURN over TLS only with a TLS port', () => {
    const credential = { username: 'u', credential: 'p' };
    expect(iceServersFor({ host: '203.0.113.9', port: 3478 }, credential)).toEqual([
      { urls: ['stun:203.0.113.9:3478'] },
      { urls: ['turn:203.0.113.9:3478?transport=udp', 'turn:203.0.113.9:3478?transport=tcp'], username: 'u', credential: 'p' },
    ]);
    const tls = iceServersFor({ host: '2001:db8::1', port: 3478, tlsPort: 5349 }, credential);
    expect(tls[0].urls).toEqual(['stun:[2001:db8::1]:3478']);
    expect(tls[1].urls).toContain('turns:[2001:db8::1]:5349?transport=tcp');
  });
});
