import {
  AV_PIX_FMT_YUV420P,
  AVCOL_PRI_UNSPECIFIED,
  AVCOL_RANGE_JPEG,
  AVCOL_SPC_BT709,
  AVCOL_SPC_UNSPECIFIED,
  AVCOL_TRC_UNSPECIFIED,
  FilterAPI,
  type Frame,
} from 'node-av';
import type { JitConfig } from '@jit/config';
import { outputPicture, videoFilterGraph, type OutputPicture } from './video-filter';
import type { VideoReader } from './video-reader';

/**
 * Pictures ready for the encoder (scaled, converted, 8-bit 4:2:0), by source frame index,
 * with the most recent ones kept so steps and repeats around the playhead cost nothing.
 */
export class PictureSource {
  readonly picture: OutputPicture;
  private filter?: FilterAPI;
  private readonly cache = new Map<number, Frame>();

  constructor(
    private readonly reader: VideoReader,
    private readonly config: JitConfig,
    private readonly cacheSize = 32,
  ) {
    this.picture = outputPicture(reader.info, config);
  }

  /** The picture of source frame `index`, or null past the end. Owned by the cache: ref it to keep it. */
  async at(index: number): Promise<Frame | null> {
    const cached = this.cache.get(index);
    if (cached) {
      this.cache.delete(index);
      this.cache.set(index, cached);
      return cached;
    }
    const decoded = await this.reader.frameAt(index);
    if (!decoded) return null;
    try {
      this.filter ??= FilterAPI.create(
        videoFilterGraph(this.picture, this.config, {
          width: decoded.width,
          height: decoded.height,
          yuv420p: decoded.format === AV_PIX_FMT_YUV420P,
          limitedRange: decoded.colorRange !== AVCOL_RANGE_JPEG,
          bt709Matrix: decoded.colorSpace === AVCOL_SPC_BT709,
          hasMatrixTag: decoded.colorSpace !== AVCOL_SPC_UNSPECIFIED,
          hasTransferTag: decoded.colorTrc !== AVCOL_TRC_UNSPECIFIED,
          hasPrimariesTag: decoded.colorPrimaries !== AVCOL_PRI_UNSPECIFIED,
        }),
      );
      // Synchronous, as the decode before it (VideoReader): a few ms, cheaper than a thread-pool round trip.
      const [picture, ...extra] = this.filter.processAllSync(decoded);
      for (const f of extra) f.free();
      if (!picture) throw new Error(`the video filter gave no picture for frame ${index}`);
      this.remember(index, picture);
      return picture;
    } finally {
      decoded.free();
    }
  }

  private remember(index: number, picture: Frame): void {
    this.cache.set(index, picture);
    if (this.cache.size <= this.cacheSize) return;
    const [oldest] = this.cache.keys();
    this.cache.get(oldest)?.free();
    this.cache.delete(oldest);
  }

  async close(): Promise<void> {
    for (const f of this.cache.values()) f.free();
    this.cache.clear();
    this.filter?.close();
    await this.reader.close();
  }
}
