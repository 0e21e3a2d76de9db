import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { JitConfig } from '@jit/config';
import { InputError, type InputSource } from './input-location';
import type { EncodedPicture, VideoCodecName } from './video-encoder';
import type { EncodedFrames } from './video-pipeline';

/** The first message a video thread gets: what to open. */
export interface VideoWorkerOpen {
  source: InputSource;
  config: JitConfig;
}

export type VideoWorkerRequest =
  | { id: number; op: 'codec'; codec: VideoCodecName }
  | { id: number; op: 'frame'; n: number; keyframe: boolean }
  | { id: number; op: 'close' };

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/** An error as it crosses the thread boundary: InputError keeps its kind (the HTTP layer answers it with 500). */
export interface WorkerError {
  name: string;
  message: string;
}

export type VideoWorkerMessage =
  | { type: 'ready' }
  | { type: 'failed'; error: WorkerError }
  | { type: 'reply'; id: number; picture?: { data: Uint8Array; keyframe: boolean } | null }
  | { type: 'reply'; id: number; error: WorkerError };

const ENTRY = path.join(__dirname, 'video-worker-main.js');

/**
 * How long after a thread is taken the next one is started: starting one costs about 0.1 s of
 * CPU (loading FFmpeg's bindings), which the new viewer's first frames need more.
 */
const NEXT_THREAD_DELAY_MS = 1000;

/** Video threads started ahead of need, one kept waiting, so opening a viewer's video does not wait for a thread to start. */
export class VideoThreads {
  private waiting?: Worker;
  private timer?: NodeJS.Timeout;
  private closed = false;

  constructor() {
    this.waiting = this.start();
  }

  take(): Worker {
    const worker = this.waiting ?? this.start();
    this.waiting = undefined;
    worker.ref();
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (!this.closed) this.waiting ??= this.start();
    }, NEXT_THREAD_DELAY_MS).unref();
    return worker;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.waiting?.terminate();
  }

  private start(): Worker {
    const worker = new Worker(ENTRY);
    // A waiting thread that fails is not handed out; VideoWorker.start reports failures of taken ones.
    const drop = () => {
      if (this.waiting === worker) this.waiting = undefined;
    };
    worker.on('error', drop).on('exit', drop);
    worker.unref();
    return worker;
  }
}

const rebuild = (error: WorkerError): Error => (error.name === 'InputError' ? new InputError(error.message) : new Error(error.message));

/**
 * A viewer's VideoPipeline on a thread of its own. FFmpeg's calls there are synchronous (a seek
 * is a chain of short steps that a thread-pool round trip each would slow by a third) and may
 * take a frame's decode at a time, which on the main thread would hold up every RTP packet,
 * DTLS and ICE message and HTTP request of the process.
 */
export class VideoWorker implements EncodedFrames {
  private nextId = 0;
  private readonly pending = new Map<
    number,
    { resolve: (value: EncodedPicture | null | undefined) => void; reject: (error: Error) => void }
  >();
  private failure?: Error;
  private closing?: Promise<void>;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (message: VideoWorkerMessage) => message.type === 'reply' && this.settle(message));
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => this.fail(new Error(`the video worker stopped (exit code ${code})`)));
  }

  /** Opens the input on `worker` (from VideoThreads); resolves once frame 0 is decoded, rejects as opening it would. */
  static start(worker: Worker, source: InputSource, config: JitConfig): Promise<VideoWorker> {
    return new Promise((resolve, reject) => {
      const settle = (outcome: () => void) => {
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
        outcome();
      };
      const onMessage = (message: VideoWorkerMessage) => {
        if (message.type === 'ready') settle(() => resolve(new VideoWorker(worker)));
        else if (message.type === 'failed') settle(() => void worker.terminate().finally(() => reject(rebuild(message.error))));
      };
      const onError = (error: Error) => settle(() => reject(error));
      const onExit = (code: number) => settle(() => reject(new Error(`the video worker stopped before it was ready (exit code ${code})`)));
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
      worker.postMessage({ source, config } satisfies VideoWorkerOpen);
    });
  }

  useCodec(codec: VideoCodecName): Promise<void> {
    return this.request({ op: 'codec', codec }).then(() => undefined);
  }

  async frame(n: number, keyframe: boolean): Promise<EncodedPicture | null> {
    return (await this.request({ op: 'frame', n, keyframe })) ?? null;
  }

  /** Closes the pipeline in the worker, then ends the thread. */
  close(): Promise<void> {
    this.closing ??= this.request({ op: 'close' })
      .catch(() => undefined)
      .then(() => this.worker.terminate())
      .then(() => undefined);
    return this.closing;
  }

  private request(request: WithoutId<VideoWorkerRequest>): Promise<EncodedPicture | null | undefined> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...request, id });
    });
  }

  private settle(message: Extract<VideoWorkerMessage, { type: 'reply' }>): void {
    const waiter = this.pending.get(message.id);
    if (!waiter) return;
    this.pending.delete(message.id);
    if ('error' in message) return waiter.reject(rebuild(message.error));
    const { picture } = message;
    waiter.resolve(
      picture && { data: Buffer.from(picture.data.buffer, picture.data.byteOffset, picture.data.byteLength), keyframe: picture.keyframe },
    );
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.pending.values()) waiter.reject(this.failure);
    this.pending.clear();
  }
}
