import type { FormatContext, Stream } from 'node-av';
import { type StartTimecode, startTimecode } from '@jit/protocol';
import type { Rational } from './rational';

/**
 * The start timecode of a source, as FFmpeg's demuxers expose it: a `timecode` tag on the video
 * stream (QuickTime/MP4 tmcd track, with `;` for its drop-frame flag), on the container (MXF
 * material package) or on another stream (a tmcd or data track); 00:00:00:00 without one.
 */
export function sourceTimecode(format: FormatContext, video: Stream, rate: Rational): StartTimecode {
  const tag = [video, format, ...format.streams].map((holder) => holder.metadata?.get('timecode')).find((value) => !!value);
  return startTimecode(tag ?? undefined, rate);
}
