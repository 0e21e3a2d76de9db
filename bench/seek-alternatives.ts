/**
 * The numbers behind the JIT's design, without a browser: the cost of showing one requested
 * frame (accurate seek → decode → 8-bit 4:2:0 → H.264 IDR) when
 *   (i)   ffmpeg is spawned per seek (`ffmpeg -ss T -i CLIP -frames:v 1 ... -f h264 -`), the naive design;
 *   (ii)  FFmpeg is kept open in-process (node-av, the JIT's own VideoReader → PictureSource →
 *         VideoEncoder): frameAt → filter → encode IDR;
 *   (ii') the same with the other decoder threading (`--thread-type frame` on ProRes, `slice` on H.264,
 *         where the JIT's defaults are slice and frame);
 *   (iii) spawning `ffmpeg -version` alone: the floor of any spawn-per-seek design.
 * The designs alternate target by target so machine noise hits both alike. Prints p50/p95 per
 * design and the naive/in-process ratio, and writes a section to bench/results/latest.md.
 *
 *   node dist/bench/seek-alternatives.js [--quick]
 */
import { spawn } from 'node:child_process';
import { openInProcessPipeline } from './in-process';
import {
  CLIPS,
  clipFile,
  describe,
  fmt,
  latestResults,
  markdownTable,
  resultsSection,
  seekTargets,
  summarize,
  type TableRow,
  writeResultsSection,
} from './bench-util';

const quick = process.argv.includes('--quick');
const SEEK_COUNT = quick ? 6 : 24;

/** Runs a command to completion; resolves with its stdout size and the wall time. */
function timedSpawn(cmd: string, args: string[]): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let bytes = 0;
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (bytes += d.length));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}\n${stderr.slice(-1000)}`));
      else resolve({ ms: performance.now() - started, bytes });
    });
  });
}

/** The naive design: one accurate-seek ffmpeg run per requested frame, output read from its stdout. */
function naiveSeek(clip: string, frame: number, fps: number): Promise<{ ms: number; bytes: number }> {
  const seconds = (frame / fps).toFixed(6);
  return timedSpawn('ffmpeg', [
    '-nostdin',
    '-hide_banner',
    '-loglevel',
    'error',
    '-ss',
    seconds,
    '-i',
    clip,
    '-frames:v',
    '1',
    '-an',
    '-vf',
    'format=yuv420p',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-tune',
    'zerolatency',
    '-f',
    'h264',
    '-',
  ]);
}

interface ClipRow {
  name: string;
  gop: number;
  naive: number[];
  inProcess: number[];
  frameThreads: number[];
  version: number[];
  openMs: number;
  firstMs: number;
  exact: number;
  targets: number;
}

async function benchClip(clip: (typeof CLIPS)[number]): Promise<ClipRow> {
  const file = await clipFile(clip);
  console.log(`\n=== ${clip.name} ===`);
  const pipeline = await openInProcessPipeline(file);
  const otherThreading = clip.gop === 1 ? 'frame' : 'slice';
  const framePipeline = await openInProcessPipeline(file, ['--thread-type', otherThreading]);
  await framePipeline.frame(0, true);
  // The first picture also builds the filter graph and primes the encoder: part of opening.
  const firstStarted = performance.now();
  await pipeline.frame(0, true);
  const firstMs = performance.now() - firstStarted;
  const openMs = pipeline.openMs;
  const targets = seekTargets(clip, SEEK_COUNT, 7).slice(0, quick ? SEEK_COUNT : undefined);
  const row: ClipRow = {
    name: clip.name,
    gop: clip.gop,
    naive: [],
    inProcess: [],
    frameThreads: [],
    version: [],
    openMs,
    firstMs,
    exact: 0,
    targets: targets.length,
  };
  try {
    // Warm the page cache and the ffmpeg binary once, outside the figures.
    await naiveSeek(file, targets[0], clip.fps);
    await timedSpawn('ffmpeg', ['-version']);
    for (const target of targets) {
      const naive = await naiveSeek(file, target, clip.fps);
      if (naive.bytes === 0) throw new Error(`ffmpeg gave no output for frame ${target}`);
      row.naive.push(naive.ms);

      const started = performance.now();
      const encoded = await pipeline.frame(target, true);
      row.inProcess.push(performance.now() - started);
      if (!encoded.keyframe) throw new Error(`frame ${target}: the in-process encoder did not give a keyframe`);
      // Exactness of the in-process path: the picture's band carries its index (cached: free).
      if ((await pipeline.bandIndex(target)) === target) row.exact++;

      const frameStarted = performance.now();
      await framePipeline.frame(target, true);
      row.frameThreads.push(performance.now() - frameStarted);

      row.version.push((await timedSpawn('ffmpeg', ['-version'])).ms);
    }
  } finally {
    await pipeline.close();
    await framePipeline.close();
  }
  const naive = summarize(row.naive);
  const inProcess = summarize(row.inProcess);
  console.log(`  (i)   spawn ffmpeg per seek: ${describe(naive)}`);
  console.log(
    `  (ii)  in-process (node-av): ${describe(inProcess)}   exact ${row.exact}/${row.targets}; once per viewer: pipeline open ${fmt(openMs)} ms + first picture ${fmt(firstMs)} ms`,
  );
  console.log(`  (ii') in-process, --thread-type ${clip.gop === 1 ? 'frame' : 'slice'}: ${describe(summarize(row.frameThreads))}`);
  console.log(`  (iii) spawn ffmpeg -version: ${describe(summarize(row.version))}`);
  console.log(`  naive / in-process: p50 ${fmt(naive.p50 / inProcess.p50, 1)}×, p95 ${fmt(naive.p95 / inProcess.p95, 1)}×`);
  return row;
}

async function main(): Promise<void> {
  const started = performance.now();
  console.log(`seek alternatives: ${SEEK_COUNT}-odd targets per clip, accurate seek → one 1080p H.264 IDR, no browser`);
  for (const clip of CLIPS) await clipFile(clip);
  const rows: TableRow[] = [];
  for (const clip of CLIPS) {
    const r = await benchClip(clip);
    const naive = summarize(r.naive);
    const inProcess = summarize(r.inProcess);
    const version = summarize(r.version);
    const frameThreads = summarize(r.frameThreads);
    rows.push(
      {
        clip: r.name,
        metric: '(i) ffmpeg spawned per seek (ms)',
        p50: fmt(naive.p50, 0),
        p95: fmt(naive.p95, 0),
        target: '—',
        result: '—',
      },
      {
        clip: r.name,
        metric: `(ii) in-process node-av, frameAt → filter → IDR (ms), ${r.exact}/${r.targets} exact`,
        p50: fmt(inProcess.p50, 0),
        p95: fmt(inProcess.p95, 0),
        target: '—',
        result: '—',
      },
      {
        clip: r.name,
        metric: `(ii') the same with \`--thread-type ${r.gop === 1 ? 'frame' : 'slice'}\` (ms)`,
        p50: fmt(frameThreads.p50, 0),
        p95: fmt(frameThreads.p95, 0),
        target: '—',
        result: '—',
      },
      {
        clip: r.name,
        metric: '(iii) spawn `ffmpeg -version` alone (ms)',
        p50: fmt(version.p50, 0),
        p95: fmt(version.p95, 0),
        target: '—',
        result: '—',
      },
      {
        clip: r.name,
        metric: 'ratio (i) / (ii)',
        p50: `${fmt(naive.p50 / inProcess.p50, 1)}×`,
        p95: `${fmt(naive.p95 / inProcess.p95, 1)}×`,
        target: '—',
        result: '—',
      },
    );
  }
  const table = markdownTable(rows);
  console.log('\n' + table + '\n');
  const notes =
    'Wall time per requested frame, one at a time, designs alternating target by target. (i): ' +
    '`ffmpeg -ss T -i CLIP -frames:v 1 -vf format=yuv420p -c:v libx264 -preset ultrafast -tune zerolatency -f h264 -` until it exits. ' +
    '(ii): the JIT’s VideoReader/PictureSource/VideoEncoder kept open (JIT defaults for `-i CLIP`), seek + decode from the previous keyframe + scale/convert + IDR encode; ' +
    "exactness read from the index band of the filtered picture. (ii'): the same with the other decoder threading (`--thread-type frame` on ProRes, `slice` on H.264; the JIT picks slice for intra-only codecs and frame for long-GOP ones). Opening the in-process pipeline is paid once per viewer, not per seek.";
  const title = 'Seek alternatives (seek-alternatives)';
  if (quick) {
    console.log(`not written to ${latestResults} (--quick); total ${fmt((performance.now() - started) / 1000, 0)} s`);
    return;
  }
  writeResultsSection(latestResults, title, resultsSection(title, 'node dist/bench/seek-alternatives.js', table + '\n\n' + notes));
  console.log(`written to ${latestResults}; total ${fmt((performance.now() - started) / 1000, 0)} s`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
