/**
 * On-the-fly HLS the way media servers make it (Jellyfin's dynamic HLS), the alternative the
 * compare benchmark measures jit against. Per viewing session:
 *
 * - `GET /hls/<source>/<session>/main.m3u8` answers at once with the whole VOD playlist (every
 *   segment of the source, computed from its length, as Jellyfin does) and starts ffmpeg at
 *   segment 0 (Jellyfin waits for the first segment request: starting here is a head start for HLS);
 * - `GET …/seg<N>.ts`: a segment on disk is sent as it is. Otherwise, when ffmpeg runs and N is
 *   at most `restartGapSeconds` past the last segment it made (Jellyfin: 24 s), the request waits
 *   for it; when N is further ahead, before the job's first segment, or no job runs, ffmpeg is
 *   killed and restarted at the segment boundary: `-ss N·segment -copyts … -start_number N`, so
 *   the new segments carry the same timestamps and names as an uninterrupted run would;
 *   segments made before stay on disk and are served.
 *
 * ffmpeg: `libx264 -preset ultrafast -tune zerolatency -crf 23`, a fixed GOP of one segment (its
 * keyframes fall on every segment boundary, the job always starting on one), the HLS muxer with
 * `-hls_time` segments, `independent_segments+temp_file` (a segment appears under its name only
 * when complete). The server also serves the JIT's player page and hls.js, so both sides are
 * measured in the same page with the same frame-index reader.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readFileSync, rmSync, watch, type FSWatcher } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import * as path from 'node:path';
import { processCpuTimes } from '../bench-util';

export interface HlsSource {
  file: string;
  frames: number;
  fps: number;
}

export interface HlsServerOptions {
  sources: Record<string, HlsSource>;
  /** where the jobs write their segments (removed on close) */
  workDir: string;
  segmentSeconds: number;
  /** a segment more than this many seconds past the last one made restarts the transcode */
  restartGapSeconds: number;
  /** the first free port of this range is used */
  ports: { min: number; max: number };
  /** files served as they are: URL path → file and content type */
  files: Record<string, { file: string; type: string }>;
}

/** How a segment request was answered. */
export type SegmentAnswer = 'on disk' | 'waited' | 'restarted';

export interface SegmentRequest {
  index: number;
  answer: SegmentAnswer;
  /** request → response started (waiting for ffmpeg included) */
  ms: number;
}

export interface HlsSessionStats {
  /** ffmpeg processes started (the first plus restarts) */
  jobs: number;
  segmentsMade: number;
  requests: SegmentRequest[];
  /** ffmpeg spawn → its first segment complete, per job */
  firstSegmentMs: number[];
  /** CPU seconds of all the session's ffmpeg processes so far */
  cpuSeconds: number;
}

interface Job {
  process: ChildProcess;
  startNumber: number;
  spawnedAt: number;
  /** highest segment this job completed, startNumber − 1 before the first */
  last: number;
  /** set once ended: utime + stime (ffmpeg's -benchmark line, or read just before a kill) */
  cpuSeconds?: number;
  stderr: string;
  exited: Promise<void>;
}

interface Session {
  id: string;
  source: HlsSource;
  /** frames per segment */
  segmentFrames: number;
  dir: string;
  watcher: FSWatcher;
  made: Set<number>;
  /** requests waiting for a segment of the running job */
  waiters: Map<number, Array<{ resolve: () => void; reject: (error: Error) => void }>>;
  job?: Job;
  endedJobsCpu: number;
  stats: HlsSessionStats;
}

const SEGMENT = /^seg(\d+)\.ts$/;

export class OnTheFlyHlsServer {
  private server?: Server;
  private readonly sessions = new Map<string, Session>();
  private port = 0;

  constructor(private readonly options: HlsServerOptions) {
    for (const [key, source] of Object.entries(options.sources)) {
      if (!Number.isInteger(options.segmentSeconds * source.fps)) {
        throw new RangeError(`${key}: a ${options.segmentSeconds} s segment is not a whole number of frames at ${source.fps} fps`);
      }
    }
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  playlistUrl(source: string, session: string): string {
    return `${this.baseUrl}/hls/${source}/${session}/main.m3u8`;
  }

  async listen(): Promise<void> {
    for (let port = this.options.ports.min; port <= this.options.ports.max; port++) {
      const server = createServer((req, res) => {
        this.handle(req, res).catch((error: Error) => {
          if (!res.headersSent) res.writeHead(500).end(error.message);
        });
      });
      const ok = await new Promise<boolean>((resolve) => {
        server.once('error', () => resolve(false));
        server.listen(port, '127.0.0.1', () => resolve(true));
      });
      if (ok) {
        this.server = server;
        this.port = port;
        return;
      }
    }
    throw new Error(`no free port in ${this.options.ports.min}..${this.options.ports.max}`);
  }

  /** The session's figures so far (CPU of a running ffmpeg read now). */
  stats(id: string): HlsSessionStats {
    const s = this.sessions.get(id);
    if (!s) throw new Error(`no HLS session ${id}`);
    const running = s.job && s.job.cpuSeconds === undefined ? cpuOf(s.job.process.pid) : 0;
    return {
      ...s.stats,
      requests: [...s.stats.requests],
      firstSegmentMs: [...s.stats.firstSegmentMs],
      cpuSeconds: s.endedJobsCpu + running,
    };
  }

  /** Ends a session as a server does when its viewer leaves: ffmpeg killed, segments removed. */
  async endSession(id: string): Promise<HlsSessionStats> {
    const s = this.sessions.get(id);
    if (!s) throw new Error(`no HLS session ${id}`);
    await this.stopJob(s);
    const stats = this.stats(id);
    s.watcher.close();
    this.sessions.delete(id);
    rmSync(s.dir, { recursive: true, force: true });
    return stats;
  }

  async close(): Promise<void> {
    for (const id of [...this.sessions.keys()]) await this.endSession(id);
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
    rmSync(this.options.workDir, { recursive: true, force: true });
  }

  // -------------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const page = this.options.files[url.pathname];
    if (page) {
      res.writeHead(200, { 'content-type': page.type, 'cache-control': 'no-store' }).end(readFileSync(page.file));
      return;
    }
    const m = /^\/hls\/([\w-]+)\/([\w-]+)\/(main\.m3u8|seg\d+\.ts)$/.exec(url.pathname);
    const source = m ? this.options.sources[m[1]] : undefined;
    if (!m || !source) {
      res.writeHead(404).end('not found');
      return;
    }
    const session = this.session(m[2], source);
    if (m[3] === 'main.m3u8') {
      if (!session.job) this.startJob(session, 0);
      res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl', 'cache-control': 'no-store' }).end(this.playlist(session));
      return;
    }
    const index = Number(SEGMENT.exec(m[3])![1]);
    if (index >= this.segmentCount(session)) {
      res.writeHead(404).end('no such segment');
      return;
    }
    const started = performance.now();
    const answer = await this.segmentReady(session, index);
    session.stats.requests.push({ index, answer, ms: performance.now() - started });
    res.writeHead(200, { 'content-type': 'video/mp2t', 'cache-control': 'no-store' });
    createReadStream(path.join(session.dir, `seg${index}.ts`))
      .on('error', () => res.destroy())
      .pipe(res);
  }

  private session(id: string, source: HlsSource): Session {
    const existing = this.sessions.get(id);
    if (existing) return existing;
    const dir = path.join(this.options.workDir, id);
    mkdirSync(dir, { recursive: true });
    const session: Session = {
      id,
      source,
      segmentFrames: this.options.segmentSeconds * source.fps,
      dir,
      made: new Set(),
      waiters: new Map(),
      endedJobsCpu: 0,
      stats: { jobs: 0, segmentsMade: 0, requests: [], firstSegmentMs: [], cpuSeconds: 0 },
      // a segment is complete when it is renamed from .tmp to its name (hls_flags temp_file)
      watcher: watch(dir, (_event, name) => {
        const seg = name ? SEGMENT.exec(String(name)) : null;
        if (seg && existsSync(path.join(dir, String(name)))) this.segmentMade(session, Number(seg[1]));
      }),
    };
    this.sessions.set(id, session);
    return session;
  }

  private segmentCount(s: Session): number {
    return Math.ceil(s.source.frames / s.segmentFrames);
  }

  private playlist(s: Session): string {
    const segFrames = s.segmentFrames;
    const lines = [
      '#EXTM3U',
      '#EXT-X-VERSION:3',
      `#EXT-X-TARGETDURATION:${Math.ceil(this.options.segmentSeconds)}`,
      '#EXT-X-MEDIA-SEQUENCE:0',
      '#EXT-X-PLAYLIST-TYPE:VOD',
      '#EXT-X-INDEPENDENT-SEGMENTS',
    ];
    for (let i = 0; i < this.segmentCount(s); i++) {
      const frames = Math.min(segFrames, s.source.frames - i * segFrames);
      lines.push(`#EXTINF:${(frames / s.source.fps).toFixed(6)},`, `seg${i}.ts`);
    }
    lines.push('#EXT-X-ENDLIST', '');
    return lines.join('\n');
  }

  private segmentMade(s: Session, index: number): void {
    if (s.made.has(index)) return;
    s.made.add(index);
    s.stats.segmentsMade++;
    const job = s.job;
    if (job && index >= job.startNumber && index > job.last) {
      if (job.last < job.startNumber) s.stats.firstSegmentMs.push(performance.now() - job.spawnedAt);
      job.last = index;
    }
    for (const waiter of s.waiters.get(index) ?? []) waiter.resolve();
    s.waiters.delete(index);
  }

  /** Waits for segment `index`, restarting ffmpeg there when waiting would be too long. */
  private async segmentReady(s: Session, index: number): Promise<SegmentAnswer> {
    if (s.made.has(index)) return 'on disk';
    const job = s.job;
    const gap = this.options.restartGapSeconds / this.options.segmentSeconds;
    const restart = !job || job.cpuSeconds !== undefined || index < job.startNumber || index - job.last > gap;
    if (restart) {
      await this.stopJob(s);
      this.startJob(s, index);
    }
    await new Promise<void>((resolve, reject) => {
      const waiting = s.waiters.get(index) ?? [];
      waiting.push({ resolve, reject });
      s.waiters.set(index, waiting);
      const current = s.job!;
      void current.exited.then(() => {
        // the watcher may report the last segment just after the exit
        setTimeout(() => {
          if (!s.made.has(index) && s.job === current)
            reject(new Error(`ffmpeg ended without segment ${index}: ${current.stderr.slice(-500)}`));
        }, 200);
      });
    });
    return restart ? 'restarted' : 'waited';
  }

  private startJob(s: Session, startNumber: number): void {
    const segSeconds = this.options.segmentSeconds;
    const segFrames = s.segmentFrames;
    const args = [
      '-nostdin',
      '-hide_banner',
      '-nostats',
      '-loglevel',
      'info',
      '-benchmark',
      ...(startNumber > 0 ? ['-ss', String(startNumber * segSeconds)] : []),
      '-i',
      s.source.file,
      '-copyts',
      '-map',
      '0:v:0',
      '-an',
      '-sn',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-tune',
      'zerolatency',
      '-crf',
      '23',
      '-pix_fmt',
      'yuv420p',
      '-g',
      String(segFrames),
      '-keyint_min',
      String(segFrames),
      '-sc_threshold',
      '0',
      '-f',
      'hls',
      '-hls_time',
      String(segSeconds),
      '-hls_list_size',
      '0',
      '-hls_playlist_type',
      'event',
      '-hls_flags',
      'independent_segments+temp_file',
      '-start_number',
      String(startNumber),
      '-hls_segment_filename',
      path.join(s.dir, 'seg%d.ts'),
      path.join(s.dir, 'ffmpeg.m3u8'),
    ];
    const child = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const job: Job = {
      process: child,
      startNumber,
      spawnedAt: performance.now(),
      last: startNumber - 1,
      stderr: '',
      exited: new Promise((resolve) => child.on('exit', () => resolve())),
    };
    child.stderr!.on('data', (d: Buffer) => (job.stderr = (job.stderr + d.toString()).slice(-20000)));
    void job.exited.then(() => {
      if (job.cpuSeconds !== undefined) return; // killed: read before the kill
      const bench = /bench: utime=([\d.]+)s stime=([\d.]+)s/.exec(job.stderr);
      job.cpuSeconds = bench ? Number(bench[1]) + Number(bench[2]) : 0;
      s.endedJobsCpu += job.cpuSeconds;
    });
    s.job = job;
    s.stats.jobs++;
  }

  private async stopJob(s: Session): Promise<void> {
    const job = s.job;
    if (!job) return;
    // requests still waiting for this job's segments were given up by the player (it moved on)
    for (const waiting of s.waiters.values()) for (const waiter of waiting) waiter.reject(new Error('the transcode moved elsewhere'));
    s.waiters.clear();
    if (job.cpuSeconds === undefined && job.process.exitCode === null && job.process.signalCode === null) {
      job.cpuSeconds = cpuOf(job.process.pid);
      s.endedJobsCpu += job.cpuSeconds;
      job.process.kill('SIGKILL');
    }
    await job.exited;
  }
}

function cpuOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const t = processCpuTimes(pid);
    return t.user + t.system;
  } catch {
    return 0; // exited between the check and the read
  }
}
