/**
 * Loaded into the JIT under test by bench/event-loop.ts (`NODE_OPTIONS=--require …`): records the
 * main thread's event-loop delay and, on SIGUSR2, writes its percentiles since the last signal
 * to the file named by EVENT_LOOP_PROBE_OUT. Nothing of the product is changed.
 */
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

const out = process.env.EVENT_LOOP_PROBE_OUT;
if (isMainThread && out) {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  process.on('SIGUSR2', () => {
    const ms = (ns: number) => ns / 1e6;
    writeFileSync(out, JSON.stringify({ p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max) }));
    histogram.reset();
  });
}
