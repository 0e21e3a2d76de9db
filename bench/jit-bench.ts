/**
 * End-to-end JIT benchmark (`npm run bench`): the compiled JIT as a real process, headless
 * Chromium as the viewer, for 1080p25 ProRes and long-GOP H.264 clips whose every frame shows
 * its own index. Measures
 *   a. offer → first frame: WHEP POST start → first presented video frame, fresh page each run;
 *   b. seek → requested frame shown: control-channel send → presentation of the frame whose index,
 *      read from the video, is the requested one;
 *   c. CPU of the whole JIT process playing the clip, against bare ffmpeg encoding it the same way,
 *      flat out (the target's reference) and paced in real time with -re, as the JIT runs.
 * Prints figures against the targets and writes a Markdown table to bench/results/latest.md.
 * The machine is shared and noisy: nothing here asserts timing.
 *
 *   node dist/bench/jit-bench.js [--quick] [--clips prores,g25,g50] [--jit-args '--thread-type frame'] [--cpu-detail]
 *
 * --jit-args: extra JIT flags (also given to the in-process pipeline of the CPU split);
 * --cpu-detail: also runs the in-process pipeline paced at the clip's frame rate (20 s per clip),
 *   to tell the cost of real-time pacing from that of WebRTC.
 * Only a full run with the JIT's defaults writes bench/results/latest.md (--write forces it).
 */
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPlayer, pageLog } from '../test/support/browser';
import { startJit, type RunningJit } from '../test/support/jit-process';
import {
  CLIPS,
  type BenchClip,
  childCpu,
  clipFile,
  describe,
  firstFrameRun,
  type FirstFrameRun,
  fmt,
  type PageProbe,
  latestResults,
  machineSpeed,
  markdownTable,
  processCpuTimes,
  resultsSection,
  seekRun,
  type SeekRun,
  seekTargets,
  selectClips,
  serverSeekTimes,
  sleep,
  summarize,
  type TableRow,
  verdict,
  writeResultsSection,
} from './bench-util';

const TARGET_FIRST_FRAME_MS = 300;
const TARGET_SEEK_MS = 60;
const TARGET_CPU_RATIO = 1.15;

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const optionValue = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : undefined;
};
const clipArg = optionValue('--clips');
const JIT_ARGS = (optionValue('--jit-args') ?? '').split(/\s+/).filter(Boolean);
const cpuDetail = args.includes('--cpu-detail');
const OFFER_RUNS = quick ? 3 : 10;
const SEEK_COUNT = quick ? 8 : 30;
/**
 * Between fresh viewers: a JIT starts the thread for its next viewer 1 s after one connects
 * (starting it costs CPU the new viewer's first frames need), so each run finds it ready, as a
 * viewer joining seconds after another does. Viewers less than a second apart pay about 0.1 s more.
 */
const VIEWER_GAP_MS = 1500;
/** Pause after each seek, past the JIT's still-frame repeats (120 and 400 ms), so seeks start settled. */
const SEEK_GAP_MS = 450;

const PIPELINE_CPU = path.join(__dirname, 'pipeline-cpu.js');

const BARE_FFMPEG = (clip: string, realTime = false) =>
  `ffmpeg -nostdin -hide_banner -loglevel error ${realTime ? '-re ' : ''}-i '${clip}' -an -vf format=yuv420p -c:v libx264 -preset ultrafast -tune zerolatency -profile:v baseline -crf 23 -bf 0 -f h264 -y /dev/null`;

declare const probe: PageProbe;

// ---------------------------------------------------------------------------------------------
// c. CPU while playing

interface PlayRun {
  jitCpu: number;
  jitUser: number;
  jitSystem: number;
  wallMs: number;
  framesDecoded: number;
  framesDropped: number;
  framesExpected: number;
  ended: boolean;
}

async function playRun(page: Page, jitProcess: RunningJit, clip: BenchClip): Promise<PlayRun> {
  // From a settled still of frame 0 (its repeats done), play to the end.
  await page.evaluate(async () => {
    probe.send({ type: 'seek', frame: 0 });
    await probe.waitForFrameIndex(0, 5000);
  });
  await sleep(700);
  const before = await page.evaluate(() => probe.stats());
  const cpuBefore = processCpuTimes(jitProcess.process.pid!);
  const started = performance.now();
  const ended = await page.evaluate(
    async (timeoutMs) => {
      try {
        await probe.sendAndWait(
          { type: 'play' },
          (m: { type: string; state?: string }) => m.type === 'state' && m.state === 'ended',
          timeoutMs,
        );
        return true;
      } catch {
        return false;
      }
    },
    (clip.frames / clip.fps) * 1000 * 4 + 10000,
  );
  const wallMs = performance.now() - started;
  const cpuAfter = processCpuTimes(jitProcess.process.pid!);
  await sleep(500); // the last frames reach the decoder
  const after = await page.evaluate(() => probe.stats());
  return {
    jitCpu: cpuAfter.user + cpuAfter.system - cpuBefore.user - cpuBefore.system,
    jitUser: cpuAfter.user - cpuBefore.user,
    jitSystem: cpuAfter.system - cpuBefore.system,
    wallMs,
    framesDecoded: (after?.framesDecoded ?? 0) - (before?.framesDecoded ?? 0),
    framesDropped: (after?.framesDropped ?? 0) - (before?.framesDropped ?? 0),
    framesExpected: clip.frames - 1, // frame 0 was on screen already: play sends 1..last
    ended,
  };
}

// ---------------------------------------------------------------------------------------------

interface ClipResult {
  clip: BenchClip;
  firstFrames: FirstFrameRun[];
  seeks: SeekRun[];
  play: PlayRun;
  ffmpegCpu: number;
  ffmpegWallMs: number;
  ffmpegUser: number;
  ffmpegSystem: number;
  /** bare ffmpeg paced with -re: in real time, as the JIT runs */
  ffmpegRealTimeCpu: number;
  /** the JIT's own decode → filter → encode classes in a plain Node process, no WebRTC, unpaced */
  pipelineCpu: number;
  pipelineWallMs: number;
  /** the same, paced at the clip's frame rate (--cpu-detail) */
  pacedPipelineCpu?: number;
  codec: string | null;
}

async function benchClip(browser: Browser, clip: BenchClip): Promise<ClipResult> {
  console.log(`\n=== ${clip.name} (${clip.frames} frames) ===`);
  const file = await clipFile(clip);
  const jitProcess = await startJit(['-i', file, '-v', '--technical-timeout', '600', ...JIT_ARGS]);
  try {
    // a. offer → first frame, a fresh page each run
    const firstFrames: FirstFrameRun[] = [];
    for (let i = 0; i < OFFER_RUNS; i++) {
      await sleep(VIEWER_GAP_MS);
      const run = await firstFrameRun(browser, jitProcess);
      firstFrames.push(run);
      console.log(
        `  offer ${String(i + 1).padStart(2)}: POST→frame ${fmt(run.postToFrame).padStart(6)} ms ` +
          `(POST ${fmt(run.post)} [server: pipeline ${fmt(run.serverPipelineMs ?? NaN)}, answer ${fmt(run.serverAnswerMs ?? NaN)}], ` +
          `→connected ${fmt(run.toConnected)} [ICE ${fmt(run.toIceConnected)}], →frame ${fmt(run.connectedToFrame)}); ` +
          `connect()→frame ${fmt(run.connectToFrame)} ms; index ${run.index}`,
      );
    }

    // b. seeks, one page
    const page = await openPlayer(browser, jitProcess.url);
    let codec: string | null = null;
    try {
      await page.evaluate(async () => {
        await probe.connect();
        await probe.waitForFrameIndex(0, 10000);
      });
      codec = (await page.evaluate(() => probe.stats()))?.codec ?? null;
      await sleep(SEEK_GAP_MS);
      const targets = seekTargets(clip, SEEK_COUNT);
      const seeks: SeekRun[] = [];
      for (const target of targets) {
        seeks.push(await seekRun(page, target));
        await sleep(SEEK_GAP_MS);
      }
      const server = serverSeekTimes(jitProcess.output());
      for (const s of seeks) s.serverMs = server.get(s.frame);
      console.log(
        '  seeks (frame: shown ms / seeked msg ms / server ms): ' +
          seeks
            .map(
              (s) =>
                `${s.frame}: ${fmt(s.shownMs, 0)}/${fmt(s.seekedMs, 0)}/${fmt(s.serverMs ?? NaN, 0)}${s.exact ? '' : ` WRONG(${s.lastIndex})`}`,
            )
            .join(', '),
      );

      // c. CPU while playing the whole clip, then bare ffmpeg on the same clip
      const play = await playRun(page, jitProcess, clip);
      const errors = pageLog(page).errors;
      if (errors.length) console.log(`  page errors: ${errors.slice(0, 5).join(' | ')}`);
      const bare = await childCpu(BARE_FFMPEG(file));
      const pipelineCommand = [process.execPath, PIPELINE_CPU, file, ...JIT_ARGS].map((a) => `'${a}'`).join(' ');
      const pipeline = await childCpu(pipelineCommand);
      const paced = cpuDetail ? await childCpu(`${pipelineCommand} --paced`) : undefined;
      const bareRealTime = await childCpu(BARE_FFMPEG(file, true));
      return {
        clip,
        firstFrames,
        seeks,
        play,
        ffmpegCpu: bare.cpuSeconds,
        ffmpegWallMs: bare.wallMs,
        ffmpegUser: bare.user,
        ffmpegSystem: bare.system,
        ffmpegRealTimeCpu: bareRealTime.cpuSeconds,
        pipelineCpu: pipeline.cpuSeconds,
        pipelineWallMs: pipeline.wallMs,
        pacedPipelineCpu: paced?.cpuSeconds,
        codec,
      };
    } finally {
      await page.evaluate(() => probe.disconnect()).catch(() => undefined);
      await page.close();
    }
  } catch (error) {
    const code = jitProcess.process.exitCode ?? jitProcess.process.signalCode;
    const tail = jitProcess
      .output()
      .split('\n')
      .filter((l) => !l.includes('"level":20'))
      .slice(-15)
      .join('\n');
    throw new Error(
      `${clip.name}: ${(error as Error).message}${code !== null ? `\nthe JIT exited (${code}); its last log lines:\n${tail}` : ''}`,
      { cause: error },
    );
  } finally {
    await jitProcess.stop();
  }
}

function report(r: ClipResult, rows: TableRow[]): void {
  const { clip } = r;
  console.log(`\n--- ${clip.name}: results (video codec in the browser: ${r.codec ?? '?'}) ---`);
  const postToFrame = summarize(r.firstFrames.map((f) => f.postToFrame));
  const connectToFrame = summarize(r.firstFrames.map((f) => f.connectToFrame));
  const part = (key: keyof FirstFrameRun) => fmt(summarize(r.firstFrames.map((f) => f[key] as number).filter(Number.isFinite)).p50);
  console.log(`  a. offer → first frame (WHEP POST start → first presented frame, ${r.firstFrames.length} fresh pages)`);
  console.log(
    `     ${describe(postToFrame)}   target ≤ ${TARGET_FIRST_FRAME_MS} ms (p50): ${verdict(postToFrame.p50, TARGET_FIRST_FRAME_MS)}`,
  );
  console.log(
    `     p50 parts: POST (server answers) ${part('post')} ms [server: pipeline open ${part('serverPipelineMs')} ms, answer ready ${part('serverAnswerMs')} ms], ` +
      `answer → JIT connected ${part('toConnected')} ms [page ICE connected after ${part('toIceConnected')} ms, then DTLS], JIT connected → frame shown ${part('connectedToFrame')} ms`,
  );
  console.log(
    `     connect() call → first frame: ${describe(connectToFrame)} (browser offer + ICE gathering before the POST: p50 ${part('beforePost')} ms)`,
  );
  const wrongFirst = r.firstFrames.filter((f) => f.index !== 0).length;
  if (wrongFirst) console.log(`     first frame not index 0 in ${wrongFirst} runs`);

  const shown = r.seeks.filter((s) => Number.isFinite(s.shownMs));
  const seekShown = summarize(shown.map((s) => s.shownMs));
  const seekMsg = summarize(r.seeks.filter((s) => Number.isFinite(s.seekedMs)).map((s) => s.seekedMs));
  const withServer = r.seeks.filter((s) => s.serverMs !== undefined);
  const seekServer = summarize(withServer.map((s) => s.serverMs!));
  const exact = r.seeks.filter((s) => s.exact).length;
  console.log(`  b. seek → requested frame shown (${r.seeks.length} seeks)`);
  console.log(`     ${describe(seekShown)}   target p50 ≤ ${TARGET_SEEK_MS} ms: ${verdict(seekShown.p50, TARGET_SEEK_MS)}`);
  console.log(`     exact frames: ${exact}/${r.seeks.length}${exact === r.seeks.length ? '' : '  (NOT ALL EXACT)'}`);
  console.log(`     server command time ("command done"): ${describe(seekServer)}`);
  console.log(`     send → 'seeked' message in the page: ${describe(seekMsg)}`);
  console.log(`     → browser side (shown − server) p50 ≈ ${fmt(seekShown.p50 - seekServer.p50)} ms`);

  const p = r.play;
  const ratio = p.jitCpu / r.ffmpegCpu;
  console.log(`  c. CPU, whole clip (${clip.frames} frames)`);
  console.log(
    `     JIT process while playing: ${fmt(p.jitCpu, 2)} s CPU over ${fmt(p.wallMs / 1000, 1)} s wall (${fmt((100 * p.jitCpu) / (p.wallMs / 1000), 0)} % of a core; user ${fmt(p.jitUser, 2)} s, system ${fmt(p.jitSystem, 2)} s)${p.ended ? '' : '  (DID NOT REACH "ended")'}`,
  );
  console.log(
    `     bare ffmpeg, same encode:  ${fmt(r.ffmpegCpu, 2)} s CPU over ${fmt(r.ffmpegWallMs / 1000, 1)} s wall (user ${fmt(r.ffmpegUser, 2)} s, system ${fmt(r.ffmpegSystem, 2)} s)`,
  );
  console.log(`     ratio JIT / ffmpeg: ${fmt(ratio, 2)}   target ≤ ${TARGET_CPU_RATIO}: ${verdict(ratio, TARGET_CPU_RATIO)}`);
  console.log(
    `     where it goes: the JIT's decode → filter → encode classes alone (plain Node, no WebRTC, unpaced): ${fmt(r.pipelineCpu, 2)} s CPU ` +
      `(${fmt(r.pipelineCpu / r.ffmpegCpu, 2)} × ffmpeg); the rest of the JIT process (WebRTC, RTP, pacing, Node): ≈ ${fmt(p.jitCpu - r.pipelineCpu, 2)} s`,
  );
  if (r.pacedPipelineCpu !== undefined) {
    console.log(
      `     the same classes paced at ${clip.fps} fps: ${fmt(r.pacedPipelineCpu, 2)} s CPU (${fmt(r.pacedPipelineCpu / r.ffmpegCpu, 2)} × ffmpeg): ` +
        `pacing ≈ ${fmt(r.pacedPipelineCpu - r.pipelineCpu, 2)} s, WebRTC/RTP/Node ≈ ${fmt(p.jitCpu - r.pacedPipelineCpu, 2)} s`,
    );
  }
  console.log(
    `     bare ffmpeg paced with -re (in real time, as the JIT): ${fmt(r.ffmpegRealTimeCpu, 2)} s CPU (${fmt(r.ffmpegRealTimeCpu / r.ffmpegCpu, 2)} × unpaced); JIT / ffmpeg -re: ${fmt(p.jitCpu / r.ffmpegRealTimeCpu, 2)}`,
  );
  console.log(`     browser during play: ${p.framesDecoded} frames decoded of ${p.framesExpected} sent, ${p.framesDropped} dropped`);

  rows.push(
    {
      clip: clip.name,
      metric: 'offer → first frame (ms)',
      p50: fmt(postToFrame.p50, 0),
      p95: fmt(postToFrame.p95, 0),
      target: `≤ ${TARGET_FIRST_FRAME_MS}`,
      result: verdict(postToFrame.p50, TARGET_FIRST_FRAME_MS),
    },
    {
      clip: clip.name,
      metric: 'connect() → first frame (ms)',
      p50: fmt(connectToFrame.p50, 0),
      p95: fmt(connectToFrame.p95, 0),
      target: '—',
      result: '—',
    },
    {
      clip: clip.name,
      metric: `seek → frame shown (ms), ${exact}/${r.seeks.length} exact`,
      p50: fmt(seekShown.p50, 0),
      p95: fmt(seekShown.p95, 0),
      target: `p50 ≤ ${TARGET_SEEK_MS}`,
      result: exact === r.seeks.length ? verdict(seekShown.p50, TARGET_SEEK_MS) : 'MISS (inexact)',
    },
    {
      clip: clip.name,
      metric: 'seek, server command (ms)',
      p50: fmt(seekServer.p50, 0),
      p95: fmt(seekServer.p95, 0),
      target: '—',
      result: '—',
    },
    {
      clip: clip.name,
      metric: `CPU JIT / bare ffmpeg (${fmt(p.jitCpu, 1)} s / ${fmt(r.ffmpegCpu, 1)} s)`,
      p50: fmt(ratio, 2),
      p95: '—',
      target: `≤ ${TARGET_CPU_RATIO}`,
      result: verdict(ratio, TARGET_CPU_RATIO),
    },
    {
      clip: clip.name,
      metric: `CPU JIT / bare ffmpeg paced in real time with -re (${fmt(r.ffmpegRealTimeCpu, 1)} s)`,
      p50: fmt(p.jitCpu / r.ffmpegRealTimeCpu, 2),
      p95: '—',
      target: '—',
      result: '—',
    },
    {
      clip: clip.name,
      metric: `CPU decode+filter+encode classes alone / bare ffmpeg (${fmt(r.pipelineCpu, 1)} s)`,
      p50: fmt(r.pipelineCpu / r.ffmpegCpu, 2),
      p95: '—',
      target: '—',
      result: '—',
    },
    {
      clip: clip.name,
      metric: `frames decoded while playing (dropped ${p.framesDropped})`,
      p50: `${p.framesDecoded}/${p.framesExpected}`,
      p95: '—',
      target: '—',
      result: '—',
    },
  );
}

async function main(): Promise<void> {
  const started = performance.now();
  const selected = selectClips(clipArg);
  console.log(
    `jit benchmark: ${selected.map((c) => c.name).join(', ')}${quick ? ' (quick)' : ''}${JIT_ARGS.length ? `; JIT flags: ${JIT_ARGS.join(' ')}` : ''}`,
  );
  console.log(`machine speed: ${machineSpeed()}`);
  // Make every clip first, so generation never overlaps a measurement.
  for (const clip of selected) await clipFile(clip);
  const browser = await launchBrowser();
  const rows: TableRow[] = [];
  try {
    for (const clip of selected) report(await benchClip(browser, clip), rows);
  } finally {
    await browser.close();
  }
  const table = markdownTable(rows);
  const command = `node dist/bench/jit-bench.js${args.length ? ' ' + args.map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' ') : ''}`;
  console.log('\n' + table + '\n');
  const notes = [
    '',
    `Offer → first frame: WHEP POST start (resource timing) → first presented frame (requestVideoFrameCallback presentationTime), ${OFFER_RUNS} fresh pages; `,
    'connect() → first frame adds the browser’s own offer and ICE gathering. Seek: control-channel send → presentation (requestVideoFrameCallback presentationTime) of the frame whose index, read from the video, is the requested one (the read-back is not counted); ',
    `${SEEK_COUNT}-odd targets over the whole clip (GOP boundaries included), ${SEEK_GAP_MS} ms apart. CPU: utime+stime of the JIT process while the browser plays the whole clip, `,
    'against `ffmpeg -i CLIP -an -vf format=yuv420p -c:v libx264 -preset ultrafast -tune zerolatency -profile:v baseline -crf 23 -bf 0 -f h264 -y /dev/null` (its cutime+cstime), and the same with `-re` (paced in real time, as the JIT is). ',
    'PASS/MISS compares p50 with the target. Headless Chromium with software decoding runs on the same machine as the JIT.',
  ].join('');
  // Only a full run with the JIT's defaults stands for the README; partial or flagged runs print only.
  const standard = !quick && selected.length === CLIPS.length && JIT_ARGS.length === 0;
  if (standard || args.includes('--write')) {
    writeResultsSection(latestResults, 'End to end (jit-bench)', resultsSection('End to end (jit-bench)', command, table + '\n\n' + notes));
    console.log(`written to ${latestResults}; total ${fmt((performance.now() - started) / 1000, 0)} s`);
  } else {
    console.log(
      `not written to ${latestResults} (partial or flagged run; --write forces it); total ${fmt((performance.now() - started) / 1000, 0)} s`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
