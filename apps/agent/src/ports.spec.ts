import { createServer, type Server } from 'node:net';
import { NoFreePortError } from '@jit/errors';
import { PortBlocks, tcpPortFree } from './ports';

const listen = (port: number) =>
  new Promise<Server>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });

// Ports below the kernel's ephemeral range (32768+), which other programs' connections take at random.
describe('port blocks', () => {
  it('hands out disjoint blocks round-robin and refuses when all are in use', async () => {
    const blocks = new PortBlocks(26000, 26299, 100, '127.0.0.1');
    expect(blocks.capacity).toBe(3);
    const got = await Promise.all([blocks.acquire(), blocks.acquire(), blocks.acquire()]);
    expect(got.map((b) => b.first).sort()).toEqual([26000, 26100, 26200]);
    expect(got.find((b) => b.first === 26100)).toEqual({ first: 26100, last: 26199 });
    await expect(blocks.acquire()).rejects.toThrow(NoFreePortError);
    blocks.release(got[1]);
    expect(await blocks.acquire()).toEqual(got[1]);
  });

  it('skips a block whose TCP port another program holds', async () => {
    const server = await listen(26400);
    try {
      expect(await tcpPortFree('127.0.0.1', 26400)).toBe(false);
      const blocks = new PortBlocks(26400, 26599, 100, '127.0.0.1');
      expect((await blocks.acquire()).first).toBe(26500);
      await expect(blocks.acquire()).rejects.toThrow(/no free port block/);
    } finally {
      server.close();
    }
  });
});
