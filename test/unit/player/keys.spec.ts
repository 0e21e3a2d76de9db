import { isTyping, shortcutOf, type KeyPress } from '../../../web/player/src/keys';

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
