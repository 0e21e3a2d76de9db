import { runAgent } from './agent-main';

/** `node dist/apps/agent/src/main.js [flags]`: the agent on its own. */
runAgent(process.argv.slice(2), process.env).catch((error: unknown) => {
  process.stderr.write(`agent: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
