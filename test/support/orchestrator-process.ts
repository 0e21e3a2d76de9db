/**
 * Starts the compiled orchestrator (`npm run build` first) as a real process against a given
 * Temporal server, on a free port, and stops it.
 */
import * as path from 'node:path';
import { repoRoot } from './media';
import { type ServiceProcess, startService } from './service-process';

export const orchestratorMain = path.join(repoRoot, 'dist', 'apps', 'orchestrator', 'src', 'main.js');

export type RunningOrchestrator = ServiceProcess;

export function startOrchestrator(env: NodeJS.ProcessEnv, args: string[] = [], timeoutMs = 60_000): Promise<RunningOrchestrator> {
  return startService('orchestrator', orchestratorMain, ['--port', '0', '--host', '127.0.0.1', ...args], env, timeoutMs);
}
