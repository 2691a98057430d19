import { parseFragment } from 'parse5';

type Node = { nodeName: string; tagName?: string; attrs?: { name: string; value: string }[]; childNodes?: Node[]; content?: Node };

const ELEMENTS = new Set(['script', 'iframe', 'frame', 'frameset', 'img', 'svg', 'math', 'object', 'embed', 'style', 'link', 'meta',
  'base', 'form', 'input', 'textarea', 'select', 'video', 'audio', 'source', 'picture', 'template', 'noscript', 'applet']);
const SAFE_HREF = /^(https?:\/\/|mailto:)/i;

/**
 * What in an HTML fragment could run, load or navigate somewhere other than http, https or mailto,
 * as a browser's parser sees it (parse5 is the HTML standard's parsing algorithm): active elements,
 * event-handler and style attributes, and any URL-carrying attribute other than a safe href.
 * `internal` allows relative hrefs that match it (links to rooms).
 */
export function activeContent(html: string, internal?: RegExp): string[] {
  const found: string[] = [];
  const walk = (node: Node) => {
    if (node.tagName && ELEMENTS.has(node.tagName)) found.push(`<${node.tagName}>`);
    for (const a of node.attrs ?? []) {
      const name = a.name.toLowerCase();
      if (name.startsWith('on') || ['style', 'srcdoc', 'src', 'action', 'formaction', 'xlink:href', 'background', 'poster', 'data'].includes(name)) {
        found.push(`${node.tagName} ${name}="${a.value}"`);
      } else if (name === 'href' && !(SAFE_HREF.test(a.value) || internal?.test(a.value))) {
        found.push(`${node.tagName} href="${a.value}"`);
      }
    }
    for (const child of node.childNodes ?? []) walk(child);
    if (node.content) walk(node.content);
  };
  walk(parseFragment(html));
  return found;
}

/** Every href in a fragment, in order. */
export function hrefs(html: string): string[] {
  const out: string[] = [];
  const walk = (node: Node) => {
    for (const a of node.attrs ?? []) if (a.name === 'href') out.push(a.value);
    for (const child of node.childNodes ?? []) walk(child);
  };
  walk(parseFragment(html));
  return out;
}
