import { createServer } from 'node:net';
import { NoFreePortError } from '@jit/errors';

/**
 * Each stream gets a block of `size` ports of JIT_CONTAINER_PORT_MIN..MAX of its own: the JIT's
 * HTTP (TCP) port is the block's first port and its WebRTC media (UDP) ports stay within the
 * block (JIT_CONTAINER_PORT_MIN/MAX of that JIT), so two streams never compete for a port and a
 * firewall needs only the one range opened, TCP and UDP.
 */
export interface PortBlock {
  /** The JIT's HTTP port, and the block's first UDP port. */
  first: number;
  /** The block's last UDP port (inclusive). */
  last: number;
}

/** Whether a TCP port can be listened on at `host` right now. */
export function tcpPortFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export class PortBlocks {
  private readonly used = new Set<number>();
  private readonly count: number;
  private next = 0;

  constructor(
    private readonly min: number,
    max: number,
    private readonly size: number,
    /** Where the JITs listen, to check that a block's TCP port is free there. */
    private readonly host: string,
  ) {
    this.count = Math.floor((max - min + 1) / size);
    // A random first block: agents sharing a range on one machine rarely try the same block at once.
    this.next = Math.floor(Math.random() * this.count);
  }

  get capacity(): number {
    return this.count;
  }

  get inUse(): number {
    return this.used.size;
  }

  /**
   * A free block: blocks are handed out round-robin (a block just given back is the last to be
   * reused, so a port still closing is not hit at once), skipping those whose TCP port another
   * program holds.
   */
  async acquire(): Promise<PortBlock> {
    for (let tried = 0; tried < this.count; tried++) {
      const index = (this.next + tried) % this.count;
      if (this.used.has(index)) continue;
      // Reserved before the check so that concurrent requests never get the same block.
      this.used.add(index);
      const block = this.blockAt(index);
      if (await tcpPortFree(this.host, block.first)) {
        this.next = (index + 1) % this.count;
        return block;
      }
      this.used.delete(index);
    }
    throw new NoFreePortError(
      `no free port block: ${this.used.size} of ${this.count} blocks of ${this.size} ports in ${this.min}-${this.min + this.count * this.size - 1} ` +
        'are in use or their first (TCP) port is taken (JIT_CONTAINER_PORT_MIN/MAX, JIT_CONTAINER_PORT_BLOCK)',
    );
  }

  release(block: PortBlock): void {
    this.used.delete((block.first - this.min) / this.size);
  }

  private blockAt(index: number): PortBlock {
    const first = this.min + index * this.size;
    return { first, last: first + this.size - 1 };
  }
}
