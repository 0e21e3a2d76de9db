import { access, constants } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { InputSpec } from '../../../../libs/config/src';

/** An input that cannot be used; the message names it. */
export class InputError extends Error {
  override readonly name = 'InputError';
}

/** What FFmpeg opens for one input: a path or URL, and the protocol options that go with it. */
export interface InputSource {
  location: string;
  options: Record<string, string>;
}

/** Seconds of media at peak bitrate that one HTTP range request fetches ahead. */
const READ_AHEAD_SECONDS = 2;
const MIB = 1 << 20;

/**
 * Options for a remote input: reconnect on a dropped connection, and with --bitrate, ranges
 * sized to a couple of seconds of media so playback never waits on a round trip per packet.
 */
export function remoteOptions(bitrate: number | undefined): Record<string, string> {
  const options: Record<string, string> = { reconnect: '1', reconnect_on_network_error: '1', multiple_requests: '1' };
  if (bitrate) {
    const bytes = Math.min(64 * MIB, Math.max(MIB, Math.round((bitrate / 8) * READ_AHEAD_SECONDS)));
    options.request_size = String(bytes);
  }
  return options;
}

/** Turns an input URL into what FFmpeg opens, failing early and clearly on what cannot work. */
export async function resolveInputSource(input: InputSpec, bitrate: number | undefined): Promise<InputSource> {
  const { url } = input;
  if (/^https?:\/\//i.test(url)) return { location: url, options: remoteOptions(bitrate) };
  if (/^s3:\/\//i.test(url)) {
    throw new InputError(`input ${url}: s3:// inputs are not supported by this build yet`);
  }
  const path = url.startsWith('file:') ? fileURLToPath(url) : url;
  try {
    await access(path, constants.R_OK);
  } catch {
    throw new InputError(`input ${url}: no readable file at ${path}`);
  }
  return { location: path, options: {} };
}
