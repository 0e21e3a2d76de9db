import { outputPicture, videoFilterGraph } from './video-filter';
import type { VideoStreamInfo } from './video-reader';

const hd: VideoStreamInfo = {
  codec: 'prores',
  width: 1920,
  height: 1080,
  sourceRate: { num: 25, den: 1 },
  sampleAspect: { num: 1, den: 1 },
  frameCount: 100,
};
const pal: VideoStreamInfo = { ...hd, width: 720, height: 576, sampleAspect: { num: 64, den: 45 } };
const none = { lowres: 0 };

describe('outputPicture', () => {
  it('keeps the source size, applying its sample aspect to give square pixels', () => {
    expect(outputPicture(hd, none)).toEqual({ width: 1920, height: 1080 });
    expect(outputPicture(pal, none)).toEqual({ width: 1024, height: 576 });
  });

  it('lets --sample-aspect-num/den override the source aspect', () => {
    expect(outputPicture(pal, { lowres: 0, sampleAspectNum: 16, sampleAspectDen: 15 })).toEqual({ width: 768, height: 576 });
  });

  it('divides by 2^lowres, and --width/--height win, keeping the aspect when only one is given', () => {
    expect(outputPicture(hd, { lowres: 2 })).toEqual({ width: 480, height: 270 });
    expect(outputPicture(hd, { lowres: 1, width: 1280 })).toEqual({ width: 1280, height: 720 });
    expect(outputPicture(hd, { lowres: 0, height: 481 })).toEqual({ width: 856, height: 482 });
    expect(outputPicture(hd, { lowres: 0, width: 300, height: 300 })).toEqual({ width: 300, height: 300 });
  });
});

describe('videoFilterGraph', () => {
  const size = { width: 1280, height: 720 };
  const untagged = {
    width: 1920,
    height: 1080,
    yuv420p: false,
    limitedRange: true,
    bt709Matrix: false,
    hasMatrixTag: false,
    hasTransferTag: false,
    hasPrimariesTag: false,
  };
  const tagged = { ...untagged, bt709Matrix: true, hasMatrixTag: true, hasTransferTag: true, hasPrimariesTag: true };
  const sdr = { bt2100ToneMapping: false };
  const hdr = { bt2100ToneMapping: true };

  it('reads an untagged source as BT.709 from HD up and BT.601 below', () => {
    expect(videoFilterGraph(size, sdr, untagged)).toContain('in_color_matrix=bt709');
    expect(videoFilterGraph(size, sdr, { ...untagged, height: 576 })).toContain('in_color_matrix=bt601');
    expect(videoFilterGraph(size, sdr, tagged)).toContain('in_color_matrix=auto');
  });

  it('lets --colorspace override the source matrix', () => {
    expect(videoFilterGraph(size, { ...sdr, colorspace: 'bt601' }, tagged)).toContain('in_color_matrix=bt601');
  });

  it('tone-maps with the source tags, assuming BT.2100 PQ for what is not tagged', () => {
    const fromTags = videoFilterGraph(size, hdr, tagged);
    expect(fromTags).not.toContain('setparams');
    expect(fromTags).toContain('tonemap=tonemap=hable');
    expect(fromTags).toContain('zscale=t=bt709:m=bt709:r=tv:w=1280:h=720');
    expect(videoFilterGraph(size, hdr, untagged)).toMatch(
      /^setparams=color_primaries=bt2020:color_trc=smpte2084:colorspace=bt2020nc,zscale=t=linear/,
    );
  });

  it('leaves a source that is already 8-bit 4:2:0 BT.709 limited range at the output size unscaled', () => {
    const ready = { ...tagged, width: 1280, height: 720, yuv420p: true };
    expect(videoFilterGraph(size, sdr, ready)).toBe('format=yuv420p,setsar=1');
    expect(videoFilterGraph(size, sdr, { ...ready, bt709Matrix: false, hasMatrixTag: false })).toBe('format=yuv420p,setsar=1'); // untagged HD: BT.709
    expect(videoFilterGraph(size, { ...sdr, colorspace: 'bt709' }, ready)).toBe('format=yuv420p,setsar=1');
    // anything to change is scaled: size, bit depth or chroma, full range, another matrix
    expect(videoFilterGraph(size, sdr, { ...ready, width: 1920, height: 1080 })).toContain('scale=1280:720');
    expect(videoFilterGraph(size, sdr, { ...ready, yuv420p: false })).toContain('scale=');
    expect(videoFilterGraph(size, sdr, { ...ready, limitedRange: false })).toContain('out_range=tv');
    expect(videoFilterGraph(size, sdr, { ...ready, bt709Matrix: false })).toContain('in_color_matrix=auto');
    expect(videoFilterGraph(size, { ...sdr, colorspace: 'bt601' }, ready)).toContain('in_color_matrix=bt601');
    expect(
      videoFilterGraph({ width: 720, height: 576 }, sdr, { ...ready, width: 720, height: 576, bt709Matrix: false, hasMatrixTag: false }),
    ).toContain('in_color_matrix=bt601');
  });

  it('always ends in 8-bit 4:2:0 with square pixels', () => {
    expect(videoFilterGraph(size, sdr, tagged)).toMatch(/format=yuv420p,setsar=1$/);
  });
});
