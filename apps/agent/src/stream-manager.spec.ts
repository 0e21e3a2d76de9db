import { createServer, type Server } from 'node:http';
import pino from 'pino';
import { agentStatusSchema, type JitStatus } from '@jit/protocol';
import { PortBlocks } from './ports';
import type { JitLaunch, StreamHandle, StreamRuntime } from './runtime/stream-runtime';
import { JitStartError } from '@jit/errors';
import { StreamManager } from './stream-manager';

const rate = { num: 25, den: 1 };
/** What a JIT with one 10-frame video input and no viewer answers on /status. */
const IDLE_JIT: JitStatus = {
  state: 'idle',
  frame: null,
  viewers: 0,
  idleSeconds: 0,
  uptimeSeconds: 5,
  in: null,
  out: null,
  loop: false,
  viewerList: [],
  media: {
    video: { url: 'v.mov', codec: 'prores', width: 320, height: 180, sourceRate: rate, sampleAspect: { num: 1, den: 1 }, frameCount: 10 },
    audio: [],
    output: { width: 320, height: 180, frameRate: rate, frameCount: 10 },
  },
  startTimecode: { timecode: '10:00:00:00', rate, dropFrame: false },
  nextViewerReady: true,
};

/** A JIT stand-in: answers /health and /status like the JIT, on a real port. */
async function fakeJit(status: { viewers: number; idleSeconds: number }): Promise<Server> {
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/health') return res.end(JSON.stringify({ status: 'ok', uptimeSeconds: 1 }));
    // read at each request: a test changes it
    res.end(JSON.stringify({ ...IDLE_JIT, ...status }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** A runtime whose first start fails as a JIT does when its port is taken, then serves `jit`. */
class ClashingRuntime implements StreamRuntime {
  readonly kind = 'process' as const;
  specs: JitLaunch[] = [];
  constructor(private readonly jit: Server) {}
  async prepare(): Promise<void> {}
  list(): StreamHandle[] {
    return [];
  }
  async start(spec: JitLaunch): Promise<StreamHandle> {
    this.specs.push(spec);
    const clash = this.specs.length === 1;
    const address = this.jit.address() as { port: number };
    let end!: (code: number | null) => void;
    const ended = new Promise<number | null>((resolve) => (end = resolve));
    if (clash) setTimeout(() => end(1), 10);
    return {
      id: spec.id,
      runtime: 'process',
      port: spec.ports.first,
      url: clash ? 'http://127.0.0.1:9' : `http://127.0.0.1:${address.port}`,
      ref: 'fake',
      wait: () => ended,
      stop: async () => (end(0), ended),
      stderrTail: () => (clash ? `jit: Error: listen EADDRINUSE: address already in use 127.0.0.1:${spec.ports.first}\n` : ''),
    };
  }
}

const log = pino({ level: 'silent' });

describe('stream manager', () => {
  let jit: Server;
  afterEach(() => jit?.close());

  it('tries the next block when the JIT port was taken meanwhile', async () => {
    jit = await fakeJit({ viewers: 0, idleSeconds: 2 });
    const runtime = new ClashingRuntime(jit);
    const manager = new StreamManager(runtime, new PortBlocks(45000, 45299, 100, '127.0.0.1'), log, 5);
    const started = await manager.start({ id: 's', inputs: [{ url: 'v.mov' }] }, ['-i', 'v.mov']);
    expect(runtime.specs).toHaveLength(2);
    expect(runtime.specs[1].ports.first).not.toBe(runtime.specs[0].ports.first);
    expect(started).toEqual({ id: 's', port: runtime.specs[1].ports.first, runtime: 'process' });
  });

  it('reports idleSince: the agent start, then the JITs last activity, null with a viewer', async () => {
    const upSince = new Date(Date.now() - 60_000);
    const jitStatus = { viewers: 0, idleSeconds: 30 };
    jit = await fakeJit(jitStatus);
    const runtime = new ClashingRuntime(jit);
    runtime.specs.push({ id: 'x', args: [], ports: { first: 0, last: 0 } }); // no clash
    const manager = new StreamManager(runtime, new PortBlocks(45000, 45299, 100, '127.0.0.1'), log, 5, upSince);
    expect(await manager.status()).toEqual({ upSince: upSince.toISOString(), idleSince: upSince.toISOString(), streams: [] });
    await manager.start({ id: 's', inputs: [{ url: 'v.mov' }] }, ['-i', 'v.mov']);
    const status = await manager.status();
    expect(Math.abs(Date.parse(status.idleSince!) - (Date.now() - 30_000))).toBeLessThan(1000);
    expect(status.streams[0]).toMatchObject({ id: 's', state: 'running', jit: { viewers: 0, idleSeconds: 30 } });
    expect(status.streams[0].jit?.startTimecode).toEqual(IDLE_JIT.startTimecode);
    // What the agent answers is what its clients (libs/agent-client) read, unchanged.
    expect(agentStatusSchema.parse(JSON.parse(JSON.stringify(status)))).toEqual(status);
    jitStatus.viewers = 1;
    expect((await manager.status()).idleSince).toBeNull();
    jitStatus.viewers = 0;
    await manager.stop('s');
    expect(Date.now() - Date.parse((await manager.status()).idleSince!)).toBeLessThan(1000);
  });

  it('gives up after a failure that is not a port clash', async () => {
    jit = await fakeJit({ viewers: 0, idleSeconds: 0 });
    const runtime: StreamRuntime = {
      kind: 'process',
      prepare: async () => undefined,
      list: () => [],
      start: async (spec) => ({
        id: spec.id,
        runtime: 'process',
        port: spec.ports.first,
        url: 'http://127.0.0.1:9',
        ref: 'fake',
        wait: async () => 2,
        stop: async () => 2,
        stderrTail: () => 'jit: input /x.mov: no readable file at /x.mov\n',
      }),
    };
    const manager = new StreamManager(runtime, new PortBlocks(45000, 45299, 100, '127.0.0.1'), log, 5);
    const failed = manager.start({ id: 's', inputs: [{ url: '/x.mov' }] }, ['-i', '/x.mov']);
    await expect(failed).rejects.toThrow(JitStartError);
    await expect(failed).rejects.toThrow('the JIT exited with code 2 during start-up: jit: input /x.mov: no readable file at /x.mov');
    expect((await manager.status()).streams).toEqual([]);
  });
});
