/** Entry of a VideoWorker's thread: one VideoPipeline, driven by the requests of the thread that started it. */
import { type MessagePort, parentPort } from 'node:worker_threads';
import { VideoPipeline } from './video-pipeline';
import type { VideoWorkerOpen, VideoWorkerMessage, VideoWorkerRequest, WorkerError } from './video-worker';

function parent(): MessagePort {
  if (!parentPort) throw new Error('video-worker-main runs as a worker thread (see VideoWorker)');
  return parentPort;
}
const port = parent();

const asWorkerError = (error: unknown): WorkerError =>
  error instanceof Error ? { name: error.name, message: error.message } : { name: 'Error', message: String(error) };

const post = (message: VideoWorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

async function serve(pipeline: VideoPipeline, request: VideoWorkerRequest): Promise<void> {
  try {
    switch (request.op) {
      case 'codec':
        await pipeline.useCodec(request.codec);
        return post({ type: 'reply', id: request.id });
      case 'frame': {
        const picture = await pipeline.frame(request.n, request.keyframe);
        if (!picture) return post({ type: 'reply', id: request.id, picture: null });
        const { data, keyframe } = picture;
        // An encoded picture has its own ArrayBuffer unless Node pooled it (small ones): that one is copied.
        const owned = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
        return post({ type: 'reply', id: request.id, picture: { data, keyframe } }, owned ? [data.buffer as ArrayBuffer] : []);
      }
      case 'close':
        await pipeline.close();
        post({ type: 'reply', id: request.id });
        port.close();
        return;
    }
  } catch (error) {
    post({ type: 'reply', id: request.id, error: asWorkerError(error) });
  }
}

// Started ahead of need (VideoThreads), with node-av loaded; the first message says what to open.
port.once('message', ({ source, config }: VideoWorkerOpen) => {
  VideoPipeline.open(source, config).then(
    (pipeline) => {
      // Requests are not queued here: the reader orders its decodes and lets a waiting request overtake its own background work.
      port.on('message', (request: VideoWorkerRequest) => void serve(pipeline, request));
      post({ type: 'ready' });
    },
    (error: unknown) => post({ type: 'failed', error: asWorkerError(error) }),
  );
});
