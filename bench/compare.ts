/**
 * jit against on-the-fly HLS (`npm run bench:compare`): the same sources, the same headless
 * Chromium, one run. The HLS side is what media servers such as Jellyfin do: ffmpeg's HLS muxer
 * with 1 s segments of ultrafast x264, served as they are made, restarted at the seek point when a
 * seek goes far ahead (bench/compare/hls-server.ts), played by hls.js (bench/compare/hls-viewer.ts).
 * Three cases:
 *   short:        a 12 s ProRes 422 1080p25 clip: HLS has it all transcoded and buffered within
 *                 seconds and seeks in the browser's buffer;
 *   long-prores:  a 10 min ProRes 422 1080p25 source (what jit is for), seeks far apart: HLS
 *                 restarts ffmpeg;
 *   long-h264:    the same with a 10 min long-GOP H.264 1080p25 source (GOP 25), where each jit
 *                 seek decodes from the previous keyframe.
 * For each: request → first frame (fresh page each run, the two sides alternating), seek →
 * requested frame shown and whether it is exact (frame index read from the pixels), and the CPU
 * of the server-side processes (the JIT; all ffmpeg processes of the HLS session) over a fixed
 * playback period from the request. Prints both sides and the ratios, writes
 * bench/results/compare-latest.md. Nothing here asserts timing.
 *
 *   node dist/bench/compare.js [--quick] [--write] [--cases short,long-prores,long-h264]
 *
 * --quick: fewer runs and a shorter CPU period; only a full run of every case writes the results
 * file (--write forces it). The long sources are made once (a few minutes) and kept in .cache/bench.
 */
import { writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser, openPlayer, pageLog } from '../test/support/browser';
import { startJit, type RunningJit } from '../test/support/jit-process';
import {
  type BenchClip,
  clipFile,
  firstFrameRun,
  type FirstFrameRun,
  fmt,
  type PageProbe,
  machineSpeed,
  processCpuTimes,
  repoRoot,
  resultsDir,
  resultsSection,
  seekRun,
  type SeekRun,
  seekTargets,
  serverSeekTimes,
  sleep,
  summarize,
} from './bench-util';
import { type HlsSessionStats, OnTheFlyHlsServer } from './compare/hls-server';
import {
  closeHlsViewer,
  type HlsFirstFrame,
  hlsSeekRun,
  openHlsViewer,
  pause,
  presentedFrames,
  startHls,
  waitFullyBuffered,
} from './compare/hls-viewer';

declare const probe: PageProbe;

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const casesArg = args.includes('--cases') ? args[args.indexOf('--cases') + 1].split(',') : undefined;
const COMMAND = 'npm run bench:compare';
const RESULTS = path.join(resultsDir, 'compare-latest.md');
const CACHE = path.join(repoRoot, '.cache', 'bench');

/** Ports given to this benchmark: HTTP 19000-19199, JIT HTTP 19200-19299, media UDP 19300-19999. */
const HLS_PORTS = { min: 19000, max: 19199 };
const JIT_PORTS = [19200, 19299];
const JIT_ENV = { JIT_CONTAINER_PORT_MIN: '19300', JIT_CONTAINER_PORT_MAX: '19999' };

const SEGMENT_SECONDS = 1;
/** Jellyfin's rule: a segment more than 24 s past the transcode's position restarts ffmpeg. */
const RESTART_GAP_SECONDS = 24;
/** Pause after each seek, past the JIT's still-frame repeats (120 and 400 ms), so seeks start settled. */
const SEEK_GAP_MS = 500;
const TARGET_LONG_SEEK_RATIO = 10;

interface Case {
  key: 'short' | 'long-prores' | 'long-h264';
  /** A long source, seeked far apart (HLS restarts its transcode); else a short clip HLS buffers whole. */
  far: boolean;
  /**
   * A stress case beyond the 10× seek target, reported without a verdict: a source a browser could
   * play by itself, and the cheapest for HLS to restart on. The target is judged on the long
   * ProRes source, which stands for what jit is for (sources browsers cannot open).
   */
  stress?: boolean;
  title: string;
  clip: BenchClip;
  firstFrameRuns: number;
  seeks: number;
}

const FPS = 25;
const CASES: Case[] = [
  {
    key: 'short',
    far: false,
    title: 'short clip: ProRes 422 1080p25, 12 s',
    clip: {
      name: 'ProRes 422 1080p25 12 s',
      options: { codec: 'prores', width: 1920, height: 1080, fps: FPS, frames: 300, cacheDir: CACHE },
      gop: 1,
      frames: 300,
      fps: FPS,
    },
    firstFrameRuns: quick ? 3 : 10,
    seeks: quick ? 6 : 20,
  },
  {
    key: 'long-prores',
    far: true,
    title: 'long source: ProRes 422 1080p25, 10 min',
    clip: {
      name: 'ProRes 422 1080p25 10 min',
      // about 3.3 GB, made once in a few minutes and cached
      options: { codec: 'prores', width: 1920, height: 1080, fps: FPS, frames: 15000, cacheDir: CACHE },
      gop: 1,
      frames: 15000,
      fps: FPS,
    },
    firstFrameRuns: quick ? 3 : 6,
    seeks: quick ? 6 : 12,
  },
  {
    key: 'long-h264',
    far: true,
    stress: true,
    title: 'long source: H.264 1080p25 GOP 25, 10 min',
    clip: {
      name: 'H.264 1080p25 GOP 25 10 min',
      // ultrafast makes the 15 000 frames in a few minutes; the result is cached
      options: {
        codec: 'h264-longgop',
        width: 1920,
        height: 1080,
        fps: FPS,
        frames: 15000,
        gop: 25,
        bframes: 0,
        preset: 'ultrafast',
        cacheDir: CACHE,
      },
      gop: 25,
      frames: 15000,
      fps: FPS,
    },
    firstFrameRuns: quick ? 3 : 6,
    seeks: quick ? 6 : 12,
  },
];
/** Server CPU is read over this period from the request, the viewer playing. */
const CPU_PERIOD_MS = quick ? 6000 : 10000;
const CPU_RUNS = quick ? 1 : 2;

/**
 * Seek targets far apart over a long source: one per equal slot, at varying places inside a
 * segment (its first frame, its last, the middle…), visited with a stride of 5 slots so each seek
 * jumps minutes away, forwards or back.
 */
function farSeekTargets(clip: BenchClip, count: number, segmentFrames: number): number[] {
  if (count % 5 === 0) throw new RangeError('count must not be a multiple of 5');
  const segments = Math.floor(clip.frames / segmentFrames);
  const offsets = [0, segmentFrames - 1, Math.floor(segmentFrames / 2), 1, segmentFrames - 2, 7];
  const slots = Array.from(
    { length: count },
    (_, i) => Math.floor(((i + 0.5) * segments) / count) * segmentFrames + offsets[i % offsets.length],
  );
  return slots.map((_, k) => slots[(k * 5) % count]);
}

// ---------------------------------------------------------------------------------------------
// Runs

interface CpuRun {
  cpuSeconds: number;
  framesShown: number;
  /** HLS: seconds of media ffmpeg made in the period */
  mediaSeconds?: number;
}

async function jitCpuRun(browser: Browser, jitProcess: RunningJit): Promise<CpuRun> {
  const page = await openPlayer(browser, jitProcess.url);
  try {
    const pid = jitProcess.process.pid!;
    const before = processCpuTimes(pid);
    const started = performance.now();
    await page.evaluate(async () => {
      await probe.connect();
      await probe.waitForFrameIndex(0, 10000);
      probe.send({ type: 'play' });
    });
    await sleep(CPU_PERIOD_MS - (performance.now() - started));
    const after = processCpuTimes(pid);
    const stats = await page.evaluate(() => probe.stats());
    await page.evaluate(() => probe.disconnect());
    return { cpuSeconds: after.user + after.system - before.user - before.system, framesShown: stats?.framesDecoded ?? 0 };
  } finally {
    await page.close();
  }
}

async function hlsCpuRun(browser: Browser, server: OnTheFlyHlsServer, source: string): Promise<CpuRun> {
  const viewer = await openHlsViewer(browser, server);
  const started = performance.now();
  await startHls(viewer, server.playlistUrl(source, viewer.session));
  await sleep(CPU_PERIOD_MS - (performance.now() - started));
  const stats = server.stats(viewer.session);
  const frames = await presentedFrames(viewer);
  await closeHlsViewer(server, viewer);
  return { cpuSeconds: stats.cpuSeconds, framesShown: frames.total, mediaSeconds: stats.segmentsMade * SEGMENT_SECONDS };
}

async function hlsFirstFrameRun(
  browser: Browser,
  server: OnTheFlyHlsServer,
  source: string,
): Promise<HlsFirstFrame & { server: HlsSessionStats }> {
  const viewer = await openHlsViewer(browser, server);
  try {
    const run = await startHls(viewer, server.playlistUrl(source, viewer.session));
    return { ...run, server: server.stats(viewer.session) };
  } finally {
    await closeHlsViewer(server, viewer);
  }
}

interface HlsSeek extends SeekRun {
  /** how the server answered the segment requests of this seek: buffer (none), on disk, waited, restarted */
  how: string;
}

async function hlsSeeks(
  browser: Browser,
  server: OnTheFlyHlsServer,
  c: Case,
  targets: number[],
): Promise<{ seeks: HlsSeek[]; firstSegmentMs: number[]; errors: string[] }> {
  const viewer = await openHlsViewer(browser, server);
  try {
    await startHls(viewer, server.playlistUrl(c.key, viewer.session));
    if (!c.far) await waitFullyBuffered(viewer, 60000);
    await pause(viewer);
    await sleep(SEEK_GAP_MS);
    const seeks: HlsSeek[] = [];
    for (const target of targets) {
      const from = server.stats(viewer.session).requests.length;
      const run = await hlsSeekRun(viewer, target, c.clip.fps, c.far ? 60000 : 5000);
      const answers = server
        .stats(viewer.session)
        .requests.slice(from)
        .map((r) => r.answer);
      const how = answers.includes('restarted')
        ? 'restarted'
        : answers.includes('waited')
          ? 'waited'
          : answers.length
            ? 'on disk'
            : 'buffer';
      seeks.push({ ...run, how });
      await sleep(SEEK_GAP_MS);
    }
    return { seeks, firstSegmentMs: server.stats(viewer.session).firstSegmentMs.slice(1), errors: pageLog(viewer.page).errors };
  } finally {
    await closeHlsViewer(server, viewer);
  }
}

async function jitSeeks(browser: Browser, jitProcess: RunningJit, targets: number[]): Promise<SeekRun[]> {
  const page = await openPlayer(browser, jitProcess.url);
  try {
    await page.evaluate(async () => {
      await probe.connect();
      await probe.waitForFrameIndex(0, 10000);
    });
    await sleep(SEEK_GAP_MS);
    const seeks: SeekRun[] = [];
    for (const target of targets) {
      seeks.push(await seekRun(page, target));
      await sleep(SEEK_GAP_MS);
    }
    await page.evaluate(() => probe.disconnect());
    const server = serverSeekTimes(jitProcess.output());
    for (const s of seeks) s.serverMs = server.get(s.frame);
    return seeks;
  } finally {
    await page.close();
  }
}

// ---------------------------------------------------------------------------------------------
// One case

interface CaseResult {
  c: Case;
  jitFirst: FirstFrameRun[];
  hlsFirst: (HlsFirstFrame & { server: HlsSessionStats })[];
  jitSeeks: SeekRun[];
  hlsSeeks: HlsSeek[];
  hlsRestartToSegment: number[];
  jitCpu: CpuRun[];
  hlsCpu: CpuRun[];
}

async function runCase(browser: Browser, server: OnTheFlyHlsServer, c: Case, file: string, jitPort: number): Promise<CaseResult> {
  console.log(`\n=== ${c.title} ===`);
  const jitProcess = await startJit(['-i', file, '-v', '--technical-timeout', '900', '--port', String(jitPort)], JIT_ENV);
  try {
    // 1. request → first frame, alternating which side goes first
    const jitFirst: FirstFrameRun[] = [];
    const hlsFirst: CaseResult['hlsFirst'] = [];
    for (let i = 0; i < c.firstFrameRuns; i++) {
      const order = i % 2 === 0 ? ['jit', 'hls'] : ['hls', 'jit'];
      for (const side of order) {
        if (side === 'jit') jitFirst.push(await firstFrameRun(browser, jitProcess));
        else hlsFirst.push(await hlsFirstFrameRun(browser, server, c.key));
      }
      const j = jitFirst[jitFirst.length - 1];
      const h = hlsFirst[hlsFirst.length - 1];
      console.log(
        `  first frame ${i + 1}: jit connect()→frame ${fmt(j.connectToFrame, 0)} ms (POST→frame ${fmt(j.postToFrame, 0)}, index ${j.index}); ` +
          `HLS request→frame ${fmt(h.requestToFrame, 0)} ms (playlist ${fmt(h.playlist, 0)}, first segment ${fmt(h.firstSegment, 0)} [ffmpeg spawn→segment ${fmt(h.server.firstSegmentMs[0] ?? NaN, 0)}], segment→frame ${fmt(h.segmentToFrame, 0)}, index ${h.index})`,
      );
    }

    // 2. seeks: the same targets on both sides, HLS first (its ffmpeg ends before the JIT seeks)
    const targets = !c.far ? seekTargets(c.clip, c.seeks) : farSeekTargets(c.clip, c.seeks, SEGMENT_SECONDS * c.clip.fps);
    const hls = await hlsSeeks(browser, server, c, targets);
    if (hls.errors.length) console.log(`  HLS page errors: ${hls.errors.slice(0, 3).join(' | ')}`);
    console.log(
      '  HLS seeks (frame: shown ms, how): ' +
        hls.seeks.map((s) => `${s.frame}: ${fmt(s.shownMs, 0)} ${s.how}${s.exact ? '' : ` WRONG(${s.lastIndex})`}`).join(', '),
    );
    const jitSeekRuns = await jitSeeks(browser, jitProcess, targets);
    console.log(
      '  jit seeks (frame: shown ms): ' +
        jitSeekRuns.map((s) => `${s.frame}: ${fmt(s.shownMs, 0)}${s.exact ? '' : ` WRONG(${s.lastIndex})`}`).join(', '),
    );

    // 3. CPU over a fixed playback period, alternating
    const jitCpu: CpuRun[] = [];
    const hlsCpu: CpuRun[] = [];
    for (let i = 0; i < CPU_RUNS; i++) {
      jitCpu.push(await jitCpuRun(browser, jitProcess));
      hlsCpu.push(await hlsCpuRun(browser, server, c.key));
      const j = jitCpu[i];
      const h = hlsCpu[i];
      console.log(
        `  CPU over ${CPU_PERIOD_MS / 1000} s: jit ${fmt(j.cpuSeconds, 2)} s (${j.framesShown} frames decoded in the page); ` +
          `HLS ffmpeg ${fmt(h.cpuSeconds, 2)} s (${fmt(h.mediaSeconds ?? NaN, 0)} s of media made, ${h.framesShown} frames presented)`,
      );
    }
    return { c, jitFirst, hlsFirst, jitSeeks: jitSeekRuns, hlsSeeks: hls.seeks, hlsRestartToSegment: hls.firstSegmentMs, jitCpu, hlsCpu };
  } finally {
    await jitProcess.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Report

interface Row {
  metric: string;
  jit: string;
  hls: string;
  ratio: string;
  target: string;
  result: string;
}

const p50p95 = (values: number[]): string => {
  const s = summarize(values.filter(Number.isFinite));
  return `${fmt(s.p50, 0)} (${fmt(s.p95, 0)})`;
};
const median = (values: number[]): number => summarize(values.filter(Number.isFinite)).p50;
const ratio = (hls: number, jit: number): string => `${fmt(hls / jit, hls / jit >= 10 ? 0 : 1)}×`;

function rows(r: CaseResult): Row[] {
  const { c } = r;
  const out: Row[] = [];
  const jitFirst = r.jitFirst.map((f) => f.connectToFrame);
  const hlsFirst = r.hlsFirst.map((f) => f.requestToFrame);
  const jf = median(jitFirst);
  const hf = median(hlsFirst);
  out.push({
    metric: 'request → first frame, ms, p50 (p95)',
    jit: p50p95(jitFirst),
    hls: p50p95(hlsFirst),
    ratio: ratio(hf, jf),
    target: !c.far ? 'jit ≤ HLS' : '—',
    result: !c.far ? (jf <= hf ? 'PASS' : 'MISS') : '—',
  });
  const jitShown = r.jitSeeks.map((s) => s.shownMs);
  const hlsShown = r.hlsSeeks.map((s) => s.shownMs);
  const js = median(jitShown);
  const hs = median(hlsShown);
  const jitExact = r.jitSeeks.filter((s) => s.exact).length;
  const hlsExact = r.hlsSeeks.filter((s) => s.exact).length;
  const hows = countBy(r.hlsSeeks.map((s) => s.how));
  out.push({
    metric: `seek → requested frame shown, ms, p50 (p95); HLS: ${hows}`,
    jit: p50p95(jitShown),
    hls: p50p95(hlsShown),
    ratio: ratio(hs, js),
    target: c.stress ? 'none (stress case)' : c.far ? `HLS ÷ jit ≥ ${TARGET_LONG_SEEK_RATIO}×` : 'none (HLS seeks in its buffer)',
    result: c.far && !c.stress ? (hs / js >= TARGET_LONG_SEEK_RATIO ? 'PASS' : 'MISS') : '—',
  });
  // per target, the same frame on both sides
  const pairs = r.jitSeeks.map((j, i) => r.hlsSeeks[i].shownMs / j.shownMs).filter(Number.isFinite);
  if (c.far) {
    out.push({
      metric: 'seek, per target HLS ÷ jit: lowest, p50',
      jit: '',
      hls: '',
      ratio: `${fmt(Math.min(...pairs), 1)}×, ${fmt(median(pairs), 1)}×`,
      target: '—',
      result: '—',
    });
  }
  out.push({
    metric: 'exact frame after the seek',
    jit: `${jitExact}/${r.jitSeeks.length}`,
    hls: `${hlsExact}/${r.hlsSeeks.length}`,
    ratio: '',
    target: c.far ? 'jit always exact' : '—',
    result: c.far ? (jitExact === r.jitSeeks.length ? 'PASS' : 'MISS') : '—',
  });
  const jc = median(r.jitCpu.map((x) => x.cpuSeconds));
  const hc = median(r.hlsCpu.map((x) => x.cpuSeconds));
  const period = CPU_PERIOD_MS / 1000;
  out.push({
    metric: `server CPU over the first ${period} s of playback, CPU s (cores)`,
    jit: `${fmt(jc, 1)} (${fmt(jc / period, 2)})`,
    hls: `${fmt(hc, 1)} (${fmt(hc / period, 2)})`,
    ratio: ratio(hc, jc),
    target: '—',
    result: '—',
  });
  const fps = c.clip.fps;
  const jitShownS = median(r.jitCpu.map((x) => x.framesShown)) / fps;
  const hlsShownS = median(r.hlsCpu.map((x) => x.framesShown)) / fps;
  const media = median(r.hlsCpu.map((x) => x.mediaSeconds ?? NaN));
  out.push({
    metric: 'media shown in the page in that period, s (HLS: made by ffmpeg)',
    jit: fmt(jitShownS, 1),
    hls: `${fmt(hlsShownS, 1)} (${fmt(media, 0)})`,
    ratio: '',
    target: '—',
    result: '—',
  });
  out.push({
    metric: 'CPU s per media s (jit: sent in real time; HLS: made)',
    jit: fmt(jc / jitShownS, 2),
    hls: fmt(hc / media, 2),
    ratio: ratio(hc / media, jc / jitShownS),
    target: '—',
    result: '—',
  });
  return out;
}

function countBy(values: string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
}

function table(results: CaseResult[]): string {
  const head = ['Case', 'Metric', 'jit', 'on-the-fly HLS', 'HLS ÷ jit', 'Target', 'Result'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of results) {
    for (const row of rows(r)) lines.push(`| ${[r.c.key, row.metric, row.jit, row.hls, row.ratio, row.target, row.result].join(' | ')} |`);
  }
  return lines.join('\n');
}

function breakdown(results: CaseResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    const part = <T>(runs: T[], f: (x: T) => number) => fmt(median(runs.map(f)), 0);
    lines.push(
      `- ${r.c.key}: jit first frame p50 parts: browser offer + ICE gathering ${part(r.jitFirst, (f) => f.beforePost)} ms, ` +
        `WHEP POST ${part(r.jitFirst, (f) => f.post)} ms, answer → connected ${part(r.jitFirst, (f) => f.toConnected)} ms, connected → frame ${part(r.jitFirst, (f) => f.connectedToFrame)} ms ` +
        `(WHEP POST → frame ${part(r.jitFirst, (f) => f.postToFrame)} ms). HLS: playlist ${part(r.hlsFirst, (f) => f.playlist)} ms, first segment request → received ` +
        `${part(r.hlsFirst, (f) => f.firstSegment)} ms (ffmpeg spawn → segment 0 complete ${part(r.hlsFirst, (f) => f.server.firstSegmentMs[0] ?? NaN)} ms), segment → frame shown ${part(r.hlsFirst, (f) => f.segmentToFrame)} ms.`,
    );
    const jitServer = r.jitSeeks.map((s) => s.serverMs ?? NaN);
    lines.push(
      `- ${r.c.key}: jit seeks: the JIT's own time for the command ("command done" in its -v log) p50 ${fmt(median(jitServer), 0)} ms ` +
        `(${fmt(Math.min(...jitServer.filter(Number.isFinite)), 0)}–${fmt(Math.max(...jitServer.filter(Number.isFinite)), 0)}), the rest (data channel, RTP, the browser's decode and present) p50 ` +
        `${fmt(median(r.jitSeeks.map((s) => s.shownMs - (s.serverMs ?? NaN))), 0)} ms.`,
    );
    if (r.hlsRestartToSegment.length) {
      lines.push(
        `- ${r.c.key}: HLS restarts: ffmpeg spawn (-ss) → first segment complete p50 ${fmt(median(r.hlsRestartToSegment), 0)} ms over ${r.hlsRestartToSegment.length} restarts.`,
      );
    }
    const wrong = r.hlsSeeks.filter((s) => !s.exact).map((s) => `${s.frame}→${s.lastIndex}`);
    if (wrong.length) lines.push(`- ${r.c.key}: HLS seeks not on the requested frame (requested→shown): ${wrong.join(', ')}.`);
    const jitWrong = r.jitSeeks.filter((s) => !s.exact).map((s) => `${s.frame}→${s.lastIndex}`);
    if (jitWrong.length) lines.push(`- ${r.c.key}: jit seeks not on the requested frame: ${jitWrong.join(', ')}.`);
  }
  return lines.join('\n');
}

const METHOD = `How it is measured (bench/compare.ts, bench/compare/):
- Both sides play in the same headless Chromium (software decoding) on the same machine as the servers, each run on a fresh page of the JIT's own player page, whose frame-index reader (the 16-column band drawn in every source frame, read back from the video element through a canvas) reads both sides.
- **jit**: one JIT process per source (\`-i FILE\`), the player page's WHEP connect. Request → first frame is the page's Connect clicked (\`probe.connect()\`) → first presented frame (requestVideoFrameCallback), so the browser's offer and ICE gathering count. Seek: control-channel \`seek\` sent → presentation (requestVideoFrameCallback presentationTime) of the first frame whose index, read from the video, is the requested one; the pixel read-back itself is not counted.
- **on-the-fly HLS**, as media servers such as Jellyfin make it: the playlist request is answered at once with the whole VOD playlist (1 s segments) and starts \`ffmpeg [-ss T] -i FILE -copyts -map 0:v:0 -c:v libx264 -preset ultrafast -tune zerolatency -crf 23 -g 25 -keyint_min 25 -sc_threshold 0 -f hls -hls_time 1 -hls_list_size 0 -hls_flags independent_segments+temp_file -start_number N\` (a keyframe on every segment boundary; a segment is served once complete). A segment request waits when ffmpeg is at most 24 s behind it (Jellyfin's rule); otherwise ffmpeg is killed and restarted at that segment's start (\`-ss N -start_number N\`, timestamps kept by \`-copyts\`), the segments before it not yet made. hls.js (from node_modules, default configuration) plays it on the same video element. Request → first frame is \`hls.loadSource()\` → first presented frame. Seek: video paused, \`video.currentTime = (n + 0.5) / fps\` → presentation of the first frame whose index read from the video is n (as for jit); exact when the frame on screen after \`seeked\` and the next presented frame is n.
- Short clip: HLS has the whole clip buffered before its seeks start. Long source: seek targets are spread over the 10 minutes and visited 5 slots apart (each seek jumps minutes, forwards or back), at varying places in a segment; both sides get the same targets. A pause of ${SEEK_GAP_MS} ms follows each seek.
- CPU: utime + stime from /proc of the JIT process, and of every ffmpeg process of the HLS session (ffmpeg's own -benchmark figure for one that ended by itself), from the request to ${CPU_PERIOD_MS / 1000} s later, the viewer playing from frame 0. ffmpeg transcodes as fast as it can (no throttling), so HLS also shows CPU per second of media made: the cost of a stream once a throttle holds it to real time.
- The 10× seek target is judged on the long ProRes source (what jit is for: sources browsers cannot open); the long H.264 source (ultrafast, no B-frames) is a stress case beyond it, reported without a verdict: a source a browser could play by itself, and the cheapest for HLS to restart on.
- p50/p95 over the runs; the sides alternate in the first-frame runs, so both see the same machine load.`;

async function main(): Promise<void> {
  const started = performance.now();
  const load0 = os.loadavg();
  console.log(`jit against on-the-fly HLS${quick ? ' (quick)' : ''}`);
  console.log(`machine speed: ${machineSpeed()}`);
  const files: Record<string, string> = {};
  const selected = casesArg ? CASES.filter((c) => casesArg.includes(c.key)) : CASES;
  if (selected.length === 0)
    throw new Error(`--cases: none of ${casesArg?.join(', ')}; the cases are ${CASES.map((c) => c.key).join(', ')}`);
  for (const c of selected) files[c.key] = await clipFile(c.clip);
  const server = new OnTheFlyHlsServer({
    sources: Object.fromEntries(selected.map((c) => [c.key, { file: files[c.key], frames: c.clip.frames, fps: c.clip.fps }])),
    workDir: path.join(CACHE, `hls-${process.pid}`),
    segmentSeconds: SEGMENT_SECONDS,
    restartGapSeconds: RESTART_GAP_SECONDS,
    ports: HLS_PORTS,
    files: {
      '/': { file: path.join(repoRoot, 'dist', 'web', 'jit-player', 'index.html'), type: 'text/html; charset=utf-8' },
      '/player.js': { file: path.join(repoRoot, 'dist', 'web', 'jit-player', 'player.js'), type: 'text/javascript' },
      '/player.css': { file: path.join(repoRoot, 'dist', 'web', 'jit-player', 'player.css'), type: 'text/css' },
      '/hls.min.js': { file: require.resolve('hls.js/dist/hls.min.js'), type: 'text/javascript' },
    },
  });
  await server.listen();
  const browser = await launchBrowser();
  const results: CaseResult[] = [];
  try {
    for (const [i, c] of selected.entries()) results.push(await runCase(browser, server, c, files[c.key], JIT_PORTS[0] + i));
  } finally {
    await browser.close();
    await server.close();
  }
  const load1 = os.loadavg();
  const body = table(results);
  console.log('\n' + body + '\n\n' + breakdown(results) + '\n');
  const totalS = (performance.now() - started) / 1000;
  const conditions =
    `- Conditions: ${quick ? 'quick run' : 'full run'}, ${fmt(totalS, 0)} s; load average ${load0.map((l) => fmt(l, 1)).join(' / ')} at the start and ${load1.map((l) => fmt(l, 1)).join(' / ')} at the end ` +
    '(1/5/15 min): the machine is shared with other work, the figures are noisy; Chromium, the servers and the other work share its cores.';
  const text = [
    '# jit against on-the-fly HLS',
    '',
    resultsSection('Latest run (compare)', COMMAND, `${conditions}\n\n${body}\n\n${breakdown(results)}\n\n${METHOD}`).trimEnd(),
    '',
  ].join('\n');
  if ((!quick && selected.length === CASES.length) || args.includes('--write')) {
    writeFileSync(RESULTS, text);
    console.log(`written to ${RESULTS}; total ${fmt(totalS, 0)} s`);
  } else {
    console.log(`quick or partial run: not written to ${RESULTS} (--write forces it); total ${fmt(totalS, 0)} s`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
