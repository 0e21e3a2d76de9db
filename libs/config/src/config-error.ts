import type { z } from 'zod';

/** A setting that makes no sense; the message names the flag or variable at fault. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function describeIssue(issue: z.core.$ZodIssue, sourceOf: (key: string) => string): string {
  const [key, ...rest] = issue.path.map(String);
  const where = key === undefined ? 'configuration' : sourceOf(key) + (rest.length ? `[${rest.join('.')}]` : '');
  return `${where}: ${issue.message}`;
}
