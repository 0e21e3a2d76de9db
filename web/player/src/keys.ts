/**
 * Editor shortcuts → transport actions. The JIT plays forward only, so J (reverse play in
 * editors) steps one frame back instead.
 */
import type { TransportAction } from './playback-state';

/** What a shortcut looks at in a keyboard event. */
export interface KeyPress {
  key: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  target?: EventTarget | null;
}

const TYPING = new Set(['INPUT', 'SELECT', 'TEXTAREA']);

/** Whether a key goes to a field the user is typing in or choosing from. */
export function isTyping(target: EventTarget | null | undefined): boolean {
  const element = target as { tagName?: string; isContentEditable?: boolean } | null | undefined;
  return Boolean(element && ((element.tagName !== undefined && TYPING.has(element.tagName)) || element.isContentEditable));
}

/** The action for a key press; null for other keys, modified keys and keys typed into a field. */
export function shortcutOf(press: KeyPress): TransportAction | null {
  if (press.ctrlKey || press.metaKey || press.altKey || isTyping(press.target)) return null;
  const frames = press.shiftKey ? 10 : 1;
  switch (press.key) {
    case ' ':
      return { action: 'toggle' };
    case 'k':
    case 'K':
      return { action: 'pause' };
    case 'l':
    case 'L':
      return { action: 'play' };
    case 'j':
    case 'J':
      return { action: 'step', frames: -1 };
    case 'ArrowLeft':
      return { action: 'step', frames: -frames };
    case 'ArrowRight':
      return { action: 'step', frames };
    case 'Home':
      return { action: 'first' };
    case 'End':
      return { action: 'last' };
    default:
      return null;
  }
}

/** The keys, as the page's hint line says them. */
export const KEYS_HINT =
  'Keys: space play/pause · K pause · L play · J one frame back (reverse play is not supported) · ' +
  '← → one frame · shift+← → ten frames · Home first frame · End last frame.';
