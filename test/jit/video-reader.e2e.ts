/**
 * The JIT's VideoReader (compiled, in a child Node: node-av is an ES module that jest cannot
 * load in-process): the decoder threading it picks per codec, and exact frames in any order.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { makeIndexedClip, repoRoot } from '../support/media';

const run = promisify(execFile);
const distMedia = path.join(repoRoot, 'dist', 'apps', 'jit', 'src', 'media');

/**
 * Opens `file` with the reader, decodes `frames` in that order ('pause': 400 ms idle, time for the
 * reader to re-position after a jump), prints the threading and the index read from each picture's band.
 */
const SCRIPT = `
const { VideoReader } = require(${JSON.stringify(path.join(distMedia, 'video-reader.js'))});
const { pictureFrameIndex } = require(${JSON.stringify(path.join(repoRoot, 'dist', 'test', 'support', 'media.js'))});
const { resolveInputSource } = require(${JSON.stringify(path.join(distMedia, 'input-location.js'))});
(async () => {
  const [file, threadType, frames] = process.argv.slice(1);
  const reader = await VideoReader.open(await resolveInputSource({ url: file }, {}), { threads: 0, threadType: threadType || undefined, lowres: 0 });
  const indices = [];
  for (const n of JSON.parse(frames)) {
    if (n === 'pause') { await new Promise((r) => setTimeout(r, 400)); continue; }
    const f = await reader.frameAt(n);
    if (!f) { indices.push(null); continue; }
    indices.push(pictureFrameIndex(f));
    f.free();
  }
  await reader.close();
  process.stdout.write(JSON.stringify({ threading: reader.threading, indices }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

async function readFrames(
  file: string,
  frames: (number | 'pause')[],
  threadType = '',
): Promise<{ threading: { type: string; count: number }; indices: (number | null)[] }> {
  const { stdout } = await run(process.execPath, ['-e', SCRIPT, file, threadType, JSON.stringify(frames)], { timeout: 60_000 });
  return JSON.parse(stdout);
}

describe('VideoReader', () => {
  jest.setTimeout(120_000);
  let prores: string;
  let longGop: string;

  beforeAll(async () => {
    prores = await makeIndexedClip({ codec: 'prores', width: 320, height: 180, frames: 30 });
    longGop = await makeIndexedClip({ codec: 'h264-longgop', width: 320, height: 180, frames: 100, gop: 25, bframes: 3 });
  });

  it('decodes intra-only sources with slice threads and long-GOP ones with frame threads, unless --thread-type says', async () => {
    expect((await readFrames(prores, [0])).threading.type).toBe('slice');
    const longGopDefault = await readFrames(longGop, [0]);
    expect(longGopDefault.threading.type).toBe('frame');
    expect(longGopDefault.threading.count).toBeGreaterThanOrEqual(1);
    expect((await readFrames(longGop, [0], 'slice')).threading.type).toBe('slice');
  });

  it.each(['', 'slice'])('lands on the exact frame of a long-GOP source in any order (thread type %j)', async (threadType) => {
    const frames = [0, 99, 24, 25, 26, 50, 49, 51, 52, 12, 13, 98, 1, 75, 74, 100];
    const { indices } = await readFrames(longGop, frames, threadType);
    expect(indices).toEqual([...frames.slice(0, -1), null]);
  });

  it('decodes on from a jump, at once or after the reader has had time to re-position', async () => {
    const frames: (number | 'pause')[] = [
      70,
      71,
      72,
      'pause',
      73,
      74,
      30,
      'pause',
      31,
      32,
      33,
      34,
      35,
      36,
      37,
      38,
      39,
      40,
      'pause',
      20,
      21,
    ];
    const { indices } = await readFrames(longGop, frames);
    expect(indices).toEqual(frames.filter((f) => f !== 'pause'));
  });
});
