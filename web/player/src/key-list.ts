/** The `?` overlay: every key binding, written from the table the key handler uses (keys.ts). */
import { h } from './dom';
import { KEY_BINDINGS } from './keys';

export class KeyList {
  readonly element = h(
    'div',
    { id: 'key-list', class: 'key-list', role: 'dialog', 'aria-label': 'Keys', hidden: true },
    h('h2', {}, 'Keys'),
    h('table', {}, h('tbody', {}, ...KEY_BINDINGS.map((b) => h('tr', {}, h('th', {}, h('kbd', {}, b.label)), h('td', {}, b.does))))),
    h('p', {}, 'Press ? or Esc, or click, to close.'),
  );

  constructor() {
    this.element.addEventListener('click', () => this.show(false));
  }

  /** Shows or hides the list; toggles it without `show`. */
  show(show = this.element.hidden): void {
    this.element.hidden = !show;
  }
}
