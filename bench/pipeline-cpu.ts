/**
 * Child process of jit-bench: plays a clip through the JIT's own decode → filter → encode
 * pipeline (no WebRTC, no browser), as fast as it goes or paced at the clip's frame rate, so
 * its CPU time can be set beside bare ffmpeg's and the whole JIT's.
 *
 *   node dist/bench/pipeline-cpu.js CLIP [--paced] [JIT flags...]
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { openInProcessPipeline } from './in-process';

async function main(): Promise<void> {
  const [clip, ...rest] = process.argv.slice(2);
  if (!clip) throw new Error('usage: pipeline-cpu CLIP [--paced] [JIT flags...]');
  const paced = rest.includes('--paced');
  const pipeline = await openInProcessPipeline(clip, rest.filter((a) => a !== '--paced'));
  const frameMs = pipeline.timing.frameDurationMs;
  const started = performance.now();
  let bytes = 0;
  for (let n = 0; n < pipeline.frameCount; n++) {
    if (paced) {
      const wait = started + n * frameMs - performance.now();
      if (wait > 0) await sleep(wait);
    }
    bytes += (await pipeline.frame(n, n === 0)).data.length;
  }
  const wallMs = performance.now() - started;
  await pipeline.close();
  process.stdout.write(JSON.stringify({ frames: pipeline.frameCount, bytes, wallMs }) + '\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
