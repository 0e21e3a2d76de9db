/** A little help building the player's elements. */

type Attributes = Record<string, string | number | boolean | undefined>;

/** An element with attributes (true: present, false/undefined: left out) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === undefined) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  element.append(...children);
  return element;
}

/** The text of an error, or of anything else thrown. */
export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
