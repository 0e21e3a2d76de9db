/**
 * Child process of jit-bench: plays a clip through the JIT's own decode → filter → encode
 * pipeline (no WebRTC, no browser), as fast as it goes or paced at the clip's frame rate, so
 * its CPU time can be set beside bare ffmpeg's and the whole JIT's. With --worker, the pipeline
 * runs on a video thread (VideoWorker) as in the JIT, to tell the cost of the hand-over.
 *
 *   node dist/bench/pipeline-cpu.js CLIP [--paced] [--worker] [JIT flags...]
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseJitConfig } from '@jit/config';
import { resolveInputSource } from '../apps/jit/src/media/input-location';
import { type EncodedFrames, outputFrameCount, videoReaderOptions } from '../apps/jit/src/media/video-pipeline';
import { VideoReader } from '../apps/jit/src/media/video-reader';
import { VideoThreads, VideoWorker } from '../apps/jit/src/media/video-worker';
import { openInProcessPipeline } from './in-process';

/** The same pipeline on a video thread: what the JIT's viewers get. */
async function openWorkerPipeline(
  clip: string,
  flags: string[],
): Promise<EncodedFrames & { frameCount: number; frameMs: number; close(): Promise<void> }> {
  const config = parseJitConfig(['-i', clip, ...flags], {});
  const source = await resolveInputSource(config.inputs[0], config);
  // The frame count and rate, from the container alone (as the JIT's MediaCatalog probes them).
  const probe = await VideoReader.open(source, videoReaderOptions(config));
  const frameCount = outputFrameCount(config, probe.timing, probe.info);
  const frameMs = probe.timing.frameDurationMs;
  await probe.close();
  const threads = new VideoThreads();
  const worker = await VideoWorker.start(threads.take(), source, config);
  await worker.useCodec('h264');
  return {
    frameCount,
    frameMs,
    frame: (n, keyframe) => worker.frame(n, keyframe),
    close: async () => {
      await worker.close();
      await threads.close();
    },
  };
}

async function main(): Promise<void> {
  const [clip, ...rest] = process.argv.slice(2);
  if (!clip) throw new Error('usage: pipeline-cpu CLIP [--paced] [--worker] [JIT flags...]');
  const paced = rest.includes('--paced');
  const flags = rest.filter((a) => a !== '--paced' && a !== '--worker');
  const pipeline = rest.includes('--worker')
    ? await openWorkerPipeline(clip, flags)
    : await openInProcessPipeline(clip, flags).then((p) => ({ ...p, frameMs: p.timing.frameDurationMs }));
  const started = performance.now();
  let bytes = 0;
  for (let n = 0; n < pipeline.frameCount; n++) {
    if (paced) {
      const wait = started + n * pipeline.frameMs - performance.now();
      if (wait > 0) await sleep(wait);
    }
    const encoded = await pipeline.frame(n, n === 0);
    if (!encoded) throw new Error(`frame ${n} could not be decoded`);
    bytes += encoded.data.length;
  }
  const wallMs = performance.now() - started;
  await pipeline.close();
  process.stdout.write(JSON.stringify({ frames: pipeline.frameCount, bytes, wallMs }) + '\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
