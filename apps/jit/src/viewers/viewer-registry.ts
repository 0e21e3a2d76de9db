import { randomUUID } from 'node:crypto';
import type { JitConfig } from '@jit/config';
import type { Logger } from '@jit/logging';
import type { JitStatus } from '@jit/protocol';
import type { MediaCatalog } from '../media/media-catalog';
import type { PeerSettings } from '../webrtc/peer-config';
import { Viewer } from '../webrtc/viewer';

/**
 * The viewers of this JIT and the activity the agent watches: the process exits by
 * itself after --technical-timeout seconds without any viewer.
 */
export class ViewerRegistry {
  private readonly viewers = new Map<string, Viewer>();
  private readonly startedAt = Date.now();
  private lastActivity = Date.now();
  private idleTimer?: NodeJS.Timeout;

  constructor(
    private readonly config: Pick<JitConfig, 'technicalTimeout'>,
    private readonly peer: PeerSettings,
    private readonly media: MediaCatalog,
    private readonly log: Logger,
    private readonly onTechnicalTimeout: () => void,
  ) {
    this.armIdleTimer();
  }

  async add(offer: string): Promise<{ id: string; answer: string }> {
    const id = randomUUID();
    const { viewer, answer } = await Viewer.answer(id, offer, {
      peer: this.peer,
      media: this.media,
      log: this.log,
      onClosed: (closed) => this.forget(closed),
    });
    this.viewers.set(id, viewer);
    this.touch();
    clearTimeout(this.idleTimer);
    return { id, answer };
  }

  /** Ends one viewer; false when there is no such viewer. */
  async remove(id: string): Promise<boolean> {
    const viewer = this.viewers.get(id);
    if (!viewer) return false;
    await viewer.close('ended by the client');
    return true;
  }

  /** The viewers' part of the JIT's `GET /status`. */
  status(): Omit<JitStatus, 'media' | 'startTimecode' | 'nextViewerReady'> {
    const list = [...this.viewers.values()];
    const latest = list.reduce<Viewer | undefined>((a, v) => (!a || v.lastActivity > a.lastActivity ? v : a), undefined);
    const activity = Math.max(this.lastActivity, ...list.map((v) => v.lastActivity));
    return {
      ...(latest ? latest.playback.snapshot : { state: 'idle', frame: null, in: null, out: null, loop: false }),
      viewers: list.length,
      idleSeconds: (Date.now() - activity) / 1000,
      uptimeSeconds: (Date.now() - this.startedAt) / 1000,
      viewerList: list.map((v) => ({
        id: v.id,
        codec: v.codec,
        ...v.playback.snapshot,
        connectedSeconds: (Date.now() - v.createdAt) / 1000,
      })),
    };
  }

  async closeAll(): Promise<void> {
    clearTimeout(this.idleTimer);
    await Promise.all([...this.viewers.values()].map((v) => v.close('shutting down')));
  }

  private forget(viewer: Viewer): void {
    if (this.viewers.get(viewer.id) !== viewer) return;
    this.viewers.delete(viewer.id);
    this.touch();
    if (this.viewers.size === 0) this.armIdleTimer();
  }

  private touch(): void {
    this.lastActivity = Date.now();
  }

  private armIdleTimer(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.log.info({ technicalTimeout: this.config.technicalTimeout }, 'no viewer within the technical timeout: exiting');
      this.onTechnicalTimeout();
    }, this.config.technicalTimeout * 1000);
    this.idleTimer.unref();
  }
}
