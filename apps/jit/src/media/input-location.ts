import { access, constants } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { InputSpec } from '@jit/config';

/** An input that cannot be used; the message names it. */
export class InputError extends Error {
  override readonly name = 'InputError';
}

/** What FFmpeg opens for one input: a path or URL, and the protocol options that go with it. */
export interface InputSource {
  location: string;
  options: Record<string, string>;
  /** What messages call it, when not `location` (an s3:// URL, not its presigned https URL). */
  name?: string;
  /** Read over the network: a read can wait on a round trip, so it never runs on the event loop. */
  remote: boolean;
}

/** The input as messages name it. */
export const inputName = (source: InputSource) => source.name ?? source.location;

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

/**
 * Turns an input URL into what FFmpeg opens, failing early and clearly on what cannot work;
 * `s3://` inputs are read through presigned https URLs made in `region` (--region).
 */
export async function resolveInputSource(
  input: InputSpec,
  { bitrate, region }: { bitrate?: number; region?: string },
): Promise<InputSource> {
  const { url } = input;
  if (/^https?:\/\//i.test(url)) return { location: url, options: remoteOptions(bitrate), remote: true };
  if (/^s3:\/\//i.test(url)) {
    // Loaded only for S3 inputs: the AWS SDK adds about 120 ms to every JIT's start.
    const { presignS3Input } = require('./s3-input') as typeof import('./s3-input');
    return { location: await presignS3Input(url, region), options: remoteOptions(bitrate), name: url, remote: true };
  }
  const path = url.startsWith('file:') ? fileURLToPath(url) : url;
  try {
    await access(path, constants.R_OK);
  } catch {
    throw new InputError(`input ${url}: no readable file at ${path}`);
  }
  return { location: path, options: {}, remote: false };
}
