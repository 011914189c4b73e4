/** Elements built with text nodes only (never innerHTML), so names and error messages cannot inject markup. */

type Child = Node | string | number | null | undefined | false;

export function html<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string | undefined> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  return fill(document.createElement(tag), attributes, children);
}

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number | undefined> = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  return fill(document.createElementNS('http://www.w3.org/2000/svg', tag), attributes, children);
}

/** Replaces what the page shows. */
export function mount(...children: Child[]): void {
  document.getElementById('app')!.replaceChildren(...nodes(children));
}

function fill<E extends Element>(element: E, attributes: Record<string, string | number | undefined>, children: Child[]): E {
  for (const [name, value] of Object.entries(attributes)) if (value !== undefined) element.setAttribute(name, String(value));
  element.append(...nodes(children));
  return element;
}

function nodes(children: Child[]): (Node | string)[] {
  return children.flatMap((child) => (child === null || child === undefined || child === false ? [] : [typeof child === 'number' ? String(child) : child]));
}
