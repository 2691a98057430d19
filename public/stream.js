// @ts-check
// The tab's one event stream (GET /events): one EventSource per tab, whichever page opened it.
// Scripts listen with on(); their listeners follow the stream across reconnects, so none needs to
// know when a new EventSource replaces the old one.

/** @typedef {(e: MessageEvent<string>) => void} Listener */

/** @type {Map<string, Set<Listener>>} */
const listeners = new Map();
/** @type {EventSource | null} */
let source = null;

/** Calls `listener` for every event named `kind` (`message` for new messages) on the tab's stream. */
export function on(/** @type {string} */ kind, /** @type {Listener} */ listener) {
  let set = listeners.get(kind);
  if (!set) listeners.set(kind, (set = new Set()));
  set.add(listener);
  source?.addEventListener(kind, /** @type {EventListener} */ (listener));
}

/** Opens the tab's stream at `url`, closing the one before, and returns it (its open and error handlers are the caller's). */
export function open(/** @type {string} */ url) {
  source?.close();
  const es = new EventSource(url);
  source = es;
  for (const [kind, set] of listeners) for (const l of set) es.addEventListener(kind, /** @type {EventListener} */ (l));
  return es;
}

/** The stream now open, if any. */
export const current = () => source;
