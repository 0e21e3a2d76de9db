import { isTyping, KEY_BINDINGS, KEYS_HINT, shortcutOf, type KeyPress } from '../../../web/player/src/keys';

const press = (key: string, more: Partial<KeyPress> = {}): KeyPress => ({
  key,
  shiftKey: false,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  ...more,
});

describe('keys', () => {
  it('map the editor keys to transport actions', () => {
    expect(shortcutOf(press(' '))).toEqual({ action: 'toggle' });
    expect(shortcutOf(press('k'))).toEqual({ action: 'pause' });
    expect(shortcutOf(press('L', { shiftKey: true }))).toEqual({ action: 'play' });
    expect(shortcutOf(press('j'))).toEqual({ action: 'step', frames: -1 });
    expect(shortcutOf(press('ArrowLeft'))).toEqual({ action: 'step', frames: -1 });
    expect(shortcutOf(press('ArrowRight'))).toEqual({ action: 'step', frames: 1 });
    expect(shortcutOf(press('ArrowLeft', { shiftKey: true }))).toEqual({ action: 'step', frames: -10 });
    expect(shortcutOf(press('ArrowRight', { shiftKey: true }))).toEqual({ action: 'step', frames: 10 });
    expect(shortcutOf(press('Home'))).toEqual({ action: 'first' });
    expect(shortcutOf(press('End'))).toEqual({ action: 'last' });
  });

  it('mark, clear and loop as review players do, and open the key list', () => {
    expect(shortcutOf(press('i'))).toEqual({ action: 'mark', point: 'in' });
    expect(shortcutOf(press('O', { shiftKey: true }))).toEqual({ action: 'mark', point: 'out' });
    expect(shortcutOf(press('i', { altKey: true }))).toEqual({ action: 'clear-mark', point: 'in' });
    // A Mac's Option+O types ø: the physical key decides.
    expect(shortcutOf(press('ø', { altKey: true, code: 'KeyO' }))).toEqual({ action: 'clear-mark', point: 'out' });
    expect(shortcutOf(press('x', { altKey: true }))).toEqual({ action: 'clear-mark' });
    expect(shortcutOf(press('x'))).toBeNull();
    expect(shortcutOf(press('/'))).toEqual({ action: 'toggle-loop' });
    expect(shortcutOf(press('?', { shiftKey: true }))).toEqual({ action: 'key-list' });
    expect(shortcutOf(press('Escape'))).toEqual({ action: 'key-list', show: false });
  });

  it('are one table: every binding is reachable and the hint names each', () => {
    for (const binding of KEY_BINDINGS) {
      for (const key of binding.keys) {
        const found = shortcutOf(press(key, { altKey: Boolean(binding.alt), shiftKey: Boolean(binding.shift) }));
        expect(found).toEqual(binding.action(key));
      }
      expect(KEYS_HINT).toContain(`${binding.label} ${binding.does}`);
    }
  });

  it('leave other keys, modified keys and typing alone', () => {
    expect(shortcutOf(press('x'))).toBeNull();
    expect(shortcutOf(press('ArrowRight', { ctrlKey: true }))).toBeNull();
    expect(shortcutOf(press('k', { metaKey: true }))).toBeNull();
    expect(shortcutOf(press(' ', { altKey: true }))).toBeNull();
    for (const tagName of ['INPUT', 'SELECT', 'TEXTAREA'])
      expect(shortcutOf(press(' ', { target: { tagName } as unknown as EventTarget }))).toBeNull();
    expect(shortcutOf(press('l', { target: { tagName: 'DIV', isContentEditable: true } as unknown as EventTarget }))).toBeNull();
    expect(shortcutOf(press(' ', { target: { tagName: 'BUTTON' } as unknown as EventTarget }))).toEqual({ action: 'toggle' });
    expect(isTyping(null)).toBe(false);
  });
});
