/**
 * Editor shortcuts → transport actions. The JIT plays forward only, so J (reverse play in
 * editors) steps one frame back instead.
 */

const TYPING = new Set(['INPUT', 'SELECT', 'TEXTAREA']);

/** Whether a key event belongs to a field the user is typing in or choosing from. */
export function isTyping(event) {
  const target = event.target;
  return Boolean(target && (TYPING.has(target.tagName) || target.isContentEditable));
}

/** The action for a key event: {action: 'toggle'|'play'|'pause'|'first'|'last'} or {action: 'step', frames}; null for other keys. */
export function shortcutOf(event) {
  if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event)) return null;
  const frames = event.shiftKey ? 10 : 1;
  switch (event.key) {
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
