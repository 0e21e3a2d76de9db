#!/usr/bin/env -S node --no-memory-reducer
import 'reflect-metadata';

/**
 * One program, three modes: the orchestrator (default), an instance agent with MAIN_MODULE=agent
 * or the `agent` subcommand, or a JIT with MAIN_MODULE=jit or the `jit` subcommand.
 * `orchestrator` as first argument is accepted too. The JIT mode is there because `--dev` names
 * this program's image (jit-orchestrator) as the JIT image: agents set MAIN_MODULE=jit in every
 * JIT container, so a container of this image started as a JIT runs one instead of reading the
 * JIT's arguments as orchestrator options. Each mode loads only its own modules: an agent starts
 * per session, and every module it does not need is start-up time.
 */
async function main(): Promise<void> {
  const [first, ...rest] = process.argv.slice(2);
  const subcommand = first === 'agent' || first === 'orchestrator' || first === 'jit' ? first : undefined;
  const args = subcommand ? rest : process.argv.slice(2);
  if (subcommand === 'jit' || (!subcommand && process.env.MAIN_MODULE === 'jit')) {
    // The JIT reads its own command line from process.argv (and runs on import).
    process.argv.splice(2, process.argv.length - 2, ...args);
    require('../../jit/src/main');
  } else if (subcommand === 'agent' || (!subcommand && process.env.MAIN_MODULE === 'agent')) {
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
