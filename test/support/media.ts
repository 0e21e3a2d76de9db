/**
 * Reading test media back with ffprobe/ffmpeg: stream facts and the frame index that every
 * sample clip carries in its pixels (see libs/sample-media).
 */
import { ffmpeg, ffprobe, frameIndexBits } from '@jit/sample-media';

export { countPackets, ffmpeg, ffprobe, frameIndexBits, makeIndexedClip, makeToneWav, pictureTypes } from '@jit/sample-media';

/** Luma threshold for a set bit (0..255, full range). */
export const frameIndexThreshold = 128;

/** The repository root: tests and benchmarks run from it (npm scripts, jest), compiled or not. */
export const repoRoot = process.cwd();

export interface StreamInfo {
  codec_name: string;
  codec_type: string;
  profile?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  r_frame_rate?: string;
  channels?: number;
  channel_layout?: string;
  sample_rate?: string;
  color_primaries?: string;
  color_transfer?: string;
  color_space?: string;
  has_b_frames?: number;
  /** present with countFrames */
  nb_read_frames?: string;
  duration?: string;
}

/** First stream of the given type ('v' or 'a'), optionally with an exact decoded frame count. */
export async function probeStream(file: string, type: 'v' | 'a', countFrames = false): Promise<StreamInfo> {
  const args = ['-select_streams', `${type}:0`, '-show_streams'];
  if (countFrames) args.unshift('-count_frames');
  const json = await ffprobe(file, args);
  const s = json.streams?.[0];
  if (!s) throw new Error(`${file}: no ${type === 'v' ? 'video' : 'audio'} stream`);
  return s as StreamInfo;
}

// ---------------------------------------------------------------------------------------------
// Frame index

/**
 * Decodes a frame index from the 16 band lumas (0..255, bit 0 first):
 * bit i is set when lumas[i] > 128.
 */
export function decodeFrameIndex(lumas: number[]): number {
  if (lumas.length !== frameIndexBits) {
    throw new RangeError(`decodeFrameIndex: expected ${frameIndexBits} lumas, got ${lumas.length}`);
  }
  let n = 0;
  for (let i = 0; i < frameIndexBits; i++) {
    if (lumas[i] > frameIndexThreshold) n |= 1 << i;
  }
  return n;
}

export interface GrayFrame {
  width: number;
  height: number;
  /** luma bytes, row after row */
  data: Buffer;
  /** bytes from one row to the next (default: width), as in a decoded picture's luma plane */
  stride?: number;
}

/** The 16 band lumas of a gray frame, sampled (3x3 mean) at the column centres, y = height/16. */
export function sampleBandLumas(frame: GrayFrame): number[] {
  const { width, height, data } = frame;
  const stride = frame.stride ?? width;
  const y = Math.floor(height / 16);
  const lumas: number[] = [];
  for (let i = 0; i < frameIndexBits; i++) {
    const x = Math.floor(((i + 0.5) * width) / frameIndexBits);
    let sum = 0;
    let count = 0;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const yy = Math.min(height - 1, Math.max(0, y + dy));
        const xx = Math.min(width - 1, Math.max(0, x + dx));
        sum += data[yy * stride + xx];
        count++;
      }
    }
    lumas.push(sum / count);
  }
  return lumas;
}

/** The frame index a decoded picture (a node-av Frame: its luma plane and that plane's stride) carries in its band. */
export function pictureFrameIndex(picture: { width: number; height: number; data: Buffer[] | null; linesize: number[] }): number {
  const luma = picture.data?.[0];
  if (!luma) throw new Error('picture without data');
  return decodeFrameIndex(sampleBandLumas({ width: picture.width, height: picture.height, data: luma, stride: picture.linesize[0] }));
}

/** Decodes the video frames [first, first+count) of a file (presentation order) as full-range gray. */
export async function extractGrayFrames(file: string, first: number, count = 1): Promise<GrayFrame[]> {
  const s = await probeStream(file, 'v');
  const width = s.width!;
  const height = s.height!;
  const out = await ffmpeg([
    '-i',
    file,
    '-map',
    '0:v:0',
    '-vf',
    `select=between(n\\,${first}\\,${first + count - 1}),format=gray`,
    '-vsync',
    'passthrough', // -fps_mode in FFmpeg ≥ 5.1; -vsync also works on the older npm-shipped build
    '-frames:v',
    String(count),
    '-f',
    'rawvideo',
    '-pix_fmt',
    'gray',
    '-',
  ]);
  const size = width * height;
  const frames: GrayFrame[] = [];
  for (let off = 0; off + size <= out.length; off += size) {
    frames.push({ width, height, data: out.subarray(off, off + size) });
  }
  return frames;
}

/** Reads the frame index embedded in frame `n` of a file (decoded with ffmpeg). */
export async function readFrameIndexFromFile(file: string, n: number): Promise<number> {
  const [frame] = await extractGrayFrames(file, n, 1);
  if (!frame) throw new Error(`${file}: no frame ${n}`);
  return decodeFrameIndex(sampleBandLumas(frame));
}
