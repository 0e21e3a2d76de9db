import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { OrchestratorConfig } from '@jit/config';

/**
 * The secret agents require: JIT_AGENT_SECRET, else the one kept in JIT_AGENT_SECRET_FILE (made
 * once, readable by this user only), so agents started before an orchestrator restart still obey
 * the orchestrator after it. Several orchestrators or workers share it through either.
 */
export function agentSecret(config: OrchestratorConfig): Promise<string> {
  return keptSecret(config.agentSecret, config.agentSecretFile);
}

const readKept = async (file: string): Promise<string | undefined> => {
  const kept = (await readFile(file, 'utf8').catch(() => '')).trim();
  return kept.length >= 16 ? kept : undefined;
};

/**
 * `given` when set, else the secret kept in `file`, made (0600) the first time. Processes that
 * start together (an orchestrator and its worker) agree on one: the new secret is written aside
 * and linked into place, the first link wins and the others read the winner's.
 */
export async function keptSecret(given: string | undefined, file: string): Promise<string> {
  if (given) return given;
  const kept = await readKept(file);
  if (kept) return kept;
  const secret = randomBytes(24).toString('base64url');
  await mkdir(dirname(file), { recursive: true });
  const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(aside, secret, { mode: 0o600 });
  try {
    await link(aside, file);
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const winner = await readKept(file);
    if (winner) return winner;
    await rename(aside, file); // a file too short to be a secret: replaced, as before
    return secret;
  } finally {
    await unlink(aside).catch(() => undefined);
  }
}
