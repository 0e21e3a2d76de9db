import 'reflect-metadata';
import { runAgent } from './agent/agent-main';
import { runOrchestrator } from './orchestrator-main';

/**
 * One program, two modes: the orchestrator (default), or an instance agent with
 * MAIN_MODULE=agent or the `agent` subcommand. `orchestrator` as first argument is accepted too.
 */
async function main(): Promise<void> {
  const [first, ...rest] = process.argv.slice(2);
  const subcommand = first === 'agent' || first === 'orchestrator' ? first : undefined;
  const args = subcommand ? rest : process.argv.slice(2);
  if (subcommand === 'agent' || (!subcommand && process.env.MAIN_MODULE === 'agent')) {
    await runAgent(args, process.env);
  } else {
    await runOrchestrator(args, process.env, __filename);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
