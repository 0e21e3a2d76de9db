import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@jit/logging';
import {
  type ControlMessage,
  frameOfTimecode,
  type PlaybackState,
  type ServerMessage,
  type TimecodeClock,
  timecodeOf,
  TimecodeError,
} from '@jit/protocol';
import { AUDIO_BLOCK, type AudioProgram } from '../media/audio-program';
import { AUDIO_RATE } from '../media/audio-reader';
import type { FrameTiming } from '../media/rational';
import type { EncodedPicture } from '../media/video-encoder';
import type { EncodedFrames } from '../media/video-pipeline';
import type { AudioRtpOutput, VideoRtpOutput } from '../webrtc/rtp-outputs';
import { type InOut, NO_MARKS, nextFrame, playStart, withMark } from './in-out';

export interface PlaybackParts {
  /** The encoded pictures, from the video thread. */
  frames: EncodedFrames;
  timing: FrameTiming;
  /** Output frame numbers ↔ the `tc` of the messages and of seeks by timecode. */
  timecode: TimecodeClock;
  video: VideoRtpOutput;
  audio?: { program: AudioProgram; output: AudioRtpOutput };
  /** Output frames that can be shown: the clip, or --duration when shorter. */
  frameCount: number;
  emit: (message: ServerMessage) => void;
  log: Logger;
}

/** A still sent once can take long to show in Chromium; sending it again soon after fixes that. */
const STILL_REPEATS_MS = [120, 400];
/** Audio is sent this far ahead of its time, so the receiver's jitter buffer never runs dry. */
const AUDIO_LEAD_MS = 60;
/** Further behind than this, playback re-anchors its clock instead of rushing frames out. */
const MAX_LATE_MS = 250;

export class PlaybackError extends Error {
  override readonly name = 'PlaybackError';
}

/**
 * One viewer's transport: which frame is on screen and whether it plays. Commands run one
 * at a time in arrival order; a play run is a loop that any later command stops first.
 */
export class Playback {
  private state: PlaybackState = 'paused';
  private frame = 0;
  /** In/out points and loop; the play run reads them frame by frame, so changing them needs no restart. */
  private marks: InOut = NO_MARKS;
  /** Bumped by every command that takes over the picture: stale loops and repeats stop. */
  private generation = 0;
  private loop: Promise<void> = Promise.resolve();
  private commands: Promise<void> = Promise.resolve();
  private needKeyframe = true;
  /** The keyframe on screen while paused, for repeats and keyframe requests. */
  private still?: EncodedPicture;
  private closed = false;

  /** Frame 0, decoded and encoded while the connection is still being set up. */
  private readonly firstPicture: Promise<EncodedPicture>;

  constructor(private readonly parts: PlaybackParts) {
    this.firstPicture = this.encoded(0, true);
    this.firstPicture.catch(() => undefined);
  }

  get snapshot(): { state: PlaybackState; frame: number } & InOut {
    return { state: this.state, frame: this.frame, ...this.marks };
  }

  /** Shows frame 0, paused: what a new viewer sees. Call once the connection is up. */
  start(): Promise<void> {
    return this.enqueue(async () => {
      this.display(0, await this.firstPicture);
      this.emitState();
    });
  }

  command(message: ControlMessage): Promise<void> {
    return this.enqueue(() => this.apply(message));
  }

  /** The browser lost the picture (PLI/FIR): the next frame sent is a keyframe. */
  requestKeyframe(): void {
    if (this.state === 'playing') {
      this.needKeyframe = true;
    } else if (this.still) {
      this.parts.video.send(this.still);
    } else {
      void this.enqueue(() => this.show(this.frame));
    }
  }

  /** Stops everything; resolves once no decode or encode of this playback is in flight. */
  async close(): Promise<void> {
    this.closed = true;
    this.generation++;
    await this.firstPicture.catch(() => undefined);
    await this.commands;
    await this.loop;
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.commands.then(async () => {
      if (this.closed) return;
      try {
        await task();
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (!(error instanceof PlaybackError)) this.parts.log.error({ err: error }, 'playback command failed');
        this.parts.emit({ type: 'error', message });
      }
    });
    this.commands = run;
    return run;
  }

  private async apply(message: ControlMessage): Promise<void> {
    const started = performance.now();
    await this.execute(message);
    this.parts.log.debug({ message, ms: +(performance.now() - started).toFixed(1) }, 'command done');
  }

  private async execute(message: ControlMessage): Promise<void> {
    switch (message.type) {
      case 'play': {
        if (this.state === 'playing') return;
        await this.stop();
        const start = playStart(this.frame, this.marks, this.parts.frameCount);
        if (start !== this.frame) await this.show(start);
        this.startLoop();
        return;
      }
      case 'pause': {
        if (this.state !== 'playing') return;
        await this.stop();
        this.state = 'paused';
        this.emitState();
        return;
      }
      case 'seek': {
        const target = this.seekTarget(message);
        const wasPlaying = this.state === 'playing';
        await this.stop();
        await this.show(target);
        this.emitPosition('seeked', target);
        if (wasPlaying) {
          this.startLoop();
        } else if (this.state !== 'paused') {
          this.state = 'paused';
          this.emitState();
        }
        return;
      }
      case 'step': {
        const target = Math.min(this.parts.frameCount - 1, Math.max(0, this.frame + message.frames));
        await this.stop();
        await this.show(target);
        this.emitPosition('seeked', target);
        this.state = 'paused';
        this.emitState();
        return;
      }
      case 'audio': {
        if (!this.parts.audio) throw new PlaybackError('this stream has no audio inputs');
        try {
          this.parts.audio.program.setOffset(message.offset);
        } catch (error) {
          throw new PlaybackError((error as Error).message);
        }
        this.emitState();
        return;
      }
      case 'setIn':
      case 'setOut': {
        const frame = message.frame === undefined && message.tc === undefined ? this.frame : this.seekTarget(message);
        this.marks = withMark(this.marks, message.type === 'setIn' ? 'in' : 'out', frame);
        this.emitState();
        return;
      }
      case 'clearInOut': {
        this.marks = {
          ...this.marks,
          in: message.point === 'out' ? this.marks.in : null,
          out: message.point === 'in' ? this.marks.out : null,
        };
        this.emitState();
        return;
      }
      case 'loop': {
        this.marks = { ...this.marks, loop: message.on };
        this.emitState();
        return;
      }
    }
  }

  /** The output frame a seek or mark asks for, by number or by timecode; a PlaybackError when the stream has none such. */
  private seekTarget(message: { frame?: number; tc?: string }): number {
    const last = this.parts.frameCount - 1;
    if (message.tc === undefined) {
      const frame = message.frame!;
      if (frame > last) throw new PlaybackError(`frame ${frame} is out of range: the stream has frames 0 to ${last}`);
      return frame;
    }
    const { timecode } = this.parts;
    let frame: number;
    try {
      frame = frameOfTimecode(message.tc, timecode);
    } catch (error) {
      if (error instanceof TimecodeError) throw new PlaybackError(`timecode ${error.message}`);
      throw error;
    }
    if (frame < 0 || frame > last) {
      throw new PlaybackError(
        `timecode ${message.tc} is out of range: the stream has timecodes ${timecodeOf(0, timecode)} to ${timecodeOf(last, timecode)}`,
      );
    }
    return frame;
  }

  private emitPosition(type: 'seeked' | 'frame', frame: number): void {
    this.parts.emit({ type, frame, tc: timecodeOf(frame, this.parts.timecode) });
  }

  /** Stops a running play loop, leaving its last frame on screen. */
  private async stop(): Promise<void> {
    this.generation++;
    await this.loop;
  }

  /** Encodes frame `n` as a keyframe and shows it. */
  private async show(n: number): Promise<void> {
    this.display(n, await this.encoded(n, true));
  }

  /** Sends the keyframe of frame `n`, then repeats it while it stays on screen. */
  private display(n: number, encoded: EncodedPicture): void {
    const generation = ++this.generation;
    this.parts.video.send(encoded);
    this.needKeyframe = false;
    this.frame = n;
    this.still = encoded;
    for (const delay of STILL_REPEATS_MS) {
      setTimeout(() => {
        if (this.generation === generation && this.still === encoded && !this.closed) this.parts.video.send(encoded);
      }, delay).unref();
    }
  }

  private async encoded(n: number, keyframe: boolean): Promise<EncodedPicture> {
    const picture = await this.parts.frames.frame(n, keyframe);
    if (!picture) throw new PlaybackError(`frame ${n} could not be decoded from the source`);
    return picture;
  }

  private startLoop(): void {
    const generation = this.generation;
    this.state = 'playing';
    this.emitState();
    this.loop = this.run(generation).catch((error: unknown) => {
      this.parts.log.error({ err: error }, 'playback stopped by an error');
      this.parts.emit({ type: 'error', message: `playback stopped: ${(error as Error).message}` });
      if (this.generation === generation) {
        this.state = 'paused';
        this.emitState();
      }
    });
  }

  /**
   * Plays from the frame on screen at the output frame rate, audio alongside, until told otherwise,
   * the end or the out point; looping, in follows out one frame duration later, like any next frame.
   */
  private async run(generation: number): Promise<void> {
    const { timing, audio, frameCount } = this.parts;
    const live = () => this.generation === generation && !this.closed;
    const frameMs = timing.frameDurationMs;
    let origin = performance.now();
    let audioSamples = 0;
    /** A loop's jump back, for the audio: from sample `at` (since origin) on, it plays from `seconds`. */
    let audioJump: { at: number; seconds: number } | undefined;
    if (audio) {
      await audio.program.seek(timing.secondsOf(this.frame));
      audio.output.startRun();
    }
    const pumpAudio = async () => {
      if (!audio) return;
      const dueSamples = ((performance.now() - origin + AUDIO_LEAD_MS) * AUDIO_RATE) / 1000;
      while (audioSamples < dueSamples && live()) {
        if (audioJump && audioSamples >= audioJump.at) {
          // Audio is sent ahead of the picture: as much of in's sound is skipped as went out past `at`, keeping sync.
          await audio.program.seek(audioJump.seconds + (audioSamples - audioJump.at) / AUDIO_RATE);
          audioJump = undefined;
        }
        audio.output.send(await audio.program.next());
        audioSamples += AUDIO_BLOCK;
      }
    };

    for (let sent = 1, n = this.frame; live(); sent++) {
      const next = nextFrame(n, this.marks, frameCount);
      if (next === null) {
        // Stopped at an out point, the transport is paused there; only the stream's end is `ended`.
        this.state = this.marks.out === null ? 'ended' : 'paused';
        this.emitState();
        return;
      }
      const jumps = next !== n + 1;
      // Encoded ahead of its time; the encoder then expects it to be sent. A jump back starts a new picture chain.
      const keyframe = this.needKeyframe || jumps;
      this.needKeyframe = false;
      const encoded = await this.encoded(next, keyframe);
      let due = origin + sent * frameMs;
      if (performance.now() - due > MAX_LATE_MS) {
        origin += performance.now() - due;
        due = performance.now();
      }
      if (jumps) audioJump = { at: ((due - origin) * AUDIO_RATE) / 1000, seconds: timing.secondsOf(next) };
      for (let wait = due - performance.now(); wait > 0 && live(); wait = due - performance.now()) {
        await pumpAudio();
        await sleep(Math.min(wait, 10));
      }
      if (!live()) {
        // Encoded but never sent: what follows must not refer to it.
        this.needKeyframe = true;
        return;
      }
      this.still = undefined;
      this.parts.video.send(encoded);
      this.frame = n = next;
      this.emitPosition('frame', next);
      await pumpAudio();
    }
  }

  private emitState(): void {
    const { audio, frameCount, timing } = this.parts;
    this.parts.emit({
      type: 'state',
      state: this.state,
      frame: this.frame,
      frameCount,
      frameRate: timing.outputRate,
      tc: timecodeOf(this.frame, this.parts.timecode),
      audioOffset: audio ? audio.program.channelOffset : null,
      audioChannels: audio ? audio.program.channelCount : 0,
      in: this.markPosition(this.marks.in),
      out: this.markPosition(this.marks.out),
      loop: this.marks.loop,
    });
  }

  private markPosition(frame: number | null): { frame: number; tc: string } | null {
    return frame === null ? null : { frame, tc: timecodeOf(frame, this.parts.timecode) };
  }
}
