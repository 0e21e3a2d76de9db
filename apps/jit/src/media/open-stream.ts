import { type AVMediaType, Codec, CodecContext, Dictionary, FFmpegError, FormatContext, type Stream } from 'node-av';
import { InputError, type InputSource, inputName } from './input-location';

export interface OpenStream {
  format: FormatContext;
  stream: Stream;
  codec: Codec;
  /** Allocated from the stream's parameters, not yet opened: the caller sets threading first. */
  decoder: CodecContext;
}

/** Opens an input and prepares a decoder for its first stream of one media type; errors name the input. */
export async function openStream(source: InputSource, type: AVMediaType, kind: 'video' | 'audio'): Promise<OpenStream> {
  const where = `input ${inputName(source)}`;
  const format = new FormatContext();
  const opened = await format.openInput(source.location, null, Dictionary.fromObject(source.options));
  if (opened < 0) throw new InputError(`${where}: cannot open (${FFmpegError.strerror(opened)})`);
  const probed = await format.findStreamInfo(null);
  if (probed < 0) throw new InputError(`${where}: cannot read stream info (${FFmpegError.strerror(probed)})`);
  const stream = format.streams.find((s) => s.codecpar.codecType === type);
  if (!stream) throw new InputError(`${where}: has no ${kind} stream`);
  const codec = Codec.findDecoder(stream.codecpar.codecId);
  if (!codec) throw new InputError(`${where}: no decoder for its ${kind} codec`);
  const decoder = new CodecContext();
  decoder.allocContext3(codec);
  decoder.parametersToContext(stream.codecpar);
  decoder.pktTimebase = stream.timeBase;
  return { format, stream, codec, decoder };
}

/** Opens the prepared decoder; errors name the input. */
export async function openDecoder(source: InputSource, opened: OpenStream, options: Record<string, string> = {}): Promise<void> {
  const ret = await opened.decoder.open2(opened.codec, Dictionary.fromObject(options));
  if (ret < 0) {
    throw new InputError(`input ${inputName(source)}: cannot open its ${opened.codec.name} decoder (${FFmpegError.strerror(ret)})`);
  }
}
