import type { JitConfig } from '@jit/config';
import type { VideoStreamInfo } from './video-reader';

export interface OutputPicture {
  width: number;
  height: number;
}

const even = (n: number) => Math.max(2, 2 * Math.round(n / 2));

/**
 * Output size: square pixels (the source's sample aspect, or the one given, is applied,
 * since browsers ignore it in the stream), divided by 2^lowres, unless --width/--height say otherwise.
 */
export function outputPicture(
  info: VideoStreamInfo,
  config: Pick<JitConfig, 'lowres' | 'width' | 'height' | 'sampleAspectNum' | 'sampleAspectDen'>,
): OutputPicture {
  const sar =
    config.sampleAspectNum && config.sampleAspectDen
      ? config.sampleAspectNum / config.sampleAspectDen
      : info.sampleAspect.num / info.sampleAspect.den;
  const scale = 1 / 2 ** config.lowres;
  const displayWidth = info.width * sar * scale;
  const displayHeight = info.height * scale;
  if (config.width && config.height) return { width: even(config.width), height: even(config.height) };
  if (config.width) return { width: even(config.width), height: even((config.width * displayHeight) / displayWidth) };
  if (config.height) return { width: even((config.height * displayWidth) / displayHeight), height: even(config.height) };
  return { width: even(displayWidth), height: even(displayHeight) };
}

const SCALE_MATRIX: Record<NonNullable<JitConfig['colorspace']>, string> = {
  bt709: 'bt709',
  bt601: 'bt601',
  bt470bg: 'bt470',
  smpte170m: 'smpte170m',
  smpte240m: 'smpte240m',
  fcc: 'fcc',
  bt2020: 'bt2020',
};

/** What the decoded source pictures say about their colour; what they leave unsaid is assumed. */
export interface FilterInput {
  width: number;
  height: number;
  /** 8-bit 4:2:0, what the encoder takes */
  yuv420p: boolean;
  /** limited (TV) range, or no range tag */
  limitedRange: boolean;
  /** the matrix tag says BT.709 */
  bt709Matrix: boolean;
  hasMatrixTag: boolean;
  hasTransferTag: boolean;
  hasPrimariesTag: boolean;
}

/**
 * The FFmpeg filter graph from decoded source pictures to what the encoder takes:
 * optional BT.2100 → BT.709 tone mapping, scaling with the chosen colour matrix, 8-bit 4:2:0.
 * An untagged source is read as BT.709 when it is HD or larger, BT.601 otherwise, as players do;
 * an untagged source to tone-map is taken as BT.2100 PQ. A source that is already what the
 * encoder takes (the size, 8-bit 4:2:0, limited range, BT.709) is not scaled: swscale would copy
 * every picture for nothing (about 2 ms a picture at 1080p here).
 */
export function videoFilterGraph(
  picture: OutputPicture,
  config: Pick<JitConfig, 'colorspace' | 'bt2100ToneMapping'>,
  input: FilterInput,
): string {
  const steps: string[] = [];
  if (config.bt2100ToneMapping) {
    const assumed = [
      input.hasPrimariesTag ? '' : 'color_primaries=bt2020',
      input.hasTransferTag ? '' : 'color_trc=smpte2084',
      input.hasMatrixTag ? '' : 'colorspace=bt2020nc',
    ].filter(Boolean);
    if (assumed.length) steps.push(`setparams=${assumed.join(':')}`);
    steps.push(
      'zscale=t=linear:npl=100',
      'format=gbrpf32le',
      'zscale=p=bt709',
      'tonemap=tonemap=hable:desat=0',
      `zscale=t=bt709:m=bt709:r=tv:w=${picture.width}:h=${picture.height}`,
    );
  } else {
    const matrix = config.colorspace
      ? SCALE_MATRIX[config.colorspace]
      : input.hasMatrixTag
        ? 'auto'
        : input.height > 576
          ? 'bt709'
          : 'bt601';
    const bt709 = matrix === 'bt709' || (matrix === 'auto' && input.bt709Matrix);
    const unchanged = input.width === picture.width && input.height === picture.height && input.yuv420p && input.limitedRange && bt709;
    if (!unchanged) {
      steps.push(`scale=${picture.width}:${picture.height}:in_color_matrix=${matrix}:out_color_matrix=bt709:out_range=tv:flags=bicubic`);
    }
  }
  steps.push('format=yuv420p', 'setsar=1');
  return steps.join(',');
}
