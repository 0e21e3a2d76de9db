import { ConfigError } from '@jit/config';
import { peerConfig, resolvePublicAddress } from './peer-config';

describe('the public address of the JIT', () => {
  it('resolves a host name once, IPv4 first, for the extra host candidate', async () => {
    const publicAddress = await resolvePublicAddress('localhost');
    expect(publicAddress).toBe('127.0.0.1');
    const config = peerConfig({ certificate: {} as never, portMin: 50000, portMax: 50100, publicAddress });
    expect(config.iceAdditionalHostAddresses).toEqual(['127.0.0.1']);
    expect(config.icePortRange).toEqual([50000, 50100]);
  });

  it('keeps an IP address as it is, and announces nothing without one', async () => {
    expect(await resolvePublicAddress('203.0.113.7')).toBe('203.0.113.7');
    expect(await resolvePublicAddress('2001:db8::7')).toBe('2001:db8::7');
    expect(peerConfig({ certificate: {} as never, portMin: 50000, portMax: 50100 }).iceAdditionalHostAddresses).toBeUndefined();
  });

  it('refuses a name that does not resolve, naming PUBLIC_IP', async () => {
    const nowhere = () => Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }));
    await expect(resolvePublicAddress('jit.example.invalid', nowhere)).rejects.toThrow(ConfigError);
    await expect(resolvePublicAddress('jit.example.invalid', nowhere)).rejects.toThrow(
      /^--public-ip \(PUBLIC_IP\): "jit.example.invalid" does not resolve \(ENOTFOUND\)$/,
    );
    await expect(resolvePublicAddress('jit.example.invalid')).rejects.toThrow(/PUBLIC_IP/);
  });
});
