/**
 * How long the JIT's main thread (RTP, ICE, DTLS, data channel, HTTP) waits to run what is due,
 * while a browser views a clip: after connecting, over 20 seeks spread over the clip, and over
 * 8 s of playing. The JIT runs unchanged, with bench/event-loop-probe.js loaded into it.
 *
 *   node dist/bench/event-loop.js [--clips prores,g25,g50]
 *
 * Writes the table to bench/results/latest.md ("Event-loop delay").
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { launchBrowser, openPlayer } from '../test/support/browser';
import { startJit } from '../test/support/jit-process';
import { connect, seekAndWait, send, waitForFrame } from '../test/support/player';
import { clipFile, fmt, latestResults, resultsSection, seekTargets, selectClips, sleep, writeResultsSection } from './bench-util';

const args = process.argv.slice(2);
const clips = selectClips(args.includes('--clips') ? args[args.indexOf('--clips') + 1] : undefined);

interface Delay {
  p50: number;
  p99: number;
  max: number;
}

async function main(): Promise<void> {
  const browser = await launchBrowser();
  const rows: string[] = [];
  try {
    for (const clip of clips) {
      const file = await clipFile(clip);
      const out = path.join(tmpdir(), `jit-event-loop-${process.pid}.json`);
      const jit = await startJit(['-i', file], {
        NODE_OPTIONS: `--require ${path.join(__dirname, 'event-loop-probe.js')}`,
        EVENT_LOOP_PROBE_OUT: out,
      });
      const pid = jit.process.pid;
      if (pid === undefined) throw new Error('the JIT has no process id');
      const sample = async (): Promise<Delay> => {
        process.kill(pid, 'SIGUSR2');
        await sleep(300);
        return JSON.parse(readFileSync(out, 'utf8')) as Delay;
      };
      const page = await openPlayer(browser, jit.url);
      try {
        await connect(page);
        await waitForFrame(page, 0, 10_000);
        await sleep(1000);
        await sample();
        for (const frame of seekTargets(clip, 20, 11)) await seekAndWait(page, frame);
        const seeking = await sample();
        await send(page, { type: 'play' });
        await sleep(8000);
        const playing = await sample();
        for (const [phase, d] of [
          ['20 seeks', seeking],
          ['8 s playing', playing],
        ] as const) {
          console.log(`${clip.name}, ${phase}: event-loop delay p50 ${fmt(d.p50)} ms, p99 ${fmt(d.p99)} ms, max ${fmt(d.max)} ms`);
          rows.push(`| ${clip.name} | ${phase} | ${fmt(d.p50)} | ${fmt(d.p99)} | ${fmt(d.max)} |`);
        }
      } finally {
        await page.close();
        await jit.stop();
      }
    }
  } finally {
    await browser.close();
  }
  const table = ['| Clip | While | p50 (ms) | p99 (ms) | max (ms) |', '|---|---|---|---|---|', ...rows].join('\n');
  const body = `${table}\n\nMain-thread event-loop delay of the JIT (perf_hooks.monitorEventLoopDelay, 1 ms resolution) while one headless Chromium viewer seeks and plays; the two share the machine's cores.`;
  writeResultsSection(
    latestResults,
    'Event-loop delay (event-loop)',
    resultsSection('Event-loop delay (event-loop)', 'node dist/bench/event-loop.js', body),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
