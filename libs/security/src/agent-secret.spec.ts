import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keptSecret } from './agent-secret';

describe('keptSecret', () => {
  it('gives every process that starts together the same secret, kept 0600', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'jit-secret-')), 'nested', 'agent-secret');
    const secrets = await Promise.all(Array.from({ length: 8 }, () => keptSecret(undefined, file)));
    expect(new Set(secrets).size).toBe(1);
    expect(await readFile(file, 'utf8')).toBe(secrets[0]);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await keptSecret(undefined, file)).toBe(secrets[0]);
  });

  it('prefers a given secret and replaces a kept one too short to be a secret', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'jit-secret-')), 'agent-secret');
    expect(await keptSecret('given-secret-value', file)).toBe('given-secret-value');
    await writeFile(file, 'short');
    const made = await keptSecret(undefined, file);
    expect(made.length).toBeGreaterThanOrEqual(16);
    expect(await readFile(file, 'utf8')).toBe(made);
  });
});
