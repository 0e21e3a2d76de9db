/**
 * The JIT's own media classes (VideoPipeline: VideoReader → PictureSource → VideoEncoder) on this
 * thread, for benchmarks that run the pipeline without WebRTC, a browser or the video thread.
 */
import { parseJitConfig } from '@jit/config';
import { configureAvLog } from '../apps/jit/src/media/av-log';
import { resolveInputSource } from '../apps/jit/src/media/input-location';
import type { PictureSource } from '../apps/jit/src/media/picture-source';
import type { FrameTiming } from '../apps/jit/src/media/rational';
import type { EncodedPicture } from '../apps/jit/src/media/video-encoder';
import { VideoPipeline } from '../apps/jit/src/media/video-pipeline';
import { pictureFrameIndex } from '../test/support/media';

export interface InProcessPipeline {
  pictures: PictureSource;
  timing: FrameTiming;
  frameCount: number;
  width: number;
  height: number;
  /** ms to open the pipeline (input, decoder, frame 0, encoder) */
  openMs: number;
  /** Output frame n: decode (seeking as needed) → filter → encode; a keyframe when asked (every seek is one in the JIT). */
  frame(n: number, keyframe: boolean): Promise<EncodedPicture>;
  /** The frame index carried in the band of the filtered picture of frame n (checks exactness). */
  bandIndex(n: number): Promise<number>;
  close(): Promise<void>;
}

/** Opens the pipeline a viewer's video thread runs, with the JIT's configuration for `-i clip` (plus any extra flags). */
export async function openInProcessPipeline(clip: string, extraArgs: string[] = []): Promise<InProcessPipeline> {
  configureAvLog(false);
  const config = parseJitConfig(['-i', clip, ...extraArgs], {});
  const source = await resolveInputSource(config.inputs[0], config);
  const opening = performance.now();
  const pipeline = await VideoPipeline.open(source, config);
  await pipeline.useCodec('h264');
  const openMs = performance.now() - opening;
  const { pictures, timing } = pipeline;
  return {
    pictures,
    timing,
    frameCount: pipeline.frameCount,
    width: pictures.picture.width,
    height: pictures.picture.height,
    openMs,
    frame: async (n, keyframe) => {
      const encoded = await pipeline.frame(n, keyframe);
      if (!encoded) throw new Error(`frame ${n} could not be decoded`);
      return encoded;
    },
    bandIndex: async (n) => {
      const picture = await pictures.at(timing.sourceIndexOf(n));
      if (!picture) throw new Error(`frame ${n} could not be decoded`);
      return pictureFrameIndex(picture);
    },
    close: () => pipeline.close(),
  };
}
