import { type JitStatus, jitStatusSchema } from '@jit/protocol';

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
