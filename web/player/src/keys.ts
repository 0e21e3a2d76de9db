/**
 * Editor shortcuts → player actions, as one table: the key handler matches against it and the
 * `?` list and the hint line are written from it, so what the page says is what the keys do.
 * The JIT plays forward only, so J (reverse play in editors) steps one frame back instead.
 * I/O mark in and out as in review players (OpenRV, Accurate Player); Alt with them clears.
 */
import type { TransportAction } from './playback-state';

/** What a shortcut looks at in a keyboard event. */
export interface KeyPress {
  key: string;
  /** The physical key: Alt+I and Alt+O type other characters on a Mac (ˆ, ø). */
  code?: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  target?: EventTarget | null;
}

/** A key's action: one for the stream, or showing/hiding the key list (the page's own). */
export type KeyAction = TransportAction | { action: 'key-list'; show?: boolean };

export interface KeyBinding {
  /** The keys, as the list names them. */
  label: string;
  /** What they do, as the list says it. */
  does: string;
  /** The `key` values of the event (either case for letters). */
  keys: readonly string[];
  /** With Alt held (otherwise without); Shift must match too where set. */
  alt?: boolean;
  shift?: boolean;
  action: (key: string) => KeyAction;
}

const letter = (c: string) => [c, c.toUpperCase()];

export const KEY_BINDINGS: readonly KeyBinding[] = [
  { label: 'Space', does: 'play / pause', keys: [' '], action: () => ({ action: 'toggle' }) },
  { label: 'L', does: 'play', keys: letter('l'), action: () => ({ action: 'play' }) },
  { label: 'K', does: 'pause', keys: letter('k'), action: () => ({ action: 'pause' }) },
  { label: 'J', does: 'one frame back (reverse play is not supported)', keys: letter('j'), action: () => ({ action: 'step', frames: -1 }) },
  {
    label: '← →',
    does: 'one frame back / forward',
    keys: ['ArrowLeft', 'ArrowRight'],
    shift: false,
    action: (key) => ({ action: 'step', frames: key === 'ArrowLeft' ? -1 : 1 }),
  },
  {
    label: 'Shift+← →',
    does: 'ten frames back / forward',
    keys: ['ArrowLeft', 'ArrowRight'],
    shift: true,
    action: (key) => ({ action: 'step', frames: key === 'ArrowLeft' ? -10 : 10 }),
  },
  { label: 'Home', does: 'first frame', keys: ['Home'], action: () => ({ action: 'first' }) },
  { label: 'End', does: 'last frame', keys: ['End'], action: () => ({ action: 'last' }) },
  { label: 'I', does: 'in point at this frame', keys: letter('i'), action: () => ({ action: 'mark', point: 'in' }) },
  { label: 'O', does: 'out point at this frame', keys: letter('o'), action: () => ({ action: 'mark', point: 'out' }) },
  { label: 'Alt+I', does: 'clear the in point', keys: letter('i'), alt: true, action: () => ({ action: 'clear-mark', point: 'in' }) },
  { label: 'Alt+O', does: 'clear the out point', keys: letter('o'), alt: true, action: () => ({ action: 'clear-mark', point: 'out' }) },
  { label: 'Alt+X', does: 'clear in and out', keys: letter('x'), alt: true, action: () => ({ action: 'clear-mark' }) },
  { label: '/', does: 'loop in → out on / off', keys: ['/'], action: () => ({ action: 'toggle-loop' }) },
  { label: '?', does: 'this list of keys', keys: ['?'], action: () => ({ action: 'key-list' }) },
  { label: 'Esc', does: 'close this list', keys: ['Escape'], action: () => ({ action: 'key-list', show: false }) },
];

const TYPING = new Set(['INPUT', 'SELECT', 'TEXTAREA']);

/** Whether a key goes to a field the user is typing in or choosing from. */
export function isTyping(target: EventTarget | null | undefined): boolean {
  const element = target as { tagName?: string; isContentEditable?: boolean } | null | undefined;
  return Boolean(element && ((element.tagName !== undefined && TYPING.has(element.tagName)) || element.isContentEditable));
}

/** The key a press means: with Alt, a letter by its physical key, since Alt changes the character on a Mac. */
const keyOf = (press: KeyPress): string =>
  press.altKey && press.code && /^Key[A-Z]$/.test(press.code) ? press.code.slice(3).toLowerCase() : press.key;

/** The action for a key press; null for other keys, Ctrl/Cmd keys and keys typed into a field. */
export function shortcutOf(press: KeyPress): KeyAction | null {
  if (press.ctrlKey || press.metaKey || isTyping(press.target)) return null;
  const key = keyOf(press);
  const binding = KEY_BINDINGS.find(
    (b) => b.keys.includes(key) && Boolean(b.alt) === press.altKey && (b.shift === undefined || b.shift === press.shiftKey),
  );
  return binding ? binding.action(key) : null;
}

/** The keys, as the page's hint line says them. */
export const KEYS_HINT = `Keys: ${KEY_BINDINGS.map((b) => `${b.label} ${b.does}`).join(' · ')}.`;
