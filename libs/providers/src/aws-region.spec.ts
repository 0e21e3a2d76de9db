import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { instanceRegion } from './aws-region';

/** A stand-in for the instance metadata service (IMDSv2: a token first, then the region with it). */
function imds(region: string): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method === 'PUT' && req.url === '/latest/api/token') return res.end('token-1');
    if (req.url === '/latest/meta-data/placement/region' && req.headers['x-aws-ec2-metadata-token'] === 'token-1') return res.end(region);
    res.statusCode = 401;
    res.end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('the region of the JIT instances', () => {
  it('is AWS_REGION when set', async () => {
    expect(await instanceRegion('eu-north-1', 'http://127.0.0.1:9')).toBe('eu-north-1');
  });

  it("is this machine's own region from the instance metadata service otherwise", async () => {
    const server = await imds('ap-southeast-2');
    try {
      expect(await instanceRegion(undefined, `http://127.0.0.1:${(server.address() as AddressInfo).port}`)).toBe('ap-southeast-2');
    } finally {
      server.close();
    }
  });

  it('is a clear error naming AWS_REGION when neither is there', async () => {
    await expect(instanceRegion(undefined, 'http://127.0.0.1:9')).rejects.toThrow(
      /^AWS_REGION: not set, and the instance metadata service .* set AWS_REGION$/,
    );
  });
});
