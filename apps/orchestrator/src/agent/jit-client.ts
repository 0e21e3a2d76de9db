import { z } from 'zod';

/** The part of the JIT's `GET /status` the agent relies on (the rest is passed through as it is). */
export const jitStatusSchema = z.looseObject({
  state: z.string(),
  frame: z.number().nullable(),
  viewers: z.number(),
  idleSeconds: z.number(),
  uptimeSeconds: z.number(),
});
export type JitStatus = z.infer<typeof jitStatusSchema>;

/**
 * The JIT's `/status` (with its viewer token, when it has one), or undefined when it does not
 * answer in time or answers something else.
 */
export async function fetchJitStatus(baseUrl: string, viewerToken?: string, timeoutMs = 1000): Promise<JitStatus | undefined> {
  try {
    const headers: Record<string, string> = viewerToken ? { authorization: `Bearer ${viewerToken}` } : {};
    const res = await fetch(`${baseUrl}/status`, { headers, signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return undefined;
    const parsed = jitStatusSchema.safeParse(await res.json());
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the JIT answers `GET /health` with 200. */
export async function jitHealthy(baseUrl: string, timeoutMs = 1000): Promise<boolean> {
  try {
    const res = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}
