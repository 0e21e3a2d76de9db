/**
 * Shared helpers of the benchmarks: the clips, statistics, process CPU readings, the machine
 * description and the Markdown results file. Benchmarks print figures; they never assert timing.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { openPlayer } from '../test/support/browser';
import type { RunningJit } from '../test/support/jit-process';
import type { PageProbe } from '../test/support/page-probe';
import { seededRandom } from '../test/support/seeded-random';
import { makeIndexedClip, type IndexedClipOptions } from '@jit/sample-media';

/** The repository root (this file compiles to dist/bench/bench-util.js). */
export const repoRoot = path.resolve(__dirname, '..', '..');
export const resultsDir = path.join(repoRoot, 'bench', 'results');
export const latestResults = path.join(resultsDir, 'latest.md');

export interface BenchClip {
  /** short name for tables */
  name: string;
  options: IndexedClipOptions;
  /** keyframe interval (1 for intra-only) */
  gop: number;
  frames: number;
  fps: number;
}

const FRAMES = 500;

/** The clips both benchmarks use: 1080p25 ProRes 422 and long-GOP H.264 (IBBBP, closed GOPs of 25 and 50). */
export const CLIPS: BenchClip[] = [
  {
    name: 'ProRes 422 1080p25',
    options: { codec: 'prores', width: 1920, height: 1080, fps: 25, frames: FRAMES },
    gop: 1,
    frames: FRAMES,
    fps: 25,
  },
  {
    name: 'H.264 1080p25 GOP 25 B3',
    options: { codec: 'h264-longgop', width: 1920, height: 1080, fps: 25, frames: FRAMES, gop: 25, bframes: 3 },
    gop: 25,
    frames: FRAMES,
    fps: 25,
  },
  {
    name: 'H.264 1080p25 GOP 50 B3',
    options: { codec: 'h264-longgop', width: 1920, height: 1080, fps: 25, frames: FRAMES, gop: 50, bframes: 3 },
    gop: 50,
    frames: FRAMES,
    fps: 25,
  },
];

/** The clips named by a --clips value (prores, g25, g50, comma-separated); all of them without one. */
export function selectClips(names: string | undefined): BenchClip[] {
  if (!names || names.startsWith('--')) return CLIPS;
  return CLIPS.filter((c) => names.split(',').some((k) => (k === 'prores' ? c.gop === 1 : c.gop === Number(k.replace(/^g/, '')))));
}

/** Creates (or finds in the cache) the clip's file; prints how long generation took the first time. */
export async function clipFile(clip: BenchClip): Promise<string> {
  const started = performance.now();
  const file = await makeIndexedClip(clip.options);
  const ms = performance.now() - started;
  if (ms > 1000) console.log(`  generated ${path.basename(file)} in ${(ms / 1000).toFixed(1)} s`);
  return file;
}

// ---------------------------------------------------------------------------------------------
// Statistics

/** Percentile with linear interpolation between closest ranks (p in 0..100). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

export interface Summary {
  n: number;
  p50: number;
  p95: number;
  min: number;
  max: number;
  mean: number;
}

export function summarize(values: number[]): Summary {
  return {
    n: values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    min: values.length ? Math.min(...values) : NaN,
    max: values.length ? Math.max(...values) : NaN,
    mean: values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN,
  };
}

export const fmt = (v: number, digits = 1): string => (Number.isFinite(v) ? v.toFixed(digits) : '—');

export function describe(s: Summary, unit = 'ms'): string {
  return `p50 ${fmt(s.p50)} ${unit}  p95 ${fmt(s.p95)} ${unit}  min ${fmt(s.min)}  max ${fmt(s.max)}  (n=${s.n})`;
}

/** PASS when value <= target. */
export const verdict = (value: number, target: number): 'PASS' | 'MISS' => (Number.isFinite(value) && value <= target ? 'PASS' : 'MISS');

export function shuffled<T>(items: T[], seed: number): T[] {
  const random = seededRandom(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * Seek targets spread over the whole clip: evenly spaced frames, and for long-GOP clips the
 * frames around GOP boundaries (last frame of a GOP, its IDR, the frame after, mid-GOP and the
 * frame just before the next IDR, the costliest to reach). Unique, shuffled deterministically,
 * and never two neighbours within 13 frames of each other (so no seek is a short decode-forward).
 */
export function seekTargets(clip: BenchClip, count: number, seed = 20240601): number[] {
  const last = clip.frames - 1;
  const set = new Set<number>([last, 1]);
  if (clip.gop > 1) {
    const gops = Math.floor(clip.frames / clip.gop);
    const picks = [1, Math.floor(gops / 3), Math.floor((2 * gops) / 3), gops - 1].filter((k, i, a) => k >= 1 && a.indexOf(k) === i);
    for (const k of picks) {
      const idr = k * clip.gop;
      for (const f of [idr - 1, idr, idr + 1, idr + Math.floor(clip.gop / 2)]) if (f > 0 && f <= last) set.add(f);
    }
  }
  for (let i = 0; set.size < count && i < count * 4; i++) {
    const f = Math.round(((i + 0.5) * last) / count) + (i % 3);
    if (f > 0 && f <= last) set.add(f);
  }
  const targets = shuffled([...set].slice(0, Math.max(count, set.size)), seed);
  // Spread neighbours apart: a target within 13 frames after the previous one would be a decode-forward.
  for (let pass = 0; pass < 10; pass++) {
    let moved = false;
    for (let i = 1; i < targets.length; i++) {
      const d = targets[i] - targets[i - 1];
      if (d > 0 && d <= 13) {
        const j = (i + 3) % targets.length;
        [targets[i], targets[j]] = [targets[j], targets[i]];
        moved = true;
      }
    }
    if (!moved) break;
  }
  return targets;
}

// ---------------------------------------------------------------------------------------------
// Processes

export const clockTicks = (() => {
  try {
    const out = execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const n = Number(out.trim());
    return n > 0 ? n : 100;
  } catch {
    return 100;
  }
})();

/** Fields of a /proc/<pid>/stat line after the command name: index 0 is field 3 (state). */
function statFields(line: string): string[] {
  return line
    .slice(line.lastIndexOf(')') + 2)
    .trim()
    .split(/\s+/);
}

export interface CpuTimes {
  user: number;
  system: number;
}

/** CPU seconds (utime, stime) used so far by a running process, all its threads. */
export function processCpuTimes(pid: number): CpuTimes {
  const f = statFields(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  return { user: Number(f[14 - 3]) / clockTicks, system: Number(f[15 - 3]) / clockTicks };
}

/**
 * Runs a command under bash and returns the CPU seconds of its (waited-for) children, read from
 * bash's own cutime + cstime after they ended, and the wall time.
 */
export function childCpu(command: string): Promise<{ cpuSeconds: number; user: number; system: number; wallMs: number; stderr: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile('bash', ['-c', `${command}; rc=$?; cat /proc/$$/stat; exit $rc`], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const wallMs = performance.now() - started;
      if (err) {
        reject(new Error(`${command} failed: ${err.message}\n${stderr.slice(-2000)}`));
        return;
      }
      const line = stdout.trim().split('\n').pop() ?? '';
      const f = statFields(line);
      const user = Number(f[16 - 3]) / clockTicks;
      const system = Number(f[17 - 3]) / clockTicks;
      resolve({ cpuSeconds: user + system, user, system, wallMs, stderr });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Machine and results file

export function machineDescription(): string {
  let model = os.cpus()[0]?.model ?? 'unknown CPU';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) model = m[1].trim();
  } catch {
    /* not Linux */
  }
  const nproc = os.availableParallelism?.() ?? os.cpus().length;
  return `${nproc} × ${model}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, Node ${process.version}`;
}

export interface TableRow {
  clip: string;
  metric: string;
  p50: string;
  p95: string;
  target: string;
  result: string;
}

export function markdownTable(rows: TableRow[]): string {
  const head = ['Clip', 'Metric', 'p50', 'p95', 'Target', 'Result'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) lines.push(`| ${[r.clip, r.metric, r.p50, r.p95, r.target, r.result].join(' | ')} |`);
  return lines.join('\n');
}

/** A results section: title, date, machine, command, then the body. */
export function resultsSection(title: string, command: string, body: string): string {
  return [
    `## ${title}`,
    '',
    `- Date: ${new Date().toISOString()}`,
    `- Machine: ${machineDescription()}`,
    `- ffmpeg: ${ffmpegVersion()}`,
    `- Machine speed at the end of the run: ${machineSpeed()}`,
    `- Command: \`${command}\``,
    '',
    body,
    '',
  ].join('\n');
}

/**
 * `ffmpeg -version` wall time, p50 of 5: a process start, mostly dynamic linking and page faults.
 * The shared machines here run it in about 60 ms when quiet and two to four times slower when the
 * host is busy, with every figure of a run slowed alike.
 */
export function machineSpeed(): string {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' });
    times.push(performance.now() - started);
  }
  return `\`ffmpeg -version\` in ${summarize(times).p50.toFixed(0)} ms (p50 of 5; about 60 ms on a quiet machine here)`;
}

function ffmpegVersion(): string {
  try {
    const out = execFileSync('ffmpeg', ['-version'], { encoding: 'utf8' });
    return out.split('\n')[0].replace(/ Copyright.*$/, '');
  } catch {
    return 'unknown';
  }
}

/**
 * Writes a section into a results file: replaces the section with the same `## title` if the
 * file has one, appends it otherwise, so each benchmark refreshes its own part.
 */
export function writeResultsSection(file: string, title: string, section: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const header = '# jit benchmark results\n\nWritten by `npm run bench` (bench/jit-bench.ts) and `node dist/bench/seek-alternatives.js`.\n';
  let text = existsSync(file) ? readFileSync(file, 'utf8') : header;
  const start = text.indexOf(`## ${title}\n`);
  if (start >= 0) {
    const next = text.indexOf('\n## ', start + 3);
    text = text.slice(0, start) + section.trimEnd() + '\n' + (next >= 0 ? text.slice(next) : '');
  } else {
    text = text.trimEnd() + '\n\n' + section.trimEnd() + '\n';
  }
  writeFileSync(file, text);
}

// ---------------------------------------------------------------------------------------------
// The test's probe in the player page (test/support/page-probe.ts, installed by openPlayer).
export type { PageProbe };
declare const probe: PageProbe;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// One JIT viewer in Chromium (jit-bench and compare): offer → first frame, seek → frame shown

export interface FirstFrameRun {
  /** WHEP POST start → first presented frame */
  postToFrame: number;
  /** probe.connect() call → first presented frame (includes client-side offer and ICE gathering) */
  connectToFrame: number;
  /** connect() call → POST start: the browser's own offer and ICE gathering */
  beforePost: number;
  /** POST start → answer received (server: pipeline open, answer, ICE gathering) */
  post: number;
  /** answer received → the JIT reports the connection connected (ICE + DTLS), from its log */
  toConnected: number;
  /** answer received → the page's ICE connected event (the rest of toConnected is mostly DTLS) */
  toIceConnected: number;
  /** the JIT's "connected" → first frame presented in the page (server: frame 0 decoded, encoded, sent; then the browser) */
  connectedToFrame: number;
  index: number;
  /** server: offer received → media pipeline open (debug log "media pipeline open") */
  serverPipelineMs?: number;
  /** server: offer received → answer ready ("viewer answered") */
  serverAnswerMs?: number;
}

/** One viewer on a fresh player page: offer → first frame, with its parts (server parts from the JIT's -v log). */
export async function firstFrameRun(browser: Browser, jitProcess: RunningJit): Promise<FirstFrameRun> {
  const page = await openPlayer(browser, jitProcess.url);
  const logFrom = jitProcess.output().length;
  try {
    const run = await page.evaluate(async () => {
      const w = window as unknown as { RTCPeerConnection: typeof RTCPeerConnection };
      const marks: { iceConnected?: number } = {};
      const Original = w.RTCPeerConnection;
      // Record when ICE comes up; the player constructs its peer in connect(). (Chromium's
      // connectionstatechange event can come after the first frame is shown: the JIT's log is used for "connected".)
      w.RTCPeerConnection = function (this: unknown, config?: RTCConfiguration) {
        const pc = new Original(config);
        pc.addEventListener('iceconnectionstatechange', () => {
          if (pc.iceConnectionState === 'connected' && marks.iceConnected === undefined) marks.iceConnected = performance.now();
        });
        return pc;
      } as unknown as typeof RTCPeerConnection;
      w.RTCPeerConnection.prototype = Original.prototype;

      const video = probe.video;
      const firstFrame = new Promise<{ at: number; index: number }>((resolve) => {
        video.requestVideoFrameCallback((_now, meta) => resolve({ at: meta.presentationTime, index: probe.readFrameIndex() }));
      });
      const called = performance.now();
      await probe.connect();
      const frame = await Promise.race([
        firstFrame,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no video frame within 10 s')), 10000)),
      ]);
      const post = performance
        .getEntriesByType('resource')
        .find((e) => (e as PerformanceResourceTiming).initiatorType === 'fetch' && /\/whep$/.test(e.name)) as
        PerformanceResourceTiming | undefined;
      if (!post) throw new Error('no resource timing entry for the WHEP POST');
      await probe.disconnect();
      return {
        postToFrame: frame.at - post.startTime,
        connectToFrame: frame.at - called,
        beforePost: post.startTime - called,
        post: post.responseEnd - post.startTime,
        toConnected: NaN,
        toIceConnected: (marks.iceConnected ?? NaN) - post.responseEnd,
        connectedToFrame: NaN,
        index: frame.index,
        timeOrigin: performance.timeOrigin,
        answerAt: post.responseEnd,
        frameAt: frame.at,
      };
    });
    // Server-side parts, from the JIT's JSON log (pino "time" is epoch ms, the page's clock is
    // performance.timeOrigin-based: same machine, so they compare to the millisecond).
    const { timeOrigin, answerAt, frameAt, ...measured } = run;
    const out: FirstFrameRun = measured;
    for (const line of jitProcess.output().slice(logFrom).split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        const e = JSON.parse(line) as { msg?: string; ms?: number; state?: string; time?: number };
        if (e.msg === 'media pipeline open') out.serverPipelineMs = e.ms;
        else if (e.msg === 'viewer answered') out.serverAnswerMs = e.ms;
        else if (e.msg === 'connection state' && e.state === 'connected' && e.time && Number.isNaN(out.toConnected)) {
          const connectedAt = e.time - timeOrigin;
          out.toConnected = connectedAt - answerAt;
          out.connectedToFrame = frameAt - connectedAt;
        }
      } catch {
        /* not JSON */
      }
    }
    return out;
  } finally {
    await page.close();
  }
}

export interface SeekRun {
  frame: number;
  /** send → presentation of the first frame whose pixels carry the requested index, or NaN on timeout */
  shownMs: number;
  /** send → the 'seeked' message arrived (server finished and sent the picture) */
  seekedMs: number;
  exact: boolean;
  lastIndex: number;
  serverMs?: number;
}

/** One seek on a connected player page: control-channel send → presentation of the frame whose pixels carry the requested index. */
export async function seekRun(page: Page, frame: number): Promise<SeekRun> {
  return page.evaluate(async (n) => {
    const from = probe.messages.length;
    const started = performance.now();
    probe.send({ type: 'seek', frame: n });
    let shownMs = NaN;
    let lastIndex: number;
    try {
      shownMs = await probe.waitForFrameIndex(n, 5000, started);
      lastIndex = n;
    } catch (e) {
      lastIndex = (e as { lastIndex?: number }).lastIndex ?? -1;
    }
    let seekedMs = NaN;
    try {
      const msg = await probe.waitForMessage((m: { type: string; frame?: number }) => m.type === 'seeked' && m.frame === n, 5000, from);
      seekedMs = probe.messageTimes[probe.messages.indexOf(msg, from)] - started;
    } catch {
      /* no seeked message: counted as not exact below */
    }
    // Still the requested frame once everything has arrived?
    const settled = probe.readFrameIndex();
    return {
      frame: n,
      shownMs,
      seekedMs,
      exact: Number.isFinite(shownMs) && settled === n,
      lastIndex: Number.isFinite(shownMs) ? settled : lastIndex,
    };
  }, frame);
}

/** Server-side time of each seek command ("command done", logged at debug level with -v), by frame. */
export function serverSeekTimes(stderr: string): Map<number, number> {
  const times = new Map<number, number>();
  for (const line of stderr.split('\n')) {
    if (!line.includes('"command done"')) continue;
    try {
      const entry = JSON.parse(line) as { message?: { type?: string; frame?: number }; ms?: number };
      if (entry.message?.type === 'seek' && typeof entry.message.frame === 'number' && typeof entry.ms === 'number') {
        times.set(entry.message.frame, entry.ms);
      }
    } catch {
      /* not a JSON line */
    }
  }
  return times;
}
