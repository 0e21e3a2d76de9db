/**
 * The JIT's own media classes, wired as MediaCatalog.openPipeline wires them (VideoReader →
 * PictureSource → VideoEncoder), for benchmarks that run the pipeline without WebRTC or a browser.
 */
import { parseJitConfig } from '../libs/config/src';
import { createLogger } from '../libs/logging/src';
import { configureAvLog } from '../apps/jit/src/media/av-log';
import { MediaCatalog } from '../apps/jit/src/media/media-catalog';
import type { PictureSource } from '../apps/jit/src/media/picture-source';
import type { FrameTiming } from '../apps/jit/src/media/rational';
import type { EncodedPicture, VideoEncoder } from '../apps/jit/src/media/video-encoder';
import { pictureFrameIndex } from '../test/support/media';

export interface InProcessPipeline {
  pictures: PictureSource;
  encoder: VideoEncoder;
  timing: FrameTiming;
  frameCount: number;
  width: number;
  height: number;
  /** ms to open the viewer's pipeline (MediaCatalog.openPipeline), after the catalog's one-off probe */
  openMs: number;
  /** Output frame n: decode (seeking as needed) → filter → encode; a keyframe when asked (every seek is one in the JIT). */
  frame(n: number, keyframe: boolean): Promise<EncodedPicture>;
  /** The frame index carried in the band of the filtered picture of frame n (checks exactness). */
  bandIndex(n: number): Promise<number>;
  close(): Promise<void>;
}

/**
 * Opens the pipeline with the JIT's configuration for `-i clip` (plus any extra flags), through
 * MediaCatalog.openPipeline: the same VideoReader, PictureSource and VideoEncoder a viewer gets.
 */
export async function openInProcessPipeline(clip: string, extraArgs: string[] = []): Promise<InProcessPipeline> {
  configureAvLog(false);
  const config = parseJitConfig(['-i', clip, ...extraArgs], {});
  const catalog = await MediaCatalog.open(config, createLogger('bench', false));
  const opening = performance.now();
  const { pictures, encoder, timing, frameCount, close } = await catalog.openPipeline('h264');
  const openMs = performance.now() - opening;
  const pictureOf = async (n: number) => {
    const picture = await pictures.at(timing.sourceIndexOf(n));
    if (!picture) throw new Error(`frame ${n} could not be decoded`);
    return picture;
  };
  return {
    pictures,
    encoder,
    timing,
    frameCount,
    width: pictures.picture.width,
    height: pictures.picture.height,
    openMs,
    frame: async (n, keyframe) => encoder.encode(await pictureOf(n), keyframe),
    bandIndex: async (n) => pictureFrameIndex(await pictureOf(n)),
    close: async () => {
      await close();
      // The catalog keeps a spare set of inputs open for the next viewer (where it does so).
      const closable = catalog as unknown as { close?: () => Promise<void> };
      await closable.close?.();
    },
  };
}
