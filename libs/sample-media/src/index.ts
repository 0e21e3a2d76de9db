/**
 * Sample media made with the ffmpeg CLI, for the demo, the tests and the benchmarks, cached
 * in `.cache/media/` under the working directory (JIT_SAMPLE_MEDIA_DIR overrides it).
 *
 * Every video frame carries its own index in its pixels: a top band (about height/8 tall)
 * split into 16 equal columns; column i is white when bit i of the frame index is set,
 * black otherwise (bit 0 is the left-most column). Below the band is `testsrc2` content so
 * encoders have real work to do. The player page's `jit.readFrameIndex()` reads it back.
 *
 * Files are generated under a temporary name and renamed into place, so an interrupted run
 * never leaves a half-written file under a cache name.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, promises as fsp } from 'node:fs';
import * as path from 'node:path';

/** Number of bits (columns) in the frame-index band. */
export const frameIndexBits = 16;

/** Bump when the generation recipe changes, so stale cache entries are not reused. */
const RECIPE_VERSION = 4;

/**
 * The ffmpeg CLI: FFMPEG_BIN/FFPROBE_BIN, else the one on PATH, else the binary an npm package
 * ships (scripts/setup.sh installs @ffmpeg-installer/@ffprobe-installer when it cannot use apt).
 */
function binary(envName: string, name: string, npmPackage: string): string {
  const given = process.env[envName];
  if (given) return given;
  const onPath = (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && existsSync(path.join(dir, name)));
  if (onPath) return name;
  try {
    return (require(npmPackage) as { path: string }).path;
  } catch {
    return name;
  }
}

const FFMPEG = binary('FFMPEG_BIN', 'ffmpeg', '@ffmpeg-installer/ffmpeg');
const FFPROBE = binary('FFPROBE_BIN', 'ffprobe', '@ffprobe-installer/ffprobe');

export type ClipCodec = 'prores' | 'h264-longgop';

export interface IndexedClipOptions {
  codec: ClipCodec;
  /** default 1280 */
  width?: number;
  /** default 720 */
  height?: number;
  /** default 25; 23.976, 29.97, 59.94 etc. are written as exact N*1000/1001 rates */
  fps?: number;
  /** default 300 */
  frames?: number;
  /** keyframe interval for h264-longgop, default 50 */
  gop?: number;
  /** consecutive B-frames for h264-longgop, default 3 */
  bframes?: number;
  /** default yuv422p10le (prores) / yuv420p (h264) */
  pixFmt?: string;
  /**
   * 'pq': the picture is converted from BT.709 to BT.2100 PQ (BT.2020 primaries, SDR white at
   * 100 nits, so white sits near half the code range) and tagged so; BT.709, untagged, otherwise.
   */
  hdr?: 'pq';
  /** libx264 preset for h264-longgop, default veryfast ('ultrafast' makes long sources quickly) */
  preset?: string;
  /**
   * Start timecode, written as a tmcd track: `01:00:00;00` (`;`: drop-frame, at 29.97 or 59.94) or
   * `10:00:00:00`; none by default.
   */
  timecode?: string;
  /** cache directory, default mediaCacheDir() */
  cacheDir?: string;
}

export interface ToneWavOptions {
  channels: number;
  /** one frequency (Hz) per channel: channel k is a pure sine at freqs[k] */
  freqs: number[];
  /** default 12 */
  seconds?: number;
  /** default 48000 */
  sampleRate?: number;
}

/** Where generated media is cached. */
export function mediaCacheDir(): string {
  return process.env.JIT_SAMPLE_MEDIA_DIR || path.resolve('.cache', 'media');
}

// ---------------------------------------------------------------------------------------------
// Process helpers

const MAX_BUFFER = 1024 * 1024 * 1024;

function run(cmd: string, args: string[], timeoutMs = 10 * 60_000): Promise<{ stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { encoding: 'buffer', maxBuffer: MAX_BUFFER, timeout: timeoutMs, windowsHide: true }, (err, stdout, stderr) => {
      const errText = stderr.toString('utf8');
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const hint = code === 'ENOENT' ? ` (is ${cmd} installed? run: bash scripts/setup.sh)` : '';
        reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}${hint}\n${errText.slice(-4000)}`));
        return;
      }
      resolve({ stdout, stderr: errText });
    });
  });
}

/** Runs ffmpeg with the given arguments (quiet, non-interactive). */
export async function ffmpeg(args: string[], timeoutMs?: number): Promise<Buffer> {
  const { stdout } = await run(FFMPEG, ['-nostdin', '-hide_banner', '-loglevel', 'error', ...args], timeoutMs);
  return stdout;
}

/** Runs ffprobe with `-of json` and the given arguments, returns the parsed JSON. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- ffprobe's JSON, read by callers field by field
export async function ffprobe(file: string, args: string[]): Promise<any> {
  const { stdout } = await run(FFPROBE, ['-v', 'error', '-of', 'json', ...args, file]);
  return JSON.parse(stdout.toString('utf8'));
}

/** Number of packets of the first stream of a type, without decoding (one per frame in mov/mp4). */
export async function countPackets(file: string, type: 'v' | 'a'): Promise<number> {
  const json = await ffprobe(file, ['-count_packets', '-select_streams', `${type}:0`, '-show_entries', 'stream=nb_read_packets']);
  return Number(json.streams?.[0]?.nb_read_packets ?? NaN);
}

/** Picture types ('I', 'P', 'B') of every video frame, in presentation order. */
export async function pictureTypes(file: string): Promise<string[]> {
  const json = await ffprobe(file, ['-select_streams', 'v:0', '-show_entries', 'frame=pict_type']);
  return (json.frames ?? []).map((f: { pict_type: string }) => f.pict_type);
}

/** Channel count of the first audio stream. */
async function audioChannels(file: string): Promise<number> {
  const json = await ffprobe(file, ['-select_streams', 'a:0', '-show_entries', 'stream=channels']);
  return Number(json.streams?.[0]?.channels ?? NaN);
}

// ---------------------------------------------------------------------------------------------
// Cache

const inFlight = new Map<string, Promise<string>>();

function cacheKey(readable: string, params: unknown): string {
  const hash = createHash('sha1')
    .update(JSON.stringify({ v: RECIPE_VERSION, params }))
    .digest('hex')
    .slice(0, 10);
  return `${readable}-${hash}`;
}

async function removeStalePartials(dir: string): Promise<void> {
  const names = await fsp.readdir(dir).catch(() => [] as string[]);
  const cutoff = Date.now() - 30 * 60_000;
  await Promise.all(
    names
      .filter((n) => n.includes('.partial-'))
      .map(async (n) => {
        const p = path.join(dir, n);
        const st = await fsp.stat(p).catch(() => null);
        if (st && st.mtimeMs < cutoff) await fsp.rm(p, { force: true });
      }),
  );
}

/**
 * Returns `<cache>/<name>`, creating it with `produce(tmpPath)` first when absent.
 * `produce` writes the temp file; it is renamed into place only when `produce` succeeds.
 */
function cached(name: string, produce: (tmp: string) => Promise<void>, dir = mediaCacheDir()): Promise<string> {
  const final = path.join(dir, name);
  const pending = inFlight.get(final);
  if (pending) return pending;
  const job = (async () => {
    if (existsSync(final)) return final;
    await fsp.mkdir(dir, { recursive: true });
    await removeStalePartials(dir);
    const ext = path.extname(name);
    const tmp = path.join(dir, `${path.basename(name, ext)}.partial-${process.pid}-${randomBytes(4).toString('hex')}${ext}`);
    try {
      await produce(tmp);
      await fsp.rename(tmp, final);
    } catch (err) {
      await fsp.rm(tmp, { force: true });
      throw err;
    }
    return final;
  })();
  inFlight.set(final, job);
  job.catch(() => inFlight.delete(final));
  return job;
}

// ---------------------------------------------------------------------------------------------
// Video

/** ffmpeg rate for fps; NTSC-style rates (23.976, 29.97, 59.94...) become exact N*1000/1001. */
function rateString(fps: number): string {
  if (Number.isInteger(fps)) return String(fps);
  const n = Math.round(fps * 1.001);
  if (Math.abs((n * 1000) / 1001 - fps) < 0.005) return `${n * 1000}/1001`;
  return String(fps);
}

function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v <= 0) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  return v;
}

/**
 * A clip whose every frame shows its own index in the top band (see file comment).
 * ProRes 422 Standard (4444 when pixFmt is 4:4:4) in .mov, or long-GOP H.264
 * (libx264, fixed GOP, fixed B-frame runs, closed GOP) in .mp4. Returns the cached file path.
 */
export function makeIndexedClip(opts: IndexedClipOptions): Promise<string> {
  const codec = opts.codec;
  if (codec !== 'prores' && codec !== 'h264-longgop') throw new Error(`unknown codec ${String(codec)}`);
  const width = positiveInt('width', opts.width ?? 1280);
  const height = positiveInt('height', opts.height ?? 720);
  const fps = opts.fps ?? 25;
  if (!(fps > 0)) throw new RangeError(`fps must be > 0, got ${fps}`);
  const frames = positiveInt('frames', opts.frames ?? 300);
  if (frames > 2 ** frameIndexBits) throw new RangeError(`at most ${2 ** frameIndexBits} frames can be indexed`);
  if (width < frameIndexBits || height < 16) throw new RangeError('clip too small for the index band');
  const gop = codec === 'h264-longgop' ? positiveInt('gop', opts.gop ?? 50) : undefined;
  const bframes = codec === 'h264-longgop' ? (opts.bframes ?? 3) : undefined;
  if (bframes !== undefined && (!Number.isInteger(bframes) || bframes < 0 || bframes > 16)) {
    throw new RangeError(`bframes must be 0..16, got ${bframes}`);
  }
  const pixFmt = opts.pixFmt ?? (codec === 'prores' ? 'yuv422p10le' : 'yuv420p');
  const hdr = opts.hdr;
  const preset = codec === 'h264-longgop' ? opts.preset : undefined;
  const timecode = opts.timecode;
  if (timecode !== undefined && !/^\d\d:\d\d:\d\d[:;]\d\d$/.test(timecode))
    throw new RangeError(`timecode must be HH:MM:SS:FF, got ${timecode}`);
  const chroma420 = /^(yuv420|nv12|p010)/.test(pixFmt);
  if (chroma420 && (width % 2 || height % 2)) throw new RangeError('4:2:0 needs even width and height');

  const ext = codec === 'prores' ? '.mov' : '.mp4';
  // preset and timecode only when given, so the names of clips made before they existed stay the same
  const params = {
    codec,
    width,
    height,
    fps,
    frames,
    gop,
    bframes,
    pixFmt,
    hdr: hdr ?? null,
    ...(preset ? { preset } : {}),
    ...(timecode ? { timecode } : {}),
  };
  const readable = [
    codec,
    `${width}x${height}`,
    `${fps}fps`,
    `${frames}f`,
    ...(codec === 'h264-longgop' ? [`g${gop}b${bframes}`] : []),
    pixFmt,
    ...(hdr ? [hdr] : []),
    ...(preset ? [preset] : []),
    ...(timecode ? [`tc${timecode}`] : []),
  ]
    .join('-')
    .replace(/[^A-Za-z0-9._-]/g, '_');
  const name = cacheKey(readable, params) + ext;

  return cached(
    name,
    async (tmp) => {
      // Band: 16x1 pixels, column X white (Y=235) when bit X of the frame number N is set,
      // scaled up with nearest-neighbour to width x bandHeight and laid over testsrc2.
      const bandHeight = Math.max(2, 2 * Math.round(height / 16));
      const duration = ((frames + 1) / fps).toFixed(6);
      const rate = rateString(fps);
      const band =
        `nullsrc=s=${frameIndexBits}x1:r=${rate}:d=${duration},format=yuv444p,` +
        `geq=lum='16+219*mod(floor(N/pow(2,X)),2)':cb=128:cr=128,` +
        `scale=${width}:${bandHeight}:flags=neighbor`;
      const args = [
        '-y',
        '-f',
        'lavfi',
        '-i',
        `testsrc2=s=${width}x${height}:r=${rate}:d=${duration}`,
        '-f',
        'lavfi',
        '-i',
        band,
        '-filter_complex',
        '[0:v]format=yuv444p[bg];[bg][1:v]overlay=0:0:format=yuv444:eof_action=endall' +
          (hdr ? ',zscale=tin=bt709:min=bt709:pin=bt709:rin=tv:t=smpte2084:m=bt2020nc:p=bt2020:r=tv:npl=100' : '') +
          '[v]',
        '-map',
        '[v]',
        '-frames:v',
        String(frames),
        '-pix_fmt',
        pixFmt,
        '-color_range',
        'tv',
      ];
      if (timecode) args.push('-timecode', timecode);
      if (hdr) {
        args.push('-color_primaries', 'bt2020', '-color_trc', 'smpte2084', '-colorspace', 'bt2020nc');
      }
      if (codec === 'prores') {
        // ffmpeg's `prores` (prores_aw) encoder: same bitstream as prores_ks, ~4x faster here
        // (720p: 2.4 s vs 10+ s for 300 frames on 2 cores). Profile 2 = 422 Standard, 4 = 4444.
        const profile = /444/.test(pixFmt) ? '4' : '2';
        args.push('-c:v', 'prores', '-profile:v', profile, '-vendor', 'apl0', '-movflags', '+write_colr', '-f', 'mov', tmp);
      } else {
        args.push(
          '-c:v',
          'libx264',
          '-preset',
          preset ?? 'veryfast',
          '-crf',
          '18',
          '-g',
          String(gop),
          '-keyint_min',
          String(gop),
          '-sc_threshold',
          '0',
          '-bf',
          String(bframes),
          // fixed B-frame runs (IBBBP...), so the GOP structure does not depend on content
          '-x264-params',
          'b-adapt=0',
          '-movflags',
          '+faststart',
          '-f',
          'mp4',
          tmp,
        );
      }
      await ffmpeg(args);

      // Check what we made before it goes into the cache.
      const packets = await countPackets(tmp, 'v');
      if (packets !== frames) throw new Error(`generated ${packets} frames instead of ${frames}`);
      if (codec === 'h264-longgop' && bframes! > 0 && frames >= bframes! + 2) {
        const types = await pictureTypes(tmp);
        if (!types.includes('B')) throw new Error('libx264 produced no B-frames');
      }
    },
    opts.cacheDir,
  );
}

// ---------------------------------------------------------------------------------------------
// Audio

/**
 * A multi-channel WAV (pcm_s16le), channel k a pure sine at freqs[k] (amplitude 1/8, -18 dBFS).
 * Channels are joined with `amerge`, which keeps input order for any count (16 works);
 * ffmpeg names the layout after the count (stereo, 2.1, 4.0, 5.1, ..., or unknown for 16).
 */
export function makeToneWav(opts: ToneWavOptions): Promise<string> {
  const channels = positiveInt('channels', opts.channels);
  if (channels > 64) throw new RangeError('at most 64 channels');
  if (opts.freqs.length !== channels) {
    throw new RangeError(`freqs has ${opts.freqs.length} entries for ${channels} channels`);
  }
  const sampleRate = positiveInt('sampleRate', opts.sampleRate ?? 48000);
  const seconds = opts.seconds ?? 12;
  if (!(seconds > 0)) throw new RangeError(`seconds must be > 0, got ${seconds}`);
  for (const f of opts.freqs) {
    if (!(f > 0 && f < sampleRate / 2)) throw new RangeError(`frequency ${f} out of range for ${sampleRate} Hz`);
  }
  const freqs = opts.freqs.map((f) => Number(f));
  const params = { channels, freqs, seconds, sampleRate };
  const readable = `tone-${channels}ch-${sampleRate}-${seconds}s-${freqs.slice(0, 4).join('_')}${freqs.length > 4 ? '_etc' : ''}`.replace(
    /[^A-Za-z0-9._-]/g,
    '_',
  );
  const name = cacheKey(readable, params) + '.wav';

  return cached(name, async (tmp) => {
    const args = ['-y'];
    for (const f of freqs) {
      args.push('-f', 'lavfi', '-i', `sine=frequency=${f}:sample_rate=${sampleRate}:duration=${seconds}`);
    }
    if (channels > 1) {
      const inputs = freqs.map((_, k) => `[${k}:a]`).join('');
      args.push('-filter_complex', `${inputs}amerge=inputs=${channels}[a]`, '-map', '[a]');
    }
    args.push('-c:a', 'pcm_s16le', '-f', 'wav', tmp);
    await ffmpeg(args);
    const found = await audioChannels(tmp);
    if (found !== channels) throw new Error(`generated ${found} channels instead of ${channels}`);
  });
}
