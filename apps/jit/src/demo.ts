/**
 * `npm start`: a JIT on a generated sample clip (ProRes picture, two multi-channel WAVs), and
 * the address of the player page that plays it. Extra arguments go to the JIT.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { IDLE_PROCESS_NODE_FLAGS } from '@jit/config';
import { makeIndexedClip, makeToneWav } from '@jit/sample-media';

async function main(): Promise<void> {
  const port = process.env.PORT ?? '8080';
  process.stdout.write('jit demo: making sample media (first run only, about half a minute)...\n');
  const [clip, stems, mix] = await Promise.all([
    makeIndexedClip({ codec: 'prores', width: 1280, height: 720, fps: 25, frames: 1500 }),
    makeToneWav({ channels: 4, freqs: [220, 330, 440, 550], seconds: 60 }),
    makeToneWav({ channels: 2, freqs: [660, 880], seconds: 60 }),
  ]);
  const args = [
    ...IDLE_PROCESS_NODE_FLAGS,
    join(__dirname, 'main.js'),
    ...['-i', clip, stems, 'channel_count=4', 'id=stems', mix, 'id=mix'],
    ...['--port', port, '--technical-timeout', '86400'],
    ...process.argv.slice(2),
  ];
  process.stdout.write(`jit demo: open http://localhost:${port}/ to watch (Ctrl-C stops)\n`);
  const jit = spawn(process.execPath, args, { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => jit.kill(signal));
  jit.on('exit', (code) => process.exit(code ?? 0));
}

main().catch((error: unknown) => {
  process.stderr.write(`jit demo: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
