import { z } from 'zod';

/** What a JIT started ahead of time receives when its session comes: its arguments and environment. */
export const standbyStartSchema = z.object({
  argv: z.array(z.string()).max(1000),
  env: z.record(z.string(), z.string()),
});
export type StandbyStart = z.infer<typeof standbyStartSchema>;

/**
 * The command line and environment to run with. Normally the process's own; with JIT_STANDBY=1
 * and an IPC channel (an agent started this JIT ahead of time, its modules already loaded), the
 * ones the agent sends when a stream is requested. A standby JIT whose agent goes away exits.
 */
export function launchArguments(): Promise<{ argv: string[]; env: NodeJS.ProcessEnv }> {
  if (process.env.JIT_STANDBY !== '1' || !process.send) return Promise.resolve({ argv: process.argv.slice(2), env: process.env });
  return new Promise((resolve) => {
    const leave = () => process.exit(0);
    process.once('disconnect', leave);
    process.once('message', (message: unknown) => {
      process.off('disconnect', leave);
      process.channel?.unref();
      const start = standbyStartSchema.parse(message);
      const env = { ...process.env, ...start.env };
      delete env.JIT_STANDBY;
      resolve({ argv: start.argv, env });
    });
  });
}
