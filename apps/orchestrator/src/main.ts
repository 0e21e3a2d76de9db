#!/usr/bin/env -S node --no-memory-reducer
import 'reflect-metadata';

/**
 * One program, two modes: the orchestrator (default), or an instance agent with
 * MAIN_MODULE=agent or the `agent` subcommand. `orchestrator` as first argument is accepted too.
 * Each mode loads only its own modules: an agent starts per session, and every module it does not
 * need is start-up time.
 */
async function main(): Promise<void> {
  const [first, ...rest] = process.argv.slice(2);
  const subcommand = first === 'agent' || first === 'orchestrator' ? first : undefined;
  const args = subcommand ? rest : process.argv.slice(2);
  if (subcommand === 'agent' || (!subcommand && process.env.MAIN_MODULE === 'agent')) {
    const { runAgent } = require('../../agent/src/agent-main') as typeof import('../../agent/src/agent-main');
    await runAgent(args, process.env);
  } else {
    const { runOrchestrator } = require('./orchestrator-main') as typeof import('./orchestrator-main');
    await runOrchestrator(args, process.env, __filename);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
