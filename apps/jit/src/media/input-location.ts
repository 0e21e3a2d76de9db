import { access, constants } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { InputSpec } from '../../../../libs/config/src';

/** An input that cannot be used; the message names it. */
export class InputError extends Error {
  override readonly name = 'InputError';
}

/** Turns an input URL into what FFmpeg opens, failing early and clearly on what cannot work. */
export async function resolveInputLocation(input: InputSpec): Promise<string> {
  const { url } = input;
  if (/^https?:\/\//i.test(url)) return url;
  if (/^s3:\/\//i.test(url)) {
    throw new InputError(`input ${url}: s3:// inputs are not supported by this build yet`);
  }
  const path = url.startsWith('file:') ? fileURLToPath(url) : url;
  try {
    await access(path, constants.R_OK);
  } catch {
    throw new InputError(`input ${url}: no readable file at ${path}`);
  }
  return path;
}
