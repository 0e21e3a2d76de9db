/**
 * The JIT's own page (served by the JIT at `/`): the player, connected to this JIT's WHEP endpoint
 * on load. `?token=` (from a session's jitUrl) goes on to the endpoint; `?autoconnect=0` opens the
 * page without connecting (the JIT takes a viewer's inputs when it connects).
 */
import { messageOf } from '../player/src/dom';
import { Player } from '../player/src/player';

type Conn = 'idle' | 'connecting' | 'connected' | 'failed' | 'disconnected' | 'closed';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const ui = { conn: $<HTMLSpanElement>('conn'), whepUrl: $<HTMLInputElement>('whep-url'), connect: $<HTMLButtonElement>('connect') };
const player = new Player($('player-mount'));
const params = new URLSearchParams(location.search);
const token = params.get('token');
ui.whepUrl.value = token ? `/whep?token=${encodeURIComponent(token)}` : '/whep';

let conn: Conn = 'idle';
/** Counts connects and disconnects: only the latest one says how the connection is. */
let attempt = 0;

function setConn(next: Conn, detail?: string): void {
  conn = next;
  ui.conn.dataset.conn = next;
  ui.conn.textContent = next === 'idle' ? 'not connected' : detail ? `${next}: ${detail}` : next;
  ui.connect.textContent = next === 'connected' || next === 'connecting' ? 'Disconnect' : 'Connect';
}

async function connect(): Promise<void> {
  const mine = ++attempt;
  setConn('connecting');
  try {
    await player.watch(new URL(ui.whepUrl.value.trim() || '/whep', location.href).href, {
      onLost: (reason) => mine === attempt && setConn('closed', reason),
    });
    if (mine === attempt) setConn('connected');
  } catch (error) {
    if (mine !== attempt) return;
    setConn('failed', messageOf(error));
    player.showError(error);
  }
}

async function disconnect(): Promise<void> {
  attempt++;
  await player.stop();
  setConn('disconnected');
}

ui.connect.addEventListener('click', () => void (conn === 'connected' || conn === 'connecting' ? disconnect() : connect()));
ui.whepUrl.addEventListener('keydown', (event) => {
  if (event.key === 'Enter') void connect();
});

setConn('idle');
if (params.get('autoconnect') !== '0') void connect();
