/**
 * How many sessions one machine holds in real time, and how first frame and seek grow with load.
 *
 * For 720p and 1080p (ProRes 422, 25 fps), sessions are added one at a time, each its own JIT
 * played by its own Chromium page (all pages in one headless Chromium on this machine). After
 * each addition: offer → first frame on a fresh page of the new JIT, seeks on the new page, then
 * every page plays (looping) and, over a window, the frames presented in each page
 * (requestVideoFrameCallback) are counted against the clip's rate, with the gaps between presented
 * frames longer than 1.5 frame intervals (late frames). Adding stops at the first count where a
 * page is late (fewer than 95 % of the frames due, or more than 5 % of gaps late): the count
 * before it is what the machine holds. Figures are printed; nothing is asserted.
 *
 *   node dist/bench/load-bench.js [--sizes 720,1080] [--max 12] [--window 8] [--quick] [--write]
 *
 * --quick: one first-frame run and 3 seeks per step, a 4 s window, at most 3 sessions (a check
 * that it works, not a measurement); --write: write bench/results/load-latest.md from a partial run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPlayer } from '../test/support/browser';
import { type RunningJit, startJit } from '../test/support/jit-process';
import {
  type BenchClip,
  clipFile,
  firstFrameRun,
  fmt,
  type PageProbe,
  processCpuTimes,
  resultsDir,
  resultsSection,
  seekRun,
  seekTargets,
  sleep,
  summarize,
} from './bench-util';

declare const probe: PageProbe;

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = args.includes('--quick');
const sizes = (option('--sizes') ?? '720,1080').split(',').map(Number);
const maxSessions = Number(option('--max') ?? (quick ? 3 : 12));
const windowS = Number(option('--window') ?? (quick ? 4 : 8));
const firstFrameRuns = quick ? 1 : 3;
const seeksPerStep = quick ? 3 : 6;

/** On time: at least this share of the frames due presented, and at most this share of gaps late. */
const MIN_PRESENTED = 0.95;
const MAX_LATE = 0.05;

/** Media ports of the bench's JITs: a block of 50 each from here (below the ephemeral range). */
const MEDIA_PORT_BASE = 16000;

const FPS = 25;
const FRAMES = 500;
const clipFor = (height: number): BenchClip => ({
  name: `ProRes 422 ${height}p25`,
  options: { codec: 'prores', width: (height * 16) / 9, height, fps: FPS, frames: FRAMES },
  gop: 1,
  frames: FRAMES,
  fps: FPS,
});

interface Session {
  jit: RunningJit;
  page: Page;
}

interface PageWindow {
  presented: number;
  late: number;
  gaps: number;
}

interface Step {
  sessions: number;
  firstFrameMs: number[];
  seekMs: number[];
  seeksExact: number;
  windows: PageWindow[];
  /** CPU seconds of all JITs over the window, per second of wall time (cores busy). */
  jitCores: number;
}

const onTime = (w: PageWindow): boolean => w.presented >= MIN_PRESENTED * FPS * windowS && w.late <= MAX_LATE * Math.max(1, w.gaps);

/** Counts presented frames and late gaps in the page from now on (requestVideoFrameCallback), and loops playback. */
async function instrument(page: Page): Promise<void> {
  await page.evaluate((fps) => {
    const w = window as unknown as { loadBench: { presented: number; late: number; gaps: number; last: number } };
    w.loadBench = { presented: 0, late: 0, gaps: 0, last: 0 };
    const frameMs = 1000 / fps;
    const onFrame = (_now: number, meta: VideoFrameCallbackMetadata) => {
      const b = w.loadBench;
      if (b.last) {
        b.gaps++;
        if (meta.presentationTime - b.last > 1.5 * frameMs) b.late++;
      }
      b.last = meta.presentationTime;
      b.presented++;
      probe.video.requestVideoFrameCallback(onFrame);
    };
    probe.video.requestVideoFrameCallback(onFrame);
    // At the end of the clip, play again (from frame 0).
    setInterval(() => {
      const state = [...probe.messages].reverse().find((m) => m.type === 'state');
      if (state?.state === 'ended') probe.send({ type: 'play' });
    }, 100);
  }, FPS);
}

async function resetWindow(page: Page): Promise<void> {
  await page.evaluate(() => {
    const b = (window as unknown as { loadBench: PageWindow & { last: number } }).loadBench;
    Object.assign(b, { presented: 0, late: 0, gaps: 0, last: 0 });
  });
}

const readWindow = (page: Page): Promise<PageWindow> =>
  page.evaluate(() => {
    const { presented, late, gaps } = (window as unknown as { loadBench: PageWindow }).loadBench;
    return { presented, late, gaps };
  });

async function addSession(browser: Browser, clip: string, index: number): Promise<{ session: Session; firstFrameMs: number[] }> {
  const first = MEDIA_PORT_BASE + index * 50;
  const jitProcess = await startJit(
    ['-i', clip, '-v'],
    { JIT_CONTAINER_PORT_MIN: String(first), JIT_CONTAINER_PORT_MAX: String(first + 49) },
    60_000,
  );
  const firstFrameMs: number[] = [];
  for (let i = 0; i < firstFrameRuns; i++) firstFrameMs.push((await firstFrameRun(browser, jitProcess)).postToFrame);
  const page = await openPlayer(browser, jitProcess.url);
  await page.evaluate(async () => {
    await probe.connect();
    await probe.waitForFrameIndex(0, 10_000);
  });
  return { session: { jit: jitProcess, page }, firstFrameMs };
}

async function measure(browser: Browser, clip: BenchClip, file: string, steps: Step[]): Promise<void> {
  const sessions: Session[] = [];
  const targets = seekTargets(clip, 64);
  try {
    for (let n = 1; n <= maxSessions; n++) {
      const { session, firstFrameMs } = await addSession(browser, file, n - 1);
      sessions.push(session);
      // Seeks on the new page, paused, while the others play: what an editor does beside other reviews.
      const seeks = [];
      for (let i = 0; i < seeksPerStep; i++) {
        seeks.push(await seekRun(session.page, targets[(n * seeksPerStep + i) % targets.length]));
        await sleep(150);
      }
      await instrument(session.page);
      await session.page.evaluate(() => probe.send({ type: 'play' }));
      await sleep(2000);
      await Promise.all(sessions.map((s) => resetWindow(s.page)));
      const cpuBefore = sessions.map((s) => processCpuTimes(s.jit.process.pid!));
      const started = performance.now();
      await sleep(windowS * 1000);
      const windows = await Promise.all(sessions.map((s) => readWindow(s.page)));
      const wallS = (performance.now() - started) / 1000;
      const cpu = sessions.reduce((sum, s, i) => {
        const after = processCpuTimes(s.jit.process.pid!);
        return sum + after.user + after.system - cpuBefore[i].user - cpuBefore[i].system;
      }, 0);
      const step: Step = {
        sessions: n,
        firstFrameMs,
        seekMs: seeks.filter((s) => Number.isFinite(s.shownMs)).map((s) => s.shownMs),
        seeksExact: seeks.filter((s) => s.exact).length,
        windows,
        jitCores: cpu / wallS,
      };
      steps.push(step);
      console.log(`  ${clip.name}: ${describeStep(step)}`);
      if (!windows.every(onTime)) break;
    }
  } finally {
    for (const s of sessions) {
      await s.page.close().catch(() => undefined);
      await s.jit.stop();
    }
  }
}

function describeStep(s: Step): string {
  const worst = s.windows.reduce((a, w) => (w.presented < a.presented ? w : a));
  return [
    `${s.sessions} session(s)`,
    `first frame p50 ${fmt(summarize(s.firstFrameMs).p50, 0)} ms`,
    `seek p50 ${fmt(summarize(s.seekMs).p50, 0)} ms (${s.seeksExact}/${seeksPerStep} exact)`,
    `worst page ${worst.presented}/${FPS * windowS} frames, ${worst.late} late`,
    `JITs ${fmt(s.jitCores, 2)} cores`,
    s.windows.every(onTime) ? 'on time' : 'LATE',
  ].join(', ');
}

function table(results: { clip: BenchClip; steps: Step[] }[]): string {
  const head = [
    'Clip',
    'Sessions',
    'First frame p50 (ms)',
    'Seek p50 (ms)',
    'Exact seeks',
    'Worst page: frames shown / due',
    'Late gaps (worst page)',
    'JIT CPU (cores)',
    'Real time',
  ];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const { clip, steps } of results) {
    for (const s of steps) {
      const worst = s.windows.reduce((a, w) => (w.presented < a.presented ? w : a));
      const worstLate = Math.max(...s.windows.map((w) => w.late / Math.max(1, w.gaps)));
      lines.push(
        `| ${[
          clip.name,
          s.sessions,
          fmt(summarize(s.firstFrameMs).p50, 0),
          fmt(summarize(s.seekMs).p50, 0),
          `${s.seeksExact}/${seeksPerStep}`,
          `${worst.presented} / ${FPS * windowS}`,
          `${fmt(worstLate * 100, 1)} %`,
          fmt(s.jitCores, 2),
          s.windows.every(onTime) ? 'yes' : '**no**',
        ].join(' | ')} |`,
      );
    }
  }
  return lines.join('\n');
}

function held(steps: Step[]): string {
  const good = steps.filter((s) => s.windows.every(onTime)).map((s) => s.sessions);
  const most = good.length ? Math.max(...good) : 0;
  const stopped = steps.length > 0 && !steps[steps.length - 1].windows.every(onTime);
  return stopped ? `${most}` : `≥ ${most} (stopped at --max ${maxSessions} without a late page)`;
}

async function main(): Promise<void> {
  const started = performance.now();
  // Other work on the machine takes CPU from the sessions: said beside the figures.
  const loadAtStart = loadavg()
    .map((l) => l.toFixed(1))
    .join(', ');
  const clips = sizes.map(clipFor);
  console.log(
    `load benchmark: ${clips.map((c) => c.name).join(', ')}, up to ${maxSessions} sessions, ${windowS} s windows${quick ? ' (quick)' : ''}`,
  );
  const files = [];
  for (const clip of clips) files.push(await clipFile(clip));
  const browser = await launchBrowser();
  const results: { clip: BenchClip; steps: Step[] }[] = [];
  try {
    for (const [i, clip] of clips.entries()) {
      const steps: Step[] = [];
      results.push({ clip, steps });
      await measure(browser, clip, files[i], steps);
    }
  } finally {
    await browser.close();
  }
  const summary = results.map((r) => `- ${r.clip.name}: ${held(r.steps)} session(s) in real time`).join('\n');
  const body = [
    table(results),
    '',
    summary,
    '',
    `Each session is its own JIT process played by its own page of one headless Chromium on the same machine (software decoding), so the browser's decoding shares the CPU with the JITs. `,
    `First frame: WHEP POST → first presented frame on a fresh page of the newest JIT (${firstFrameRuns} run(s)), while the other sessions play. `,
    `Seek: send → requested frame shown on the newest page (paused), ${seeksPerStep} targets. Real time: every page presented ≥ ${MIN_PRESENTED * 100} % of the frames due in a ${windowS} s window `,
    `with ≤ ${MAX_LATE * 100} % of the gaps between frames over 1.5 frame intervals. Adding stops at the first count that is not real time.`,
    '',
    `Load average (1, 5, 15 min) when the run started: ${loadAtStart}.${quick ? ' A quick run (--quick): a check that the benchmark works, not a capacity figure.' : ''}`,
  ].join('\n');
  console.log(`\n${body}\n`);
  const command = `node dist/bench/load-bench.js${args.length ? ` ${args.join(' ')}` : ''}`;
  if (!quick || args.includes('--write')) {
    const file = path.join(resultsDir, 'load-latest.md');
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(file, `# Sessions one machine holds (load-bench)\n\n${resultsSection('Load (load-bench)', command, body)}`);
    console.log(`written to ${file}; total ${fmt((performance.now() - started) / 1000, 0)} s`);
  } else {
    console.log(`quick run: not written (--write forces it); total ${fmt((performance.now() - started) / 1000, 0)} s`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
