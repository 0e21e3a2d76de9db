import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';

import { decodeFrameIndex, extractGrayFrames, probeStream, readFrameIndexFromFile, sampleBandLumas } from '@jit/test-support/media';
import { ffmpeg, ffprobe, frameIndexBits, makeIndexedClip, makeToneWav, mediaCacheDir, pictureTypes } from '.';

/** Dominant frequency of one channel of an s16le WAV, by counting rising zero crossings over 1 s. */
async function channelFrequency(file: string, channel: number): Promise<number> {
  const pcm = await ffmpeg(['-i', file, '-af', `pan=mono|c0=c${channel}`, '-t', '1', '-f', 's16le', '-ac', '1', '-']);
  const samples = new Int16Array(pcm.buffer, pcm.byteOffset, Math.floor(pcm.length / 2));
  let crossings = 0;
  for (let i = 1; i < samples.length; i++) if (samples[i - 1] < 0 && samples[i] >= 0) crossings++;
  return crossings * (48000 / samples.length);
}

describe('decodeFrameIndex', () => {
  it('reads bit 0 from the left-most column, threshold 128', () => {
    const lumas = (n: number) => Array.from({ length: frameIndexBits }, (_, i) => ((n >> i) & 1 ? 235 : 16));
    for (const n of [0, 1, 2, 7, 255, 256, 1000, 65535]) expect(decodeFrameIndex(lumas(n))).toBe(n);
    const almost = Array(frameIndexBits).fill(128);
    expect(decodeFrameIndex(almost)).toBe(0);
    almost[3] = 129;
    expect(decodeFrameIndex(almost)).toBe(8);
  });

  it('rejects a wrong number of samples', () => {
    expect(() => decodeFrameIndex([255, 0])).toThrow(RangeError);
  });
});

describe('makeIndexedClip', () => {
  it('makes a ProRes clip whose frames carry their index', async () => {
    const file = await makeIndexedClip({ codec: 'prores', width: 320, height: 180, frames: 10 });
    expect(file.startsWith(mediaCacheDir())).toBe(true);
    expect(path.extname(file)).toBe('.mov');

    const s = await probeStream(file, 'v', true);
    expect(s.codec_name).toBe('prores');
    expect(s.pix_fmt).toBe('yuv422p10le');
    expect([s.width, s.height]).toEqual([320, 180]);
    expect(s.r_frame_rate).toBe('25/1');
    expect(Number(s.nb_read_frames)).toBe(10);

    // frame 7: sample the 16 column centres of the band in a gray raw decode
    expect(await readFrameIndexFromFile(file, 7)).toBe(7);
    const [f7] = await extractGrayFrames(file, 7);
    const lumas = sampleBandLumas(f7);
    expect(lumas.slice(0, 3).every((l) => l > 200)).toBe(true);
    expect(lumas.slice(3).every((l) => l < 50)).toBe(true);

    const all = await extractGrayFrames(file, 0, 10);
    expect(all.map((f) => decodeFrameIndex(sampleBandLumas(f)))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

    // cached: same parameters give the same file, and no temp files are left behind
    expect(await makeIndexedClip({ codec: 'prores', width: 320, height: 180, frames: 10 })).toBe(file);
    expect(readdirSync(mediaCacheDir()).filter((n) => n.includes('.partial-'))).toEqual([]);
  });

  it('makes a long-GOP H.264 clip with B-frames and exact indices', async () => {
    const file = await makeIndexedClip({
      codec: 'h264-longgop',
      width: 320,
      height: 180,
      fps: 50,
      frames: 60,
      gop: 25,
      bframes: 3,
      pixFmt: 'yuv420p10le',
    });
    expect(path.extname(file)).toBe('.mp4');
    const s = await probeStream(file, 'v', true);
    expect(s.codec_name).toBe('h264');
    expect(s.pix_fmt).toBe('yuv420p10le');
    expect(s.r_frame_rate).toBe('50/1');
    expect(Number(s.nb_read_frames)).toBe(60);

    const types = await pictureTypes(file);
    expect(types).toHaveLength(60);
    expect(types.filter((t) => t === 'B').length).toBeGreaterThan(20);
    // keyframes exactly every 25 frames
    expect(types.map((t, i) => (t === 'I' ? i : -1)).filter((i) => i >= 0)).toEqual([0, 25, 50]);

    const frames = await extractGrayFrames(file, 0, 60);
    expect(frames.map((f) => decodeFrameIndex(sampleBandLumas(f)))).toEqual(Array.from({ length: 60 }, (_, i) => i));
  });
});

describe('makeIndexedClip with a start timecode', () => {
  it('writes it as a tmcd track, drop-frame at 29.97 and non-drop at 25', async () => {
    const timecodeOf = async (file: string) => {
      const json = await ffprobe(file, ['-show_entries', 'stream=codec_tag_string:stream_tags=timecode']);
      return (json.streams as { codec_tag_string: string; tags?: { timecode?: string } }[]).map((s) => [
        s.codec_tag_string,
        s.tags?.timecode,
      ]);
    };
    const ntsc = await makeIndexedClip({ codec: 'prores', width: 320, height: 180, fps: 29.97, frames: 5, timecode: '01:00:00;00' });
    expect(await timecodeOf(ntsc)).toContainEqual(['tmcd', '01:00:00;00']);
    const pal = await makeIndexedClip({
      codec: 'h264-longgop',
      width: 320,
      height: 180,
      frames: 5,
      gop: 5,
      bframes: 0,
      timecode: '10:00:00:00',
    });
    expect(await timecodeOf(pal)).toContainEqual(['tmcd', '10:00:00:00']);
    expect(() => makeIndexedClip({ codec: 'prores', timecode: '1:00' })).toThrow(RangeError);
  });
});

describe('makeIndexedClip with hdr: pq', () => {
  it('converts the picture to BT.2100 PQ and tags it so', async () => {
    const file = await makeIndexedClip({ codec: 'prores', width: 320, height: 180, frames: 5, hdr: 'pq' });
    const s = await probeStream(file, 'v');
    expect([s.color_primaries, s.color_transfer, s.color_space]).toEqual(['bt2020', 'smpte2084', 'bt2020nc']);
    // SDR white at 100 nits is about half the PQ code range: the set bits of the band are grey now.
    const [frame] = await extractGrayFrames(file, 3, 1);
    const lumas = sampleBandLumas(frame);
    expect(lumas[0]).toBeGreaterThan(100);
    expect(lumas[0]).toBeLessThan(160);
  });
});

describe('makeToneWav', () => {
  it('makes a 3-channel WAV with one sine per channel', async () => {
    const file = await makeToneWav({ channels: 3, freqs: [300, 500, 700], seconds: 2 });
    expect(existsSync(file)).toBe(true);
    const s = await probeStream(file, 'a');
    expect(s.codec_name).toBe('pcm_s16le');
    expect(s.channels).toBe(3);
    expect(s.sample_rate).toBe('48000');
    expect(Number(s.duration)).toBeCloseTo(2, 2);
    const measured = await Promise.all([0, 1, 2].map((c) => channelFrequency(file, c)));
    measured.forEach((f, c) => expect(Math.abs(f - [300, 500, 700][c])).toBeLessThanOrEqual(2));
  });

  it('supports 16 channels in order', async () => {
    const freqs = Array.from({ length: 16 }, (_, k) => 200 + 100 * k);
    const file = await makeToneWav({ channels: 16, freqs, seconds: 1 });
    const s = await probeStream(file, 'a');
    expect(s.channels).toBe(16);
    for (const c of [0, 1, 2, 7, 8, 15]) {
      expect(Math.abs((await channelFrequency(file, c)) - freqs[c])).toBeLessThanOrEqual(2);
    }
  });

  it('validates its options', () => {
    expect(() => makeToneWav({ channels: 2, freqs: [440] })).toThrow(RangeError);
  });
});
