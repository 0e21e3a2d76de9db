import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { OrchestratorConfig } from '../../../libs/config/src';

/**
 * The secret agents require: JIT_AGENT_SECRET, else the one kept in JIT_AGENT_SECRET_FILE (made
 * once, readable by this user only), so agents started before an orchestrator restart still obey
 * the orchestrator after it. Several orchestrators or workers share it through either.
 */
export function agentSecret(config: OrchestratorConfig): Promise<string> {
  return keptSecret(config.agentSecret, config.agentSecretFile);
}

/** `given` when set, else the secret kept in `file`, made (0600) the first time. */
export async function keptSecret(given: string | undefined, file: string): Promise<string> {
  if (given) return given;
  const kept = await readFile(file, 'utf8').catch(() => '');
  if (kept.trim().length >= 16) return kept.trim();
  const secret = randomBytes(24).toString('base64url');
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, secret, { mode: 0o600, flag: 'w' });
  return secret;
}
